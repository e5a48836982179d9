//! The facade's own types for the API's answers that are envelopes around a facade type
//! (`{"connector": ...}`, `{"redirect_url": ...}`), decoded by the seam from the body's bytes.

use serde::{Deserialize, Serialize};

use crate::Connector;

/// `{"connector": {...}}`: the answer to a create, a get and an update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ConnectorAnswer {
    pub connector: Connector,
}

/// The answer to a delete: any JSON object (its content means nothing).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Acknowledged {}

impl<'de> Deserialize<'de> for Acknowledged {
    /// An object, whatever it holds; not an array, a string or `null`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(ObjectOnly(deserializer)).map(|_| Self {})
    }
}

/// A deserializer that only lets maps through.
struct ObjectOnly<D>(D);

impl<'de, D: serde::Deserializer<'de>> serde::Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// `{"redirect_url": "..."}`: the answer to an OAuth authorization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RedirectAnswer {
    #[serde(default)]
    pub redirect_url: Option<String>,
}
