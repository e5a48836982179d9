//! `cargo xtask bench-report`: criterion's estimates as the Markdown table of BENCHMARKS.md.
//!
//! Two tables. Absolute benchmarks: median time per iteration, throughput, and the ratio of
//! the median to the group's `baseline*` benchmark (measured minutes apart, so machine drift is
//! in it). Paired benchmarks (`ratio_*`), which alternate baseline and candidate within every
//! sample and report the ratio as milliseconds: the median ratio and its 95% interval.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// One benchmark's median time and its 95% confidence interval, in nanoseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub group: String,
    pub name: String,
    pub median: f64,
    pub lower: f64,
    pub upper: f64,
    /// Elements (items or requests) per iteration, when the benchmark declares them.
    pub elements: Option<f64>,
}

/// Reads every `<group>/<bench>/new/{estimates,benchmark}.json` under `dir`.
pub fn read_estimates(dir: &Path) -> Result<Vec<Estimate>, String> {
    let mut estimates = Vec::new();
    let groups = std::fs::read_dir(dir).map_err(|error| {
        format!(
            "cannot read {}: {error} (run `cargo bench` first)",
            dir.display()
        )
    })?;
    for group in groups.flatten() {
        let Ok(benches) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for bench in benches.flatten() {
            let new = bench.path().join("new");
            let (Ok(estimates_text), Ok(benchmark_text)) = (
                std::fs::read_to_string(new.join("estimates.json")),
                std::fs::read_to_string(new.join("benchmark.json")),
            ) else {
                continue;
            };
            estimates.push(parse(&estimates_text, &benchmark_text)?);
        }
    }
    estimates.sort_by(|a, b| {
        (&a.group, !a.name.starts_with("baseline"), &a.name).cmp(&(
            &b.group,
            !b.name.starts_with("baseline"),
            &b.name,
        ))
    });
    Ok(estimates)
}

fn parse(estimates: &str, benchmark: &str) -> Result<Estimate, String> {
    let estimates: Value = serde_json::from_str(estimates).map_err(|e| e.to_string())?;
    let benchmark: Value = serde_json::from_str(benchmark).map_err(|e| e.to_string())?;
    let number = |value: &Value| {
        value
            .as_f64()
            .ok_or("a number is missing in estimates.json")
    };
    let median = &estimates["median"];
    Ok(Estimate {
        group: benchmark["group_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        name: benchmark["function_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        median: number(&median["point_estimate"])?,
        lower: number(&median["confidence_interval"]["lower_bound"])?,
        upper: number(&median["confidence_interval"]["upper_bound"])?,
        elements: benchmark["throughput"]["Elements"].as_f64(),
    })
}

/// The Markdown tables.
pub fn render(estimates: &[Estimate]) -> String {
    let (paired, absolute): (Vec<&Estimate>, Vec<&Estimate>) = estimates
        .iter()
        .partition(|estimate| estimate.name.starts_with("ratio_"));
    let mut out = String::new();
    if !paired.is_empty() {
        out.push_str("| group | candidate / baseline (paired) | median ratio | 95% CI |\n");
        out.push_str("|---|---|---:|---:|\n");
        for estimate in &paired {
            // The time is the ratio in milliseconds.
            let _ = writeln!(
                out,
                "| {} | {} | {:.4} | {:.4} – {:.4} |",
                estimate.group,
                estimate.name.trim_start_matches("ratio_"),
                estimate.median / 1e6,
                estimate.lower / 1e6,
                estimate.upper / 1e6,
            );
        }
        out.push('\n');
    }
    out.push_str(
        "| group | benchmark | median | 95% CI | per second | ratio to baseline | ratio range |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    for estimate in &absolute {
        let baseline = absolute
            .iter()
            .find(|other| other.group == estimate.group && other.name.starts_with("baseline"));
        let (ratio, range) = match baseline {
            Some(base) if base.name != estimate.name => (
                format!("{:.3}", estimate.median / base.median),
                format!(
                    "{:.3} – {:.3}",
                    estimate.lower / base.upper,
                    estimate.upper / base.lower
                ),
            ),
            Some(_) => ("1 (baseline)".to_owned(), String::new()),
            None => ("no baseline".to_owned(), String::new()),
        };
        let per_second = estimate
            .elements
            .map(|elements| format!("{:.0}", elements / (estimate.median / 1e9)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} – {} | {per_second} | {ratio} | {range} |",
            estimate.group,
            estimate.name,
            duration(estimate.median),
            duration(estimate.lower),
            duration(estimate.upper),
        );
    }
    out
}

fn duration(nanoseconds: f64) -> String {
    match nanoseconds {
        ns if ns >= 1e9 => format!("{:.3} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{:.3} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        ns => format!("{ns:.0} ns"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(group: &str, name: &str, median: f64) -> Estimate {
        Estimate {
            group: group.into(),
            name: name.into(),
            median,
            lower: median * 0.99,
            upper: median * 1.01,
            elements: Some(100.0),
        }
    }

    #[test]
    fn ratios_are_against_the_groups_baseline() {
        let table = render(&[
            estimate("g", "baseline_x", 1_000_000.0),
            estimate("g", "facade", 1_020_000.0),
        ]);
        assert!(
            table.contains(
                "| g | baseline_x | 1.000 ms | 990.00 µs – 1.010 ms | 100000 | 1 (baseline) |  |"
            ),
            "{table}"
        );
        assert!(table.contains("| g | facade | 1.020 ms |"), "{table}");
        assert!(table.contains("| 1.020 | 1.000 – 1.041 |"), "{table}");
    }

    #[test]
    fn paired_ratios_are_read_back_from_milliseconds() {
        let table = render(&[
            estimate("g", "baseline_x", 1_000_000.0),
            estimate("g", "ratio_facade", 1_012_300.0),
        ]);
        assert!(
            table.contains("| g | facade | 1.0123 | 1.0022 – 1.0224 |"),
            "{table}"
        );
        assert!(table.contains("| g | baseline_x |"), "{table}");
    }

    #[test]
    fn criterion_files_are_read() {
        let estimates = r#"{"median": {"point_estimate": 2000.0, "confidence_interval": {"lower_bound": 1900.0, "upper_bound": 2100.0, "confidence_level": 0.95}}}"#;
        let benchmark =
            r#"{"group_id": "list", "function_id": "facade", "throughput": {"Elements": 100}}"#;
        let parsed = parse(estimates, benchmark).unwrap();
        assert_eq!(parsed.group, "list");
        assert_eq!(parsed.name, "facade");
        assert_eq!(
            (parsed.median, parsed.lower, parsed.upper),
            (2000.0, 1900.0, 2100.0)
        );
        assert_eq!(parsed.elements, Some(100.0));
    }
}
