//! [`SimpleStreamReader`]: the streaming-read capability without partitions, read on the
//! driver in one piece per micro-batch.

use std::sync::Arc;

use crate::Result;
use crate::batches::Batches;
use crate::capability::stream_read::Offset;
use crate::source::SourceSchema;

/// The streaming-read capability without partitions: a source read on the driver, in one
/// piece per micro-batch (`SimpleDataSourceStreamReader`), for sources that only know how to
/// read "what is new since here": a REST API paged by a cursor, a queue.
///
/// [`read`](SimpleStreamReader::read) runs on the driver once per trigger and returns the new
/// batches with the offset after them; Spark caches them for the micro-batch. After a restart,
/// a batch whose data is gone from the cache is read again on an executor with
/// [`read_between`](SimpleStreamReader::read_between), which must give exactly the same rows.
/// Prefer [`StreamReader`](crate::StreamReader) when the data can be split: its reads run in parallel.
///
/// Spark checks the batches it prefetched against the schema, column comments included, which
/// Arrow batches cannot carry: a source with this capability gives Spark its schema without
/// comments.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by Spark streaming: it does not implement `SimpleStreamReader`",
    note = "`impl SimpleStreamReader for {Self}` with `initial_offset`, `read` and `read_between`"
)]
pub trait SimpleStreamReader: SourceSchema {
    /// Where the stream is (see [`Offset`]).
    type Offset: Offset;

    /// Where a query with no checkpoint starts, on the driver.
    fn initial_offset(&self) -> Result<Self::Offset>;

    /// What is new from `start`, and the offset after it (`start`, with no rows, when nothing
    /// is new), on the driver.
    ///
    /// Under `trigger(availableNow=True)` (PySpark 4.2+), `until` is where the query stops:
    /// what [`latest_offset`](SimpleStreamReader::latest_offset) gave at its first trigger; the
    /// result must not go past it, and reaching it ends the query. Otherwise `None`.
    fn read(
        &self,
        start: &Self::Offset,
        until: Option<&Self::Offset>,
    ) -> Result<(Batches, Self::Offset)>;

    /// The end of everything available from `start` now, on the driver: where a
    /// `trigger(availableNow=True)` query that starts at `start` stops. By default, where one
    /// `read(start)` ends (what Spark does for a source that cannot tell, its rows unread): a
    /// source that reads a bounded amount per trigger overrides it to say where all of it
    /// ends.
    fn latest_offset(&self, start: &Self::Offset) -> Result<Self::Offset> {
        Ok(self.read(start, None)?.1)
    }

    /// Exactly the rows `read(start)` returned when it ended at `end`, on an executor.
    fn read_between(self: Arc<Self>, start: &Self::Offset, end: &Self::Offset) -> Result<Batches>;

    /// Everything up to `end` has been processed, on the driver.
    fn commit(&self, end: &Self::Offset) -> Result<()> {
        let _ = end;
        Ok(())
    }
}
