//! The messages of a conversation (`messages`): the user's, the system's, the model's
//! (assistant) and the tools' answers, in Cohere's shapes (`UserMessageV2`,
//! `SystemMessageV2`, `AssistantMessageV2`, `ToolMessageV2`).
//!
//! Each message type carries its role, so that one serialised alone is a whole message
//! (`{"role": "tool", ...}`), as it is inside [`Message`].

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::response::Citation;
use super::tool::ToolCall;

/// Declares a one-value role: serialised as its name, and the only value its message accepts.
macro_rules! role {
    ($(#[$meta:meta])* $name:ident = $wire:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schemars", derive(JsonSchema))]
        pub enum $name {
            #[doc = concat!("`", $wire, "`")]
            #[default]
            #[serde(rename = $wire)]
            Role,
        }
    };
}

role!(
    /// `"user"`, the role of a [`UserMessage`].
    UserRole = "user"
);
role!(
    /// `"system"`, the role of a [`SystemMessage`].
    SystemRole = "system"
);
role!(
    /// `"assistant"`, the role of an [`AssistantMessage`].
    AssistantRole = "assistant"
);
role!(
    /// `"tool"`, the role of a [`ToolMessage`].
    ToolRole = "tool"
);

/// One message of a conversation.
///
/// ```
/// use cohere_connectors::chat::{Message, ToolContent};
///
/// let messages = [
///     Message::system("Answer in one sentence."),
///     Message::user("Who wrote the tea policy?"),
/// ];
/// let json = serde_json::to_value(&messages)?;
/// assert_eq!(json[1], serde_json::json!({"role": "user", "content": "Who wrote the tea policy?"}));
/// let back: Vec<Message> = serde_json::from_value(json)?;
/// assert_eq!(back, messages);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(tag = "role", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Message {
    /// The user's turn.
    User(UserMessage),
    /// The model's turn: its answer, or its tool plan and tool calls.
    Assistant(AssistantMessage),
    /// Instructions for the model.
    System(SystemMessage),
    /// A tool's answer to one tool call.
    Tool(ToolMessage),
}

impl Message {
    /// A user message of `text`.
    pub fn user(text: impl Into<String>) -> Self {
        Self::User(UserMessage::new(text))
    }

    /// A system message of `text`.
    pub fn system(text: impl Into<String>) -> Self {
        Self::System(SystemMessage::new(text))
    }

    /// An assistant message whose content is `text` (an earlier answer of the model).
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::Assistant(AssistantMessage::text(text))
    }

    /// A tool message answering the call `tool_call_id` with `content`.
    pub fn tool(tool_call_id: impl Into<String>, content: Vec<ToolContent>) -> Self {
        Self::Tool(ToolMessage::new(tool_call_id, content))
    }
}

impl Serialize for Message {
    /// As the message inside, which carries its role.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::User(message) => message.serialize(serializer),
            Self::Assistant(message) => message.serialize(serializer),
            Self::System(message) => message.serialize(serializer),
            Self::Tool(message) => message.serialize(serializer),
        }
    }
}

impl From<UserMessage> for Message {
    fn from(message: UserMessage) -> Self {
        Self::User(message)
    }
}

impl From<AssistantMessage> for Message {
    fn from(message: AssistantMessage) -> Self {
        Self::Assistant(message)
    }
}

impl From<SystemMessage> for Message {
    fn from(message: SystemMessage) -> Self {
        Self::System(message)
    }
}

impl From<ToolMessage> for Message {
    fn from(message: ToolMessage) -> Self {
        Self::Tool(message)
    }
}

/// The user's turn (`UserMessageV2`), as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct UserMessage {
    /// Always `user`.
    #[serde(default)]
    pub role: UserRole,
    /// What the user said.
    pub content: String,
}

impl UserMessage {
    /// A user message of `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            role: UserRole::Role,
            content: text.into(),
        }
    }
}

/// Instructions for the model (`SystemMessageV2`), as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct SystemMessage {
    /// Always `system`.
    #[serde(default)]
    pub role: SystemRole,
    /// The instructions.
    pub content: String,
}

