//! Clients written by others (Cohere's Python SDKs, the official MCP Python SDK), run as child
//! processes against our servers: what an independent client makes of them.
//!
//! Each comes from PyPI: CI installs it (`.ci/run`) and names its interpreter in an
//! environment variable. Without it a test is skipped with a printed reason on a developer's
//! machine; in CI (`CI` set) its absence is a failure, so a broken install is never a pass.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::Command;

/// A Python interpreter with an outside client installed.
#[derive(Clone, Debug)]
pub struct PythonClient {
    python: OsString,
    package: &'static str,
}

impl PythonClient {
    /// The interpreter the variable `var` names, which has `package` installed; `None`, with
    /// `SKIPPED: ...` on stderr, when the variable is unset outside CI.
    ///
    /// # Panics
    ///
    /// When the variable is unset in CI.
    pub fn from_env(var: &str, package: &'static str) -> Option<Self> {
        let Some(python) = std::env::var_os(var) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set {var} to a Python with {package} installed"
            );
            eprintln!("SKIPPED: set {var} to a Python with {package} installed to run it here");
            return None;
        };
        Some(Self { python, package })
    }

    /// Runs `script` with `args` and gives its standard output.
    ///
    /// # Panics
    ///
    /// When it cannot start, exits with a failure, or does not end its output with a line
    /// that says `ok` (the scripts' last word): both of its outputs are in the message.
    pub fn run(&self, script: &Path, args: &[impl AsRef<OsStr>]) -> String {
        let output = Command::new(&self.python)
            .arg(script)
            .args(args)
            .output()
            .unwrap_or_else(|error| panic!("{} could not start: {error}", self.package));
        let (out, err) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        let last = out.lines().last().unwrap_or_default();
        assert!(
            output.status.success() && last.split_whitespace().any(|word| word == "ok"),
            "{} failed ({}):\n{out}\n{err}",
            self.package,
            output.status
        );
        out.into_owned()
    }
}
