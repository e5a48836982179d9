//! The chat's side of the wire: a `POST /v2/chat` body read field by field into the few
//! things the scripted model looks at, with the API's refusals on the way, and the JSON the
//! model answers with (a response, or the events of a stream).
//!
//! Its own types, not the SDK's, so that the emulator stays an independent implementation of
//! Cohere's documented shapes. Refusals use Cohere's wording where Cohere documents it (its
//! errors page lists them; each is marked `Cohere's wording` below); the others are ours and
//! start with Cohere's `invalid request: `. Ours name a field by its path
//! (`messages[2].tool_call_id`) and never quote a value; Cohere's quote a document id or a
//! tool name, cut here to [`MAX_QUOTED_CHARS`].

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::super::reply::Refusal;

/// The longest request value a refusal quotes (a document id, a tool name), in characters.
pub(crate) const MAX_QUOTED_CHARS: usize = 100;

/// The top-level fields of the request body Cohere documents; any other is refused (422), as
/// Cohere does.
const REQUEST_FIELDS: &[&str] = &[
    "stream",
    "model",
    "messages",
    "tools",
    "strict_tools",
    "documents",
    "citation_options",
    "response_format",
    "safety_mode",
    "max_tokens",
    "stop_sequences",
    "temperature",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "k",
    "p",
    "logprobs",
    "tool_choice",
    "thinking",
    "priority",
];
const TOOL_FIELDS: &[&str] = &["type", "function"];
const FUNCTION_FIELDS: &[&str] = &["name", "description", "parameters"];

/// A chat request as the scripted model sees it.
#[derive(Debug)]
pub(crate) struct ChatRequest {
    pub messages: Vec<Message>,
    pub tools: Vec<Tool>,
    /// The request's `documents`, with their ids.
    pub documents: Vec<Document>,
    /// Whether citations are wanted (`citation_options.mode` is not `OFF` or `DISABLED`).
    pub citations: bool,
    pub stream: bool,
    pub tool_choice: ToolChoice,
    pub max_tokens: Option<u64>,
    /// A digest of the conversation (`messages` as sent), so that tool call ids are the same
    /// for the same request and differ from one step of a conversation to the next.
    pub digest: u64,
}

/// `tool_choice`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ToolChoice {
    /// Not given: the model chooses.
    Auto,
    Required,
    None,
}

/// One of `messages`, reduced to what the model reads.
#[derive(Debug)]
pub(crate) enum Message {
    User {
        text: String,
    },
    System {
        text: String,
    },
    Assistant {
        text: String,
        tool_plan: String,
        tool_calls: Vec<ToolCallSeen>,
    },
    Tool {
        /// The documents it carries: one per content block (one for a string content).
        results: Vec<Document>,
    },
}

/// A tool call of an assistant message in the conversation.
#[derive(Debug)]
pub(crate) struct ToolCallSeen {
    pub id: String,
    pub arguments: String,
}

/// A tool the model may call: its name and the parameters it must fill.
#[derive(Debug)]
pub(crate) struct Tool {
    pub name: String,
    /// `parameters.required`, in order, with the JSON type each must have.
    pub required: Vec<(String, Kind)>,
}

/// The JSON type of a tool parameter (the first of its `type` the model knows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Number,
    Boolean,
    Array,
    Object,
    Null,
}

/// Where a document came from, which decides the kind of its citation source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The request's `documents`: a `document` source.
    Request,
    /// A tool message: a `tool` source.
    Tool,
}

/// A document the model was given: its id and its fields, each a string, as Cohere passes
/// them to the model (other values are written as compact JSON).
#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub id: String,
    pub fields: Map<String, Value>,
    pub origin: Origin,
}

fn invalid(message: impl std::fmt::Display) -> Refusal {
    Refusal::bad_request(format!("invalid request: {message}"))
}

/// A value of the request, quoted in a refusal as Cohere quotes it, cut to a bound.
pub(crate) fn quoted(value: &str) -> String {
    if value.chars().count() <= MAX_QUOTED_CHARS {
        value.to_owned()
    } else {
        let mut cut: String = value.chars().take(MAX_QUOTED_CHARS).collect();
        cut.push('…');
        cut
    }
}

