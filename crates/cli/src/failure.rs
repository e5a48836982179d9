//! How a command ends when it does not succeed, and the exit codes, in one place.

use std::process::ExitCode;

/// Exit code of a failure: the command could not do what it was asked.
pub const FAILED: u8 = 1;
/// Exit code of a plan that would change the account (`plan`; terraform's
/// `-detailed-exitcode`).
pub const CHANGES_PENDING: u8 = 2;
/// Exit code of a command line that asks for something impossible (sysexits' EX_USAGE).
pub const USAGE: u8 = 64;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// It failed: exit 1, the message on stderr (escaped, on one line).
    Error(String),
    /// The command line asks for something impossible: exit 64.
    Usage(String),
    /// The reader of stdout went away (`| head`): stop quietly, exit 0.
    StdoutClosed,
}

/// A command's outcome: its exit code, or why it stopped.
pub type Outcome = Result<ExitCode, Failure>;

impl Failure {
    /// A failure from anything that displays.
    pub fn error(error: impl std::fmt::Display) -> Self {
        Self::Error(error.to_string())
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::Error(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Self::Error(message.to_owned())
    }
}
