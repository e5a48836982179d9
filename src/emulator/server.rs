//! Accepting connections and serving them over HTTP/1.1. Requests go through the fault plan
//! first: a dropped connection has to happen here, below the router, because only a
//! connection-level error makes hyper close without answering.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::faults::{Action, Faults};
use super::routes::error;

/// Serves `router` on `listener` until the task is aborted; aborting it also ends every open
/// connection (they live in its `JoinSet`).
pub(crate) async fn serve(listener: TcpListener, router: Router, faults: Faults, log: bool) {
    let log = Arc::new(log);
    let mut connections = JoinSet::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A client that gave up during the handshake, or a full file table: keep going.
                Err(_) => continue,
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (router, faults, log) = (router.clone(), faults.clone(), Arc::clone(&log));
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                handle(request, router.clone(), faults.clone(), *log)
            });
            // Errors here are the client going away or an injected drop: nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub(crate) struct DroppedOnPurpose;

impl fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedOnPurpose {}

async fn handle(
    request: Request<Incoming>,
    router: Router,
    faults: Faults,
    log: bool,
) -> Result<Response<Body>, DroppedOnPurpose> {
    let started = Instant::now();
    let line = format!(
        "{} {}",
        request.method(),
        request
            .uri()
            .path_and_query()
            .map_or("/", |path| path.as_str())
    );
    let latency = faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match faults.next_action() {
        Action::Drop => {
            if log {
                eprintln!("{line} -> dropped {}ms", started.elapsed().as_millis());
            }
            return Err(DroppedOnPurpose);
        }
        Action::Fail {
            status,
            retry_after,
        } => injected_failure(status, retry_after),
        Action::Serve => {
            let result: Result<Response<Body>, Infallible> =
                router.oneshot(request.map(Body::new)).await;
            match result {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    };
    if log {
        eprintln!(
            "{line} -> {} {}ms",
            response.status().as_u16(),
            started.elapsed().as_millis()
        );
    }
    Ok(response)
}

fn injected_failure(status: u16, retry_after: Option<std::time::Duration>) -> Response<Body> {
    let mut response = error(status, "injected failure");
    if let Some(wait) = retry_after {
        let seconds = wait
            .as_secs()
            .saturating_add(u64::from(wait.subsec_nanos() > 0));
        if let Ok(value) = HeaderValue::try_from(seconds.to_string()) {
            response.headers_mut().insert("retry-after", value);
        }
    }
    response
}
