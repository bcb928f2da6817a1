//! [`StreamReader`] and [`SimpleStreamReader`]: the streaming-read capabilities, a source
//! read micro-batch by micro-batch between offsets that Spark keeps in its checkpoint.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use arrow_array::RecordBatch;

use crate::Result;
use crate::adapter::ReadAdapter;
use crate::codec;
use crate::read::{Batches, SourceSchema};
use crate::scan::{Scan, scan_schemas};
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

impl ReadLimit {
    /// The limit as PySpark names it: its class and its one field, if any.
    pub fn spark_form(&self) -> (&'static str, Option<(&'static str, u64)>) {
        match *self {
            ReadLimit::AllAvailable => ("ReadAllAvailable", None),
            ReadLimit::MaxRows(n) => ("ReadMaxRows", Some(("max_rows", n))),
            ReadLimit::MinRows(n) => ("ReadMinRows", Some(("min_rows", n))),
            ReadLimit::MaxFiles(n) => ("ReadMaxFiles", Some(("max_files", n))),
            ReadLimit::MaxBytes(n) => ("ReadMaxBytes", Some(("max_bytes", n))),
        }
    }

    /// The limit from PySpark's class name and field value (`None` for `ReadAllAvailable`).
    pub fn from_spark_form(class: &str, value: Option<u64>) -> Result<Self, String> {
        let needs = |make: fn(u64) -> ReadLimit| {
            value
                .map(make)
                .ok_or_else(|| format!("Spark's read limit `{class}` came without its value"))
        };
        match class {
            "ReadAllAvailable" => Ok(ReadLimit::AllAvailable),
            "ReadMaxRows" => needs(ReadLimit::MaxRows),
            "ReadMinRows" => needs(ReadLimit::MinRows),
            "ReadMaxFiles" => needs(ReadLimit::MaxFiles),
            "ReadMaxBytes" => needs(ReadLimit::MaxBytes),
            other => Err(format!(
                "Spark's read limit `{other}` is not one the SDK knows"
            )),
        }
    }
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

/// The streaming-read capability without partitions: a source read on the driver, in one
/// piece per micro-batch (`SimpleDataSourceStreamReader`), for sources that only know how to
/// read "what is new since here": a REST API paged by a cursor, a queue.
///
/// [`read`](SimpleStreamReader::read) runs on the driver once per trigger and returns the new
/// batches with the offset after them; Spark caches them for the micro-batch. After a restart,
/// a batch whose data is gone from the cache is read again on an executor with
/// [`read_between`](SimpleStreamReader::read_between), which must give exactly the same rows.
/// Prefer [`StreamReader`] when the data can be split: its reads run in parallel.
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
    fn read(&self, start: &Self::Offset) -> Result<(Batches, Self::Offset)>;

    /// Exactly the rows `read(start)` returned when it ended at `end`, on an executor.
    fn read_between(self: Arc<Self>, start: &Self::Offset, end: &Self::Offset) -> Result<Batches>;

    /// Everything up to `end` has been processed, on the driver.
    fn commit(&self, end: &Self::Offset) -> Result<()> {
        let _ = end;
        Ok(())
    }
}

/// An offset as Spark keeps it: the canonical text, checked to read back as itself.
fn shipped<O: Offset>(source: &'static str, offset: &O) -> Result<(String, O)> {
    let text = codec::encode_offset(source, offset)?;
    let back: O = codec::decode_offset(source, &text)?;
    crate::ensure!(
        back == *offset,
        "{source}: offset `{text}` does not read back as the same offset (its JSON loses \
         something: a float, a skipped field?)"
    );
    Ok((text, back))
}

