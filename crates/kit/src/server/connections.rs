//! Accepting connections and serving them over HTTP/1.1 so that no client can make the server
//! unresponsive: [`serve_connections`] and its [`ConnectionLimits`], a building block for any
//! tower service (an axum router, the kit's, or an application with the kit's merged in).

use std::error::Error;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The limits [`serve_connections`] holds every connection to.
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_kit::server::ConnectionLimits;
///
/// let limits = ConnectionLimits::default()
///     .max_connections(256)
///     .header_read_timeout(Duration::from_secs(5))
///     .max_header_bytes(16 * 1024);
/// assert_ne!(limits, ConnectionLimits::default());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct ConnectionLimits {
    max_connections: usize,
    header_read_timeout: Duration,
    max_header_bytes: usize,
}

/// Connections served at once unless told otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// How long a request head may take unless told otherwise.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head unless told otherwise (64 KiB: Cohere's heads are a few hundred
/// bytes, and each connection may hold this much).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
        }
    }
}

impl ConnectionLimits {
    /// Serves at most `max` connections at once (default [`DEFAULT_MAX_CONNECTIONS`]; at
    /// least 1); more wait to be accepted. Keep it under the process's descriptor limit
    /// (`ulimit -n`), with room for what the handler opens.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Closes a connection whose next request head has not arrived within `timeout`
    /// (default [`DEFAULT_HEADER_READ_TIMEOUT`]): a head sent slowly, or a keep-alive
    /// connection left idle.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Answers 431 to a request head (request line and headers) larger than `bytes`
    /// (default [`DEFAULT_MAX_HEADER_BYTES`]).
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes;
        self
    }
}

/// Serves `service` on `listener` over HTTP/1.1 within `limits`, until the returned future
/// is dropped or its task aborted, which also ends every connection it serves. It never
/// returns otherwise: accept errors are waited out, not returned.
///
/// `service` is any tower service of `Request<Incoming>`, such as an axum
/// [`Router`](axum::Router); it is cloned per connection. An error from it closes the
/// connection without an answer.
///
/// `axum::serve` has none of the limits an internet-facing service needs: a head dripped a
/// byte at a time holds its connection forever, as does an idle keep-alive socket, and
/// nothing bounds how many are held, so half-open connections exhaust the process's file
/// descriptors. This bounds each:
///
/// - a request head must arrive within the
///   [header-read timeout](ConnectionLimits::header_read_timeout), counted from when the
///   connection starts waiting for it, so the same timeout closes a connection left idle
///   between requests (hyper restarts its `header_read_timeout` when a keep-alive
///   connection goes idle);
/// - a head over [`max_header_bytes`](ConnectionLimits::max_header_bytes) is answered 431;
/// - at most [`max_connections`](ConnectionLimits::max_connections) are served at once: the
///   slot is taken before `accept`, so more wait in the kernel's backlog, unaccepted, and
///   are served as others close;
/// - a failing `accept` (no descriptors left, no memory) waits 100 ms before it is retried,
///   instead of spinning a core, and serving resumes once the attacker's connections are
///   gone.
///
/// Only HTTP/1.1 is spoken, cleartext HTTP/2 (h2c) neither by prior knowledge nor by
/// upgrade: Cohere calls connectors with HTTPS requests that a TLS-terminating proxy passes
/// on as HTTP/1.1, and h2c would add a second protocol stack (its own flow control, stream
/// limits and reset floods) to bound, for no caller that needs it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::routing::get;
/// use cohere_connectors_kit::Document;
/// use cohere_connectors_kit::server::{Access, ConnectionLimits, ConnectorService, serve_connections};
///
/// let connector = ConnectorService::new(Access::open(), |_, _| async { Ok(vec![Document::new()]) });
/// let app = axum::Router::new()
///     .route("/health", get(|| async { "ok" }))
///     .merge(connector.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let server = tokio::spawn(serve_connections(listener, app, ConnectionLimits::default()));
///
/// let health = reqwest::get(format!("http://{addr}/health")).await?.text().await?;
/// assert_eq!(health, "ok");
/// server.abort();
/// # Ok(()) }
/// ```
pub async fn serve_connections<S, B>(listener: TcpListener, service: S, limits: ConnectionLimits)
where
    S: tower::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        // The slot is taken before accepting: past the cap, connections stay in the backlog.
        // (The semaphore is never closed, so this never returns.)
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                let wait = accept_backoff(&error);
                if !wait.is_zero() {
                    tracing::warn!(
                        %error,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "accepting a connection failed; waiting for connections to close"
                    );
                }
                tokio::time::sleep(wait).await;
                continue;
            }
        };
        // A streamed answer goes out frame by frame; with Nagle's algorithm each small frame
        // after the first waits for the client's delayed ACK (40 ms on Linux). A failure
        // only costs that latency, so it is not a reason to drop the connection.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(service.clone());
        connections.spawn(async move {
            // Errors here are the client going away, a timeout or the service's own error.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .max_header_size(limits.max_header_bytes)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

/// How long to wait after `accept` fails. Running out of file descriptors or memory lasts
/// until connections close: retrying at once would only spin a core. A client that gave up
/// during the handshake is no reason to wait.
fn accept_backoff(error: &io::Error) -> Duration {
    match error.kind() {
        io::ErrorKind::ConnectionAborted
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::Interrupted
        | io::ErrorKind::WouldBlock => Duration::ZERO,
        _ => Duration::from_millis(100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_out_of_descriptors_backs_off_and_a_client_giving_up_does_not() {
        let emfile = io::Error::from_raw_os_error(24);
        assert!(accept_backoff(&emfile) > Duration::ZERO);
        let nomem = io::Error::from(io::ErrorKind::OutOfMemory);
        assert!(accept_backoff(&nomem) > Duration::ZERO);
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(accept_backoff(&aborted), Duration::ZERO);
    }
}
