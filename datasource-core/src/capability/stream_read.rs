//! [`StreamReader`]: the streaming-read capability with partitions, a source read micro-batch
//! by micro-batch between [`Offset`]s that Spark keeps in its checkpoint, as much per batch as a
//! [`ReadLimit`] allows.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::batches::Batches;
use crate::scan::Scan;
use crate::source::SourceSchema;
use crate::task::Task;

/// Where a stream is: any serde type whose JSON Spark stores in its checkpoint and compares as
/// text. The SDK writes it canonically (object keys sorted at every depth, so a map's order
/// cannot change it; a value that is not a JSON object is wrapped as `{"offset": ...}`), so one
/// position always has one text.
pub trait Offset: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static> Offset for T {}

/// How much one micro-batch may take: Spark's admission control (`ReadLimit` in
/// `pyspark.sql.streaming.datasource`). A source declares its own with
/// [`StreamReader::default_read_limit`] (from an option such as `maxRowsPerTrigger`); Spark then
/// passes either that limit or [`ReadLimit::AllAvailable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReadLimit {
    /// Everything available.
    #[default]
    AllAvailable,
    /// At most this many rows.
    MaxRows(u64),
    /// At least this many rows: with fewer available, no new batch yet.
    MinRows(u64),
    /// At most this many files.
    MaxFiles(u64),
    /// At most this many bytes.
    MaxBytes(u64),
}

/// The streaming-read capability with partitions: `spark.readStream.format(...).load()`.
///
/// One source instance on the driver plans the whole query, for as long as it runs: where a
/// new query starts ([`initial_offset`](StreamReader::initial_offset)), where each micro-batch
/// ends ([`latest_offset`](StreamReader::latest_offset), once per trigger), and the partitions
/// between two offsets ([`partitions`](StreamReader::partitions)). Executors
/// [`read`](StreamReader::read) each partition on another instance built from the same
/// options, which never saw an offset: a partition must carry everything its read needs. When
/// Spark has processed a batch it calls [`commit`](StreamReader::commit); when the query ends,
/// [`stop`](StreamReader::stop).
///
/// Spark stores each batch's end offset before the batch runs, and after a crash replays the
/// batch from its stored start and end: `partitions(start, end)` must give the same rows for
/// the same two offsets, and a restarted query then loses and duplicates nothing.
///
/// # Errors
/// An error or panic in any method fails the query with the source's name and the error chain.
/// An offset that does not decode (an edited checkpoint, an offset of an older version of the
/// source) is an error that quotes it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by Spark streaming: it does not implement `StreamReader`",
    note = "`impl StreamReader for {Self}` with `initial_offset`, `latest_offset`, `partitions` \
            and `read`"
)]
pub trait StreamReader: SourceSchema {
    /// Where the stream is (see [`Offset`]).
    type Offset: Offset;
    /// What one partition is: any serde type (it travels to its task as JSON).
    type Partition: Serialize + DeserializeOwned;

    /// Where a query with no checkpoint starts, on the driver.
    fn initial_offset(&self) -> Result<Self::Offset>;

    /// Where the next micro-batch ends, on the driver, once per trigger: from `start` (where
    /// the last one ended), as far as `limit` allows; `start` itself when nothing is new.
    ///
    /// Under [`ReadLimit::AllAvailable`] the end must not depend on `start`: it is the end of
    /// everything available. (PySpark 4.0 asks for the latest offset without saying where the
    /// query is; the SDK then passes where the last micro-batch Spark planned ended, the initial
    /// offset before the first, and `AllAvailable`.)
    ///
    /// Under `trigger(availableNow=True)` the query reads what existed when it started and
    /// stops: `until` is then that end (what this method returned for `AllAvailable` at the
    /// start), and the result must not go past it. This is PySpark 4.2+: 4.0 and 4.1 run
    /// AvailableNow for a Python source as `trigger(once=True)`, and after a crash only replay
    /// the batch it interrupted, unless the session sets
    /// `spark.sql.streaming.triggerAvailableNowWrapper.enabled`; Spark then takes this
    /// method's `AllAvailable` end at the start as where the query ends, so that end must not
    /// be before any offset the checkpoint holds.
    fn latest_offset(
        &self,
        start: &Self::Offset,
        limit: ReadLimit,
        until: Option<&Self::Offset>,
    ) -> Result<Self::Offset>;

    /// The latest offset available now, whatever the query has read: what Spark shows as the
    /// source's `latestOffset` in the query's progress (`StreamingQueryProgress.sources`), so
    /// that a user sees how far behind the query is. On the driver, once per micro-batch;
    /// `None` (the default): not reported. PySpark 4.2+ asks; 4.0 and 4.1 never call it.
    fn report_latest_offset(&self) -> Result<Option<Self::Offset>> {
        Ok(None)
    }

    /// The limit Spark applies to each micro-batch unless told to take everything; by
    /// default, none.
    fn default_read_limit(&self) -> ReadLimit {
        ReadLimit::AllAvailable
    }

    /// Plans the partitions of the micro-batch from `start` to `end`, on the driver: one Spark
    /// task each. Never called with `start == end` (that batch is empty).
    fn partitions(
        &self,
        scan: &Scan,
        start: &Self::Offset,
        end: &Self::Offset,
    ) -> Result<Vec<Self::Partition>>;

    /// Reads one partition, on an executor, in `task` (as
    /// [`BatchReader::read`](crate::BatchReader::read); the task holds the micro-batch's id).
    fn read(
        self: Arc<Self>,
        scan: &Scan,
        task: &Task,
        partition: Self::Partition,
    ) -> Result<Batches>;

    /// Everything up to `end` has been processed, on the driver: what the source kept for
    /// replay before it may go.
    fn commit(&self, end: &Self::Offset) -> Result<()> {
        let _ = end;
        Ok(())
    }

    /// The query has ended, on the driver: release what the planning held (connections,
    /// watchers).
    fn stop(&self) -> Result<()> {
        Ok(())
    }
}