impl SystemMessage {
    /// A system message of `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            role: SystemRole::Role,
            content: text.into(),
        }
    }
}

/// The model's turn: the message of a [`ChatResponse`](super::ChatResponse), and an
/// assistant message of a request (`AssistantMessageV2`), which replays one. A tool-call turn
/// has a `tool_plan` and `tool_calls`; an answer has `content` and `citations`.
///
/// Empty lists are left out of the JSON, and a missing list reads as empty: a response
/// without `citations` and one with `"citations": []` are the same message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct AssistantMessage {
    /// Always `assistant`.
    #[serde(default)]
    pub role: AssistantRole,
    /// The model's plan before calling tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_plan: Option<String>,
    /// The tools the model calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// The answer: text, and the model's reasoning where it shows it (`thinking`). A request
    /// may give it as a string: it reads as one text block.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "blocks_or_text"
    )]
    pub content: Vec<ContentBlock>,
    /// Where the answer's statements come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

impl AssistantMessage {
    /// An assistant message whose content is `text`.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            content: vec![ContentBlock::text(text)],
            ..Self::default()
        }
    }

    /// A tool-call turn: the model's `tool_plan` and the `tool_calls` it made, as a
    /// response gave them (to replay one kept elsewhere; a response's own message is
    /// [`ChatResponse::into_message`](super::ChatResponse::into_message)).
    ///
    /// ```
    /// use cohere_connectors::chat::{AssistantMessage, ToolCall};
    /// use serde_json::json;
    ///
    /// let call = ToolCall::new("search_wiki_1", "search_wiki", &json!({"query": "tea"}));
    /// let turn = AssistantMessage::tool_turn("I will search the wiki.", vec![call]);
    /// assert_eq!(
    ///     serde_json::to_value(&turn)?,
    ///     json!({"role": "assistant", "tool_plan": "I will search the wiki.", "tool_calls": [
    ///         {"id": "search_wiki_1", "type": "function",
    ///          "function": {"name": "search_wiki", "arguments": "{\"query\":\"tea\"}"}}
    ///     ]}),
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn tool_turn(tool_plan: impl Into<String>, tool_calls: Vec<ToolCall>) -> Self {
        Self {
            tool_plan: Some(tool_plan.into()),
            tool_calls,
            ..Self::default()
        }
    }

    /// The text of the message: its text blocks, joined (thinking left out).
    pub fn text_content(&self) -> String {
        self.content
            .iter()
            .filter_map(ContentBlock::as_text)
            .collect()
    }
}

/// `content` as blocks, or as a string (one text block).
fn blocks_or_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ContentBlock>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Content {
        Text(String),
        Blocks(Vec<ContentBlock>),
    }
    Ok(match Content::deserialize(deserializer)? {
        Content::Text(text) => vec![ContentBlock::text(text)],
        Content::Blocks(blocks) => blocks,
    })
}

