//! `POST /v2/chat`: the emulator plays the model, a scripted one, so that a Chat v2 tool
//! loop can be tested offline and by any language's SDK.
//!
//! The model's rules, in order:
//!
//! 1. **Tool calls.** With `tools` and a last message from the user (or `tool_choice:
//!    REQUIRED`, or after tool results when the script keeps calling tools): a non-empty
//!    `tool_plan` and one call per tool, in order, up to the script's bound (32 unless set).
//!    Each call fills the tool's required parameters: a string with the last user message's
//!    text (its first 4,096 characters), any other type with an empty or zero value (`0`,
//!    `false`, `[]`, `{}`, `null`). Call ids have Cohere's form, `<tool name>_<12 lowercase
//!    letters and digits>`, derived from the conversation: the same request gets the same
//!    ids, the next step of a conversation new ones. `finish_reason` is `TOOL_CALL`.
//!    `tool_choice: NONE` turns tool calls off.
//! 2. **A grounded answer.** After tool results (a last message of role `tool`), or with
//!    `documents`: one line per document, `<title or id> says: <quote>`, the quote being the
//!    document's `text`, `snippet` or `content` (or all its fields as JSON), at most 300
//!    characters, for at most 50 documents. The documents are the request's, then the tool
//!    results since the last user message. Each quote is cited: `start` and `end` count
//!    Unicode code points of the answer's text (Cohere's guides count `°` as one), `text` is
//!    the quote, and the one source is the document: `{"type": "document", "id", "document":
//!    {its fields and id}}` for a request document, `{"type": "tool", "id", "tool_output":
//!    {its fields}}` for a tool result. Ids are Cohere's: the document's own `id`, or
//!    `doc:<index>` for a request document, `<tool_call_id>:<index of the content block>`
//!    for a tool result. Fields are strings, nested values written as compact JSON, as
//!    Cohere shows them; a string document (or tool content) is its JSON object, or `{"text":
//!    <string>}`. `citation_options.mode` `OFF` or `DISABLED` leaves the citations out.
//! 3. **A plain answer** otherwise: `You said: <the last user message>`.
//!
//! Any text answer stops after `max_tokens` tokens (`finish_reason: MAX_TOKENS`, citations of
//! the text cut off dropped). A token is a word with the whitespace before it; `usage`
//! counts them (the same figures in `billed_units` and `tokens`): read, in every message and
//! document; written, in the answer or the plan and arguments. Each response has a new `id`.
//!
//! With `stream: true` the same response comes as Cohere's events over server-sent events
//! (see the `stream` module for the framing), with [`StreamFault`]s applied.
//!
//! Cohere's refusals (its wording, from its errors page): a tool message without
//! `tool_call_id` (`tool call id must be provided with tool message`) or with one not among
//! the previous assistant message's calls (`tool call id not found in previous tool calls`);
//! a tool name outside `[A-Za-z_][A-Za-z0-9_]*`; two documents with one id, tool results
//! included; two tool calls with one id; a missing `model`; malformed JSON; unknown fields
//! (422); a `parameters` that is not an object, a property without a type, a required
//! parameter that is not a property. The rest are the emulator's own words. No key or a
//! wrong one is a 401, as for every route; a body over [`MAX_BODY_BYTES`] a 413.
//!
//! The modules: `wire` (the request read, the response's JSON types), `script` (the model:
//! pure functions), `stream` (events and framing), this one (the route). They depend on
//! nothing of the emulator's but its reply vocabulary and its faults.

mod script;
mod stream;
mod wire;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::faults::Faults;
#[cfg(doc)]
use super::faults::StreamFault;
use super::reply::{Refusal, error, json_bytes, random_hex};

pub use script::DEFAULT_TOOL_CALLS;
pub(crate) use script::Script;

/// The largest chat request body accepted: 8 MiB, room for a long conversation of tool
/// results (Cohere documents no limit; the connectors routes take 1 MiB).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Answers one `POST /v2/chat`.
pub(crate) fn respond(
    script: &Script,
    faults: &Faults,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request = match body_bytes(body).and_then(|bytes| wire::parse(&bytes)) {
        Ok(request) => request,
        Err(refusal) => return error(refusal.status, &refusal.message),
    };
    let response = script::respond(&request, script, response_id());
    if !request.stream {
        let body = serde_json::to_vec(&response).unwrap_or_default();
        return json_bytes(StatusCode::OK, body);
    }
    let mut answer = Response::new(stream::body(&response, faults.next_stream_fault()));
    let headers = answer.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    answer
}

fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Refusal> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::too_large(MAX_BODY_BYTES)
        } else {
            Refusal::bad_request("the request body could not be read")
        }
    })
}

/// A random id in the form of Cohere's, a version-4 UUID.
fn response_id() -> String {
    let hex = random_hex(16);
    let variant = ['8', '9', 'a', 'b'][fastrand::usize(..4)];
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}
