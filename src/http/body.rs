//! Reading a response body with a cap: the one limiter for every body a client of this
//! project reads (the SDK's answers, the raw client's, the connector kit's search answers, a
//! token endpoint's), public as [`crate::body`].

use std::fmt;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;

/// The capacity a body of unknown length starts with: most answers fit, and it grows by
/// doubling from there.
const UNKNOWN_LENGTH_CAPACITY: usize = 8 * 1024;

/// Reads the body of `response`, at most `limit` bytes.
///
/// Bytes are counted as they arrive, and reading stops at the first one past `limit`: a body
/// that declares a huge `Content-Length`, or sends without end, costs at most `limit` bytes of
/// memory. A declared length only sizes the buffer (never beyond `limit`); a body that
/// arrives in one piece is returned without a copy.
///
/// ```
/// use cohere_connectors::body::{self, BodyError};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # server.mock(|when, then| { when.path("/small"); then.body("{\"ok\": true}"); });
/// # server.mock(|when, then| { when.path("/huge"); then.body("x".repeat(10_000)); });
/// let http = reqwest::Client::new();
/// let answer = http.get(server.url("/small")).send().await?;
/// assert_eq!(body::read_limited(answer, 1024).await?, "{\"ok\": true}");
///
/// let answer = http.get(server.url("/huge")).send().await?;
/// match body::read_limited(answer, 1024).await {
///     Err(BodyError::TooLarge { limit, received }) => {
///         assert_eq!(limit, 1024);
///         assert_eq!(received.len(), 1024, "the start of the body, for an error message");
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`BodyError::TooLarge`] when more than `limit` bytes arrive, [`BodyError::Broken`] when
/// the body breaks off (a reset connection, a timeout); both keep what arrived.
pub async fn read_limited(response: reqwest::Response, limit: usize) -> Result<Bytes, BodyError> {
    let declared = response.content_length();
    read_body(http::Response::from(response).into_body(), declared, limit).await
}

/// [`read_limited`] for a body already taken out of its response, whose `Content-Length` was
/// `declared`.
pub(crate) async fn read_body(
    mut body: reqwest::Body,
    declared: Option<u64>,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let capacity = declared
        .and_then(|length| usize::try_from(length).ok())
        .map_or(UNKNOWN_LENGTH_CAPACITY, |length| length.min(limit));
    let mut buffer = Buffer::new(capacity);
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) => {
                return Err(BodyError::Broken {
                    error: error.without_url(),
                    received: buffer.into_bytes(),
                });
            }
        };
        // Trailers carry no body bytes.
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        let room = limit.saturating_sub(buffer.len());
        if chunk.len() > room {
            buffer.push(chunk.slice(..room));
            return Err(BodyError::TooLarge {
                limit,
                received: buffer.into_bytes(),
            });
        }
        buffer.push(chunk);
    }
    Ok(buffer.into_bytes())
}

/// What has arrived so far: nothing, one chunk as it came, or several copied together.
enum Buffer {
    Empty { capacity: usize },
    One { chunk: Bytes, capacity: usize },
    Many(BytesMut),
}

impl Buffer {
    fn new(capacity: usize) -> Self {
        Self::Empty { capacity }
    }

    fn len(&self) -> usize {
        match self {
            Self::Empty { .. } => 0,
            Self::One { chunk, .. } => chunk.len(),
            Self::Many(bytes) => bytes.len(),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        *self = match std::mem::replace(self, Self::Empty { capacity: 0 }) {
            Self::Empty { capacity } => Self::One { chunk, capacity },
            Self::One {
                chunk: first,
                capacity,
            } => {
                let needed = first.len().saturating_add(chunk.len());
                let mut bytes = BytesMut::with_capacity(capacity.max(needed));
                bytes.extend_from_slice(&first);
                bytes.extend_from_slice(&chunk);
                Self::Many(bytes)
            }
            Self::Many(mut bytes) => {
                bytes.extend_from_slice(&chunk);
                Self::Many(bytes)
            }
        };
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Self::Empty { .. } => Bytes::new(),
            Self::One { chunk, .. } => chunk,
            Self::Many(bytes) => bytes.freeze(),
        }
    }
}

/// Why [`read_limited`] gave no whole body. Each kind keeps the bytes that did arrive (the
/// start of an error page is worth showing); `Debug` shows their length, never their content,
/// which may echo a secret.
#[non_exhaustive]
pub enum BodyError {
    /// More than `limit` bytes arrived; `received` holds the first `limit` of them.
    TooLarge {
        /// The limit that was passed.
        limit: usize,
        /// The first `limit` bytes.
        received: Bytes,
    },
    /// The body broke off: the connection was reset or closed early, or the request's
    /// timeout passed while reading. `error` is reqwest's, without its URL.
    Broken {
        /// What reqwest reported (`is_timeout()` tells a timeout apart).
        error: reqwest::Error,
        /// What arrived before it broke off.
        received: Bytes,
    },
}

impl BodyError {
    /// The bytes that arrived before reading stopped.
    pub fn received(&self) -> &Bytes {
        match self {
            Self::TooLarge { received, .. } | Self::Broken { received, .. } => received,
        }
    }

    /// The bytes that arrived before reading stopped, by value.
    pub fn into_received(self) -> Bytes {
        match self {
            Self::TooLarge { received, .. } | Self::Broken { received, .. } => received,
        }
    }

    /// Whether the body was over the limit (rather than broken off).
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
    }
}

impl fmt::Debug for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit, received } => f
                .debug_struct("TooLarge")
                .field("limit", limit)
                .field("received_bytes", &received.len())
                .finish(),
            Self::Broken { error, received } => f
                .debug_struct("Broken")
                .field("error", error)
                .field("received_bytes", &received.len())
                .finish(),
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit, .. } => {
                write!(f, "length limit exceeded: the body is over {limit} bytes")
            }
            Self::Broken { received, .. } => {
                write!(f, "the body broke off after {} bytes", received.len())
            }
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::TooLarge { .. } => None,
            Self::Broken { error, .. } => Some(error),
        }
    }
}
