//! Documents as an MCP client is given them: one text block per document and the documents
//! as structured content, each with what a client needs to cite it (`id`, `title`, `url`),
//! and, as an option, North's citation metadata.
//!
//! The one definition of an MCP search answer: the kit's `search` tool and an account's
//! tools (`cohere-connectors-migrate`) both answer through [`search_result`] and
//! [`tool_error`].

use std::sync::Arc;

use chrono::DateTime;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{Map, Value, json};

use crate::Document;
use cohere_connectors::text::escape;

/// The key of North's citation metadata in a document.
const NORTH_METADATA: &str = "_north_metadata";

/// How documents are cited in a search answer.
///
/// ```
/// use cohere_connectors_kit::server::mcp::Citations;
///
/// assert_eq!(Citations::default(), Citations::Fields);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Citations {
    /// Each document carries its `id` and its own fields (`title`, `url`, `text`, ...): what
    /// any MCP client needs to cite it.
    #[default]
    Fields,
    /// As [`Fields`](Self::Fields), and each document also carries North's citation metadata
    /// under `_north_metadata`, the shape Cohere's North SDK documents in
    /// `examples/server_with_citations.py` of `cohere-ai/north-mcp-python-sdk` (the North
    /// 1.13 schema): `renderer: "document"`, `content` (the text shown in the citation),
    /// `title` and `url` (kept at the top level of the document too, where North labels the
    /// result), and `meta` with `author_name` (from an `author` field) and `last_updated`
    /// (from `timestamp`, as Unix seconds written as a string).
    North,
}

/// The answer to a search: a text block per document (its JSON) and the documents as
/// structured content, `{"documents": [...]}`. Each document is its fields, `id` set to
/// `id` (a citation id), every key and value escaped (control characters and bidi
/// overrides written as `\u{..}`): the text reaches a model. Secrets must already be
/// scrubbed.
///
/// ```
/// use cohere_connectors_kit::Document;
/// use cohere_connectors_kit::server::mcp::{Citations, search_result};
///
/// let found = Document::new().with_title("Holidays").with_url("https://hr.example.com/1").with_text("25 days");
/// let result = search_result([("hr-1".to_owned(), found)], Citations::Fields);
/// assert_eq!(result.is_error, Some(false));
/// assert_eq!(
///     result.structured_content,
///     Some(serde_json::json!({"documents": [
///         {"id": "hr-1", "title": "Holidays", "url": "https://hr.example.com/1", "text": "25 days"}
///     ]}))
/// );
/// assert_eq!(result.content.len(), 1);
/// ```
pub fn search_result(
    documents: impl IntoIterator<Item = (String, Document)>,
    citations: Citations,
) -> CallToolResult {
    let cited: Vec<Value> = documents
        .into_iter()
        .map(|(id, document)| Value::Object(cited(&id, &document, citations)))
        .collect();
    let content = cited
        .iter()
        .map(|document| ContentBlock::text(document.to_string()))
        .collect();
    let mut result = CallToolResult::success(content);
    result.structured_content = Some(json!({ "documents": cited }));
    result
}

/// A tool error a client shows its user (`isError: true`): `message`, escaped. Secrets must
/// already be scrubbed.
///
/// ```
/// use cohere_connectors_kit::server::mcp::tool_error;
///
/// let error = tool_error("the search failed\u{1b}[2J");
/// assert_eq!(error.is_error, Some(true));
/// assert_eq!(error.content[0].as_text().unwrap().text, "the search failed\\u{1b}[2J");
/// ```
pub fn tool_error(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(escape(message))])
}

/// A search tool's definition: `name`, `description`, one required string argument
/// `query`, the documents' shape as its output schema, and the hints of a tool that only
/// reads.
///
/// ```
/// use cohere_connectors_kit::server::mcp::search_tool;
///
/// let tool = search_tool("search", "Searches the handbook.");
/// assert_eq!(tool.input_schema["required"], serde_json::json!(["query"]));
/// assert_eq!(tool.input_schema["properties"]["query"]["type"], "string");
/// ```
pub fn search_tool(name: &str, description: &str) -> Tool {
    Tool::new(
        name.to_owned(),
        description.to_owned(),
        Arc::new(object(json!({
            "type": "object",
            "properties": {
                "query": {
                    "type": "string",
                    "description": "What to search for: a short query in natural language."
                }
            },
            "required": ["query"]
        }))),
    )
    .with_raw_output_schema(Arc::new(object(json!({
        "type": "object",
        "properties": {
            "documents": {
                "type": "array",
                "description": "The documents found, best first: each one's fields, and `id` to cite it by.",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "url": {"type": "string"},
                        "text": {"type": "string"}
                    },
                    "required": ["id"]
                }
            }
        },
        "required": ["documents"]
    }))))
    .with_annotations(
        ToolAnnotations::new()
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(true),
    )
}

