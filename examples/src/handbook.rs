//! The bundled documents the example connector searches: a small, made-up staff handbook.

use std::sync::Arc;

use cohere_connectors::{Secret, ServiceAuth};
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, AccessError, ConnectorService, SearchFailure};
use serde::Deserialize;

use crate::bm25::Index;

/// The handbook, as bundled (`data/handbook.json`).
pub const HANDBOOK_JSON: &str = include_str!("../data/handbook.json");

#[derive(Debug, Clone, Deserialize)]
struct Page {
    id: String,
    title: String,
    text: String,
    url: String,
    updated: String,
}

/// A searchable set of handbook pages.
#[derive(Debug, Clone)]
pub struct Handbook {
    pages: Vec<Page>,
    index: Index,
}

impl Handbook {
    /// The bundled handbook.
    pub fn bundled() -> Self {
        Self::from_json(HANDBOOK_JSON).expect("the bundled handbook is valid JSON")
    }

    /// A handbook from JSON: `[{"id", "title", "text", "url", "updated"}, ...]`.
    ///
    /// # Errors
    ///
    /// When `json` is not such a list.
    pub fn from_json(json: &str) -> serde_json::Result<Self> {
        let pages: Vec<Page> = serde_json::from_str(json)?;
        // The title counts twice: a word in it says more about the page than one in the text.
        let searchable: Vec<String> = pages
            .iter()
            .map(|page| format!("{0} {0} {1}", page.title, page.text))
            .collect();
        let index = Index::new(searchable.iter().map(String::as_str));
        Ok(Self { pages, index })
    }

    /// How many pages it has.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The best `limit` pages for `query`, as documents in Cohere's recommended shape (with
    /// their BM25 score in a `score` field, for `excludes` to keep out of the prompt).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Document> {
        self.index
            .search(query, limit)
            .into_iter()
            .map(|(position, score)| {
                let page = &self.pages[position];
                Document::new()
                    .with_id(&page.id)
                    .with_title(&page.title)
                    .with_text(&page.text)
                    .with_url(&page.url)
                    .with_timestamp(&page.updated)
                    .with("score", format!("{score:.3}"))
            })
            .collect()
    }
}

/// Documents per search: a few short ones serve a chat model best.
pub const RESULTS: usize = 3;

/// The handbook as a connector: `POST /search` with service auth (`Bearer <token>`). A blank
/// query finds nothing (an empty `results`), as Cohere's own connector templates answer it.
///
/// # Errors
///
/// [`AccessError`] for a blank token, which must never let anyone in.
pub fn connector_service(
    handbook: Arc<Handbook>,
    token: Secret,
) -> Result<ConnectorService, AccessError> {
    let access = Access::service(ServiceAuth::bearer(token))?;
    Ok(ConnectorService::new(access, move |request, _caller| {
        let handbook = Arc::clone(&handbook);
        async move { Ok::<_, SearchFailure>(handbook.search(&request.query, RESULTS)) }
    }))
}

/// A token for an example run: random, never printed.
pub fn random_token() -> Secret {
    use std::hash::{BuildHasher, RandomState};
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    Secret::new(format!("handbook-{random:016x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_handbook_answers_questions_with_the_right_page_first() {
        let handbook = Handbook::bundled();
        assert_eq!(handbook.len(), 12);
        for (question, page) in [
            ("Can I expense a taxi home late at night?", "hb-expenses"),
            ("Can I get a taxi refunded late at night?", "hb-expenses"),
            ("someone sent me a strange email with a link", "hb-phishing"),
            ("how many holiday days do I get", "hb-holidays"),
            ("I lost my laptop", "hb-laptop"),
            ("suspicious email with an attachment", "hb-phishing"),
            ("budget for a conference", "hb-learning"),
            ("when is salary paid", "hb-payroll"),
        ] {
            let found = handbook.search(question, 3);
            assert_eq!(found[0].id(), Some(page), "{question}: {found:?}");
        }
        assert!(handbook.search("zebra", 3).is_empty());
    }

    #[test]
    fn results_have_every_recommended_field_as_strings() {
        let found = Handbook::bundled().search("password", 1);
        let document = &found[0];
        for field in ["id", "title", "text", "url", "timestamp", "score"] {
            assert!(document.get(field).is_some(), "{field}");
        }
        assert_eq!(document.timestamp(), Some("2025-05-30T13:05:00Z"));
    }
}
