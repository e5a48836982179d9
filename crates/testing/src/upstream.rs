//! Cohere's own OpenAPI definition (`../shared/reference/cohere-openapi.yaml`, or the path in
//! `COHERE_UPSTREAM_SPEC`) as an independent reference: the emulator's answers and the
//! bodies the tests send are validated against its schemas with the `jsonschema` crate, not
//! against anything of this crate's.
//!
//! Without the file, the tests that need it are skipped with a visible reason on a user's
//! machine; in CI (`CI` set) its absence is a failure. [`upstream_spec`] is that rule for
//! every test that reads the file (these conformance checks, and the xtask's spec tests).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use cohere_connectors::Operation;
use cohere_connectors_emulator::Exchange;
use serde_json::{Value, json};

pub struct Upstream {
    root: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

/// Where the upstream definition is read from: `COHERE_UPSTREAM_SPEC`, or
/// `shared/reference/cohere-openapi.yaml` beside the checkout.
pub fn path() -> PathBuf {
    std::env::var_os("COHERE_UPSTREAM_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/reference/cohere-openapi.yaml")
        })
}

/// The text of the upstream definition, read once; `None` (and a printed reason) when it is
/// not there outside CI. In CI (`CI` set), a missing file panics: a check that cannot run is
/// a failure there.
pub fn upstream_spec() -> Option<&'static str> {
    static TEXT: OnceLock<Option<String>> = OnceLock::new();
    TEXT.get_or_init(|| {
        let path = path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(error) if std::env::var_os("CI").is_some() => panic!(
                "CI needs Cohere's upstream spec at {} ({error}); set COHERE_UPSTREAM_SPEC",
                path.display()
            ),
            Err(error) => {
                // Straight to stderr: the test harness captures `eprintln!` of tests that
                // pass, and a skip must be seen.
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!(
                        "SKIPPED: Cohere's upstream spec is not at {} ({error}); put ../shared \
                         beside the checkout or set COHERE_UPSTREAM_SPEC\n",
                        path.display()
                    )
                    .as_bytes(),
                );
                None
            }
        }
    })
    .as_deref()
}

/// The upstream definition, parsed, or `None` as [`upstream_spec`].
pub fn upstream() -> Option<&'static Upstream> {
    static UPSTREAM: OnceLock<Option<Upstream>> = OnceLock::new();
    UPSTREAM
        .get_or_init(|| upstream_spec().map(Upstream::parse))
        .as_ref()
}

impl Upstream {
    fn parse(text: &str) -> Self {
        // An integer beyond 64 bits elsewhere in the file (a `maximum` of 2^64) becomes a
        // float instead of failing the parse.
        let Lenient(mut root) = yaml_serde::from_str(text).expect("the upstream is YAML");
        repair(&mut root);
        Self {
            root,
            validators: Mutex::default(),
        }
    }

    fn pointer_escape(segment: &str) -> String {
        segment.replace('~', "~0").replace('/', "~1")
    }

