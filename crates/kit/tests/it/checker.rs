//! The checker and the search client against connectors that echo tokens and send terminal
//! controls: what reaches a report or an error (Display, Debug, JSON) is escaped and never
//! holds the token, whatever its length; and a connector that serves anyone fails the check
//! whatever it is registered with.

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::server::{Access, ConnectorService, SearchFailure};
use cohere_connectors_kit::{
    CheckReport, Checker, ConnectorSearch, Document, Rule, SearchAuth, Severity, check_connector,
};
use httpmock::MockServer;
use serde_json::json;

/// Text no terminal should receive raw: ESC (CSI, OSC), BEL, CR, bidi overrides and
/// isolates.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\u{202e}\u{2066}";

/// Every form `token` could be shown in.
fn forms(token: &str) -> Vec<String> {
    let json = serde_json::to_string(token).unwrap();
    let percent: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    vec![token.to_owned(), json.trim_matches('"').to_owned(), percent]
}

/// Whether `text` is safe to print: no control but the newlines `Display` puts between
/// findings, no bidi control, no form of `token`.
fn assert_safe(text: &str, token: &str) {
    for c in text.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{c:?} in {text}"
        );
    }
    for form in forms(token) {
        assert!(!text.contains(&form), "{form:?} in {text}");
    }
}

fn assert_report_safe(report: &CheckReport, token: &str) {
    assert_safe(&report.to_string(), token);
    assert_safe(&format!("{report:?}"), token);
    let json = serde_json::to_string(report).unwrap();
    assert_safe(&json, token);
    // And as the JSON's consumer reads it, decoded.
    let decoded: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut strings = Vec::new();
    collect_strings(&decoded, &mut strings);
    for text in strings {
        assert_safe(&text, token);
    }
}

fn collect_strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => into.push(text.clone()),
        serde_json::Value::Array(items) => {
            items.iter().for_each(|item| collect_strings(item, into))
        }
        serde_json::Value::Object(map) => map.iter().for_each(|(key, item)| {
            into.push(key.clone());
            collect_strings(item, into);
        }),
        _ => {}
    }
}

