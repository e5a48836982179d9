//! `cargo xtask spec [--check | --diff] --upstream PATH [--only NAME] [--out PATH]`
//! `cargo xtask drift --upstream PATH [--only NAME]`
//! `cargo xtask bench-report [--dir PATH]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::spec::{self, FRAGMENTS, Fragment, Freshness};

const USAGE: &str = "\
usage: cargo xtask spec --upstream PATH [--only NAME] [--out PATH] [--check | --diff]
       cargo xtask drift --upstream PATH [--only NAME]
       cargo xtask bench-report [--dir PATH]

  spec        build the OpenAPI fragments from Cohere's upstream definition: connectors
              (/v1/connectors, openapi/connectors.yaml) and chat (POST /v2/chat,
              openapi/chat.yaml), each checked against the contract of its facade
  --upstream  Cohere's full OpenAPI file (e.g. ../shared/reference/cohere-openapi.yaml)
  --only      one fragment, by name: connectors or chat (default: both)
  --out       where the fragment goes (one fragment: --only's, or connectors; default: its
              path in the workspace)
  --check     write nothing; fail, showing the difference, if the fragment is not exactly
              what --upstream produces
  --diff      write nothing; list what --upstream would change, in the API's terms
              (operations, parameters, statuses, fields, types, enum values), whether the
              facade can take it, and which new items still need a doc line

  drift       run the drift corpus: mutations of --upstream, each of which must either
              build (checked with `cargo check` on a copy of the crate) or be refused by the
              xtask with a message naming what changed; --only runs the matching ones

  bench-report  print criterion's results (default dir: target/criterion) as a Markdown table
                of medians and ratios to each group's baseline";

#[derive(PartialEq)]
enum SpecMode {
    Write,
    Check,
    Diff,
}

struct SpecArgs {
    upstream: PathBuf,
    /// The fragments to build, each with where it goes.
    fragments: Vec<(&'static Fragment, PathBuf)>,
    mode: SpecMode,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        Some("spec") => spec_task(parse_spec_args(&args[1..])?),
        Some("drift") => drift_task(&args[1..]),
        Some("bench-report") => bench_report_task(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
        None => Err(format!("no task given\n\n{USAGE}")),
    }
}

fn parse_spec_args(args: &[String]) -> Result<SpecArgs, String> {
    let mut upstream = None;
    let mut out = None;
    let mut only = None;
    let mut mode = SpecMode::Write;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = SpecMode::Check,
            "--diff" => mode = SpecMode::Diff,
            "--upstream" => upstream = Some(value_of("--upstream", args.next())?),
            "--out" => out = Some(value_of("--out", args.next())?),
            "--only" => only = Some(value_of("--only", args.next())?),
            other => return Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        }
    }
    let named = |name: &str| {
        FRAGMENTS
            .iter()
            .copied()
            .find(|fragment| fragment.name == name)
            .ok_or_else(|| format!("no fragment named `{name}`\n\n{USAGE}"))
    };
    let fragments = match (only, out) {
        (Some(name), out) => {
            let fragment = named(&name.to_string_lossy())?;
            let out = out.unwrap_or_else(|| workspace_root().join(fragment.path));
            vec![(fragment, out)]
        }
        // --out alone is the connectors' fragment, as before there were two.
        (None, Some(out)) => vec![(&spec::CONNECTORS, out)],
        (None, None) => FRAGMENTS
            .iter()
            .map(|fragment| (*fragment, workspace_root().join(fragment.path)))
            .collect(),
    };
    Ok(SpecArgs {
        upstream: upstream.ok_or_else(|| format!("--upstream is required\n\n{USAGE}"))?,
        fragments,
        mode,
    })
}

fn bench_report_task(args: &[String]) -> Result<ExitCode, String> {
    let dir = match args {
        [] => workspace_root().join("target/criterion"),
        [flag, dir] if flag == "--dir" => PathBuf::from(dir),
        _ => return Err(format!("unexpected arguments {args:?}\n\n{USAGE}")),
    };
    let estimates = xtask::bench_report::read_estimates(&dir)?;
    print!("{}", xtask::bench_report::render(&estimates));
    Ok(ExitCode::SUCCESS)
}

