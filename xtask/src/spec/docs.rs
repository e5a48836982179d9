//! The last step: the project's own documentation for the raw bindings. Upstream prose is
//! never copied (step 2 drops it); instead each operation, parameter, schema and property
//! gets a short line written here, in this project's words, from one table. An item of a new
//! upstream without a line is listed in the fragment's header, so a maintainer sees what
//! still needs one.

use super::doc::{Mapping, Result, Value, insert_after, map_at_mut, root_mut, str_at};

/// The title of the API in the fragment (and of the generated client's documentation).
pub const TITLE: &str = "Cohere Connectors API (v1)";

/// One line for every item of the fragment: `operation:<operationId>`,
/// `parameter:<operationId>:<name>` (or `parameter:<component name>`), `schema:<Name>`,
/// `property:<Schema>.<name>`.
pub const DOCS: &[(&str, &str)] = &[
    // Operations.
    (
        "operation:list-connectors",
        "Lists the organization's connectors, newest first, one page at a time.",
    ),
    (
        "operation:create-connector",
        "Registers a new connector; the API calls its URL once to check it.",
    ),
    ("operation:get-connector", "Gets one connector by its id."),
    (
        "operation:update-connector",
        "Changes the fields that are present in the body; the others keep their values.",
    ),
    ("operation:delete-connector", "Deletes a connector."),
    (
        "operation:oAuthAuthorize-connector",
        "Starts the OAuth authorization of a connector for the calling user; answers the URL to send them to.",
    ),
    // Parameters.
    (
        "parameter:list-connectors:limit",
        "How many connectors the page holds (the API serves at most 100; default 30).",
    ),
    (
        "parameter:list-connectors:offset",
        "How many connectors to skip from the newest (default 0).",
    ),
    ("parameter:get-connector:id", "The connector's id."),
    ("parameter:update-connector:id", "The connector's id."),
    ("parameter:delete-connector:id", "The connector's id."),
    (
        "parameter:oAuthAuthorize-connector:id",
        "The connector's id.",
    ),
    (
        "parameter:oAuthAuthorize-connector:after_token_redirect",
        "Where the user's browser goes once the authorization is done.",
    ),
    (
        "parameter:RequestSource",
        "A name for the calling application, sent as the X-Client-Name header.",
    ),
    // Schemas and their properties.
    (
        "schema:ConnectorOAuth",
        "A connector's OAuth settings as the API returns them (never the client secret).",
    ),
    ("property:ConnectorOAuth.client_id", "The OAuth client id."),
    (
        "property:ConnectorOAuth.client_secret",
        "The OAuth client secret; the API never returns it.",
    ),
    (
        "property:ConnectorOAuth.authorize_url",
        "The provider's authorization endpoint.",
    ),
    (
        "property:ConnectorOAuth.token_url",
        "The provider's token endpoint.",
    ),
    ("property:ConnectorOAuth.scope", "The scopes requested."),
    (
        "schema:Connector",
        "A connector: a search service the API calls on behalf of chat requests.",
    ),
    (
        "property:Connector.id",
        "The connector's id, derived from its name when it was created.",
    ),
    (
        "property:Connector.organization_id",
        "The organization the connector belongs to.",
    ),
    ("property:Connector.name", "The connector's name."),
    (
        "property:Connector.description",
        "What the connector is for.",
    ),
    (
        "property:Connector.url",
        "The URL the API sends search requests to.",
    ),
    (
        "property:Connector.created_at",
        "When the connector was created.",
    ),
    (
        "property:Connector.updated_at",
        "When the connector last changed.",
    ),
    (
        "property:Connector.excludes",
        "Fields of the returned documents kept out of the prompt.",
    ),
    (
        "property:Connector.auth_type",
        "How the connector authenticates to its data source (`oauth`, `service_auth`).",
    ),
    (
        "property:Connector.auth_status",
        "Whether the calling user's OAuth token is `valid` or `expired`; absent until they authorize.",
    ),
    (
        "property:Connector.active",
        "Whether chat requests use the connector.",
    ),
    (
        "property:Connector.continue_on_failure",
        "Whether a chat request goes on when the connector fails.",
    ),
    ("schema:ListConnectorsResponse", "One page of connectors."),
    (
        "property:ListConnectorsResponse.connectors",
        "The connectors of the page, newest first.",
    ),
    (
        "property:ListConnectorsResponse.total_count",
        "How many connectors the organization has in all.",
    ),
    (
        "schema:CreateConnectorOAuth",
        "OAuth settings sent when creating or updating a connector.",
    ),
    (
        "property:CreateConnectorOAuth.client_id",
        "The OAuth client id.",
    ),
    (
        "property:CreateConnectorOAuth.client_secret",
        "The OAuth client secret (write-only).",
    ),
    (
        "property:CreateConnectorOAuth.authorize_url",
        "The provider's authorization endpoint.",
    ),
    (
        "property:CreateConnectorOAuth.token_url",
        "The provider's token endpoint.",
    ),
    (
        "property:CreateConnectorOAuth.scope",
        "The scopes to request.",
    ),
    (
        "schema:AuthTokenType",
        "How a service token goes into the Authorization header: `bearer`, `basic`, or as is (`noscheme`).",
    ),
    (
        "schema:CreateConnectorServiceAuth",
        "A token the API sends to the connector with every search request.",
    ),
    (
        "property:CreateConnectorServiceAuth.type",
        "How the token goes into the Authorization header.",
    ),
    (
        "property:CreateConnectorServiceAuth.token",
        "The token (write-only).",
    ),
    (
        "schema:CreateConnectorRequest",
        "The body of a create: a name and a URL, and optionally the rest.",
    ),
    (
        "property:CreateConnectorRequest.name",
        "The connector's name; its id is derived from it.",
    ),
    (
        "property:CreateConnectorRequest.description",
        "What the connector is for.",
    ),
    (
        "property:CreateConnectorRequest.url",
        "The URL the API sends search requests to.",
    ),
    (
        "property:CreateConnectorRequest.excludes",
        "Fields of the returned documents to keep out of the prompt.",
    ),
    (
        "property:CreateConnectorRequest.oauth",
        "OAuth settings; exclusive with service_auth.",
    ),
    (
        "property:CreateConnectorRequest.active",
        "Whether chat requests use the connector (default true).",
    ),
    (
        "property:CreateConnectorRequest.continue_on_failure",
        "Whether a chat request goes on when the connector fails (default false).",
    ),
    (
        "property:CreateConnectorRequest.service_auth",
        "A service token; exclusive with oauth.",
    ),
    (
        "schema:CreateConnectorResponse",
        "The connector a create made.",
    ),
    (
        "property:CreateConnectorResponse.connector",
        "The new connector.",
    ),
    ("schema:GetConnectorResponse", "The connector asked for."),
    ("property:GetConnectorResponse.connector", "The connector."),
    (
        "schema:DeleteConnectorResponse",
        "The answer to a delete: an object with nothing required in it.",
    ),
    (
        "schema:UpdateConnectorRequest",
        "The body of an update: only the fields present change.",
    ),
    (
        "property:UpdateConnectorRequest.name",
        "A new name (the id does not change).",
    ),
    ("property:UpdateConnectorRequest.url", "A new search URL."),
    (
        "property:UpdateConnectorRequest.excludes",
        "A new list of excluded fields; an empty list clears it.",
    ),
    (
        "property:UpdateConnectorRequest.oauth",
        "New OAuth settings; exclusive with service_auth.",
    ),
    (
        "property:UpdateConnectorRequest.active",
        "Activates or deactivates the connector.",
    ),
    (
        "property:UpdateConnectorRequest.continue_on_failure",
        "Whether a chat request goes on when the connector fails.",
    ),
    (
        "property:UpdateConnectorRequest.service_auth",
        "A new service token; exclusive with oauth.",
    ),
    (
        "schema:UpdateConnectorResponse",
        "The connector as the update left it.",
    ),
    (
        "property:UpdateConnectorResponse.connector",
        "The updated connector.",
    ),
    (
        "schema:OAuthAuthorizeResponse",
        "Where to send the user to authorize the connector.",
    ),
    (
        "property:OAuthAuthorizeResponse.redirect_url",
        "The provider's authorization URL, with the API's callback in it.",
    ),
    ("schema:ErrorBody", "The body of an error answer."),
    ("property:ErrorBody.message", "What went wrong."),
    (
        "property:ErrorBody.id",
        "An id for the error, to quote when asking Cohere about it.",
    ),
    (
        "schema:UpdateConnectorRequestExcludes",
        "A list of excluded fields, sent as is (an empty list clears it).",
    ),
    (
        "schema:ConnectorId",
        "A connector id (in the bindings, the crate's `ConnectorId`, which keeps it in its path segment).",
    ),
];

