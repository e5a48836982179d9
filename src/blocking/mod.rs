//! A blocking client (feature `blocking`), for scripts, build tools and programs without an
//! async runtime: the same operations and settings as [`crate::Client`], a stream as an
//! [`Iterator`]. It runs the async client on a runtime of its own, on a thread of its own (as
//! `reqwest::blocking` does). Inside `tokio::task::spawn_blocking`, the standard place for
//! blocking calls in async code, it simply waits; called from a task of an async runtime
//! (where waiting would stall every other task), it returns an error instead of stalling or
//! panicking.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let runtime = tokio::runtime::Runtime::new()?;
//! # let emulator = runtime.block_on(cohere_connectors_emulator::Emulator::builder().seed(3).start())?;
//! # let (base_url, key) = (emulator.base_url().to_owned(), emulator.api_key().to_owned());
//! use cohere_connectors::blocking;
//!
//! let client = cohere_connectors::Client::builder()
//!     .api_key(key)
//!     .base_url(base_url)
//!     .build_blocking()?;
//! let created = client
//!     .connectors()
//!     .create("Wiki", "https://wiki.example.com/search")
//!     .send()?;
//! for connector in client.connectors().list().limit(2).iter() {
//!     println!("{}", connector?.id);
//! }
//! client.connectors().delete(&created.id).send()?;
//! # Ok(()) }
//! ```

mod worker;

use std::sync::Arc;

use futures_util::{Stream, StreamExt};

use crate::api::options::call_settings;
use crate::{
    Connector, ConnectorPage, ConnectorStream, ConnectorUpdate, NewConnector, OAuthConfig, Pages,
    Response, Result, ServiceAuth,
};
use worker::Worker;

/// A blocking client of the Connectors API. Cheap to clone; clones share the connection pool
/// and the runtime thread, which stops when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    worker: Arc<Worker>,
}

impl Client {
    /// A blocking client configured from the environment, as [`crate::Client::from_env`].
    ///
    /// # Errors
    ///
    /// As [`crate::Client::from_env`], or [`crate::Error::Config`] if the runtime thread
    /// cannot start.
    pub fn from_env() -> Result<Self> {
        Self::new(crate::Client::from_env()?)
    }

    /// Wraps an async client: the same configuration, called without a runtime.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] if the runtime thread cannot start.
    pub fn new(client: crate::Client) -> Result<Self> {
        Ok(Self {
            inner: client,
            worker: Arc::new(Worker::start()?),
        })
    }

    /// The Connectors API.
    pub fn connectors(&self) -> Connectors {
        Connectors {
            inner: self.inner.connectors(),
            worker: Arc::clone(&self.worker),
        }
    }

    /// The async client underneath.
    pub fn async_client(&self) -> &crate::Client {
        &self.inner
    }
}

impl crate::ClientBuilder {
    /// Checks the configuration and builds a [blocking client](Client).
    ///
    /// # Errors
    ///
    /// As [`build`](crate::ClientBuilder::build), or [`crate::Error::Config`] if the
    /// runtime thread cannot start.
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}

/// The Connectors API of a blocking [`Client`]: the same operations as
/// [`crate::connectors::Connectors`].
#[derive(Clone, Debug)]
pub struct Connectors {
    inner: crate::connectors::Connectors,
    worker: Arc<Worker>,
}

impl Connectors {
    /// Lists connectors, newest first; see [`crate::connectors::Connectors::list`].
    pub fn list(&self) -> ListConnectors {
        self.wrap(self.inner.list())
    }

    /// Creates a connector; see [`crate::connectors::Connectors::create`].
    pub fn create(&self, name: impl Into<String>, url: impl Into<String>) -> CreateConnector {
        self.wrap(self.inner.create(name, url))
    }

    /// Creates a connector from a complete definition.
    pub fn create_from(&self, connector: NewConnector) -> CreateConnector {
        self.wrap(self.inner.create_from(connector))
    }

    /// Gets a connector by id.
    pub fn get(&self, id: impl Into<String>) -> GetConnector {
        self.wrap(self.inner.get(id))
    }

    /// Changes some fields of a connector.
    pub fn update(&self, id: impl Into<String>) -> UpdateConnector {
        self.wrap(self.inner.update(id))
    }

    /// Applies a complete [`ConnectorUpdate`] to a connector.
    pub fn update_from(&self, id: impl Into<String>, update: ConnectorUpdate) -> UpdateConnector {
        self.wrap(self.inner.update_from(id, update))
    }

    /// Deletes a connector.
    pub fn delete(&self, id: impl Into<String>) -> DeleteConnector {
        self.wrap(self.inner.delete(id))
    }

    /// Starts the OAuth authorization of a connector; the result is the URL to send the user
    /// to.
    pub fn authorize_oauth(&self, id: impl Into<String>) -> AuthorizeOAuth {
        self.wrap(self.inner.authorize_oauth(id))
    }

    fn wrap<B: From<(A, Arc<Worker>)>, A>(&self, builder: A) -> B {
        B::from((builder, Arc::clone(&self.worker)))
    }
}

