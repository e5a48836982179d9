//! The commands over a whole account and its manifest: export, plan, apply, schema.

use std::path::Path;
use std::process::ExitCode;

use cohere_connectors::Client;
use cohere_connectors::text::Redactor;
use cohere_connectors_migrate::sync::{
    self, ApplyError, ApplyReport, Change, Plan, PlanOptions, SavedPlan,
};
use cohere_connectors_migrate::{Manifest, Secrets, export_file};

use super::exit_after_printing;
use crate::args::{ApplyArgs, ExportArgs, PlanArgs, Planning, Showing};
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
async fn plan_of(client: &Client, file: &Path, planning: &Planning) -> Result<Plan, Failure> {
    let desired = Manifest::read(file).map_err(Failure::error)?;
    let options = PlanOptions::new()
        .prune(planning.prune)
        .resend_secrets(planning.resend_secrets);
    let mut planned = sync::plan(client, &desired, options)
        .await
        .map_err(Failure::error)?;
    in_tool_words(&mut planned);
    Ok(planned)
}

/// The plan's notices in the tool's words: flags, not library options.
fn in_tool_words(planned: &mut Plan) {
    for notice in &mut planned.notices {
        notice.message = in_cli_words(&notice.message).into_owned();
    }
}

/// The plan as `showing` asks: JSON, or lines for people (with `quiet_notices`, without the
/// notices that only inform).
fn show(out: &mut Stdout, planned: &Plan, showing: &Showing) -> Result<(), Failure> {
    if showing.json {
        return out.json(planned, Layout::Pretty);
    }
    render::plan(planned, showing.quiet_notices)
        .into_iter()
        .try_for_each(|(style, line)| out.styled(style, &line))
}

pub async fn plan(args: PlanArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let planned = plan_of(&client, &args.file, &args.planning).await?;
    let code = if planned.is_empty() && !planned.has_drift() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHANGES_PENDING)
    };
    let mut out = Stdout::new();
    let printed = match show(&mut out, &planned, &args.showing) {
        Err(Failure::Error(message)) => return Err(Failure::Error(message)),
        printed => printed,
    };
    // Saved even when the reader of stdout went away: `apply FILE` shows the plan again
    // before it acts.
    if let Some(path) = &args.output {
        planned.save(path).map_err(Failure::error)?;
        output::note(
            None,
            &format!(
                "saved the plan to {0}: `cohere-connectors apply {0}` applies it, unless the account changes first",
                path.display()
            ),
        );
    }
    exit_after_printing(code, printed)
}

/// What `apply` applies: a plan made now from a manifest, or one saved after review.
struct Reviewed {
    /// The plan as shown, its notices in the tool's words; made now, it applies itself, with
    /// the client and secrets it was made with.
    plan: Plan,
    /// Saved by `plan -o`: what applies.
    saved: Option<SavedPlan>,
}

impl Reviewed {
    fn fresh(plan: Plan) -> Self {
        Self { plan, saved: None }
    }

    /// A plan saved by `plan -o`.
    fn read(path: &Path) -> Result<Self, Failure> {
        let saved = SavedPlan::read(path).map_err(|error| {
            let mut message = error.to_string();
            if Manifest::read(path).is_ok() {
                message.push_str(&format!(
                    ": {} is a manifest (apply it with -f)",
                    path.display()
                ));
            }
            Failure::Error(message)
        })?;
        let mut plan = saved.plan().clone();
        in_tool_words(&mut plan);
        Ok(Self {
            plan,
            saved: Some(saved),
        })
    }

    /// Applies it; a saved plan to `client`'s account, its secrets resolved again from the
    /// manifest's references.
    async fn apply(&self, client: &Client) -> Result<ApplyReport, ApplyError> {
        match &self.saved {
            None => self.plan.apply().await,
            Some(saved) => saved.apply(client, &Secrets::from_env()).await,
        }
    }

