//! The two bodies of Cohere's search protocol: what Cohere sends a connector and what the
//! connector answers.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Document;

/// What Cohere sends a connector: `POST <url>` with `{"query": "<text>"}`. It may send one
/// per search query it generates for a chat turn.
///
/// Fields Cohere may add later are ignored when reading.
///
/// ```
/// use cohere_connectors_kit::SearchRequest;
///
/// let request: SearchRequest = serde_json::from_str(r#"{"query": "holiday policy"}"#)?;
/// assert_eq!(request.query, "holiday policy");
/// assert_eq!(serde_json::to_string(&request)?, r#"{"query":"holiday policy"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct SearchRequest {
    /// The text to search for, written by the model from the user's message.
    pub query: String,
}

impl SearchRequest {
    /// A request for `query`.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
        }
    }
}

/// What a connector answers: `{"results": [...]}`, one [`Document`] per result, best first.
///
/// ```
/// use cohere_connectors_kit::{Document, SearchResponse};
///
/// let response = SearchResponse::new(vec![Document::new().with_title("Holidays").with_text("25 days")]);
/// assert_eq!(
///     serde_json::to_string(&response)?,
///     r#"{"results":[{"text":"25 days","title":"Holidays"}]}"#
/// );
/// // Values that are not strings are refused, with the field named:
/// let error = serde_json::from_str::<SearchResponse>(r#"{"results": [{"views": 12}]}"#).unwrap_err();
/// assert!(error.to_string().contains("`views`"), "{error}");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct SearchResponse {
    /// The documents found, best first.
    pub results: Vec<Document>,
}

impl SearchResponse {
    /// A response with these documents.
    pub fn new(results: Vec<Document>) -> Self {
        Self { results }
    }
}

impl From<Vec<Document>> for SearchResponse {
    fn from(results: Vec<Document>) -> Self {
        Self::new(results)
    }
}
