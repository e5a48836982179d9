//! One search result: an object of string keys to string values.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone};
#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use cohere_connectors::text::{Redactor, one_line};

/// The longest field name an error about a document quotes.
const QUOTED_KEY_CHARS: usize = 64;

/// One result of a search: string keys to string values, which is all Cohere accepts.
///
/// The fields Cohere's documentation recommends have accessors and setters: `id`, `title`,
/// `text` (the field Cohere truncates when the prompt is too long; keep documents to a few
/// hundred words), `url` and `timestamp`. Any other field is allowed; a connector's
/// `excludes` keeps named fields out of the prompt.
///
/// Values of other types become strings the way a reader expects: numbers as written,
/// booleans as `true`/`false`, dates and times in RFC 3339, `None` leaves the field out
/// (see [`FieldValue`]).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use cohere_connectors_kit::Document;
///
/// let published = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
/// let document = Document::new()
///     .with_id(42)
///     .with_title("Expenses")
///     .with_text("Meals with clients are refunded up to 60 EUR.")
///     .with_timestamp(published)
///     .with("draft", false)
///     .with("rating", 4.5)
///     .with("author", None::<String>);
///
/// assert_eq!(document.id(), Some("42"));
/// assert_eq!(document.timestamp(), Some("2024-05-06T07:08:09Z"));
/// assert_eq!(document.get("draft"), Some("false"));
/// assert_eq!(document.get("author"), None);
/// assert_eq!(
///     serde_json::to_string(&document)?,
///     r#"{"draft":"false","id":"42","rating":"4.5","text":"Meals with clients are refunded up to 60 EUR.","timestamp":"2024-05-06T07:08:09Z","title":"Expenses"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Document {
    fields: BTreeMap<String, String>,
}

macro_rules! recommended_field {
    ($(#[$get_doc:meta])* $get:ident, $(#[$set_doc:meta])* $set:ident, $key:literal) => {
        $(#[$get_doc])*
        pub fn $get(&self) -> Option<&str> {
            self.get($key)
        }

        $(#[$set_doc])*
        #[must_use]
        pub fn $set(self, value: impl FieldValue) -> Self {
            self.with($key, value)
        }
    };
}

impl Document {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    recommended_field!(
        /// The `id` field: identifies the document (for deduplication and citations).
        id,
        /// Sets `id`.
        with_id,
        "id"
    );
    recommended_field!(
        /// The `title` field: how citations name the document.
        title,
        /// Sets `title`.
        with_title,
        "title"
    );
    recommended_field!(
        /// The `text` field: the body, which Cohere truncates when the prompt is too long.
        text,
        /// Sets `text`.
        with_text,
        "text"
    );
    recommended_field!(
        /// The `url` field: where a reader can open the document.
        url,
        /// Sets `url`.
        with_url,
        "url"
    );
    recommended_field!(
        /// The `timestamp` field: when the document was written, for questions about time.
        timestamp,
        /// Sets `timestamp` (a `DateTime` is written in RFC 3339).
        with_timestamp,
        "timestamp"
    );

    /// The document with `key` set to `value` (a value of `None` leaves it unchanged).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl FieldValue) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to `value` and returns the value it had; `None` as a value changes nothing
    /// (and returns `None`).
    pub fn insert(&mut self, key: impl Into<String>, value: impl FieldValue) -> Option<String> {
        let value = value.into_field_value()?;
        self.fields.insert(key.into(), value)
    }

    /// Removes `key` and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.fields.remove(key)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// Whether the document has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// The fields, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many fields it has.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether it has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The document without the fields named in `excludes`, as Cohere leaves a connector's
    /// `excludes` out of the prompt.
    ///
    /// ```
    /// use cohere_connectors_kit::Document;
    ///
    /// let document = Document::new().with_id("7").with_text("body").with("score", 0.9);
    /// let shown = document.excluding(["id", "score"]);
    /// assert_eq!(shown, Document::new().with_text("body"));
    /// ```
    #[must_use]
    pub fn excluding<I, S>(mut self, excludes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for key in excludes {
            self.fields.remove(key.as_ref());
        }
        self
    }

    /// How many words its values hold together (runs of non-whitespace).
    pub fn word_count(&self) -> usize {
        self.fields
            .values()
            .map(|value| value.split_whitespace().count())
            .fold(0, usize::saturating_add)
    }

    /// The document with `redactor`'s secrets hidden in every key and value.
    pub(crate) fn scrubbed(self, redactor: &Redactor) -> Self {
        self.fields
            .into_iter()
            .map(|(key, value)| {
                (
                    redactor.scrub(&key, false).into_owned(),
                    redactor.scrub(&value, false).into_owned(),
                )
            })
            .collect()
    }

    /// A document from any JSON object, the lenient way: strings kept, numbers and booleans
    /// written as text, `null` left out, arrays and objects kept as their JSON text. `None`
    /// when `value` is not an object.
    ///
    /// ```
    /// use cohere_connectors_kit::Document;
    /// use serde_json::json;
    ///
    /// let document = Document::from_json(json!({"id": 7, "tags": ["a"], "gone": null})).unwrap();
    /// assert_eq!(document.id(), Some("7"));
    /// assert_eq!(document.get("tags"), Some(r#"["a"]"#));
    /// assert!(!document.contains_key("gone"));
    /// ```
    pub fn from_json(value: serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Object(object) => Some(object.into_iter().collect()),
            _ => None,
        }
    }
}

impl<K: Into<String>, V: FieldValue> FromIterator<(K, V)> for Document {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(fields: I) -> Self {
        let mut document = Self::new();
        document.extend(fields);
        document
    }
}

impl<K: Into<String>, V: FieldValue> Extend<(K, V)> for Document {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, fields: I) {
        for (key, value) in fields {
            self.insert(key, value);
        }
    }
}

impl<K: Into<String>, V: FieldValue, const N: usize> From<[(K, V); N]> for Document {
    fn from(fields: [(K, V); N]) -> Self {
        fields.into_iter().collect()
    }
}

impl IntoIterator for Document {
    type Item = (String, String);
    type IntoIter = btree_map::IntoIter<String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.into_iter()
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string keys to string values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match map.next_value::<StrictString>() {
                Ok(StrictString(value)) => {
                    fields.insert(key, value);
                }
                Err(error) => {
                    return Err(de::Error::custom(format_args!(
                        "field `{}` of a document: {error}",
                        one_line(&key, QUOTED_KEY_CHARS)
                    )));
                }
            }
        }
        Ok(Document { fields })
    }
}

