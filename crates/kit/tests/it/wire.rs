//! Requests written byte for byte, for what an HTTP client library would not send (two
//! `Authorization` headers, an empty one, smuggling, absolute-form targets), and the answer
//! read back as it came.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer as it came off the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The head's header lines, as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Everything the server sent, heads of later answers included.
    pub raw: Vec<u8>,
}

impl Answer {
    /// The value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The JSON body's `message`.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The address of a service URL (`http://127.0.0.1:1234/search`).
pub fn addr_of(url: &str) -> SocketAddr {
    let rest = url.trim_start_matches("http://");
    rest[..rest.find('/').unwrap_or(rest.len())]
        .parse()
        .unwrap()
}

/// Sends `request` as is and reads until the server closes (or 5 s pass).
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw)).await;
    parse(raw)
}

/// `POST {path}` with these header lines (each `Name: value`, as written) and a JSON body,
/// on a connection that closes after the answer.
pub fn post(path: &str, headers: &[&str], body: &str) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: connector\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for line in headers {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    request.into_bytes()
}

fn parse(raw: Vec<u8>) -> Answer {
    let end = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let after = raw.get(end.saturating_add(4)..).unwrap_or_default();
    let length = headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(after.len());
    let body = after[..length.min(after.len())].to_vec();
    Answer {
        status,
        headers,
        body,
        raw,
    }
}
