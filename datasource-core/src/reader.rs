//! [`BatchReader`]: reading a Spark batch, partition by partition, as Arrow record batches.

use std::marker::PhantomData;
use std::ops::Range;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::row::{DEFAULT_BATCH_ROWS, Row, RowBatcher};
use crate::source::DataSource;

/// A value that describes one partition: planned on the driver, shipped to an executor.
///
/// Any `serde` type works (it travels as JSON inside Spark's `InputPartition`); `Default` is the
/// single partition a reader without its own `partitions()` reads.
pub trait PartitionValue: Serialize + DeserializeOwned + Default + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Default + Send + 'static> PartitionValue for T {}

/// Reads a batch (non-streaming) Spark scan.
///
/// Spark calls [`partitions`](BatchReader::partitions) once on the driver, then
/// [`read`](BatchReader::read) once per partition on the executors, each on its own copy of the
/// source rebuilt from the same options. Nothing is read before the first batch is requested.
///
/// # Errors
/// An error from either method fails the query with the source's name and the full error
/// chain; so does a panic (it never crosses into Python as a crash). An error in the middle of
/// a partition fails that task, after the batches before it were delivered.
///
/// # Example
/// ```
/// use datasource_core::{BatchReader, Batches, Result, Row, split_range};
/// use datasource_macros::Row;
/// # use datasource_core::{DataSource, OptionSpec, OptionsError, RawOptions};
/// # struct Numbers { count: u64, parts: u64 }
/// # impl DataSource for Numbers {
/// #     const NAME: &'static str = "numbers"; const DESCRIPTION: &'static str = "";
/// #     const OPTIONS: &'static [OptionSpec] = &[];
/// #     fn from_options(_: &RawOptions) -> Result<Self, OptionsError> { Ok(Numbers { count: 10, parts: 2 }) }
/// # }
/// #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// struct Number { n: i64 }
///
/// impl BatchReader for Numbers {
///     type Row = Number;
///     type Partition = std::ops::Range<u64>;
///
///     fn partitions(&self) -> Result<Vec<Self::Partition>> {
///         Ok(split_range(0..self.count, self.parts))
///     }
///
///     fn read(&self, part: Self::Partition) -> Result<Batches<Number>> {
///         Ok(Batches::from_rows(part.map(|n| Number { n: n as i64 })))
///     }
/// }
/// ```
pub trait BatchReader: DataSource {
    /// The row type; its fields are the source's columns.
    type Row: Row;
    /// What one partition is; `()` for a source that is read in one piece.
    type Partition: PartitionValue;

    /// The schema Spark sees. Only a reader that builds Arrow batches itself
    /// ([`Batches::from_record_batches`]) may override it, to give a schema known at run time.
    fn schema(&self) -> SchemaRef {
        Self::Row::schema()
    }

    /// Plans the partitions, on the driver. By default one partition, `Partition::default()`.
    fn partitions(&self) -> Result<Vec<Self::Partition>> {
        Ok(vec![Self::Partition::default()])
    }

    /// Reads one partition, on an executor.
    fn read(&self, partition: Self::Partition) -> Result<Batches<Self::Row>>;
}

/// What [`BatchReader::read`] returns: a stream of Arrow batches, made from rows one at a time or
/// handed over as record batches. Either way, batches are produced as Spark pulls them.
pub struct Batches<R> {
    stream: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
    _row: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for Batches<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches").finish_non_exhaustive()
    }
}

impl<R: Row> Batches<R> {
    /// No rows at all.
    pub fn empty() -> Self {
        Self::from_record_batches(std::iter::empty())
    }

