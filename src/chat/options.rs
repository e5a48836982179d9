//! The request's settings that take one of a few values: citation mode, tool choice, safety
//! mode, response format. Closed enums: what the client sends, a typo should not compile.

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How the model cites (`citation_options.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum CitationMode {
    /// Citations on (the default of the newer models).
    Enabled,
    /// Citations off.
    Disabled,
    /// Faster, less precise citations (older models).
    Fast,
    /// More precise citations (older models).
    Accurate,
    /// Citations off (older models' name for it).
    Off,
}

/// Whether the model must call a tool (`tool_choice`). Without it, the model decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model must call at least one tool.
    Required,
    /// The model must not call tools: it answers.
    None,
}

/// The safety instruction added to the prompt (`safety_mode`; Cohere's default is
/// `CONTEXTUAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SafetyMode {
    /// Cohere's default.
    Contextual,
    /// Stricter guardrails.
    Strict,
    /// No safety instruction.
    Off,
}

/// The form of the answer (`response_format`).
///
/// ```
/// use cohere_connectors::chat::ResponseFormat;
/// use serde_json::json;
///
/// let format = ResponseFormat::json_schema(json!({"type": "object", "properties": {"city": {"type": "string"}}}));
/// assert_eq!(serde_json::to_value(&format)?["type"], "json_object");
/// assert_eq!(serde_json::to_value(ResponseFormat::Text)?, json!({"type": "text"}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseFormat {
    /// Text (the default).
    Text,
    /// A JSON object, following `json_schema` when one is given.
    JsonObject {
        /// The JSON Schema the answer follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json_schema: Option<Value>,
    },
}

impl ResponseFormat {
    /// Any JSON object.
    pub fn json() -> Self {
        Self::JsonObject { json_schema: None }
    }

    /// A JSON object following `schema`.
    pub fn json_schema(schema: Value) -> Self {
        Self::JsonObject {
            json_schema: Some(schema),
        }
    }
}
