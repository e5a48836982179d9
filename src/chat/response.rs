//! What a chat answers (`ChatResponseV2`): the model's message, why it stopped, what it cost,
//! and the citations that tie its text to the documents it was given.

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::message::AssistantMessage;
use super::tool::ToolCall;
use crate::api::types::open_enum;

/// A chat's answer.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
/// # let client = emulator.client()?;
/// use cohere_connectors::chat::FinishReason;
///
/// let response = client
///     .chat("command-a-plus-05-2026")
///     .user("What is served on Fridays?")
///     .document("Green tea is served on Fridays.")
///     .await?;
/// assert_eq!(response.finish_reason, FinishReason::Complete);
/// for citation in &response.message.citations {
///     println!("{:?} cites {:?}", citation.text, citation.sources[0].id());
/// }
/// assert!(response.text().contains("Green tea"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ChatResponse {
    /// The response's id (a UUID).
    pub id: String,
    /// Why the model stopped: it answered, it calls tools, it ran out of tokens...
    pub finish_reason: FinishReason,
    /// The model's message: text and citations, or a tool plan and tool calls.
    pub message: AssistantMessage,
    /// What the call cost, when the API says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

impl ChatResponse {
    /// The text of the answer: the message's text blocks, joined.
    pub fn text(&self) -> String {
        self.message.text_content()
    }

    /// The tools the model calls (empty unless [`FinishReason::ToolCall`]).
    pub fn tool_calls(&self) -> &[ToolCall] {
        &self.message.tool_calls
    }

    /// The message, to replay as the assistant's turn in the next request (its tool plan and
    /// tool calls, or its content and citations, exactly as they came).
    pub fn into_message(self) -> AssistantMessage {
        self.message
    }
}

open_enum! {
    /// Why the model stopped (`ChatFinishReason`). A value the API adds later is kept as
    /// `Unknown`.
    ///
    /// ```
    /// use cohere_connectors::chat::FinishReason;
    ///
    /// assert_eq!(FinishReason::from("TOOL_CALL"), FinishReason::ToolCall);
    /// assert_eq!(FinishReason::from("NEW"), FinishReason::Unknown("NEW".into()));
    /// ```
    pub enum FinishReason {
        /// The model finished its answer.
        Complete = "COMPLETE",
        /// It wrote one of the request's stop sequences.
        StopSequence = "STOP_SEQUENCE",
        /// It reached `max_tokens` (or the model's context).
        MaxTokens = "MAX_TOKENS",
        /// It calls tools: run them and answer each call.
        ToolCall = "TOOL_CALL",
        /// Generation failed.
        Error = "ERROR",
        /// Generation took too long.
        Timeout = "TIMEOUT",
    }
}

open_enum! {
    /// What a citation points into (`CitationType`).
    pub enum CitationKind {
        /// The answer's text.
        TextContent = "TEXT_CONTENT",
        /// The model's reasoning.
        ThinkingContent = "THINKING_CONTENT",
        /// The tool plan.
        Plan = "PLAN",
    }
}

/// A span of the answer and the sources it comes from (`Citation`).
///
/// `start` and `end` count Unicode code points (not bytes) of the content block
/// `content_index`; they are the server's figures, not checked against the text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct Citation {
    /// Where the span starts, in code points.
    pub start: u64,
    /// Where it ends (exclusive), in code points.
    pub end: u64,
    /// The span's text.
    pub text: String,
    /// The documents or tool results it comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Which content block the span is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_index: Option<u64>,
    /// What the span is in: the text, the reasoning or the plan.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CitationKind>,
}

/// Where a citation comes from (`Source`): a document of the request, or a tool's result. A
/// source of a type this version does not know is kept whole, as JSON.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub enum Source {
    /// `{"type": "document", "id", "document"}`: one of the request's `documents`.
    Document {
        /// The document's id (its own, or `doc:<index>`).
        id: Option<String>,
        /// Its fields, as Cohere shows them.
        document: Map<String, Value>,
    },
    /// `{"type": "tool", "id", "tool_output"}`: a tool message's content block.
    Tool {
        /// The document's id, or `<tool_call_id>:<index of the block>`.
        id: Option<String>,
        /// Its fields, as Cohere shows them.
        tool_output: Map<String, Value>,
    },
    /// A source of another type, with all its fields (`type` included).
    Unknown(Map<String, Value>),
}

