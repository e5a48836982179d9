//! The chat's seam, as `src/api/seam` is the connectors': one attempt of `POST /v2/chat` on
//! the wire, through the same [`Wire`] (the path guard over the generated operation table,
//! the credential rules, the headers, the timeouts, the one body limiter), decoded into the
//! facade's own types from the bytes. It names no generated item: the chat contract of
//! `cargo xtask spec` (xtask/src/spec/chat_contract.rs) refuses an upstream that changes
//! what is read or sent here.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::CONTENT_TYPE;

use super::event::ChatEvent;
use super::response::ChatResponse;
use super::sse::{EventSource, Frame, Limits};
use crate::api::response::{Response, ResponseMeta};
use crate::api::seam::decode;
use crate::client::execute::SUCCESS_STATUS;
use crate::core::error::{DecodeError, TransportError, TransportKind};
use crate::core::text::Redactor;
use crate::http::body::read_body;
use crate::http::exchange::{Answer, Opened, Wire};
use crate::http::transport::ERROR_BODY_READ_LIMIT;
use crate::{Error, Operation, Result};

const OPERATION: Operation = Operation::Chat;

/// `POST /v2/chat`: the whole answer.
pub(crate) async fn send(wire: &Wire<'_>, body: &Bytes) -> Result<Response<ChatResponse>> {
    let request = wire
        .request(OPERATION, None)
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone());
    let answer = wire.send(OPERATION, request).await?;
    decode(OPERATION, scrubbed(answer, wire.redactor), wire.redactor)
}

/// The answer with the client's secrets replaced wherever they are in its JSON text (a
/// server, or the model, that echoes the key shows `[redacted]`): nothing the chat returns
/// holds one. The replacement has no character JSON escapes, so the JSON stays valid.
fn scrubbed(mut answer: Answer, redactor: &Redactor) -> Answer {
    if let Ok(text) = std::str::from_utf8(&answer.body)
        && let std::borrow::Cow::Owned(clean) = redactor.scrub(text, false)
    {
        answer.body = Bytes::from(clean);
    }
    answer
}

/// A stream whose first event has arrived: what an attempt of a streamed chat returns.
pub(crate) struct Opening {
    pub meta: ResponseMeta,
    pub source: EventSource,
    pub first: ChatEvent,
    /// The attempt's timeout, which bounds each wait for the next event.
    pub timeout: Option<Duration>,
}

/// `POST /v2/chat` with `stream: true`, up to its first event: the attempt's timeout bounds
/// the wait for the answer's head and for that event, and an attempt that fails before it
/// is retried (or not) like any other. After it, nothing is.
pub(crate) async fn open(wire: &Wire<'_>, body: &Bytes, limits: Limits) -> Result<Opening> {
    let request = wire
        .request_accepting(OPERATION, None, "text/event-stream")
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone());
    let Opened {
        response,
        timeout,
        sent,
    } = wire.open(OPERATION, request).await?;
    let status = response.status().as_u16();
    let meta = ResponseMeta::new(status, response.headers().clone());
    let left = timeout.map(|timeout| timeout.saturating_sub(sent.elapsed()));
    if status != SUCCESS_STATUS || !is_event_stream(&response) {
        return Err(not_a_stream(response, wire.redactor, left).await);
    }
    let mut source = EventSource::new(response, wire.redactor.clone(), limits);
    let first = first_event(&mut source, left).await?;
    Ok(Opening {
        meta,
        source,
        first,
        timeout,
    })
}

/// The stream's first event, within `timeout`.
async fn first_event(source: &mut EventSource, timeout: Option<Duration>) -> Result<ChatEvent> {
    let next = source.next_frame();
    let frame = match timeout {
        Some(timeout) => tokio::time::timeout(timeout, next).await.map_err(|_| {
            Error::Transport(TransportError::new(
                OPERATION,
                TransportKind::Timeout,
                format!("no event within {timeout:?}"),
            ))
        })?,
        None => next.await,
    };
    match frame {
        Some(Ok(Frame::Event(event))) => Ok(event),
        Some(Ok(Frame::Done)) => Err(cut("the stream ended with [DONE] before its first event")),
        Some(Err(error)) => Err(error),
        None => Err(cut("the stream ended before its first event")),
    }
}

/// A stream that ended before `message-end`: the answer is incomplete.
pub(crate) fn cut(message: impl Into<String>) -> Error {
    Error::Transport(TransportError::new(OPERATION, TransportKind::Body, message))
}

fn is_event_stream(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// A success that is not a stream of events (another 2xx, or a body of another media type,
/// such as a proxy's HTML page): a decode error with the start of the body (what arrives of
/// it within `timeout`).
async fn not_a_stream(
    response: reqwest::Response,
    redactor: &Redactor,
    timeout: Option<Duration>,
) -> Error {
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map_or_else(
            || "no content type".to_owned(),
            |media| redactor.clean(media, 80),
        );
    let declared = response.content_length();
    let body = http::Response::from(response).into_body();
    let read = read_body(body, declared, ERROR_BODY_READ_LIMIT);
    let read = match timeout {
        Some(timeout) => tokio::time::timeout(timeout, read).await.ok(),
        None => Some(read.await),
    };
    let start = match read {
        Some(Ok(body)) => body,
        Some(Err(incomplete)) => incomplete.into_received(),
        None => Bytes::new(),
    };
    let reason = if status == SUCCESS_STATUS {
        format!("a streamed chat answers text/event-stream, not {media}")
    } else {
        format!("the API documents {SUCCESS_STATUS} for this operation, not {status}")
    };
    Error::Decode(DecodeError::new(
        OPERATION, status, &reason, &start, redactor,
    ))
}
