//! What a test's own code logs through `tracing`, captured as the plain text a log file would
//! hold, so a test can say what must and must never be in it.
//!
//! One global subscriber (set on first use) formats the events and span closes of the
//! threads that capture, at the level each asked for, into their captures. A subscriber
//! per test (`tracing::subscriber::set_default`) is not enough: a callsite's interest is
//! cached process-wide, and one first hit on another test's thread, where no subscriber
//! listens, may be cached as never enabled, leaving a capture empty.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::DynFilterFn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;

thread_local! {
    /// The capture of this thread, and the most verbose level it keeps.
    static CURRENT: RefCell<Option<(Logs, Level)>> = const { RefCell::new(None) };
}

/// The text logged on a thread while a [`capture`](Logs::capture)'s guard lives.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

/// Ends the capture it came with when dropped (the thread's earlier one, if any, resumes).
#[must_use = "the capture ends when the guard is dropped"]
pub struct CaptureGuard {
    previous: Option<(Logs, Level)>,
}

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

impl Logs {
    /// Captures this thread's events at `level` and above, and the close of every span with
    /// its fields, without colours, until the guard is dropped. A server task on another
    /// thread of a multi-threaded runtime is not captured.
    pub fn capture(level: Level) -> (Self, CaptureGuard) {
        install_once();
        let logs = Self::default();
        let previous = CURRENT.with(|current| current.borrow_mut().replace((logs.clone(), level)));
        (logs, CaptureGuard { previous })
    }

    /// All that was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// What was logged, once it contains `needle` (or after two seconds, whatever it holds):
    /// an event a server's task writes a moment after its client has the answer is waited
    /// for, not raced.
    pub async fn once_they_contain(&self, needle: &str) -> String {
        for _ in 0..200 {
            let logs = self.text();
            if logs.contains(needle) {
                return logs;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.text()
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The global subscriber, set once for the whole test binary.
fn install_once() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Asked at each event, never cached: only a capturing thread's events are formatted.
        let capturing = DynFilterFn::new(|meta, _| {
            CURRENT.with(|current| {
                let current = current.borrow();
                current
                    .as_ref()
                    .is_some_and(|(_, level)| meta.level() <= level)
            })
        });
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(ToThreadsCapture)
            .with_filter(capturing);
        let subscriber = tracing_subscriber::registry().with(layer);
        // Another global subscriber set first (by a test of its own) keeps its place; the
        // captures then see nothing, and the tests that need them say so.
        let _ = tracing::subscriber::set_global_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
    });
}

/// Writes to the capture of the thread an event happens on, or nowhere.
struct ToThreadsCapture;

/// A capture, or nowhere.
enum Target {
    Capture(Logs),
    Nowhere,
}

impl Write for Target {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Self::Capture(logs) => logs.write(bytes),
            Self::Nowhere => Ok(bytes.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for ToThreadsCapture {
    type Writer = Target;

    fn make_writer(&'a self) -> Self::Writer {
        CURRENT.with(|current| match &*current.borrow() {
            Some((logs, _)) => Target::Capture(logs.clone()),
            None => Target::Nowhere,
        })
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        CURRENT.with(|current| match &*current.borrow() {
            Some((logs, level)) if meta.level() <= level => Target::Capture(logs.clone()),
            _ => Target::Nowhere,
        })
    }
}
