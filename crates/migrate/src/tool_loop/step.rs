//! One tool step's calls, run concurrently: each bounded by its connector's deadline (the
//! user's token fetched, the search, a refreshed token's second try, all within it).

use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::tokens::UserTokenSource;
use crate::toolbox::FoundDocument;
use crate::{ConnectorTool, ToolCall, ToolError, Toolbox};
use cohere_connectors::Secret;
use cohere_connectors::text::one_line;
use cohere_connectors_kit::SearchError;

/// How one call went.
pub(crate) struct Outcome<'a> {
    /// The tool called, when the toolbox has it.
    pub tool: Option<&'a ConnectorTool>,
    /// The user's token the call was made with (last), to scrub it from what the model is told.
    pub token: Option<Secret>,
    pub result: Result<Vec<FoundDocument>, ToolError>,
    pub elapsed: Duration,
}

/// Runs every call at once; the outcomes in the calls' order.
pub(crate) async fn run<'a>(
    toolbox: &'a Toolbox,
    calls: &[ToolCall],
    tokens: &dyn UserTokenSource,
) -> Vec<Outcome<'a>> {
    join_all(calls.iter().map(|call| run_one(toolbox, call, tokens))).await
}

async fn run_one<'a>(
    toolbox: &'a Toolbox,
    call: &ToolCall,
    tokens: &dyn UserTokenSource,
) -> Outcome<'a> {
    let started = Instant::now();
    let called = call.name().unwrap_or_default();
    let Some(tool) = toolbox.get(called) else {
        return Outcome {
            tool: None,
            token: None,
            result: Err(ToolError::UnknownTool {
                called: one_line(called, 80),
            }),
            elapsed: started.elapsed(),
        };
    };
    let mut token = None;
    let deadline = tool.deadline();
    let result = tokio::time::timeout(deadline, search(tool, call, tokens, &mut token))
        .await
        .unwrap_or(Err(ToolError::Search(SearchError::Timeout {
            after: deadline,
        })));
    Outcome {
        tool: Some(tool),
        token,
        result,
        elapsed: started.elapsed(),
    }
}

/// The call's documents: with the user's token for an OAuth connector, and once more with a
/// refreshed one when the connector refuses it.
async fn search(
    tool: &ConnectorTool,
    call: &ToolCall,
    tokens: &dyn UserTokenSource,
    token: &mut Option<Secret>,
) -> Result<Vec<FoundDocument>, ToolError> {
    if tool.needs_user_token() {
        *token = tokens.user_token(tool).await;
    }
    let first = tool.documents(call, token.as_ref()).await;
    let refused = matches!(
        first,
        Err(ToolError::Search(SearchError::Unauthorized { .. }))
    );
    let Some(rejected) = token.as_ref().filter(|_| refused) else {
        return first;
    };
    match tokens.refreshed(tool, rejected).await {
        Some(fresh) => {
            let again = tool.documents(call, Some(&fresh)).await;
            *token = Some(fresh);
            again
        }
        None => first,
    }
}
