//! The body of an error response, read by the facade itself from the bytes, whatever the
//! OpenAPI definition says it looks like: Cohere's spec has described it as `{message, id}`
//! and, in earlier versions, as `{data}`; proxies answer with HTML or nothing at all.

use serde::Deserialize;

use crate::core::text::{BODY_SNIPPET_CHARS, Redactor, SNIPPET_CHARS};

/// What an error body says, cleaned for display (see [`Redactor::clean`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The API's message: `message`, or `data`, `detail` or `error` when that is a string,
    /// or `error.message`.
    pub message: Option<String>,
    /// The API's error id, when it sends one.
    pub id: Option<String>,
    /// The start of the body as text, when it is not a JSON object with a message.
    pub text: Option<String>,
}

/// The fields looked at, each kept only when it is a string: anything else in the body is
/// ignored rather than failing the whole decode.
#[derive(Deserialize)]
struct Shape {
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    detail: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// Whether `body` is the API's JSON error as the spec documents it for every status: an
/// object whose `message` and `id` are strings. (Other servers' errors carry a message at
/// most: httpmock's "did not match", FastAPI's `detail`, a proxy's HTML.)
pub(crate) fn is_api_error(body: &[u8]) -> bool {
    // A map, not a struct: serde reads a struct from an array of its fields too.
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_ok_and(|object| {
        ["message", "id"]
            .iter()
            .all(|field| object.get(*field).is_some_and(serde_json::Value::is_string))
    })
}

fn text_of(value: Option<&serde_json::Value>) -> Option<&str> {
    value.and_then(serde_json::Value::as_str)
}

impl ErrorBody {
    /// Reads `body` (`complete`: whether it is the whole body or only its start).
    pub fn parse(body: &[u8], complete: bool, redactor: &Redactor) -> Self {
        let shape = complete
            .then(|| serde_json::from_slice::<Shape>(body).ok())
            .flatten();
        let Some(shape) = shape else {
            return Self::text_only(body, complete, redactor);
        };
        let nested = shape
            .error
            .as_ref()
            .and_then(|error| text_of(error.get("message")));
        let message = text_of(shape.message.as_ref())
            .or_else(|| text_of(shape.data.as_ref()))
            .or_else(|| text_of(shape.detail.as_ref()))
            .or_else(|| text_of(shape.error.as_ref()))
            .or(nested);
        let id = text_of(shape.id.as_ref());
        if message.is_none() && id.is_none() {
            return Self::text_only(body, complete, redactor);
        }
        Self {
            message: message.map(|message| redactor.clean(message, SNIPPET_CHARS)),
            id: id.map(|id| redactor.clean(id, SNIPPET_CHARS)),
            text: None,
        }
    }

    fn text_only(body: &[u8], complete: bool, redactor: &Redactor) -> Self {
        let text = redactor.clean_bytes(body, BODY_SNIPPET_CHARS, complete);
        Self {
            message: None,
            id: None,
            text: (!text.is_empty()).then_some(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ErrorBody {
        ErrorBody::parse(body.as_bytes(), true, &Redactor::default())
    }

    #[test]
    fn every_known_shape_gives_its_message() {
        let expected = |message: &str, id: Option<&str>| ErrorBody {
            message: Some(message.into()),
            id: id.map(Into::into),
            text: None,
        };
        assert_eq!(
            parse(r#"{"message": "nope", "id": "e-1"}"#),
            expected("nope", Some("e-1"))
        );
        assert_eq!(
            parse(r#"{"data": "old shape"}"#),
            expected("old shape", None)
        );
        assert_eq!(parse(r#"{"detail": "fastapi"}"#), expected("fastapi", None));
        assert_eq!(parse(r#"{"error": "plain"}"#), expected("plain", None));
        assert_eq!(
            parse(r#"{"error": {"message": "nested"}, "id": "e-2"}"#),
            expected("nested", Some("e-2"))
        );
        assert_eq!(
            parse(r#"{"message": 42, "data": "fallback"}"#),
            expected("fallback", None)
        );
    }

    #[test]
    fn only_a_message_and_an_id_make_the_apis_error() {
        assert!(is_api_error(br#"{"message": "Not Found", "id": "e-1"}"#));
        assert!(is_api_error(
            br#"{"id": "e-1", "message": "", "extra": [1]}"#
        ));
        for other in [
            r#"{"message": "Request did not match any route or mock"}"#,
            r#"{"detail": "Not Found"}"#,
            r#"{"message": "x", "id": 7}"#,
            r#"["message", "id"]"#,
            "<html>Not Found</html>",
            "",
        ] {
            assert!(!is_api_error(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn anything_else_is_kept_as_text() {
        assert_eq!(
            parse("<html>bad gateway</html>").text.as_deref(),
            Some("<html>bad gateway</html>")
        );
        assert_eq!(
            parse(r#"{"other": 1}"#).text.as_deref(),
            Some(r#"{"other": 1}"#)
        );
        assert_eq!(parse("[1,2]").text.as_deref(), Some("[1,2]"));
        assert_eq!(parse(""), ErrorBody::default());
        let cut = ErrorBody::parse(br#"{"message": "cut"#, false, &Redactor::default());
        assert_eq!(cut.message, None);
        assert_eq!(cut.text.as_deref(), Some(r#"{"message": "cut"#));
    }
}
