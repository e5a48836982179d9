//! Connectors as Chat v2 tools: a definition per connector, and an executor that answers a
//! tool call by searching the connector exactly as Cohere did.
//!
//! Everything a connector sends reaches a language model, which repeats what it reads: every
//! key, value and id of its documents, and the errors the model is told, have the tool's own
//! secrets (its service token, the user's token of the call, a password in its URL) scrubbed
//! whatever their length, and control characters and bidi overrides escaped.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::MigrateError;
use super::manifest::{AccountAuth, Manifest, ManifestConnector, account_auth};
use super::secrets::Secrets;
use super::tools::{ToolCall, ToolContent, ToolDefinition, ToolDocument, ToolMessage, tool_name};
use cohere_connectors::text::{Redactor, escape};
use cohere_connectors::{Connector, HttpUrl, Secret, ServiceAuth};
use cohere_connectors_kit::{
    ConnectorSearch, DEFAULT_SEARCH_TIMEOUT, Document, SearchAuth, SearchError,
};

/// Why a tool call could not be answered. `Display` never shows a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// The call is for another tool (or names none).
    #[error("the call is for tool `{called}`, not `{tool}`")]
    WrongTool {
        /// This tool.
        tool: String,
        /// The tool called.
        called: String,
    },
    /// No tool of the toolbox has the name called.
    #[error("no tool is named `{called}`")]
    UnknownTool {
        /// The name called.
        called: String,
    },
    /// The arguments are not `{"query": "<text>"}`.
    #[error("the arguments must be {{\"query\": \"<text>\"}}: {message}")]
    Arguments {
        /// What is wrong.
        message: String,
    },
    /// The connector uses OAuth: the call needs the user's token.
    #[error("the connector `{connector}` uses OAuth: call it with the user's token")]
    NeedsUserToken {
        /// The connector's id.
        connector: String,
    },
    /// The search failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// One connector as a Chat v2 tool: its [`definition`](Self::definition) goes in the chat
/// request's `tools`; [`call`](Self::call) answers the model's tool call with the connector's
/// documents.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_migrate::{ConnectorTool, ManifestConnector, Secrets, ToolCall};
/// use cohere_connectors_kit::Document;
/// use cohere_connectors_kit::server::{Access, ConnectorService};
///
/// let running = ConnectorService::new(Access::service(ServiceAuth::bearer("t0ken-123"))?, |request, _| async move {
///     Ok(vec![Document::new().with_id("7").with_title("Hit").with_text(request.query)])
/// })
/// .bind("127.0.0.1:0")
/// .await?;
/// let manifest: ManifestConnector = serde_json::from_value(serde_json::json!({
///     "id": "wiki", "name": "Wiki", "url": running.url(), "excludes": ["id"],
///     "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}
/// }))?;
/// let tool = ConnectorTool::from_manifest(&manifest, &Secrets::none().with("WIKI_TOKEN", "t0ken-123"))?;
/// assert_eq!(tool.definition().function.name, "search_wiki");
///
/// let call = ToolCall::new("call_1", "search_wiki", &serde_json::json!({"query": "tea"}));
/// let message = tool.call(&call).await?;
/// assert_eq!(
///     serde_json::to_value(&message)?,
///     serde_json::json!({"role": "tool", "tool_call_id": "call_1", "content": [
///         {"type": "document", "document": {"id": "search_wiki:7", "data": {"title": "Hit", "text": "tea"}}}
///     ]})
/// );
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ConnectorTool {
    name: String,
    description: String,
    connector_id: String,
    search: ConnectorSearch,
    excludes: Vec<String>,
    per_user: bool,
    /// How long a call may take, token and search together (the search's own timeout too).
    deadline: Duration,
    /// Whether a chat goes on when the connector fails (the model is told), or ends.
    continue_on_failure: bool,
    /// Hides the tool's own secrets, whatever their length, in what the model is given.
    redactor: Redactor,
}

impl ConnectorTool {
    /// The tool for a connector as the API returned it. Its service token, which the API
    /// never returns, is `service_auth` (required when the connector uses service auth).
    ///
    /// # Errors
    ///
    /// When the connector has no usable URL, or uses service auth and no token is given.
    pub fn from_connector(
        connector: &Connector,
        service_auth: Option<ServiceAuth>,
    ) -> Result<Self, MigrateError> {
        let url = connector.url.as_deref().unwrap_or_default();
        let auth = account_auth(connector);
        let per_user = auth == AccountAuth::OAuth;
        if auth == AccountAuth::Service && service_auth.is_none() {
            return Err(MigrateError::Secret {
                connector: connector.id.to_string(),
                field: "service_auth.token",
                message:
                    "the connector uses service auth: give its token (the API never returns it)"
                        .into(),
            });
        }
        Self::build(
            &connector.id,
            &connector.name,
            connector.description.as_deref(),
            url,
            &connector.excludes,
            service_auth,
            per_user,
        )
        .map(|tool| tool.continue_on_failure(connector.continue_on_failure.unwrap_or(false)))
    }

