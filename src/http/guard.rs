//! The path guard: every request's URL must have exactly the shape of its operation's path
//! template, segment for segment, or it is refused before a byte is sent.
//!
//! Ids are encoded so that they cannot leave their segment (see [`crate::ConnectorId`]); this
//! is the second line, and it holds whatever the next URL-parser quirk turns out to be: a
//! request that would land on another path, another resource or another API is never sent.

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The HTTP method and path template of the fragment's operation whose generated method is
/// `name` (what progenitor's hooks see as `operation_id`).
///
/// progenitor names a method after its operationId in snake case (`oAuthAuthorize-connector`
/// becomes `o_auth_authorize_connector`): it changes case and separators, nothing else. So the
/// two are matched on their letters and digits, case aside; build.rs refuses a fragment in
/// which two operationIds would match the same name.
pub(crate) fn shape_of_generated(name: &str) -> Option<(&'static str, &'static str)> {
    OPERATIONS
        .iter()
        .find(|(operation_id, ..)| same_letters(operation_id, name))
        .map(|(_, method, path)| (*method, *path))
}

fn same_letters(left: &str, right: &str) -> bool {
    letters(left).eq(letters(right))
}

/// `text`'s letters and digits, lowercased.
fn letters(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// Checks `url` against `base_url` (the client's, already a valid URL) followed by `template`.
pub(crate) fn check_url(base_url: &str, template: &str, url: &reqwest::Url) -> Result<(), String> {
    let path = url.path();
    check_path(base_path(base_url), template, path).or_else(|refusal| {
        // A base URL the parser normalised (`/a b` becomes `/a%20b`): compare with that.
        match reqwest::Url::parse(base_url) {
            Ok(base) => check_path(base.path(), template, path),
            Err(_) => Err(refusal),
        }
    })
}

/// Checks `path` (as the URL parser left it) against `base_path` (the path of the client's
/// base URL) followed by `template`. A template parameter matches one non-empty segment that
/// is not a dot segment; every other segment must be equal.
pub(crate) fn check_path(base_path: &str, template: &str, path: &str) -> Result<(), String> {
    let base_path = base_path.trim_end_matches('/');
    let rest = path.strip_prefix(base_path).ok_or_else(|| {
        "the request URL left the base URL's path; refusing to send it".to_owned()
    })?;
    // Split as bytes: on paths this short (this runs on every call), a plain loop is cheaper
    // than a string searcher set up for each segment.
    let mut actual = rest.as_bytes().split(|&byte| byte == b'/');
    let mut expected = template.as_bytes().split(|&byte| byte == b'/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return Ok(()),
            (Some(want), Some(got)) if is_parameter(want) => {
                if got.is_empty() || is_dot_segment(got) {
                    return Err(mismatch(template));
                }
            }
            (Some(want), Some(got)) if want == got => {}
            _ => return Err(mismatch(template)),
        }
    }
}

fn mismatch(template: &str) -> String {
    format!("the request URL does not have the shape {template}; refusing to send it")
}

fn is_parameter(segment: &[u8]) -> bool {
    segment.len() > 2 && segment.starts_with(b"{") && segment.ends_with(b"}")
}

/// `.` and `..`, also percent-encoded (`%2e`), as URL parsers recognise them.
fn is_dot_segment(segment: &[u8]) -> bool {
    // Compared without lowercasing into a new string: this runs on every call.
    segment.len() <= 6
        && [".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"]
            .iter()
            .any(|dots| segment.eq_ignore_ascii_case(dots.as_bytes()))
}

/// The path of a base URL (`https://host/prefix` gives `/prefix`), without parsing it: the
/// base URL is the raw client's, already a valid URL.
pub(crate) fn base_path(base_url: &str) -> &str {
    // Found by its first byte (this runs on every call): the scheme ends at the first `:`.
    let after_scheme = base_url
        .find(':')
        .and_then(|at| base_url[at..].strip_prefix("://"))
        .unwrap_or(base_url);
    after_scheme.find('/').map_or("", |at| &after_scheme[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_fragment_is_in_the_table() {
        for operation in crate::Operation::ALL {
            let (_, method, path) = OPERATIONS
                .iter()
                .find(|(id, ..)| *id == operation.id())
                .unwrap();
            assert_eq!(*method, operation.method());
            assert_eq!(*path, operation.path_template());
        }
    }

    #[test]
    fn generated_method_names_find_their_operation() {
        for (name, expected) in [
            ("list_connectors", crate::Operation::ListConnectors),
            ("create_connector", crate::Operation::CreateConnector),
            ("get_connector", crate::Operation::GetConnector),
            ("update_connector", crate::Operation::UpdateConnector),
            ("delete_connector", crate::Operation::DeleteConnector),
            (
                "o_auth_authorize_connector",
                crate::Operation::AuthorizeOAuth,
            ),
        ] {
            assert_eq!(
                shape_of_generated(name),
                Some((expected.method(), expected.path_template())),
                "{name}"
            );
        }
        assert_eq!(shape_of_generated("list_connector"), None);
        assert_eq!(shape_of_generated("oauth_authorize"), None);
    }

    #[test]
    fn paths_must_have_the_template_shape() {
        let template = "/v1/connectors/{id}";
        assert!(check_path("", template, "/v1/connectors/abc").is_ok());
        assert!(check_path("/proxy/", template, "/proxy/v1/connectors/a%5Cb").is_ok());
        for bad in [
            "/v1/connectors",
            "/v1/connectors/",
            "/v1/connectors/a/b",
            "/v1/datasets/ds-1",
            "/v1/connectors/..",
            "/v1/connectors/%2E%2e",
            "/proxy/v1/connectors/a",
        ] {
            assert!(check_path("", template, bad).is_err(), "{bad}");
        }
        assert!(check_path("/proxy", template, "/v1/connectors/a").is_err());
        assert!(check_path("", "/v1/connectors", "/v1/connectors").is_ok());
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://api.cohere.com"), "");
        assert_eq!(base_path("http://127.0.0.1:8080/proxy/x"), "/proxy/x");
    }
}
