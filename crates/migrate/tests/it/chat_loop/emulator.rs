//! End to end against the emulator's model, whose refusals are Cohere's: duplicate
//! document ids, tool messages for calls not made, bad tool names. A turn that passes them
//! has kept Cohere's rules, not only ours.

use cohere_connectors_emulator::{Emulator, StreamFault};
use cohere_connectors_migrate::tool_loop::{
    ChatAnswer, ConnectorChat, Conversation, LoopError, LoopEvent, NoUserTokens,
};
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::connectors::{doc, serve, tool, toolbox};

const MODEL: &str = "command-a-plus-05-2026";

async fn two_connectors_with_one_id(
    emulator: &Emulator,
) -> (ConnectorChat, Vec<super::connectors::Served>) {
    let wiki = serve(vec![doc("1", "Tea policy", "Green tea on Fridays.")]).await;
    let drive = serve(vec![doc("1", "Coffee policy", "Espresso at ten.")]).await;
    let chat = ConnectorChat::new(
        emulator.client().unwrap(),
        MODEL,
        toolbox([
            tool("wiki", &wiki.running.url(), json!({})),
            tool("drive", &drive.running.url(), json!({})),
        ]),
    );
    (chat, vec![wiki, drive])
}

#[tokio::test]
async fn two_connectors_with_the_same_document_id_are_cited_apart() {
    let emulator = Emulator::start().await.unwrap();
    let (chat, _served) = two_connectors_with_one_id(&emulator).await;
    let answer = chat.ask("What are the policies?").await.unwrap();
    assert_eq!(
        answer.text(),
        "Tea policy says: Green tea on Fridays.\nCoffee policy says: Espresso at ten."
    );
    let cited: Vec<(&str, &str, Option<&str>)> = answer
        .citations
        .iter()
        .map(|citation| {
            let source = citation.sources[0].document().unwrap();
            (
                source.id.as_str(),
                source.connector.as_str(),
                source.document_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        cited,
        [
            ("search_wiki:1", "wiki", Some("1")),
            ("search_drive:1", "drive", Some("1"))
        ]
    );
    assert_eq!(answer.citations[0].text, "Green tea on Fridays.");
    assert_eq!(answer.steps.len(), 1);
    assert!(
        answer.steps[0]
            .plan
            .as_deref()
            .is_some_and(|plan| !plan.is_empty())
    );
}

#[tokio::test]
async fn the_next_turn_passes_cohere_s_rules_with_the_same_documents_again() {
    let emulator = Emulator::start().await.unwrap();
    let (chat, _served) = two_connectors_with_one_id(&emulator).await;
    let first = chat.ask("Tea?").await.unwrap();
    let second = chat
        .run(first.conversation.user("And again?"), &NoUserTokens)
        .await
        .unwrap();
    let ids: Vec<&str> = second
        .citations
        .iter()
        .map(|citation| citation.sources[0].document().unwrap().id.as_str())
        .collect();
    assert_eq!(ids, ["search_wiki:1~2", "search_drive:1~2"]);
    assert_eq!(
        second.citations[0].sources[0]
            .document()
            .unwrap()
            .document_id
            .as_deref(),
        Some("1")
    );
    assert_eq!(second.conversation.sources.len(), 4);
}

/// The transcript the loop kept is accepted by the emulator as it is, and refused, in
/// Cohere's words, once two of its documents share an id: the rule is real, and kept.
#[tokio::test]
async fn the_emulator_refuses_the_transcript_once_an_id_repeats() {
    let emulator = Emulator::start().await.unwrap();
    let (chat, _served) = two_connectors_with_one_id(&emulator).await;
    let answer = chat.ask("Tea?").await.unwrap();
    let mut messages = serde_json::to_value(&answer.conversation.messages).unwrap();
    messages
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "user", "content": "More?"}));
    let send = |messages: Value| {
        let url = format!("{}/v2/chat", emulator.base_url());
        let key = emulator.api_key().to_owned();
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(key)
                .json(&json!({"model": MODEL, "messages": messages}))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(send(messages.clone()).await.0, 200);
    messages[3]["content"][0]["document"]["id"] = json!("search_wiki:1");
    let (status, body) = send(messages).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("search_wiki:1"), "{body}");
}