    /// The tool for a connector of a manifest, its secrets resolved with `secrets`.
    ///
    /// # Errors
    ///
    /// When the URL is not usable or a secret cannot be resolved.
    pub fn from_manifest(
        entry: &ManifestConnector,
        secrets: &Secrets,
    ) -> Result<Self, MigrateError> {
        let url = entry
            .search_url(secrets)?
            .map(String::from)
            .unwrap_or_default();
        Self::build(
            entry.label(),
            &entry.definition.name,
            entry.definition.description.as_deref(),
            &url,
            &entry.definition.excludes,
            entry.service_auth(secrets)?,
            entry.definition.oauth.is_some(),
        )
        .map(|tool| tool.continue_on_failure(entry.definition.continue_on_failure.unwrap_or(false)))
    }

    fn build(
        id: &str,
        name: &str,
        description: Option<&str>,
        url: &str,
        excludes: &[String],
        service_auth: Option<ServiceAuth>,
        per_user: bool,
    ) -> Result<Self, MigrateError> {
        let mut redactor = Redactor::default();
        for form in service_auth.iter().flat_map(ServiceAuth::secret_forms) {
            redactor = redactor.with_any_length(&form);
        }
        if let Some(password) = HttpUrl::from(url).password() {
            // As written in the URL, and as a server that decoded it would echo it.
            let decoded = percent_encoding::percent_decode_str(password).decode_utf8_lossy();
            redactor = redactor
                .with_any_length(&Secret::from(password))
                .with_any_length(&Secret::from(decoded.as_ref()));
        }
        let search = ConnectorSearch::new(url)
            .map_err(|error| {
                MigrateError::manifest(format!(
                    "connector `{}`: {}",
                    escape(id),
                    redactor.scrub(&error.to_string(), false)
                ))
            })?
            .auth(service_auth);
        let description = match description.map(str::trim).filter(|text| !text.is_empty()) {
            Some(text) => format!("Searches {name}: {text}"),
            None => format!("Searches {name} for documents relevant to a query."),
        };
        Ok(Self {
            name: tool_name(id),
            description: for_the_model(&redactor, &description),
            connector_id: id.to_owned(),
            search,
            excludes: excludes.to_vec(),
            per_user,
            deadline: DEFAULT_SEARCH_TIMEOUT,
            continue_on_failure: false,
            redactor,
        })
    }

    /// Its tool name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The id of its connector (as the manifest names it: its id, or its name when it has
    /// none; the account's for a connector read from it), as given: escape it to show it.
    pub fn connector_id(&self) -> &str {
        &self.connector_id
    }

    /// Whether it needs the user's token (an OAuth connector): use
    /// [`call_for_user`](Self::call_for_user).
    pub fn needs_user_token(&self) -> bool {
        self.per_user
    }