/// Reads a request body, or says why the API would refuse it.
pub(crate) fn parse(body: &[u8]) -> Result<ChatRequest, Refusal> {
    // Cohere's prefix (from Go's JSON decoder); the rest is serde_json's description of
    // where the syntax breaks, which never quotes the body.
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| Refusal::bad_request(format!("invalid json syntax: {error}")))?;
    let Value::Object(body) = value else {
        return Err(invalid("the request body must be a JSON object"));
    };
    let body = Fields::new(&body, String::new());
    body.no_unknown(REQUEST_FIELDS)?;
    // Cohere's wording.
    let model_given = body.get("model").and_then(Value::as_str);
    if model_given.is_none_or(|model| model.trim().is_empty()) {
        return Err(Refusal::bad_request(
            "a model parameter is required for this endpoint.",
        ));
    }
    let raw_messages = match body.get("messages") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(invalid("messages must be a non-empty array of messages")),
    };
    check_settings(&body)?;
    let tools = match body.get("tools") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, tool)| read_tool(index, tool))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(body.wrong("tools", "an array of tools")),
    };
    let tool_choice = match body.string("tool_choice")? {
        None => ToolChoice::Auto,
        Some("REQUIRED") => ToolChoice::Required,
        Some("NONE") => ToolChoice::None,
        Some(_) => return Err(body.wrong("tool_choice", "REQUIRED or NONE")),
    };
    if tool_choice == ToolChoice::Required && tools.is_empty() {
        return Err(invalid(
            "tool_choice REQUIRED needs at least one tool in tools",
        ));
    }
    let documents = match body.get("documents") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| request_document(index, item))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(body.wrong("documents", "an array of documents")),
    };
    let messages = read_messages(raw_messages)?;
    no_duplicate_documents(&documents, &messages)?;
    Ok(ChatRequest {
        messages,
        tools,
        documents,
        citations: citations_wanted(&body)?,
        stream: body.boolean("stream")?.unwrap_or(false),
        tool_choice,
        max_tokens: body.unsigned("max_tokens")?,
        digest: digest(raw_messages),
    })
}

/// The sampling and format settings: the model ignores them, but their types are checked
/// as the API checks them.
fn check_settings(body: &Fields<'_>) -> Result<(), Refusal> {
    for flag in ["strict_tools", "logprobs"] {
        body.boolean(flag)?;
    }
    for count in ["seed", "k", "priority"] {
        body.unsigned(count)?;
    }
    for number in ["p", "frequency_penalty", "presence_penalty"] {
        body.number(number)?;
    }
    if let Some(temperature) = body.number("temperature")?
        && !(0.0..=1.0).contains(&temperature)
    {
        // Cohere's wording.
        return Err(invalid("temperature must be between 0 and 1.0 inclusive."));
    }
    body.string("safety_mode")?;
    for object in ["response_format", "thinking", "citation_options"] {
        body.object(object)?;
    }
    if let Some(stops) = body.get("stop_sequences") {
        let strings = stops
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string));
        if !strings {
            return Err(body.wrong("stop_sequences", "an array of strings"));
        }
    }
    Ok(())
}

fn citations_wanted(body: &Fields<'_>) -> Result<bool, Refusal> {
    let Some(options) = body.object("citation_options")? else {
        return Ok(true);
    };
    match options.string("mode")? {
        None | Some("ENABLED" | "FAST" | "ACCURATE") => Ok(true),
        Some("DISABLED" | "OFF") => Ok(false),
        Some(_) => Err(options.wrong("mode", "one of ENABLED, DISABLED, FAST, ACCURATE, OFF")),
    }
}

fn read_tool(index: usize, tool: &Value) -> Result<Tool, Refusal> {
    let path = format!("tools[{index}]");
    let Value::Object(tool) = tool else {
        return Err(invalid(format!("{path} must be an object")));
    };
    let tool = Fields::new(tool, path);
    tool.no_unknown(TOOL_FIELDS)?;
    if tool.get("type").and_then(Value::as_str) != Some("function") {
        return Err(tool.wrong("type", "function"));
    }
    let Some(function) = tool.object("function")? else {
        return Err(tool.wrong("function", "an object"));
    };
    function.no_unknown(FUNCTION_FIELDS)?;
    let name = function.string("name")?.unwrap_or_default();
    if !is_tool_name(name) {
        // Cohere's wording.
        return Err(invalid(format!(
            "tool names can only contain certain characters (A-Za-z0-9_) and can't begin with a digit (provided name: '{}').",
            quoted(name)
        )));
    }
    function.string("description")?;
    let Some(Value::Object(parameters)) = function.get("parameters") else {
        // Cohere's wording.
        return Err(Refusal::bad_request("schema must be an object"));
    };
    Ok(Tool {
        name: name.to_owned(),
        required: required_parameters(parameters)?,
    })
}

