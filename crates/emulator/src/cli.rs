//! The emulator's command line (feature `cli`): its flags, defined once for the two programs
//! that serve it, the `cohere-connectors-emulator` binary and `cohere-connectors emulator`.
//!
//! ```
//! use clap::Parser;
//! use cohere_connectors_emulator::cli::EmulatorArgs;
//!
//! #[derive(Parser)]
//! struct MyTool {
//!     #[command(flatten)]
//!     emulator: EmulatorArgs,
//! }
//!
//! let tool = MyTool::parse_from(["my-tool", "--seed", "5", "--api-key", "k1", "--api-key", "k2"]);
//! assert_eq!(tool.emulator.seed, 5);
//! assert_eq!(tool.emulator.keys(), ["k1", "k2"]);
//! ```

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::{Emulator, EmulatorBuilder, MAX_SEED};

/// The variable whose key the emulator accepts when no `--api-key` is given.
pub use cohere_connectors::API_KEY_VAR;

/// The emulator's flags. Flatten it into a clap command (`#[command(flatten)]`), then
/// [`serve`] it.
#[derive(Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Where to listen
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A key the emulator accepts as `Authorization: Bearer KEY`; repeat for several, each a
    /// user of its own [default: CO_API_KEY if set, otherwise a random key that is printed].
    /// A flag shows in `ps`: CO_API_KEY keeps the key off the command line
    #[arg(long = "api-key", value_name = "KEY", value_parser = non_blank)]
    pub api_keys: Vec<String>,
    /// Start with N sample connectors (at most 100000)
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=MAX_SEED as u64)
    )]
    pub seed: usize,
    /// Do not log one line per request (method, path, status; never a query or a key)
    #[arg(long)]
    pub quiet: bool,
    /// Serve at most N connections at once [default: 1024]
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_connections: Option<usize>,
    /// Close a connection whose request head takes longer than MS milliseconds, idle
    /// keep-alive ones included [default: 10000]
    #[arg(
        long,
        value_name = "MS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_timeout_ms: Option<u64>,
    /// Call a connector before creating it (or moving it to a new URL), as Cohere does, and
    /// refuse it with 400 when the call fails
    #[arg(long)]
    pub verify_connectors: bool,
}

fn non_blank(value: &str) -> Result<String, &'static str> {
    if value.trim().is_empty() {
        Err("a key cannot be blank")
    } else {
        Ok(value.to_owned())
    }
}

impl fmt::Debug for EmulatorArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorArgs")
            .field("addr", &self.addr)
            .field("api_keys", &self.api_keys.len())
            .field("seed", &self.seed)
            .field("quiet", &self.quiet)
            .field("max_connections", &self.max_connections)
            .field("header_timeout_ms", &self.header_timeout_ms)
            .field("verify_connectors", &self.verify_connectors)
            .finish()
    }
}

impl EmulatorArgs {
    /// The keys to accept: those given with `--api-key`, else `CO_API_KEY`'s when it is set
    /// and not blank, else none (the emulator then makes one up).
    pub fn keys(&self) -> Vec<String> {
        if !self.api_keys.is_empty() {
            return self.api_keys.clone();
        }
        std::env::var(API_KEY_VAR)
            .ok()
            .filter(|key| !key.trim().is_empty())
            .into_iter()
            .collect()
    }

    /// An [`EmulatorBuilder`] set up as the flags say, with [`keys`](Self::keys).
    pub fn builder(&self) -> EmulatorBuilder {
        let mut builder = Emulator::builder()
            .addr(self.addr)
            .seed(self.seed)
            .log_requests(!self.quiet)
            .verify_connectors(self.verify_connectors);
        if let Some(max) = self.max_connections {
            builder = builder.max_connections(max);
        }
        if let Some(millis) = self.header_timeout_ms {
            builder = builder.header_timeout(Duration::from_millis(millis));
        }
        for key in self.keys() {
            builder = builder.api_key(key);
        }
        builder
    }
}

/// Starts the emulator `args` describe, writes to `log` where it listens, which keys it
/// accepts and `try_it(base_url)` (a command to try it with), then serves until Ctrl-C.
///
/// The lines, which scripts may wait for:
///
/// ```text
/// Cohere Connectors API emulator listening on http://127.0.0.1:8080
/// accepting 1 key(s) given at start            (or: accepted key (generated): <key>)
/// <try_it(base_url)>
/// ```
///
/// A key that was given is never written; a generated one is, since it could not be used
/// otherwise.
///
/// # Errors
///
/// When the address cannot be bound (the message names it), or Ctrl-C cannot be waited for.
pub async fn serve(
    args: &EmulatorArgs,
    log: &mut dyn Write,
    try_it: impl FnOnce(&str) -> String,
) -> std::io::Result<()> {
    let given = args.keys().len();
    let emulator = args.builder().start().await.map_err(|error| {
        std::io::Error::new(
            error.kind(),
            format!("cannot start on {}: {error}", args.addr),
        )
    })?;
    // A closed stderr is no reason not to serve.
    let _ = writeln!(
        log,
        "Cohere Connectors API emulator listening on {}",
        emulator.base_url()
    );
    let _ = if given == 0 {
        writeln!(log, "accepted key (generated): {}", emulator.api_key())
    } else {
        writeln!(log, "accepting {given} key(s) given at start")
    };
    let _ = writeln!(log, "{}", try_it(emulator.base_url()));
    let waited = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    waited.map_err(|error| {
        std::io::Error::new(error.kind(), format!("cannot wait for Ctrl-C: {error}"))
    })
}

/// clap's parse error, except that a stray value (an argument that is not a flag) is not
/// echoed: it may be a key given without its flag, and errors end up in CI logs.
pub fn without_stray_values(error: clap::Error, command: &mut clap::Command) -> clap::Error {
    let stray = matches!(
        error.get(ContextKind::InvalidArg),
        Some(ContextValue::String(arg)) if !arg.starts_with('-')
    );
    if error.kind() == ErrorKind::UnknownArgument && stray {
        return clap::Error::raw(
            ErrorKind::UnknownArgument,
            "unexpected argument (a value without its flag?)",
        )
        .format(command);
    }
    error
}
