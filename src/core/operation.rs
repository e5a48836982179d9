//! The operations of the API, named as the OpenAPI definition names them: the Connectors
//! API's six, and Chat v2's one (its client is behind the feature `chat`).

use std::fmt;

/// One operation of the API: one of the Connectors API's six, or the chat
/// ([`Operation::Chat`], whose client is behind the feature `chat`). Errors, logs and traces
/// name the operation they come from with it.
///
/// ```
/// use cohere_connectors::Operation;
///
/// assert_eq!(Operation::ListConnectors.to_string(), "list-connectors");
/// assert!(Operation::GetConnector.is_idempotent());
/// assert!(!Operation::CreateConnector.is_idempotent());
/// assert_eq!(Operation::GetConnector.path_template(), "/v1/connectors/{id}");
/// assert_eq!(Operation::Chat.to_string(), "chatv2");
/// assert!(!Operation::Chat.is_idempotent());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /v1/connectors`
    ListConnectors,
    /// `POST /v1/connectors`
    CreateConnector,
    /// `GET /v1/connectors/{id}`
    GetConnector,
    /// `PATCH /v1/connectors/{id}`
    UpdateConnector,
    /// `DELETE /v1/connectors/{id}`
    DeleteConnector,
    /// `POST /v1/connectors/{id}/oauth/authorize`
    AuthorizeOAuth,
    /// `POST /v2/chat` (Chat v2; the client is behind the feature `chat`). Not idempotent:
    /// every chat is a new generation, billed as one.
    Chat,
}

impl Operation {
    /// The `operationId` of the operation in the OpenAPI definition.
    pub const fn id(self) -> &'static str {
        match self {
            Self::ListConnectors => "list-connectors",
            Self::CreateConnector => "create-connector",
            Self::GetConnector => "get-connector",
            Self::UpdateConnector => "update-connector",
            Self::DeleteConnector => "delete-connector",
            Self::AuthorizeOAuth => "oAuthAuthorize-connector",
            Self::Chat => "chatv2",
        }
    }

    /// The HTTP method of the operation.
    pub const fn method(self) -> &'static str {
        match self {
            Self::ListConnectors | Self::GetConnector => "GET",
            Self::CreateConnector | Self::AuthorizeOAuth | Self::Chat => "POST",
            Self::UpdateConnector => "PATCH",
            Self::DeleteConnector => "DELETE",
        }
    }

    /// The path of the operation, with `{id}` where the connector id goes.
    pub const fn path_template(self) -> &'static str {
        match self {
            Self::ListConnectors | Self::CreateConnector => "/v1/connectors",
            Self::GetConnector | Self::UpdateConnector | Self::DeleteConnector => {
                "/v1/connectors/{id}"
            }
            Self::AuthorizeOAuth => "/v1/connectors/{id}/oauth/authorize",
            Self::Chat => "/v2/chat",
        }
    }

    /// The Connectors API's six operations, in the order the API's reference lists them
    /// ([`Operation::Chat`] is not among them).
    pub const ALL: [Operation; 6] = [
        Self::ListConnectors,
        Self::CreateConnector,
        Self::GetConnector,
        Self::UpdateConnector,
        Self::DeleteConnector,
        Self::AuthorizeOAuth,
    ];

    /// Whether sending the request twice has the effect of sending it once (GET, DELETE).
    /// The retry policy only repeats other operations when the server cannot have acted.
    pub const fn is_idempotent(self) -> bool {
        matches!(
            self,
            Self::ListConnectors | Self::GetConnector | Self::DeleteConnector
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
