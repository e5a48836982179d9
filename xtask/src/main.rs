//! `cargo xtask spec [--check | --diff] --upstream PATH [--out PATH]`
//! `cargo xtask drift --upstream PATH [--only NAME]`
//! `cargo xtask bench-report [--dir PATH]`
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::spec::{self, FRAGMENT_PATH, Freshness};

const USAGE: &str = "\
usage: cargo xtask spec --upstream PATH [--out PATH] [--check | --diff]
       cargo xtask drift --upstream PATH [--only NAME]
       cargo xtask bench-report [--dir PATH]

  spec        build the OpenAPI fragment of /v1/connectors from Cohere's upstream definition
  --upstream  Cohere's full OpenAPI file (e.g. ../shared/reference/cohere-openapi.yaml)
  --out       where the fragment goes (default: openapi/connectors.yaml in the workspace)
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
    out: PathBuf,
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
    let mut mode = SpecMode::Write;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = SpecMode::Check,
            "--diff" => mode = SpecMode::Diff,
            "--upstream" => upstream = Some(value_of("--upstream", args.next())?),
            "--out" => out = Some(value_of("--out", args.next())?),
            other => return Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(SpecArgs {
        upstream: upstream.ok_or_else(|| format!("--upstream is required\n\n{USAGE}"))?,
        out: out.unwrap_or_else(|| workspace_root().join(FRAGMENT_PATH)),
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
fn diff_task(args: &SpecArgs, upstream: &[u8]) -> Result<ExitCode, String> {
    let built = spec::transform(upstream).map_err(|error| error.to_string())?;
    let checked_in = std::fs::read_to_string(&args.out)
        .map_err(|error| format!("cannot read {}: {error}", args.out.display()))?;
    let old = spec::parse::parse_yaml(&checked_in).map_err(|error| error.to_string())?;
    let changes = spec::api_diff::diff(&old, &built.document);
    if changes.is_empty() {
        println!("no change to the API's structure");
    } else {
        println!("{} change(s) to the API's structure:", changes.len());
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
    match spec::contract::check(&built.document) {
        Ok(()) => {
            println!(
                "the facade can take it: run `cargo xtask spec --upstream {}`",
                args.upstream.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(breaks) => {
            println!("{breaks}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn spec_task(args: SpecArgs) -> Result<ExitCode, String> {
    let upstream = std::fs::read(&args.upstream)
        .map_err(|error| format!("cannot read {}: {error}", args.upstream.display()))?;
    if args.mode == SpecMode::Diff {
        return diff_task(&args, &upstream);
    }
    let fragment = spec::generate(&upstream).map_err(|error| error.to_string())?;

    if args.mode == SpecMode::Write {
        std::fs::write(&args.out, &fragment)
            .map_err(|error| format!("cannot write {}: {error}", args.out.display()))?;
        println!(
            "wrote {} from {}",
            args.out.display(),
            args.upstream.display()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let checked_in = match std::fs::read_to_string(&args.out) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "{} cannot be read ({error}); run `cargo xtask spec --upstream {}`",
                args.out.display(),
                args.upstream.display()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    match spec::compare(&checked_in, &fragment) {
        Freshness::Fresh => {
            println!(
                "{} is up to date with {}",
                args.out.display(),
                args.upstream.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Freshness::Stale { diff } => {
            eprintln!(
                "{} is not what {} produces:\n\n{diff}\n\nrun `cargo xtask spec --upstream {}` and commit the result",
                args.out.display(),
                args.upstream.display(),
                args.upstream.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
