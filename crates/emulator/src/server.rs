//! Serving the emulator so that no client can make it unresponsive: connections are accepted
//! and served by the connector kit's hardened loop
//! ([`serve_connections`](cohere_connectors_kit::server::serve_connections): open
//! connections bounded, a request head due within a timeout that also closes idle keep-alive
//! connections, accept failures backed off), and a whole request must be answered within
//! another timeout (408).
//!
//! Requests go through the fault plan first: a dropped connection has to happen here, below
//! the router, because only a connection-level error (the service's error) makes hyper close
//! without answering.

use std::fmt;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tower::ServiceExt;

use super::faults::{Action, Faults};
use super::journal::{Exchange, Journal, operation_of};
use super::routes::error;
use cohere_connectors::text::escape;
use cohere_connectors_kit::server::{ConnectionLimits, serve_connections};

/// How the server protects itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// How long a request head may take to arrive, counted from when the server starts
    /// waiting for it: a half-sent request, or a keep-alive connection left idle, is closed.
    pub header_timeout: Duration,
    /// How long a request may take from its head to its answer (a body sent byte by byte).
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// What every connection of one emulator shares.
#[derive(Clone)]
pub(crate) struct Served {
    pub router: Router,
    pub faults: Faults,
    pub journal: Journal,
    pub log: bool,
    pub limits: Limits,
}

/// Serves on `listener` until the task is aborted; aborting it also ends every open
/// connection.
pub(crate) async fn serve(listener: TcpListener, served: Served) {
    let limits = ConnectionLimits::default()
        .max_connections(served.limits.max_connections)
        .header_read_timeout(served.limits.header_timeout);
    let service = tower::service_fn(move |request| handle(request, served.clone()));
    serve_connections(listener, service, limits).await;
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
    served: Served,
) -> Result<Response<Body>, DroppedOnPurpose> {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    // The path only: a query string may carry a key (`?api_key=...`).
    let path = request.uri().path().to_owned();
    let latency = served.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match served.faults.next_action() {
        Action::Drop => {
            log(&served, &method, &path, "dropped", started);
            return Err(DroppedOnPurpose);
        }
        Action::Fail {
            status,
            retry_after,
        } => injected_failure(status, retry_after),
        Action::Serve => {
            let routed = served.router.clone().oneshot(request.map(Body::new));
            match tokio::time::timeout(served.limits.request_timeout, routed).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => error(408, "the request took too long to arrive"),
            }
        }
    };
    let response = journaled(&served.journal, &method, &path, response).await;
    log(
        &served,
        &method,
        &path,
        &response.status().as_u16().to_string(),
        started,
    );
    Ok(response)
}

fn log(served: &Served, method: &str, path: &str, outcome: &str, started: Instant) {
    if served.log {
        eprintln!(
            "{method} {} -> {outcome} {}ms",
            escape(path),
            started.elapsed().as_millis()
        );
    }
}

/// Records the exchange when the journal is on; the body is read and put back.
async fn journaled(
    journal: &Journal,
    method: &str,
    path: &str,
    response: Response<Body>,
) -> Response<Body> {
    if !journal.is_on() {
        return response;
    }
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !is_json {
        // A stream (`text/event-stream`) must reach the client as it is made: collected here,
        // a stalled stream would never arrive and an endless one would fill memory. The
        // exchange is recorded without its body.
        journal.record(Exchange {
            operation: operation_of(method, path),
            method: method.to_owned(),
            path: path.to_owned(),
            status: response.status().as_u16(),
            body: None,
        });
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    journal.record(Exchange {
        operation: operation_of(method, path),
        method: method.to_owned(),
        path: path.to_owned(),
        status: parts.status.as_u16(),
        body: serde_json::from_slice(&bytes).ok(),
    });
    Response::from_parts(parts, Body::from(bytes))
}

fn injected_failure(status: u16, retry_after: Option<Duration>) -> Response<Body> {
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