/// A blocking request builder over an async one: the same setters (the per-call ones from
/// `call_settings!`, shared with the async builders), and a `send` that waits.
macro_rules! blocking_builder {
    (
        $(#[$meta:meta])*
        $name:ident($inner:ty) -> $output:ty {
            $( $(#[$setter_meta:meta])* fn $setter:ident($($arg:ident: $arg_type:ty),*); )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct $name {
            inner: $inner,
            worker: Arc<Worker>,
        }

        impl From<($inner, Arc<Worker>)> for $name {
            fn from((inner, worker): ($inner, Arc<Worker>)) -> Self {
                Self { inner, worker }
            }
        }

        impl $name {
            $(
                $(#[$setter_meta])*
                pub fn $setter(mut self, $($arg: $arg_type),*) -> Self {
                    self.inner = self.inner.$setter($($arg),*);
                    self
                }
            )*

            /// Sends the request and waits for the answer.
            ///
            /// # Errors
            ///
            /// As the async builder's `send`, and [`crate::Error::Config`] when called from
            /// a task of an async runtime (not from `spawn_blocking`, where it waits).
            pub fn send(self) -> Result<$output> {
                self.worker.run(self.inner.send())?
            }

            /// Sends the request and waits; the value comes with the response's metadata.
            ///
            /// # Errors
            ///
            /// As [`send`](Self::send).
            pub fn send_with_meta(self) -> Result<Response<$output>> {
                self.worker.run(self.inner.send_with_meta())?
            }
        }

        call_settings!($name => inner);
    };
}

blocking_builder! {
    /// `GET /v1/connectors`; see [`crate::connectors::ListConnectors`].
    ListConnectors(crate::connectors::ListConnectors) -> ConnectorPage {
        /// How many connectors to return, 0 to 100.
        fn limit(limit: u32);
        /// How many connectors to skip.
        fn offset(offset: u64);
    }
}

blocking_builder! {
    /// `POST /v1/connectors`; see [`crate::connectors::CreateConnector`].
    CreateConnector(crate::connectors::CreateConnector) -> Connector {
        /// What the connector is for.
        fn description(description: impl Into<String>);
        /// Fields of the returned documents to keep out of the prompt.
        fn excludes(fields: impl IntoIterator<Item = impl Into<String>>);
        /// Whether the connector starts active.
        fn active(active: bool);
        /// Whether a chat request goes on when the connector fails.
        fn continue_on_failure(continue_on_failure: bool);
        /// OAuth settings.
        fn oauth(oauth: OAuthConfig);
        /// A service-to-service token.
        fn service_auth(service_auth: ServiceAuth);
    }
}

blocking_builder! {
    /// `GET /v1/connectors/{id}`; see [`crate::connectors::GetConnector`].
    GetConnector(crate::connectors::GetConnector) -> Connector {}
}

blocking_builder! {
    /// `PATCH /v1/connectors/{id}`; see [`crate::connectors::UpdateConnector`].
    UpdateConnector(crate::connectors::UpdateConnector) -> Connector {
        /// A new name.
        fn name(name: impl Into<String>);
        /// A new search URL.
        fn url(url: impl Into<String>);
        /// A new list of excluded fields; an empty list clears it.
        fn excludes(fields: impl IntoIterator<Item = impl Into<String>>);
        /// New OAuth settings.
        fn oauth(oauth: OAuthConfig);
        /// A new service-to-service token.
        fn service_auth(service_auth: ServiceAuth);
        /// Activate or deactivate the connector.
        fn active(active: bool);
        /// Whether a chat request goes on when the connector fails.
        fn continue_on_failure(continue_on_failure: bool);
    }
}

blocking_builder! {
    /// `DELETE /v1/connectors/{id}`; see [`crate::connectors::DeleteConnector`].
    DeleteConnector(crate::connectors::DeleteConnector) -> () {}
}

blocking_builder! {
    /// `POST /v1/connectors/{id}/oauth/authorize`; see
    /// [`crate::connectors::AuthorizeOAuth`].
    AuthorizeOAuth(crate::connectors::AuthorizeOAuth) -> String {
        /// Where the user lands once the connector is authorized.
        fn after_token_redirect(url: impl Into<String>);
    }
}

impl ListConnectors {
    /// Every connector from `offset` on, page after page, as an iterator; see
    /// [`crate::connectors::ListConnectors::stream`]. An error ends it.
    pub fn iter(self) -> ConnectorIter {
        Iter::new(self.inner.stream(), self.worker)
    }

    /// The pages of the listing, as an iterator.
    pub fn pages(self) -> PageIter {
        Iter::new(self.inner.pages(), self.worker)
    }
}

/// The connectors of a listing, one by one; see [`ListConnectors::iter`].
pub type ConnectorIter = Iter<ConnectorStream>;

/// The pages of a listing; see [`ListConnectors::pages`].
pub type PageIter = Iter<Pages>;

/// A stream of the async client, as an iterator: each `next` waits for the stream's next
/// item on the runtime thread. An error (the stream's, or the blocking client's own) ends it.
pub struct Iter<S> {
    /// `None` once it has ended, or while an item is being fetched.
    stream: Option<S>,
    worker: Arc<Worker>,
}

impl<S> Iter<S> {
    fn new(stream: S, worker: Arc<Worker>) -> Self {
        Self {
            stream: Some(stream),
            worker,
        }
    }
}

impl<S, T> Iterator for Iter<S>
where
    S: Stream<Item = Result<T>> + Unpin + Send + 'static,
    T: Send + 'static,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut stream = self.stream.take()?;
        // The stream travels to the runtime thread and back with its item.
        let fetched = self.worker.run(async move {
            let item = stream.next().await;
            (stream, item)
        });
        match fetched {
            Ok((stream, Some(Ok(item)))) => {
                self.stream = Some(stream);
                Some(Ok(item))
            }
            Ok((_, item)) => item,
            Err(error) => Some(Err(error)),
        }
    }
}

impl<S> std::fmt::Debug for Iter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Iter")
            .field("done", &self.stream.is_none())
            .finish_non_exhaustive()
    }
}