    /// For a saved plan, when and against which API it was made: what a reviewer checks.
    fn header(&self) -> Option<String> {
        self.saved.as_ref().map(|_| {
            format!(
                "saved plan, made {} against {}",
                self.plan.made_at.format("%Y-%m-%d %H:%M:%S UTC"),
                self.plan.base_url
            )
        })
    }
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
    let client = connection::client(&args.connection)?;
    let reviewed = match (&args.plan, &args.file) {
        (Some(path), None) => Reviewed::read(path)?,
        (None, Some(file)) => Reviewed::fresh(plan_of(&client, file, &args.planning).await?),
        // clap's group asks for exactly one.
        _ => {
            return Err(Failure::Usage(
                "apply takes a saved plan or -f MANIFEST, one of them".into(),
            ));
        }
    };
    let planned = &reviewed.plan;
    let mut out = Stdout::new();
    if !args.showing.json {
        let header = reviewed.header().into_iter().map(|line| (None, line));
        let lines = header.chain(render::plan(planned, args.showing.quiet_notices));
        match lines
            .into_iter()
            .try_for_each(|(style, line)| out.styled(style, &line))
        {
            // Nothing is changed that the operator could not be shown.
            Err(Failure::StdoutClosed) => {
                return Err(Failure::Error(
                    "stdout was closed before the plan was shown: nothing applied".into(),
                ));
            }
            printed => printed?,
        }
    }
    let deleted = deleted_ids(planned);
    let what = format!("{} connector(s): {}", deleted.len(), deleted.join(", "));
    let asked = confirm(
        !deleted.is_empty(),
        args.yes,
        &format!("Apply this plan, which deletes {what}? [y/N] "),
        &format!("not applying a plan that deletes {what}"),
    )?;
    if !asked {
        output::note(None, "nothing applied");
        return Ok(ExitCode::FAILURE);
    }
    let applied = reviewed.apply(&client).await;
    report(&mut out, args.showing.json, applied, &secrets_sent(planned))
}

/// The secrets the plan's changes send, to hide wherever a server echoes them: the client
/// hides those of the request that failed, and a server may echo those of another change
/// (it holds them once they are sent).
fn secrets_sent(planned: &Plan) -> Redactor {
    let secrets = Secrets::from_env();
    let mut redactor = Redactor::default();
    for change in &planned.changes {
        let (Change::Create { definition, .. } | Change::Update { definition, .. }) = change else {
            continue;
        };
        let fields = &definition.definition;
        let references = [
            fields.service_auth.as_ref().map(|auth| &auth.token),
            fields.oauth.as_ref().map(|oauth| &oauth.client_secret),
            definition.url_password.as_ref(),
        ];
        for reference in references.into_iter().flatten() {
            // One that does not resolve is never sent: the apply refuses before anything.
            if let Ok(secret) = secrets.resolve(reference) {
                redactor = redactor.with(&secret);
            }
        }
    }
    redactor
}

/// What an apply did: on stdout when it worked (JSON, or a line per change); when it
/// stopped, with `json` the whole report on stdout all the same (a CI job reads what was
/// done there), and otherwise a line per change on stderr; then the error, exit 1.
fn report(
    out: &mut Stdout,
    json: bool,
    applied: Result<ApplyReport, ApplyError>,
    secrets: &Redactor,
) -> Outcome {
    let mut error = match applied {
        Ok(report) => {
            let printed = if json {
                out.json(&report, Layout::Pretty)
            } else if report.done.is_empty() {
                out.line("nothing to apply")
            } else {
                report
                    .done
                    .iter()
                    .try_for_each(|change| out.line(&change.to_string()))
            };
            return exit_after_printing(ExitCode::SUCCESS, printed);
        }
        Err(error) => error,
    };
    if let Some(failure) = &mut error.report.failed {
        failure.error = secrets
            .scrub(&in_cli_words(&failure.error), false)
            .into_owned();
    }
    let report = &error.report;
    if json {
        // The apply's error is the one to report; a stdout that fails too is said after.
        if let Err(Failure::Error(message)) = out.json(report, Layout::Pretty) {
            output::error(&message);
        }
    } else {
        for change in &report.done {
            output::note(None, &change.to_string());
        }
        // A refusal before the first change says "nothing was applied" itself.
        if let Some(step) = report.failed.as_ref().and_then(|f| f.change.as_ref()) {
            output::note(None, &format!("failed: {step}"));
            for step in &report.not_attempted {
                output::note(None, &format!("not attempted: {step}"));
            }
        }
    }
    Err(Failure::Error(
        secrets.scrub(&error.to_string(), false).into_owned(),
    ))
}

pub fn schema() -> Outcome {
    Stdout::new().json(&Manifest::json_schema(), Layout::Pretty)?;
    Ok(ExitCode::SUCCESS)
}
