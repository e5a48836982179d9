//! The bindings progenitor generates from `openapi/chat.yaml` at build time (feature `chat`):
//! `POST /v2/chat` and every type it reaches, exactly as the fragment describes them, for
//! what the facade ([`Client::chat`](crate::Client::chat)) does not cover.
//!
//! The same rules apply as to [`crate::raw`]: the path guard, the credential rules, no
//! redirects, bounded bodies (progenitor's hooks call the same transport), and progenitor's
//! own [`Error`]s. The fragment's success answer is the JSON response (`ChatResponseV2`); the
//! stream's events are types here too (`StreamedChatResponseV2` and its members), which the
//! raw client does not read for you: a raw request with `stream: true` gets a body it cannot
//! decode.
//!
//! ```
//! use cohere_connectors::chat::raw;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = cohere_connectors_emulator::Emulator::start().await?;
//! # let (base_url, key) = (emulator.base_url(), emulator.api_key());
//! let client = raw::Client::new(base_url, raw::Transport::with_api_key(key)?);
//! let message = raw::types::ChatMessageV2::UserMessageV2(raw::types::UserMessageV2 {
//!     role: raw::types::UserMessageV2Role::User,
//!     content: raw::types::UserMessageV2Content::String("Hello".into()),
//! });
//! let body = raw::types::Chatv2Request::builder()
//!     .model("command-a-plus-05-2026")
//!     .messages(raw::types::ChatMessages(vec![message]));
//! let response = client.chatv2().body(body).send().await?;
//! assert_eq!(response.finish_reason, raw::types::ChatFinishReason::from("COMPLETE".to_owned()));
//! # Ok(()) }
//! ```
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/chat_raw.rs"));

pub use crate::http::transport::Transport;

crate::raw::transport_hooks!();