/// `[A-Za-z_][A-Za-z0-9_]*`, Cohere's rule for tool names.
pub(crate) fn is_tool_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The required parameters of a tool's JSON Schema, with Cohere's checks: every property
/// has a type, every required one is a property.
fn required_parameters(parameters: &Map<String, Value>) -> Result<Vec<(String, Kind)>, Refusal> {
    let empty = Map::new();
    let properties = match parameters.get("properties") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(properties)) => properties,
        // Cohere's wording, for a schema inside the schema.
        Some(_) => return Err(Refusal::bad_request("schema must be an object")),
    };
    let mut kinds = HashMap::new();
    for (name, property) in properties {
        let kind = property.get("type").and_then(kind_of);
        let Some(kind) = kind else {
            // Cohere's wording.
            return Err(Refusal::bad_request(format!(
                "property {} must have a type",
                quoted(name)
            )));
        };
        kinds.insert(name.as_str(), kind);
    }
    let required = match parameters.get("required") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(required)) => required,
        Some(_) => {
            return Err(invalid(
                "a tool's parameters.required must be an array of names",
            ));
        }
    };
    required
        .iter()
        .map(|name| {
            let name = name
                .as_str()
                .ok_or_else(|| invalid("a tool's parameters.required must be an array of names"))?;
            match kinds.get(name) {
                Some(kind) => Ok((name.to_owned(), *kind)),
                // Cohere's wording.
                None => Err(Refusal::bad_request(format!(
                    "required field {} not found in properties",
                    quoted(name)
                ))),
            }
        })
        .collect()
}

/// The first type of a JSON Schema `type` (a name or an array of names) the model knows.
fn kind_of(type_: &Value) -> Option<Kind> {
    let named = |name: &str| match name {
        "string" => Some(Kind::String),
        "number" | "integer" => Some(Kind::Number),
        "boolean" => Some(Kind::Boolean),
        "array" => Some(Kind::Array),
        "object" => Some(Kind::Object),
        "null" => Some(Kind::Null),
        _ => None,
    };
    match type_ {
        Value::String(name) => named(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).find_map(named),
        _ => None,
    }
}

fn request_document(index: usize, item: &Value) -> Result<Document, Refusal> {
    let path = format!("documents[{index}]");
    let (data, id) = match item {
        Value::String(text) => (text_fields(text), None),
        Value::Object(document) => {
            let document = Fields::new(document, path.clone());
            (document_data(&document)?, document.string("id")?)
        }
        _ => return Err(invalid(format!("{path} must be a string or a document"))),
    };
    Ok(Document {
        id: id.map_or_else(|| format!("doc:{index}"), str::to_owned),
        fields: data,
        origin: Origin::Request,
    })
}

/// A document's `data`: an object, or (as Cohere's own guides send it) a string holding one.
/// A string that holds no JSON object is one field, `text`.
fn document_data(document: &Fields<'_>) -> Result<Map<String, Value>, Refusal> {
    match document.get("data") {
        Some(Value::Object(data)) => Ok(flatten(data)),
        Some(Value::String(text)) => Ok(text_fields(text)),
        _ => Err(document.wrong("data", "an object")),
    }
}

/// A text as a document: a JSON object in a string is that object, anything else is `text`.
fn text_fields(text: &str) -> Map<String, Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(data)) => flatten(&data),
        _ => Map::from_iter([("text".to_owned(), Value::String(text.to_owned()))]),
    }
}

/// Every field as a string, as Cohere shows a document to the model and in its citation
/// sources: a nested value becomes its compact JSON (`{"madrid":"24°C"}`).
fn flatten(data: &Map<String, Value>) -> Map<String, Value> {
    data.iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (key.clone(), Value::String(text))
        })
        .collect()
}

