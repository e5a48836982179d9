//! One turn's bookkeeping, shared by the called and the streamed loop: the request of each
//! step, and what a response makes of the conversation (the assistant turn replayed exactly,
//! each call answered once, documents given unique ids and sources, failures decided by the
//! connector's `continue_on_failure`).

use std::time::Duration;

use super::answer::{CallReport, ChatAnswer, ToolStep};
use super::chat::ConnectorChat;
use super::chunks::pieces;
use super::conversation::Conversation;
use super::error::LoopError;
use super::sources::{DocumentSource, Ledger, resolve};
use super::step::{self, Outcome};
use super::tokens::UserTokenSource;
use crate::toolbox::{FoundDocument, told};
use crate::{ConnectorTool, ToolCall, ToolContent, ToolDocument, ToolError, ToolMessage};
use cohere_connectors::chat::{ChatRequest, ChatResponse, Message};
use cohere_connectors::text::one_line;
use serde_json::Value;

/// What the model is told when a search found nothing (an empty tool message is not one
/// Cohere documents).
const NOTHING_FOUND: &str = "The search found no documents.";

/// A turn in progress.
pub(crate) struct Turn {
    chat: ConnectorChat,
    conversation: Conversation,
    ledger: Ledger,
    steps: Vec<ToolStep>,
}

/// What a response made of the turn.
pub(crate) enum Next {
    /// Another request: the tools of this step answered.
    Step(ToolStep),
    /// The final answer.
    Answer(Box<ChatAnswer>),
}

impl Turn {
    pub(crate) fn new(chat: ConnectorChat, conversation: Conversation) -> Self {
        let ledger = Ledger::of(&conversation.messages);
        Self {
            chat,
            conversation,
            ledger,
            steps: Vec::new(),
        }
    }

    /// The next request to the model: the conversation so far and the toolbox's tools.
    pub(crate) fn request(&self) -> ChatRequest {
        self.chat
            .request(self.conversation.messages.iter().cloned())
    }

    /// Takes the model's response: the final answer, or a step whose calls are run and
    /// answered.
    pub(crate) async fn take(
        &mut self,
        response: ChatResponse,
        tokens: &dyn UserTokenSource,
    ) -> Result<Next, LoopError> {
        if response.tool_calls().is_empty() {
            return Ok(Next::Answer(Box::new(self.answer(response))));
        }
        if self.steps.len() >= self.chat.step_bound() {
            return Err(LoopError::TooManySteps {
                max_steps: self.chat.step_bound(),
            });
        }
        self.check_call_ids(response.tool_calls())?;
        let toolbox = self.chat.shared_toolbox();
        let outcomes = step::run(&toolbox, response.tool_calls(), tokens).await;
        let mut answers = Vec::with_capacity(outcomes.len());
        let mut reports = Vec::with_capacity(outcomes.len());
        for (call, outcome) in response.tool_calls().iter().zip(outcomes) {
            let (message, report) = self.answer_call(call, outcome)?;
            answers.push(Message::Tool(message));
            reports.push(report);
        }
        let step = ToolStep {
            plan: response.message.tool_plan.clone(),
            calls: reports,
        };
        self.steps.push(step.clone());
        // The model's turn exactly as it came (plan, calls, any content), then one answer
        // per call, in the calls' order.
        self.conversation
            .messages
            .push(Message::Assistant(response.into_message()));
        self.conversation.messages.extend(answers);
        Ok(Next::Step(step))
    }

    /// Every call has an id, and none another call of the conversation has.
    fn check_call_ids(&mut self, calls: &[ToolCall]) -> Result<(), LoopError> {
        if calls.iter().any(|call| call.id.is_empty()) {
            return Err(LoopError::CallWithoutId);
        }
        for call in calls {
            if !self.ledger.take_call_id(&call.id) {
                return Err(LoopError::RepeatedCallId {
                    id: one_line(&call.id, 100),
                });
            }
        }
        Ok(())
    }

