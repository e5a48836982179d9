//! Chat v2's tool shapes, at the JSON level: what a tool definition, a tool call and a tool
//! message look like on the wire, to plug into whatever Chat v2 client is in use.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The longest tool name written (function names longer than this are refused by common
/// tool-calling APIs).
pub const MAX_TOOL_NAME_CHARS: usize = 64;

/// `"function"`, the only kind of tool and tool call Chat v2 has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FunctionKind {
    /// A function.
    #[default]
    Function,
}

/// A Chat v2 tool (`ToolV2`): `{"type": "function", "function": {name, description,
/// parameters}}`, for the request's `tools`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ToolDefinition {
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: FunctionKind,
    /// The function.
    pub function: FunctionDefinition,
}

/// The function of a [`ToolDefinition`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct FunctionDefinition {
    /// Its name: letters, digits and `_`, not starting with a digit, at most
    /// [`MAX_TOOL_NAME_CHARS`].
    pub name: String,
    /// What it does, for the model to decide when to call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its arguments, as a JSON Schema.
    pub parameters: Value,
}

/// A tool call the model made (`ToolCallV2`), from a Chat v2 response's `tool_calls`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ToolCall {
    /// The call's id, to answer in [`ToolMessage::tool_call_id`].
    pub id: String,
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: FunctionKind,
    /// The function called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<ToolCallFunction>,
}

/// The function of a [`ToolCall`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ToolCallFunction {
    /// The tool's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The arguments, as a JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

impl ToolCall {
    /// A call of `name` with `arguments` (a JSON value, written as text as Chat v2 does).
    pub fn new(id: impl Into<String>, name: impl Into<String>, arguments: &Value) -> Self {
        Self {
            id: id.into(),
            kind: FunctionKind::Function,
            function: Some(ToolCallFunction {
                name: Some(name.into()),
                arguments: Some(arguments.to_string()),
            }),
        }
    }

    /// The name of the tool called.
    pub fn name(&self) -> Option<&str> {
        self.function.as_ref()?.name.as_deref()
    }
}

/// `"tool"`, the role of a tool message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ToolRole {
    /// A tool's output.
    #[default]
    Tool,
}

/// A tool's output (`ToolMessageV2`): the message to add to the next chat request's
/// `messages`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ToolMessage {
    /// Always `tool`.
    pub role: ToolRole,
    /// The id of the call answered.
    pub tool_call_id: String,
    /// The output: documents, or a text.
    pub content: Vec<ToolContent>,
}

impl ToolMessage {
    /// An answer to `tool_call_id` with `content`.
    pub fn new(tool_call_id: impl Into<String>, content: Vec<ToolContent>) -> Self {
        Self {
            role: ToolRole::Tool,
            tool_call_id: tool_call_id.into(),
            content,
        }
    }

    /// An answer that tells the model the tool failed: `{"error": "<message>"}` as text.
    pub fn error(tool_call_id: impl Into<String>, message: &str) -> Self {
        Self::new(
            tool_call_id,
            vec![ToolContent::Text {
                text: serde_json::json!({ "error": message }).to_string(),
            }],
        )
    }
}

/// One block of a [`ToolMessage`] (`ToolContent`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
#[non_exhaustive]
pub enum ToolContent {
    /// Text (`ChatTextContent`).
    Text {
        /// The text.
        text: String,
    },
    /// A document the model can cite (`DocumentContent`).
    Document {
        /// The document.
        document: ToolDocument,
    },
}

/// A document of a [`ToolContent::Document`] (`Document`): its fields, and an id citations
/// refer to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ToolDocument {
    /// The fields the model sees.
    pub data: Map<String, Value>,
    /// The id citations refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A tool name for a connector: `search_` and its id, with anything but ASCII letters,
/// digits and `_` written as `_`, cut to [`MAX_TOOL_NAME_CHARS`].
///
/// ```
/// use cohere_connectors_migrate::tool_name;
///
/// assert_eq!(tool_name("internal-wiki"), "search_internal_wiki");
/// assert_eq!(tool_name("ünïcode.docs"), "search__n_code_docs");
/// assert_eq!(tool_name(&"x".repeat(100)).len(), 64);
/// ```
pub fn tool_name(connector_id: &str) -> String {
    let mut name = String::from("search_");
    for c in connector_id.chars() {
        if name.len() >= MAX_TOOL_NAME_CHARS {
            break;
        }
        name.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        });
    }
    name
}

/// Whether `name` is a valid tool name: `[A-Za-z_][A-Za-z0-9_]*`, at most
/// [`MAX_TOOL_NAME_CHARS`].
pub fn is_valid_tool_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && name.len() <= MAX_TOOL_NAME_CHARS
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_connector_id_gives_a_valid_name(id in ".{0,200}") {
            prop_assert!(is_valid_tool_name(&tool_name(&id)));
        }
    }

    #[test]
    fn names_are_checked() {
        for valid in ["search_wiki", "_x", "a1"] {
            assert!(is_valid_tool_name(valid), "{valid}");
        }
        for invalid in ["", "1abc", "a-b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_valid_tool_name(invalid), "{invalid}");
        }
    }
}
