//! [`BatchReader`]: the batch-read capability, reading a Spark scan partition by partition as
//! Arrow record batches.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::batch_size::{BatchSize, BatchSizer};
use crate::codec;
use crate::filter::Filter;
use crate::row::{Row, RowBatcher};
use crate::scan::{Scan, scan_schemas, sort_pushed};
use crate::source::DataSource;
use crate::task::Task;

/// The columns a source produces: Spark's `DataSource.schema()`, shared by every way of
/// reading it ([`BatchReader`], [`StreamReader`](crate::StreamReader),
/// [`SimpleStreamReader`](crate::SimpleStreamReader)).
///
/// Called on the driver, once per query; executors receive the result in [`Scan::schema`]. A
/// `#[derive(Row)]` type gives it with `Row::schema()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is read by Spark, but has no schema: it does not implement `SourceSchema`",
    note = "`impl SourceSchema for {Self}` with `fn schema(&self) -> Result<SchemaRef>` (for rows \
            of a `#[derive(Row)]` type: `Ok(MyRow::schema())`)"
)]
pub trait SourceSchema: DataSource {
    /// The columns the source produces (when the user gives no schema of their own). It may
    /// come from the options or from the outside world (a file's header, a catalog): it is
    /// asked for on the driver only, and an error fails `load()` with the source's name.
    fn schema(&self) -> Result<SchemaRef>;

    /// What the source does with a schema the user gives with `spark.read.schema(...)` (or a
    /// catalog table's), on the driver: `user` is it as Arrow, with the types Spark reads.
    ///
    /// By default [`UserSchema::Subset`]: the source produces its own [`schema`](Self::schema)
    /// and Spark gets the user's columns from it (a subset, in any order, as nullable or
    /// more). A source whose reading the user's schema drives (parsing records into it,
    /// generating it, reading only its columns) returns [`UserSchema::Produce`], and its
    /// batches then have the user's schema, [`Scan::schema`]; `schema()` is not called. An
    /// error here (a type the source cannot produce, say) fails `load()` and names the source.
    fn user_schema(&self, user: &SchemaRef) -> Result<UserSchema> {
        let _ = user;
        Ok(UserSchema::Subset)
    }
}

/// How a source meets a schema the user gives (see [`SourceSchema::user_schema`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSchema {
    /// The source produces its own schema; Spark reads the user's columns of it (refused, with
    /// every mismatch named, when they are not a subset).
    Subset,
    /// The source produces exactly the user's schema.
    Produce,
}

/// The batch-read capability: `spark.read.format(...).load()`.
///
/// On the driver, Spark takes the [`SourceSchema`] once per query; then, once per scan, the
/// source makes its [`plan`](BatchReader::plan) (what every task must know: a snapshot
/// version, a listing) and its [`partitions`](BatchReader::partitions). On the executors,
/// [`read`](BatchReader::read) runs once per partition. What the driver learned travels to
/// them through serde, never by planning again: each task gets the [`Scan`] (the schemas, the
/// filters the source accepted, the plan) and its own partition, and reads on a source rebuilt
/// from the same options. Nothing is read before the first batch is requested.
///
/// # Errors
/// An error from any method fails the query with the source's name and the full error chain;
/// so does a panic (it never crosses into Python as a crash). An error in the middle of a
/// partition fails that task, after the batches before it were delivered.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use datasource_core::{BatchReader, Batches, Result, Row, Scan, SourceSchema, Task, split_range};
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
/// impl SourceSchema for Numbers {
///     fn schema(&self) -> Result<SchemaRef> {
///         Ok(Number::schema())
///     }
/// }
///
/// impl BatchReader for Numbers {
///     type Plan = ();
///     type Partition = std::ops::Range<u64>;
///
///     fn partitions(&self, _scan: &Scan) -> Result<Vec<Self::Partition>> {
///         Ok(split_range(0..self.count, self.parts))
///     }
///
///     fn read(self: Arc<Self>, _scan: &Scan, _task: &Task, part: Self::Partition) -> Result<Batches> {
///         Ok(Batches::from_rows(part.map(|n| Number { n: n as i64 })))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by Spark: it does not implement `BatchReader`",
    note = "`impl BatchReader for {Self}` with `type Plan`, `type Partition`, `partitions` and \
            `read`"
)]
pub trait BatchReader: SourceSchema {
    /// What the driver learns while planning a scan and every task needs (a snapshot version,
    /// a file listing): any serde type, made once by [`plan`](BatchReader::plan) and read in
    /// every task as [`Scan::plan`]; `()` for nothing.
    type Plan: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// What one partition is: any serde type (it travels to its task as JSON); `()` for a
    /// source read in one piece.
    type Partition: Serialize + DeserializeOwned;

