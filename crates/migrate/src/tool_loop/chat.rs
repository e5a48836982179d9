//! [`ConnectorChat`]: the model, the toolbox and the loop's bounds; a turn called or
//! streamed.

use std::fmt;
use std::sync::Arc;

use futures_util::stream::BoxStream;

use super::answer::{ChatAnswer, LoopEvent};
use super::conversation::Conversation;
use super::error::LoopError;
use super::stream::stream_turn;
use super::tokens::{NoUserTokens, UserTokenSource};
use super::turn::{Next, Turn};
use crate::Toolbox;
use cohere_connectors::Client;
use cohere_connectors::chat::{ChatRequest, Message};

/// The most tool steps a turn takes unless told otherwise.
pub const DEFAULT_MAX_STEPS: usize = 8;

/// A stream of a turn's events ([`ConnectorChat::stream`]).
pub type LoopStream = BoxStream<'static, Result<LoopEvent, LoopError>>;

/// Adds settings to each request of a turn (temperature, max tokens...).
type Configure = Arc<dyn Fn(ChatRequest) -> ChatRequest + Send + Sync>;

/// A chat whose tools are connectors: what Cohere did for v1 connectors, in your code. See
/// [the module](super) for what a turn does.
///
/// Cheap to clone (the client and the toolbox are shared).
#[derive(Clone)]
pub struct ConnectorChat {
    client: Client,
    model: String,
    toolbox: Arc<Toolbox>,
    max_steps: usize,
    configure: Option<Configure>,
}

impl fmt::Debug for ConnectorChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorChat")
            .field("model", &self.model)
            .field("tools", &self.toolbox.tools().len())
            .field("max_steps", &self.max_steps)
            .finish_non_exhaustive()
    }
}

impl ConnectorChat {
    /// A chat with `model` through `client`, offering the model `toolbox`'s tools.
    pub fn new(client: Client, model: impl Into<String>, toolbox: Toolbox) -> Self {
        Self {
            client,
            model: model.into(),
            toolbox: Arc::new(toolbox),
            max_steps: DEFAULT_MAX_STEPS,
            configure: None,
        }
    }

    /// The most tool steps one turn takes (default [`DEFAULT_MAX_STEPS`]); a model that asks
    /// for tools once more ends the turn with [`LoopError::TooManySteps`]. 0: the model may
    /// not call tools at all.
    #[must_use]
    pub fn max_steps(mut self, max_steps: usize) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Settings for every request of a turn: `configure` gets the request (model, messages
    /// and tools set) and returns it with more (`temperature`, `max_tokens`, a deadline...).
    #[must_use]
    pub fn configure(
        mut self,
        configure: impl Fn(ChatRequest) -> ChatRequest + Send + Sync + 'static,
    ) -> Self {
        self.configure = Some(Arc::new(configure));
        self
    }

    /// The tools offered.
    pub fn toolbox(&self) -> &Toolbox {
        &self.toolbox
    }

    /// Asks `question` in a new conversation, without user tokens.
    ///
    /// # Errors
    ///
    /// As [`run`](Self::run).
    pub async fn ask(&self, question: impl Into<String>) -> Result<ChatAnswer, LoopError> {
        self.run(Conversation::new().user(question), &NoUserTokens)
            .await
    }

    /// Runs one turn of `conversation` (whose last message is the user's): the model, then
    /// each tool step, until the model answers. OAuth connectors' calls take the user's token
    /// from `tokens`.
    ///
    /// # Errors
    ///
    /// [`LoopError::Chat`] when a request to the model fails (or Cohere refuses it),
    /// [`LoopError::Connector`] when a connector that does not continue on failure fails,
    /// [`LoopError::TooManySteps`] past the step bound, [`LoopError::RepeatedCallId`] and
    /// [`LoopError::CallWithoutId`] for a model turn that cannot be answered.
    pub async fn run(
        &self,
        conversation: Conversation,
        tokens: &dyn UserTokenSource,
    ) -> Result<ChatAnswer, LoopError> {
        let mut turn = Turn::new(self.clone(), conversation);
        loop {
            let response = turn.request().send().await?;
            if let Next::Answer(answer) = turn.take(response, tokens).await? {
                return Ok(*answer);
            }
        }
    }

    /// Runs one turn as [`run`](Self::run) does, with `stream: true`: each model response's
    /// events as they come ([`LoopEvent::Model`]), each tool step once its calls are
    /// answered ([`LoopEvent::Step`]), and last the answer ([`LoopEvent::Answer`]). An error
    /// is the stream's last item. Each model stream is bounded as the SDK's
    /// [`ChatStream`](cohere_connectors::chat::ChatStream) is (a stream that never ends fails
    /// at its size bound).
    pub fn stream(
        &self,
        conversation: Conversation,
        tokens: Arc<dyn UserTokenSource>,
    ) -> LoopStream {
        stream_turn(Turn::new(self.clone(), conversation), tokens)
    }

    /// A request of `messages` with the tools and the settings.
    pub(crate) fn request(&self, messages: impl IntoIterator<Item = Message>) -> ChatRequest {
        let request = self
            .client
            .chat(self.model.clone())
            .messages(messages)
            .tools(self.toolbox.definitions());
        match &self.configure {
            Some(configure) => configure(request),
            None => request,
        }
    }

    pub(crate) fn step_bound(&self) -> usize {
        self.max_steps
    }

    pub(crate) fn shared_toolbox(&self) -> Arc<Toolbox> {
        Arc::clone(&self.toolbox)
    }
}