    /// Bounds each search (default 30 s, as Cohere), and, in a chat's tool loop, each call
    /// of the tool whole (the user's token fetched, the search, its documents).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.search = self.search.timeout(timeout);
        self.deadline = timeout;
        self
    }

    /// How long one call may take ([`timeout`](Self::timeout)).
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Whether a chat goes on when the connector fails, the failure told to the model as
    /// the call's answer (`true`), or ends with an error naming the connector (`false`, the
    /// default, and Cohere's for v1 connectors). A manifest's `continue_on_failure` sets it.
    #[must_use]
    pub fn continue_on_failure(mut self, go_on: bool) -> Self {
        self.continue_on_failure = go_on;
        self
    }

    /// Whether a chat goes on when the connector fails (see
    /// [`continue_on_failure`](Self::continue_on_failure)).
    pub fn continues_on_failure(&self) -> bool {
        self.continue_on_failure
    }

    /// Renames it (a toolbox does, when two connectors would share a name).
    pub(crate) fn renamed(mut self, name: String) -> Self {
        self.name = name;
        self
    }

    /// Its Chat v2 definition: one `query` argument.
    pub fn definition(&self) -> ToolDefinition {
        ToolDefinition::function(
            self.name.clone(),
            self.description.clone(),
            json!({
                "type": "object",
                "properties": {
                    "query": {
                        "type": "string",
                        "description": "What to search for: a short query in natural language."
                    }
                },
                "required": ["query"]
            }),
        )
    }

    /// Answers `call` by searching the connector with its service auth (or none).
    ///
    /// # Errors
    ///
    /// When the call is for another tool, its arguments are not `{"query": ...}`, the
    /// connector needs a user's token, or the search fails.
    pub async fn call(&self, call: &ToolCall) -> Result<ToolMessage, ToolError> {
        if self.per_user {
            return Err(ToolError::NeedsUserToken {
                connector: escape(&self.connector_id).into_owned(),
            });
        }
        self.answer(call, &self.search, &self.redactor).await
    }

    /// Answers `call` for a user, sending their token as `Bearer <token>` as Cohere did for
    /// OAuth connectors (and pass-through tokens).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), except for the user token.
    pub async fn call_for_user(
        &self,
        call: &ToolCall,
        user_token: &Secret,
    ) -> Result<ToolMessage, ToolError> {
        let search = self
            .search
            .clone()
            .auth(SearchAuth::User(user_token.clone()));
        self.answer(call, &search, &self.redactor_for(Some(user_token)))
            .await
    }

    /// The tool's redactor, and the user's token of this call.
    fn redactor_for(&self, user_token: Option<&Secret>) -> Redactor {
        match user_token {
            Some(token) => self.redactor.clone().with_any_length(token),
            None => self.redactor.clone(),
        }
    }

    async fn answer(
        &self,
        call: &ToolCall,
        search: &ConnectorSearch,
        redactor: &Redactor,
    ) -> Result<ToolMessage, ToolError> {
        let content = self
            .found(call, search, redactor)
            .await?
            .into_iter()
            .map(|found| {
                ToolContent::document(
                    ToolDocument::new(Value::Object(found.data)).with_id(found.citation_id),
                )
            })
            .collect();
        Ok(ToolMessage::new(call.id.clone(), content))
    }

    /// The documents that answer `call`, for the model: what [`call`](Self::call) and
    /// [`call_for_user`](Self::call_for_user) answer with, and what a chat's tool loop
    /// bookkeeps (`user_token` for a tool that needs one).
    pub(crate) async fn documents(
        &self,
        call: &ToolCall,
        user_token: Option<&Secret>,
    ) -> Result<Vec<FoundDocument>, ToolError> {
        match (self.per_user, user_token) {
            (true, Some(token)) => {
                let search = self.search.clone().auth(SearchAuth::User(token.clone()));
                self.found(call, &search, &self.redactor_for(Some(token)))
                    .await
            }
            (true, None) => Err(ToolError::NeedsUserToken {
                connector: escape(&self.connector_id).into_owned(),
            }),
            (false, _) => self.found(call, &self.search, &self.redactor).await,
        }
    }

    async fn found(
        &self,
        call: &ToolCall,
        search: &ConnectorSearch,
        redactor: &Redactor,
    ) -> Result<Vec<FoundDocument>, ToolError> {
        let called = call.name().unwrap_or_default();
        if called != self.name {
            return Err(ToolError::WrongTool {
                tool: self.name.clone(),
                called: cohere_connectors::text::one_line(called, 80),
            });
        }
        let query = query_of(call)?;
        let response = search.search(query).await?;
        Ok(response
            .results
            .into_iter()
            .enumerate()
            .map(|(index, document)| self.block(index, document, redactor))
            .collect())
    }

    /// A document as the model is given it: the connector's `excludes` left out of what the
    /// model sees (as Cohere left them out of the prompt), its `id` (or position) kept as
    /// the citation id, prefixed with the tool's name so ids of different tools never meet.
    /// Keys, values and the id are scrubbed of the tool's secrets and escaped; two keys that
    /// become the same (`<token>` and `[redacted]`) are both kept, the second with `_2`.
    fn block(&self, index: usize, document: Document, redactor: &Redactor) -> FoundDocument {
        let connector_id = document.id().map(|id| for_the_model(redactor, id));
        let id = connector_id.clone().unwrap_or_else(|| index.to_string());
        let mut data = Map::new();
        for (key, value) in document.excluding(&self.excludes) {
            let mut key = for_the_model(redactor, &key);
            if data.contains_key(&key) {
                key = (2_u32..)
                    .map(|n| format!("{key}_{n}"))
                    .find(|candidate| !data.contains_key(candidate))
                    .unwrap_or(key);
            }
            data.insert(key, Value::String(for_the_model(redactor, &value)));
        }
        FoundDocument {
            citation_id: format!("{}:{id}", self.name),
            document_id: connector_id,
            data,
        }
    }
}

/// One document a connector returned, ready for the model: scrubbed, escaped, `excludes`
/// left out.
#[derive(Clone, Debug)]
pub(crate) struct FoundDocument {
    /// The id the toolbox cites it by: `<tool name>:<its id or position>`.
    pub citation_id: String,
    /// Its own id, as the connector gave it (scrubbed and escaped), if it had one.
    pub document_id: Option<String>,
    /// Its fields, every value a string.
    pub data: Map<String, Value>,
}