fn read_messages(raw: &[Value]) -> Result<Vec<Message>, Refusal> {
    let mut messages: Vec<Message> = Vec::with_capacity(raw.len());
    // Cohere refuses two tool calls with one id anywhere in the conversation.
    let mut call_ids = std::collections::HashSet::new();
    // The ids of the calls of the last assistant message: what a tool message may answer.
    let mut previous_calls: Vec<String> = Vec::new();
    for (index, value) in raw.iter().enumerate() {
        let path = format!("messages[{index}]");
        let Value::Object(object) = value else {
            return Err(invalid(format!("{path} must be an object")));
        };
        let message = Fields::new(object, path);
        let message = match message.get("role").and_then(Value::as_str) {
            Some("user") => Message::User {
                text: content_text(&message, &["text", "image_url"])?,
            },
            Some("system") => Message::System {
                text: content_text(&message, &["text"])?,
            },
            Some("assistant") => {
                let assistant = read_assistant(&message)?;
                previous_calls.clear();
                if let Message::Assistant { tool_calls, .. } = &assistant {
                    for call in tool_calls {
                        if !call_ids.insert(call.id.clone()) {
                            // Cohere's wording.
                            return Err(Refusal::bad_request("cannot have duplicate tool ids"));
                        }
                        previous_calls.push(call.id.clone());
                    }
                }
                assistant
            }
            Some("tool") => read_tool_message(&message, &previous_calls)?,
            // Cohere's v1 wording, with v2's roles.
            _ => {
                return Err(invalid(format!(
                    "Invalid role in messages at index {index}. Role must be one of the following: user, assistant, system, tool"
                )));
            }
        };
        messages.push(message);
    }
    Ok(messages)
}

/// The text of a user or system message: a string, or its text blocks joined by newlines.
fn content_text(message: &Fields<'_>, block_types: &[&str]) -> Result<String, Refusal> {
    let what = "a string or an array of content blocks";
    match message.get("content") {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Array(blocks)) => {
            let mut texts = Vec::new();
            for (index, block) in blocks.iter().enumerate() {
                let path = message.path(&format!("content[{index}]"));
                let Value::Object(block) = block else {
                    return Err(invalid(format!("{path} must be a content block")));
                };
                let block = Fields::new(block, path);
                match block.get("type").and_then(Value::as_str) {
                    Some("text") if block_types.contains(&"text") => {
                        let text = block.string("text")?;
                        texts.push(text.ok_or_else(|| block.wrong("text", "a string"))?);
                    }
                    Some("thinking") if block_types.contains(&"thinking") => {
                        block.string("thinking")?;
                    }
                    Some("image_url") if block_types.contains(&"image_url") => {
                        block.object("image_url")?;
                    }
                    _ => {
                        return Err(
                            block.wrong("type", &format!("one of {}", block_types.join(", ")))
                        );
                    }
                }
            }
            Ok(texts.join("\n"))
        }
        _ => Err(message.wrong("content", what)),
    }
}

fn read_assistant(message: &Fields<'_>) -> Result<Message, Refusal> {
    let text = match message.get("content") {
        None => String::new(),
        Some(_) => content_text(message, &["text", "thinking"])?,
    };
    let tool_plan = message.string("tool_plan")?.unwrap_or_default().to_owned();
    if let Some(citations) = message.get("citations")
        && !citations.is_array()
    {
        return Err(message.wrong("citations", "an array of citations"));
    }
    let tool_calls = match message.get("tool_calls") {
        None => Vec::new(),
        Some(Value::Array(calls)) => calls
            .iter()
            .enumerate()
            .map(|(index, call)| read_tool_call(message, index, call))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(message.wrong("tool_calls", "an array of tool calls")),
    };
    Ok(Message::Assistant {
        text,
        tool_plan,
        tool_calls,
    })
}

fn read_tool_call(
    message: &Fields<'_>,
    index: usize,
    call: &Value,
) -> Result<ToolCallSeen, Refusal> {
    let path = message.path(&format!("tool_calls[{index}]"));
    let Value::Object(call) = call else {
        return Err(invalid(format!("{path} must be an object")));
    };
    let call = Fields::new(call, path);
    let id = call
        .string("id")?
        .ok_or_else(|| call.wrong("id", "a string"))?;
    if call.get("type").and_then(Value::as_str) != Some("function") {
        // Cohere's wording.
        return Err(Refusal::bad_request("tool call must be of type function"));
    }
    let Some(function) = call.object("function")? else {
        return Err(call.wrong("function", "an object"));
    };
    let name = function.string("name")?.unwrap_or_default();
    if !is_tool_name(name) {
        return Err(function.wrong("name", "a tool name"));
    }
    let arguments = function.string("arguments")?.unwrap_or("{}");
    // The API reads the arguments to show the call to the model: a call a client garbled
    // when it replayed the conversation is refused here rather than passed on.
    if !matches!(
        serde_json::from_str::<Value>(arguments),
        Ok(Value::Object(_))
    ) {
        return Err(function.wrong("arguments", "a JSON object, as text"));
    }
    Ok(ToolCallSeen {
        id: id.to_owned(),
        arguments: arguments.to_owned(),
    })
}

