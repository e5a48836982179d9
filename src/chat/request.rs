//! `client.chat(model)`: the request builder, what it sends, and the two ways to send it.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;

use super::document::Document;
use super::message::Message;
use super::options::{CitationMode, ResponseFormat, SafetyMode, ToolChoice};
use super::response::ChatResponse;
use super::seam;
use super::sse::Limits;
use super::stream::ChatStream;
use super::tool::ToolDefinition;
use super::validate::{Checked, check};
use crate::api::options::{RequestOptions, call_settings};
use crate::api::response::Response;
use crate::{Client, Error, Operation, Result};

const OPERATION: Operation = Operation::Chat;

impl Client {
    /// A Chat v2 request to `model` (feature `chat`): add messages, tools, documents and
    /// settings, then `.await` it (or [`send_with_meta`](ChatRequest::send_with_meta)), or
    /// [`stream`](ChatRequest::stream) it. The same client, key, base URL, retries, timeouts
    /// and tracing as the connectors' calls.
    ///
    /// ```
    /// use cohere_connectors::chat::{FinishReason, ToolDefinition};
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let search = ToolDefinition::function(
    ///     "search_wiki",
    ///     "Searches the company wiki",
    ///     json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
    /// );
    /// let response = client
    ///     .chat("command-a-plus-05-2026")
    ///     .system("Answer from the wiki.")
    ///     .user("What is the tea policy?")
    ///     .tool(search)
    ///     .temperature(0.3)
    ///     .await?;
    /// assert_eq!(response.finish_reason, FinishReason::ToolCall);
    /// assert_eq!(response.tool_calls()[0].name(), Some("search_wiki"));
    /// # Ok(()) }
    /// ```
    pub fn chat(&self, model: impl Into<String>) -> ChatRequest {
        ChatRequest {
            client: self.clone(),
            model: model.into(),
            messages: Vec::new(),
            tools: Vec::new(),
            strict_tools: None,
            documents: Vec::new(),
            citation_mode: None,
            tool_choice: None,
            settings: Settings::default(),
            limits: Limits::default(),
            options: RequestOptions::new(),
        }
    }
}

/// `POST /v2/chat`; see [`Client::chat`]. Checked before it is sent ([`Error::InvalidArgument`],
/// nothing sent): at least one message; tool names of `[A-Za-z_][A-Za-z0-9_]*`; every tool
/// message answering, once, a call of the assistant message before it; no two documents
/// (the request's, and the tool results') with one id; finite numbers.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ChatRequest {
    client: Client,
    model: String,
    messages: Vec<Message>,
    tools: Vec<ToolDefinition>,
    strict_tools: Option<bool>,
    documents: Vec<Document>,
    citation_mode: Option<CitationMode>,
    tool_choice: Option<ToolChoice>,
    settings: Settings,
    limits: Limits,
    options: RequestOptions,
}

/// The sampling and format settings, sent when set.
#[derive(Clone, Debug, Default, Serialize)]
struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    safety_mode: Option<SafetyMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stop_sequences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<f64>,
}

/// The request body, as Cohere names its fields (`Chatv2Request`); only what is set.
#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: &'a [Message],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tools: &'a [ToolDefinition],
    #[serde(skip_serializing_if = "Option::is_none")]
    strict_tools: Option<bool>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    documents: &'a [Document],
    #[serde(skip_serializing_if = "Option::is_none")]
    citation_options: Option<CitationOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoice>,
    #[serde(flatten)]
    settings: &'a Settings,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
}

#[derive(Serialize)]
struct CitationOptions {
    mode: CitationMode,
}

impl ChatRequest {
    /// Adds a message.
    pub fn message(mut self, message: impl Into<Message>) -> Self {
        self.messages.push(message.into());
        self
    }

    /// Adds messages (a conversation so far).
    pub fn messages(mut self, messages: impl IntoIterator<Item = Message>) -> Self {
        self.messages.extend(messages);
        self
    }

