//! What a test's own code logs through `tracing`, captured as the plain text a log file would
//! hold, so a test can say what must and must never be in it.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::Level;
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::fmt::format::FmtSpan;

/// The text logged while a [`capture`](Logs::capture)'s guard lives, on its thread.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Captures events at `level` and above, and the close of every span with its fields,
    /// without colours, until the guard is dropped. The subscriber is the thread's default:
    /// a server task on another thread of a multi-threaded runtime is not captured.
    pub fn capture(level: Level) -> (Self, DefaultGuard) {
        let logs = Self::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(move || writer.clone())
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        // A callsite's interest is cached process-wide: one first hit by another test's
        // thread, with no subscriber there, may be cached as never enabled. Asked again now,
        // every callsite sees this thread's subscriber.
        tracing::callsite::rebuild_interest_cache();
        (logs, guard)
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
