//! The emulator's side of the wire: request bodies read field by field, and the JSON it
//! answers with. It uses its own types, not the generated ones, so that what it accepts and
//! sends is the API's documented shape whatever the crate's fragment says, and so that a
//! refusal can name the field without ever echoing a value (a token put in the wrong field
//! must not come back in an error message).

use serde::Serialize;
use serde_json::{Map, Value};

use super::reply::Refusal;
use cohere_connectors::Secret;

/// A request body as a JSON object.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        Refusal::bad_request(format!(
            "the request body is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ))
    })?;
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(Refusal::bad_request(
            "the request body must be a JSON object",
        )),
    }
}

/// Reads the fields of one JSON object; every error names the field by its path
/// (`oauth.client_secret`) and says what it must be, never what it was.
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(object: &'a Map<String, Value>) -> Self {
        Self { object, prefix: "" }
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// The field, `None` when absent or `null`.
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|value| !value.is_null())
    }

    fn wrong(&self, name: &str, what: &str) -> Refusal {
        Refusal::bad_request(format!("`{}` must be {what}", self.path(name)))
    }

    pub(crate) fn required<T>(&self, name: &str, value: Option<T>) -> Result<T, Refusal> {
        value.ok_or_else(|| Refusal::bad_request(format!("`{}` is required", self.path(name))))
    }

    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(self.wrong(name, "a string")),
        }
    }

    pub(crate) fn secret(&self, name: &str) -> Result<Option<Secret>, Refusal> {
        Ok(self.string(name)?.map(Secret::from))
    }

    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(self.wrong(name, "true or false")),
        }
    }

    pub(crate) fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "an array of strings")),
            Some(_) => Err(self.wrong(name, "an array of strings")),
        }
    }

    pub(crate) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) if allowed.contains(&text.as_str()) => Ok(Some(text.clone())),
            Some(_) => Err(self.wrong(name, &format!("one of {}", allowed.join(", ")))),
        }
    }

    pub(crate) fn object(&self, name: &'a str) -> Result<Option<Fields<'a>>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(object)) => Ok(Some(Fields {
                object,
                prefix: name,
            })),
            Some(_) => Err(self.wrong(name, "an object")),
        }
    }
}

/// `POST /v1/connectors` as the emulator reads it.
pub(crate) struct CreateRequest {
    pub name: String,
    pub url: String,
    pub description: Option<String>,
    pub excludes: Vec<String>,
    pub active: Option<bool>,
    pub continue_on_failure: Option<bool>,
    pub oauth: Option<OAuthRequest>,
    pub service_auth: Option<ServiceAuthRequest>,
}

/// `PATCH /v1/connectors/{id}`: only what is present changes.
#[derive(Default)]
pub(crate) struct UpdateRequest {
    pub name: Option<String>,
    pub url: Option<String>,
    pub excludes: Option<Vec<String>>,
    pub active: Option<bool>,
    pub continue_on_failure: Option<bool>,
    pub oauth: Option<OAuthRequest>,
    pub service_auth: Option<ServiceAuthRequest>,
}

pub(crate) struct OAuthRequest {
    pub client_id: String,
    pub client_secret: Secret,
    pub authorize_url: String,
    pub token_url: String,
    pub scope: Option<String>,
}

pub(crate) struct ServiceAuthRequest {
    pub token_type: String,
    pub token: Secret,
}

const TOKEN_TYPES: &[&str] = &["bearer", "basic", "noscheme"];

impl CreateRequest {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Refusal> {
        let object = object(body)?;
        let fields = Fields::new(&object);
        Ok(Self {
            name: fields.required("name", fields.string("name")?)?,
            url: fields.required("url", fields.string("url")?)?,
            description: fields.string("description")?,
            excludes: fields.strings("excludes")?.unwrap_or_default(),
            active: fields.boolean("active")?,
            continue_on_failure: fields.boolean("continue_on_failure")?,
            oauth: fields
                .object("oauth")?
                .map(|f| OAuthRequest::parse(&f))
                .transpose()?,
            service_auth: fields
                .object("service_auth")?
                .map(|f| ServiceAuthRequest::parse(&f))
                .transpose()?,
        })
    }
}

