//! A response as Cohere streams it: its events, and their server-sent-events framing.
//!
//! Each event is one frame, `event: <type>\ndata: <the event as one line of JSON>\n\n`, and
//! the stream ends with `data: [DONE]\n\n` after `message-end` (the framing of the examples
//! in Cohere's API reference; Cohere's Python SDK 5 stops at the `[DONE]` data, its
//! TypeScript SDK reads each `data:` line as one JSON text). The events assemble into the
//! response they came from: the `content-delta` texts into the text, the `tool-plan-delta`s
//! into the plan, each call's `tool-call-delta` arguments after its `tool-call-start`, the
//! citations in the order of their `citation-start`, the finish reason and usage from
//! `message-end`. A citation's events come right after the delta that completes its text.

use std::io;
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use futures_util::stream;
use serde::Serialize;

use super::super::faults::{MAX_OVERSIZED_EVENT_BYTES, StreamFault};
use super::script::tokens;
use super::wire::{
    Assistant, ChatResponse, Citation, FinishReason, TextContent, TextType, ToolCall, Usage,
};

/// What follows `message-end`.
const DONE: &[u8] = b"data: [DONE]\n\n";
/// How long a stream to be reset waits after its last event, for the events to reach the
/// client before the connection closes.
const RESET_DELAY: Duration = Duration::from_millis(50);
/// The text of each delta of an endless stream.
const ENDLESS_TEXT: &str = " again";