    /// Adds a user message.
    pub fn user(self, text: impl Into<String>) -> Self {
        self.message(Message::user(text))
    }

    /// Adds a system message.
    pub fn system(self, text: impl Into<String>) -> Self {
        self.message(Message::system(text))
    }

    /// Offers the model a tool.
    pub fn tool(mut self, tool: ToolDefinition) -> Self {
        self.tools.push(tool);
        self
    }

    /// Offers the model tools.
    pub fn tools(mut self, tools: impl IntoIterator<Item = ToolDefinition>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Whether tool calls must follow the tools' schemas exactly (`strict_tools`, a beta of
    /// Cohere's).
    pub fn strict_tools(mut self, strict: bool) -> Self {
        self.strict_tools = Some(strict);
        self
    }

    /// Adds a document to ground the answer in (a text, or fields with an id).
    pub fn document(mut self, document: impl Into<Document>) -> Self {
        self.documents.push(document.into());
        self
    }

    /// Adds documents.
    pub fn documents<D: Into<Document>>(mut self, documents: impl IntoIterator<Item = D>) -> Self {
        self.documents.extend(documents.into_iter().map(Into::into));
        self
    }

    /// How the model cites (`citation_options.mode`).
    pub fn citation_mode(mut self, mode: CitationMode) -> Self {
        self.citation_mode = Some(mode);
        self
    }

    /// Whether the model must call a tool, or must not.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    /// The form of the answer: text, or a JSON object.
    pub fn response_format(mut self, format: ResponseFormat) -> Self {
        self.settings.response_format = Some(format);
        self
    }

    /// The safety instruction added to the prompt.
    pub fn safety_mode(mut self, mode: SafetyMode) -> Self {
        self.settings.safety_mode = Some(mode);
        self
    }

    /// The most tokens the answer may take.
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.settings.max_tokens = Some(max_tokens);
        self
    }

    /// Adds a sequence at which the model stops writing.
    pub fn stop_sequence(mut self, stop: impl Into<String>) -> Self {
        self.settings.stop_sequences.push(stop.into());
        self
    }

    /// Adds sequences at which the model stops writing.
    pub fn stop_sequences<S: Into<String>>(mut self, stops: impl IntoIterator<Item = S>) -> Self {
        self.settings
            .stop_sequences
            .extend(stops.into_iter().map(Into::into));
        self
    }

