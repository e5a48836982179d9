//! What the answer to the test search says: its shape, its values, its documents.

use std::collections::HashSet;

use serde_json::Value;

use super::report::Finding;
use super::rules::{Rule, Severity};
use cohere_connectors::text::{Redactor, SNIPPET_CHARS};

/// Documents longer than this, without a `text` field, are too long for Cohere's prompt.
pub(crate) const MAX_WORDS: usize = 300;
/// The fields Cohere's documentation recommends.
pub(crate) const RECOMMENDED: [&str; 5] = ["id", "title", "text", "url", "timestamp"];
/// How many examples a finding lists.
const EXAMPLES: usize = 5;

/// The findings about a successful answer, and how many documents it had (when it had a
/// list).
pub(crate) fn findings(
    body: &[u8],
    content_type: Option<&str>,
    redactor: &Redactor,
) -> (Vec<Finding>, Option<usize>) {
    let mut findings = Vec::new();
    let json_declared = content_type.is_some_and(|value| {
        let essence = value.split(';').next().unwrap_or("").trim();
        essence.eq_ignore_ascii_case("application/json")
            || essence.to_ascii_lowercase().ends_with("+json")
    });
    if !json_declared {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::ContentType,
            match content_type {
                Some(value) => format!(
                    "the answer is declared as {}, not application/json",
                    redactor.clean(value, SNIPPET_CHARS)
                ),
                None => "the answer has no Content-Type".to_owned(),
            },
            "answer with Content-Type: application/json",
        ));
    }
    let results = match results(body) {
        Ok(results) => results,
        Err(message) => {
            findings.push(Finding::new(
                Severity::Error,
                Rule::ResultsShape,
                message,
                r#"answer {"results": [{"title": "...", "text": "..."}, ...]}"#,
            ));
            return (findings, None);
        }
    };
    findings.extend(document_findings(&results, redactor));
    (findings, Some(results.len()))
}

/// The `results` array, or what is wrong with the body.
fn results(body: &[u8]) -> Result<Vec<Value>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        format!(
            "the answer is not JSON (line {}, column {})",
            error.line(),
            error.column()
        )
    })?;
    let Value::Object(mut object) = value else {
        return Err(format!("the answer is {}, not a JSON object", kind(&value)));
    };
    match object.remove("results") {
        Some(Value::Array(results)) => Ok(results),
        Some(other) => Err(format!("`results` is {}, not an array", kind(&other))),
        None => Err("the answer has no `results` field".to_owned()),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn document_findings(results: &[Value], redactor: &Redactor) -> Vec<Finding> {
    let mut findings = Vec::new();
    if results.is_empty() {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::SomeResults,
            "the test search found no document, so documents could not be checked",
            "check again with a query that matches something (Checker::query)",
        ));
        return findings;
    }
    let not_objects: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, value)| !value.is_object())
        .map(|(index, _)| index)
        .collect();
    if !not_objects.is_empty() {
        findings.push(Finding::new(
            Severity::Error,
            Rule::ResultsShape,
            format!(
                "{} of {} results are not objects ({})",
                not_objects.len(),
                results.len(),
                list(not_objects.iter().map(|index| format!("results[{index}]")))
            ),
            "make every result an object of string fields",
        ));
    }
    let documents: Vec<_> = results.iter().filter_map(Value::as_object).collect();
    let non_strings: Vec<String> = results
        .iter()
        .enumerate()
        .filter_map(|(index, value)| Some((index, value.as_object()?)))
        .flat_map(|(index, document)| {
            document
                .iter()
                .filter(|(_, value)| !value.is_string())
                .map(move |(key, value)| {
                    format!(
                        "results[{index}].{} is {}",
                        short(key, redactor),
                        kind(value)
                    )
                })
        })
        .collect();
    if !non_strings.is_empty() {
        findings.push(Finding::new(
            Severity::Error,
            Rule::StringValues,
            format!(
                "{} values are not strings: {}",
                non_strings.len(),
                list(non_strings.iter().cloned())
            ),
            "send numbers, booleans and dates as strings (Document::with does this), and leave nulls out",
        ));
    }
    let long: Vec<String> = documents
        .iter()
        .enumerate()
        .filter(|(_, document)| !document.contains_key("text") && words(document) > MAX_WORDS)
        .map(|(index, document)| format!("results[{index}]: {} words", words(document)))
        .collect();
    if !long.is_empty() {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::DocumentSize,
            format!(
                "{} documents are over {MAX_WORDS} words without a `text` field: {}",
                long.len(),
                list(long.into_iter())
            ),
            "split long documents, or put the body in a `text` field, which Cohere truncates",
        ));
    }
    let missing: Vec<String> = RECOMMENDED
        .iter()
        .filter_map(|field| {
            let lacking = documents
                .iter()
                .filter(|document| !document.contains_key(*field))
                .count();
            (lacking > 0).then(|| format!("`{field}` in {lacking} of {}", documents.len()))
        })
        .collect();
    if !missing.is_empty() && !documents.is_empty() {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::RecommendedFields,
            format!("recommended fields are missing: {}", missing.join(", ")),
            "add id, title, text, url and timestamp (use the connector's excludes to keep id out of the prompt)",
        ));
    }
    let mut seen = HashSet::new();
    let duplicates: Vec<String> = documents
        .iter()
        .filter_map(|document| document.get("id")?.as_str())
        .filter(|id| !seen.insert(*id))
        .map(|id| format!("`{}`", short(id, redactor)))
        .collect();
    if !duplicates.is_empty() {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::DuplicateIds,
            format!(
                "{} documents repeat an id: {}",
                duplicates.len(),
                list(duplicates.into_iter())
            ),
            "deduplicate the results (or the data store) before answering",
        ));
    }
    findings
}