/// One block of an assistant message's content (`ChatTextContent`, `ChatThinkingContent`).
/// A block of a type this version does not know is kept whole, as JSON.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub enum ContentBlock {
    /// `{"type": "text", "text": ...}`
    Text {
        /// The text.
        text: String,
    },
    /// `{"type": "thinking", "thinking": ...}`: the model's reasoning.
    Thinking {
        /// The reasoning.
        thinking: String,
    },
    /// A block of another type, with all its fields (`type` included).
    Unknown(Map<String, Value>),
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into() }
    }

    /// The text, for a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text { text } => Some(text),
            _ => None,
        }
    }

    /// The block's `type`.
    pub fn kind(&self) -> &str {
        match self {
            Self::Text { .. } => "text",
            Self::Thinking { .. } => "thinking",
            Self::Unknown(fields) => fields.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

impl Serialize for ContentBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Self::Text { text } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("type", "text")?;
                map.serialize_entry("text", text)?;
                map.end()
            }
            Self::Thinking { thinking } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("type", "thinking")?;
                map.serialize_entry("thinking", thinking)?;
                map.end()
            }
            Self::Unknown(fields) => fields.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    /// Field by field: a known block costs its strings and nothing more; fields a known
    /// block does not have are skipped.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Block;

        impl<'de> Visitor<'de> for Block {
            type Value = ContentBlock;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a content block (an object with a type)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContentBlock, A::Error> {
                let mut kind: Option<String> = None;
                let mut fields: Vec<(String, Value)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "type" {
                        kind = Some(map.next_value()?);
                    } else {
                        fields.push((key, map.next_value()?));
                    }
                }
                let Some(kind) = kind else {
                    return Err(de::Error::missing_field("type"));
                };
                let mut string_field = |name: &'static str| {
                    let at = fields.iter().position(|(key, _)| key == name);
                    match at.map(|at| fields.swap_remove(at).1) {
                        Some(Value::String(text)) => Ok(text),
                        Some(_) => Err(de::Error::invalid_type(
                            de::Unexpected::Other("a value that is not a string"),
                            &"a string",
                        )),
                        None => Err(de::Error::missing_field(name)),
                    }
                };
                match kind.as_str() {
                    "text" => Ok(ContentBlock::Text {
                        text: string_field("text")?,
                    }),
                    "thinking" => Ok(ContentBlock::Thinking {
                        thinking: string_field("thinking")?,
                    }),
                    _ => {
                        let mut all = Map::new();
                        all.insert("type".to_owned(), Value::String(kind));
                        all.extend(fields);
                        Ok(ContentBlock::Unknown(all))
                    }
                }
            }
        }

        deserializer.deserialize_map(Block)
    }
}

/// A tool's answer to one call (`ToolMessageV2`), for the next request's `messages`.
///
/// ```
/// use cohere_connectors::chat::{ToolContent, ToolDocument, ToolMessage};
/// use serde_json::json;
///
/// let data = json!({"title": "Tea policy", "text": "Green tea on Fridays."});
/// let answer = ToolMessage::new(
///     "search_wiki_1",
///     vec![ToolContent::document(ToolDocument::new(data).with_id("wiki:tea"))],
/// );
/// assert_eq!(serde_json::to_value(&answer)?["role"], "tool");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ToolMessage {
    /// Always `tool`.
    #[serde(default)]
    pub role: ToolRole,
    /// The id of the call answered.
    pub tool_call_id: String,
    /// The output: documents the model can cite, or text.
    #[serde(deserialize_with = "tool_content_or_text")]
    pub content: Vec<ToolContent>,
}

impl ToolMessage {
    /// An answer to `tool_call_id` with `content`.
    pub fn new(tool_call_id: impl Into<String>, content: Vec<ToolContent>) -> Self {
        Self {
            role: ToolRole::Role,
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

/// A tool message's `content` as blocks, or as a string (one text block).
fn tool_content_or_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ToolContent>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Content {
        Text(String),
        Blocks(Vec<ToolContent>),
    }
    Ok(match Content::deserialize(deserializer)? {
        Content::Text(text) => vec![ToolContent::Text { text }],
        Content::Blocks(blocks) => blocks,
    })
}

/// One block of a [`ToolMessage`] (`ToolContent`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
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

impl ToolContent {
    /// A document block.
    pub fn document(document: ToolDocument) -> Self {
        Self::Document { document }
    }

    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into() }
    }
}

/// A document (`Document`): its fields, and the id citations refer to. In a tool message's
/// [`ToolContent::Document`], and in a request's `documents`
/// ([`Document::Fields`](super::Document::Fields)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[non_exhaustive]
pub struct ToolDocument {
    /// The fields the model sees.
    pub data: Map<String, Value>,
    /// The id citations refer to (Cohere gives one when it is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl ToolDocument {
    /// A document of the fields of `data`: a JSON object (anything else is one field, `text`,
    /// holding it as JSON text).
    pub fn new(data: Value) -> Self {
        let data = match data {
            Value::Object(fields) => fields,
            Value::String(text) => Map::from_iter([("text".to_owned(), Value::String(text))]),
            other => Map::from_iter([("text".to_owned(), Value::String(other.to_string()))]),
        };
        Self { data, id: None }
    }

    /// The same document with the id citations will name.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}
