//! Reading upstream YAML into a [`Value`] without tripping over parts we discard.
//!
//! `yaml_serde::Value` cannot hold an integer beyond 64 bits, and upstream has one
//! (a `maximum` of 2^64 in an unrelated endpoint). Such integers are kept as their text under
//! the tag [`BIG_INTEGER_TAG`]; [`reject_big_integers`] then fails only if one of them is in
//! the part of the document the fragment keeps.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use yaml_serde::value::{Tag, TaggedValue};

use super::doc::{Mapping, Result, Value, spec_error};

/// The tag marking an integer that `yaml_serde::Value` cannot represent.
pub const BIG_INTEGER_TAG: &str = "!big-integer";

/// Parses YAML text into a value, keeping out-of-range integers as tagged text.
pub fn parse_yaml(text: &str) -> Result<Value> {
    yaml_serde::from_str::<Lenient>(text)
        .map(|lenient| lenient.0)
        .map_err(|error| spec_error!("upstream is not valid YAML: {error}"))
}

/// Fails, naming the value, if an integer too large to represent is still in `value`.
pub fn reject_big_integers(value: &Value) -> Result<()> {
    match value {
        Value::Tagged(tagged) if tagged.tag == Tag::new(BIG_INTEGER_TAG) => Err(spec_error!(
            "the integer {} does not fit in 64 bits",
            super::doc::scalar_text(&tagged.value)
        )),
        Value::Tagged(tagged) => reject_big_integers(&tagged.value),
        Value::Sequence(items) => items.iter().try_for_each(reject_big_integers),
        Value::Mapping(object) => object
            .iter()
            .try_for_each(|(key, child)| reject_big_integers(key).and(reject_big_integers(child))),
        _ => Ok(()),
    }
}

struct Lenient(Value);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

fn big_integer(text: String) -> Value {
    Value::Tagged(Box::new(TaggedValue {
        tag: Tag::new(BIG_INTEGER_TAG),
        value: Value::String(text),
    }))
}

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map_or_else(|_| big_integer(v.to_string()), |v| Value::Number(v.into())))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v)
            .map_or_else(|_| big_integer(v.to_string()), |v| Value::Number(v.into())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Mapping::new();
        while let Some((Lenient(key), Lenient(value))) = map.next_entry()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {}",
                    super::doc::scalar_text(&key)
                )));
            }
            object.insert(key, value);
        }
        Ok(Value::Mapping(object))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "YAML tags are not part of an OpenAPI document",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_yaml_parses_like_yaml_serde() {
        let text = "a: [1, -2, 3.5, x, true, null]\nb: {c: d}\n";
        assert_eq!(
            parse_yaml(text).unwrap(),
            yaml_serde::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn big_integers_are_kept_aside_and_rejected_only_if_kept() {
        let value = parse_yaml("kept: 1\ndropped: 18446744073709552000\n").unwrap();
        let error = reject_big_integers(&value).unwrap_err();
        assert_eq!(
            error.0,
            "the integer 18446744073709552000 does not fit in 64 bits"
        );
        let mut object = value.as_mapping().unwrap().clone();
        object.shift_remove("dropped");
        assert!(reject_big_integers(&Value::Mapping(object)).is_ok());
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        assert!(parse_yaml("a: 1\na: 2\n").is_err());
    }
}