fn words(document: &serde_json::Map<String, Value>) -> usize {
    document
        .values()
        .filter_map(Value::as_str)
        .map(|text| text.split_whitespace().count())
        .fold(0, usize::saturating_add)
}

/// A key or id from the connector, safe to show: tokens hidden, escaped, cut short.
fn short(text: &str, redactor: &Redactor) -> String {
    redactor.clean(text, 40)
}

/// The first few items, and how many more.
fn list(items: impl Iterator<Item = String>) -> String {
    let mut items = items.peekable();
    let shown: Vec<String> = items.by_ref().take(EXAMPLES).collect();
    let rest = items.count();
    if rest == 0 {
        shown.join(", ")
    } else {
        format!("{}, and {rest} more", shown.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(body: &str) -> Vec<(Rule, Severity)> {
        findings(
            body.as_bytes(),
            Some("application/json"),
            &Redactor::default(),
        )
        .0
        .into_iter()
        .map(|finding| (finding.rule, finding.severity))
        .collect()
    }

    #[test]
    fn a_good_answer_has_nothing_to_say() {
        let body = r#"{"results": [{"id": "1", "title": "T", "text": "x", "url": "https://e/1", "timestamp": "2024-01-01"}]}"#;
        assert_eq!(rules_of(body), []);
    }

    #[test]
    fn shapes_that_are_not_a_results_list_are_errors() {
        for body in [
            "not json",
            "[]",
            r#"{"documents": []}"#,
            r#"{"results": {"a": "b"}}"#,
            r#"{"results": null}"#,
        ] {
            assert_eq!(
                rules_of(body),
                [(Rule::ResultsShape, Severity::Error)],
                "{body}"
            );
        }
    }

    #[test]
    fn non_string_values_are_listed_by_path() {
        let body = r#"{"results": [{"id": 1, "title": "T", "text": "x", "url": "u", "timestamp": "t", "tags": ["a"], "ok": true, "gone": null}]}"#;
        let (found, count) = findings(
            body.as_bytes(),
            Some("application/json; charset=utf-8"),
            &Redactor::default(),
        );
        assert_eq!(count, Some(1));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, Rule::StringValues);
        assert_eq!(
            found[0].message,
            "4 values are not strings: results[0].gone is null, results[0].id is a number, results[0].ok is a boolean, results[0].tags is an array"
        );
    }

    #[test]
    fn warnings_for_size_fields_duplicates_empty_and_content_type() {
        let long = "word ".repeat(MAX_WORDS + 1);
        let body = serde_json::json!({"results": [
            {"id": "a", "body": long},
            {"id": "a", "title": "t"},
            "not an object"
        ]})
        .to_string();
        let rules = rules_of(&body);
        assert!(rules.contains(&(Rule::ResultsShape, Severity::Error)));
        assert!(rules.contains(&(Rule::DocumentSize, Severity::Warning)));
        assert!(rules.contains(&(Rule::RecommendedFields, Severity::Warning)));
        assert!(rules.contains(&(Rule::DuplicateIds, Severity::Warning)));
        assert_eq!(
            rules_of(r#"{"results": []}"#),
            [(Rule::SomeResults, Severity::Warning)]
        );
        let (found, _) = findings(
            br#"{"results": []}"#,
            Some("text/html"),
            &Redactor::default(),
        );
        assert_eq!(found[0].rule, Rule::ContentType);
    }

    #[test]
    fn many_problems_are_summarised_not_all_listed() {
        let results: Vec<_> = (0..1000)
            .map(|index| serde_json::json!({"n": index}))
            .collect();
        let body = serde_json::json!({ "results": results }).to_string();
        let (found, _) = findings(
            body.as_bytes(),
            Some("application/json"),
            &Redactor::default(),
        );
        let strings = found.iter().find(|f| f.rule == Rule::StringValues).unwrap();
        assert!(
            strings.message.ends_with("and 995 more"),
            "{}",
            strings.message
        );
        assert!(strings.message.len() < 400);
    }
}
