//! `cargo xtask spec [--check] --upstream PATH [--out PATH]`
//! `cargo xtask bench-report [--dir PATH]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::spec::{self, FRAGMENT_PATH, Freshness};

const USAGE: &str = "\
usage: cargo xtask spec --upstream PATH [--out PATH] [--check]
       cargo xtask bench-report [--dir PATH]

  spec        build the OpenAPI fragment of /v1/connectors from Cohere's upstream definition
  --upstream  Cohere's full OpenAPI file (e.g. ../shared/reference/cohere-openapi.yaml)
  --out       where the fragment goes (default: openapi/connectors.yaml in the workspace)
  --check     write nothing; fail, showing the difference, if the fragment is not exactly
              what --upstream produces

  bench-report  print criterion's results (default dir: target/criterion) as a Markdown table
                of medians and ratios to each group's baseline";

struct SpecArgs {
    upstream: PathBuf,
    out: PathBuf,
    check: bool,
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
    let mut check = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--upstream" => upstream = Some(value_of("--upstream", args.next())?),
            "--out" => out = Some(value_of("--out", args.next())?),
            other => return Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(SpecArgs {
        upstream: upstream.ok_or_else(|| format!("--upstream is required\n\n{USAGE}"))?,
        out: out.unwrap_or_else(|| workspace_root().join(FRAGMENT_PATH)),
        check,
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

fn spec_task(args: SpecArgs) -> Result<ExitCode, String> {
    let upstream = std::fs::read(&args.upstream)
        .map_err(|error| format!("cannot read {}: {error}", args.upstream.display()))?;
    let fragment = spec::generate(&upstream).map_err(|error| error.to_string())?;

    if !args.check {
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
