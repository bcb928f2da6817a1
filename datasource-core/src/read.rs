//! [`BatchReader`]: the batch-read capability, reading a Spark scan partition by partition as
//! Arrow record batches.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::adapter::ReadAdapter;
use crate::codec;
use crate::row::{DEFAULT_BATCH_ROWS, Row, RowBatcher};
use crate::source::DataSource;

/// The batch-read capability: `spark.read.format(...).load()`.
///
/// Spark calls [`schema`](BatchReader::schema) once per query and
/// [`partitions`](BatchReader::partitions) once per scan, both on the driver, then
/// [`read`](BatchReader::read) once per partition on the executors. What the driver learned
/// travels to them: each task gets the [`Scan`] (with the schema the driver computed) and its
/// own partition, decoded from JSON, and reads on a source rebuilt from the same options; it
/// never calls `schema` or `partitions` again. Nothing is read before the first batch is
/// requested.
///
/// # Errors
/// An error from any method fails the query with the source's name and the full error chain;
/// so does a panic (it never crosses into Python as a crash). An error in the middle of a
/// partition fails that task, after the batches before it were delivered.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use datasource_core::{BatchReader, Batches, Result, Row, Scan, split_range};
/// use datasource_core::arrow_schema::SchemaRef;
/// use datasource_macros::{Row, data_source};
///
/// /// Numbers from zero.
/// #[data_source(name = "numbers", crate = "datasource_core")]
/// struct Numbers {
///     #[option(default = 10)]
///     count: u64,
///     #[option(default = 2, range = 1..)]
///     parts: u64,
/// }
///
/// #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// struct Number { n: i64 }
///
/// impl BatchReader for Numbers {
///     type Partition = std::ops::Range<u64>;
///
///     fn schema(&self) -> Result<SchemaRef> {
///         Ok(Number::schema())
///     }
///
///     fn partitions(&self, _scan: &Scan) -> Result<Vec<Self::Partition>> {
///         Ok(split_range(0..self.count, self.parts))
///     }
///
///     fn read(self: Arc<Self>, _scan: &Scan, part: Self::Partition) -> Result<Batches> {
///         Ok(Batches::from_rows(part.map(|n| Number { n: n as i64 })))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by Spark: it does not implement `BatchReader`",
    note = "`impl BatchReader for {Self}` with `schema`, `partitions` and `read`"
)]
pub trait BatchReader: DataSource {
    /// What one partition is: any serde type (it travels to its task as JSON); `()` for a
    /// source read in one piece.
    type Partition: Serialize + DeserializeOwned;

    /// The columns the source produces, on the driver, once per query. Executors receive the
    /// result in [`Scan::schema`]; a `#[derive(Row)]` type gives it with `Row::schema()`.
    fn schema(&self) -> Result<SchemaRef>;

    /// Plans the partitions of a scan, on the driver: one Spark task each. None at all is a
    /// scan with no rows.
    fn partitions(&self, scan: &Scan) -> Result<Vec<Self::Partition>>;

    /// Reads one partition, on an executor. The source is shared: the batches may keep it
    /// (move `self` into them) to use its options or a client as Spark pulls batches.
    fn read(self: Arc<Self>, scan: &Scan, partition: Self::Partition) -> Result<Batches>;
}

/// What one scan reads: planned on the driver, handed to every task of the scan as is.
#[derive(Debug, Clone)]
pub struct Scan {
    schema: SchemaRef,
}

impl Scan {
    /// A scan of a source whose declared schema is `schema`.
    pub fn new(schema: SchemaRef) -> Self {
        Scan { schema }
    }

    /// The source's schema, as [`BatchReader::schema`] gave it on the driver: what each batch
    /// must have.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }
}

/// What [`BatchReader::read`] returns: a stream of Arrow batches, made from rows one at a time or
/// handed over as record batches. Either way, batches are produced as Spark pulls them.
pub struct Batches {
    stream: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches").finish_non_exhaustive()
    }
}

impl Batches {
    /// No rows at all.
    pub fn empty() -> Self {
        Self::from_record_batches(std::iter::empty())
    }

    /// Rows of a `#[derive(Row)]` type, batched [`DEFAULT_BATCH_ROWS`] at a time.
    pub fn from_rows<R, I>(rows: I) -> Self
    where
        R: Row,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows(rows.into_iter().map(Ok))
    }

    /// Rows that may fail to be produced; the first error ends the partition with that error.
    pub fn from_fallible_rows<R, I>(rows: I) -> Self
    where
        R: Row,
        I: IntoIterator<Item = Result<R>>,
        I::IntoIter: Send + 'static,
    {
        Self::from_fallible_rows_in_batches(rows, DEFAULT_BATCH_ROWS)
    }

    /// Like [`Batches::from_fallible_rows`], with `batch_rows` rows per batch.
    pub fn from_fallible_rows_in_batches<R, I>(rows: I, batch_rows: usize) -> Self
    where
        R: Row,
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
    /// let batches = Batches::from_row_ranges(0..10, 4, |ids| {
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

    /// Record batches built directly (the fastest path); each must have the source's schema,
    /// which is checked before it reaches Spark.
    pub fn from_record_batches<I>(batches: I) -> Self
    where
        I: IntoIterator<Item = Result<RecordBatch>>,
        I::IntoIter: Send + 'static,
    {
        Batches {
            stream: Box::new(batches.into_iter()),
        }
    }
}

impl Iterator for Batches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.stream.next()
    }
}

/// Reads a whole source the way Spark does, without Spark: gets the schema, plans the
/// partitions, sends each through the codec the glue uses, reads them in order and fits every
/// batch to Spark's schema (so a batch Spark would refuse fails here too). For tests of a
/// source; the batches are the ones Spark would receive.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::{read_all, BatchReader, Batches, Result, Row, Scan, split_range};
/// # use datasource_core::arrow_schema::SchemaRef;
/// # use datasource_macros::{Row, data_source};
/// # #[data_source(name = "numbers", crate = "datasource_core")]
/// # struct Numbers {}
/// # #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// # struct Number { n: i64 }
/// # impl BatchReader for Numbers {
/// #     type Partition = std::ops::Range<u64>;
/// #     fn schema(&self) -> Result<SchemaRef> { Ok(Number::schema()) }
/// #     fn partitions(&self, _: &Scan) -> Result<Vec<Self::Partition>> { Ok(split_range(0..10, 3)) }
/// #     fn read(self: Arc<Self>, _: &Scan, p: Self::Partition) -> Result<Batches> {
/// #         Ok(Batches::from_rows(p.map(|n| Number { n: n as i64 })))
/// #     }
/// # }
/// let batches = read_all(Numbers {}).unwrap();
/// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 10);
/// ```
pub fn read_all<T: BatchReader>(source: impl Into<Arc<T>>) -> Result<Vec<RecordBatch>> {
    let source = source.into();
    let schema = source.schema()?;
    let adapter = ReadAdapter::new(T::NAME, &schema, &schema)?;
    let scan = Scan::new(schema);
    let mut batches = Vec::new();
    for partition in source.partitions(&scan)? {
        let shipped = codec::encode(T::NAME, "partition", &partition)?;
        let partition: T::Partition = codec::decode(T::NAME, "partition", &shipped)?;
        for batch in source.clone().read(&scan, partition)? {
            batches.push(adapter.adapt(batch?)?);
        }
    }
    Ok(batches)
}
