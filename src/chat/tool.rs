//! Tools: what a request offers the model (`tools`), and the calls the model makes
//! (`tool_calls`). The JSON shapes are Cohere's (`ToolV2`, `ToolCallV2`), field for field.

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `"function"`, the only kind of tool and tool call Chat v2 has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum FunctionKind {
    /// A function.
    #[default]
    Function,
}

/// A tool the model may call (`ToolV2`): `{"type": "function", "function": {name,
/// description, parameters}}`, for the request's `tools`.
///
/// ```
/// use cohere_connectors::chat::ToolDefinition;
/// use serde_json::json;
///
/// let tool = ToolDefinition::function(
///     "search_wiki",
///     "Searches the company wiki",
///     json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
/// );
/// assert_eq!(serde_json::to_value(&tool)?["function"]["name"], "search_wiki");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ToolDefinition {
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: FunctionKind,
    /// The function.
    pub function: FunctionDefinition,
}

impl ToolDefinition {
    /// A function tool named `name` (letters, digits and `_`, not starting with a digit),
    /// described for the model by `description`, whose arguments `parameters` (a JSON
    /// Schema) describes.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Self {
        Self::from(FunctionDefinition::new(name, parameters).with_description(description))
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.function.name
    }
}

impl From<FunctionDefinition> for ToolDefinition {
    fn from(function: FunctionDefinition) -> Self {
        Self {
            kind: FunctionKind::Function,
            function,
        }
    }
}

/// The function of a [`ToolDefinition`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct FunctionDefinition {
    /// Its name: `[A-Za-z_][A-Za-z0-9_]*` (checked before a request is sent).
    pub name: String,
    /// What it does, for the model to decide when to call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its arguments, as a JSON Schema (an object).
    pub parameters: Value,
}

impl FunctionDefinition {
    /// A function named `name` whose arguments `parameters` describes.
    pub fn new(name: impl Into<String>, parameters: Value) -> Self {
        Self {
            name: name.into(),
            description: None,
            parameters,
        }
    }

    /// The same function, described for the model.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A call the model made (`ToolCallV2`), in a response's `tool_calls`; replayed as is in
/// the assistant message of the next request.
///
/// ```
/// use cohere_connectors::chat::ToolCall;
/// use serde_json::json;
///
/// let call = ToolCall::new("search_wiki_1", "search_wiki", &json!({"query": "tea"}));
/// assert_eq!(call.name(), Some("search_wiki"));
/// assert_eq!(call.arguments(), Some(r#"{"query":"tea"}"#));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ToolCall {
    /// The call's id, which the tool message answering it names
    /// ([`ToolMessage::tool_call_id`](super::ToolMessage::tool_call_id)).
    pub id: String,
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: FunctionKind,
    /// The function called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<ToolCallFunction>,
}

/// The function of a [`ToolCall`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ToolCallFunction {
    /// The tool's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The arguments, as JSON text (an object).
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

    /// The arguments, as the model wrote them (JSON text).
    pub fn arguments(&self) -> Option<&str> {
        self.function.as_ref()?.arguments.as_deref()
    }
}

/// Whether `name` may name a tool: `[A-Za-z_][A-Za-z0-9_]*`, Cohere's rule.
///
/// ```
/// use cohere_connectors::chat::is_tool_name;
///
/// assert!(is_tool_name("search_wiki") && is_tool_name("_x9"));
/// assert!(!is_tool_name("9lives") && !is_tool_name("search-wiki") && !is_tool_name(""));
/// ```
pub fn is_tool_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
