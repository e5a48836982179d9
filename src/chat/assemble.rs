//! Events back into a response: the one definition of how a stream assembles, used by
//! [`ChatStream`](super::ChatStream) and open to callers that keep events of their own.

use super::event::ChatEvent;
use super::message::{AssistantMessage, ContentBlock};
use super::response::{ChatResponse, Citation, FinishReason, Usage};
use super::tool::ToolCallFunction;
use crate::core::error::DecodeError;
use crate::core::text::Redactor;
use crate::{Error, Operation, Result};

/// Turns a stream's events into the [`ChatResponse`] the same request answers without
/// `stream`: the deltas of each content block into its text, the tool plan's deltas into the
/// plan, each call's argument deltas after its start, the citations in the order they come,
/// the id from `message-start` and the finish reason and usage from `message-end`.
///
/// It holds what the response will hold, and no more than `limit` bytes of it (measured as
/// the response's JSON): past that, [`push`](Self::push) fails. Events out of Cohere's order
/// (a delta for a block that never started, a second `message-start`, anything after
/// `message-end`) fail too, naming the event.
///
/// ```
/// use cohere_connectors::chat::{ChatAssembler, ChatEvent, ContentBlock, FinishReason};
///
/// let mut assembler = ChatAssembler::new();
/// for event in [
///     ChatEvent::MessageStart { id: "r-1".into() },
///     ChatEvent::ContentStart { index: 0, block: ContentBlock::text("") },
///     ChatEvent::ContentDelta { index: 0, delta: ContentBlock::text("Hello") },
///     ChatEvent::ContentDelta { index: 0, delta: ContentBlock::text(", world") },
///     ChatEvent::ContentEnd { index: 0 },
///     ChatEvent::MessageEnd { finish_reason: FinishReason::Complete, usage: None, error: None },
/// ] {
///     assembler.push(&event)?;
/// }
/// let response = assembler.finish()?;
/// assert_eq!((response.id.as_str(), response.text()), ("r-1", "Hello, world".to_owned()));
/// # Ok::<(), cohere_connectors::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ChatAssembler {
    id: Option<String>,
    message: AssistantMessage,
    end: Option<(FinishReason, Option<Usage>)>,
    events: u64,
    bytes: usize,
    limit: usize,
    redactor: Redactor,
}

impl Default for ChatAssembler {
    fn default() -> Self {
        Self::new()
    }
}

impl ChatAssembler {
    /// An assembler without a size limit (the events a caller hands it are already in its
    /// memory).
    pub fn new() -> Self {
        Self::with_limit(usize::MAX)
    }

