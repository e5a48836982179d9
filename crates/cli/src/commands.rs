//! What each command does.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use cohere_connectors::{Client, Connector, ConnectorUpdate, OAuthConfig};
use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::{Checker, SearchAuth};
use cohere_connectors_migrate::sync::{LineKind, PlanOptions, plan};
use cohere_connectors_migrate::{Manifest, ManifestConnector, Secrets, export, export_file};
use futures_util::TryStreamExt;

use crate::args::{
    AuthorizeArgs, CheckArgs, CreateArgs, DeleteArgs, EmulatorArgs, ExportArgs, GetArgs, ListArgs,
    OAuthFlags, PlanArgs, UpdateArgs,
};
use crate::output::{self, ADDED, CHANGED, ERROR, NOTE, REMOVED, WARNING, paint};
use crate::secrets;

/// A command's outcome: an exit code, or a one-line error (exit code 1).
pub type Outcome = Result<ExitCode, String>;

/// The exit code of a plan that would change the account.
pub const PLAN_HAS_CHANGES: u8 = 2;

fn fail(error: impl std::fmt::Display) -> String {
    error.to_string()
}

fn print(text: &str) -> Result<(), String> {
    writeln!(output::stdout(), "{text}").map_err(fail)
}

fn json_pretty(value: &impl serde::Serialize) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(fail)?;
    print(&text)
}

