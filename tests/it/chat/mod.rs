//! Chat v2 (`client.chat(..)`, feature `chat`) through the public API: what it sends, what
//! it decodes, how it fails and retries, how it streams, and that both agree with Cohere's
//! spec.

mod conformance;
mod errors;
mod requests;
mod responses;
mod sse_server;
mod streaming;
