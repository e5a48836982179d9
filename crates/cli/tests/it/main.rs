//! The binary, run as a user would run it: against the emulator, against a hostile server,
//! with pipes that close, without a terminal.

mod chat;
mod commands;
mod frictions;
mod help;
mod hostile;
mod pipes;
mod report;
mod saved;
mod secrets;
mod setup;
mod snippet;