pub async fn list(client: &Client, args: ListArgs) -> Outcome {
    let mut stream = client.connectors().list().limit(100).stream();
    let spinner = output::spinner("connectors listed");
    let mut out = output::stdout().lock();
    let mut table = Vec::new();
    let mut count = 0_u64;
    if args.json {
        write!(out, "[").map_err(fail)?;
    }
    while let Some(connector) = stream.try_next().await.map_err(fail)? {
        if let Some(spinner) = &spinner {
            spinner.inc(1);
        }
        if args.jsonl || args.json {
            let separator = if args.json && count > 0 { "," } else { "" };
            let line = serde_json::to_string(&connector).map_err(fail)?;
            if args.json {
                write!(out, "{separator}\n  {line}").map_err(fail)?;
            } else {
                writeln!(out, "{line}").map_err(fail)?;
            }
        } else {
            table.push(connector);
        }
        count = count.saturating_add(1);
    }
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    if args.json {
        writeln!(out, "{}]", if count > 0 { "\n" } else { "" }).map_err(fail)?;
    } else if !args.jsonl {
        if table.is_empty() {
            drop(out);
            let _ = writeln!(output::stderr(), "no connectors");
        } else {
            writeln!(out, "{}", output::connectors_table(&table)).map_err(fail)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(connector: &Connector, json: bool) -> Outcome {
    if json {
        json_pretty(connector)?;
    } else {
        print(&output::connector_details(connector))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn get(client: &Client, args: GetArgs) -> Outcome {
    let connector = client.connectors().get(args.id).await.map_err(fail)?;
    show(&connector, args.output.json)
}

fn oauth_config(flags: &OAuthFlags) -> Result<Option<OAuthConfig>, String> {
    let Some(client_id) = &flags.oauth_client_id else {
        return Ok(None);
    };
    let secret_path = flags
        .oauth_client_secret_file
        .as_ref()
        .ok_or("--oauth-client-id needs --oauth-client-secret-file")?;
    let secret = secrets::from_file(secret_path, "OAuth client secret")?;
    let mut config = OAuthConfig::new(
        client_id.clone(),
        secret,
        flags.oauth_authorize_url.clone().unwrap_or_default(),
        flags.oauth_token_url.clone().unwrap_or_default(),
    );
    config.scope = flags.oauth_scope.clone();
    Ok(Some(config))
}

pub async fn create(client: &Client, args: CreateArgs) -> Outcome {
    let request = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let entry: ManifestConnector = serde_json::from_str(&text).map_err(|error| {
                format!(
                    "{} is not a manifest entry (line {}, column {})",
                    path.display(),
                    error.line(),
                    error.column()
                )
            })?;
            entry.to_new_connector(&Secrets::from_env()).map_err(fail)?
        }
        None => {
            let mut new = cohere_connectors::NewConnector::new(
                args.name.clone().unwrap_or_default(),
                args.url.clone().unwrap_or_default(),
            );
            new.description = args.description.clone();
            new.excludes = args.excludes.clone();
            new.active = args.inactive.then_some(false);
            new.continue_on_failure = args.continue_on_failure.then_some(true);
            new.service_auth = secrets::service_auth(&args.service)?;
            new.oauth = oauth_config(&args.oauth)?;
            new
        }
    };
    let created = client
        .connectors()
        .create_from(request)
        .send()
        .await
        .map_err(fail)?;
    if !args.output.json {
        let _ = writeln!(
            output::stderr(),
            "{}",
            paint(ADDED, &format!("created {}", created.id))
        );
    }
    show(&created, args.output.json)
}

pub async fn update(client: &Client, args: UpdateArgs) -> Outcome {
    let mut update = ConnectorUpdate::new();
    update.name = args.name.clone();
    update.url = args.url.clone();
    if args.clear_excludes {
        update.excludes = Some(Vec::new());
    } else if !args.excludes.is_empty() {
        update.excludes = Some(args.excludes.clone());
    }
    update.active = args.active;
    update.continue_on_failure = args.continue_on_failure;
    update.service_auth = secrets::service_auth(&args.service)?;
    update.oauth = oauth_config(&args.oauth)?;
    if update == ConnectorUpdate::new() {
        return Err("nothing to update: give at least one of --name, --url, --exclude, --clear-excludes, --active, --continue-on-failure, --service-auth, --oauth-client-id".into());
    }
    let updated = client
        .connectors()
        .update_from(args.id, update)
        .send()
        .await
        .map_err(fail)?;
    show(&updated, args.output.json)
}

pub async fn delete(client: &Client, args: DeleteArgs) -> Outcome {
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(format!(
                "not deleting {} without --yes (stdin is not a terminal to ask on)",
                args.id
            ));
        }
        let mut err = output::stderr();
        write!(
            err,
            "Delete connector {}? [y/N] ",
            output::one_line(&args.id)
        )
        .map_err(fail)?;
        err.flush().map_err(fail)?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).map_err(fail)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            let _ = writeln!(output::stderr(), "not deleted");
            return Ok(ExitCode::FAILURE);
        }
    }
    client
        .connectors()
        .delete(args.id.clone())
        .await
        .map_err(fail)?;
    let _ = writeln!(
        output::stderr(),
        "{}",
        paint(REMOVED, &format!("deleted {}", args.id))
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn authorize(client: &Client, args: AuthorizeArgs) -> Outcome {
    let mut request = client.connectors().authorize_oauth(args.id);
    if let Some(after) = args.after_token_redirect {
        request = request.after_token_redirect(after);
    }
    let url = request.send().await.map_err(fail)?;
    print(&url)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn export_command(client: &Client, args: ExportArgs) -> Outcome {
    let summary = match &args.output {
        Some(path) => export_file(client, path).await.map_err(fail)?,
        None => export(client, std::io::stdout().lock())
            .await
            .map_err(fail)?,
    };
    let mut err = output::stderr();
    let _ = write!(err, "exported {} connector(s)", summary.connectors);
    if let Some(path) = &args.output {
        let _ = write!(err, " to {}", path.display());
    }
    if summary.secret_references > 0 {
        let _ = write!(
            err,
            "; {} secret(s) the API never returns are references to fill (and service_auth.type, which it does not return either)",
            summary.secret_references
        );
    }
    let _ = writeln!(err);
    Ok(ExitCode::SUCCESS)
}

fn plan_options(args: &PlanArgs) -> PlanOptions {
    PlanOptions::new()
        .prune(args.prune)
        .resend_secrets(args.resend_secrets)
}

fn print_plan(planned: &cohere_connectors_migrate::sync::Plan) -> Result<(), String> {
    let mut out = output::stdout().lock();
    for (kind, line) in planned.lines() {
        let style = match kind {
            LineKind::Create => Some(ADDED),
            LineKind::Update => Some(CHANGED),
            LineKind::Delete => Some(REMOVED),
            LineKind::Notice => Some(NOTE),
            LineKind::Drift => Some(WARNING),
            _ => None,
        };
        let line = output::one_line(&line);
        let line = style.map_or_else(|| line.clone(), |style| paint(style, &line));
        writeln!(out, "{line}").map_err(fail)?;
    }
    Ok(())
}

pub async fn plan_command(client: &Client, args: PlanArgs) -> Outcome {
    let desired = Manifest::read(&args.file).map_err(fail)?;
    let planned = plan(client, &desired, plan_options(&args))
        .await
        .map_err(fail)?;
    if args.json {
        json_pretty(&planned)?;
    } else {
        print_plan(&planned)?;
    }
    if planned.is_empty() && !planned.has_drift() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(PLAN_HAS_CHANGES))
    }
}

