//! Chat v2 (`POST /v2/chat`, feature `chat`): a request builder on the same
//! [`Client`](crate::Client), typed responses with their citations and sources, streaming,
//! and the raw bindings generated from Cohere's spec ([`raw`]).
//!
//! ```
//! use cohere_connectors::chat::{Document, FinishReason, Source};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> cohere_connectors::Result<()> {
//! # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
//! # let client = emulator.client()?;
//! let response = client
//!     .chat("command-a-plus-05-2026")
//!     .user("When is tea served?")
//!     .document(Document::with_id("policy-7", json!({"title": "Tea policy", "text": "Fridays at four."})))
//!     .await?;
//! assert_eq!(response.finish_reason, FinishReason::Complete);
//! let citation = &response.message.citations[0];
//! assert_eq!(citation.sources[0].id(), Some("policy-7"));
//! assert!(matches!(citation.sources[0], Source::Document { .. }));
//! # Ok(()) }
//! ```
//!
//! # The facade and the wire
//!
//! The facade is thin, as the connectors' is: its own types, decoded straight from the bytes
//! (`src/chat/seam.rs`), through the same transport rules, retries, deadline, errors,
//! secrets rules and tracing as the connectors' calls. A chat is not idempotent: it is
//! retried only where a create is (a 429, or a connection that could not be made), unless
//! [`retry_non_idempotent`](crate::ClientBuilder::retry_non_idempotent). Errors name
//! [`Operation::Chat`](crate::Operation::Chat); Cohere's refusals are [`Error::Api`](crate::Error::Api) with
//! Cohere's message. The client's API key, should a server or the model echo it, is
//! `[redacted]` in everything a chat returns.
//!
//! # Streaming
//!
//! [`ChatRequest::stream`] gives a [`ChatStream`] of [`ChatEvent`]s; [`ChatAssembler`] (which
//! the stream uses) turns them into the same [`ChatResponse`] as the call without `stream`.
//! The stream's bounds (time, memory) are in [`ChatStream`]'s documentation.
//!
//! # The types
//!
//! The shapes are Cohere's, field for field (the JSON of each type is what the API reads and
//! writes): [`Message`] and its four kinds, [`ToolDefinition`], [`ToolCall`],
//! [`ToolMessage`] with [`ToolContent`] blocks of text or [`ToolDocument`]s, [`Document`],
//! [`Citation`] and [`Source`]. With the feature `schemars`, each also implements `JsonSchema`, so a conversation can be
//! kept in a file and validated.

mod assemble;
mod document;
mod event;
mod message;
mod options;
pub mod raw;
mod request;
mod response;
mod seam;
mod sse;
mod stream;
mod tool;
mod validate;

pub use assemble::ChatAssembler;
pub use document::Document;
pub use event::ChatEvent;
pub use message::{
    AssistantMessage, AssistantRole, ContentBlock, Message, SystemMessage, SystemRole, ToolContent,
    ToolDocument, ToolMessage, ToolRole, UserMessage, UserRole,
};
pub use options::{CitationMode, ResponseFormat, SafetyMode, ToolChoice};
pub use request::ChatRequest;
pub use response::{
    BilledUnits, ChatResponse, Citation, CitationKind, FinishReason, Source, Tokens, Usage,
};
pub use sse::{MAX_EVENT_BYTES, MAX_STREAM_BYTES};
pub use stream::ChatStream;
pub use tool::{
    FunctionDefinition, FunctionKind, ToolCall, ToolCallFunction, ToolDefinition, is_tool_name,
};
