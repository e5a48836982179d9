//! What a chat's tool loop can end with, short of an answer.

use crate::ToolError;

/// Why a chat over connectors ended without an answer. `Display` never shows a token: the
/// chat's errors are the SDK's (the API key scrubbed), the connector's are scrubbed of the
/// tool's secrets and the user's token, and every name from outside is escaped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoopError {
    /// A call to the model failed (or Cohere refused the request).
    #[error(transparent)]
    Chat(#[from] cohere_connectors::Error),
    /// A connector failed, and it does not continue on failure
    /// ([`ConnectorTool::continue_on_failure`](crate::ConnectorTool::continue_on_failure)).
    #[error("the connector `{connector}` failed (tool `{tool}`): {error}")]
    Connector {
        /// The connector's id (escaped).
        connector: String,
        /// Its tool's name.
        tool: String,
        /// What failed (its text scrubbed of the tool's secrets).
        #[source]
        error: ToolError,
    },
    /// The model asked for tools once more after `max_steps` tool steps
    /// ([`ConnectorChat::max_steps`](super::ConnectorChat::max_steps)).
    #[error(
        "the model still asks for tools after {max_steps} tool steps, the most this chat allows"
    )]
    TooManySteps {
        /// The bound.
        max_steps: usize,
    },
    /// The model made a call with an id another call of the conversation already has: its
    /// turn cannot be replayed (Cohere refuses two calls with one id) nor each call answered
    /// once. No tool of that turn is called.
    #[error(
        "the model made two tool calls with the id `{id}`; a turn with repeated call ids cannot be answered"
    )]
    RepeatedCallId {
        /// The id (escaped, cut short).
        id: String,
    },
    /// The model made a call without an id: it cannot be answered (a tool message names the
    /// call it answers). No tool of that turn is called.
    #[error("the model made a tool call without an id; it cannot be answered")]
    CallWithoutId,
}
