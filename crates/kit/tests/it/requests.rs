//! Bodies, paths and methods as a hostile client sends them. Every refusal is the kit's JSON
//! and comes before the handler runs; what the handler gets is exactly what was sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::wire::{Answer, addr_of, exchange, post};

const TOKEN: &str = "svc-token-0123456789";
const LIMIT: usize = 256;

/// A service that records the queries its handler got.
struct Recorded {
    running: RunningConnector,
    queries: Arc<Mutex<Vec<String>>>,
}

impl Recorded {
    async fn start(access: Access) -> Self {
        let queries = Arc::new(Mutex::new(Vec::new()));
        let running = ConnectorService::new(access, {
            let queries = Arc::clone(&queries);
            move |request, _caller| {
                queries.lock().unwrap().push(request.query.clone());
                async move { Ok(vec![Document::new().with_text(request.query)]) }
            }
        })
        .max_body_bytes(LIMIT)
        .deadline(Duration::from_millis(300))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
        Self { running, queries }
    }

    async fn send(&self, request: &[u8]) -> Answer {
        exchange(addr_of(&self.running.url()), request).await
    }

    fn queries(&self) -> Vec<String> {
        self.queries.lock().unwrap().clone()
    }
}

/// A request with a raw body and these header lines.
fn request(method_and_target: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut head =
        format!("{method_and_target} HTTP/1.1\r\nHost: connector\r\nConnection: close\r\n");
    for line in headers {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn json_post(body: &[u8]) -> Vec<u8> {
    let length = format!("Content-Length: {}", body.len());
    request(
        "POST /search",
        &["Content-Type: application/json", &length],
        body,
    )
}

/// A JSON search request of exactly `bytes` bytes.
fn body_of(bytes: usize) -> String {
    let frame = r#"{"query":""}"#.len();
    format!(r#"{{"query":"{}"}}"#, "q".repeat(bytes - frame))
}

#[tokio::test]
async fn anything_but_an_object_with_a_string_query_is_a_400() {
    let service = Recorded::start(Access::open()).await;
    for body in [
        &br#"["travel"]"#[..],
        br#""travel""#,
        b"null",
        b"42",
        b"",
        b"{",
        br#"{"q":"travel"}"#,
        br#"{"query":null}"#,
        br#"{"query":["travel"]}"#,
        br#"{"query":{"query":"travel"}}"#,
        br#"{"query":7}"#,
        br#"{"query":"a","query":"b"}"#,
        br#"{"query":"travel"} trailing"#,
        b"{\"query\":\"\xff\xfe\"}",
    ] {
        let answer = service.send(&json_post(body)).await;
        assert_eq!(answer.status, 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(answer.message(), r#"the body must be {"query": "<text>"}"#);
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
    assert!(service.queries().is_empty());
}

#[tokio::test]
async fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let running = ConnectorService::new(Access::open(), |request, _| async move {
        Ok(vec![Document::new().with_text(request.query)])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let nested = |depth: usize| {
        format!(
            r#"{{"query":"x","extra":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let addr = addr_of(&running.url());
    // Nested where the query should be: refused at serde_json's depth limit.
    let query_deep = format!(
        r#"{}"x"{}"#,
        r#"{"query":"#.repeat(5_000),
        "}".repeat(5_000)
    );
    assert_eq!(
        exchange(addr, &json_post(query_deep.as_bytes()))
            .await
            .status,
        400
    );
    let arrays = format!(
        r#"{{"query":{}"x"{}}}"#,
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    assert_eq!(
        exchange(addr, &json_post(arrays.as_bytes())).await.status,
        400
    );
    // In a field that is ignored, skipped without recursion (serde_json skips iteratively),
    // however deep: the body limit bounds the work.
    let ignored = exchange(addr, &json_post(nested(30_000).as_bytes())).await;
    assert_eq!(ignored.status, 200);
    assert_eq!(ignored.json()["results"][0]["text"], "x");
}

#[tokio::test]
async fn what_the_handler_gets_is_what_was_sent_unknown_fields_aside() {
    let service = Recorded::start(Access::open()).await;
    for (body, query) in [
        (r#"{"query":"travel"}"#, "travel"),
        // Blank queries are the handler's to answer (issue 28: Cohere's templates answer 200).
        (r#"{"query":"  "}"#, "  "),
        (r#"{"query":"\t\n "}"#, "\t\n "),
        (r#"{"query":""}"#, ""),
        (r#"{"extra":{"query":1},"query":"tea"}"#, "tea"),
        (r#"{"query":"\u001b[2J\u202e"}"#, "\u{1b}[2J\u{202e}"),
    ] {
        let answer = service.send(&json_post(body.as_bytes())).await;
        assert_eq!(answer.status, 200, "{body}");
        assert_eq!(answer.json()["results"][0]["text"], query);
    }
}

#[tokio::test]
async fn the_content_type_decides_how_the_body_is_read() {
    let service = Recorded::start(Access::open()).await;
    let body = br#"{"query":"tea"}"#;
    let length = format!("Content-Length: {}", body.len());
    for (content_type, status) in [
        (Some("application/json"), 200),
        (Some("application/json; charset=utf-8"), 200),
        (Some("application/vnd.search+json"), 200),
        (None, 415),
        (Some("text/plain"), 415),
        (Some("application/xml"), 415),
        (Some("multipart/form-data; boundary=x"), 415),
    ] {
        let header = content_type.map(|value| format!("Content-Type: {value}"));
        let mut lines = vec![length.as_str()];
        lines.extend(header.as_deref());
        let answer = service.send(&request("POST /search", &lines, body)).await;
        assert_eq!(answer.status, status, "{content_type:?}");
        if status == 415 {
            assert!(answer.message().contains("application/json"), "{answer:?}");
        }
    }
    // A form, as some clients send: read as one; its duplicates refused like JSON's.
    for (form, expected) in [
        (&b"query=green+tea&x=1"[..], Some("green tea")),
        (b"query=+", Some(" ")),
        (b"query=%E2%9C%93", Some("\u{2713}")),
        // Forms are decoded as browsers decode them: bytes that are not UTF-8 become U+FFFD.
        (b"query=%FF", Some("\u{fffd}")),
        (b"query=a&query=b", None),
        (b"q=tea", None),
        (b"", None),
    ] {
        let length = format!("Content-Length: {}", form.len());
        let answer = service
            .send(&request(
                "POST /search",
                &["Content-Type: application/x-www-form-urlencoded", &length],
                form,
            ))
            .await;
        match expected {
            Some(query) => {
                assert_eq!(answer.status, 200, "{answer:?}");
                assert_eq!(answer.json()["results"][0]["text"], query);
            }
            None => assert_eq!(answer.status, 400, "{answer:?}"),
        }
    }
}

#[tokio::test]
async fn the_body_limit_holds_to_the_byte_declared_or_chunked() {
    let service = Recorded::start(Access::open()).await;
    let at_limit = body_of(LIMIT);
    let over = body_of(LIMIT + 1);
    assert_eq!(
        service.send(&json_post(at_limit.as_bytes())).await.status,
        200
    );
    let answer = service.send(&json_post(over.as_bytes())).await;
    assert_eq!(
        (answer.status, answer.message().as_str()),
        (413, "the request body is larger than 256 bytes")
    );
    // The same, chunked (no length declared).
    for (body, status) in [(&at_limit, 200), (&over, 413)] {
        let chunked = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
        let answer = service
            .send(&request(
                "POST /search",
                &[
                    "Content-Type: application/json",
                    "Transfer-Encoding: chunked",
                ],
                chunked.as_bytes(),
            ))
            .await;
        assert_eq!(answer.status, status);
    }
    assert_eq!(service.queries().len(), 2);
}

#[tokio::test]
async fn a_huge_declared_length_is_refused_before_a_byte_is_read() {
    let service = Recorded::start(Access::open()).await;
    for length in ["1000000000000", "18446744073709551613"] {
        let line = format!("Content-Length: {length}");
        let started = std::time::Instant::now();
        let answer = service
            .send(&request(
                "POST /search",
                &["Content-Type: application/json", &line],
                b"",
            ))
            .await;
        assert_eq!(answer.status, 413, "{length}");
        // Not after the deadline: nothing was waited for.
        assert!(started.elapsed() < Duration::from_millis(300));
    }
    // Past what hyper counts, past u64, not a number: hyper refuses the head itself.
    for length in [
        "18446744073709551615",
        "99999999999999999999999",
        "-1",
        "12abc",
    ] {
        let line = format!("Content-Length: {length}");
        let answer = service.send(&request("POST /search", &[&line], b"")).await;
        assert!(matches!(answer.status, 400 | 431), "{length}: {answer:?}");
    }
    assert!(service.queries().is_empty());
}

#[tokio::test]
async fn a_chunked_body_without_end_is_cut_off_by_the_limit_or_the_deadline() {
    let service = Recorded::start(Access::open()).await;
    let addr = addr_of(&service.running.url());

    // Chunks that keep coming: refused once past the limit.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /search HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let writer = tokio::spawn(async move {
        let chunk = format!("40\r\n{}\r\n", "a".repeat(64));
        let mut sent = 0_usize;
        while stream.write_all(chunk.as_bytes()).await.is_ok() && sent < 100_000 {
            sent += 1;
        }
        let mut answer = vec![0; 512];
        let read = stream.read(&mut answer).await.unwrap_or(0);
        (sent, String::from_utf8_lossy(&answer[..read]).into_owned())
    });
    let (sent, answer) = tokio::time::timeout(Duration::from_secs(10), writer)
        .await
        .unwrap()
        .unwrap();
    assert!(sent < 100_000, "the server read {sent} chunks");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // A chunk that never finishes: the deadline answers.
    let answer = service
        .send(&request(
            "POST /search",
            &[
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
            ],
            b"100\r\n{\"query\":",
        ))
        .await;
    assert_eq!(answer.status, 504, "{answer:?}");
    assert!(service.queries().is_empty());
}

#[tokio::test]
async fn content_length_with_transfer_encoding_is_read_as_chunked_and_ends_the_connection() {
    let service = Recorded::start(Access::open()).await;
    // The classic smuggling shape: a front end that trusts Content-Length would see a second
    // request in the body. The chunked body wins and the connection closes after the answer.
    let body = r#"{"query":"first"}"#;
    let smuggled = format!(
        "{:x}\r\n{body}\r\n0\r\n\r\nPOST /search HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{{\"query\":\"second\"}}",
        body.len()
    );
    let mut head = "POST /search HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n".as_bytes().to_vec();
    head.extend_from_slice(smuggled.as_bytes());
    let answer = service.send(&head).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        String::from_utf8_lossy(&answer.raw)
            .matches("HTTP/1.1 ")
            .count(),
        1,
        "{answer:?}"
    );
    assert_eq!(service.queries(), ["first"]);
    // Two lengths that disagree: refused.
    let answer = service
        .send(&request(
            "POST /search",
            &[
                "Content-Type: application/json",
                "Content-Length: 17",
                "Content-Length: 18",
            ],
            br#"{"query":"first"}"#,
        ))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(service.queries(), ["first"]);
}

#[tokio::test]
async fn only_the_exact_path_and_post_reach_the_handler() {
    let service = Recorded::start(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let auth = format!("Authorization: Bearer {TOKEN}");
    let body = r#"{"query":"x"}"#;
    for path in [
        "/search/",
        "//search",
        "/SEARCH",
        "/Search",
        "/search%2F",
        "/%2Fsearch",
        "/%73earch",
        "/search/..",
        "/search/x",
        "/",
        "*",
    ] {
        let answer = service.send(&post(path, &[&auth], body)).await;
        assert_eq!(
            (answer.status, answer.message().as_str()),
            (404, "no such endpoint"),
            "{path}"
        );
    }
    for method in [
        "GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO",
    ] {
        let answer = service
            .send(&request(&format!("{method} /search"), &[&auth], b""))
            .await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("POST"), "{method}");
        if method != "HEAD" {
            assert_eq!(answer.message(), "the search endpoint takes POST");
        }
    }
    let answer = service.send(&request("OPTIONS *", &[], b"")).await;
    assert_eq!(answer.status, 404);
    assert!(service.queries().is_empty());

    // The absolute form names the same resource (RFC 9112 3.2.2): served, after the token.
    let absolute = post("http://connector/search", &[&auth], body);
    assert_eq!(service.send(&absolute).await.status, 200);
    let anonymous = post("http://connector/search", &[], body);
    assert_eq!(service.send(&anonymous).await.status, 401);
    // A query string is not part of the path.
    assert_eq!(
        service
            .send(&post("/search?x=1", &[&auth], body))
            .await
            .status,
        200
    );
    assert_eq!(service.queries(), ["x", "x"]);
}

#[tokio::test]
async fn the_token_is_checked_before_the_body_is_read() {
    let service = Recorded::start(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    for body in [&b"not json"[..], br#"["travel"]"#, &[b'x'; 1000]] {
        let answer = service.send(&json_post(body)).await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.header("www-authenticate"),
            Some("Bearer realm=\"connector\"")
        );
    }
    let huge = request(
        "POST /search",
        &["Content-Type: text/plain", "Content-Length: 1000000000000"],
        b"",
    );
    assert_eq!(service.send(&huge).await.status, 401);
}

#[tokio::test]
async fn a_path_with_braces_is_matched_literally() {
    let running = ConnectorService::new(Access::open(), |_, _| async { Ok(vec![]) })
        .path("/{index}/search")
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    assert!(running.url().ends_with("/{index}/search"));
    let addr = addr_of(&running.url());
    let literal = exchange(addr, &post("/{index}/search", &[], r#"{"query":"x"}"#)).await;
    assert_eq!(literal.status, 200);
    let other = exchange(addr, &post("/other/search", &[], r#"{"query":"x"}"#)).await;
    assert_eq!(other.status, 404);
}

#[tokio::test]
async fn any_configured_path_is_a_literal_route_and_never_a_panic() {
    for path in [
        "/a{b",
        "/a}b",
        "/{*rest}",
        "/{{x}}",
        "search",
        "",
        "/search?x",
        "/%",
        "/é/search",
        "//",
    ] {
        let running = ConnectorService::new(Access::open(), |_, _| async { Ok(vec![]) })
            .path(path)
            .bind("127.0.0.1:0")
            .await
            .unwrap();
        // A path that a wildcard would have matched is not served.
        let other = exchange(
            addr_of(&running.url()),
            &post("/zzz/yyy", &[], r#"{"query":"x"}"#),
        )
        .await;
        assert_eq!(other.status, 404, "{path}");
    }
}