/// One event of a stream (`StreamedChatResponseV2`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(crate) enum Event {
    MessageStart {
        id: String,
        delta: Delta<Role>,
    },
    ContentStart {
        index: usize,
        delta: Delta<Content<TextContent>>,
    },
    ContentDelta {
        index: usize,
        delta: Delta<Content<Text>>,
    },
    ContentEnd {
        index: usize,
    },
    ToolPlanDelta {
        delta: Delta<Plan>,
    },
    ToolCallStart {
        index: usize,
        delta: Delta<Calls<ToolCall>>,
    },
    ToolCallDelta {
        index: usize,
        delta: Delta<Calls<ArgumentsDelta>>,
    },
    ToolCallEnd {
        index: usize,
    },
    CitationStart {
        index: usize,
        delta: Delta<Citations>,
    },
    CitationEnd {
        index: usize,
    },
    MessageEnd {
        delta: End,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Delta<T> {
    message: T,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Role {
    role: Assistant,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Content<T> {
    content: T,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Text {
    text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Plan {
    tool_plan: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Calls<T> {
    tool_calls: T,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct ArgumentsDelta {
    function: Arguments,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Arguments {
    arguments: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Citations {
    citations: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct End {
    finish_reason: FinishReason,
    usage: Usage,
}

fn delta<T>(message: T) -> Delta<T> {
    Delta { message }
}

impl Event {
    fn name(&self) -> &'static str {
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
        }
    }

    /// The event's frame: its type, and its JSON on one line (serde_json escapes every
    /// newline inside a string).
    fn frame(&self) -> Bytes {
        let data = serde_json::to_string(self).unwrap_or_default();
        Bytes::from(format!("event: {}\ndata: {data}\n\n", self.name()))
    }

    /// The text a delta carries, to pad.
    fn delta_text(&mut self) -> Option<&mut String> {
        match self {
            Self::ContentDelta { delta, .. } => Some(&mut delta.message.content.text),
            Self::ToolPlanDelta { delta } => Some(&mut delta.message.tool_plan),
            _ => None,
        }
    }
}

/// The events of `response`, in Cohere's order.
pub(crate) fn events(response: &ChatResponse) -> Vec<Event> {
    let message = &response.message;
    let mut events = vec![opening(response)];
    if let Some(plan) = &message.tool_plan {
        events.extend(tokens(plan).map(|token| Event::ToolPlanDelta {
            delta: delta(Plan {
                tool_plan: token.to_owned(),
            }),
        }));
    }
    for (index, call) in message.tool_calls.iter().flatten().enumerate() {
        let mut start = call.clone();
        start.function.arguments = String::new();
        events.push(Event::ToolCallStart {
            index,
            delta: delta(Calls { tool_calls: start }),
        });
        events.extend(
            tokens(&call.function.arguments).map(|token| Event::ToolCallDelta {
                index,
                delta: delta(Calls {
                    tool_calls: ArgumentsDelta {
                        function: Arguments {
                            arguments: token.to_owned(),
                        },
                    },
                }),
            }),
        );
        events.push(Event::ToolCallEnd { index });
    }
    let citations = message.citations.as_deref().unwrap_or_default();
    for (index, content) in message.content.iter().flatten().enumerate() {
        events.push(content_start(index));
        let mut written = 0;
        let mut cited = citations.iter().enumerate().peekable();
        for token in tokens(&content.text) {
            written += token.chars().count();
            events.push(content_delta(index, token.to_owned()));
            while let Some((number, citation)) = cited.next_if(|(_, c)| c.end <= written) {
                events.push(Event::CitationStart {
                    index: number,
                    delta: delta(Citations {
                        citations: citation.clone(),
                    }),
                });
                events.push(Event::CitationEnd { index: number });
            }
        }
        events.push(Event::ContentEnd { index });
    }
    events.push(Event::MessageEnd {
        delta: End {
            finish_reason: response.finish_reason,
            usage: response.usage,
        },
    });
    events
}

fn opening(response: &ChatResponse) -> Event {
    Event::MessageStart {
        id: response.id.clone(),
        delta: delta(Role {
            role: Assistant::Assistant,
        }),
    }
}

fn content_start(index: usize) -> Event {
    Event::ContentStart {
        index,
        delta: delta(Content {
            content: TextContent {
                kind: TextType::Text,
                text: String::new(),
            },
        }),
    }
}

fn content_delta(index: usize, text: String) -> Event {
    Event::ContentDelta {
        index,
        delta: delta(Content {
            content: Text { text },
        }),
    }
}

type Frame = Result<Bytes, io::Error>;

/// The body of a streamed response, gone wrong as `fault` says.
pub(crate) fn body(response: &ChatResponse, fault: Option<StreamFault>) -> Body {
    let mut events = events(response);
    // Every cut keeps `message-end` (the last event) and `[DONE]` out.
    let before_end = |after_events: usize| after_events.min(events.len() - 1);
    match fault {
        None => Body::from_stream(frames(&events, true)),
        Some(StreamFault::Cut { after_events }) => {
            let kept = before_end(after_events);
            Body::from_stream(frames(&events[..kept], false))
        }
        Some(StreamFault::Reset { after_events }) => {
            let kept = before_end(after_events);
            // The events go out first (hyper flushes while the body waits), then the body
            // fails, which makes hyper close the connection in the middle of it.
            let reset = stream::once(async {
                tokio::time::sleep(RESET_DELAY).await;
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "stream reset by a fault",
                ))
            });
            Body::from_stream(frames(&events[..kept], false).chain(reset))
        }
        Some(StreamFault::Stall { after_events }) => {
            let kept = before_end(after_events);
            Body::from_stream(frames(&events[..kept], false).chain(stream::pending()))
        }
        Some(StreamFault::Endless) => {
            let opening = [opening(response), content_start(0)];
            let again = content_delta(0, ENDLESS_TEXT.to_owned()).frame();
            let forever = stream::repeat_with(move || Ok(again.clone()));
            Body::from_stream(frames(&opening, false).chain(forever))
        }
        Some(StreamFault::Oversized { bytes }) => {
            pad_first_delta(&mut events, bytes.min(MAX_OVERSIZED_EVENT_BYTES));
            Body::from_stream(frames(&events, true))
        }
    }
}

fn frames(events: &[Event], done: bool) -> impl futures_util::Stream<Item = Frame> + use<> {
    let mut frames: Vec<Frame> = events.iter().map(|event| Ok(event.frame())).collect();
    if done {
        frames.push(Ok(Bytes::from_static(DONE)));
    }
    stream::iter(frames)
}

/// Pads the text of the first delta with spaces (one byte each in JSON) until its frame's
/// `data` line is at least `bytes` long.
fn pad_first_delta(events: &mut [Event], bytes: usize) {
    let Some(event) = events.iter_mut().find(|event| {
        matches!(
            event,
            Event::ContentDelta { .. } | Event::ToolPlanDelta { .. }
        )
    }) else {
        return;
    };
    let size = serde_json::to_string(event).map_or(0, |data| data.len());
    if let Some(text) = event.delta_text() {
        text.push_str(&" ".repeat(bytes.saturating_sub(size)));
    }
}
