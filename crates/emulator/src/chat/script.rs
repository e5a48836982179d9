//! The scripted model: pure functions from a request to a response, so that a test knows
//! what the model will say before it asks. The rules are the crate's documented ones (see
//! the chat module); the bounds below keep every answer small whatever the request holds.

use serde_json::{Map, Value};

use super::wire::{
    AssistantMessage, ChatRequest, ChatResponse, Citation, CitationType, Document, FinishReason,
    Function, FunctionType, Kind, Message, Origin, Source, TextContent, TextType, Tokens, ToolCall,
    ToolChoice, Usage,
};

/// How many tools the model calls in one turn unless told otherwise.
pub const DEFAULT_TOOL_CALLS: usize = 32;
/// The most documents one answer cites (the rest were read, not cited).
pub(crate) const MAX_CITED_DOCUMENTS: usize = 50;
/// The longest quote of a document in an answer, in characters (Unicode code points).
pub(crate) const MAX_QUOTE_CHARS: usize = 300;
/// The longest label (a title or an id) before a quote, in characters.
pub(crate) const MAX_LABEL_CHARS: usize = 100;
/// The longest user text copied into a tool call's arguments or a plain answer, in
/// characters.
pub(crate) const MAX_ECHO_CHARS: usize = 4096;

/// What the answer says when the tools gave it nothing to read.
const NOTHING_TO_CITE: &str = "The tools returned nothing to cite.";

/// How the model behaves, set on the emulator's builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Script {
    /// The most tools called in one turn (at least 1).
    pub tool_calls: usize,
    /// Calls the tools again after their results, instead of answering: a model that never
    /// stops, to test a loop's bound on its steps.
    pub keep_calling_tools: bool,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            tool_calls: DEFAULT_TOOL_CALLS,
            keep_calling_tools: false,
        }
    }
}

/// The kind of turn the model takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Turn {
    ToolCalls,
    Grounded,
    Plain,
}

/// The model's answer to `request`, under the response id `id`.
pub(crate) fn respond(request: &ChatRequest, script: &Script, id: String) -> ChatResponse {
    let question = cut(last_user_text(&request.messages), MAX_ECHO_CHARS);
    let (finish_reason, message) = match turn(request, script) {
        Turn::ToolCalls => (
            FinishReason::ToolCall,
            tool_calls(request, script, &question),
        ),
        Turn::Grounded => {
            let (text, citations) = grounded(request);
            answer(request, text, citations)
        }
        Turn::Plain => {
            let text = if question.is_empty() {
                "You said nothing.".to_owned()
            } else {
                format!("You said: {question}")
            };
            answer(request, text, Vec::new())
        }
    };
    ChatResponse {
        id,
        finish_reason,
        usage: usage(request, &message),
        message,
    }
}

fn turn(request: &ChatRequest, script: &Script) -> Turn {
    let last = request.messages.last();
    let after_results = matches!(last, Some(Message::Tool { .. }));
    let calls = match request.tool_choice {
        ToolChoice::Required => true,
        ToolChoice::None => false,
        ToolChoice::Auto => {
            !request.tools.is_empty()
                && (matches!(last, Some(Message::User { .. }))
                    || (after_results && script.keep_calling_tools))
        }
    };
    if calls {
        Turn::ToolCalls
    } else if after_results || !request.documents.is_empty() {
        Turn::Grounded
    } else {
        Turn::Plain
    }
}

fn last_user_text(messages: &[Message]) -> &str {
    messages
        .iter()
        .rev()
        .find_map(|message| match message {
            Message::User { text } => Some(text.as_str()),
            _ => None,
        })
        .unwrap_or_default()
}

/// One call per tool, in order, up to the script's bound.
fn tool_calls(request: &ChatRequest, script: &Script, question: &str) -> AssistantMessage {
    let calls: Vec<ToolCall> = request
        .tools
        .iter()
        .take(script.tool_calls.max(1))
        .enumerate()
        .map(|(index, tool)| {
            let arguments: Map<String, Value> = tool
                .required
                .iter()
                .map(|(name, kind)| (name.clone(), filled(*kind, question)))
                .collect();
            ToolCall {
                id: call_id(&tool.name, request.digest, index),
                kind: FunctionType::Function,
                function: Function {
                    name: tool.name.clone(),
                    arguments: Value::Object(arguments).to_string(),
                },
            }
        })
        .collect();
    let names: Vec<&str> = calls
        .iter()
        .map(|call| call.function.name.as_str())
        .collect();
    AssistantMessage {
        tool_plan: Some(format!("I will call {} to answer this.", listed(&names))),
        tool_calls: Some(calls),
        ..AssistantMessage::default()
    }
}