    /// Follows a `$ref` to `#/components/...` if `value` is one.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => self
                .root
                .pointer(reference.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{reference} is not in the upstream")),
            None => value,
        }
    }

    /// The JSON pointer of the schema of `operation`'s `status` answer, if the upstream
    /// documents that status.
    fn response_schema(&self, operation: Operation, status: u16) -> Option<String> {
        let method = operation.method().to_ascii_lowercase();
        let path = Self::pointer_escape(operation.path_template());
        let responses = format!("/paths/{path}/{method}/responses");
        let response = self.root.pointer(&format!("{responses}/{status}"))?;
        let reference = response.get("$ref").and_then(Value::as_str);
        let response_pointer = match reference {
            Some(reference) => reference.trim_start_matches('#').to_owned(),
            None => format!("{responses}/{status}"),
        };
        let pointer = format!("{response_pointer}/content/application~1json/schema");
        self.root.pointer(&pointer).map(|_| pointer)
    }

    /// The error body every documented error status shares (checked for undocumented
    /// statuses such as 405 and 413 too: the emulator answers them in the API's shape).
    fn error_schema(&self) -> String {
        "/components/responses/BadRequest/content/application~1json/schema".to_owned()
    }

    /// The schema of `operation`'s request body.
    pub fn request_schema(&self, operation: Operation) -> String {
        let method = operation.method().to_ascii_lowercase();
        let path = Self::pointer_escape(operation.path_template());
        let pointer =
            format!("/paths/{path}/{method}/requestBody/content/application~1json/schema");
        assert!(
            self.root.pointer(&pointer).is_some(),
            "no request body for {operation}"
        );
        let _ = self.resolve(self.root.pointer(&pointer).unwrap());
        pointer
    }

    fn validator(&self, pointer: &str) -> std::sync::Arc<jsonschema::Validator> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(validator) = cache.get(pointer) {
            return validator.clone();
        }
        // The whole document is the schema's root, so that its `#/components/...` references
        // resolve; the `$ref` names the part to check. Its other keys are not keywords.
        const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'<')
            .add(b'>')
            .add(b'`')
            .add(b'{')
            .add(b'}')
            .add(b'|')
            .add(b'\\')
            .add(b'^')
            .add(b'%');
        let fragment = percent_encoding::utf8_percent_encode(pointer, FRAGMENT);
        let mut schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#{fragment}"),
        });
        schema["components"] = self.root["components"].clone();
        schema["paths"] = self.root["paths"].clone();
        let validator = std::sync::Arc::new(
            jsonschema::options()
                .should_validate_formats(true)
                .should_ignore_unknown_formats(true)
                .build(&schema)
                .unwrap_or_else(|error| {
                    panic!("the schema at {pointer} does not compile: {error}")
                }),
        );
        cache.insert(pointer.to_owned(), validator.clone());
        validator
    }

    /// Checks `instance` against the schema at `pointer`; the error lists every violation.
    pub fn check(&self, pointer: &str, instance: &Value) -> Result<(), String> {
        let validator = self.validator(pointer);
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{pointer}: {}", errors.join("; ")))
        }
    }

    /// Checks one answer of the emulator: an operation's documented status against its
    /// schema, any other error status against the shared error body.
    pub fn check_exchange(&self, exchange: &Exchange) -> Result<(), String> {
        let documented = exchange
            .operation
            .and_then(|operation| self.response_schema(operation, exchange.status));
        let pointer = match documented {
            Some(pointer) => pointer,
            None if exchange.status >= 400 => self.error_schema(),
            None if exchange.operation.is_some() => {
                return Err(format!(
                    "{} {} answered {}, which the upstream does not document",
                    exchange.method, exchange.path, exchange.status
                ));
            }
            // The OAuth callback: a redirect or a page, not part of the API's schemas.
            None => return Ok(()),
        };
        let body = exchange.body.as_ref().ok_or_else(|| {
            format!(
                "{} {} answered {} without a JSON body",
                exchange.method, exchange.path, exchange.status
            )
        })?;
        self.check(&pointer, body).map_err(|error| {
            format!(
                "{} {} -> {}: {error}\nbody: {body}",
                exchange.method, exchange.path, exchange.status
            )
        })
    }
}

/// Where Cohere's spec is itself wrong, and only there: `CreateConnectorOAuth.required` names
/// `clientId`, `clientSecret`, `authorizeUrl` and `tokenUrl`, which match none of its
/// snake_case properties, so no request the API accepts could validate. They are renamed to
/// the properties they stand for.
fn repair(root: &mut Value) {
    if let Some(required) = root.pointer_mut("/components/schemas/CreateConnectorOAuth/required") {
        *required = json!(["client_id", "client_secret", "authorize_url", "token_url"]);
    }
}

/// Validates every answer the emulator journaled; panics listing the ones that do not conform.
pub fn assert_conforms(journal: &[Exchange]) {
    let Some(upstream) = upstream() else {
        return;
    };
    assert!(!journal.is_empty(), "the journal is empty: turn it on");
    let failures: Vec<String> = journal
        .iter()
        .filter_map(|exchange| upstream.check_exchange(exchange).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} answers do not conform to Cohere's schema:\n{}",
        failures.len(),
        journal.len(),
        failures.join("\n")
    );
}

/// A JSON value read from YAML that tolerates integers wider than 64 bits.
struct Lenient(Value);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_i128<E>(self, value: i128) -> Result<Value, E> {
        Ok(Value::from(value as f64))
    }

    fn visit_u128<E>(self, value: u128) -> Result<Value, E> {
        Ok(Value::from(value as f64))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some((Lenient(key), Lenient(value))) = map.next_entry::<Lenient, Lenient>()? {
            let key = match key {
                Value::String(key) => key,
                other => other.to_string(),
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
