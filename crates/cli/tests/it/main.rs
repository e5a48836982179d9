//! The binary, run as a user would run it: against the emulator, against a hostile server,
//! with pipes that close, without a terminal.
#![forbid(unsafe_code)]

mod chat;
mod commands;
mod frictions;
mod help;
mod hostile;
mod mcp;
mod mcp_oauth;
mod pipes;
mod python_mcp;
mod report;
mod saved;
mod secrets;
mod setup;
mod snippet;