    /// An assembler that holds at most `limit` bytes of response.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            id: None,
            message: AssistantMessage::default(),
            end: None,
            events: 0,
            bytes: 0,
            limit,
            redactor: Redactor::default(),
        }
    }

    /// The same assembler, hiding what `redactor` hides in the response it finishes.
    pub(crate) fn hiding(mut self, redactor: &Redactor) -> Self {
        self.redactor = redactor.clone();
        self
    }

    /// Whether `message-end` has arrived.
    pub fn is_complete(&self) -> bool {
        self.end.is_some()
    }

    /// Adds `event` to the response.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] for an event out of Cohere's order, [`Error::Decode`] when the
    /// response would pass the limit.
    pub fn push(&mut self, event: &ChatEvent) -> Result<()> {
        let number = self.events;
        self.events = self.events.saturating_add(1);
        let first = number == 0;
        match (first, event) {
            (true, ChatEvent::MessageStart { id }) => {
                self.grow(id.len())?;
                self.id = Some(id.clone());
                return Ok(());
            }
            (true, _) => {
                return Err(out_of_order(format!(
                    "the stream starts with {} instead of message-start",
                    event.kind()
                )));
            }
            (false, _) if self.end.is_some() => {
                return Err(out_of_order(format!("{} after message-end", event.kind())));
            }
            _ => {}
        }
        match event {
            ChatEvent::MessageStart { .. } => Err(out_of_order("a second message-start")),
            ChatEvent::ContentStart { index, block } => {
                self.expect_next(*index, self.message.content.len(), "content-start")?;
                self.grow(json_len(block))?;
                self.message.content.push(block.clone());
                Ok(())
            }
            ChatEvent::ContentDelta { index, delta } => self.append_content(*index, delta),
            ChatEvent::ContentEnd { index } => {
                self.expect_known(*index, self.message.content.len(), "content-end")
            }
            ChatEvent::ToolPlanDelta { text } => {
                self.grow(text.len())?;
                self.message
                    .tool_plan
                    .get_or_insert_with(String::new)
                    .push_str(text);
                Ok(())
            }
            ChatEvent::ToolCallStart { index, call } => {
                self.expect_next(*index, self.message.tool_calls.len(), "tool-call-start")?;
                self.grow(json_len(call))?;
                self.message.tool_calls.push(call.clone());
                Ok(())
            }
            ChatEvent::ToolCallDelta { index, arguments } => {
                self.expect_known(*index, self.message.tool_calls.len(), "tool-call-delta")?;
                self.grow(arguments.len())?;
                let call = &mut self.message.tool_calls[as_index(*index)];
                call.function
                    .get_or_insert_with(ToolCallFunction::default)
                    .arguments
                    .get_or_insert_with(String::new)
                    .push_str(arguments);
                Ok(())
            }
            ChatEvent::ToolCallEnd { index } => {
                self.expect_known(*index, self.message.tool_calls.len(), "tool-call-end")
            }
            ChatEvent::CitationStart { citation, .. } => self.add_citation(citation),
            ChatEvent::MessageEnd {
                finish_reason,
                usage,
                ..
            } => {
                self.end = Some((finish_reason.clone(), usage.clone()));
                Ok(())
            }
            ChatEvent::CitationEnd { .. } | ChatEvent::Debug { .. } | ChatEvent::Other { .. } => {
                Ok(())
            }
        }
    }

    /// The response the events made.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] when `message-end` has not arrived.
    pub fn finish(self) -> Result<ChatResponse> {
        let (Some(id), Some((finish_reason, usage))) = (self.id, self.end) else {
            return Err(out_of_order("the stream has not reached message-end"));
        };
        let mut message = self.message;
        scrub_message(&mut message, &self.redactor);
        Ok(ChatResponse {
            id,
            finish_reason,
            message,
            usage,
        })
    }

    fn append_content(&mut self, index: u64, delta: &ContentBlock) -> Result<()> {
        self.expect_known(index, self.message.content.len(), "content-delta")?;
        let added = match delta {
            ContentBlock::Text { text } => text.len(),
            ContentBlock::Thinking { thinking } => thinking.len(),
            ContentBlock::Unknown(_) => 0,
        };
        self.grow(added)?;
        match (&mut self.message.content[as_index(index)], delta) {
            (ContentBlock::Text { text }, ContentBlock::Text { text: more }) => {
                text.push_str(more);
                Ok(())
            }
            (ContentBlock::Thinking { thinking }, ContentBlock::Thinking { thinking: more }) => {
                thinking.push_str(more);
                Ok(())
            }
            (block, _) => Err(out_of_order(format!(
                "a content-delta of type {} for the {} block {index}",
                delta.kind(),
                block.kind()
            ))),
        }
    }

    fn add_citation(&mut self, citation: &Citation) -> Result<()> {
        self.grow(json_len(citation))?;
        self.message.citations.push(citation.clone());
        Ok(())
    }

    /// `index` must be the next one (`count`): blocks and calls start in order.
    fn expect_next(&self, index: u64, count: usize, event: &str) -> Result<()> {
        if u64::try_from(count).is_ok_and(|count| count == index) {
            Ok(())
        } else {
            Err(out_of_order(format!(
                "{event} {index} where {count} was next"
            )))
        }
    }

    /// `index` must be one that started.
    fn expect_known(&self, index: u64, count: usize, event: &str) -> Result<()> {
        if u64::try_from(count).is_ok_and(|count| index < count) {
            Ok(())
        } else {
            Err(out_of_order(format!(
                "{event} {index} for a block or call that never started"
            )))
        }
    }

    fn grow(&mut self, bytes: usize) -> Result<()> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.limit {
            return Err(Error::Decode(DecodeError::new(
                Operation::Chat,
                200,
                &format!(
                    "the streamed response is over {} bytes (max_response_bytes); the stream was not read further",
                    self.limit
                ),
                b"",
                &self.redactor,
            )));
        }
        Ok(())
    }
}

/// An index checked against a list's length (so it fits a `usize`).
fn as_index(index: u64) -> usize {
    usize::try_from(index).unwrap_or(usize::MAX)
}

fn json_len<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(0, |json| json.len())
}

fn out_of_order(message: impl Into<String>) -> Error {
    Error::protocol(Operation::Chat, message)
}

/// The message with what `redactor` hides replaced, in every text it holds: the stream's
/// events are scrubbed one by one, and a secret split across two deltas is only whole here.
pub(crate) fn scrub_message(message: &mut AssistantMessage, redactor: &Redactor) {
    let scrub = |text: &mut String| {
        if let std::borrow::Cow::Owned(clean) = redactor.scrub(text, false) {
            *text = clean;
        }
    };
    for block in &mut message.content {
        match block {
            ContentBlock::Text { text } => scrub(text),
            ContentBlock::Thinking { thinking } => scrub(thinking),
            ContentBlock::Unknown(_) => {}
        }
    }
    if let Some(plan) = &mut message.tool_plan {
        scrub(plan);
    }
    for call in &mut message.tool_calls {
        if let Some(arguments) = call.function.as_mut().and_then(|f| f.arguments.as_mut()) {
            scrub(arguments);
        }
    }
}
