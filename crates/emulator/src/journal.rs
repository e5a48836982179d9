//! A record of what the emulator answered (off unless asked for), so that a test can check
//! what its code sent and what came back: the operation, the status and the JSON body.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use cohere_connectors::Operation;

/// One request the emulator answered.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Exchange {
    /// The operation the request was for, if it was one of the API's six.
    pub operation: Option<Operation>,
    /// The HTTP method.
    pub method: String,
    /// The path (never the query, which may carry a key).
    pub path: String,
    /// The status of the answer.
    pub status: u16,
    /// The body of the answer, when it is JSON.
    pub body: Option<serde_json::Value>,
}

/// The last `capacity` exchanges.
#[derive(Clone, Debug, Default)]
pub(crate) struct Journal {
    capacity: usize,
    entries: Arc<Mutex<VecDeque<Exchange>>>,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Arc::default(),
        }
    }

    pub(crate) fn is_on(&self) -> bool {
        self.capacity > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Exchange>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn record(&self, exchange: Exchange) {
        if !self.is_on() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(exchange);
    }

    pub(crate) fn entries(&self) -> Vec<Exchange> {
        self.lock().iter().cloned().collect()
    }
}

/// Which of the API's operations `method` and `path` are.
pub(crate) fn operation_of(method: &str, path: &str) -> Option<Operation> {
    Operation::ALL.into_iter().find(|operation| {
        let same_method = operation.method() == method
            // The GET that Cohere's Python SDK 4.x sends to authorize (see the routes).
            || (*operation == Operation::AuthorizeOAuth && method == "GET");
        same_method && matches_template(operation.path_template(), path)
    })
}

fn matches_template(template: &str, path: &str) -> bool {
    let mut expected = template.split('/');
    let mut actual = path.split('/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return true,
            (Some("{id}"), Some(segment)) if !segment.is_empty() => {}
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_operations() {
        assert_eq!(
            operation_of("GET", "/v1/connectors"),
            Some(Operation::ListConnectors)
        );
        assert_eq!(
            operation_of("POST", "/v1/connectors/a%2Fb/oauth/authorize"),
            Some(Operation::AuthorizeOAuth)
        );
        assert_eq!(
            operation_of("PATCH", "/v1/connectors/x"),
            Some(Operation::UpdateConnector)
        );
        assert_eq!(operation_of("GET", "/v1/connectors/oauth/token"), None);
        assert_eq!(operation_of("PUT", "/v1/connectors/x"), None);
    }

    #[test]
    fn the_journal_keeps_the_last_entries() {
        let journal = Journal::new(2);
        for status in [200, 201, 202] {
            journal.record(Exchange {
                operation: None,
                method: "GET".into(),
                path: "/".into(),
                status,
                body: None,
            });
        }
        let statuses: Vec<u16> = journal.entries().iter().map(|e| e.status).collect();
        assert_eq!(statuses, [201, 202]);
        Journal::default().record(Exchange {
            operation: None,
            method: "GET".into(),
            path: "/".into(),
            status: 200,
            body: None,
        });
    }
}