#[tokio::test]
async fn the_streamed_turn_gives_the_steps_and_the_answer_s_events_and_the_same_answer() {
    let emulator = Emulator::start().await.unwrap();
    let (chat, _served) = two_connectors_with_one_id(&emulator).await;
    let called = chat.ask("Policies?").await.unwrap();
    let mut stream = chat.stream(
        Conversation::new().user("Policies?"),
        std::sync::Arc::new(NoUserTokens),
    );
    let mut kinds = Vec::new();
    let mut text = String::new();
    let mut last: Option<ChatAnswer> = None;
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            LoopEvent::Model(event) => {
                if let Some(delta) = event.text() {
                    text.push_str(delta);
                }
                kinds.push(event.kind().to_owned());
            }
            LoopEvent::Step(step) => {
                assert_eq!(step.calls.len(), 2);
                kinds.push("step".into());
            }
            LoopEvent::Answer(answer) => last = Some(*answer),
            _ => {}
        }
    }
    let streamed = last.unwrap();
    let step_at = kinds.iter().position(|kind| kind == "step").unwrap();
    assert!(
        kinds[..step_at].contains(&"tool-plan-delta".to_owned()),
        "{kinds:?}"
    );
    assert!(
        kinds[step_at..].contains(&"citation-start".to_owned()),
        "{kinds:?}"
    );
    assert_eq!(text, called.text());
    assert_eq!(streamed.text(), called.text());
    assert_eq!(streamed.citations, called.citations);
}

#[tokio::test]
async fn a_model_that_keeps_calling_tools_meets_the_bound() {
    let emulator = Emulator::builder()
        .chat_keeps_calling_tools(true)
        .start()
        .await
        .unwrap();
    let (chat, served) = two_connectors_with_one_id(&emulator).await;
    let error = chat.max_steps(2).ask("Tea?").await.unwrap_err();
    assert!(
        matches!(error, LoopError::TooManySteps { max_steps: 2 }),
        "{error}"
    );
    assert_eq!(served[0].searches(), 2);
}

#[tokio::test]
async fn a_model_stream_that_never_ends_is_an_error_at_its_bound() {
    let emulator = Emulator::start().await.unwrap();
    let (chat, _served) = two_connectors_with_one_id(&emulator).await;
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Endless);
    let mut stream = chat.stream(
        Conversation::new().user("Tea?"),
        std::sync::Arc::new(NoUserTokens),
    );
    let mut events = 0_u64;
    let error = loop {
        match stream.next().await {
            Some(Ok(_)) => events += 1,
            Some(Err(error)) => break error,
            None => panic!("ended quietly after {events} events"),
        }
    };
    assert!(matches!(error, LoopError::Chat(_)), "{error}");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_long_document_is_given_in_chunks_each_cited_to_its_words() {
    let text: String = (0..700).map(|i| format!("w{i} ")).collect();
    let long = serve(vec![doc("big", "Handbook", text.trim_end())]).await;
    let emulator = Emulator::start().await.unwrap();
    let chat = ConnectorChat::new(
        emulator.client().unwrap(),
        MODEL,
        toolbox([tool("handbook", &long.running.url(), json!({}))]),
    );
    let answer = chat.ask("Everything?").await.unwrap();
    let chunks: Vec<(String, usize, usize, usize)> = answer
        .citations
        .iter()
        .map(|citation| {
            let source = citation.sources[0].document().unwrap();
            let chunk = source.chunk.as_ref().unwrap();
            (
                source.id.clone(),
                chunk.index,
                chunk.start_word,
                chunk.end_word,
            )
        })
        .collect();
    assert_eq!(
        chunks,
        [
            // The id and the title beside each chunk take two of its 300 words.
            ("search_handbook:big#0".to_owned(), 0, 0, 298),
            ("search_handbook:big#1".to_owned(), 1, 298, 596),
            ("search_handbook:big#2".to_owned(), 2, 596, 700),
        ]
    );
    assert!(
        answer.citations[1].text.starts_with("w298 w299"),
        "{}",
        answer.citations[1].text
    );
    assert_eq!(
        answer.citations[0].sources[0]
            .document()
            .unwrap()
            .title
            .as_deref(),
        Some("Handbook")
    );
}
