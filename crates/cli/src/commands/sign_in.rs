//! A local user's OAuth for the manifest's OAuth connectors: a broker over them, the user's
//! tokens in a private directory, and the sign-in through a callback on this machine's
//! loopback, its URL printed on stderr.

use std::path::PathBuf;
use std::time::Duration;

use cohere_connectors_kit::server::{ConnectionLimits, serve_connections};
use cohere_connectors_migrate::oauth::{FileTokenStore, OAuthBroker, UserId};
use cohere_connectors_migrate::{Manifest, Secrets, Toolbox};
use tokio::net::TcpListener;

use crate::args::SignInArgs;
use crate::failure::Failure;
use crate::output::{self, NOTE};

/// Where the provider sends the browser back, on the callback's address.
const CALLBACK_PATH: &str = "/oauth/callback";

/// How often a waiting sign-in looks for the tokens its callback stores.
const POLL: Duration = Duration::from_millis(200);

/// The local user and the broker that keeps their tokens.
pub struct LocalOAuth {
    pub broker: OAuthBroker,
    pub user: UserId,
}

/// The local user's OAuth for the OAuth connectors of `toolbox`, or `None` when it has none
/// (or, without `--sign-in`, when their OAuth settings cannot be used: a warning says why,
/// and their tools answer that the user must sign in). With `--sign-in`, signs the user in
/// to each connector they have no usable token for before it returns.
pub async fn local_oauth(
    args: &SignInArgs,
    manifest: &Manifest,
    secrets: &Secrets,
    toolbox: &Toolbox,
) -> Result<Option<LocalOAuth>, Failure> {
    if !args.callback_addr.ip().is_loopback() {
        return Err(Failure::Usage(format!(
            "--callback-addr must be on this machine's loopback (127.0.0.1 or ::1), not {}",
            args.callback_addr.ip()
        )));
    }
    let user = UserId::new(args.user.as_str())
        .map_err(|error| Failure::Usage(format!("--user: {error}")))?;
    if !toolbox.tools().iter().any(|tool| tool.needs_user_token()) {
        if args.sign_in {
            output::note(
                None,
                "no connector of the manifest uses OAuth: nothing to sign in to",
            );
        }
        return Ok(None);
    }
    let dir = match &args.token_store {
        Some(dir) => dir.clone(),
        None => default_token_store().ok_or_else(|| {
            Failure::Usage("no data directory is known for this user: give --token-store".into())
        })?,
    };
    let store = FileTokenStore::open(&dir).map_err(Failure::error)?;
    let listener = match args.sign_in {
        true => Some(
            TcpListener::bind(args.callback_addr)
                .await
                .map_err(|error| {
                    Failure::Error(format!("cannot listen on {}: {error}", args.callback_addr))
                })?,
        ),
        false => None,
    };
    let callback_addr = match &listener {
        Some(listener) => listener.local_addr().map_err(Failure::error)?,
        None => args.callback_addr,
    };
    let built = OAuthBroker::builder(format!("http://{callback_addr}{CALLBACK_PATH}"))
        .manifest(manifest, secrets)
        .and_then(|builder| builder.store(store).build());
    let broker = match built {
        Ok(broker) => broker,
        Err(error) if args.sign_in => return Err(Failure::error(error)),
        Err(error) => {
            output::warning(&format!(
                "the OAuth connectors' tools will answer that the user must sign in: {error}"
            ));
            return Ok(None);
        }
    };
    if let Some(listener) = listener {
        let callback = tokio::spawn(serve_connections(
            listener,
            broker.callback_router(),
            ConnectionLimits::default(),
        ));
        let signed_in = sign_in_where_needed(&broker, &user, toolbox).await;
        callback.abort();
        signed_in?;
    }
    Ok(Some(LocalOAuth { broker, user }))
}

/// Signs `user` in to each OAuth connector of `toolbox` they have no usable token for, one
/// after the other: the URL on stderr, then a wait for the callback to store the tokens.
async fn sign_in_where_needed(
    broker: &OAuthBroker,
    user: &UserId,
    toolbox: &Toolbox,
) -> Result<(), Failure> {
    let tokens = broker.tokens_for(user, toolbox).await;
    for (tool, error) in tokens.missing() {
        if !error.is_sign_in_required() {
            output::warning(&format!("{tool}: {error}"));
        }
    }
    for connector in tokens.sign_in_required() {
        let sign_in = broker.sign_in(user, connector).map_err(Failure::error)?;
        // The URL alone on its line (escaped, as every line of stderr), to copy or click.
        output::note(
            Some(NOTE),
            &format!("sign in to `{connector}` as {user}: open this URL in a browser"),
        );
        output::note(None, &format!("  {}", sign_in.url()));
        let waited = tokio::time::timeout(sign_in.expires_in(), async {
            while !broker.is_signed_in(user, connector).await.unwrap_or(false) {
                tokio::time::sleep(POLL).await;
            }
        })
        .await;
        if waited.is_err() {
            return Err(Failure::Error(format!(
                "the sign-in to `{connector}` was not completed within {} s",
                sign_in.expires_in().as_secs()
            )));
        }
        output::note(None, &format!("signed in to `{connector}`"));
    }
    Ok(())
}

/// `<data dir>/cohere-connectors/oauth-tokens`, the data directory as each system has it.
fn default_token_store() -> Option<PathBuf> {
    let data = if cfg!(windows) {
        absolute_from_env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        absolute_from_env("HOME").map(|home| home.join("Library/Application Support"))
    } else {
        absolute_from_env("XDG_DATA_HOME")
            .or_else(|| absolute_from_env("HOME").map(|home| home.join(".local/share")))
    };
    Some(data?.join("cohere-connectors").join("oauth-tokens"))
}

/// The variable `name` as a directory, when it holds an absolute path (the XDG rule: a
/// relative one is ignored).
fn absolute_from_env(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os(name)?);
    path.is_absolute().then_some(path)
}