impl Source {
    /// The source's id, when it has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Document { id, .. } | Self::Tool { id, .. } => id.as_deref(),
            Self::Unknown(fields) => fields.get("id").and_then(Value::as_str),
        }
    }

    /// The source's fields (a document's, or a tool result's).
    pub fn fields(&self) -> Option<&Map<String, Value>> {
        match self {
            Self::Document { document, .. } => Some(document),
            Self::Tool { tool_output, .. } => Some(tool_output),
            Self::Unknown(_) => None,
        }
    }
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (kind, id, field, fields) = match self {
            Self::Document { id, document } => ("document", id, "document", document),
            Self::Tool { id, tool_output } => ("tool", id, "tool_output", tool_output),
            Self::Unknown(fields) => return fields.serialize(serializer),
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", kind)?;
        if let Some(id) = id {
            map.serialize_entry("id", id)?;
        }
        map.serialize_entry(field, fields)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = Source;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a citation source (an object with a type)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Source, A::Error> {
                let mut kind: Option<String> = None;
                let mut id: Option<Value> = None;
                let mut rest: Vec<(String, Value)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "type" => kind = Some(map.next_value()?),
                        "id" => id = Some(map.next_value()?),
                        _ => rest.push((key, map.next_value()?)),
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
                let fields_of = |rest: &mut Vec<(String, Value)>, name: &str| {
                    let at = rest.iter().position(|(key, _)| key == name);
                    match at.map(|at| rest.swap_remove(at).1) {
                        Some(Value::Object(fields)) => Ok(fields),
                        None | Some(Value::Null) => Ok(Map::new()),
                        Some(_) => Err(de::Error::invalid_type(
                            de::Unexpected::Other("a value that is not an object"),
                            &"an object of fields",
                        )),
                    }
                };
                let known_id = match &id {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(id)) => Ok(Some(id.clone())),
                    Some(_) => Err(de::Error::invalid_type(
                        de::Unexpected::Other("an id that is not a string"),
                        &"a string",
                    )),
                };
                match kind.as_str() {
                    "document" => Ok(Source::Document {
                        id: known_id?,
                        document: fields_of(&mut rest, "document")?,
                    }),
                    "tool" => Ok(Source::Tool {
                        id: known_id?,
                        tool_output: fields_of(&mut rest, "tool_output")?,
                    }),
                    _ => {
                        let mut all = Map::new();
                        all.insert("type".to_owned(), Value::String(kind));
                        if let Some(id) = id {
                            all.insert("id".to_owned(), id);
                        }
                        all.extend(rest);
                        Ok(Source::Unknown(all))
                    }
                }
            }
        }

        deserializer.deserialize_map(Fields)
    }
}

/// What a call cost (`Usage`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct Usage {
    /// What is billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_units: Option<BilledUnits>,
    /// The tokens the model read and wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    /// Input tokens read from the cache.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub cached_tokens: Option<u64>,
}

/// The billed units of a call (`UsageBilledUnits`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct BilledUnits {
    /// Input tokens billed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub input_tokens: Option<u64>,
    /// Output tokens billed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub output_tokens: Option<u64>,
    /// Search units billed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub search_units: Option<u64>,
    /// Classifications billed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub classifications: Option<u64>,
}

/// The tokens of a call (`UsageTokens`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct Tokens {
    /// Tokens the model read.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub input_tokens: Option<u64>,
    /// Tokens the model wrote.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub output_tokens: Option<u64>,
}

/// The largest integer a JSON number written as a float holds exactly (2^53).
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// A count the API types as `number`: a whole number, written as an integer (`12`) or as a
/// float without a fraction (`12.0`); `null` is none. A negative number, a fraction or a float
/// too large to be exact is refused rather than rounded.
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    struct Count;

    impl Visitor<'_> for Count {
        type Value = Option<u64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number of at least 0")
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
            Ok(Some(value))
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
            u64::try_from(value)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
            if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_EXACT_FLOAT
            {
                // Exact: a whole number no larger than 2^53.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(Some(value as u64))
            } else {
                Err(E::invalid_value(de::Unexpected::Float(value), &self))
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(Count)
}
