//! The transport layer: what happens to one request on the wire (progenitor's hooks, the
//! path guard, body limits, intercepted responses) and the retry policy that decides whether
//! to send it again. Above `core`, below the client.

pub(crate) mod guard;
pub(crate) mod intercepted;
pub(crate) mod retry;
pub(crate) mod transport;
