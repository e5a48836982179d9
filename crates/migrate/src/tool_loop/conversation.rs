//! A conversation: its messages in Cohere's shapes, and where each document in them came
//! from. What a turn starts from and what it gives back for the next.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sources::DocumentSource;
use cohere_connectors::chat::Message;

/// The messages of a conversation so far (the user's, the model's turns replayed exactly,
/// the tools' answers) and the sources of the documents in them, by the id the model cites.
/// Serialisable, so that a conversation can be kept between requests.
///
/// ```
/// use cohere_connectors_migrate::tool_loop::Conversation;
///
/// let conversation = Conversation::new()
///     .system("Answer from the documents only.")
///     .user("When is tea served?");
/// assert_eq!(conversation.messages.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Conversation {
    /// The messages, in order.
    pub messages: Vec<Message>,
    /// Where each document given to the model came from, by the id it is cited by.
    #[serde(default)]
    pub sources: BTreeMap<String, DocumentSource>,
}

impl Conversation {
    /// An empty conversation.
    pub fn new() -> Self {
        Self::default()
    }

    /// A conversation of `messages` (a transcript kept elsewhere); documents in it have no
    /// known source.
    pub fn from_messages(messages: impl IntoIterator<Item = Message>) -> Self {
        Self {
            messages: messages.into_iter().collect(),
            sources: BTreeMap::new(),
        }
    }

    /// The same conversation with a system message.
    #[must_use]
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.messages.push(Message::system(text));
        self
    }

    /// The same conversation with the user's next message.
    #[must_use]
    pub fn user(mut self, text: impl Into<String>) -> Self {
        self.messages.push(Message::user(text));
        self
    }
}
