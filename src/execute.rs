//! The one path every facade call takes: run the raw call, retry by the policy, bound the
//! whole by the deadline, and turn what progenitor returns into this crate's [`Error`].

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use progenitor_client::ResponseValue;

use crate::client::Shared;
use crate::error::{
    ApiError, ApiErrorDetails, DecodeError, DecodeErrorDetails, TransportError,
    TransportErrorDetails, TransportKind,
};
use crate::retry::{Decision, retry_after};
use crate::telemetry::CallTrace;
use crate::transport::{ERROR_BODY_SNIPPET, NonApiErrorBody, snippet};
use crate::{Client, Error, Operation, Result, raw};

/// What a raw operation returns.
pub(crate) type RawResult<T> =
    std::result::Result<ResponseValue<T>, raw::Error<raw::types::ErrorBody>>;

/// Every operation of the API documents exactly one success status.
pub(crate) const SUCCESS_STATUS: u16 = 200;

impl Client {
    /// Runs `call` (one raw request) until it succeeds, the retry policy gives up, or the
    /// deadline passes. The error returned is the last real one, with the number of attempts.
    pub(crate) async fn execute<T, F, Fut>(&self, operation: Operation, call: F) -> Result<T>
    where
        F: Fn(Arc<Shared>) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let trace = CallTrace::start(operation);
        let attempts = AtomicU32::new(0);
        let deadline = self.shared.config.deadline;
        let deadline_at = deadline.map(|deadline| Instant::now() + deadline);
        let attempting = self.attempt_until_done(operation, &call, &attempts, deadline_at, &trace);

        let outcome = match deadline {
            None => trace.instrument(attempting).await,
            Some(deadline) => {
                match trace
                    .instrument(tokio::time::timeout(deadline, attempting))
                    .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => Err(deadline_passed(
                        operation,
                        deadline,
                        attempts.load(Ordering::Relaxed),
                    )),
                }
            }
        };
        let status = match &outcome {
            Ok(_) => Some(SUCCESS_STATUS),
            Err(error) => error.status(),
        };
        trace.finish(attempts.load(Ordering::Relaxed), status);
        outcome
    }

    async fn attempt_until_done<T, F, Fut>(
        &self,
        operation: Operation,
        call: &F,
        attempts: &AtomicU32,
        deadline_at: Option<Instant>,
        trace: &CallTrace,
    ) -> Result<T>
    where
        F: Fn(Arc<Shared>) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let policy = &self.shared.config.retry;
        loop {
            let attempt = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let started = Instant::now();
            let error = match call(Arc::clone(&self.shared)).await {
                Ok(response) => {
                    trace.attempt(attempt, started.elapsed(), Ok(response.status().as_u16()));
                    return Ok(response.into_inner());
                }
                Err(error) => classify(operation, error).await,
            };
            trace.attempt(attempt, started.elapsed(), Err(&error));
            match policy.decide(operation, attempt, &error) {
                Decision::GiveUp => return Err(error.with_attempts(attempt)),
                // Sleeping into the deadline would only trade this error for a timeout.
                Decision::RetryAfter(wait)
                    if deadline_at.is_some_and(|at| Instant::now() + wait >= at) =>
                {
                    return Err(error.with_attempts(attempt));
                }
                Decision::RetryAfter(wait) => {
                    trace.retry(attempt, wait, &error);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

fn deadline_passed(operation: Operation, deadline: Duration, attempts: u32) -> Error {
    Error::Transport(TransportError::new(TransportErrorDetails {
        operation,
        kind: TransportKind::Timeout,
        detail: Some(format!("the deadline of {deadline:?} passed")),
        source: None,
        attempts,
    }))
}

/// Maps progenitor's error onto the facade's. Asynchronous because an undocumented status
/// still has a body to read.
pub(crate) async fn classify(
    operation: Operation,
    error: raw::Error<raw::types::ErrorBody>,
) -> Error {
    use raw::Error as Raw;
    match error {
        Raw::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let body = response.into_inner();
            api_error(operation, status, retry_after, body.message, body.id, None)
        }
        Raw::UnexpectedResponse(response) => unexpected_response(operation, response).await,
        Raw::ResponseBodyError(error) => body_error(operation, error),
        Raw::CommunicationError(error) | Raw::InvalidUpgrade(error) => {
            transport_error(operation, error, TransportKind::Request)
        }
        Raw::InvalidResponsePayload(body, error) => decode_error(
            operation,
            SUCCESS_STATUS,
            error.to_string(),
            snippet(&body, ERROR_BODY_SNIPPET),
        ),
        Raw::InvalidRequest(message) => Error::invalid(operation, message),
        Raw::Custom(message) => Error::Transport(TransportError::new(TransportErrorDetails {
            operation,
            kind: TransportKind::Request,
            detail: Some(message),
            source: None,
            attempts: 1,
        })),
    }
}

/// A status the operation does not document: a proxy's 502, a 408, a 2xx other than 200.
async fn unexpected_response(operation: Operation, response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => return body_error(operation, error),
    };
    if (200..300).contains(&status) {
        return decode_error(
            operation,
            status,
            format!("the API documents {SUCCESS_STATUS} for this operation, not {status}"),
            snippet(&body, ERROR_BODY_SNIPPET),
        );
    }
    // The transport hook only lets the API's JSON error through as a body.
    let parsed: raw::types::ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
    api_error(
        operation,
        status,
        retry_after(&headers),
        parsed.message,
        parsed.id,
        None,
    )
}

/// A body that could not be read: one the transport replaced (not the API's JSON, or over the
/// size limit) or a connection that broke off.
fn body_error(operation: Operation, error: reqwest::Error) -> Error {
    if let Some(carried) = find_cause::<NonApiErrorBody>(&error) {
        return api_error(
            operation,
            carried.status.as_u16(),
            retry_after(&carried.headers),
            None,
            None,
            Some(carried.text.clone()),
        );
    }
    if let Some(limit) = find_cause::<http_body_util::LengthLimitError>(&error) {
        return decode_error(operation, SUCCESS_STATUS, limit.to_string(), String::new());
    }
    transport_error(operation, error, TransportKind::Body)
}

/// A reqwest failure as a transport error: a timeout or a failed connection when reqwest says
/// so, `otherwise` when it does not.
fn transport_error(operation: Operation, error: reqwest::Error, otherwise: TransportKind) -> Error {
    let kind = if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        otherwise
    };
    Error::Transport(TransportError::new(TransportErrorDetails {
        operation,
        kind,
        detail: None,
        source: Some(error),
        attempts: 1,
    }))
}

fn api_error(
    operation: Operation,
    status: u16,
    retry_after: Option<std::time::Duration>,
    message: Option<String>,
    id: Option<String>,
    body: Option<String>,
) -> Error {
    Error::Api(ApiError::new(ApiErrorDetails {
        operation,
        status,
        message,
        id,
        body,
        retry_after,
        attempts: 1,
    }))
}

pub(crate) fn decode_error(
    operation: Operation,
    status: u16,
    reason: String,
    snippet: String,
) -> Error {
    Error::Decode(DecodeError::new(DecodeErrorDetails {
        operation,
        status,
        reason,
        snippet,
    }))
}

/// The first error of type `T` in `error`'s chain of causes.
fn find_cause<'e, T: std::error::Error + 'static>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        cause = current.source();
    }
    None
}