/// Runs a [`StreamReader`] micro-batch by micro-batch the way Spark does, without Spark: every
/// offset and partition goes through the codec the glue uses (an offset that does not read back
/// as itself is an error), every batch is fitted to Spark's schema, and each micro-batch is
/// committed after it was read. For tests of a source.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::{Batches, ReadLimit, Result, Row, Scan, SourceSchema, StreamReader, StreamRun, Task};
/// # use datasource_core::arrow_schema::SchemaRef;
/// # use datasource_macros::{Row, data_source};
/// # #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// # struct N { n: i64 }
/// /// A stream that has 5 more numbers at every trigger.
/// #[data_source(name = "ticks", crate = "datasource_core")]
/// struct Ticks {}
/// # impl SourceSchema for Ticks { fn schema(&self) -> Result<SchemaRef> { Ok(N::schema()) } }
/// impl StreamReader for Ticks {
///     type Offset = u64;
///     type Partition = std::ops::Range<u64>;
///     fn initial_offset(&self) -> Result<u64> { Ok(0) }
///     fn latest_offset(&self, start: &u64, limit: ReadLimit, until: Option<&u64>) -> Result<u64> {
///         let mut end = start + 5;
///         if let ReadLimit::MaxRows(rows) = limit { end = end.min(start + rows) }
///         Ok(until.map_or(end, |&until| end.min(until)))
///     }
///     fn partitions(&self, _: &Scan, start: &u64, end: &u64) -> Result<Vec<Self::Partition>> {
///         Ok(vec![*start..*end])
///     }
///     fn read(self: Arc<Self>, _: &Scan, _: &Task, part: Self::Partition) -> Result<Batches> {
///         Ok(Batches::from_rows(part.map(|n| N { n: n as i64 })))
///     }
/// }
///
/// let mut run = StreamRun::start(Ticks {})?;
/// let batch = run.next_batch()?.expect("5 new rows");
/// assert_eq!(batch.iter().map(|b| b.num_rows()).sum::<usize>(), 5);
/// run.next_batch_within(ReadLimit::MaxRows(2))?;
/// assert_eq!(run.offset(), &7);
/// # Ok::<(), datasource_core::Error>(())
/// ```
pub struct StreamRun<T: StreamReader> {
    source: Arc<T>,
    scan: Scan,
    adapter: ReadAdapter,
    offset: T::Offset,
    until: Option<T::Offset>,
}

impl<T: StreamReader> StreamRun<T> {
    /// A new query: it starts at the source's initial offset.
    pub fn start(source: impl Into<Arc<T>>) -> Result<Self> {
        let source = source.into();
        let initial = source.initial_offset()?;
        Self::resume(source, &initial)
    }

    /// A query restarted from a checkpoint whose last batch ended at `offset`.
    pub fn resume(source: impl Into<Arc<T>>, offset: &T::Offset) -> Result<Self> {
        let source = source.into();
        let scan = scan_schemas(source.as_ref(), None)?;
        let adapter = scan.adapter(T::NAME)?;
        let (_, offset) = shipped(T::NAME, offset)?;
        Ok(StreamRun {
            source,
            scan,
            adapter,
            offset,
            until: None,
        })
    }

    /// `trigger(availableNow=True)` from here on: no batch goes past what is available now.
    pub fn available_now(&mut self) -> Result<()> {
        let until = self
            .source
            .latest_offset(&self.offset, ReadLimit::AllAvailable, None)?;
        self.until = Some(shipped(T::NAME, &until)?.1);
        Ok(())
    }

    /// The next micro-batch under the source's default read limit: `None` when nothing is
    /// new; otherwise the batches its partitions read (in order), and the batch is committed.
    pub fn next_batch(&mut self) -> Result<Option<Vec<RecordBatch>>> {
        self.next_batch_within(self.source.default_read_limit())
    }

    /// The next micro-batch, under `limit`.
    pub fn next_batch_within(&mut self, limit: ReadLimit) -> Result<Option<Vec<RecordBatch>>> {
        let end = self
            .source
            .latest_offset(&self.offset, limit, self.until.as_ref())?;
        let (end_text, end) = shipped(T::NAME, &end)?;
        if end_text == codec::encode_offset(T::NAME, &self.offset)? {
            return Ok(None);
        }
        let batches = self.replay(&self.offset, &end)?;
        self.source.commit(&end)?;
        self.offset = end;
        Ok(Some(batches))
    }

