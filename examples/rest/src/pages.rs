//! Pages: which a task reads, and reading them one at a time as Spark pulls batches.

use std::collections::VecDeque;
use std::sync::Arc;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::arrow_schema::SchemaRef;
use datasource_py::datetime::SessionZone;
use datasource_py::json::JsonDecoder;
use datasource_py::prelude::*;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::client::{Client, Request};
use crate::{Pagination, Rest};

/// After this many pages in a row fail (with `failOnError` off), a series is abandoned: the API
/// is down, not one page broken.
const FAILED_PAGES_IN_A_ROW: u32 = 3;

/// One task's share: its keys (each a series of pages; none: the URL as it is), and of each
/// series the pages `first`, `first + step`, ... (counted from 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// The keys put into the URL's `{key}`, one series of pages each; empty: the URL as given.
    pub keys: Vec<String>,
    /// The first page of each series this task reads.
    pub first: u64,
    /// From one page the task reads to its next: 1 for whole series, the number of tasks
    /// when the pages of one series are split among them.
    pub step: u64,
}

/// The shares of `partitions` tasks: the keys split among them (in order, as evenly as
/// possible), or, without keys, every n-th page each (only numbered pages can be split).
pub fn shares(keys: Option<&[String]>, partitions: u32, pagination: Pagination) -> Vec<Share> {
    match keys {
        Some(keys) => {
            let tasks = (partitions as usize).min(keys.len()).max(1);
            (0..tasks)
                .map(|task| Share {
                    keys: keys[task * keys.len() / tasks..(task + 1) * keys.len() / tasks].to_vec(),
                    first: 0,
                    step: 1,
                })
                .filter(|share| !share.keys.is_empty())
                .collect()
        }
        None => {
            let tasks = match pagination {
                Pagination::Page | Pagination::Offset => u64::from(partitions),
                Pagination::None | Pagination::Cursor => 1,
            };
            (0..tasks)
                .map(|first| Share {
                    keys: Vec::new(),
                    first,
                    step: tasks,
                })
                .collect()
        }
    }
}

/// The batches of one task: pages fetched one by one, only when Spark asks for more rows.
pub fn read(
    source: Arc<Rest>,
    client: Client,
    schema: SchemaRef,
    zone: SessionZone,
    task: u32,
    share: Share,
    limit: Option<u64>,
) -> Batches {
    let keys: VecDeque<Option<String>> = if share.keys.is_empty() {
        VecDeque::from([None])
    } else {
        share.keys.iter().cloned().map(Some).collect()
    };
    let reader = PageReader {
        source,
        client,
        schema,
        zone,
        task,
        first: share.first,
        step: share.step,
        keys,
        series: None,
        skipped: 0,
        done: false,
        remaining: limit,
    };
    Batches::from_record_batches(reader)
}

/// Where a series of pages is.
struct Series {
    url: String,
    /// The next page's number in the series (from 0).
    page: u64,
    cursor: Option<String>,
    failed_in_a_row: u32,
}

struct PageReader {
    source: Arc<Rest>,
    client: Client,
    schema: SchemaRef,
    /// The session's zone: zone-less timestamps in the records are read in it.
    zone: SessionZone,
    task: u32,
    first: u64,
    step: u64,
    keys: VecDeque<Option<String>>,
    series: Option<Series>,
    skipped: u64,
    done: bool,
    /// Under a LIMIT Spark pushed, the rows this task may still give: at 0 it fetches no more
    /// pages.
    remaining: Option<u64>,
}

/// What fetching one page gave.
enum Page {
    /// Its records, and whether the series goes on.
    Read(RecordBatch, bool),
    /// It failed and was skipped (`failOnError` off); whether the series goes on.
    Skipped(bool),
}

impl PageReader {
    /// The request of the series' next page.
    fn request(&self, series: &Series) -> Request {
        let source = &self.source;
        let size = source.page_size.to_string();
        let query = match source.pagination {
            Pagination::None => Vec::new(),
            Pagination::Page => vec![
                (
                    source.page_param.clone(),
                    (source.first_page + series.page).to_string(),
                ),
                (source.size_param.clone(), size),
            ],
            Pagination::Offset => vec![
                (
                    source.offset_param.clone(),
                    (series.page * u64::from(source.page_size)).to_string(),
                ),
                (source.limit_param.clone(), size),
            ],
            Pagination::Cursor => {
                let mut query = vec![(source.size_param.clone(), size)];
                if let Some(cursor) = &series.cursor {
                    query.push((source.cursor_param.clone(), cursor.clone()));
                }
                query
            }
        };
        Request {
            url: series.url.clone(),
            query,
        }
    }

    /// Fetches the series' next page and decodes its records.
    fn fetch(&self, series: &mut Series) -> Result<(RecordBatch, bool)> {
        let request = self.request(series);
        let body = self.client.get_json(&request)?;
        let source = &self.source;
        let records = match source.records_path.as_str() {
            "" => Some(&body),
            path => body.pointer(path),
        };
        let Some(serde_json::Value::Array(records)) = records else {
            bail!(
                "{request}: the response has no array of records at `{}` (see `recordsPath`)",
                if source.records_path.is_empty() {
                    "/"
                } else {
                    &source.records_path
                }
            );
        };
        let misfit = || format!("{request}: its records do not fit the columns");
        // Each record as Spark's JSON reader reads it.
        let mut decoder = JsonDecoder::new(self.schema.clone())?.with_session_zone(self.zone);
        decoder.decode_serialized(records).with_context(misfit)?;
        let batch = decoder
            .flush()
            .with_context(misfit)?
            .unwrap_or_else(|| RecordBatch::new_empty(self.schema.clone()));
        log::debug!("rest: {request}: {} records", batch.num_rows());
        let goes_on = match source.pagination {
            Pagination::None => false,
            Pagination::Page | Pagination::Offset => records.len() >= source.page_size as usize,
            Pagination::Cursor => {
                let next = body
                    .pointer(&source.cursor_path)
                    .and_then(|cursor| match cursor {
                        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
                        serde_json::Value::Number(number) => Some(number.to_string()),
                        _ => None,
                    });
                let goes_on = next.is_some();
                series.cursor = next;
                goes_on
            }
        };
        Ok((batch, goes_on))
    }

