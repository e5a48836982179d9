//! The streamed turn: the model's events passed on as they come, the tools run between
//! responses, the answer last.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;

use super::answer::LoopEvent;
use super::chat::LoopStream;
use super::error::LoopError;
use super::tokens::UserTokenSource;
use super::turn::{Next, Turn};
use cohere_connectors::chat::ChatStream;

/// Where a streamed turn is.
enum Phase {
    /// The next request is to be sent.
    Ask,
    /// A model response is streaming.
    Streaming(Box<ChatStream>),
    /// Over: the answer or an error was the last item.
    Over,
}

struct Streamed {
    turn: Turn,
    tokens: Arc<dyn UserTokenSource>,
    phase: Phase,
}

pub(crate) fn stream_turn(turn: Turn, tokens: Arc<dyn UserTokenSource>) -> LoopStream {
    let state = Streamed {
        turn,
        tokens,
        phase: Phase::Ask,
    };
    stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
    .boxed()
}

impl Streamed {
    async fn next(&mut self) -> Option<Result<LoopEvent, LoopError>> {
        let result = self.advance().await;
        if matches!(result, Some(Err(_)) | Some(Ok(LoopEvent::Answer(_)))) {
            self.phase = Phase::Over;
        }
        result
    }

    async fn advance(&mut self) -> Option<Result<LoopEvent, LoopError>> {
        loop {
            match &mut self.phase {
                Phase::Over => return None,
                Phase::Ask => match self.turn.request().stream().await {
                    Ok(stream) => self.phase = Phase::Streaming(Box::new(stream)),
                    Err(error) => return Some(Err(error.into())),
                },
                Phase::Streaming(stream) => {
                    if let Some(event) = stream.next().await {
                        return Some(event.map(LoopEvent::Model).map_err(LoopError::from));
                    }
                    let Phase::Streaming(stream) = std::mem::replace(&mut self.phase, Phase::Ask)
                    else {
                        return None;
                    };
                    return Some(self.respond(*stream).await);
                }
            }
        }
    }

    /// The stream ended: its response taken, as the called loop takes it.
    async fn respond(&mut self, stream: ChatStream) -> Result<LoopEvent, LoopError> {
        let response = stream.response().await?;
        match self.turn.take(response, self.tokens.as_ref()).await? {
            Next::Answer(answer) => Ok(LoopEvent::Answer(answer)),
            Next::Step(step) => Ok(LoopEvent::Step(step)),
        }
    }
}