pub async fn apply(client: &Client, args: PlanArgs) -> Outcome {
    let desired = Manifest::read(&args.file).map_err(fail)?;
    let planned = plan(client, &desired, plan_options(&args))
        .await
        .map_err(fail)?;
    if !args.json {
        print_plan(&planned)?;
    }
    match planned.apply().await {
        Ok(applied) => {
            if args.json {
                json_pretty(&applied)?;
            } else {
                for change in &applied {
                    print(&format!("{change}"))?;
                }
                if applied.is_empty() {
                    print("nothing to apply")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            for change in &error.done {
                let _ = writeln!(output::stderr(), "{change}");
            }
            Err(error.to_string())
        }
    }
}

pub async fn check(args: CheckArgs) -> Outcome {
    let auth = if let Some(path) = &args.user_token_file {
        SearchAuth::user_token(secrets::from_file(path, "user token")?)
    } else {
        secrets::service_auth(&args.service)?.into()
    };
    let report = Checker::new(args.url)
        .auth(auth)
        .query(args.query)
        .timeout(Duration::from_secs(args.timeout))
        .run()
        .await;
    if args.output.json {
        json_pretty(&report)?;
    } else {
        let text = report.to_string();
        let mut lines = text.lines();
        if let Some(first) = lines.next() {
            let style = if report.is_ok() { ADDED } else { ERROR };
            print(&paint(style, first))?;
        }
        for line in lines {
            let trimmed = line.trim_start();
            let styled = if trimmed.starts_with("error") {
                paint(ERROR, line)
            } else if trimmed.starts_with("warning") {
                paint(WARNING, line)
            } else {
                line.to_owned()
            };
            print(&styled)?;
        }
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn schema() -> Outcome {
    json_pretty(&Manifest::json_schema())?;
    Ok(ExitCode::SUCCESS)
}

pub async fn emulator(args: EmulatorArgs, api_key: Option<String>) -> Outcome {
    let mut builder = Emulator::builder()
        .addr(args.addr)
        .seed(args.seed)
        .log_requests(!args.quiet)
        .verify_connectors(args.verify_connectors);
    let given = api_key.is_some();
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    let emulator = builder
        .start()
        .await
        .map_err(|error| format!("cannot start the emulator on {}: {error}", args.addr))?;
    let mut err = output::stderr();
    let _ = writeln!(err, "Connectors API emulator on {}", emulator.base_url());
    if given {
        let _ = writeln!(err, "accepting the key from CO_API_KEY / --api-key");
    } else {
        let _ = writeln!(err, "API key: {}", emulator.api_key());
    }
    let _ = writeln!(
        err,
        "try: CO_API_URL={} CO_API_KEY=... cohere-connectors list  (Ctrl-C stops it)",
        emulator.base_url()
    );
    tokio::signal::ctrl_c().await.map_err(fail)?;
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// A one-line hint for errors worth one: a retired API.
pub fn hint(message: &str) -> Option<&'static str> {
    message
        .contains("not available to this account")
        .then_some("export what you can and see the migration guide: https://docs.rs/cohere-connectors (Moving to Chat v2 tools)")
}