fn read_tool_message(message: &Fields<'_>, previous_calls: &[String]) -> Result<Message, Refusal> {
    let Some(call_id) = message
        .get("tool_call_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
    else {
        // Cohere's wording.
        return Err(Refusal::bad_request(
            "tool call id must be provided with tool message",
        ));
    };
    if !previous_calls.iter().any(|id| id == call_id) {
        // Cohere's wording.
        return Err(Refusal::bad_request(
            "tool call id not found in previous tool calls",
        ));
    }
    let document = |index: usize, fields: Map<String, Value>, id: Option<&str>| Document {
        id: id.map_or_else(|| format!("{call_id}:{index}"), str::to_owned),
        fields,
        origin: Origin::Tool,
    };
    let results = match message.get("content") {
        Some(Value::String(text)) => vec![document(0, text_fields(text), None)],
        Some(Value::Array(blocks)) => {
            let mut results = Vec::with_capacity(blocks.len());
            for (index, block) in blocks.iter().enumerate() {
                let path = message.path(&format!("content[{index}]"));
                let Value::Object(block) = block else {
                    return Err(invalid(format!("{path} must be a content block")));
                };
                let block = Fields::new(block, path);
                let result = match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        let text = block
                            .string("text")?
                            .ok_or_else(|| block.wrong("text", "a string"))?;
                        document(index, text_fields(text), None)
                    }
                    Some("document") => {
                        let Some(inner) = block.object("document")? else {
                            return Err(block.wrong("document", "a document"));
                        };
                        document(index, document_data(&inner)?, inner.string("id")?)
                    }
                    _ => return Err(block.wrong("type", "one of text, document")),
                };
                results.push(result);
            }
            results
        }
        _ => return Err(message.wrong("content", "a string or an array of content blocks")),
    };
    Ok(Message::Tool { results })
}

/// Cohere refuses two documents with one id; the index is each one's place among all the
/// documents of the request: `documents` first, then the tool results in message order.
fn no_duplicate_documents(documents: &[Document], messages: &[Message]) -> Result<(), Refusal> {
    let results = messages.iter().flat_map(|message| match message {
        Message::Tool { results } => results.as_slice(),
        _ => &[],
    });
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, document) in documents.iter().chain(results).enumerate() {
        if let Some(first) = seen.insert(document.id.as_str(), index) {
            // Cohere's wording.
            return Err(invalid(format!(
                "duplicate document ID {} at index {index} and {first}",
                quoted(&document.id)
            )));
        }
    }
    Ok(())
}

/// A digest of JSON values as serde_json writes them: FNV-1a, 64 bits, the same on every
/// platform and every run, computed as the JSON is written (nothing is copied).
fn digest(values: &[Value]) -> u64 {
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    // Writing into a hash cannot fail.
    let _ = serde_json::to_writer(&mut hash, values);
    hash.0
}

struct Fnv(u64);

impl std::io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads the fields of one JSON object; an error names the field by its path and says what
/// it must be, never what it was.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    fn new(object: &'a Map<String, Value>, prefix: String) -> Self {
        Self { object, prefix }
    }

    fn path(&self, name: &str) -> String {
        match (self.prefix.is_empty(), name.starts_with('[')) {
            (true, _) => name.to_owned(),
            (false, true) => format!("{}{name}", self.prefix),
            (false, false) => format!("{}.{name}", self.prefix),
        }
    }

    /// The field, `None` when absent or `null` (as the API reads `null`).
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|value| !value.is_null())
    }

    fn wrong(&self, name: &str, what: &str) -> Refusal {
        invalid(format!("{} must be {what}", self.path(name)))
    }

    /// Cohere answers 422 to a field it does not know. The field's name is quoted when it
    /// is a plain identifier, as Cohere quotes it; any other key is not repeated.
    fn no_unknown(&self, known: &[&str]) -> Result<(), Refusal> {
        let Some(unknown) = self
            .object
            .keys()
            .find(|key| !known.contains(&key.as_str()))
        else {
            return Ok(());
        };
        let plain = unknown.len() <= 64
            && unknown
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.'));
        let name = if plain { unknown.as_str() } else { "?" };
        // Cohere's wording.
        Err(Refusal::invalid(format!(
            "unknown field: parameter '{name}' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/chat"
        )))
    }

    fn string(&self, name: &str) -> Result<Option<&'a str>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.wrong(name, "a string")),
        }
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(self.wrong(name, "true or false")),
        }
    }

    fn number(&self, name: &str) -> Result<Option<f64>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a number")),
        }
    }

    fn unsigned(&self, name: &str) -> Result<Option<u64>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a whole number of at least 0")),
        }
    }

    fn object(&self, name: &str) -> Result<Option<Fields<'a>>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(object)) => Ok(Some(Fields::new(object, self.path(name)))),
            Some(_) => Err(self.wrong(name, "an object")),
        }
    }
}

