//! Walking a whole account: pages fetched one after another by offset, as a stream.
//!
//! One page is in memory at a time, plus each id already yielded (its bytes and about 30 more),
//! so that no connector is ever yielded twice and none is ever taken for another. The walk
//! stops at a short page or when `total_count` is reached, and ends with an error rather than
//! looping or returning part of the account when the server misbehaves: pages that repeat,
//! cycle or overflow the offset, or that end short of the `total_count` the server reports.

use std::collections::HashSet;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;

use super::connectors::{ListConnectors, MAX_PAGE_SIZE, check_page_size};
use super::options::RequestOptions;
use crate::{Client, Connector, ConnectorPage, Error, Operation, Result};

impl ListConnectors {
    /// Every connector from `offset` on, page after page of `limit` (default 100), as a stream.
    /// The stream owns a clone of the client: return it, store it, or move it into a task.
    ///
    /// ```
    /// use futures_util::TryStreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(150).start().await.unwrap();
    /// # let client = emulator.client()?;
    /// let mut connectors = client.connectors().list().limit(100).stream();
    /// let mut ids = Vec::new();
    /// while let Some(connector) = connectors.try_next().await? {
    ///     ids.push(connector.id);
    /// }
    /// assert_eq!(ids.len(), 150);
    /// # Ok(()) }
    /// ```
    ///
    /// An error (after retries) ends the stream, after the connectors of the pages before it.
    /// So does a walk whose pages end before the `total_count` the server reports: a short
    /// page at offset 150 of 250 is an [`Error::Protocol`] ("ended after 150 of 250
    /// connectors"), never a smaller account. The latest `total_count` counts (connectors
    /// deleted during the walk make it shrink on later pages); a server that sends none
    /// leaves the total unknown, and a short page ends the walk.
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
            options: self.options,
            page_size: self.limit.unwrap_or(MAX_PAGE_SIZE),
            next_offset: self.offset.unwrap_or(0),
            total: None,
            seen: SeenIds::default(),
            stale_pages: 0,
            pending: None,
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

/// The pages of a listing; see [`ListConnectors::pages`]. The first page is yielded even when
/// empty (it carries `total_count`).
///
/// ```
/// use futures_util::TryStreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(5).start().await.unwrap();
/// # let client = emulator.client()?;
/// let sizes: Vec<usize> = client
///     .connectors()
///     .list()
///     .limit(2)
///     .pages()
///     .map_ok(|page| page.connectors.len())
///     .try_collect()
///     .await?;
/// assert_eq!(sizes, [2, 2, 1]);
/// # Ok(()) }
/// ```
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

/// The connectors of a listing, one by one; see [`ListConnectors::stream`]. It owns a clone
/// of the client, so it can be returned, stored or moved into a task.
///
/// ```
/// use cohere_connectors::ConnectorStream;
/// use futures_util::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(30).start().await.unwrap();
/// # let client = emulator.client()?;
/// fn everything(client: &cohere_connectors::Client) -> ConnectorStream {
///     client.connectors().list().limit(10).stream()
/// }
/// let names = tokio::spawn(everything(&client).map(|c| c.map(|c| c.name)).collect::<Vec<_>>())
///     .await
///     .unwrap();
/// assert_eq!(names.len(), 30);
/// # Ok(()) }
/// ```
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

/// How many pages in a row may bring nothing new before the walk ends with an error. A page
/// made only of connectors already yielded is legitimate once in a while (connectors created
/// during the walk push older ones onto the next page); page after page of them is a server
/// that ignores the offset or cycles.
const MAX_STALE_PAGES: u32 = 2;

/// The state of a walk between pages.
struct Walker {
    client: Client,
    /// The settings of each page's call.
    options: RequestOptions,
    page_size: u32,
    next_offset: u64,
    /// The latest `total_count` the server reported: where the walk must get to.
    total: Option<u64>,
    /// Every id yielded so far, so that none is yielded twice whatever the server sends.
    seen: SeenIds,
    /// Pages in a row that brought nothing new.
    stale_pages: u32,
    /// An error to end the walk with after the page that led to it.
    pending: Option<Error>,
    first: bool,
    done: bool,
}

impl Walker {
    async fn next_page(&mut self) -> Option<Result<ConnectorPage>> {
        loop {
            if let Some(error) = self.pending.take() {
                return Some(Err(error));
            }
            if self.done {
                return None;
            }
            let first = std::mem::replace(&mut self.first, false);
            match self.fetch_and_check().await {
                // The first page is yielded even when empty (it carries `total_count`); a
                // later one that is empty only marks the end, or (all duplicates) is skipped.
                Ok(page) if page.connectors.is_empty() && !first => continue,
                Ok(page) => return Some(Ok(page)),
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
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
            .options(self.options.clone())
            .send()
            .await?;

        let returned = page.connectors.len();
        let page_size = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        if returned > page_size {
            return Err(protocol(format!(
                "the server returned {returned} connectors for a page of at most {page_size} (offset {offset})"
            )));
        }
        let seen = &mut self.seen;
        page.connectors
            .retain(|connector| seen.insert(&connector.id));
        if returned > 0 && page.connectors.is_empty() {
            self.stale_pages = self.stale_pages.saturating_add(1);
            if self.stale_pages > MAX_STALE_PAGES {
                return Err(protocol(format!(
                    "the server keeps listing connectors it already listed ({} pages in a row with nothing new, up to offset {offset}): it seems to ignore the offset or to cycle",
                    self.stale_pages
                )));
            }
        } else {
            self.stale_pages = 0;
        }
        // `returned` is at most 100, so it fits; the sum may not, near `u64::MAX`.
        let returned = u64::try_from(returned).unwrap_or(u64::MAX);
        let short = returned < u64::from(self.page_size);
        match offset.checked_add(returned) {
            Some(next) => self.next_offset = next,
            None if short => {}
            None => {
                self.pending = Some(protocol(format!(
                    "the next page would start past offset {}: the server lists more connectors than an offset can count",
                    u64::MAX
                )));
            }
        }
        self.total = page.total_count.or(self.total);
        let counted_out = self.total.is_some_and(|total| self.next_offset >= total);
        if let Some(total) = self.total.filter(|_| short && !counted_out)
            && self.pending.is_none()
        {
            self.pending = Some(ended_short(self.next_offset, total));
        }
        self.done = short || counted_out || self.pending.is_some();
        Ok(page)
    }
}

/// The ids a walk has yielded, kept whole. A set of hashes would be smaller, but two ids
/// whose hashes collide would make the second connector vanish from the walk without a word;
/// the ids themselves cost their bytes and about 30 more each (for 100,000 connectors, a few
/// MiB: see the README's "Limits"), and are exact. The set's hasher is keyed at random for
/// each walk (std's `RandomState`), so a server cannot choose ids that make it slow.
#[derive(Default)]
struct SeenIds(HashSet<Box<str>>);

impl SeenIds {
    /// Records `id`; whether it is new.
    fn insert(&mut self, id: &str) -> bool {
        // A repeat costs one allocation for nothing; repeats are rare, and this hashes once.
        self.0.insert(id.into())
    }
}

/// A walk whose pages ended at `listed` of the `total` connectors the server counts.
fn ended_short(listed: u64, total: u64) -> Error {
    protocol(format!(
        "the listing ended after {listed} of {total} connectors: a page came back short of the \
         total_count the server reports, so this is not the whole account"
    ))
}

fn protocol(message: String) -> Error {
    Error::protocol(Operation::ListConnectors, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_answer_exactly_for_distinct_ids() {
        let mut seen = SeenIds::default();
        for id in ["a", "bb", "c-3", ""] {
            assert!(seen.insert(id), "{id:?}");
        }
        for id in ["a", "bb", "c-3", ""] {
            assert!(!seen.insert(id), "{id:?}");
        }
        assert!(seen.insert("b"));
    }

    /// Distinct ids are never taken for one another, however many: the set compares the ids
    /// themselves, not a digest of them.
    #[test]
    fn many_distinct_ids_are_all_new() {
        let mut seen = SeenIds::default();
        assert!((0..200_000u32).all(|i| seen.insert(&format!("c-{i}"))));
        assert!((0..200_000u32).all(|i| !seen.insert(&format!("c-{i}"))));
    }
}
