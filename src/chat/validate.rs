//! What a chat request must be before it is sent: the rules Cohere refuses a request for
//! (and that a tool loop's bookkeeping can break), checked here so that the mistake is an
//! [`Error::InvalidArgument`] that names it, before a billed request goes out.

use std::collections::{HashMap, HashSet};

use super::document::Document;
use super::message::{Message, ToolContent};
use super::tool::{ToolDefinition, is_tool_name};
use crate::core::text::one_line;
use crate::{Error, Operation, Result};

/// How much of a caller's value (an id, a tool name) an error quotes.
const QUOTED_CHARS: usize = 100;

/// What the rules look at.
pub(crate) struct Checked<'a> {
    pub model: &'a str,
    pub messages: &'a [Message],
    pub tools: &'a [ToolDefinition],
    pub documents: &'a [Document],
    /// The request's numbers, by field name.
    pub numbers: &'a [(&'static str, Option<f64>)],
}

/// Checks a request.
pub(crate) fn check(request: &Checked<'_>) -> Result<()> {
    if request.model.trim().is_empty() {
        return Err(invalid("the model is empty"));
    }
    if request.messages.is_empty() {
        return Err(invalid("a chat needs at least one message"));
    }
    for (index, tool) in request.tools.iter().enumerate() {
        if !is_tool_name(tool.name()) {
            return Err(invalid(format!(
                "tools[{index}] is named {}, not a tool name ([A-Za-z_][A-Za-z0-9_]*)",
                quoted(tool.name())
            )));
        }
    }
    for (name, value) in request.numbers {
        if value.is_some_and(|value| !value.is_finite()) {
            return Err(invalid(format!(
                "{name} must be a finite number (JSON has no NaN or infinity)"
            )));
        }
    }
    check_tool_turns(request.messages)?;
    check_document_ids(request.documents, request.messages)
}

/// Every tool message answers a call of the assistant message before it, once; no two calls
/// of the conversation share an id.
fn check_tool_turns(messages: &[Message]) -> Result<()> {
    let mut all_calls: HashSet<&str> = HashSet::new();
    // The calls of the last assistant message, and whether each has been answered.
    let mut open_calls: HashMap<&str, bool> = HashMap::new();
    for (index, message) in messages.iter().enumerate() {
        match message {
            Message::Assistant(assistant) => {
                open_calls.clear();
                for call in &assistant.tool_calls {
                    if !all_calls.insert(call.id.as_str()) {
                        return Err(invalid(format!(
                            "messages[{index}] repeats the tool call id {} of an earlier call",
                            quoted(&call.id)
                        )));
                    }
                    open_calls.insert(call.id.as_str(), false);
                }
            }
            Message::Tool(tool) => {
                let id = tool.tool_call_id.as_str();
                if id.is_empty() {
                    return Err(invalid(format!(
                        "messages[{index}] is a tool message without a tool_call_id"
                    )));
                }
                match open_calls.get_mut(id) {
                    None => {
                        return Err(invalid(format!(
                            "messages[{index}] answers the tool call {}, which the assistant message before it did not make",
                            quoted(id)
                        )));
                    }
                    Some(answered @ false) => *answered = true,
                    Some(true) => {
                        return Err(invalid(format!(
                            "messages[{index}] answers the tool call {} a second time",
                            quoted(id)
                        )));
                    }
                }
            }
            Message::User(_) | Message::System(_) => {}
        }
    }
    Ok(())
}