#[tokio::test]
async fn connector_text_in_a_report_is_escaped_and_has_the_token_hidden() {
    // Short, so that the SDK's own redactor would skip it.
    let token = "abcde";
    let server = MockServer::start_async().await;
    // Documents whose ids and field names are the token and terminal controls, declared
    // with a content type that holds the token.
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/abcde/search")
                .header_exists("authorization");
            then.status(200)
                .header("content-type", "text/abcde")
                .json_body(json!({"results": [
                    {"id": token, "title": 1, token: 2, HOSTILE: 3},
                    {"id": token, "title": "t"},
                    {"id": format!("{HOSTILE}{token}"), "title": "t"},
                    {"id": format!("{HOSTILE}{token}"), "title": "t"},
                ]}));
        })
        .await;
    // Without credentials: refused, with the token and controls in the refusal.
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/abcde/search")
                .header_missing("authorization");
            then.status(401)
                .json_body(json!({"message": format!("no {token} {HOSTILE}")}));
        })
        .await;
    let url = server.url("/abcde/search");
    for auth in [
        SearchAuth::user_token(token),
        SearchAuth::Service(ServiceAuth::noscheme(token)),
    ] {
        let report = check_connector(&url, auth).await;
        assert_report_safe(&report, token);
        assert!(report.url.contains("/[redacted]/search"), "{}", report.url);
        let text = report.to_string();
        for rule in [Rule::StringValues, Rule::DuplicateIds, Rule::ContentType] {
            let finding = report
                .finding(rule)
                .unwrap_or_else(|| panic!("{rule}: {text}"));
            assert!(
                finding.message.contains("[redacted]"),
                "{}",
                finding.message
            );
        }
        assert!(text.contains("\\u{1b}[2J"), "escaped, not dropped: {text}");
    }

    // The error paths: a status with a message, a redirect.
    server
        .mock_async(|when, then| {
            when.path("/failing/search");
            then.status(500)
                .json_body(json!({"message": format!("backend said {token} {HOSTILE}")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/moved/search");
            then.status(302).header(
                "location",
                format!("https://elsewhere.example.com/{token}/search"),
            );
        })
        .await;
    for path in ["/failing/search", "/moved/search"] {
        let report = check_connector(&server.url(path), SearchAuth::user_token(token)).await;
        assert_report_safe(&report, token);
        let answers = report.finding(Rule::Answers).unwrap();
        assert!(
            answers.message.contains("[redacted]"),
            "{}",
            answers.message
        );
    }
}

#[tokio::test]
async fn a_url_given_to_the_checker_is_shown_escaped_with_its_password_and_token_hidden() {
    let token = "t0k";
    for url in [
        format!("http://exa{HOSTILE}mple.com/search"),
        format!("https://user:hunter22@search.example.com/{token}/search"),
        format!("{HOSTILE}https://search.example.com/search?{token}"),
    ] {
        let report = Checker::new(url.as_str())
            .auth(ServiceAuth::bearer(token))
            .run()
            .await;
        assert!(!report.is_ok());
        assert_report_safe(&report, token);
        assert!(!report.to_string().contains("hunter22"));
    }
}

#[tokio::test]
async fn a_connector_that_serves_anyone_fails_the_check_whatever_its_auth() {
    let open = ConnectorService::new(Access::open(), |_, _| async {
        Ok(vec![Document::new().with_id("1").with_title("t")])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    // Registered as an OAuth connector: the checker has a user's token, and still tries
    // without it.
    let report = check_connector(&open.url(), SearchAuth::user_token("ya29.user-token")).await;
    assert!(!report.is_ok(), "{report}");
    let missing = report.finding(Rule::RefusesMissingToken).unwrap();
    assert_eq!(missing.severity, Severity::Error);
    assert!(
        missing.message.contains("anyone who finds the URL"),
        "{}",
        missing.message
    );
    // A wrong user token served: not open to anyone, but Cohere would never ask the user to
    // authorize again.
    let wrong = report.finding(Rule::RefusesWrongToken).unwrap();
    assert_eq!(wrong.severity, Severity::Warning);
    assert!(
        wrong.message.contains("the user's token is not checked"),
        "{}",
        wrong.message
    );
}

#[tokio::test]
async fn an_oauth_connector_that_checks_its_users_passes() {
    let running = ConnectorService::new(Access::user_token(), |_, caller| async move {
        // The data source knows one user.
        match caller.user_token().map(|token| token.expose()) {
            Some("ya29.the-user") => Ok(vec![Document::new().with_id("1").with_title("t")]),
            _ => Err(SearchFailure::unauthorized(
                "the data source refused the token",
            )),
        }
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let report = check_connector(&running.url(), SearchAuth::user_token("ya29.the-user")).await;
    assert!(report.is_ok(), "{report}");
    assert!(
        report.finding(Rule::RefusesMissingToken).is_none(),
        "{report}"
    );
    assert!(
        report.finding(Rule::RefusesWrongToken).is_none(),
        "{report}"
    );
}

#[tokio::test]
async fn search_errors_escape_connector_text_and_hide_short_tokens() {
    let token = "xy1";
    let server = MockServer::start_async().await;
    for (path, status, body) in [
        (
            "/a/search",
            500,
            json!({"message": format!("{HOSTILE} said {token}")}).to_string(),
        ),
        ("/b/search", 403, format!("<html>{HOSTILE}{token}</html>")),
        (
            "/c/search",
            200,
            json!({"results": [{format!("{HOSTILE}{token}"): 1}]}).to_string(),
        ),
        (
            "/d/search",
            200,
            format!("{{\"results\": [{{\"{token}\": \"a\"}}] junk {HOSTILE}"),
        ),
    ] {
        server
            .mock_async(|when, then| {
                when.path(path);
                then.status(status).body(body.as_str());
            })
            .await;
        let error = ConnectorSearch::new(&server.url(path))
            .unwrap()
            .user_token(token)
            .search("q")
            .await
            .unwrap_err();
        assert_safe(&format!("{error}"), token);
        assert_safe(&format!("{error:?}"), token);
    }
}
