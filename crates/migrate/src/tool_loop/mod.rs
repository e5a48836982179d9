//! The Chat v2 tool loop over connectors: what Cohere did during a chat with v1 connectors
//! (call each connector, give the model its documents, cite them), done in your code.
//!
//! A turn ([`ConnectorChat::run`], or [`ConnectorChat::stream`] for events as they come):
//!
//! 1. The conversation goes to the model with one tool per connector ([`Toolbox`](crate::Toolbox)).
//! 2. While the model asks for tools, every call of the step runs **concurrently**, each
//!    bounded by its connector's deadline (30 s, Cohere's rule for connectors:
//!    [`ConnectorTool::timeout`](crate::ConnectorTool::timeout)); the turn takes at most
//!    [`max_steps`](ConnectorChat::max_steps) tool steps ([`LoopError::TooManySteps`]).
//! 3. The model's turn is replayed exactly (its `tool_plan` and `tool_calls`, as they came),
//!    and each `tool_call_id` is answered exactly once, in the calls' order, with a tool
//!    message of `document` blocks. A call of an unknown tool (or with bad arguments) is
//!    answered with an error the model can read. A turn that gives two calls one id (or an
//!    id of an earlier call) cannot be both replayed and answered once: the turn ends with
//!    [`LoopError::RepeatedCallId`] before any tool runs (Cohere refuses such a replay too).
//! 4. Each document's id is the connector's own (`<tool name>:<id>`, or its position), so it
//!    is stable, and unique across the whole conversation: two connectors never share a
//!    prefix, and an id the conversation already has (the same connector called again)
//!    gets `~2`, `~3`. The connector's `excludes` are left out; keys and values are scrubbed
//!    of the tool's secrets and the user's token and escaped
//!    ([`cohere_connectors::text`]), as everything a connector says to the model is.
//! 5. A document over Cohere's recommended size ([`MAX_DOCUMENT_WORDS`] words) is split into
//!    chunks of its `text` (or longest) field, each chunk a document `<id>#<n>` with the
//!    other fields beside it; its [`Chunk`] says which words of which field it holds, and
//!    whether anything was left out (past [`MAX_CHUNKS_PER_DOCUMENT`] chunks).
//! 6. A connector that fails (no answer within its deadline, an error status, an answer too
//!    large or not of string values, no user token): its `continue_on_failure` decides, as
//!    it did for v1 connectors. When set, the model is told the failure as the call's answer
//!    and the turn goes on; when not (Cohere's default), the turn ends with
//!    [`LoopError::Connector`] naming the connector.
//! 7. The answer comes with its citations resolved ([`ResolvedCitation`]): for each source,
//!    the connector, the document's id, title and URL, and the chunk. The whole conversation
//!    ([`Conversation`], sources included) comes back for the next turn.
//!
//! OAuth connectors' calls take the user's token from a [`UserTokenSource`], per call
//! ([`UserTokens`] for a fixed map).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cohere_connectors_kit::Document;
//! use cohere_connectors_kit::server::{Access, ConnectorService};
//! use cohere_connectors_migrate::tool_loop::{ConnectorChat, Conversation, NoUserTokens};
//! use cohere_connectors_migrate::{ConnectorTool, ManifestConnector, Secrets, Toolbox};
//!
//! // A connector (the kit's), and the emulator playing the model.
//! let wiki = ConnectorService::new(Access::open(), |_, _| async {
//!     Ok(vec![Document::new().with_id("tea").with_title("Tea policy").with_text("Green tea on Fridays.")])
//! })
//! .bind("127.0.0.1:0")
//! .await?;
//! let emulator = cohere_connectors_emulator::Emulator::start().await?;
//! let entry: ManifestConnector =
//!     serde_json::from_value(serde_json::json!({"id": "wiki", "name": "Wiki", "url": wiki.url()}))?;
//! let mut toolbox = Toolbox::new();
//! toolbox.add(ConnectorTool::from_manifest(&entry, &Secrets::none())?);
//!
//! let chat = ConnectorChat::new(emulator.client()?, "command-a-plus-05-2026", toolbox);
//! let answer = chat.run(Conversation::new().user("When is tea served?"), &NoUserTokens).await?;
//! assert_eq!(answer.text(), "Tea policy says: Green tea on Fridays.");
//! let source = answer.citations[0].sources[0].document().unwrap();
//! assert_eq!((source.connector.as_str(), source.document_id.as_deref()), ("wiki", Some("tea")));
//! assert_eq!(source.title.as_deref(), Some("Tea policy"));
//!
//! // The next turn starts from the whole conversation.
//! let next = chat.run(answer.conversation.user("And coffee?"), &NoUserTokens).await?;
//! assert_eq!(next.steps.len(), 1);
//! # Ok(()) }
//! ```

mod answer;
mod chat;
mod chunks;
mod conversation;
mod error;
mod sources;
mod step;
mod stream;
mod tokens;
mod turn;

pub use answer::{CallReport, ChatAnswer, LoopEvent, ToolStep};
pub use chat::{ConnectorChat, DEFAULT_MAX_STEPS, LoopStream};
pub use chunks::{MAX_BESIDE_WORDS, MAX_CHUNKS_PER_DOCUMENT, MAX_DOCUMENT_WORDS};
pub use conversation::Conversation;
pub use error::LoopError;
pub use sources::{Chunk, CitedSource, DocumentSource, ResolvedCitation};
pub use tokens::{NoUserTokens, UserTokenSource, UserTokens};
