//! What the chat facade (`src/chat/`) depends on in the chat fragment, checked after every
//! run of the pipeline, as [`super::contract`] is for the connectors' facade: a new upstream
//! that moves `POST /v2/chat`, drops a request field the builder sends, requires one it does
//! not always send, drops a field of the answer the facade reads, or the stream's event
//! schema, is refused here with the facade item it breaks.
//!
//! The facade writes its requests and decodes its answers with its own types (see
//! `src/chat/seam.rs`), so everything else (new fields, new event types, new finish reasons)
//! is absorbed.

use super::contract::{required, resolve_schema, success_schema};
use super::doc::{Mapping, Result, Value, map_at, map_path, operations, root, spec_error, str_at};

const OPERATION_ID: &str = "chatv2";
const PATH: &str = "/v2/chat";

/// The request fields `ChatRequest` (src/chat/request.rs) sends.
pub const REQUEST_FIELDS: &[&str] = &[
    "model",
    "messages",
    "tools",
    "strict_tools",
    "documents",
    "citation_options",
    "tool_choice",
    "response_format",
    "safety_mode",
    "max_tokens",
    "stop_sequences",
    "temperature",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "k",
    "p",
    "stream",
];

/// What every request sends: the only fields the API may require.
pub const ALWAYS_SENT: &[&str] = &["model", "messages"];

/// The answer's fields `ChatResponse` reads (`usage` is optional there).
pub const ANSWER_FIELDS: &[&str] = &["id", "finish_reason", "message", "usage"];

/// The schemas the facade's stream and messages mirror: the events' union, and the four
/// messages of a conversation.
pub const SCHEMAS: &[&str] = &[
    "StreamedChatResponseV2",
    "UserMessageV2",
    "AssistantMessageV2",
    "SystemMessageV2",
    "ToolMessageV2",
    "ToolCallV2",
    "ToolV2",
    "Citation",
];

/// Checks the chat fragment (after the pipeline) against the chat facade's needs; the error
/// lists every break.
pub fn check(document: &Value) -> Result<()> {
    let root = root(document)?;
    let breaks = breaks(root);
    if breaks.is_empty() {
        return Ok(());
    }
    Err(spec_error!(
        "this upstream breaks what the chat facade depends on:\n{}\n\
         Teach the facade the change in src/chat/ (and this contract in \
         xtask/src/spec/chat_contract.rs), then run the xtask again. Nothing was written.",
        breaks
            .iter()
            .map(|line| format!("  - {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

fn breaks(root: &Mapping) -> Vec<String> {
    let mut breaks = Vec::new();
    for name in SCHEMAS {
        if map_path(root, &["components", "schemas", name]).is_none() {
            breaks.push(format!(
                "schema {name} is gone; the chat facade's types mirror it"
            ));
        }
    }
    let all = operations(root);
    let Some((path, method, operation)) = all
        .iter()
        .find(|(_, _, operation)| str_at(operation, "operationId") == Some(OPERATION_ID))
    else {
        breaks.push(format!(
            "operation {OPERATION_ID} (POST {PATH}) is gone; Client::chat calls it"
        ));
        return breaks;
    };
    if path != PATH || method != "post" {
        breaks.push(format!(
            "operation {OPERATION_ID} moved to {} {path}; Client::chat sends POST {PATH}",
            method.to_uppercase()
        ));
    }
    check_request(root, operation, &mut breaks);
    match success_schema(root, operation) {
        None => breaks.push(format!(
            "{OPERATION_ID} no longer documents a JSON success answer; ChatRequest::send reads one"
        )),
        Some(answer) => {
            let properties = map_at(answer, "properties");
            for field in ANSWER_FIELDS {
                if properties.and_then(|p| p.get(*field)).is_none() {
                    breaks.push(format!(
                        "the answer of {OPERATION_ID} has no field `{field}` any more; ChatResponse reads it"
                    ));
                }
            }
        }
    }
    breaks
}

fn check_request(root: &Mapping, operation: &Mapping, breaks: &mut Vec<String>) {
    let body = map_path(operation, &["requestBody", "content", "application/json"])
        .and_then(|media| media.get("schema"))
        .and_then(|schema| resolve_schema(root, schema));
    let Some(body) = body else {
        breaks.push(format!(
            "{OPERATION_ID} no longer takes a JSON body; ChatRequest sends one"
        ));
        return;
    };
    let properties = map_at(body, "properties");
    for field in REQUEST_FIELDS {
        if properties.and_then(|p| p.get(*field)).is_none() {
            breaks.push(format!(
                "the request of {OPERATION_ID} has no field `{field}` any more; ChatRequest sends it"
            ));
        }
    }
    for field in required(body) {
        if !ALWAYS_SENT.contains(&field.as_str()) {
            breaks.push(format!(
                "{OPERATION_ID} now requires `{field}`; ChatRequest does not always send it"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragment(request_properties: &str, required: &str) -> Value {
        let schemas: String = SCHEMAS
            .iter()
            .map(|name| format!("    {name}: {{type: object}}\n"))
            .collect();
        let text = format!(
            "openapi: 3.0.3\npaths:\n  /v2/chat:\n    post:\n      operationId: chatv2\n      \
             requestBody:\n        content:\n          application/json:\n            schema:\n              \
             type: object\n              required: {required}\n              properties: {{{request_properties}}}\n      \
             responses:\n        '200':\n          content:\n            application/json:\n              schema:\n                \
             properties: {{id: {{}}, finish_reason: {{}}, message: {{}}, usage: {{}}}}\n\
             components:\n  schemas:\n{schemas}"
        );
        yaml_serde::from_str(&text).unwrap()
    }

    fn all_fields() -> String {
        REQUEST_FIELDS
            .iter()
            .map(|field| format!("{field}: {{}}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn the_fragment_as_the_facade_knows_it_passes() {
        check(&fragment(&all_fields(), "[model, messages]")).unwrap();
    }

    #[test]
    fn a_dropped_request_field_or_a_new_required_one_is_refused() {
        let without_seed = all_fields().replace("seed: {}, ", "");
        let error = check(&fragment(&without_seed, "[model, messages, priority]")).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("no field `seed`"), "{text}");
        assert!(text.contains("now requires `priority`"), "{text}");
    }
}
