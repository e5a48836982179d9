//! The transport layer: the rules every request follows (the path guard, credentials, headers,
//! body limits), one attempt of a facade call on the wire, and the retry policy that decides
//! whether to send it again. Above `core`, below the client.

pub(crate) mod body;
pub(crate) mod exchange;
pub(crate) mod guard;
pub(crate) mod retry;
pub(crate) mod transport;