    /// Plans a scan, on the driver, once, after the filters were pushed: the state its tasks
    /// share. By default `Plan::default()`.
    fn plan(&self, scan: &Scan) -> Result<Self::Plan> {
        let _ = scan;
        Ok(Self::Plan::default())
    }

    /// Plans the partitions of a scan, on the driver: one Spark task each. None at all is a
    /// scan with no rows.
    fn partitions(&self, scan: &Scan<Self::Plan>) -> Result<Vec<Self::Partition>>;

    /// Reads one partition, on an executor, in `task`. The source is shared: the batches may
    /// keep it (move `self` into them) to use its options or a client as Spark pulls batches.
    fn read(
        self: Arc<Self>,
        scan: &Scan<Self::Plan>,
        task: &Task,
        partition: Self::Partition,
    ) -> Result<Batches>;
}

/// Filter pushdown, a capability of a [`BatchReader`] (PySpark 4.1+, with
/// `spark.sql.python.filterPushdown.enabled`): Spark offers the conjuncts of a query's `WHERE`
/// clause that compare a column with literals, and the source says which it applies.
///
/// A filter accepted as [`Pushdown::Exact`] is **never applied again by Spark**: the source
/// must drop exactly the rows it rejects, NULL semantics included. [`Filter::evaluate`] and
/// [`Batches::filtered`] do that with Spark's semantics; [`Filter::check`] says whether they
/// can for a schema. The accepted filters reach [`plan`](BatchReader::plan),
/// [`partitions`](BatchReader::partitions) and every task in [`Scan::filters`].
///
/// Where pushdown is off (the setting, or PySpark 4.0), the source is never asked, and Spark
/// filters every row itself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not push filters: it does not implement `FilterPushdown`",
    note = "`impl FilterPushdown for {Self}` with `push_filters`"
)]
pub trait FilterPushdown: BatchReader {
    /// For each of `filters` (a conjunction), what the source does with it, in order: one
    /// [`Pushdown`] per filter. On the driver, once per scan, before `plan`.
    fn push_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>>;
}

/// What a source does with a filter Spark offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushdown {
    /// The source drops exactly the rows the filter rejects; Spark trusts it (and shows it
    /// among `PushedFilters` in `EXPLAIN`).
    Exact,
    /// The source uses the filter to skip data that cannot match (files, row groups, pages)
    /// but may return rows it rejects; Spark applies it again.
    Inexact,
    /// The source ignores the filter; Spark applies it.
    Unsupported,
}