/// A required parameter's value: the user's text for a string, an empty or zero value of
/// the right type for anything else.
fn filled(kind: Kind, question: &str) -> Value {
    match kind {
        Kind::String => Value::String(question.to_owned()),
        Kind::Number => Value::from(0),
        Kind::Boolean => Value::Bool(false),
        Kind::Array => Value::Array(Vec::new()),
        Kind::Object => Value::Object(Map::new()),
        Kind::Null => Value::Null,
    }
}

/// `a`, `a and b`, `a, b and c`.
fn listed(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Cohere's form, `<tool name>_<12 lowercase letters and digits>`; the suffix comes from the
/// conversation's digest, counted up by the call's index, so that the ids of one turn differ
/// from each other and from those of any other step.
fn call_id(name: &str, digest: u64, index: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    const SPACE: u64 = 36_u64.pow(12);
    let offset = u64::try_from(index).unwrap_or(u64::MAX);
    let mut number = (digest % SPACE).wrapping_add(offset) % SPACE;
    let mut suffix = [b'0'; 12];
    for digit in suffix.iter_mut().rev() {
        // A remainder below 36 always fits.
        *digit = DIGITS[usize::try_from(number % 36).unwrap_or(0)];
        number /= 36;
    }
    format!("{name}_{}", String::from_utf8_lossy(&suffix))
}

/// The documents of this turn: the request's, then the tool results since the last user
/// message.
fn given_documents(request: &ChatRequest) -> impl Iterator<Item = &Document> {
    let turn_start = request
        .messages
        .iter()
        .rposition(|message| matches!(message, Message::User { .. }))
        .map_or(0, |index| index + 1);
    let results = request.messages[turn_start..]
        .iter()
        .flat_map(|message| match message {
            Message::Tool { results } => results.as_slice(),
            _ => &[],
        });
    request.documents.iter().chain(results)
}

/// One line per document, `<title or id> says: <quote>`, each quote cited.
fn grounded(request: &ChatRequest) -> (String, Vec<Citation>) {
    let mut text = String::new();
    let mut length = 0;
    let mut citations = Vec::new();
    for document in given_documents(request).take(MAX_CITED_DOCUMENTS) {
        if !text.is_empty() {
            text.push('\n');
            length += 1;
        }
        let lead = format!("{} says: ", cut(label(document), MAX_LABEL_CHARS));
        length += lead.chars().count();
        text.push_str(&lead);
        let quote = cut(&quote(document), MAX_QUOTE_CHARS);
        let start = length;
        length += quote.chars().count();
        text.push_str(&quote);
        citations.push(Citation {
            start,
            end: length,
            text: quote,
            sources: vec![source(document)],
            content_index: 0,
            kind: CitationType::TextContent,
        });
    }
    if text.is_empty() {
        text = NOTHING_TO_CITE.to_owned();
    }
    (text, citations)
}

fn field<'a>(document: &'a Document, name: &str) -> Option<&'a str> {
    document
        .fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

fn label(document: &Document) -> &str {
    field(document, "title").unwrap_or(&document.id)
}

/// The document's text (`text`, `snippet` or `content`, the first there), or all its fields.
fn quote(document: &Document) -> String {
    ["text", "snippet", "content"]
        .into_iter()
        .find_map(|name| field(document, name))
        .map_or_else(
            || Value::Object(document.fields.clone()).to_string(),
            str::to_owned,
        )
}

/// A citation's source, as Cohere gives it: a request document with its id among its
/// fields, a tool result with its output.
fn source(document: &Document) -> Source {
    match document.origin {
        Origin::Request => {
            let mut fields = document.fields.clone();
            fields.insert("id".to_owned(), Value::String(document.id.clone()));
            Source::Document {
                id: document.id.clone(),
                document: fields,
            }
        }
        Origin::Tool => Source::Tool {
            id: document.id.clone(),
            tool_output: document.fields.clone(),
        },
    }
}