    /// Rows, batched [`DEFAULT_BATCH_ROWS`] at a time.
    pub fn from_rows<I>(rows: I) -> Self
    where
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows(rows.into_iter().map(Ok))
    }

    /// Rows that may fail to be produced; the first error ends the partition with that error.
    pub fn from_fallible_rows<I>(rows: I) -> Self
    where
        I: IntoIterator<Item = Result<R>>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows_in_batches(rows, DEFAULT_BATCH_ROWS)
    }

    /// Like [`Batches::from_fallible_rows`], with `batch_rows` rows per batch.
    pub fn from_fallible_rows_in_batches<I>(rows: I, batch_rows: usize) -> Self
    where
        I: IntoIterator<Item = Result<R>>,
        I::IntoIter: Send + 'static,
    {
        let batch_rows = batch_rows.max(1);
        let mut rows = rows.into_iter();
        let mut batcher = RowBatcher::<R>::new(batch_rows);
        let mut failed = false;
        let stream = std::iter::from_fn(move || {
            if failed {
                return None;
            }
            for row in rows.by_ref() {
                match row {
                    Ok(row) => batcher.push(row),
                    Err(error) => {
                        failed = true;
                        return Some(Err(error));
                    }
                }
                if batcher.len() == batch_rows {
                    return Some(Ok(batcher.finish()));
                }
            }
            (!batcher.is_empty()).then(|| Ok(batcher.finish()))
        });
        Batches {
            stream: Box::new(stream),
            _row: PhantomData,
        }
    }

    /// Record batches built directly, one per `batch_rows`-long stretch of `rows`: `build` gets
    /// each stretch (the last may be shorter) and returns its batch.
    ///
    /// ```
    /// # use datasource_core::{Batches, Row};
    /// # use datasource_macros::Row;
    /// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
    /// # use std::sync::Arc;
    /// #[derive(Row)]
    /// # #[spark(crate = "datasource_core")]
    /// struct N { n: i64 }
    ///
    /// let batches = Batches::<N>::from_row_ranges(0..10, 4, |ids| {
    ///     let n = Int64Array::from_iter_values(ids.map(|i| i as i64));
    ///     Ok(RecordBatch::try_new(N::schema(), vec![Arc::new(n)])?)
    /// });
    /// let sizes: Vec<usize> = batches.map(|b| b.unwrap().num_rows()).collect();
    /// assert_eq!(sizes, [4, 4, 2]);
    /// ```
    pub fn from_row_ranges<F>(rows: Range<u64>, batch_rows: usize, build: F) -> Self
    where
        F: FnMut(Range<u64>) -> Result<RecordBatch> + Send + 'static,
    {
        let step = batch_rows.max(1) as u64;
        let end = rows.end;
        let ranges = (rows.start..end)
            .step_by(step as usize)
            .map(move |start| start..start.saturating_add(step).min(end));
        Self::from_record_batches(ranges.map(build))
    }

    /// Record batches built directly (the fastest path); each must have the reader's schema,
    /// which is checked before it reaches Spark.
    pub fn from_record_batches<I>(batches: I) -> Self
    where
        I: IntoIterator<Item = Result<RecordBatch>>,
        I::IntoIter: Send + 'static,
    {
        Batches {
            stream: Box::new(batches.into_iter()),
            _row: PhantomData,
        }
    }
}

impl<R> Iterator for Batches<R> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.stream.next()
    }
}

/// Reads a whole source the way Spark does, without Spark: plans the partitions, sends each
/// through JSON as the glue does, and reads them in order. For tests of a source.
///
/// ```
/// # use datasource_core::{read_all, BatchReader, Batches, Result, split_range};
/// # use datasource_core::{DataSource, OptionSpec, OptionsError, RawOptions};
/// # use datasource_macros::Row;
/// # struct Numbers;
/// # impl DataSource for Numbers {
/// #     const NAME: &'static str = "numbers"; const DESCRIPTION: &'static str = "";
/// #     const OPTIONS: &'static [OptionSpec] = &[];
/// #     fn from_options(_: &RawOptions) -> Result<Self, OptionsError> { Ok(Numbers) }
/// # }
/// # #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// # struct Number { n: i64 }
/// # impl BatchReader for Numbers {
/// #     type Row = Number;
/// #     type Partition = std::ops::Range<u64>;
/// #     fn partitions(&self) -> Result<Vec<Self::Partition>> { Ok(split_range(0..10, 3)) }
/// #     fn read(&self, p: Self::Partition) -> Result<Batches<Number>> {
/// #         Ok(Batches::from_rows(p.map(|n| Number { n: n as i64 })))
/// #     }
/// # }
/// let batches = read_all(&Numbers).unwrap();
/// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 10);
/// ```
pub fn read_all<T: BatchReader>(source: &T) -> Result<Vec<RecordBatch>> {
    let mut batches = Vec::new();
    for partition in source.partitions()? {
        let shipped: T::Partition = serde_json::from_str(&serde_json::to_string(&partition)?)?;
        for batch in source.read(shipped)? {
            batches.push(batch?);
        }
    }
    Ok(batches)
}