/// What [`BatchReader::read`] returns: a stream of Arrow batches, made from rows one at a time or
/// handed over as record batches. Either way, batches are produced as Spark pulls them; the
/// helpers that batch rows size batches by bytes unless told a row count ([`BatchSize`]).
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

    /// Rows of a `#[derive(Row)]` type, in batches of the default size ([`BatchSize`]).
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
        Self::from_fallible_rows_in_batches(rows, BatchSize::default())
    }

    /// Like [`Batches::from_fallible_rows`], in batches of `size` (a row count, or a
    /// [`BatchSize`]).
    pub fn from_fallible_rows_in_batches<R, I>(rows: I, size: impl Into<BatchSize>) -> Self
    where
        R: Row,
        I: IntoIterator<Item = Result<R>>,
        I::IntoIter: Send + 'static,
    {
        let mut rows = rows.into_iter();
        Self::batched(size.into(), move |batcher: &mut RowBatcher<R>| {
            rows.next().map(|row| row.map(|row| batcher.push(row)))
        })
    }

    /// One row per item, written by `fill` into a row that is reused: a string, list or map
    /// field keeps its allocation from row to row (clear it and write the new value), so no
    /// row allocates. The typed path that costs the least; the first error of `fill` ends the
    /// partition with that error.
    ///
    /// ```
    /// # use datasource_core::{Batches, BatchSize, Row};
    /// # use datasource_macros::Row;
    /// use std::fmt::Write;
    ///
    /// #[derive(Row, Default)]
    /// # #[spark(crate = "datasource_core")]
    /// struct Labelled { id: i64, label: String }
    ///
    /// let batches = Batches::from_filled_rows(0..10u64, BatchSize::default(), |row: &mut Labelled, id| {
    ///     row.id = id as i64;
    ///     row.label.clear();
    ///     write!(row.label, "row-{id}")?;
    ///     Ok(())
    /// });
    /// assert_eq!(batches.map(|b| b.unwrap().num_rows()).sum::<usize>(), 10);
    /// ```
    pub fn from_filled_rows<R, I, F>(items: I, size: impl Into<BatchSize>, mut fill: F) -> Self
    where
        R: Row + Default,
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        F: FnMut(&mut R, I::Item) -> Result<()> + Send + 'static,
    {
        let mut items = items.into_iter();
        let mut row = R::default();
        Self::batched(size.into(), move |batcher: &mut RowBatcher<R>| {
            items.next().map(|item| {
                fill(&mut row, item)?;
                batcher.push_ref(&row);
                Ok(())
            })
        })
    }

    /// Batches of the rows `push_next` pushes, one at a time, into a batcher; it gives `None`
    /// at the end of the rows, or an error that ends the stream.
    fn batched<R: Row>(
        size: BatchSize,
        mut push_next: impl FnMut(&mut RowBatcher<R>) -> Option<Result<()>> + Send + 'static,
    ) -> Self {
        let mut sizer = BatchSizer::new(size);
        let mut batcher = RowBatcher::<R>::new(sizer.rows());
        let mut done = false;
        let stream = std::iter::from_fn(move || {
            if done {
                return None;
            }
            let rows = sizer.rows();
            while batcher.len() < rows {
                match push_next(&mut batcher) {
                    Some(Ok(())) => {}
                    Some(Err(error)) => {
                        done = true;
                        return Some(Err(error));
                    }
                    None => {
                        done = true;
                        break;
                    }
                }
            }
            if batcher.is_empty() {
                return None;
            }
            let batch = batcher.finish();
            sizer.observe(&batch);
            batcher.reserve(sizer.rows());
            Some(Ok(batch))
        });
        Batches {
            stream: Box::new(stream),
        }
    }

    /// Record batches built directly, one per stretch of `rows` of `size` (a row count, or a
    /// [`BatchSize`]: then the stretches follow from the bytes of the batches already built):
    /// `build` gets each stretch and returns its batch.
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
    pub fn from_row_ranges<F>(rows: Range<u64>, size: impl Into<BatchSize>, mut build: F) -> Self
    where
        F: FnMut(Range<u64>) -> Result<RecordBatch> + Send + 'static,
    {
        let mut sizer = BatchSizer::new(size.into());
        let (mut next, end) = (rows.start, rows.end);
        let stream = std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let stop = next.saturating_add(sizer.rows() as u64).min(end);
            let built = build(next..stop);
            match &built {
                Ok(batch) => {
                    sizer.observe(batch);
                    next = stop;
                }
                Err(_) => next = end,
            }
            Some(built)
        });
        Self::from_record_batches(stream)
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

/// Where [`Batches::from_producer`]'s producer sends its batches.
#[derive(Debug)]
pub struct BatchSender {
    sender: std::sync::mpsc::SyncSender<Result<RecordBatch>>,
}

/// Spark stopped pulling batches (a `LIMIT` was met, the task was cancelled): the producer
/// should stop. Returned by [`BatchSender::send`]; a producer that returns it with `?` ends
/// quietly.
#[derive(Debug, thiserror::Error)]
#[error("Spark stopped reading this partition")]
pub struct Stopped;

