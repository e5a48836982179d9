//! What `client.chat(..)` decodes, from the emulator's scripted model: tool-call turns,
//! answers with citations and their sources, finish reasons and usage; a whole tool step
//! replayed by hand; the client's key hidden wherever the model echoes it.

use cohere_connectors::chat::{
    ChatResponse, CitationKind, ContentBlock, Document, FinishReason, Message, Source, ToolContent,
    ToolDocument, ToolMessage,
};
use cohere_connectors_emulator::Emulator;
use serde_json::json;

use super::requests::search_tool;

async fn tool_turn(emulator: &Emulator) -> ChatResponse {
    emulator
        .client()
        .unwrap()
        .chat("command-a-plus-05-2026")
        .user("tea policy")
        .tool(search_tool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tool_call_turn_has_its_plan_and_calls_with_arguments() {
    let emulator = Emulator::start().await.unwrap();
    let response = tool_turn(&emulator).await;
    assert_eq!(response.finish_reason, FinishReason::ToolCall);
    assert!(
        !response
            .message
            .tool_plan
            .as_deref()
            .unwrap_or("")
            .is_empty()
    );
    assert!(response.message.content.is_empty() && response.message.citations.is_empty());
    let [call] = response.tool_calls() else {
        panic!("one call per tool: {:?}", response.tool_calls());
    };
    assert_eq!(call.name(), Some("search_wiki"));
    assert!(call.id.starts_with("search_wiki_"), "{}", call.id);
    let arguments: serde_json::Value = serde_json::from_str(call.arguments().unwrap()).unwrap();
    assert_eq!(arguments, json!({"query": "tea policy"}));
    let usage = response.usage.expect("the emulator counts tokens");
    assert_eq!(usage.tokens.unwrap().input_tokens, Some(2));
    assert!(usage.billed_units.unwrap().output_tokens.unwrap() > 0);
}

#[tokio::test]
async fn the_tool_step_replayed_gets_an_answer_citing_the_tool_results() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let first = tool_turn(&emulator).await;
    let call_id = first.tool_calls()[0].id.clone();
    let wiki = ToolDocument::new(json!({"title": "Tea", "text": "Green tea on Fridays."}))
        .with_id("wiki:tea");
    let answer = client
        .chat("command-a-plus-05-2026")
        .user("tea policy")
        .tool(search_tool())
        .message(first.into_message())
        .message(ToolMessage::new(
            call_id.clone(),
            vec![
                ToolContent::document(wiki),
                ToolContent::text("Oolong on Mondays."),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(answer.finish_reason, FinishReason::Complete);
    let text = answer.text();
    assert_eq!(answer.message.citations.len(), 2, "{text}");
    let ids: Vec<_> = answer
        .message
        .citations
        .iter()
        .map(|citation| citation.sources[0].id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["wiki:tea".to_owned(), format!("{call_id}:1")]);
    for citation in &answer.message.citations {
        let chars: String = text
            .chars()
            .skip(citation.start as usize)
            .take((citation.end - citation.start) as usize)
            .collect();
        assert_eq!(
            chars, citation.text,
            "start and end index the text in code points"
        );
        assert_eq!(citation.kind, Some(CitationKind::TextContent));
        let Source::Tool { tool_output, .. } = &citation.sources[0] else {
            panic!("a tool result's source: {:?}", citation.sources[0]);
        };
        assert!(!tool_output.is_empty());
    }
    assert_eq!(answer.message.citations[0].text, "Green tea on Fridays.");
}

#[tokio::test]
async fn request_documents_are_cited_as_document_sources_with_their_fields() {
    let emulator = Emulator::start().await.unwrap();
    let response = emulator
        .client()
        .unwrap()
        .chat("m")
        .user("When is tea?")
        .document(Document::with_id(
            "policy-7",
            json!({"title": "Tea policy", "text": "Fridays at four."}),
        ))
        .document("Oolong on Mondays.")
        .await
        .unwrap();
    assert_eq!(response.finish_reason, FinishReason::Complete);
    assert!(matches!(
        response.message.content[..],
        [ContentBlock::Text { .. }]
    ));
    let sources: Vec<_> = response
        .message
        .citations
        .iter()
        .map(|c| &c.sources[0])
        .collect();
    assert_eq!(sources[0].id(), Some("policy-7"));
    assert_eq!(sources[1].id(), Some("doc:1"));
    let Source::Document { document, .. } = sources[0] else {
        panic!("{:?}", sources[0]);
    };
    assert_eq!(document["title"], "Tea policy");
    assert_eq!(sources[1].fields().unwrap()["text"], "Oolong on Mondays.");
}

#[tokio::test]
async fn citations_off_and_max_tokens_are_what_the_model_answers() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let off = client
        .chat("m")
        .user("tea")
        .document("Tea on Fridays.")
        .citation_mode(cohere_connectors::chat::CitationMode::Off)
        .await
        .unwrap();
    assert!(off.message.citations.is_empty() && !off.text().is_empty());
    let short = client
        .chat("m")
        .user("one two three four")
        .max_tokens(2)
        .await
        .unwrap();
    assert_eq!(short.finish_reason, FinishReason::MaxTokens);
    assert_eq!(short.text(), "You said:");
}

#[tokio::test]
async fn a_plain_answer_keeps_its_meta_and_the_key_the_model_echoes_is_hidden() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let key = emulator.api_key().to_owned();
    let answer = client
        .chat("m")
        .message(Message::user(format!("my key is {key}")))
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(answer.meta().status(), 200);
    let text = answer.value().text();
    assert_eq!(text, "You said: my key is [redacted]");
    assert!(!format!("{:?}", answer.value()).contains(&key));
}