/// The `query` of a call's arguments, or why there is none (a tool error: the model can
/// correct its call).
pub(crate) fn query_of(arguments: Option<&JsonObject>) -> Result<String, &'static str> {
    match arguments.and_then(|arguments| arguments.get("query")) {
        Some(Value::String(query)) => Ok(query.clone()),
        Some(_) => Err(r#"the arguments must be {"query": "<text>"}: `query` is not a string"#),
        None => Err(r#"the arguments must be {"query": "<text>"}: there is no `query`"#),
    }
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// One document as cited: its fields escaped, `id` first.
fn cited(id: &str, document: &Document, citations: Citations) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("id".to_owned(), Value::String(escape(id).into_owned()));
    for (key, value) in document.iter().filter(|(key, _)| *key != "id") {
        fields.insert(
            escape(key).into_owned(),
            Value::String(escape(value).into_owned()),
        );
    }
    if citations == Citations::North {
        let metadata = north_metadata(&fields);
        fields.insert(NORTH_METADATA.to_owned(), Value::Object(metadata));
    }
    fields
}

/// North's document citation metadata, from the (escaped) fields.
fn north_metadata(fields: &Map<String, Value>) -> Map<String, Value> {
    let field = |key: &str| fields.get(key).and_then(Value::as_str);
    let content = field("text").or_else(|| field("title")).unwrap_or_default();
    let mut metadata = Map::new();
    metadata.insert("renderer".to_owned(), json!("document"));
    metadata.insert("content".to_owned(), json!(content));
    for key in ["title", "url"] {
        if let Some(value) = field(key) {
            metadata.insert(key.to_owned(), json!(value));
        }
    }
    let mut meta = Map::new();
    if let Some(author) = field("author") {
        meta.insert("author_name".to_owned(), json!(author));
    }
    if let Some(seconds) = field("timestamp").and_then(unix_seconds) {
        meta.insert("last_updated".to_owned(), json!(seconds.to_string()));
    }
    if !meta.is_empty() {
        metadata.insert("meta".to_owned(), Value::Object(meta));
    }
    metadata
}

/// An RFC 3339 timestamp (how [`Document::with_timestamp`] writes one) as Unix seconds.
fn unix_seconds(timestamp: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(timestamp)
        .ok()
        .map(|time| time.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_metadata_follows_the_documented_shape() {
        let document = Document::new()
            .with_id("7")
            .with_title("Expenses")
            .with_url("https://hr.example.com/7")
            .with_text("Meals are refunded.")
            .with("author", "HR")
            .with_timestamp("2024-01-15T00:00:00Z");
        let result = search_result([("7".to_owned(), document)], Citations::North);
        let documents = &result.structured_content.unwrap()["documents"];
        assert_eq!(
            documents[0][NORTH_METADATA],
            json!({
                "renderer": "document",
                "content": "Meals are refunded.",
                "title": "Expenses",
                "url": "https://hr.example.com/7",
                "meta": {"author_name": "HR", "last_updated": "1705276800"}
            })
        );
        assert_eq!(documents[0]["title"], "Expenses", "kept at the top level");
    }

    #[test]
    fn north_metadata_without_text_shows_the_title_and_skips_an_unreadable_time() {
        let document = Document::new()
            .with_title("Untitled body")
            .with_timestamp("last week");
        let result = search_result([("0".to_owned(), document)], Citations::North);
        let metadata = &result.structured_content.unwrap()["documents"][0][NORTH_METADATA];
        assert_eq!(
            *metadata,
            json!({"renderer": "document", "content": "Untitled body", "title": "Untitled body"})
        );
    }

    #[test]
    fn keys_values_and_ids_are_escaped() {
        let document = Document::new().with("k\u{1b}", "v\u{202e}");
        let result = search_result([("i\u{7}".to_owned(), document)], Citations::Fields);
        assert_eq!(
            result.structured_content.unwrap()["documents"][0],
            json!({"id": "i\\u{7}", "k\\u{1b}": "v\\u{202e}"})
        );
    }
}