impl BatchSender {
    /// Hands a batch to Spark; waits while the one before it is still unread.
    pub fn send(&mut self, batch: RecordBatch) -> Result<(), Stopped> {
        self.sender.send(Ok(batch)).map_err(|_| Stopped)
    }
}

impl Batches {
    /// Batches made by `produce` on a thread of its own, at most one batch ahead of Spark:
    /// for a reader that holds borrowed state while it reads (a database cursor borrowing its
    /// connection, a statement its rows) and would gain from working while Spark takes the
    /// previous batch. `produce` stops early (its `send` fails with [`Stopped`]) when Spark
    /// drops the partition; its error ends the partition after the batches sent before it.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use datasource_core::Batches;
    /// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
    /// let batches = Batches::from_producer(|out| {
    ///     for start in [0i64, 3] {
    ///         let ids = Int64Array::from_iter_values(start..start + 3);
    ///         out.send(RecordBatch::try_from_iter([("id", Arc::new(ids) as _)])?)?;
    ///     }
    ///     Ok(())
    /// });
    /// let rows: usize = batches.map(|batch| batch.unwrap().num_rows()).sum();
    /// assert_eq!(rows, 6);
    /// ```
    pub fn from_producer<F>(produce: F) -> Self
    where
        F: FnOnce(&mut BatchSender) -> Result<()> + Send + 'static,
    {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let mut out = BatchSender { sender };
        let spawned = std::thread::Builder::new()
            .name("datasource-producer".into())
            .spawn(move || {
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| produce(&mut out)));
                let error = match outcome {
                    Ok(Ok(())) => return,
                    Ok(Err(error)) if error.is::<Stopped>() => return,
                    Ok(Err(error)) => error,
                    Err(panic) => crate::format_err!(
                        "panicked: {}",
                        panic
                            .downcast_ref::<&str>()
                            .copied()
                            .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                            .unwrap_or("(no message)")
                    ),
                };
                let _ = out.sender.send(Err(error));
            });
        match spawned {
            Ok(_) => Self::from_record_batches(receiver),
            Err(error) => Self::from_record_batches(std::iter::once(Err(crate::Error::new(error)
                .context("could not start the thread that reads this partition")))),
        }
    }
}

impl Iterator for Batches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.stream.next()
    }
}

/// Reads a whole source the way Spark does, without Spark: settles the schema, makes the plan
/// and the partitions, sends each through the codec the glue uses, reads them in order (task
/// by task) and fits every batch to what Spark reads (so a batch Spark would refuse fails here
/// too). For tests of a source; the batches are the ones Spark would receive.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::{read_all, BatchReader, Batches, Result, Row, Scan, SourceSchema, Task, split_range};
/// # use datasource_core::arrow_schema::SchemaRef;
/// # use datasource_macros::{Row, data_source};
/// # #[data_source(name = "numbers", crate = "datasource_core")]
/// # struct Numbers {}
/// # #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// # struct Number { n: i64 }
/// # impl SourceSchema for Numbers {
/// #     fn schema(&self) -> Result<SchemaRef> { Ok(Number::schema()) }
/// # }
/// # impl BatchReader for Numbers {
/// #     type Plan = ();
/// #     type Partition = std::ops::Range<u64>;
/// #     fn partitions(&self, _: &Scan) -> Result<Vec<Self::Partition>> { Ok(split_range(0..10, 3)) }
/// #     fn read(self: Arc<Self>, _: &Scan, _: &Task, p: Self::Partition) -> Result<Batches> {
/// #         Ok(Batches::from_rows(p.map(|n| Number { n: n as i64 })))
/// #     }
/// # }
/// let batches = read_all(Numbers {}).unwrap();
/// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 10);
/// ```
pub fn read_all<T: BatchReader>(source: impl Into<Arc<T>>) -> Result<Vec<RecordBatch>> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), None)?;
    read_scan(source, scan)
}

/// [`read_all`], with a schema the user gives (`spark.read.schema(...)`, as Arrow).
pub fn read_all_as<T: BatchReader>(
    source: impl Into<Arc<T>>,
    user_schema: SchemaRef,
) -> Result<Vec<RecordBatch>> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), Some(user_schema))?;
    read_scan(source, scan)
}

