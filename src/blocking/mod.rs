//! A blocking client (feature `blocking`), for scripts, build tools and programs without an
//! async runtime: the same operations and settings as [`crate::Client`], a stream as an
//! [`Iterator`]. It runs the async client on a runtime of its own, on a thread of its own (as
//! `reqwest::blocking` does); called from inside an async runtime, it returns an error
//! instead of stalling or panicking.
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

use futures_util::StreamExt;

use crate::{
    Connector, ConnectorPage, ConnectorStream, ConnectorUpdate, NewConnector, OAuthConfig, Pages,
    RequestOptions, Response, Result, ServiceAuth,
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

/// A blocking request builder over an async one: the same setters, and a `send` that waits.
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

            /// How long each attempt of this call may take.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.inner = self.inner.timeout(timeout);
                self
            }

            /// A bound on the whole call, retries and waits included.
            pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
                self.inner = self.inner.deadline(deadline);
                self
            }

            /// How many times this call may be retried.
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.inner = self.inner.max_retries(max_retries);
                self
            }

            /// A header sent with this call; see [`RequestOptions::header`].
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.inner = self.inner.header(name, value);
                self
            }

            /// All of this call's settings at once.
            pub fn options(mut self, options: RequestOptions) -> Self {
                self.inner = self.inner.options(options);
                self
            }

            /// Sends the request and waits for the answer.
            ///
            /// # Errors
            ///
            /// As the async builder's `send`, and [`crate::Error::Config`] when called
            /// inside an async runtime.
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
        ConnectorIter {
            stream: Arc::new(tokio::sync::Mutex::new(self.inner.stream())),
            worker: self.worker,
            done: false,
        }
    }

    /// The pages of the listing, as an iterator.
    pub fn pages(self) -> PageIter {
        PageIter {
            pages: Arc::new(tokio::sync::Mutex::new(self.inner.pages())),
            worker: self.worker,
            done: false,
        }
    }
}

/// The connectors of a listing, one by one; see [`ListConnectors::iter`].
#[derive(Debug)]
pub struct ConnectorIter {
    stream: Arc<tokio::sync::Mutex<ConnectorStream>>,
    worker: Arc<Worker>,
    done: bool,
}

impl Iterator for ConnectorIter {
    type Item = Result<Connector>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let stream = Arc::clone(&self.stream);
        let item = match self
            .worker
            .run(async move { stream.lock().await.next().await })
        {
            Ok(item) => item,
            Err(error) => Some(Err(error)),
        };
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

/// The pages of a listing; see [`ListConnectors::pages`].
#[derive(Debug)]
pub struct PageIter {
    pages: Arc<tokio::sync::Mutex<Pages>>,
    worker: Arc<Worker>,
    done: bool,
}

impl Iterator for PageIter {
    type Item = Result<ConnectorPage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let pages = Arc::clone(&self.pages);
        let item = match self
            .worker
            .run(async move { pages.lock().await.next().await })
        {
            Ok(item) => item,
            Err(error) => Some(Err(error)),
        };
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}
