//! The events of a streamed chat (`StreamedChatResponseV2`), flattened out of Cohere's
//! `delta.message` nesting, and how one event's JSON becomes one [`ChatEvent`].

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::message::ContentBlock;
use super::response::{Citation, FinishReason, Usage};
use super::tool::ToolCall;

/// One event of a streamed chat, in the order Cohere sends them: `message-start`; the tool
/// plan's deltas and each tool call's start, argument deltas and end; each content block's
/// start, deltas and end, with the citations of its text as they complete; `message-end`.
///
/// An event of a type this version does not know is [`ChatEvent::Other`], not an error.
/// [`ChatAssembler`](super::ChatAssembler) turns the events back into the
/// [`ChatResponse`](super::ChatResponse) the same request without `stream` answers.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// `message-start`: the response's id.
    MessageStart {
        /// The response's id.
        id: String,
    },
    /// `content-start`: a content block begins, with its type (and any text it starts with).
    ContentStart {
        /// The block's index in the message's content.
        index: u64,
        /// The block as it starts.
        block: ContentBlock,
    },
    /// `content-delta`: text (or reasoning) to append to the block `index`.
    ContentDelta {
        /// The block's index.
        index: u64,
        /// What to append: a [`ContentBlock::Text`] or a [`ContentBlock::Thinking`].
        delta: ContentBlock,
    },
    /// `content-end`: the block `index` is complete.
    ContentEnd {
        /// The block's index.
        index: u64,
    },
    /// `tool-plan-delta`: text to append to the tool plan.
    ToolPlanDelta {
        /// The text.
        text: String,
    },
    /// `tool-call-start`: a tool call begins (its id and name; its arguments follow).
    ToolCallStart {
        /// The call's index among the message's tool calls.
        index: u64,
        /// The call as it starts.
        call: ToolCall,
    },
    /// `tool-call-delta`: text to append to the arguments of the call `index`.
    ToolCallDelta {
        /// The call's index.
        index: u64,
        /// The arguments' next piece of JSON text.
        arguments: String,
    },
    /// `tool-call-end`: the call `index` is complete.
    ToolCallEnd {
        /// The call's index.
        index: u64,
    },
    /// `citation-start`: a citation, whole.
    CitationStart {
        /// The citation's index, as the server numbers them.
        index: u64,
        /// The citation.
        citation: Citation,
    },
    /// `citation-end`: the citation `index` is complete.
    CitationEnd {
        /// The citation's index.
        index: u64,
    },
    /// `message-end`: why the model stopped, and what the call cost.
    MessageEnd {
        /// Why the model stopped.
        finish_reason: FinishReason,
        /// What the call cost.
        usage: Option<Usage>,
        /// What went wrong, when generation failed: the server's text, escaped (control
        /// characters and bidi overrides shown as `\u{..}`) and without the client's key.
        error: Option<String>,
    },
    /// `debug`: the prompt the model saw (on request).
    Debug {
        /// The prompt.
        prompt: Option<String>,
    },
    /// An event of a type this version does not know, with all its fields.
    Other {
        /// Its `type`.
        kind: String,
        /// Its fields (`type` included).
        data: Map<String, Value>,
    },
}

impl ChatEvent {
    /// The event's `type`, as Cohere writes it (`content-delta`).
    pub fn kind(&self) -> &str {
        match self {
            Self::MessageStart { .. } => "message-start",
            Self::ContentStart { .. } => "content-start",
            Self::ContentDelta { .. } => "content-delta",
            Self::ContentEnd { .. } => "content-end",
            Self::ToolPlanDelta { .. } => "tool-plan-delta",
            Self::ToolCallStart { .. } => "tool-call-start",
            Self::ToolCallDelta { .. } => "tool-call-delta",
            Self::ToolCallEnd { .. } => "tool-call-end",
            Self::CitationStart { .. } => "citation-start",
            Self::CitationEnd { .. } => "citation-end",
            Self::MessageEnd { .. } => "message-end",
            Self::Debug { .. } => "debug",
            Self::Other { kind, .. } => kind,
        }
    }