    /// The next page of the current series (starting the next series when it ended); `None`
    /// when every series has ended.
    fn next_page(&mut self) -> Option<Result<Page>> {
        let mut series = match self.series.take() {
            Some(series) => series,
            None => {
                let key = self.keys.pop_front()?;
                let url = match key {
                    Some(key) => self.source.url.replace("{key}", &percent_encode(&key)),
                    None => self.source.url.clone(),
                };
                Series {
                    url,
                    page: self.first,
                    cursor: None,
                    failed_in_a_row: 0,
                }
            }
        };
        let outcome = self.fetch(&mut series);
        let numbered = matches!(
            self.source.pagination,
            Pagination::Page | Pagination::Offset
        );
        let page = match outcome {
            Ok((batch, goes_on)) => {
                series.failed_in_a_row = 0;
                Page::Read(batch, goes_on)
            }
            Err(error) if self.source.fail_on_error => return Some(Err(error)),
            Err(error) => {
                self.skipped += 1;
                series.failed_in_a_row += 1;
                // A numbered series goes on past a broken page; a cursor's cannot.
                let goes_on = numbered && series.failed_in_a_row < FAILED_PAGES_IN_A_ROW;
                log::warn!(
                    "rest: skipped a page (failOnError is false){}: {error:#}",
                    if goes_on {
                        ""
                    } else {
                        "; this series ends here"
                    }
                );
                Page::Skipped(goes_on)
            }
        };
        let goes_on = match &page {
            Page::Read(_, goes_on) | Page::Skipped(goes_on) => *goes_on,
        };
        series.page += self.step;
        let read = (series.page - self.first) / self.step;
        if goes_on && read < self.source.max_pages {
            self.series = Some(series);
        } else if goes_on {
            log::warn!(
                "rest: stopped after maxPages ({}) pages of {}",
                self.source.max_pages,
                series.url
            );
        }
        Some(Ok(page))
    }
}

impl PageReader {
    /// `batch`, cut to the rows the LIMIT leaves; the task ends when none are left.
    fn within_limit(&mut self, batch: RecordBatch) -> RecordBatch {
        let Some(remaining) = self.remaining.as_mut() else {
            return batch;
        };
        let rows = (batch.num_rows() as u64).min(*remaining);
        *remaining -= rows;
        if *remaining == 0 {
            log::debug!(
                "rest: task {} has the rows of its LIMIT: no more pages",
                self.task
            );
            self.done = true;
        }
        batch.slice(0, rows as usize)
    }
}

impl Iterator for PageReader {
    type Item = Result<RecordBatch>;

    /// The next page with records, as one batch: a request costs far more than Spark's
    /// overhead per batch, so pages are not gathered into larger batches, and a page is only
    /// fetched when Spark wants more rows.
    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.next_page() {
                None => {
                    self.done = true;
                    if self.skipped > 0 {
                        log::warn!(
                            "rest: task {} skipped {} pages that could not be read",
                            self.task,
                            self.skipped
                        );
                    }
                }
                Some(Err(error)) => {
                    self.done = true;
                    return Some(Err(error));
                }
                Some(Ok(Page::Skipped(_))) => {}
                Some(Ok(Page::Read(batch, _))) if batch.num_rows() == 0 => {}
                Some(Ok(Page::Read(batch, _))) => return Some(Ok(self.within_limit(batch))),
            }
        }
        None
    }
}

/// Everything but RFC 3986's unreserved characters.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A key as one path segment (or query value): everything but unreserved characters
/// percent-encoded. Keys that would be a dot segment (`.`, `..`) are refused by `Rest::check`.
pub(crate) fn percent_encode(key: &str) -> String {
    utf8_percent_encode(key, NOT_UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_split_in_order_and_pages_by_stride() {
        let keys: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let split = shares(Some(&keys), 2, Pagination::Page);
        assert_eq!(split[0].keys, ["a", "b"]);
        assert_eq!(split[1].keys, ["c", "d", "e"]);
        assert_eq!(shares(Some(&keys), 9, Pagination::None).len(), 5);
        let strided = shares(None, 3, Pagination::Offset);
        assert_eq!(
            strided
                .iter()
                .map(|s| (s.first, s.step))
                .collect::<Vec<_>>(),
            [(0, 3), (1, 3), (2, 3)]
        );
        assert_eq!(shares(None, 3, Pagination::Cursor).len(), 1);
    }

    #[test]
    fn keys_become_one_path_segment() {
        let cases = [
            ("a b/c?d", "a%20b%2Fc%3Fd"),
            ("ü", "%C3%BC"),
            ("a&b=c#d", "a%26b%3Dc%23d"),
            ("%2e%2e", "%252e%252e"),
            ("..\\x", "..%5Cx"),
            ("a+b", "a%2Bb"),
            ("\0\n", "%00%0A"),
        ];
        for (key, encoded) in cases {
            assert_eq!(percent_encode(key), encoded, "{key:?}");
        }
    }
}