impl UpdateRequest {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Refusal> {
        let object = object(body)?;
        let fields = Fields::new(&object);
        Ok(Self {
            name: fields.string("name")?,
            url: fields.string("url")?,
            excludes: fields.strings("excludes")?,
            active: fields.boolean("active")?,
            continue_on_failure: fields.boolean("continue_on_failure")?,
            oauth: fields
                .object("oauth")?
                .map(|f| OAuthRequest::parse(&f))
                .transpose()?,
            service_auth: fields
                .object("service_auth")?
                .map(|f| ServiceAuthRequest::parse(&f))
                .transpose()?,
        })
    }
}

impl OAuthRequest {
    fn parse(fields: &Fields<'_>) -> Result<Self, Refusal> {
        Ok(Self {
            client_id: fields.required("client_id", fields.string("client_id")?)?,
            client_secret: fields.required("client_secret", fields.secret("client_secret")?)?,
            authorize_url: fields.required("authorize_url", fields.string("authorize_url")?)?,
            token_url: fields.required("token_url", fields.string("token_url")?)?,
            scope: fields.string("scope")?,
        })
    }
}

impl ServiceAuthRequest {
    fn parse(fields: &Fields<'_>) -> Result<Self, Refusal> {
        Ok(Self {
            token_type: fields.required("type", fields.one_of("type", TOKEN_TYPES)?)?,
            token: fields.required("token", fields.secret("token")?)?,
        })
    }
}

// ---- what the emulator answers ------------------------------------------------------------

/// A connector as the API returns it to one caller. Optional fields the connector does not
/// have are left out, never sent as `null` or `""`: `auth_status` is absent until the
/// caller has authorized an OAuth connector.
#[derive(Serialize)]
pub(crate) struct ConnectorBody<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub url: &'a str,
    #[serde(serialize_with = "microseconds")]
    pub created_at: &'a chrono::DateTime<chrono::Utc>,
    #[serde(serialize_with = "microseconds")]
    pub updated_at: &'a chrono::DateTime<chrono::Utc>,
    pub excludes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_status: Option<&'static str>,
    pub active: bool,
    pub continue_on_failure: bool,
}

/// A timestamp as the API writes it: six fractional digits (`2024-01-17T20:11:42.907112Z`),
/// as in Cohere's own examples. chrono would write nanoseconds, which Cohere's Python SDK 4.x
/// (`co.create_connector`, still in use) cannot parse: it takes at most six digits.
fn microseconds<S: serde::Serializer>(
    at: &&chrono::DateTime<chrono::Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// A connector's OAuth settings as the API returns them: never the client secret.
#[derive(Serialize)]
pub(crate) struct OAuthBody<'a> {
    pub client_id: &'a str,
    pub authorize_url: &'a str,
    pub token_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct ListBody<'a> {
    pub connectors: Vec<ConnectorBody<'a>>,
    /// A JSON integer, as the API sends it.
    pub total_count: usize,
}

#[derive(Serialize)]
pub(crate) struct OneBody<'a> {
    pub connector: ConnectorBody<'a>,
}

#[derive(Serialize)]
pub(crate) struct RedirectBody {
    pub redirect_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(body: &str) -> String {
        match CreateRequest::parse(body.as_bytes()) {
            Ok(_) => "accepted".into(),
            Err(refusal) => refusal.message,
        }
    }

    #[test]
    fn refusals_name_the_field_and_never_the_value() {
        for (body, expected) in [
            ("{", "the request body is not valid JSON (line 1, column 1)"),
            ("[1]", "the request body must be a JSON object"),
            (r#"{"url": "https://a"}"#, "`name` is required"),
            (
                r#"{"name": 7, "url": "https://a"}"#,
                "`name` must be a string",
            ),
            (
                r#"{"name": "a", "url": "https://a", "service_auth": {"type": "tok-SECRET", "token": "x"}}"#,
                "`service_auth.type` must be one of bearer, basic, noscheme",
            ),
            (
                r#"{"name": "a", "url": "https://a", "oauth": {"client_id": "i", "client_secret": 12345678, "authorize_url": "https://a", "token_url": "https://t"}}"#,
                "`oauth.client_secret` must be a string",
            ),
            (
                r#"{"name": "a", "url": "https://a", "excludes": ["x", 1]}"#,
                "`excludes` must be an array of strings",
            ),
        ] {
            let message = refusal(body);
            assert_eq!(message, expected, "{body}");
            assert!(!message.contains("SECRET") && !message.contains("12345678"));
        }
        assert_eq!(
            refusal(r#"{"name": "a", "url": "https://a", "description": null}"#),
            "accepted"
        );
    }
}