    /// The text this event adds to the answer (a text delta's), if any: what a program that
    /// prints an answer as it comes wants.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::ContentDelta {
                delta: ContentBlock::Text { text },
                ..
            } => Some(text),
            _ => None,
        }
    }

    /// Decodes one event from its JSON text (an SSE `data` line): by its `type`, into the
    /// event's own fields. The error is serde's description (which may quote the JSON).
    pub(crate) fn decode(data: &str) -> serde_json::Result<Self> {
        let Kind { kind } = serde_json::from_str(data)?;
        let event = match kind.as_ref() {
            "message-start" => {
                let wire: wire::MessageStart = serde_json::from_str(data)?;
                Self::MessageStart { id: wire.id }
            }
            "content-start" => {
                let wire: wire::Indexed<wire::Content<wire::StartContent>> =
                    serde_json::from_str(data)?;
                Self::ContentStart {
                    index: wire.index,
                    block: wire.delta.message.content.into_block(),
                }
            }
            "content-delta" => {
                let wire: wire::Indexed<wire::Content<wire::DeltaContent>> =
                    serde_json::from_str(data)?;
                Self::ContentDelta {
                    index: wire.index,
                    delta: wire.delta.message.content.into_block(),
                }
            }
            "content-end" => Self::ContentEnd {
                index: serde_json::from_str::<wire::Index>(data)?.index,
            },
            "tool-plan-delta" => {
                let wire: wire::PlanDelta = serde_json::from_str(data)?;
                Self::ToolPlanDelta {
                    text: wire.delta.message.tool_plan,
                }
            }
            "tool-call-start" => {
                let wire: wire::Indexed<wire::Calls<ToolCall>> = serde_json::from_str(data)?;
                Self::ToolCallStart {
                    index: wire.index,
                    call: wire.delta.message.tool_calls,
                }
            }
            "tool-call-delta" => {
                let wire: wire::Indexed<wire::Calls<wire::ArgumentsDelta>> =
                    serde_json::from_str(data)?;
                Self::ToolCallDelta {
                    index: wire.index,
                    arguments: wire.delta.message.tool_calls.function.arguments,
                }
            }
            "tool-call-end" => Self::ToolCallEnd {
                index: serde_json::from_str::<wire::Index>(data)?.index,
            },
            "citation-start" => {
                let wire: wire::Indexed<wire::Citations> = serde_json::from_str(data)?;
                Self::CitationStart {
                    index: wire.index,
                    citation: wire.delta.message.citations,
                }
            }
            "citation-end" => Self::CitationEnd {
                index: serde_json::from_str::<wire::Index>(data)?.index,
            },
            "message-end" => {
                let wire: wire::MessageEnd = serde_json::from_str(data)?;
                Self::MessageEnd {
                    finish_reason: wire.delta.finish_reason,
                    usage: wire.delta.usage,
                    // The server's words about its failure: escaped, as every error text
                    // (the data was scrubbed of the key before it was decoded).
                    error: wire
                        .delta
                        .error
                        .map(|error| crate::core::text::escape(&error).into_owned()),
                }
            }
            "debug" => Self::Debug {
                prompt: serde_json::from_str::<wire::Debug>(data)?.prompt,
            },
            other => Self::Other {
                kind: other.to_owned(),
                data: serde_json::from_str(data)?,
            },
        };
        Ok(event)
    }
}

/// An event's `type`, read without decoding the rest.
#[derive(Deserialize)]
struct Kind<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

/// Cohere's nesting of each event, as it is on the wire; only what the events keep.
mod wire {
    use serde::Deserialize;

    use super::super::message::ContentBlock;
    use super::super::response::{Citation, FinishReason, Usage};

    #[derive(Deserialize)]
    pub(super) struct MessageStart {
        pub id: String,
    }

    #[derive(Deserialize)]
    pub(super) struct Index {
        pub index: u64,
    }

    #[derive(Deserialize)]
    pub(super) struct Indexed<T> {
        pub index: u64,
        pub delta: Delta<T>,
    }

    #[derive(Deserialize)]
    pub(super) struct Delta<T> {
        pub message: T,
    }

    #[derive(Deserialize)]
    pub(super) struct Content<T> {
        pub content: T,
    }

    /// A block as `content-start` gives it: its type, and any text it starts with.
    #[derive(Deserialize)]
    pub(super) struct StartContent {
        #[serde(rename = "type")]
        pub kind: String,
        #[serde(default)]
        pub text: Option<String>,
        #[serde(default)]
        pub thinking: Option<String>,
    }

