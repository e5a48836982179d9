//! Walking a whole account: pages fetched one after another by offset, as a stream.
//!
//! One page is in memory at a time, so walking a large account takes constant memory. The
//! walk stops at a short page or when `total_count` is reached, and ends with an error rather
//! than looping or yielding duplicates when the server misbehaves.

use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;

use crate::connectors::{ListConnectors, MAX_PAGE_SIZE, check_page_size};
use crate::{Client, Connector, ConnectorPage, Error, Operation, Result};

impl ListConnectors {
    /// Every connector from `offset` on, page after page of `limit` (default 100), as a stream.
    /// The stream owns a clone of the client: return it, store it, or move it into a task.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: cohere_connectors::Client) -> cohere_connectors::Result<()> {
    /// let mut connectors = client.connectors().list().limit(100).stream();
    /// while let Some(connector) = connectors.try_next().await? {
    ///     println!("{}", connector.id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// An error (after retries) ends the stream, after the connectors of the pages before it.
    pub fn stream(self) -> ConnectorStream {
        ConnectorStream {
            pages: self.pages(),
            current: Vec::new().into_iter(),
        }
    }

    /// Like [`stream`](Self::stream), but one item per page, for callers that care where
    /// pages begin and end.
    pub fn pages(self) -> Pages {
        let walker = Walker {
            client: self.client,
            page_size: self.limit.unwrap_or(MAX_PAGE_SIZE),
            next_offset: self.offset.unwrap_or(0),
            previous_ids: PageIds::default(),
            first: true,
            done: false,
        };
        Pages {
            inner: Box::pin(futures_util::stream::unfold(
                walker,
                |mut walker| async move {
                    let item = walker.next_page().await?;
                    Some((item, walker))
                },
            )),
        }
    }
}

/// The pages of a listing; see [`ListConnectors::pages`].
pub struct Pages {
    inner: BoxStream<'static, Result<ConnectorPage>>,
}

impl Stream for Pages {
    type Item = Result<ConnectorPage>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

/// The connectors of a listing, one by one; see [`ListConnectors::stream`].
pub struct ConnectorStream {
    pages: Pages,
    current: std::vec::IntoIter<Connector>,
}

impl Stream for ConnectorStream {
    type Item = Result<Connector>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(connector) = self.current.next() {
                return Poll::Ready(Some(Ok(connector)));
            }
            match Pin::new(&mut self.pages).poll_next(cx) {
                Poll::Ready(Some(Ok(page))) => self.current = page.connectors.into_iter(),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl std::fmt::Debug for ConnectorStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorStream")
            .field("buffered", &self.current.len())
            .finish_non_exhaustive()
    }
}

/// The state of a walk between pages.
struct Walker {
    client: Client,
    page_size: u32,
    next_offset: u64,
    /// The ids of the last page: enough to drop the overlap a concurrent create causes and to
    /// notice a server that ignores `offset`, without memory growing with the account.
    previous_ids: PageIds,
    first: bool,
    done: bool,
}

impl Walker {
    async fn next_page(&mut self) -> Option<Result<ConnectorPage>> {
        if self.done {
            return None;
        }
        let outcome = self.fetch_and_check().await;
        let first = std::mem::replace(&mut self.first, false);
        match outcome {
            // The first page is yielded even when empty (it carries `total_count`); a later
            // empty page only marks the end.
            Ok(page) if page.connectors.is_empty() && !first => None,
            Ok(page) => Some(Ok(page)),
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }

    async fn fetch_and_check(&mut self) -> Result<ConnectorPage> {
        let operation = Operation::ListConnectors;
        check_page_size(operation, self.page_size)?;
        if self.page_size == 0 {
            return Err(Error::invalid(
                operation,
                "a stream needs a page size (limit) of at least 1",
            ));
        }
        let offset = self.next_offset;
        let mut page = self
            .client
            .connectors()
            .list()
            .limit(self.page_size)
            .offset(offset)
            .send()
            .await?;

        let returned = page.connectors.len();
        if returned > self.page_size as usize {
            return Err(protocol(format!(
                "the server returned {returned} connectors for a page of at most {} (offset {offset})",
                self.page_size
            )));
        }
        let ids = PageIds::of(&page.connectors);
        if ids.has_duplicates() {
            // A server that lists a connector twice in one page: keep its first appearance.
            let mut seen = std::collections::HashSet::new();
            page.connectors
                .retain(|connector| seen.insert(connector.id.clone()));
        }
        let previous = &self.previous_ids;
        page.connectors
            .retain(|connector| !previous.contains(&connector.id));
        if returned > 0 && page.connectors.is_empty() {
            return Err(protocol(format!(
                "the page at offset {offset} repeats the previous one: the server seems to ignore the offset"
            )));
        }
        self.previous_ids = ids;
        self.next_offset = offset + returned as u64;
        let short = returned < self.page_size as usize;
        let counted_out = page
            .total_count
            .is_some_and(|total| self.next_offset >= total);
        self.done = short || counted_out;
        Ok(page)
    }
}

/// The ids of one page, for exact membership tests without an allocation per id: their text
/// in one buffer, indexed by a hash kept sorted. Hash hits are confirmed byte for byte.
#[derive(Default)]
struct PageIds {
    text: String,
    index: Vec<(u64, Range<usize>)>,
}

impl PageIds {
    fn of(connectors: &[Connector]) -> Self {
        let mut ids = Self {
            text: String::with_capacity(connectors.iter().map(|c| c.id.len()).sum()),
            index: Vec::with_capacity(connectors.len()),
        };
        for connector in connectors {
            let start = ids.text.len();
            ids.text.push_str(&connector.id);
            ids.index
                .push((fnv1a(connector.id.as_bytes()), start..ids.text.len()));
        }
        ids.index.sort_unstable_by_key(|(hash, _)| *hash);
        ids
    }

    fn contains(&self, id: &str) -> bool {
        let hash = fnv1a(id.as_bytes());
        let first = self.index.partition_point(|(other, _)| *other < hash);
        self.index[first..]
            .iter()
            .take_while(|(other, _)| *other == hash)
            .any(|(_, range)| &self.text[range.clone()] == id)
    }

    /// Whether an id appears twice (equal ids have equal hashes, so they sit side by side).
    fn has_duplicates(&self) -> bool {
        self.index.windows(2).any(|pair| {
            pair[0].0 == pair[1].0 && self.text[pair[0].1.clone()] == self.text[pair[1].1.clone()]
        })
    }
}

/// FNV-1a: fast on short ids. Collisions only cost a byte comparison, so a non-cryptographic
/// hash is enough (and a page holds at most 100 ids, so nothing here can be made slow).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn protocol(message: String) -> Error {
    Error::Protocol {
        operation: Operation::ListConnectors,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connectors(ids: &[&str]) -> Vec<Connector> {
        ids.iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({
                    "id": id, "name": "n",
                    "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
                }))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn page_ids_answer_membership_exactly() {
        let ids = PageIds::of(&connectors(&["a", "bb", "c-3", ""]));
        for present in ["a", "bb", "c-3", ""] {
            assert!(ids.contains(present), "{present:?}");
        }
        for absent in ["b", "c", "aa", "c-33"] {
            assert!(!ids.contains(absent), "{absent:?}");
        }
        assert!(!ids.has_duplicates());
        assert!(PageIds::of(&connectors(&["x", "y", "x"])).has_duplicates());
        assert!(!PageIds::default().contains("x"));
    }
}
