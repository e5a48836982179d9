//! A request's `documents`: what the model grounds its answer in, and cites.

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::message::ToolDocument;

/// One of a request's `documents`: a text, or fields with an id citations will name.
///
/// Cohere names a document without an id `doc:<its index>` in citations; two documents of a
/// request (or of the tool results in its messages) may not share an id, which the client
/// checks before sending.
///
/// ```
/// use cohere_connectors::chat::{Document, ToolDocument};
/// use serde_json::json;
///
/// let documents = [
///     Document::from("Green tea is served on Fridays."),
///     Document::with_id("policy-7", json!({"title": "Tea policy", "text": "Oolong too."})),
/// ];
/// assert_eq!(
///     serde_json::to_value(&documents)?,
///     json!(["Green tea is served on Fridays.", {"data": {"title": "Tea policy", "text": "Oolong too."}, "id": "policy-7"}]),
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(untagged)]
#[non_exhaustive]
pub enum Document {
    /// A text.
    Text(String),
    /// Fields, and optionally an id (`Document` in Cohere's schema).
    Fields(ToolDocument),
}

impl Document {
    /// A document of the fields of `data` (a JSON object; see [`ToolDocument::new`]), with
    /// the id citations will name.
    pub fn with_id(id: impl Into<String>, data: Value) -> Self {
        Self::Fields(ToolDocument::new(data).with_id(id))
    }

    /// The id the document goes by: its own, or `doc:<index>` (Cohere's name for the
    /// document at `index` of the request's documents).
    pub fn id_at(&self, index: usize) -> String {
        match self {
            Self::Fields(ToolDocument { id: Some(id), .. }) => id.clone(),
            _ => format!("doc:{index}"),
        }
    }
}

impl From<&str> for Document {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Document {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<ToolDocument> for Document {
    fn from(document: ToolDocument) -> Self {
        Self::Fields(document)
    }
}
