//! The loop's rules as properties: whatever the model asks (any number of steps, calls of
//! known and unknown tools, ids repeated) and whatever the connectors answer (documents with
//! colliding ids, failures), every call is answered exactly once, right after the model's
//! turn replayed exactly; no two documents of a conversation share an id; the loop ends,
//! within its bound, with the outcome the rules say.

use std::collections::HashSet;

use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector, SearchFailure};
use cohere_connectors_migrate::tool_loop::{CitedSource, ConnectorChat, LoopError};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::connectors::{tool, toolbox};
use super::model::{ScriptedModel, answer_citing, tool_messages, tool_turn};

/// The tools: two that continue on failure, one that does not, and a name the toolbox lacks.
const TOOLS: [&str; 4] = ["search_a", "search_b", "search_c", "search_unknown"];

#[derive(Clone, Debug)]
struct Call {
    tool: usize,
    documents: usize,
    fails: bool,
    /// Reuse the id of an earlier call of the script (by position), instead of a new one.
    repeats: Option<usize>,
}

fn call() -> impl Strategy<Value = Call> {
    (
        0..4_usize,
        0..4_usize,
        prop::bool::weighted(0.2),
        prop::option::weighted(0.05, 0..8_usize),
    )
        .prop_map(|(tool, documents, fails, repeats)| Call {
            tool,
            documents,
            fails,
            repeats,
        })
}

/// A connector that answers the query `"<documents> <fails>"`: that many documents with
/// ids from a small pool (so that they collide), or a 500.
async fn connector() -> RunningConnector {
    ConnectorService::new(Access::open(), |request, _| async move {
        let mut parts = request.query.split(' ');
        let count: usize = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        if parts.next() == Some("true") {
            return Err(SearchFailure::unavailable("down"));
        }
        Ok((0..count)
            .map(|i| {
                Document::new()
                    .with_id((i % 2).to_string())
                    .with_text(format!("text {i}"))
            })
            .collect())
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap()
}

/// What the rules say a script ends with.
#[derive(Debug, PartialEq)]
enum Expected {
    Answer,
    TooManySteps,
    Repeated,
    Connector,
}

fn expected(script: &[Vec<(String, Call)>], max_steps: usize) -> Expected {
    let mut ids = HashSet::new();
    for (index, step) in script.iter().enumerate() {
        if index >= max_steps {
            return Expected::TooManySteps;
        }
        if step.iter().any(|(id, _)| !ids.insert(id.clone())) {
            return Expected::Repeated;
        }
        if step.iter().any(|(_, call)| call.tool == 2 && call.fails) {
            return Expected::Connector;
        }
    }
    Expected::Answer
}

/// The script with its call ids: new ones, or an earlier call's when it repeats.
fn with_ids(steps: Vec<Vec<Call>>) -> Vec<Vec<(String, Call)>> {
    let mut all: Vec<String> = Vec::new();
    steps
        .into_iter()
        .enumerate()
        .map(|(s, calls)| {
            calls
                .into_iter()
                .enumerate()
                .map(|(c, call)| {
                    let id = match call.repeats.filter(|at| *at < all.len()) {
                        Some(at) => all[at].clone(),
                        None => format!("s{s}c{c}"),
                    };
                    all.push(id.clone());
                    (id, call)
                })
                .collect()
        })
        .collect()
}

fn model_turn(step: &[(String, Call)]) -> Value {
    let calls: Vec<(&str, &str, Value)> = step
        .iter()
        .map(|(id, call)| {
            (
                id.as_str(),
                TOOLS[call.tool],
                json!({"query": format!("{} {}", call.documents, call.fails)}),
            )
        })
        .collect();
    tool_turn("plan", &calls)
}

/// The ids of the documents the last request gave the model.
fn given_ids(request: &Value) -> Vec<String> {
    tool_messages(request)
        .iter()
        .flat_map(|message| message["content"].as_array().unwrap().iter())
        .filter_map(|block| block["document"]["id"].as_str().map(str::to_owned))
        .collect()
}

fn check_requests(
    requests: &[Value],
    script: &[Vec<(String, Call)>],
    responses: &[Value],
) -> Result<(), TestCaseError> {
    let mut all_ids = HashSet::new();
    for (n, request) in requests.iter().enumerate().skip(1) {
        let before = requests[n - 1]["messages"].as_array().unwrap();
        let messages = request["messages"].as_array().unwrap();
        prop_assert_eq!(
            &messages[..before.len()],
            &before[..],
            "the conversation is kept"
        );
        let added = &messages[before.len()..];
        // The model's turn, exactly; then one answer per call, in order.
        prop_assert_eq!(&added[0], &responses[n - 1]["message"]);
        let ids: Vec<&str> = script[n - 1].iter().map(|(id, _)| id.as_str()).collect();
        let answered: Vec<&str> = added[1..]
            .iter()
            .map(|m| m["tool_call_id"].as_str().unwrap())
            .collect();
        prop_assert_eq!(answered, ids);
        for message in &added[1..] {
            prop_assert_eq!(&message["role"], "tool");
            for (index, block) in message["content"].as_array().unwrap().iter().enumerate() {
                let id = block["document"]["id"].as_str().map_or_else(
                    || format!("{}:{index}", message["tool_call_id"].as_str().unwrap()),
                    str::to_owned,
                );
                prop_assert!(all_ids.insert(id.clone()), "the id {} repeats", id);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_call_is_answered_once_ids_are_unique_and_the_loop_ends(
        steps in prop::collection::vec(prop::collection::vec(call(), 1..4), 0..6),
        max_steps in 0..5_usize,
    ) {
        let script = with_ids(steps);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let connectors = [connector().await, connector().await, connector().await];
            let turns: Vec<Value> = script.iter().map(|step| model_turn(step)).collect();
            let scripted = turns.clone();
            let model = ScriptedModel::start(move |n, request| match scripted.get(n) {
                Some(turn) => turn.clone(),
                None => {
                    let ids = given_ids(request);
                    answer_citing("answer", &ids.iter().map(String::as_str).collect::<Vec<_>>())
                }
            })
            .await;
            let chat = ConnectorChat::new(
                model.client(),
                "m",
                toolbox([
                    tool("a", &connectors[0].url(), json!({"continue_on_failure": true})),
                    tool("b", &connectors[1].url(), json!({"continue_on_failure": true})),
                    tool("c", &connectors[2].url(), json!({"continue_on_failure": false})),
                ]),
            )
            .max_steps(max_steps);
            let outcome = chat.ask("question").await;
            let requests = model.requests();
            prop_assert!(requests.len() <= max_steps + 1, "{} requests", requests.len());
            check_requests(&requests, &script, &turns)?;
            let got = match &outcome {
                Ok(_) => Expected::Answer,
                Err(LoopError::TooManySteps { .. }) => Expected::TooManySteps,
                Err(LoopError::RepeatedCallId { .. }) => Expected::Repeated,
                Err(LoopError::Connector { connector, .. }) => {
                    prop_assert_eq!(connector, "c");
                    Expected::Connector
                }
                Err(other) => return Err(TestCaseError::fail(format!("{other}"))),
            };
            prop_assert_eq!(got, expected(&script, max_steps));
            if let Ok(answer) = outcome {
                prop_assert_eq!(answer.steps.len(), script.len());
                for source in answer.citations.iter().flat_map(|c| &c.sources) {
                    let CitedSource::Document(source) = source else {
                        return Err(TestCaseError::fail(format!("unresolved {source:?}")));
                    };
                    prop_assert_eq!(format!("search_{}", source.connector), source.tool.clone());
                }
            }
            Ok(())
        })?;
    }
}
