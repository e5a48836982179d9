//! Step 2: the fragment carries the API's structure, never Cohere's text.

use super::doc::{Result, Value, insert_first, is_extension, walk_objects};

/// Keywords whose values are prose or illustrations rather than structure.
const PROSE: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "$comment",
];

/// Drops descriptions, summaries, examples, schema titles and every vendor extension
/// (`x-fern-*` and the rest: they steer other generators, not this one).
///
/// OpenAPI 3.0 requires a Response object to have a `description`; those keep an empty one.
pub fn strip_prose(document: &mut Value) -> Result<Vec<String>> {
    let mut prose = 0;
    let mut extensions = 0;
    walk_objects(document, &mut |site, object| {
        // `info.title` is required by OpenAPI; a schema's `title` is only a label.
        let keeps_title = site.at.segments() == ["info"];
        let is_response = site.entry_of == Some("responses") && !object.contains_key("$ref");
        object.retain(|key, _| {
            let Some(key) = key.as_str() else { return true };
            if is_extension(key) {
                extensions += 1;
                false
            } else if PROSE.contains(&key) || (key == "title" && !keeps_title) {
                prose += 1;
                false
            } else {
                true
            }
        });
        if is_response {
            insert_first(object, "description", Value::from(""));
        }
        Ok(())
    })?;
    Ok(vec![format!(
        "removed {prose} prose entries and {extensions} vendor extensions"
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::yaml;

    #[test]
    fn removes_prose_but_keeps_properties_named_like_keywords() {
        let mut doc = yaml(
            r#"
info: {title: Kept, version: "1"}
x-top: 1
tags: [{name: t, description: d}]
paths:
  /a:
    get:
      summary: s
      description: d
      x-fern-sdk-method-name: list
      parameters: [{name: p, in: query, description: d, example: 3, schema: {type: number, x-fern-audiences: [public]}}]
      responses: {"200": {description: OK, content: {}}}
components:
  schemas:
    S:
      title: Label
      description: d
      type: object
      properties:
        description: {type: string, description: d}
        title: {type: string}
        example: {type: string, examples: [x]}
"#,
        );
        let notes = strip_prose(&mut doc).unwrap();
        let expected = yaml(
            r#"
info: {title: Kept, version: "1"}
tags: [{name: t}]
paths:
  /a:
    get:
      parameters: [{name: p, in: query, schema: {type: number}}]
      responses: {"200": {description: "", content: {}}}
components:
  schemas:
    S:
      type: object
      properties:
        description: {type: string}
        title: {type: string}
        example: {type: string}
"#,
        );
        assert_eq!(doc, expected);
        assert_eq!(notes, ["removed 10 prose entries and 3 vendor extensions"]);
    }
}
