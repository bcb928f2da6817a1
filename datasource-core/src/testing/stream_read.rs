//! Streams the way Spark runs them: [`StreamRun`] for a [`StreamReader`], [`SimpleStreamRun`]
//! for a [`SimpleStreamReader`].

use std::sync::Arc;

use arrow_array::RecordBatch;

use crate::Result;
use crate::adapter::ReadAdapter;
use crate::batches::Batches;
use crate::capability::simple_stream_read::SimpleStreamReader;
use crate::capability::stream_read::{Offset, ReadLimit, StreamReader};
use crate::codec::{self, Cargo};
use crate::scan::{Scan, scan_schemas};
use crate::task::Task;

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
/// # use datasource_core::{Batches, ReadLimit, Result, Row, Scan, SourceSchema, StreamReader, Task};
/// # use datasource_core::testing::StreamRun;
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
            let partition = codec::shipped(T::NAME, Cargo::Partition, &partition)?;
            let task = Task::new(index as u32);
            for batch in self.source.clone().read(&self.scan, &task, partition)? {
                for piece in self.adapter.pieces(batch?) {
                    batches.push(self.adapter.adapt(piece)?);
                }
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
    until: Option<T::Offset>,
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
            until: None,
        })
    }

    /// `trigger(availableNow=True)` from here on: no batch goes past what is available now
    /// (the source's `latest_offset`), and `next_batch` gives `None` once there.
    pub fn available_now(&mut self) -> Result<()> {
        let until = self.source.latest_offset(&self.offset)?;
        self.until = Some(shipped(T::NAME, &until)?.1);
        Ok(())
    }

    /// The next micro-batch: `None` when nothing is new; otherwise its batches, checked
    /// against a replay, and the batch is committed.
    pub fn next_batch(&mut self) -> Result<Option<Vec<RecordBatch>>> {
        let (batches, end) = self.source.read(&self.offset, self.until.as_ref())?;
        let batches = self.adapted(batches)?;
        let (end_text, end) = shipped(T::NAME, &end)?;
        let start_text = codec::encode_offset(T::NAME, &self.offset)?;
        crate::ensure!(
            self.until.as_ref() != Some(&self.offset) || end_text == start_text,
            "{}: read({start_text}) went on past where AvailableNow stops ({start_text})",
            T::NAME
        );
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
            for piece in self.adapter.pieces(batch?) {
                let piece = self.adapter.adapt(piece)?;
                if piece.num_rows() > 0 {
                    adapted.push(piece);
                }
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
