//! Where each document the model was given came from, and the citations of an answer
//! resolved to those sources: what a v1 connectors user got from Cohere.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use cohere_connectors::chat::{Citation, Message, ToolContent};

/// Where one document the model was given came from: the connector, the call, the
/// connector's own id, its title and URL, and which part of it this is when it was split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocumentSource {
    /// The id the model cites it by, unique in the conversation.
    pub id: String,
    /// The connector's id (escaped).
    pub connector: String,
    /// The tool the model called.
    pub tool: String,
    /// The call it answered.
    pub tool_call_id: String,
    /// The connector's own id of the document, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Its `title`, unless excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its `url`, unless excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Which part of the document this is, when it was longer than the model is given at
    /// once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk: Option<Chunk>,
}

/// A part of a document split to Cohere's recommended size: the words `start_word..end_word`
/// of its field `field` (words are runs of non-whitespace; the chunk's text is the
/// document's, from the first word's first byte to the last word's last). `truncated` says
/// words (or fields) beyond the last chunk were left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Chunk {
    /// Its place among the document's chunks, from 0.
    pub index: usize,
    /// How many chunks the document was given as.
    pub count: usize,
    /// The field split.
    pub field: String,
    /// Its first word, from 0, in that field.
    pub start_word: usize,
    /// The word after its last.
    pub end_word: usize,
    /// Whether part of the document was left out (past the last chunk, or fields beside it
    /// over their share).
    pub truncated: bool,
}

/// A citation of the answer with its sources resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResolvedCitation {
    /// Where the span starts in the answer's text, in Unicode code points.
    pub start: u64,
    /// Where it ends (exclusive).
    pub end: u64,
    /// The span's text, as the model wrote it.
    pub text: String,
    /// What it cites.
    pub sources: Vec<CitedSource>,
}

/// One source of a citation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CitedSource {
    /// A document a connector returned.
    Document(Box<DocumentSource>),
    /// Something else the model cites: a tool's error text, or an id the conversation never
    /// gave (as the model wrote it).
    Other {
        /// The id cited, if any.
        id: Option<String>,
    },
}

impl CitedSource {
    /// The document, for a connector's.
    pub fn document(&self) -> Option<&DocumentSource> {
        match self {
            Self::Document(source) => Some(source.as_ref()),
            Self::Other { .. } => None,
        }
    }
}

/// The conversation's ids: every document id Cohere will count (a document block's own, a
/// text block's `<tool_call_id>:<index>`) and every tool call id, so that new ones never
/// repeat them; and the sources of the documents.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    document_ids: HashSet<String>,
    call_ids: HashSet<String>,
}

impl Ledger {
    /// The ids `messages` already hold.
    pub(crate) fn of(messages: &[Message]) -> Self {
        let mut ledger = Self::default();
        for message in messages {
            match message {
                Message::Assistant(assistant) => {
                    for call in &assistant.tool_calls {
                        ledger.call_ids.insert(call.id.clone());
                    }
                }
                Message::Tool(tool) => {
                    for (index, block) in tool.content.iter().enumerate() {
                        let id = match block {
                            ToolContent::Document { document } => document.id.clone(),
                            _ => None,
                        };
                        ledger
                            .document_ids
                            .insert(id.unwrap_or_else(|| implicit_id(&tool.tool_call_id, index)));
                    }
                }
                _ => {}
            }
        }
        ledger
    }

    /// Takes a call id; false when the conversation already has it.
    pub(crate) fn take_call_id(&mut self, id: &str) -> bool {
        self.call_ids.insert(id.to_owned())
    }

    /// A document id like `wanted`, not yet taken: `wanted` itself, or `wanted~2`, `~3`...
    pub(crate) fn take_document_id(&mut self, wanted: &str) -> String {
        let mut id = wanted.to_owned();
        let mut suffix = 2_u64;
        while self.document_ids.contains(&id) {
            id = format!("{wanted}~{suffix}");
            suffix = suffix.saturating_add(1);
        }
        self.document_ids.insert(id.clone());
        id
    }

    /// Takes the id Cohere gives the text block `index` of the answer to `tool_call_id`.
    pub(crate) fn take_text_block(&mut self, tool_call_id: &str, index: usize) {
        self.document_ids.insert(implicit_id(tool_call_id, index));
    }
}

/// Cohere's id for a tool result block without one of its own.
fn implicit_id(tool_call_id: &str, index: usize) -> String {
    format!("{tool_call_id}:{index}")
}

/// `citations` with each source looked up in `sources`.
pub(crate) fn resolve(
    citations: &[Citation],
    sources: &BTreeMap<String, DocumentSource>,
) -> Vec<ResolvedCitation> {
    citations
        .iter()
        .map(|citation| ResolvedCitation {
            start: citation.start,
            end: citation.end,
            text: citation.text.clone(),
            sources: citation
                .sources
                .iter()
                .map(|source| match source.id().and_then(|id| sources.get(id)) {
                    Some(found) => CitedSource::Document(Box::new(found.clone())),
                    None => CitedSource::Other {
                        id: source.id().map(str::to_owned),
                    },
                })
                .collect(),
        })
        .collect()
}
