//! The thread the blocking client's calls run on: a current-thread tokio runtime that stays
//! alive as long as a clone of the client does, like `reqwest::blocking`'s. Calls are sent to
//! it as futures and their results come back over a channel, so the calling thread needs no
//! runtime of its own, and none is ever started or dropped inside someone else's.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::mpsc;

use crate::{Error, Result};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A handle on the runtime thread; it stops when the last handle is dropped.
#[derive(Debug)]
pub(crate) struct Worker {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Worker {
    pub(crate) fn start() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| {
                Error::config(format!(
                    "cannot start the blocking client's runtime: {error}"
                ))
            })?;
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("cohere-connectors-blocking".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|error| {
                Error::config(format!(
                    "cannot start the blocking client's thread: {error}"
                ))
            })?;
        Ok(Self { jobs })
    }

    /// Runs `future` on the runtime thread and waits for its output.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when called from a task of an async runtime (blocking there would
    /// stall it: use the async client), or when the runtime thread is gone.
    pub(crate) fn run<T, F>(&self, future: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        if drives_async_tasks() {
            return Err(Error::config(
                "the blocking client was called inside an async runtime's task, where waiting would stall the runtime: use cohere_connectors::Client there, or call the blocking client inside tokio::task::spawn_blocking",
            ));
        }
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            let _ = answer.send(future.await);
        });
        let stopped = || Error::config("the blocking client's runtime thread has stopped");
        self.jobs.send(job).map_err(|_| stopped())?;
        answered.recv().map_err(|_| stopped())
    }
}

/// Whether this thread is running a task of a tokio runtime right now (a task on a worker, a
/// `block_on`, a `LocalSet`), where waiting would stall every other task of that runtime.
/// Inside `tokio::task::spawn_blocking` (or `block_in_place`, or on a thread that merely
/// entered a runtime's context), waiting is what the thread is for.
///
/// tokio has no public "may this thread block" (tokio-rs/tokio#3559, #7769), and
/// `Handle::try_current` succeeds in both places. What does tell them apart is the cooperative
/// budget: tokio polls every task and every `block_on` with a budget of 128 units, and runs
/// `spawn_blocking` closures and `block_in_place` sections without one. So this spends the
/// budget through [`tokio::task::coop::poll_proceed`], the public way a future consumes it,
/// and gives it all back: inside a task it runs out within 129 steps; without a budget it
/// never does. (A future the caller wrapped in `tokio::task::unconstrained` has no budget
/// either, and is taken at its word.)
fn drives_async_tasks() -> bool {
    use std::task::{Context, Poll, Waker};
    if tokio::runtime::Handle::try_current().is_err() {
        return false;
    }
    let mut context = Context::from_waker(Waker::noop());
    // The first guard restores the whole budget when dropped; the later ones keep their
    // step spent (`made_progress`) until then.
    let Poll::Ready(first) = tokio::task::coop::poll_proceed(&mut context) else {
        return true;
    };
    let mut constrained = false;
    for _ in 0..BUDGET_STEPS {
        match tokio::task::coop::poll_proceed(&mut context) {
            Poll::Ready(step) => step.made_progress(),
            Poll::Pending => {
                constrained = true;
                break;
            }
        }
    }
    drop(first);
    constrained
}

/// More steps than tokio's budget holds (128 a poll).
const BUDGET_STEPS: u32 = 256;
