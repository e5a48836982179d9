//! The connector kit through its public API: the server, the search client and the checker.

mod credentials;
mod kit;
mod logging;
mod wire;
