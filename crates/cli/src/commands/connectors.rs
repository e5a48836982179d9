//! The commands on the account's connectors, one at a time, and the listing.

use std::process::ExitCode;

use cohere_connectors::{Client, Connector, ConnectorUpdate, NewConnector, OAuthConfig};
use cohere_connectors_migrate::{ManifestConnector, Secrets};
use futures_util::TryStreamExt;

use crate::args::{
    AuthorizeArgs, CreateArgs, DeleteArgs, GetArgs, ListArgs, OAuthFlags, UpdateArgs,
};
use crate::confirm::confirm;
use crate::connection;
use crate::failure::{Failure, Outcome};
use crate::output::{self, ADDED, Layout, REMOVED, Stdout, render};
use crate::secrets;

pub async fn list(args: ListArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let spinner = output::spinner("connectors listed");
    let listed = write_listing(&client, &args, spinner.as_ref()).await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    listed?;
    Ok(ExitCode::SUCCESS)
}

/// Streams the listing: JSON as each page arrives; a table once all have (it measures its
/// columns). A closed stdout stops the walk at once.
async fn write_listing(
    client: &Client,
    args: &ListArgs,
    spinner: Option<&indicatif::ProgressBar>,
) -> Result<(), Failure> {
    let mut stream = client.connectors().list().limit(100).stream();
    let mut out = Stdout::new();
    let mut table = Vec::new();
    let mut count = 0_u64;
    if args.json {
        out.own(b"[")?;
    }
    while let Some(connector) = stream.try_next().await.map_err(Failure::error)? {
        if let Some(spinner) = spinner {
            spinner.inc(1);
        }
        if args.json {
            out.own(if count == 0 { b"\n  " } else { b",\n  " })?;
            out.json(&connector, Layout::Inline)?;
        } else if args.jsonl {
            out.json(&connector, Layout::Line)?;
        } else {
            table.push(connector);
        }
        count = count.saturating_add(1);
    }
    if args.json {
        out.own(if count == 0 { b"]\n" } else { b"\n]\n" })?;
    } else if !args.jsonl {
        if table.is_empty() {
            output::note(None, "no connectors");
        } else {
            out.lines(&render::connectors_table(&table))?;
        }
    }
    Ok(())
}

fn show(connector: &Connector, json: bool) -> Outcome {
    let mut out = Stdout::new();
    if json {
        out.json(connector, Layout::Pretty)?;
    } else {
        for line in render::connector_details(connector) {
            out.line(&line)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn get(args: GetArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let connector = client
        .connectors()
        .get(args.id)
        .await
        .map_err(Failure::error)?;
    show(&connector, args.output.json)
}

fn oauth_config(flags: &OAuthFlags) -> Result<Option<OAuthConfig>, Failure> {
    let Some(client_id) = &flags.oauth_client_id else {
        return Ok(None);
    };
    let secret_path = flags.oauth_client_secret_file.as_ref().ok_or_else(|| {
        Failure::Usage("--oauth-client-id needs --oauth-client-secret-file".into())
    })?;
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

/// The connector `create` is asked for: a manifest entry, or the flags.
fn new_connector(args: &CreateArgs) -> Result<NewConnector, Failure> {
    if let Some(path) = &args.file {
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
        return entry
            .to_new_connector(&Secrets::from_env())
            .map_err(Failure::error);
    }
    let mut new = NewConnector::new(
        args.name.clone().unwrap_or_default(),
        args.url.clone().unwrap_or_default(),
    );
    new.description = args.description.clone();
    new.excludes = args.excludes.clone();
    new.active = args.states.active();
    new.continue_on_failure = args.states.continue_on_failure();
    new.service_auth = secrets::service_auth(&args.service)?;
    new.oauth = oauth_config(&args.oauth)?;
    Ok(new)
}

/// Names that differ only in case or surrounding spaces are the same to people, and the API
/// derives the same id from them.
fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Refuses a second connector of the same name: the API would quietly make `<id>-2`, and a
/// script run twice would double the account.
async fn refuse_duplicate_name(client: &Client, name: &str) -> Result<(), Failure> {
    let mut stream = client.connectors().list().limit(100).stream();
    while let Some(connector) = stream.try_next().await.map_err(Failure::error)? {
        if same_name(&connector.name, name) {
            return Err(Failure::Error(format!(
                "a connector named {:?} exists already ({}): change it with `cohere-connectors update {}`, or pass --allow-duplicate-name to create another",
                connector.name, connector.id, connector.id
            )));
        }
    }
    Ok(())
}

pub async fn create(args: CreateArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let request = new_connector(&args)?;
    if !args.allow_duplicate_name {
        refuse_duplicate_name(&client, &request.name).await?;
    }
    let created = client
        .connectors()
        .create_from(request)
        .send()
        .await
        .map_err(Failure::error)?;
    if !args.output.json {
        output::note(Some(ADDED), &format!("created {}", created.id));
    }
    show(&created, args.output.json)
}

/// Every flag that changes something, for the message that none was given.
const UPDATE_FLAGS: &str = "--name, --url, --exclude, --clear-excludes, --active, --inactive, --continue-on-failure, --no-continue-on-failure, --service-auth, --oauth-client-id";

pub async fn update(args: UpdateArgs) -> Outcome {
    let mut update = ConnectorUpdate::new();
    update.name = args.name.clone();
    update.url = args.url.clone().map(Into::into);
    if args.clear_excludes {
        update.excludes = Some(Vec::new());
    } else if !args.excludes.is_empty() {
        update.excludes = Some(args.excludes.clone());
    }
    update.active = args.states.active();
    update.continue_on_failure = args.states.continue_on_failure();
    update.service_auth = secrets::service_auth(&args.service)?;
    update.oauth = oauth_config(&args.oauth)?;
    if update == ConnectorUpdate::new() {
        return Err(Failure::Usage(format!(
            "nothing to update: give at least one of {UPDATE_FLAGS}"
        )));
    }
    let client = connection::client(&args.connection)?;
    let updated = client
        .connectors()
        .update_from(args.id, update)
        .send()
        .await
        .map_err(Failure::error)?;
    show(&updated, args.output.json)
}

pub async fn delete(args: DeleteArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let what = format!("connector {}", args.id);
    let asked = confirm(
        true,
        args.yes,
        &format!("Delete {what}? [y/N] "),
        &format!("not deleting {what}"),
    )?;
    if !asked {
        output::note(None, "not deleted");
        return Ok(ExitCode::FAILURE);
    }
    client
        .connectors()
        .delete(args.id.clone())
        .await
        .map_err(Failure::error)?;
    output::note(Some(REMOVED), &format!("deleted {}", args.id));
    Ok(ExitCode::SUCCESS)
}

pub async fn authorize(args: AuthorizeArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let mut request = client.connectors().authorize_oauth(args.id);
    if let Some(after) = args.after_token_redirect {
        request = request.after_token_redirect(after);
    }
    let url = request.send().await.map_err(Failure::error)?;
    Stdout::new().line(&url)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn names_that_people_read_as_one_are_the_same() {
        assert!(same_name("Team Wiki", " team wiki "));
        assert!(!same_name("Team Wiki", "Team Wiki 2"));
    }
}
