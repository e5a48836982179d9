//! A connector service serving in the background.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::connections::{ConnectionLimits, serve_connections};

/// A [`ConnectorService`](super::ConnectorService) serving in a background task; it stops
/// when dropped or [shut down](Self::shutdown).
pub struct RunningConnector {
    addr: SocketAddr,
    path: String,
    task: JoinHandle<()>,
}

impl RunningConnector {
    /// Serves `router` (the kit's, an MCP server's, or an application with them merged) on
    /// `listener` with [`serve_connections`] within `limits`, in a background task;
    /// [`url`](Self::url) is the listener's address and `path`.
    /// [`ConnectorService::bind`](super::ConnectorService::bind) is this, for one service.
    ///
    /// # Errors
    ///
    /// If the listener's address cannot be read.
    pub fn start(
        listener: TcpListener,
        router: Router,
        path: &str,
        limits: ConnectionLimits,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let task = tokio::spawn(serve_connections(listener, router, limits));
        Ok(Self {
            addr,
            path: path.to_owned(),
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The search URL, e.g. `http://127.0.0.1:41234/search` (an unspecified address such as
    /// `0.0.0.0` is written as loopback, which reaches it).
    pub fn url(&self) -> String {
        let host = match self.addr {
            SocketAddr::V4(addr) if addr.ip().is_unspecified() => {
                SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
            }
            SocketAddr::V6(addr) if addr.ip().is_unspecified() => {
                SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
            }
            addr => addr,
        };
        format!("http://{host}{}", self.path)
    }

    /// Stops serving and waits until the server task has ended.
    pub async fn shutdown(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningConnector {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for RunningConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningConnector")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}
