//! The commands over a whole account and its manifest: export, plan, apply, schema.

use std::process::ExitCode;

use cohere_connectors_migrate::sync::{Change, Plan, PlanOptions};
use cohere_connectors_migrate::{Manifest, export_file};

use super::exit_after_printing;
use crate::args::{ApplyArgs, ExportArgs, ManifestArgs, PlanArgs};
use crate::confirm::confirm;
use crate::connection;
use crate::failure::{CHANGES_PENDING, Failure, Outcome};
use crate::output::{self, Layout, Stdout, render};
use crate::words::in_cli_words;

pub async fn export(args: ExportArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let summary = match &args.output {
        Some(path) => export_file(&client, path).await.map_err(Failure::error)?,
        None => {
            let mut out = Stdout::new();
            let mut sink = out.json_sink();
            let exported = cohere_connectors_migrate::export(&client, &mut sink).await;
            sink.end(exported)?
        }
    };
    let mut said = format!("exported {} connector(s)", summary.connectors);
    if let Some(path) = &args.output {
        said.push_str(&format!(" to {}", path.display()));
    }
    if summary.secret_references > 0 {
        said.push_str(&format!(
            "; {} secret(s) the API never returns are references to fill (and service_auth.type, which it does not return either)",
            summary.secret_references
        ));
    }
    output::note(None, &said);
    Ok(ExitCode::SUCCESS)
}

/// The plan the manifest asks for, its notices in the tool's words.
async fn plan_of(args: &ManifestArgs) -> Result<Plan, Failure> {
    let client = connection::client(&args.connection)?;
    let desired = Manifest::read(&args.file).map_err(Failure::error)?;
    let options = PlanOptions::new()
        .prune(args.prune)
        .resend_secrets(args.resend_secrets);
    let mut planned = cohere_connectors_migrate::sync::plan(&client, &desired, options)
        .await
        .map_err(Failure::error)?;
    for notice in &mut planned.notices {
        notice.message = in_cli_words(&notice.message).into_owned();
    }
    Ok(planned)
}

/// The plan for people; with `quiet_notices`, without the notices that only inform.
fn print_plan(out: &mut Stdout, planned: &Plan, quiet_notices: bool) -> Result<(), Failure> {
    render::plan(planned, quiet_notices)
        .into_iter()
        .try_for_each(|(style, line)| out.styled(style, &line))
}

pub async fn plan(args: PlanArgs) -> Outcome {
    let args = args.manifest;
    let planned = plan_of(&args).await?;
    let code = if planned.is_empty() && !planned.has_drift() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHANGES_PENDING)
    };
    let mut out = Stdout::new();
    let printed = if args.json {
        out.json(&planned, Layout::Pretty)
    } else {
        print_plan(&mut out, &planned, args.quiet_notices)
    };
    exit_after_printing(code, printed)
}

/// The ids a plan deletes, for the question before it does.
fn deleted_ids(planned: &Plan) -> Vec<&str> {
    planned
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Delete { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

pub async fn apply(args: ApplyArgs) -> Outcome {
    let (yes, args) = (args.yes, args.manifest);
    let planned = plan_of(&args).await?;
    let mut out = Stdout::new();
    if !args.json {
        match print_plan(&mut out, &planned, args.quiet_notices) {
            // Nothing is changed that the operator could not be shown.
            Err(Failure::StdoutClosed) => {
                return Err(Failure::Error(
                    "stdout was closed before the plan was shown: nothing applied".into(),
                ));
            }
            printed => printed?,
        }
    }
    let deleted = deleted_ids(&planned);
    let what = format!("{} connector(s): {}", deleted.len(), deleted.join(", "));
    let asked = confirm(
        !deleted.is_empty(),
        yes,
        &format!("Apply this plan, which deletes {what}? [y/N] "),
        &format!("not applying a plan that deletes {what}"),
    )?;
    if !asked {
        output::note(None, "nothing applied");
        return Ok(ExitCode::FAILURE);
    }
    match planned.apply().await {
        Ok(applied) => {
            let printed = if args.json {
                out.json(&applied, Layout::Pretty)
            } else if applied.done.is_empty() {
                out.line("nothing to apply")
            } else {
                applied
                    .done
                    .iter()
                    .try_for_each(|change| out.line(&change.to_string()))
            };
            exit_after_printing(ExitCode::SUCCESS, printed)
        }
        Err(error) => {
            for change in &error.report.done {
                output::note(None, &change.to_string());
            }
            Err(Failure::error(error))
        }
    }
}

pub fn schema() -> Outcome {
    Stdout::new().json(&Manifest::json_schema(), Layout::Pretty)?;
    Ok(ExitCode::SUCCESS)
}
