//! Connectors for the loop's tests: the kit's, answering fixed documents.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector};
use cohere_connectors_migrate::{ConnectorTool, ManifestConnector, Secrets, Toolbox};
use serde_json::{Value, json};

/// A running kit connector answering `documents` to any query, counting its searches.
pub struct Served {
    pub running: RunningConnector,
    pub searches: Arc<AtomicUsize>,
}

impl Served {
    pub fn searches(&self) -> usize {
        self.searches.load(Ordering::SeqCst)
    }
}

pub async fn serve(documents: Vec<Document>) -> Served {
    let searches = Arc::new(AtomicUsize::new(0));
    let counted = searches.clone();
    let running = ConnectorService::new(Access::open(), move |_, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        let documents = documents.clone();
        async move { Ok(documents) }
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    Served { running, searches }
}

/// The tool of a manifest entry `{"id": id, "name": id, "url": url, ..extra}`.
pub fn tool(id: &str, url: &str, extra: Value) -> ConnectorTool {
    let mut entry = json!({"id": id, "name": id, "url": url});
    entry
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let entry: ManifestConnector = serde_json::from_value(entry).unwrap();
    ConnectorTool::from_manifest(&entry, &Secrets::none()).unwrap()
}

pub fn toolbox(tools: impl IntoIterator<Item = ConnectorTool>) -> Toolbox {
    let mut toolbox = Toolbox::new();
    for tool in tools {
        toolbox.add(tool);
    }
    toolbox
}

/// A document with an id, a title and a text.
pub fn doc(id: &str, title: &str, text: &str) -> Document {
    Document::new()
        .with_id(id)
        .with_title(title)
        .with_text(text)
}
