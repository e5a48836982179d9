//! The one body limiter (`cohere_connectors::body::read_limited`), as any client of the
//! workspace calls it: bodies at, under and over the limit, declared or not, endless, cut
//! off, and secrets that must not leak through its `Debug`.

use std::time::{Duration, Instant};

use cohere_connectors::body::{BodyError, read_limited};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};

async fn answer(reply: Reply) -> (ScriptedServer, reqwest::Response) {
    let server = ScriptedServer::start(vec![reply]).await;
    let response = reqwest::get(format!("{}/anything", server.url))
        .await
        .unwrap();
    (server, response)
}

fn body(text: &str) -> Reply {
    Reply::Body {
        status: 200,
        headers: vec![],
        body: text.into(),
    }
}

#[tokio::test]
async fn a_body_up_to_the_limit_is_read_whole() {
    for (text, limit) in [("", 0), ("", 10), ("exactly10!", 10), ("short", 10)] {
        let (_server, response) = answer(body(text)).await;
        let read = read_limited(response, limit).await.unwrap();
        assert_eq!(read, text.as_bytes(), "{text:?} under {limit}");
    }
}

#[tokio::test]
async fn one_byte_over_is_refused_and_the_start_kept() {
    let (_server, response) = answer(body("eleven byte")).await;
    let error = read_limited(response, 10).await.unwrap_err();
    assert!(error.is_too_large(), "{error:?}");
    assert_eq!(error.received(), "eleven byt");
    let BodyError::TooLarge { limit, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*limit, 10);
    assert_eq!(
        error.to_string(),
        "length limit exceeded: the body is over 10 bytes"
    );
}

#[tokio::test]
async fn a_huge_body_declared_or_endless_stops_at_the_limit() {
    for declared in [true, false] {
        let (_server, response) = answer(Reply::Junk {
            bytes: 200 * 1024 * 1024,
            declared,
        })
        .await;
        let started = Instant::now();
        let error = read_limited(response, 100_000).await.unwrap_err();
        assert!(error.is_too_large(), "declared {declared}: {error:?}");
        assert_eq!(error.received().len(), 100_000);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

#[tokio::test]
async fn a_body_cut_off_is_broken_with_what_arrived() {
    let (_server, response) = answer(Reply::CutMidBody).await;
    let error = read_limited(response, 1 << 20).await.unwrap_err();
    let BodyError::Broken {
        error: cause,
        received,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(received, "{\"connecto");
    assert!(!cause.is_timeout());
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(error.into_received(), "{\"connecto");
}

#[tokio::test]
async fn debug_shows_lengths_never_the_bytes() {
    const SECRET: &str = "tok-ECHOED-0123456789";
    let (_server, response) = answer(body(&format!("{SECRET}{SECRET}"))).await;
    let error = read_limited(response, SECRET.len()).await.unwrap_err();
    let debug = format!("{error:?} {error:#?} {error}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("received_bytes"), "{debug}");
}