fn value_of(flag: &str, value: Option<&String>) -> Result<PathBuf, String> {
    value
        .map(PathBuf::from)
        .ok_or_else(|| format!("{flag} needs a path"))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn drift_task(args: &[String]) -> Result<ExitCode, String> {
    let mut upstream = None;
    let mut only = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--upstream" => upstream = Some(value_of("--upstream", args.next())?),
            "--only" => {
                only = Some(
                    args.next()
                        .cloned()
                        .ok_or_else(|| "--only needs a name".to_owned())?,
                );
            }
            other => return Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        }
    }
    let upstream = upstream.ok_or_else(|| format!("--upstream is required\n\n{USAGE}"))?;
    let text = std::fs::read_to_string(&upstream)
        .map_err(|error| format!("cannot read {}: {error}", upstream.display()))?;
    let started = std::time::Instant::now();
    let outcomes = xtask::drift::run(&workspace_root(), &text, only.as_deref())?;
    print!("{}", xtask::drift::report(&outcomes));
    println!(
        "\n{} mutations in {:.0} s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if outcomes.iter().all(|outcome| outcome.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--diff`: the new fragment against the checked-in one, in the API's terms.
fn diff_task(fragment: &Fragment, out: &Path, upstream: &[u8]) -> Result<bool, String> {
    let built = fragment
        .transform(upstream)
        .map_err(|error| error.to_string())?;
    let checked_in = std::fs::read_to_string(out)
        .map_err(|error| format!("cannot read {}: {error}", out.display()))?;
    let old = spec::parse::parse_yaml(&checked_in).map_err(|error| error.to_string())?;
    let changes = spec::api_diff::diff(&old, &built.document);
    if changes.is_empty() {
        println!("{}: no change to the API's structure", fragment.name);
    } else {
        println!(
            "{}: {} change(s) to the API's structure:",
            fragment.name,
            changes.len()
        );
        for change in &changes {
            println!("  {change}");
        }
    }
    let undocumented: Vec<&String> = built
        .notes_of("document_items")
        .iter()
        .filter(|note| note.starts_with("no doc line"))
        .collect();
    for note in &undocumented {
        println!("  doc: {note}");
    }
    match (fragment.contract)(&built.document) {
        Ok(()) => {
            println!("{}: the facade can take it", fragment.name);
            Ok(true)
        }
        Err(breaks) => {
            println!("{breaks}");
            Ok(false)
        }
    }
}

fn spec_task(args: SpecArgs) -> Result<ExitCode, String> {
    let upstream = std::fs::read(&args.upstream)
        .map_err(|error| format!("cannot read {}: {error}", args.upstream.display()))?;
    let mut all_good = true;
    for (fragment, out) in &args.fragments {
        let good = match args.mode {
            SpecMode::Diff => diff_task(fragment, out, &upstream)?,
            SpecMode::Write => write_fragment(fragment, out, &args.upstream, &upstream)?,
            SpecMode::Check => check_fragment(fragment, out, &args.upstream, &upstream)?,
        };
        all_good &= good;
    }
    if args.mode == SpecMode::Diff && all_good {
        println!(
            "run `cargo xtask spec --upstream {}` to write them",
            args.upstream.display()
        );
    }
    Ok(if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn write_fragment(
    fragment: &Fragment,
    out: &Path,
    upstream_path: &Path,
    upstream: &[u8],
) -> Result<bool, String> {
    let text = fragment
        .generate(upstream)
        .map_err(|error| format!("{}: {error}", fragment.name))?;
    std::fs::write(out, &text)
        .map_err(|error| format!("cannot write {}: {error}", out.display()))?;
    println!("wrote {} from {}", out.display(), upstream_path.display());
    Ok(true)
}

fn check_fragment(
    fragment: &Fragment,
    out: &Path,
    upstream_path: &Path,
    upstream: &[u8],
) -> Result<bool, String> {
    let text = fragment
        .generate(upstream)
        .map_err(|error| format!("{}: {error}", fragment.name))?;
    let checked_in = match std::fs::read_to_string(out) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "{} cannot be read ({error}); run `cargo xtask spec --upstream {}`",
                out.display(),
                upstream_path.display()
            );
            return Ok(false);
        }
    };
    match fragment.compare(&checked_in, &text) {
        Freshness::Fresh => {
            println!(
                "{} is up to date with {}",
                out.display(),
                upstream_path.display()
            );
            Ok(true)
        }
        Freshness::Stale { diff } => {
            eprintln!(
                "{} is not what {} produces:\n\n{diff}\n\nrun `cargo xtask spec --upstream {}` and commit the result",
                out.display(),
                upstream_path.display(),
                upstream_path.display()
            );
            Ok(false)
        }
    }
}
