//! `cohere-connectors-emulator --addr 127.0.0.1:8080 --api-key KEY [--api-key KEY2] [--seed N]`
//!
//! Serves the Connectors API emulator so that clients in any language (Cohere's Python or
//! TypeScript SDK, curl) can use it: point them at the printed base URL with one of the keys.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use cohere_connectors_emulator::Emulator;

const USAGE: &str = "\
usage: cohere-connectors-emulator [--addr HOST:PORT] [--api-key KEY]... [--seed N] [--quiet]
                                  [--max-connections N] [--header-timeout-ms MS]
                                  [--verify-connectors]

  --addr               where to listen (default 127.0.0.1:8080)
  --api-key            a key the emulator accepts as `Authorization: Bearer KEY`; repeat for
                       several, each a user of its own (default: CO_API_KEY if set, otherwise
                       a random key that is printed)
  --seed               start with N sample connectors (default 0, at most 100000)
  --quiet              do not log one line per request (method, path, status; never a query)
  --max-connections    serve at most N connections at once (default 1024)
  --header-timeout-ms  close a connection whose request head takes longer (default 10000)
  --verify-connectors  call a connector before creating it (or moving it to a new URL), as
                       Cohere does, and refuse it with 400 when the call fails";

struct Options {
    addr: SocketAddr,
    api_keys: Vec<String>,
    seed: usize,
    quiet: bool,
    max_connections: Option<usize>,
    header_timeout: Option<Duration>,
    verify_connectors: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        api_keys: Vec::new(),
        seed: 0,
        quiet: false,
        max_connections: None,
        header_timeout: None,
        verify_connectors: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "--addr" => {
                let text = value("--addr")?;
                options.addr = text
                    .parse()
                    .map_err(|_| "--addr needs HOST:PORT (e.g. 127.0.0.1:8080)".to_owned())?;
            }
            "--api-key" => options.api_keys.push(value("--api-key")?),
            "--seed" => {
                let text = value("--seed")?;
                options.seed = text
                    .parse()
                    .map_err(|_| "--seed needs a whole number".to_owned())?;
            }
            "--quiet" => options.quiet = true,
            "--verify-connectors" => options.verify_connectors = true,
            "--max-connections" => {
                let text = value("--max-connections")?;
                let max = text
                    .parse()
                    .map_err(|_| "--max-connections needs a whole number".to_owned())?;
                options.max_connections = Some(max);
            }
            "--header-timeout-ms" => {
                let text = value("--header-timeout-ms")?;
                let millis = text
                    .parse()
                    .map_err(|_| "--header-timeout-ms needs a whole number".to_owned())?;
                options.header_timeout = Some(Duration::from_millis(millis));
            }
            // A stray value may be a key given to the wrong flag: only flag names are echoed.
            flag if flag.starts_with("--") && flag.len() <= 40 && flag.is_ascii() => {
                return Err(format!("unknown flag {flag}"));
            }
            _ => return Err("unexpected argument (a value without its flag?)".to_owned()),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let mut builder = Emulator::builder()
        .addr(options.addr)
        .seed(options.seed)
        .log_requests(!options.quiet)
        .verify_connectors(options.verify_connectors);
    if let Some(max) = options.max_connections {
        builder = builder.max_connections(max);
    }
    if let Some(timeout) = options.header_timeout {
        builder = builder.header_timeout(timeout);
    }
    let mut printed_key = None;
    let keys = if options.api_keys.is_empty() {
        std::env::var("CO_API_KEY").ok().into_iter().collect()
    } else {
        options.api_keys
    };
    for key in &keys {
        builder = builder.api_key(key.as_str());
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: cannot start on {}: {error}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    if keys.is_empty() {
        // A key the user chose is never echoed; a generated one has to be, to be usable.
        printed_key = Some(emulator.api_key().to_owned());
    }

    eprintln!(
        "Cohere Connectors API emulator listening on {}",
        emulator.base_url()
    );
    match printed_key {
        Some(key) => eprintln!("accepted key (generated): {key}"),
        None => eprintln!("accepting {} key(s) given at start", keys.len()),
    }
    eprintln!(
        "try: curl -H \"Authorization: Bearer $KEY\" {}/v1/connectors",
        emulator.base_url()
    );

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {error}");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