    impl StartContent {
        pub fn into_block(self) -> ContentBlock {
            match self.kind.as_str() {
                "text" => ContentBlock::Text {
                    text: self.text.unwrap_or_default(),
                },
                "thinking" => ContentBlock::Thinking {
                    thinking: self.thinking.unwrap_or_default(),
                },
                _ => ContentBlock::Unknown(serde_json::Map::from_iter([(
                    "type".to_owned(),
                    serde_json::Value::String(self.kind),
                )])),
            }
        }
    }

    /// What `content-delta` appends: reasoning when it says `thinking`, text otherwise.
    #[derive(Deserialize)]
    pub(super) struct DeltaContent {
        #[serde(default)]
        pub text: Option<String>,
        #[serde(default)]
        pub thinking: Option<String>,
    }

    impl DeltaContent {
        pub fn into_block(self) -> ContentBlock {
            match self.thinking {
                Some(thinking) => ContentBlock::Thinking { thinking },
                None => ContentBlock::Text {
                    text: self.text.unwrap_or_default(),
                },
            }
        }
    }

    #[derive(Deserialize)]
    pub(super) struct PlanDelta {
        pub delta: Delta<Plan>,
    }

    #[derive(Deserialize)]
    pub(super) struct Plan {
        pub tool_plan: String,
    }

    #[derive(Deserialize)]
    pub(super) struct Calls<T> {
        pub tool_calls: T,
    }

    #[derive(Deserialize)]
    pub(super) struct ArgumentsDelta {
        pub function: Arguments,
    }

    #[derive(Deserialize)]
    pub(super) struct Arguments {
        pub arguments: String,
    }

    #[derive(Deserialize)]
    pub(super) struct Citations {
        pub citations: Citation,
    }

    #[derive(Deserialize)]
    pub(super) struct MessageEnd {
        pub delta: End,
    }

    #[derive(Deserialize)]
    pub(super) struct End {
        pub finish_reason: FinishReason,
        #[serde(default)]
        pub usage: Option<Usage>,
        #[serde(default)]
        pub error: Option<String>,
    }

    #[derive(Deserialize)]
    pub(super) struct Debug {
        #[serde(default)]
        pub prompt: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_decode_from_cohere_s_nesting() {
        let start = ChatEvent::decode(
            r#"{"id":"r-1","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}"#,
        )
        .unwrap();
        assert_eq!(start, ChatEvent::MessageStart { id: "r-1".into() });
        let delta = ChatEvent::decode(
            r#"{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hi"}}},"logprobs":null}"#,
        )
        .unwrap();
        assert_eq!(delta.text(), Some("Hi"));
        let arguments = ChatEvent::decode(
            r#"{"type":"tool-call-delta","index":1,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\"q\""}}}}}"#,
        )
        .unwrap();
        assert_eq!(
            arguments,
            ChatEvent::ToolCallDelta {
                index: 1,
                arguments: "{\"q\"".into()
            }
        );
        let end = ChatEvent::decode(
            r#"{"type":"message-end","delta":{"finish_reason":"SOMETHING_NEW","usage":{"tokens":{"input_tokens":3.0,"output_tokens":2}}}}"#,
        )
        .unwrap();
        let ChatEvent::MessageEnd {
            finish_reason,
            usage,
            ..
        } = end
        else {
            panic!("{end:?}");
        };
        assert_eq!(finish_reason, FinishReason::Unknown("SOMETHING_NEW".into()));
        assert_eq!(usage.unwrap().tokens.unwrap().input_tokens, Some(3));
    }

    #[test]
    fn unknown_types_are_kept_and_malformed_events_refused() {
        let other = ChatEvent::decode(r#"{"type":"search-results","n":3}"#).unwrap();
        assert_eq!(other.kind(), "search-results");
        for bad in [
            r#"{"index":0}"#,
            r#"{"type":"content-delta","index":-1,"delta":{"message":{"content":{"text":"x"}}}}"#,
            r#"{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":{}}}}}}"#,
            "[DONE]",
            "",
        ] {
            assert!(ChatEvent::decode(bad).is_err(), "{bad}");
        }
    }
}