/// A value that must be a JSON string; anything else is named by its kind, never quoted.
struct StrictString(String);

impl<'de> Deserialize<'de> for StrictString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictStringVisitor)
    }
}

struct StrictStringVisitor;

macro_rules! refuse_kind {
    ($($method:ident: $ty:ty => $kind:literal),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, _: $ty) -> Result<StrictString, E> {
                Err(E::custom(concat!("is ", $kind, ", not a string")))
            }
        )*
    };
}

impl<'de> Visitor<'de> for StrictStringVisitor {
    type Value = StrictString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<StrictString, E> {
        Ok(StrictString(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<StrictString, E> {
        Ok(StrictString(value))
    }

    refuse_kind! {
        visit_bool: bool => "a boolean",
        visit_i64: i64 => "a number",
        visit_u64: u64 => "a number",
        visit_f64: f64 => "a number",
        visit_i128: i128 => "a number",
        visit_u128: u128 => "a number",
    }

    fn visit_unit<E: de::Error>(self) -> Result<StrictString, E> {
        Err(E::custom("is null, not a string"))
    }

    fn visit_none<E: de::Error>(self) -> Result<StrictString, E> {
        Err(E::custom("is null, not a string"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<StrictString, A::Error> {
        Err(de::Error::custom("is an array, not a string"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<StrictString, A::Error> {
        Err(de::Error::custom("is an object, not a string"))
    }
}

#[cfg(feature = "schemars")]
impl JsonSchema for Document {
    fn schema_name() -> Cow<'static, str> {
        "Document".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One search result: string keys to string values.",
            "type": "object",
            "additionalProperties": { "type": "string" }
        })
    }
}

/// A value a [`Document`] field can be set to. It becomes a string the way a reader expects;
/// `None` (of an `Option`, or a JSON `null`) leaves the field out.
///
/// | value | written as |
/// |---|---|
/// | strings, `char` | themselves |
/// | integers, floats | as Rust writes them: `42`, `-7`, `4.5`, `0.1` |
/// | `bool` | `true`, `false` |
/// | `DateTime` | RFC 3339, `Z` for UTC: `2024-05-06T07:08:09Z`, `2024-05-06T09:08:09+02:00` |
/// | `NaiveDate`, `NaiveDateTime` | `2024-05-06`, `2024-05-06T07:08:09` |
/// | `Option<T>` | `T`'s text, or no field |
/// | `serde_json::Value` | a string as itself, `null` as no field, anything else as JSON |
/// | `&url::Url` | the URL |
pub trait FieldValue {
    /// The value as the text of a field, or `None` to leave the field out.
    fn into_field_value(self) -> Option<String>;
}

impl FieldValue for String {
    fn into_field_value(self) -> Option<String> {
        Some(self)
    }
}

impl FieldValue for &str {
    fn into_field_value(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl FieldValue for &String {
    fn into_field_value(self) -> Option<String> {
        Some(self.clone())
    }
}

impl FieldValue for Cow<'_, str> {
    fn into_field_value(self) -> Option<String> {
        Some(self.into_owned())
    }
}

impl FieldValue for Box<str> {
    fn into_field_value(self) -> Option<String> {
        Some(self.into())
    }
}

macro_rules! displayed {
    ($($ty:ty),* $(,)?) => {
        $(
            impl FieldValue for $ty {
                fn into_field_value(self) -> Option<String> {
                    Some(self.to_string())
                }
            }
        )*
    };
}

displayed!(
    char, bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl<Tz: TimeZone> FieldValue for DateTime<Tz>
where
    Tz::Offset: fmt::Display,
{
    fn into_field_value(self) -> Option<String> {
        Some(self.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl FieldValue for NaiveDate {
    fn into_field_value(self) -> Option<String> {
        Some(self.format("%Y-%m-%d").to_string())
    }
}

impl FieldValue for NaiveDateTime {
    fn into_field_value(self) -> Option<String> {
        Some(self.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
    }
}

impl FieldValue for &url::Url {
    fn into_field_value(self) -> Option<String> {
        Some(self.as_str().to_owned())
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    fn into_field_value(self) -> Option<String> {
        self.and_then(FieldValue::into_field_value)
    }
}

impl FieldValue for serde_json::Value {
    fn into_field_value(self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::String(text) => Some(text),
            other => Some(other.to_string()),
        }
    }
}

impl FieldValue for &serde_json::Value {
    fn into_field_value(self) -> Option<String> {
        self.clone().into_field_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, Utc};
    use proptest::prelude::*;

    #[test]
    fn values_become_the_strings_a_reader_expects() {
        let offset = FixedOffset::east_opt(2 * 3600).unwrap();
        let local = offset.with_ymd_and_hms(2024, 5, 6, 9, 8, 9).unwrap();
        let document = Document::new()
            .with("int", -7)
            .with("big", u64::MAX)
            .with("float", 0.1)
            .with("whole_float", 3.0)
            .with("yes", true)
            .with("letter", 'x')
            .with("utc", Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap())
            .with("local", local)
            .with("date", NaiveDate::from_ymd_opt(2024, 5, 6).unwrap())
            .with("json_num", serde_json::json!(12.5))
            .with("json_list", serde_json::json!([1, "a"]))
            .with("json_null", serde_json::Value::Null)
            .with("none", None::<i32>)
            .with("some", Some(3));
        let expected = [
            ("big", "18446744073709551615"),
            ("date", "2024-05-06"),
            ("float", "0.1"),
            ("int", "-7"),
            ("json_list", r#"[1,"a"]"#),
            ("json_num", "12.5"),
            ("letter", "x"),
            ("local", "2024-05-06T09:08:09+02:00"),
            ("some", "3"),
            ("utc", "2024-05-06T07:08:09Z"),
            ("whole_float", "3"),
            ("yes", "true"),
        ];
        assert_eq!(document.iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn every_kind_of_non_string_is_named_not_quoted() {
        for (json, kind) in [
            (r#"{"f": 12}"#, "a number"),
            (r#"{"f": -1.5}"#, "a number"),
            (r#"{"f": true}"#, "a boolean"),
            (r#"{"f": null}"#, "null"),
            (r#"{"f": ["secret-ish"]}"#, "an array"),
            (r#"{"f": {"k": "secret-ish"}}"#, "an object"),
        ] {
            let error = serde_json::from_str::<Document>(json)
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with(&format!("field `f` of a document: is {kind}, not a string")),
                "{error}"
            );
            assert!(!error.contains("secret-ish"), "{error}");
        }
        assert!(serde_json::from_str::<Document>(r#"["a"]"#).is_err());
    }

    #[test]
    fn a_long_or_hostile_key_is_cut_and_escaped_in_errors() {
        let key = format!("\u{1b}[31m{}", "k".repeat(10_000));
        let json = serde_json::json!({ key: 1 }).to_string();
        let error = serde_json::from_str::<Document>(&json)
            .unwrap_err()
            .to_string();
        assert!(error.len() < 300, "{}", error.len());
        assert!(!error.contains('\u{1b}'));
    }

    proptest! {
        #[test]
        fn any_string_map_round_trips(fields in proptest::collection::btree_map(".*", ".*", 0..8)) {
            let document: Document = fields.clone().into_iter().collect();
            let json = serde_json::to_string(&document).unwrap();
            let back: Document = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.iter().count(), fields.len());
            prop_assert_eq!(back, document);
        }

        #[test]
        fn any_json_object_converts_leniently(value in arbitrary_json()) {
            let object = serde_json::json!({ "v": value.clone() });
            let document = Document::from_json(object).unwrap();
            prop_assert_eq!(document.contains_key("v"), !value.is_null());
            let strict = serde_json::from_str::<Document>(&serde_json::json!({"v": value.clone()}).to_string());
            prop_assert_eq!(strict.is_ok(), value.is_string());
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            ".*".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(".*", inner, 0..4)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }
}
