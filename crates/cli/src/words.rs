//! The libraries' messages in the tool's words. A library tells its callers which method to
//! call (`allow_insecure_http(true)`, `Checker::query`) and which operation failed
//! (`oAuthAuthorize-connector`); a person at a terminal needs the flag or the command. Every
//! message the tool prints from a library goes through [`in_cli_words`].

use std::borrow::Cow;

use cohere_connectors::Operation;

/// A library's phrase, and the tool's.
const PHRASES: &[(&str, &str)] = &[
    ("allow_insecure_http(true)", "--allow-insecure-http"),
    (
        "call .api_key(..) or set CO_API_KEY",
        "set CO_API_KEY, or pass --api-key-file or --api-key-stdin",
    ),
    (
        "use .api_key(..)",
        "give the key with CO_API_KEY, --api-key-file or --api-key-stdin",
    ),
    ("(Checker::query)", "(--query)"),
    // Advice for the kit's users; a connector written otherwise needs the rest of the fix.
    (" (Document::with does this)", ""),
    ("(prune to delete it)", "(--prune to delete it)"),
    ("(re-send it to be sure)", "(--resend-secrets to be sure)"),
    // A saved plan applied to another API than it was made against.
    (
        ", and the client is for ",
        ", and --base-url (or CO_API_URL) is ",
    ),
];

/// The command that runs an operation.
fn command_of(operation: Operation) -> &'static str {
    match operation {
        Operation::ListConnectors => "list",
        Operation::CreateConnector => "create",
        Operation::GetConnector => "get",
        Operation::UpdateConnector => "update",
        Operation::DeleteConnector => "delete",
        Operation::AuthorizeOAuth => "authorize",
        _ => "the call",
    }
}

/// `message` naming commands and flags where it named library items. An error begins with
/// the operation's id (`get-connector: 404 ...`): that becomes the command (`get: 404 ...`).
pub fn in_cli_words(message: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(message);
    for operation in Operation::ALL {
        if let Some(rest) = text
            .strip_prefix(operation.id())
            .filter(|rest| rest.starts_with(':'))
        {
            text = Cow::Owned(format!("{}{rest}", command_of(operation)));
            break;
        }
    }
    for (library, cli) in PHRASES {
        if text.contains(library) {
            text = Cow::Owned(text.replace(library, cli));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_become_commands_and_methods_become_flags() {
        assert_eq!(
            in_cli_words("oAuthAuthorize-connector: 404 Not Found: no such connector"),
            "authorize: 404 Not Found: no such connector"
        );
        assert_eq!(
            in_cli_words(
                "refusing to send the API key over http:// to h: use https, or allow_insecure_http(true)"
            ),
            "refusing to send the API key over http:// to h: use https, or --allow-insecure-http"
        );
        assert_eq!(
            in_cli_words("send numbers as strings (Document::with does this), and leave nulls out"),
            "send numbers as strings, and leave nulls out"
        );
        assert_eq!(
            in_cli_words(
                "the plan was made for https://a, and the client is for https://b: nothing was applied"
            ),
            "the plan was made for https://a, and --base-url (or CO_API_URL) is https://b: nothing was applied"
        );
        assert_eq!(
            in_cli_words("server said get-connector: x"),
            "server said get-connector: x",
            "only a leading operation is the library's"
        );
    }
}