fn line(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(entry, _)| *entry == key)
        .map(|(_, line)| *line)
}

/// Puts each item's line in place (`summary` of an operation, `description` of a parameter,
/// a schema or a property) and sets the title; notes every item without a line. Properties
/// that are a bare `$ref` are documented by the schema they point to: OpenAPI 3.0 ignores
/// anything beside a `$ref`.
pub fn document_items(document: &mut Value) -> Result<Vec<String>> {
    document_with(document, TITLE, DOCS, "xtask/src/spec/docs.rs")
}

/// [`document_items`] with another `title` and `table` (kept in the file `kept_in`, which
/// the notes name).
pub fn document_with(
    document: &mut Value,
    title: &str,
    table: &[(&str, &'static str)],
    kept_in: &str,
) -> Result<Vec<String>> {
    let mut missing = Vec::new();
    let mut documented = 0_usize;
    let root = root_mut(document)?;
    if let Some(info) = map_at_mut(root, "info") {
        info.insert("title".into(), title.into());
    }
    let mut document_one = |key: String, object: &mut Mapping, field: &str| match line(table, &key)
    {
        Some(text) => {
            insert_after(object, "operationId", field, text.into());
            documented = documented.saturating_add(1);
        }
        None => missing.push(key),
    };
    if let Some(Value::Mapping(paths)) = root.get_mut("paths") {
        for (_, item) in paths.iter_mut() {
            let Some(item) = item.as_mapping_mut() else {
                continue;
            };
            for (_, operation) in item.iter_mut() {
                let Some(operation) = operation.as_mapping_mut() else {
                    continue;
                };
                let Some(id) = str_at(operation, "operationId").map(str::to_owned) else {
                    continue;
                };
                document_one(format!("operation:{id}"), operation, "summary");
                if let Some(Value::Sequence(parameters)) = operation.get_mut("parameters") {
                    for parameter in parameters.iter_mut().filter_map(Value::as_mapping_mut) {
                        if parameter.contains_key("$ref") {
                            continue;
                        }
                        let name = str_at(parameter, "name").unwrap_or_default().to_owned();
                        document_one(format!("parameter:{id}:{name}"), parameter, "description");
                    }
                }
            }
        }
    }
    if let Some(components) = map_at_mut(root, "components") {
        if let Some(parameters) = map_at_mut(components, "parameters") {
            for (name, parameter) in parameters.iter_mut() {
                let (Some(name), Some(parameter)) = (name.as_str(), parameter.as_mapping_mut())
                else {
                    continue;
                };
                document_one(format!("parameter:{name}"), parameter, "description");
            }
        }
        if let Some(schemas) = map_at_mut(components, "schemas") {
            for (name, schema) in schemas.iter_mut() {
                let (Some(name), Some(schema)) = (name.as_str(), schema.as_mapping_mut()) else {
                    continue;
                };
                let name = name.to_owned();
                if let Some(properties) = map_at_mut(schema, "properties") {
                    for (property, property_schema) in properties.iter_mut() {
                        let (Some(property), Some(property_schema)) =
                            (property.as_str(), property_schema.as_mapping_mut())
                        else {
                            continue;
                        };
                        if property_schema.contains_key("$ref") {
                            continue;
                        }
                        document_one(
                            format!("property:{name}.{property}"),
                            property_schema,
                            "description",
                        );
                    }
                }
                document_one(format!("schema:{name}"), schema, "description");
            }
        }
    }
    let mut notes = vec![format!(
        "{documented} items documented in this project's words"
    )];
    notes.extend(
        missing
            .into_iter()
            .map(|key| format!("no doc line for {key}: add one to {kept_in}")),
    );
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_get_their_line_and_missing_ones_are_named() {
        let mut doc: Value = yaml_serde::from_str(
            "info: {title: Upstream, version: '1'}\npaths: {/v1/connectors: {get: {operationId: list-connectors, parameters: [{name: limit, in: query}, {name: mystery, in: query}]}}}\ncomponents: {schemas: {Connector: {type: object, properties: {id: {type: string}, new_field: {type: string}, oauth: {$ref: '#/x'}}}}}\n",
        )
        .unwrap();
        let notes = document_items(&mut doc).unwrap();
        assert_eq!(
            notes,
            [
                "4 items documented in this project's words",
                "no doc line for parameter:list-connectors:mystery: add one to xtask/src/spec/docs.rs",
                "no doc line for property:Connector.new_field: add one to xtask/src/spec/docs.rs",
            ]
        );
        let text = yaml_serde::to_string(&doc).unwrap();
        assert!(text.contains("title: Cohere Connectors API (v1)"), "{text}");
        assert!(text.contains("summary: Lists the organization"), "{text}");
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = DOCS.iter().map(|(key, _)| *key).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before);
    }
}
