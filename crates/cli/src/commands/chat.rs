//! `chat`: the tool loop over a manifest's connectors, its answer printed with numbered
//! citations and their sources (or as JSON, or as it streams).

use std::process::ExitCode;
use std::sync::Arc;

use futures_util::StreamExt;
use serde::Serialize;

use cohere_connectors::Secret;
use cohere_connectors::chat::ChatResponse;
use cohere_connectors_migrate::oauth::UserBroker;
use cohere_connectors_migrate::tool_loop::{
    ChatAnswer, CitedSource, ConnectorChat, Conversation, LoopEvent, ResolvedCitation, ToolStep,
    UserTokenSource, UserTokens,
};
use cohere_connectors_migrate::{ConnectorTool, Manifest, Secrets, Toolbox};
use futures_util::future::BoxFuture;

use super::exit_after_printing;
use super::sign_in::local_oauth;
use crate::args::ChatArgs;
use crate::connection;
use crate::failure::{Failure, Outcome};
use crate::output::{self, Layout, Stdout, shown};
use crate::secrets;

/// What `--json` prints: the final response, its citations resolved, the steps.
#[derive(Serialize)]
struct Printed<'a> {
    response: &'a ChatResponse,
    citations: &'a [ResolvedCitation],
    steps: &'a [ToolStep],
}

pub async fn chat(args: ChatArgs) -> Outcome {
    let client = connection::client(&args.connection)?;
    let manifest = Manifest::read(&args.file).map_err(Failure::error)?;
    let secrets = Secrets::from_env();
    let toolbox = Toolbox::from_manifest(&manifest, &secrets).map_err(Failure::error)?;
    let oauth = local_oauth(&args.oauth, &manifest, &secrets, &toolbox).await?;
    let tokens = LocalTokens {
        named: user_tokens(&args.user_token_env)?,
        broker: oauth.map(|oauth| oauth.broker.for_user(oauth.user)),
    };
    let chat = ConnectorChat::new(client, args.model, toolbox).max_steps(args.max_steps);
    let conversation = Conversation::new().user(args.question);
    if args.stream {
        return streamed(&chat, conversation, tokens).await;
    }
    let answer = chat
        .run(conversation, &tokens)
        .await
        .map_err(Failure::error)?;
    let mut out = Stdout::new();
    if args.json {
        let printed = Printed {
            response: &answer.response,
            citations: &answer.citations,
            steps: &answer.steps,
        };
        return exit_after_printing(ExitCode::SUCCESS, out.json(&printed, Layout::Pretty));
    }
    answer.steps.iter().for_each(note_step);
    exit_after_printing(ExitCode::SUCCESS, print_answer(&mut out, &answer))
}

/// The local user's tokens: those `--user-token-env` names first, then the signed-in user's
/// from the token store, refreshed by the broker when a connector refuses one.
struct LocalTokens {
    named: UserTokens,
    broker: Option<UserBroker>,
}

impl UserTokenSource for LocalTokens {
    fn user_token<'a>(&'a self, tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async move {
            if self.named.has(tool.connector_id()) {
                return self.named.user_token(tool).await;
            }
            match &self.broker {
                Some(broker) => broker.user_token(tool).await,
                None => None,
            }
        })
    }

    fn refreshed<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async move {
            match &self.broker {
                Some(broker) if !self.named.has(tool.connector_id()) => {
                    broker.refreshed(tool, rejected).await
                }
                _ => None,
            }
        })
    }
}

/// The tokens `--user-token-env CONNECTOR=VAR` names, each read from its variable.
fn user_tokens(named: &[(String, String)]) -> Result<UserTokens, Failure> {
    let mut tokens = UserTokens::new();
    for (connector, var) in named {
        let what = format!("user token of {connector}");
        tokens.insert(connector.clone(), secrets::from_env(var, &what)?);
    }
    Ok(tokens)
}