/// Text from outside as a model is given it: the secrets `redactor` knows replaced, control
/// characters and bidi overrides escaped, nothing cut.
pub(crate) fn for_the_model(redactor: &Redactor, text: &str) -> String {
    escape(&redactor.scrub(text, false)).into_owned()
}

/// The `query` of a call's arguments.
fn query_of(call: &ToolCall) -> Result<String, ToolError> {
    let arguments = call
        .function
        .as_ref()
        .and_then(|function| function.arguments.as_deref())
        .ok_or_else(|| ToolError::Arguments {
            message: "the call has no arguments".into(),
        })?;
    let value: Value = serde_json::from_str(arguments).map_err(|_| ToolError::Arguments {
        message: "they are not JSON".into(),
    })?;
    match value.get("query") {
        Some(Value::String(query)) if !query.trim().is_empty() => Ok(query.clone()),
        Some(Value::String(_)) => Err(ToolError::Arguments {
            message: "the query is empty".into(),
        }),
        _ => Err(ToolError::Arguments {
            message: "there is no string `query`".into(),
        }),
    }
}

/// Every connector of an account as tools, with distinct names, and a dispatcher for the
/// model's tool calls.
#[derive(Clone, Debug, Default)]
pub struct Toolbox {
    tools: Vec<ConnectorTool>,
}

impl Toolbox {
    /// An empty toolbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tools of a manifest's connectors (inactive ones left out).
    ///
    /// # Errors
    ///
    /// The first connector whose URL or secrets are not usable.
    pub fn from_manifest(manifest: &Manifest, secrets: &Secrets) -> Result<Self, MigrateError> {
        let mut toolbox = Self::new();
        for entry in manifest
            .connectors
            .iter()
            .filter(|entry| entry.definition.active != Some(false))
        {
            toolbox.add(ConnectorTool::from_manifest(entry, secrets)?);
        }
        Ok(toolbox)
    }

    /// Adds a tool; a name already taken gets `_2`, `_3`... (within the length limit).
    pub fn add(&mut self, tool: ConnectorTool) -> &mut Self {
        let mut name = tool.name.clone();
        let mut suffix = 2_u32;
        while self.get(&name).is_some() {
            let tail = format!("_{suffix}");
            let keep = super::tools::MAX_TOOL_NAME_CHARS.saturating_sub(tail.len());
            let stem: String = tool.name.chars().take(keep).collect();
            name = format!("{stem}{tail}");
            suffix = suffix.saturating_add(1);
        }
        self.tools.push(tool.renamed(name));
        self
    }

    /// The tools.
    pub fn tools(&self) -> &[ConnectorTool] {
        &self.tools
    }

    /// The tool named `name`.
    pub fn get(&self, name: &str) -> Option<&ConnectorTool> {
        self.tools.iter().find(|tool| tool.name == name)
    }

    /// Every tool's definition, for the chat request's `tools`.
    pub fn definitions(&self) -> Vec<ToolDefinition> {
        self.tools.iter().map(ConnectorTool::definition).collect()
    }

    /// Answers `call` with the tool it names; `user_token` for tools that need one. A
    /// failure is answered too, as a tool message that tells the model what went wrong (so
    /// the conversation can go on), and returned beside it.
    pub async fn call(
        &self,
        call: &ToolCall,
        user_token: Option<&Secret>,
    ) -> (ToolMessage, Option<ToolError>) {
        let called = call.name().unwrap_or_default();
        let tool = self.get(called);
        let outcome = match tool {
            None => Err(ToolError::UnknownTool {
                called: cohere_connectors::text::one_line(called, 80),
            }),
            Some(tool) => match (tool.needs_user_token(), user_token) {
                (true, Some(token)) => tool.call_for_user(call, token).await,
                _ => tool.call(call).await,
            },
        };
        match outcome {
            Ok(message) => (message, None),
            Err(error) => {
                let told = told(tool, user_token, &error);
                (ToolMessage::error(call.id.clone(), &told), Some(error))
            }
        }
    }
}

/// What the model is told of `error`, a call of `tool` (none: an unknown tool) made with
/// `user_token`: the tool's secrets and the token scrubbed, controls escaped.
pub(crate) fn told(
    tool: Option<&ConnectorTool>,
    user_token: Option<&Secret>,
    error: &ToolError,
) -> String {
    let redactor = tool.map_or_else(Redactor::default, |tool| {
        tool.redactor_for(user_token.filter(|_| tool.needs_user_token()))
    });
    for_the_model(&redactor, &error.to_string())
}