    /// The batches of the micro-batch from `start` to `end`, as a restarted query reads them
    /// again (nothing is committed).
    pub fn replay(&self, start: &T::Offset, end: &T::Offset) -> Result<Vec<RecordBatch>> {
        let mut batches = Vec::new();
        let partitions = self.source.partitions(&self.scan, start, end)?;
        for (index, partition) in partitions.into_iter().enumerate() {
            let text = codec::encode(T::NAME, "partition", &partition)?;
            let partition: T::Partition = codec::decode(T::NAME, "partition", &text)?;
            let task = Task {
                partition_id: index as u32,
                ..Task::default()
            };
            for batch in self.source.clone().read(&self.scan, &task, partition)? {
                batches.push(self.adapter.adapt(batch?)?);
            }
        }
        Ok(batches)
    }

    /// Where the last micro-batch ended.
    pub fn offset(&self) -> &T::Offset {
        &self.offset
    }

    /// Ends the query: the source's `stop`.
    pub fn stop(self) -> Result<()> {
        self.source.stop()
    }
}

/// Runs a [`SimpleStreamReader`] micro-batch by micro-batch the way Spark does, without Spark,
/// and checks its promise: each micro-batch is read again with `read_between` (as a restarted
/// query would) and must give the same rows; a read with rows must move the offset.
pub struct SimpleStreamRun<T: SimpleStreamReader> {
    source: Arc<T>,
    adapter: ReadAdapter,
    offset: T::Offset,
}

impl<T: SimpleStreamReader> SimpleStreamRun<T> {
    /// A new query: it starts at the source's initial offset.
    pub fn start(source: impl Into<Arc<T>>) -> Result<Self> {
        let source = source.into();
        let initial = source.initial_offset()?;
        Self::resume(source, &initial)
    }

    /// A query restarted from a checkpoint whose last batch ended at `offset`.
    pub fn resume(source: impl Into<Arc<T>>, offset: &T::Offset) -> Result<Self> {
        let source = source.into();
        let scan = scan_schemas(source.as_ref(), None)?;
        let adapter = scan.adapter(T::NAME)?;
        let (_, offset) = shipped(T::NAME, offset)?;
        Ok(SimpleStreamRun {
            source,
            adapter,
            offset,
        })
    }

    /// The next micro-batch: `None` when nothing is new; otherwise its batches, checked
    /// against a replay, and the batch is committed.
    pub fn next_batch(&mut self) -> Result<Option<Vec<RecordBatch>>> {
        let (batches, end) = self.source.read(&self.offset)?;
        let batches = self.adapted(batches)?;
        let (end_text, end) = shipped(T::NAME, &end)?;
        let start_text = codec::encode_offset(T::NAME, &self.offset)?;
        if end_text == start_text {
            crate::ensure!(
                batches.iter().all(|batch| batch.num_rows() == 0),
                "{}: read({start_text}) returned rows but did not move the offset",
                T::NAME
            );
            return Ok(None);
        }
        let replayed = self.adapted(self.source.clone().read_between(&self.offset, &end)?)?;
        crate::ensure!(
            concat(&batches)? == concat(&replayed)?,
            "{}: read_between({start_text}, {end_text}) gave other rows than read({start_text})",
            T::NAME
        );
        self.source.commit(&end)?;
        self.offset = end;
        Ok(Some(batches))
    }

    /// Where the last micro-batch ended.
    pub fn offset(&self) -> &T::Offset {
        &self.offset
    }

    /// The batches fitted to Spark's schema; empty ones are dropped, as Spark has no use for
    /// them.
    fn adapted(&self, batches: Batches) -> Result<Vec<RecordBatch>> {
        let mut adapted = Vec::new();
        for batch in batches {
            let batch = self.adapter.adapt(batch?)?;
            if batch.num_rows() > 0 {
                adapted.push(batch);
            }
        }
        Ok(adapted)
    }
}

fn concat(batches: &[RecordBatch]) -> Result<Option<RecordBatch>> {
    match batches.first() {
        None => Ok(None),
        Some(first) => Ok(Some(arrow_select::concat::concat_batches(
            &first.schema(),
            batches,
        )?)),
    }
}

impl<T: StreamReader> std::fmt::Debug for StreamRun<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamRun")
            .field("source", &T::NAME)
            .finish_non_exhaustive()
    }
}

impl<T: SimpleStreamReader> std::fmt::Debug for SimpleStreamRun<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimpleStreamRun")
            .field("source", &T::NAME)
            .finish_non_exhaustive()
    }
}
