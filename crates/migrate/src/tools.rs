//! Chat v2's tool shapes: the SDK's own (`cohere_connectors::chat`), the one definition of
//! each, re-exported so that a toolbox user needs no second import; and the names this crate
//! gives connectors as tools.

pub use cohere_connectors::chat::{
    FunctionDefinition, FunctionKind, ToolCall, ToolCallFunction, ToolContent, ToolDefinition,
    ToolDocument, ToolMessage, ToolRole,
};

/// The longest tool name written (function names longer than this are refused by common
/// tool-calling APIs).
pub const MAX_TOOL_NAME_CHARS: usize = 64;

/// A tool name for a connector: `search_` and its id, with anything but ASCII letters,
/// digits and `_` written as `_`, cut to [`MAX_TOOL_NAME_CHARS`].
///
/// ```
/// use cohere_connectors_migrate::tool_name;
///
/// assert_eq!(tool_name("internal-wiki"), "search_internal_wiki");
/// assert_eq!(tool_name("ünïcode.docs"), "search__n_code_docs");
/// assert_eq!(tool_name(&"x".repeat(100)).len(), 64);
/// ```
pub fn tool_name(connector_id: &str) -> String {
    let mut name = String::from("search_");
    for c in connector_id.chars() {
        if name.len() >= MAX_TOOL_NAME_CHARS {
            break;
        }
        name.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        });
    }
    name
}

/// Whether `name` is a valid tool name: `[A-Za-z_][A-Za-z0-9_]*`, at most
/// [`MAX_TOOL_NAME_CHARS`].
/// (Cohere's rule, [`is_tool_name`](cohere_connectors::chat::is_tool_name), and the length
/// other tool-calling APIs keep to.)
pub fn is_valid_tool_name(name: &str) -> bool {
    name.len() <= MAX_TOOL_NAME_CHARS && cohere_connectors::chat::is_tool_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_connector_id_gives_a_valid_name(id in ".{0,200}") {
            prop_assert!(is_valid_tool_name(&tool_name(&id)));
        }
    }

    #[test]
    fn names_are_checked() {
        for valid in ["search_wiki", "_x", "a1"] {
            assert!(is_valid_tool_name(valid), "{valid}");
        }
        for invalid in ["", "1abc", "a-b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_valid_tool_name(invalid), "{invalid}");
        }
    }
}