/// No two documents share an id: the request's documents (their own id, or `doc:<index>`)
/// and the tool results (a document block's own id, or `<tool_call_id>:<index of the
/// block>`), which Cohere counts together.
fn check_document_ids(documents: &[Document], messages: &[Message]) -> Result<()> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut claim = |id: String, at: String| match seen.get(&id) {
        Some(first) => Err(invalid(format!(
            "{at} has the document id {} of {first}; citations could not tell them apart",
            quoted(&id)
        ))),
        None => {
            seen.insert(id, at);
            Ok(())
        }
    };
    for (index, document) in documents.iter().enumerate() {
        claim(document.id_at(index), format!("documents[{index}]"))?;
    }
    for (index, message) in messages.iter().enumerate() {
        let Message::Tool(tool) = message else {
            continue;
        };
        for (block, content) in tool.content.iter().enumerate() {
            let id = match content {
                ToolContent::Document { document } => document.id.clone(),
                ToolContent::Text { .. } => None,
            };
            let id = id.unwrap_or_else(|| format!("{}:{block}", tool.tool_call_id));
            claim(id, format!("messages[{index}].content[{block}]"))?;
        }
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid(Operation::Chat, message)
}

/// A caller's value as an error quotes it: escaped, on one line, cut short.
fn quoted(value: &str) -> String {
    format!("\"{}\"", one_line(value, QUOTED_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{AssistantMessage, ToolCall, ToolDocument};

    fn check_messages(messages: &[Message], documents: &[Document]) -> Result<()> {
        check(&Checked {
            model: "m",
            messages,
            tools: &[],
            documents,
            numbers: &[],
        })
    }

    fn calls(ids: &[&str]) -> Message {
        let calls = ids
            .iter()
            .map(|id| ToolCall::new(*id, "search", &serde_json::json!({})))
            .collect();
        Message::Assistant(AssistantMessage::tool_turn("", calls))
    }

    fn answer(id: &str) -> Message {
        Message::tool(id, vec![ToolContent::text("ok")])
    }

    #[test]
    fn tool_messages_answer_the_calls_before_them_once() {
        let user = Message::user("q");
        assert!(
            check_messages(
                &[user.clone(), calls(&["a", "b"]), answer("a"), answer("b")],
                &[]
            )
            .is_ok()
        );
        for (messages, says) in [
            (
                vec![user.clone(), calls(&["a"]), answer("b")],
                "did not make",
            ),
            (
                vec![user.clone(), calls(&["a"]), answer("a"), answer("a")],
                "a second time",
            ),
            (
                vec![
                    user.clone(),
                    calls(&["a"]),
                    answer("a"),
                    calls(&["b"]),
                    answer("a"),
                ],
                "did not make",
            ),
            (
                vec![user.clone(), calls(&["a"]), answer("a"), calls(&["a"])],
                "repeats",
            ),
            (
                vec![user.clone(), calls(&["a"]), answer("")],
                "without a tool_call_id",
            ),
        ] {
            let error = check_messages(&messages, &[]).unwrap_err();
            assert!(error.to_string().contains(says), "{error}");
        }
    }

    #[test]
    fn document_ids_are_unique_across_documents_and_tool_results() {
        let user = Message::user("q");
        let docs = [Document::from("a"), Document::from("b")];
        assert!(check_messages(std::slice::from_ref(&user), &docs).is_ok());
        let twice = [
            Document::with_id("x", serde_json::json!({})),
            Document::with_id("x", serde_json::json!({})),
        ];
        let error = check_messages(std::slice::from_ref(&user), &twice).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("documents[1] has the document id \"x\" of documents[0]"),
            "{error}"
        );
        let named_like_cohere = [
            Document::with_id("doc:1", serde_json::json!({})),
            Document::from("b"),
        ];
        assert!(check_messages(std::slice::from_ref(&user), &named_like_cohere).is_err());
        let result = Message::tool(
            "a",
            vec![ToolContent::document(
                ToolDocument::new(serde_json::json!({})).with_id("x"),
            )],
        );
        let error = check_messages(&[user, calls(&["a"]), result], &twice[..1]).unwrap_err();
        assert!(
            error.to_string().contains("messages[2].content[0]"),
            "{error}"
        );
    }

    #[test]
    fn quoted_values_are_escaped_and_cut() {
        let quoted = quoted(&format!("a\u{1b}[31m{}", "x".repeat(500)));
        assert!(quoted.starts_with("\"a\\u{1b}[31m"), "{quoted}");
        assert!(quoted.chars().count() < 120);
    }
}