    /// Randomness, from 0 (the likeliest tokens) to 1.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.settings.temperature = Some(temperature);
        self
    }

    /// A seed, for answers that repeat (as far as the model allows).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = Some(seed);
        self
    }

    /// How much the model avoids repeating tokens in proportion to how often they appeared.
    pub fn frequency_penalty(mut self, penalty: f64) -> Self {
        self.settings.frequency_penalty = Some(penalty);
        self
    }

    /// How much the model avoids repeating any token that appeared.
    pub fn presence_penalty(mut self, penalty: f64) -> Self {
        self.settings.presence_penalty = Some(penalty);
        self
    }

    /// Top-k sampling: only the `k` likeliest tokens (0 turns it off).
    pub fn k(mut self, k: u32) -> Self {
        self.settings.k = Some(k);
        self
    }

    /// Nucleus sampling: only the likeliest tokens whose probabilities add up to `p`.
    pub fn p(mut self, p: f64) -> Self {
        self.settings.p = Some(p);
        self
    }

    /// The most bytes one event of a [`stream`](Self::stream) may take
    /// ([`MAX_EVENT_BYTES`](super::MAX_EVENT_BYTES), 1 MiB, unless set): a larger event
    /// fails the stream with [`Error::Decode`] before it is held whole.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let stream = client
    ///     .chat("command-a-plus-05-2026")
    ///     .user("Hello")
    ///     .max_event_bytes(64 * 1024) // Cohere's events are a few hundred bytes
    ///     .max_stream_bytes(8 * 1024 * 1024)
    ///     .stream()
    ///     .await?;
    /// assert_eq!(stream.response().await?.text(), "You said: Hello");
    /// # Ok(()) }
    /// ```
    pub fn max_event_bytes(mut self, bytes: usize) -> Self {
        self.limits.event_bytes = bytes;
        self
    }

    /// The most bytes a whole [`stream`](Self::stream) may send
    /// ([`MAX_STREAM_BYTES`](super::MAX_STREAM_BYTES), 64 MiB, unless set): past it, the
    /// stream fails with [`Error::Decode`], whatever it sends. The response it assembles is
    /// bounded apart, by the client's `max_response_bytes`.
    pub fn max_stream_bytes(mut self, bytes: usize) -> Self {
        self.limits.stream_bytes = bytes;
        self
    }

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] (nothing sent) for a request the rules refuse (see
    /// [`ChatRequest`]) or bad call settings; [`Error::Api`] with Cohere's message for the
    /// API's refusals; [`Error::Transport`] or [`Error::Decode`] for what the network or the
    /// server does.
    pub async fn send(self) -> Result<ChatResponse> {
        self.send_with_meta().await.map(Response::into_value)
    }

    /// Sends the request; the response comes with the answer's metadata.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with_meta(self) -> Result<Response<ChatResponse>> {
        let body = self.body(false)?;
        let redactor = &self.client.shared.redactor;
        let (config, wire) = self.client.prepare(OPERATION, &self.options, redactor)?;
        let (answer, attempts) = self
            .client
            .execute(OPERATION, &config, || seam::send(&wire, &body))
            .await?;
        Ok(answer.with_attempts(attempts))
    }

    /// Sends the request with `stream: true`: the answer's events as they come, once the
    /// first one has arrived (see [`ChatStream`] for what bounds it, and
    /// [`ChatStream::response`] for the assembled response).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), for what happens before the first event.
    pub async fn stream(self) -> Result<ChatStream> {
        let body = self.body(true)?;
        let shared = &*self.client.shared;
        let (config, wire) = self
            .client
            .prepare(OPERATION, &self.options, &shared.redactor)?;
        let started = Instant::now();
        let limits = self.limits;
        let (opening, attempts) = self
            .client
            .execute(OPERATION, &config, || seam::open(&wire, &body, limits))
            .await?;
        let mut opening = opening;
        opening.meta = opening.meta.with_attempts(attempts);
        let limit = wire.transport.body_limit(reqwest::StatusCode::OK);
        let deadline = config
            .deadline
            .and_then(|deadline| Some((deadline, started.checked_add(deadline)?)));
        Ok(ChatStream::new(
            opening,
            limit,
            &shared.redactor,
            deadline,
            started,
        ))
    }

    /// The checked request as the JSON it sends, serialised once for every attempt.
    fn body(&self, stream: bool) -> Result<Bytes> {
        let settings = &self.settings;
        check(&Checked {
            model: &self.model,
            messages: &self.messages,
            tools: &self.tools,
            documents: &self.documents,
            numbers: &[
                ("temperature", settings.temperature),
                ("p", settings.p),
                ("frequency_penalty", settings.frequency_penalty),
                ("presence_penalty", settings.presence_penalty),
            ],
        })?;
        let body = Body {
            model: &self.model,
            messages: &self.messages,
            tools: &self.tools,
            strict_tools: self.strict_tools,
            documents: &self.documents,
            citation_options: self.citation_mode.map(|mode| CitationOptions { mode }),
            tool_choice: self.tool_choice,
            settings,
            stream,
        };
        serde_json::to_vec(&body).map(Bytes::from).map_err(|error| {
            Error::invalid(OPERATION, format!("cannot write the request: {error}"))
        })
    }
}

call_settings!(ChatRequest => options);

impl IntoFuture for ChatRequest {
    type Output = Result<ChatResponse>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ChatResponse>> + Send>>;

    /// `request.await` is `request.send().await`.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
