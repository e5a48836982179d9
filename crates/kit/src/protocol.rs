//! The two bodies of Cohere's search protocol: what Cohere sends a connector and what the
//! connector answers.

use std::fmt;

#[cfg(feature = "schemars")]
use schemars::JsonSchema;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::Document;

/// What Cohere sends a connector: `POST <url>` with `{"query": "<text>"}`. It may send one
/// per search query it generates for a chat turn.
///
/// Read strictly: an object with one string `query` (fields Cohere may add later are
/// ignored). An array, a second `query` or a `query` that is not a string is refused, as
/// Cohere's own connector templates refuse them (serde's derive would take `["text"]`).
///
/// ```
/// use cohere_connectors_kit::SearchRequest;
///
/// let request: SearchRequest = serde_json::from_str(r#"{"query": "holiday policy"}"#)?;
/// assert_eq!(request.query, "holiday policy");
/// assert_eq!(serde_json::to_string(&request)?, r#"{"query":"holiday policy"}"#);
/// for refused in [r#"["holiday policy"]"#, r#"{"query": "a", "query": "b"}"#, r#"{"query": 7}"#] {
///     assert!(serde_json::from_str::<SearchRequest>(refused).is_err(), "{refused}");
/// }
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
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

impl<'de> Deserialize<'de> for SearchRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RequestVisitor)
    }
}

/// Takes maps only: serde's derive also takes a sequence of the fields in order.
struct RequestVisitor;

impl<'de> Visitor<'de> for RequestVisitor {
    type Value = SearchRequest;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an object {"query": "<text>"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SearchRequest, A::Error> {
        let mut query = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Query if query.is_some() => return Err(de::Error::duplicate_field("query")),
                Field::Query => query = Some(map.next_value::<String>()?),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        query
            .map(SearchRequest::new)
            .ok_or_else(|| de::Error::missing_field("query"))
    }
}

/// A key of the request: `query`, or one that is ignored.
enum Field {
    Query,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Field, E> {
        Ok(if key == "query" {
            Field::Query
        } else {
            Field::Other
        })
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Field, E> {
        Ok(if key == b"query" {
            Field::Query
        } else {
            Field::Other
        })
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
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
