//! The loop's rules, request by request, against a scripted model: the exact wire of the
//! replayed assistant turn and of the tool messages, each call answered once, the step
//! bound, calls that cannot be answered.

use cohere_connectors_migrate::tool_loop::{
    CitedSource, ConnectorChat, Conversation, LoopError, NoUserTokens,
};
use serde_json::{Value, json};

use super::connectors::{doc, serve, tool, toolbox};
use super::model::{ScriptedModel, answer_citing, tool_messages, tool_turn};

#[tokio::test]
async fn the_model_s_turn_is_replayed_exactly_and_each_call_answered_once_in_order() {
    let wiki = serve(vec![doc("1", "Tea", "Green tea on Fridays.")]).await;
    let drive = serve(vec![doc("1", "Coffee", "Espresso at ten.")]).await;
    let calls = tool_turn(
        "I will search the wiki and the drive.",
        &[
            ("c1", "search_wiki", json!({"query": "tea"})),
            ("c2", "search_drive", json!({"query": "tea"})),
            ("c3", "search_elsewhere", json!({"query": "tea"})),
        ],
    );
    let first = calls.clone();
    let model = ScriptedModel::start(move |n, _| match n {
        0 => first.clone(),
        _ => answer_citing(
            "Tea on Fridays.",
            &["search_wiki:1", "search_drive:1", "c3:0"],
        ),
    })
    .await;
    let chat = ConnectorChat::new(
        model.client(),
        "command-a-plus-05-2026",
        toolbox([
            tool("wiki", &wiki.running.url(), json!({})),
            tool("drive", &drive.running.url(), json!({})),
        ]),
    );
    let answer = chat
        .run(Conversation::new().user("When is tea?"), &NoUserTokens)
        .await
        .unwrap();

    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    let names: Vec<&Value> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| &tool["function"]["name"])
        .collect();
    assert_eq!(names, [&json!("search_wiki"), &json!("search_drive")]);
    let messages = requests[1]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 5);
    assert_eq!(
        messages[0],
        json!({"role": "user", "content": "When is tea?"})
    );
    // The assistant turn, exactly as the model sent it.
    assert_eq!(messages[1], calls["message"]);
    assert_eq!(
        messages[2],
        json!({"role": "tool", "tool_call_id": "c1", "content": [
            {"type": "document", "document": {"id": "search_wiki:1", "data": {"id": "1", "title": "Tea", "text": "Green tea on Fridays."}}}
        ]})
    );
    assert_eq!(
        messages[3],
        json!({"role": "tool", "tool_call_id": "c2", "content": [
            {"type": "document", "document": {"id": "search_drive:1", "data": {"id": "1", "title": "Coffee", "text": "Espresso at ten."}}}
        ]})
    );
    assert_eq!(
        messages[4],
        json!({"role": "tool", "tool_call_id": "c3", "content": [
            {"type": "text", "text": "{\"error\":\"no tool is named `search_elsewhere`\"}"}
        ]})
    );

    let step = &answer.steps[0];
    assert_eq!(
        step.plan.as_deref(),
        Some("I will search the wiki and the drive.")
    );
    assert_eq!(step.calls[0].documents, ["search_wiki:1"]);
    assert_eq!(step.calls[2].connector, None);
    assert!(
        step.calls[2]
            .error
            .as_deref()
            .unwrap()
            .contains("no tool is named")
    );
    let sources = &answer.citations[0].sources;
    let wiki_source = sources[0].document().unwrap();
    assert_eq!(
        (
            wiki_source.connector.as_str(),
            wiki_source.document_id.as_deref(),
            wiki_source.title.as_deref()
        ),
        ("wiki", Some("1"), Some("Tea"))
    );
    assert_eq!(sources[1].document().unwrap().connector, "drive");
    assert_eq!(
        sources[2],
        CitedSource::Other {
            id: Some("c3:0".into())
        }
    );
    // The transcript: the turn's messages and the answer, for the next turn.
    assert_eq!(answer.conversation.messages.len(), 6);
    assert_eq!(answer.text(), "Tea on Fridays.");
}