/// What [`read_all_pushed`] read, and the filters the source handed back to Spark.
#[derive(Debug)]
pub struct PushedRead {
    /// The batches Spark receives from the source.
    pub batches: Vec<RecordBatch>,
    /// The filters Spark still applies after the scan.
    pub handed_back: Vec<Filter>,
}

/// [`read_all`], with `filters` offered to the source as Spark offers them; Spark's own work
/// (applying what was handed back) is left to the caller.
pub fn read_all_pushed<T: FilterPushdown>(
    source: impl Into<Arc<T>>,
    filters: Vec<Filter>,
) -> Result<PushedRead> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), None)?;
    // Filters cross from Spark through the codec, as in the glue.
    let shipped = codec::encode(T::NAME, "filters", &filters)?;
    let filters: Vec<Filter> = codec::decode(T::NAME, "filters", &shipped)?;
    let verdicts = source.push_filters(&scan, &filters)?;
    let pushed = sort_pushed(T::NAME, &filters, &verdicts)?;
    let handed_back = pushed
        .handed_back
        .iter()
        .map(|&i| filters[i].clone())
        .collect();
    let scan = scan.with_filters(pushed.exact, pushed.inexact);
    let batches = read_scan(source, scan)?;
    Ok(PushedRead {
        batches,
        handed_back,
    })
}

/// Plans and reads a scan whose schemas and filters are settled.
fn read_scan<T: BatchReader>(source: Arc<T>, scan: Scan) -> Result<Vec<RecordBatch>> {
    let adapter = scan.adapter(T::NAME)?;
    let plan = source.plan(&scan)?;
    let plan: T::Plan = codec::decode(T::NAME, "plan", &codec::encode(T::NAME, "plan", &plan)?)?;
    let scan = scan.with_plan(plan);
    let mut batches = Vec::new();
    for (index, partition) in source.partitions(&scan)?.into_iter().enumerate() {
        let shipped = codec::encode(T::NAME, "partition", &partition)?;
        let partition: T::Partition = codec::decode(T::NAME, "partition", &shipped)?;
        let task = Task {
            partition_id: index as u32,
            ..Task::default()
        };
        for batch in source.clone().read(&scan, &task, partition)? {
            batches.push(adapter.adapt(batch?)?);
        }
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use arrow_array::Int64Array;

    use super::*;

    fn batch(start: i64) -> RecordBatch {
        let ids = Int64Array::from_iter_values(start..start + 2);
        RecordBatch::try_from_iter([("id", Arc::new(ids) as _)]).unwrap()
    }

    #[test]
    fn a_producers_error_ends_the_batches_after_those_it_sent() {
        let mut batches = Batches::from_producer(|out| {
            out.send(batch(0))?;
            crate::bail!("the cursor broke")
        });
        assert_eq!(batches.next().unwrap().unwrap().num_rows(), 2);
        let error = batches.next().unwrap().unwrap_err();
        assert_eq!(error.to_string(), "the cursor broke");
        assert!(batches.next().is_none());
    }

    #[test]
    fn a_producers_panic_is_an_error() {
        let mut batches = Batches::from_producer(|_| panic!("bad row"));
        let error = batches.next().unwrap().unwrap_err();
        assert_eq!(error.to_string(), "panicked: bad row");
    }

    #[test]
    fn a_producer_stops_when_spark_stops_reading() {
        static SENT: AtomicUsize = AtomicUsize::new(0);
        let (done, finished) = std::sync::mpsc::channel();
        let mut batches = Batches::from_producer(move |out| {
            let outcome = (0..1000).try_for_each(|n| {
                out.send(batch(n))?;
                SENT.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Stopped>(())
            });
            done.send(outcome.is_err()).unwrap();
            Ok(outcome?)
        });
        batches.next().unwrap().unwrap();
        drop(batches);
        assert!(
            finished.recv().unwrap(),
            "the producer saw that Spark stopped"
        );
        // At most one batch ahead of the one read, plus the one it was sending.
        assert!(SENT.load(Ordering::SeqCst) <= 3);
    }
}