async fn streamed(
    chat: &ConnectorChat,
    conversation: Conversation,
    tokens: LocalTokens,
) -> Outcome {
    let mut stream = chat.stream(conversation, Arc::new(tokens));
    let mut out = Stdout::new();
    while let Some(event) = stream.next().await {
        let printed = match event.map_err(Failure::error)? {
            LoopEvent::Model(event) => match event.text() {
                Some(text) => out
                    .own(keeping_lines(text).as_bytes())
                    .and_then(|()| out.flush()),
                None => Ok(()),
            },
            LoopEvent::Step(step) => {
                note_step(&step);
                Ok(())
            }
            LoopEvent::Answer(answer) => out
                .own(b"\n")
                .and_then(|()| print_sources(&mut out, &answer.citations)),
            _ => Ok(()),
        };
        if let Err(failure) = printed {
            return exit_after_printing(ExitCode::SUCCESS, Err(failure));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Each call of a step, on stderr: which tool, how many documents or what failed.
fn note_step(step: &ToolStep) {
    for call in &step.calls {
        let outcome = match &call.error {
            Some(error) => format!("failed: {error}"),
            None => format!("{} document(s)", call.documents.len()),
        };
        let searched = call.connector.as_deref().unwrap_or(&call.tool);
        output::note(
            None,
            &format!("searched {searched}: {outcome} in {} ms", call.elapsed_ms),
        );
    }
}

/// The answer, a `[n]` after each cited span, then the sources.
fn print_answer(out: &mut Stdout, answer: &ChatAnswer) -> Result<(), Failure> {
    out.lines(&numbered(&answer.text(), &answer.citations))?;
    print_sources(out, &answer.citations)
}

fn print_sources(out: &mut Stdout, citations: &[ResolvedCitation]) -> Result<(), Failure> {
    if citations.is_empty() {
        return Ok(());
    }
    out.line("")?;
    out.line("Sources:")?;
    for (number, citation) in citations.iter().enumerate() {
        out.line(&format!("[{}] \"{}\"", number + 1, citation.text))?;
        for source in &citation.sources {
            out.line(&format!("    {}", source_line(source)))?;
        }
    }
    Ok(())
}

/// `connector wiki, document 7 "Title" https://...`
fn source_line(source: &CitedSource) -> String {
    match source {
        CitedSource::Document(document) => {
            let mut line = format!("connector {}", document.connector);
            if let Some(id) = &document.document_id {
                line.push_str(&format!(", document {id}"));
            }
            if let Some(title) = &document.title {
                line.push_str(&format!(" \"{title}\""));
            }
            if let Some(url) = &document.url {
                line.push_str(&format!(" {url}"));
            }
            if let Some(chunk) = &document.chunk {
                line.push_str(&format!(" (part {} of {})", chunk.index + 1, chunk.count));
            }
            line
        }
        CitedSource::Other { id } => format!(
            "{} (not a connector's document)",
            id.as_deref().unwrap_or("(no id)")
        ),
        _ => "(a source of another kind)".to_owned(),
    }
}

/// `text` with `[n]` after the span of citation `n`. The spans are the server's figures in
/// code points: one past the text, or not on increasing ends, leaves its marker out.
fn numbered(text: &str, citations: &[ResolvedCitation]) -> String {
    let length = text.chars().count();
    let mut ends: Vec<(usize, usize)> = citations
        .iter()
        .enumerate()
        .filter_map(|(index, citation)| {
            let end = usize::try_from(citation.end)
                .ok()
                .filter(|end| *end <= length)?;
            Some((end, index + 1))
        })
        .collect();
    ends.sort_unstable();
    let mut marked = String::with_capacity(text.len() + ends.len() * 4);
    let mut next = ends.iter().peekable();
    for (at, c) in text.chars().enumerate() {
        while let Some((_, number)) = next.next_if(|(end, _)| *end == at) {
            marked.push_str(&format!("[{number}]"));
        }
        marked.push(c);
    }
    for (_, number) in next {
        marked.push_str(&format!("[{number}]"));
    }
    marked
}

/// Streamed text as a terminal may show it, its line breaks kept.
fn keeping_lines(text: &str) -> String {
    text.split('\n').map(shown).collect::<Vec<_>>().join("\n")
}