    /// The tool message answering `call`, and the report of it; the turn's end when a
    /// connector that does not continue on failure failed.
    fn answer_call(
        &mut self,
        call: &ToolCall,
        outcome: Outcome<'_>,
    ) -> Result<(ToolMessage, CallReport), LoopError> {
        let Outcome {
            tool,
            token,
            result,
            elapsed,
        } = outcome;
        let mut report = CallReport {
            id: call.id.clone(),
            tool: one_line(call.name().unwrap_or_default(), 80),
            connector: tool.map(|tool| one_line(tool.connector_id(), 100)),
            documents: Vec::new(),
            error: None,
            elapsed_ms: millis(elapsed),
        };
        let message = match (result, tool) {
            (Ok(found), Some(tool)) if !found.is_empty() => {
                let content = self.documents(call, tool, found);
                report.documents = content
                    .iter()
                    .filter_map(|block| match block {
                        ToolContent::Document { document } => document.id.clone(),
                        _ => None,
                    })
                    .collect();
                ToolMessage::new(call.id.clone(), content)
            }
            (Ok(_), _) => {
                self.ledger.take_text_block(&call.id, 0);
                ToolMessage::new(call.id.clone(), vec![ToolContent::text(NOTHING_FOUND)])
            }
            (Err(error), Some(tool))
                if is_connector_failure(&error) && !tool.continues_on_failure() =>
            {
                return Err(LoopError::Connector {
                    connector: one_line(tool.connector_id(), 100),
                    tool: tool.name().to_owned(),
                    error,
                });
            }
            (Err(error), tool) => {
                let told = told(tool, token.as_ref(), &error);
                self.ledger.take_text_block(&call.id, 0);
                report.error = Some(told.clone());
                ToolMessage::error(call.id.clone(), &told)
            }
        };
        Ok((message, report))
    }

    /// The documents of a call as content blocks: each split to the recommended size, given
    /// an id no other document of the conversation has, and its source recorded.
    fn documents(
        &mut self,
        call: &ToolCall,
        tool: &ConnectorTool,
        found: Vec<FoundDocument>,
    ) -> Vec<ToolContent> {
        let mut content = Vec::new();
        for document in found {
            let field = |data: &serde_json::Map<String, Value>, name: &str| {
                data.get(name).and_then(Value::as_str).map(str::to_owned)
            };
            let (title, url) = (field(&document.data, "title"), field(&document.data, "url"));
            for piece in pieces(document.data) {
                let wanted = match &piece.chunk {
                    Some(chunk) => format!("{}#{}", document.citation_id, chunk.index),
                    None => document.citation_id.clone(),
                };
                let id = self.ledger.take_document_id(&wanted);
                self.conversation.sources.insert(
                    id.clone(),
                    DocumentSource {
                        id: id.clone(),
                        connector: one_line(tool.connector_id(), 100),
                        tool: tool.name().to_owned(),
                        tool_call_id: call.id.clone(),
                        document_id: document.document_id.clone(),
                        title: title.clone(),
                        url: url.clone(),
                        chunk: piece.chunk,
                    },
                );
                content.push(ToolContent::document(
                    ToolDocument::new(Value::Object(piece.data)).with_id(id),
                ));
            }
        }
        content
    }

    /// The final answer: the model's message added to the conversation, citations resolved.
    fn answer(&mut self, response: ChatResponse) -> ChatAnswer {
        let citations = resolve(&response.message.citations, &self.conversation.sources);
        self.conversation
            .messages
            .push(Message::Assistant(response.message.clone()));
        ChatAnswer {
            response,
            citations,
            steps: std::mem::take(&mut self.steps),
            conversation: std::mem::take(&mut self.conversation),
        }
    }
}

/// Whether the connector failed (its `continue_on_failure` decides), rather than the model
/// (an unknown tool, bad arguments: the model is told, always).
fn is_connector_failure(error: &ToolError) -> bool {
    matches!(
        error,
        ToolError::Search(_) | ToolError::NeedsUserToken { .. }
    )
}

fn millis(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}