#[tokio::test]
async fn a_turn_that_gives_two_calls_one_id_ends_before_any_tool_runs() {
    let wiki = serve(vec![doc("1", "Tea", "Green tea.")]).await;
    let model = ScriptedModel::start(|_, _| {
        tool_turn(
            "twice",
            &[
                ("same", "search_wiki", json!({"query": "a"})),
                ("same", "search_wiki", json!({"query": "b"})),
            ],
        )
    })
    .await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool("wiki", &wiki.running.url(), json!({}))]),
    );
    let error = chat.ask("q").await.unwrap_err();
    assert!(
        matches!(&error, LoopError::RepeatedCallId { id } if id == "same"),
        "{error}"
    );
    assert_eq!(wiki.searches(), 0);
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn a_call_id_of_an_earlier_step_is_a_repeat_too() {
    let wiki = serve(vec![doc("1", "Tea", "Green tea.")]).await;
    let model = ScriptedModel::start(|_, _| {
        tool_turn("again", &[("c1", "search_wiki", json!({"query": "a"}))])
    })
    .await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool("wiki", &wiki.running.url(), json!({}))]),
    );
    let error = chat.ask("q").await.unwrap_err();
    assert!(matches!(error, LoopError::RepeatedCallId { .. }), "{error}");
    assert_eq!(wiki.searches(), 1);
    assert_eq!(model.requests().len(), 2);
}

#[tokio::test]
async fn a_model_that_never_stops_asking_for_tools_meets_the_step_bound() {
    let wiki = serve(vec![doc("1", "Tea", "Green tea.")]).await;
    let model = ScriptedModel::start(|n, _| {
        tool_turn(
            "more",
            &[(&format!("c{n}"), "search_wiki", json!({"query": "a"}))],
        )
    })
    .await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool("wiki", &wiki.running.url(), json!({}))]),
    )
    .max_steps(3);
    let error = chat.ask("q").await.unwrap_err();
    assert!(
        matches!(error, LoopError::TooManySteps { max_steps: 3 }),
        "{error}"
    );
    assert!(error.to_string().contains("after 3 tool steps"), "{error}");
    assert_eq!(model.requests().len(), 4);
    assert_eq!(wiki.searches(), 3);
    // The same connector's document, given in three steps, has three ids.
    let last = &model.requests()[3];
    let ids: Vec<&Value> = tool_messages(last)
        .iter()
        .map(|message| &message["content"][0]["document"]["id"])
        .collect();
    assert_eq!(
        ids,
        [
            &json!("search_wiki:1"),
            &json!("search_wiki:1~2"),
            &json!("search_wiki:1~3")
        ]
    );
}

#[tokio::test]
async fn a_call_without_an_id_cannot_be_answered() {
    let model =
        ScriptedModel::start(|_, _| tool_turn("p", &[("", "search_wiki", json!({"query": "a"}))]))
            .await;
    let wiki = serve(vec![]).await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool("wiki", &wiki.running.url(), json!({}))]),
    );
    let error = chat.ask("q").await.unwrap_err();
    assert!(matches!(error, LoopError::CallWithoutId), "{error}");
    assert_eq!(wiki.searches(), 0);
}

#[tokio::test]
async fn bad_arguments_and_empty_results_are_told_to_the_model() {
    let empty = serve(vec![]).await;
    let model = ScriptedModel::start(|n, _| match n {
        0 => tool_turn(
            "p",
            &[
                ("c1", "search_empty", json!({"q": "wrong name"})),
                ("c2", "search_empty", json!({"query": "fine"})),
            ],
        ),
        _ => answer_citing("Nothing.", &[]),
    })
    .await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool("empty", &empty.running.url(), json!({}))]),
    )
    .configure(|request| request.temperature(0.25));
    chat.ask("q").await.unwrap();
    let requests = model.requests();
    assert_eq!(requests[0]["temperature"], 0.25);
    let answers = tool_messages(&requests[1]);
    assert_eq!(answers[0]["tool_call_id"], "c1");
    assert!(
        answers[0]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("there is no string `query`")
    );
    assert_eq!(
        answers[1]["content"],
        json!([{"type": "text", "text": "The search found no documents."}])
    );
    assert_eq!(empty.searches(), 1);
}
