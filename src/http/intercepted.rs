//! Responses the transport takes out of progenitor's hands: it can only return a
//! `reqwest::Response`, so what it has to say travels as the error of a body that fails to
//! read, and the facade finds it in the error's chain of causes.

use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// What the transport read or refused in place of a normal response body.
#[derive(Debug)]
pub(crate) enum Intercepted {
    /// An error status, with (the start of) its body, read here.
    ErrorStatus {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        /// Whether `body` is all of it.
        complete: bool,
    },
    /// A redirect. The API never redirects, so it is not followed: a write must never turn
    /// into a GET, and an answer from another URL is not the answer to this request.
    Redirect {
        status: StatusCode,
        /// Whether the HTTP client had already followed it (a client given by the caller).
        followed: bool,
    },
}

impl fmt::Display for Intercepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ErrorStatus { status, .. } => {
                write!(f, "the {status} response was read by the transport")
            }
            Self::Redirect {
                status,
                followed: false,
            } => write!(
                f,
                "the server answered {status} with a redirect, which the API never does; it was \
                 not followed: check the base URL and any proxy in between"
            ),
            Self::Redirect { followed: true, .. } => f.write_str(
                "the HTTP client followed a redirect, which the API never sends; the answer \
                 came from another URL and was not used: check the base URL and any proxy",
            ),
        }
    }
}

impl std::error::Error for Intercepted {}

/// The first error of type `T` in `error`'s chain of causes.
pub(crate) fn find_cause<'e, T: std::error::Error + 'static>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        cause = current.source();
    }
    None
}