/// A text answer: cut at `max_tokens` tokens (then `MAX_TOKENS`, keeping only the citations
/// of the text left), citations left out when the request turned them off.
fn answer(
    request: &ChatRequest,
    text: String,
    citations: Vec<Citation>,
) -> (FinishReason, AssistantMessage) {
    let limit = request
        .max_tokens
        .map_or(usize::MAX, |max| usize::try_from(max).unwrap_or(usize::MAX));
    let (text, finish_reason) = if tokens(&text).count() > limit {
        let kept: String = tokens(&text).take(limit).collect();
        (kept, FinishReason::MaxTokens)
    } else {
        (text, FinishReason::Complete)
    };
    let length = text.chars().count();
    let citations: Vec<Citation> = citations
        .into_iter()
        .filter(|citation| request.citations && citation.end <= length)
        .collect();
    let message = AssistantMessage {
        content: Some(vec![TextContent {
            kind: TextType::Text,
            text,
        }]),
        citations: (!citations.is_empty()).then_some(citations),
        ..AssistantMessage::default()
    };
    (finish_reason, message)
}

/// The model's tokens: each word with the whitespace before it (`I`, ` will`, ` call`), as
/// Cohere streams them. They concatenate back to the text.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let word = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        let end = rest[word..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |offset| word + offset);
        let (token, tail) = rest.split_at(end);
        rest = tail;
        Some(token)
    })
}

fn count(text: &str) -> u64 {
    u64::try_from(tokens(text).count()).unwrap_or(u64::MAX)
}

fn fields_tokens(document: &Document) -> u64 {
    document
        .fields
        .values()
        .filter_map(Value::as_str)
        .map(count)
        .fold(0, u64::saturating_add)
}

/// Tokens read: every message's text, tool plan and call arguments, every document's
/// fields. Tokens written: the answer, or the plan and the arguments. The emulator bills
/// every token (`billed_units` and `tokens` agree).
fn usage(request: &ChatRequest, message: &AssistantMessage) -> Usage {
    let read = request
        .messages
        .iter()
        .map(|message| match message {
            Message::User { text } | Message::System { text } => count(text),
            Message::Assistant {
                text,
                tool_plan,
                tool_calls,
            } => tool_calls.iter().map(|call| count(&call.arguments)).fold(
                count(text).saturating_add(count(tool_plan)),
                u64::saturating_add,
            ),
            Message::Tool { results } => results
                .iter()
                .map(fields_tokens)
                .fold(0, u64::saturating_add),
        })
        .chain(request.documents.iter().map(fields_tokens))
        .fold(0, u64::saturating_add);
    let texts = message
        .content
        .iter()
        .flatten()
        .map(|content| count(&content.text));
    let plan = message.tool_plan.iter().map(|plan| count(plan));
    let arguments = message
        .tool_calls
        .iter()
        .flatten()
        .map(|call| count(&call.function.arguments));
    let written = texts
        .chain(plan)
        .chain(arguments)
        .fold(0, u64::saturating_add);
    let tokens = Tokens {
        input_tokens: read,
        output_tokens: written,
    };
    Usage {
        billed_units: tokens,
        tokens,
    }
}

/// The first `max` characters of `text`.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_put_whitespace_before_words_and_concatenate_back() {
        let split: Vec<&str> = tokens("I will  call\n it ").collect();
        assert_eq!(split, ["I", " will", "  call", "\n it", " "]);
        for text in ["", " ", "é ü", "a", "  lead", "x\u{2003}y"] {
            assert_eq!(tokens(text).collect::<String>(), text);
        }
        assert_eq!(tokens("").count(), 0);
    }

    #[test]
    fn call_ids_have_cohere_s_form_and_differ_within_a_turn() {
        let first = call_id("search_wiki", u64::MAX, 0);
        let (name, suffix) = first.rsplit_once('_').unwrap();
        assert_eq!(name, "search_wiki");
        assert_eq!(suffix.len(), 12);
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        let ids: std::collections::HashSet<String> = (0..1000)
            .map(|index| call_id("t", u64::MAX - 3, index))
            .collect();
        assert_eq!(ids.len(), 1000);
        assert_ne!(call_id("t", 1, 0), call_id("t", 2, 0));
    }

    #[test]
    fn cut_counts_code_points() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("hé", 10), "hé");
        assert_eq!(cut("🦀🦀🦀", 1), "🦀");
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(listed(&["a"]), "a");
        assert_eq!(listed(&["a", "b"]), "a and b");
        assert_eq!(listed(&["a", "b", "c"]), "a, b and c");
    }
}
