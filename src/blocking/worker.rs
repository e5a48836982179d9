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
    /// [`Error::Config`] when called from inside an async runtime (blocking there would
    /// stall it: use the async client), or when the runtime thread is gone.
    pub(crate) fn run<T, F>(&self, future: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::config(
                "the blocking client was called inside an async runtime, where waiting would stall it: use cohere_connectors::Client there",
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
