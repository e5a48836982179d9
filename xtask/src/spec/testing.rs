//! Helpers for the pipeline's unit tests.

use yaml_serde::Value;

/// A YAML document from a test's text.
pub fn yaml(text: &str) -> Value {
    yaml_serde::from_str(text).unwrap()
}

/// Asserts that two documents print the same (key order included).
pub fn same_text(left: &Value, right: &Value) {
    assert_eq!(
        yaml_serde::to_string(left).unwrap(),
        yaml_serde::to_string(right).unwrap()
    );
}
