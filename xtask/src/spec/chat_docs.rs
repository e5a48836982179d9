//! The chat fragment's documentation, in this project's words (as [`super::docs`] is for the
//! connectors'): one line per operation, parameter, schema and property.

use super::doc::{Result, Value};

/// The title of the chat fragment (and of the generated chat client's documentation).
pub const TITLE: &str = "Cohere Chat API (v2)";

/// One line per item of the chat fragment, keyed as [`super::docs::DOCS`] is.
pub const DOCS: &[(&str, &str)] = &[];

/// [`super::docs::document_items`] for the chat fragment.
pub fn document_chat_items(document: &mut Value) -> Result<Vec<String>> {
    super::docs::document_with(document, TITLE, DOCS, "xtask/src/spec/chat_docs.rs")
}
