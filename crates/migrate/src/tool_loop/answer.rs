//! What a turn gives back: the final answer with its citations resolved, each tool step as
//! it ran, and the conversation for the next turn; and the events of a streamed turn.

use serde::Serialize;

use super::conversation::Conversation;
use super::sources::ResolvedCitation;
use cohere_connectors::chat::{ChatEvent, ChatResponse};

/// The model's final answer to a turn.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ChatAnswer {
    /// The model's last response, as it came (its text, citations, finish reason, usage).
    pub response: ChatResponse,
    /// Its citations, each source resolved to the connector and document it came from.
    pub citations: Vec<ResolvedCitation>,
    /// The tool steps the turn took, in order.
    pub steps: Vec<ToolStep>,
    /// The whole conversation, this turn's messages and answer included: add the user's next
    /// message and run it again.
    pub conversation: Conversation,
}

impl ChatAnswer {
    /// The answer's text (the model's; escape it before printing it to a terminal).
    pub fn text(&self) -> String {
        self.response.text()
    }
}

/// One tool step: the model's plan and every call it made, as each was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ToolStep {
    /// The model's plan, as it wrote it.
    pub plan: Option<String>,
    /// The calls, in the model's order.
    pub calls: Vec<CallReport>,
}

/// How one tool call was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CallReport {
    /// The call's id.
    pub id: String,
    /// The tool called (escaped and cut short: the model may name anything).
    pub tool: String,
    /// The connector behind it, when the toolbox has the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// The ids of the documents the model was given.
    pub documents: Vec<String>,
    /// What the model was told instead, when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the call took, in milliseconds.
    pub elapsed_ms: u64,
}

/// One event of a streamed turn ([`ConnectorChat::stream`](super::ConnectorChat::stream)).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LoopEvent {
    /// An event of the model's response, as it arrives: a tool-call turn's (plan and calls)
    /// or the final answer's (its text and citations).
    Model(ChatEvent),
    /// The tools of a step ran: what each call answered.
    Step(ToolStep),
    /// The turn is over: the final answer, assembled from the events, its citations
    /// resolved. The last event.
    Answer(Box<ChatAnswer>),
}