// --- What the model answers. ---

/// A chat response (`ChatResponseV2`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct ChatResponse {
    pub id: String,
    pub finish_reason: FinishReason,
    pub message: AssistantMessage,
    pub usage: Usage,
}

/// `ChatFinishReason`, the values the model gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum FinishReason {
    Complete,
    MaxTokens,
    ToolCall,
}

/// The answer's message (`AssistantMessageResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct AssistantMessage {
    pub role: Assistant,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_plan: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Vec<TextContent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citations: Option<Vec<Citation>>,
}

/// `"assistant"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Assistant {
    #[default]
    Assistant,
}

/// `"function"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FunctionType {
    #[default]
    Function,
}

/// `"text"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TextType {
    #[default]
    Text,
}

/// `ChatTextContent`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct TextContent {
    #[serde(rename = "type")]
    pub kind: TextType,
    pub text: String,
}

/// `ToolCallV2`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct ToolCall {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FunctionType,
    pub function: Function,
}

/// `ToolCallV2Function`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Function {
    pub name: String,
    pub arguments: String,
}

/// `Citation`: `start` and `end` count Unicode code points of the answer's text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Citation {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub sources: Vec<Source>,
    pub content_index: usize,
    #[serde(rename = "type")]
    pub kind: CitationType,
}

/// `CitationType`, the one the model gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum CitationType {
    TextContent,
}

/// `Source`: a tool result, or a document of the request.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum Source {
    Tool {
        id: String,
        tool_output: Map<String, Value>,
    },
    Document {
        id: String,
        document: Map<String, Value>,
    },
}

/// `Usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Usage {
    pub billed_units: Tokens,
    pub tokens: Tokens,
}

/// `UsageBilledUnits` and `UsageTokens`, as the model fills them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Tokens {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(body: &str) -> Refusal {
        parse(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn tool_names_follow_cohere_s_rule() {
        for good in ["a", "_", "search_wiki", "A9_"] {
            assert!(is_tool_name(good), "{good}");
        }
        for bad in ["", "9a", "a-b", "a b", "é", "a.b"] {
            assert!(!is_tool_name(bad), "{bad}");
        }
    }

    #[test]
    fn refusals_never_quote_a_value_they_do_not_have_to() {
        let secret = "sk-SECRET-value";
        for body in [
            format!(r#"{{"model":"m","messages":[{{"role":"{secret}"}}]}}"#),
            format!(r#"{{"model":"m","messages":[{{"role":"user","content":5}}],"k":"{secret}"}}"#),
            format!(
                r#"{{"model":"m","messages":[{{"role":"user","content":"{secret}"}}],"temperature":"{secret}"}}"#
            ),
            format!(r#"{{"model":"m","messages":[],"{secret}!":1}}"#),
            format!(
                r#"{{"model":"m","messages":[{{"role":"tool","tool_call_id":"{secret}","content":""}}]}}"#
            ),
            format!(r#"{{"model":"{secret}"#),
        ] {
            let refusal = refusal(&body);
            assert!(!refusal.message.contains(secret), "{}", refusal.message);
        }
    }

    #[test]
    fn quoted_values_are_cut() {
        let long = "é".repeat(500);
        assert_eq!(quoted(&long).chars().count(), MAX_QUOTED_CHARS + 1);
        assert_eq!(quoted("short"), "short");
    }

    #[test]
    fn nested_document_values_become_compact_json() {
        let fields = text_fields(r#"{"temperature": {"madrid": "24°C"}, "n": 3}"#);
        assert_eq!(fields["temperature"], r#"{"madrid":"24°C"}"#);
        assert_eq!(fields["n"], "3");
        assert_eq!(text_fields("plain")["text"], "plain");
        assert_eq!(text_fields("[1]")["text"], "[1]");
    }
}
