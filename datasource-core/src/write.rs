//! [`BatchWriter`] and [`StreamWriter`]: the write capabilities, a sink taking Spark's data as
//! Arrow record batches, task by task, and publishing it (or cleaning up) once on the driver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::adapter::WriteAdapter;
use crate::codec;
use crate::read::Batches;
use crate::row::{Row, Rows};
use crate::source::DataSource;
use crate::task::Task;

/// The batch-write capability: `df.write.format(...).save()`.
///
/// On the driver, before any task runs, Spark's schema of the data is fitted to what the sink
/// [`accepts`](BatchWriter::accepts) (an error names each column that does not fit, at
/// `save()`). Each executor task then calls [`write`](BatchWriter::write) with its share of the
/// data as Arrow batches and returns a commit message (any serde type); when every task has
/// succeeded the driver calls [`commit`](BatchWriter::commit) with all of them, and when any has
/// failed, [`abort`](BatchWriter::abort) with those that came back. A sink that publishes
/// only in `commit` (staged files renamed into place, a transaction committed) loses nothing and
/// leaves nothing half-written.
///
/// # Errors
/// An error (or a panic) in `write` fails the task and makes Spark abort the write; in
/// `commit` or `abort`, it fails the query. Each names the sink and carries the error chain.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use datasource_core::{BatchWriter, Batches, Result, Task, WriteJob};
/// use datasource_macros::data_source;
///
/// /// Counts what Spark writes.
/// #[data_source(name = "counter", crate = "datasource_core")]
/// struct Counter {}
///
/// impl BatchWriter for Counter {
///     type Commit = usize; // the rows one task wrote
///
///     fn write(self: Arc<Self>, _: &WriteJob, _: &Task, batches: Batches) -> Result<usize> {
///         let mut rows = 0;
///         for batch in batches {
///             rows += batch?.num_rows();
///         }
///         Ok(rows)
///     }
///
///     fn commit(&self, _: &WriteJob, counts: Vec<usize>) -> Result<()> {
///         println!("{} rows", counts.iter().sum::<usize>());
///         Ok(())
///     }
///
///     fn abort(&self, _: &WriteJob, _: Vec<Option<usize>>) -> Result<()> {
///         Ok(()) // nothing was published
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written by Spark: it does not implement `BatchWriter`",
    note = "`impl BatchWriter for {Self}` with `write`, `commit` and `abort`"
)]
pub trait BatchWriter: DataSource {
    /// What a task tells the driver it wrote: any serde type (it travels as JSON).
    type Commit: Serialize + DeserializeOwned;

    /// The columns the sink takes, given Spark's schema of the data; on the driver, before any
    /// task. By default, whatever Spark sends. A sink of typed rows returns `R::schema()`: the
    /// data must then have each of its columns (by name), of its type (or a safe widening of
    /// it, see [`WriteAdapter`]), and no nulls where it takes none.
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        Ok(incoming.clone())
    }

    /// Writes one task's data, on an executor: batches of [`WriteJob::schema`], as Spark sends
    /// them (up to `spark.sql.execution.arrow.maxRecordsPerBatch` rows each). Nothing written
    /// here should be visible before `commit`.
    fn write(
        self: Arc<Self>,
        write: &WriteJob,
        task: &Task,
        batches: Batches,
    ) -> Result<Self::Commit>;

    /// Publishes the write, on the driver, once every task has succeeded.
    fn commit(&self, write: &WriteJob, messages: Vec<Self::Commit>) -> Result<()>;

    /// Undoes the write, on the driver, when a task failed: the messages of the tasks that
    /// succeeded, `None` for the others (which may have left partial output).
    fn abort(&self, write: &WriteJob, messages: Vec<Option<Self::Commit>>) -> Result<()>;
}

/// The streaming-write capability: `df.writeStream.format(...).start()`.
///
/// Like [`BatchWriter`], once per micro-batch: the tasks of batch `n` write (their [`Task`]
/// holds `batch_id`), then the driver commits or aborts batch `n`. Spark runs `commit` and
/// `abort` on a source built afresh from the options, in another process, and may commit a
/// batch again after a restart: make `commit` idempotent per batch id (a batch already
/// published is skipped), and a restarted query writes every row exactly once.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written by Spark streaming: it does not implement `StreamWriter`",
    note = "`impl StreamWriter for {Self}` with `write`, `commit` and `abort`"
)]
pub trait StreamWriter: DataSource {
    /// What a task tells the driver it wrote: any serde type (it travels as JSON).
    type Commit: Serialize + DeserializeOwned;

    /// The columns the sink takes, given Spark's schema of the data (see
    /// [`BatchWriter::accepts`]).
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        Ok(incoming.clone())
    }

    /// Writes one task's share of a micro-batch, on an executor.
    fn write(
        self: Arc<Self>,
        write: &WriteJob,
        task: &Task,
        batches: Batches,
    ) -> Result<Self::Commit>;

    /// Publishes micro-batch `batch_id`, on the driver; idempotent per batch id.
    fn commit(&self, write: &WriteJob, batch_id: u64, messages: Vec<Self::Commit>) -> Result<()>;

    /// Undoes micro-batch `batch_id`, on the driver, when one of its tasks failed.
    fn abort(
        &self,
        write: &WriteJob,
        batch_id: u64,
        messages: Vec<Option<Self::Commit>>,
    ) -> Result<()>;
}

/// One write, planned on the driver and handed to every task and to `commit`/`abort`.
#[derive(Debug, Clone)]
pub struct WriteJob {
    id: String,
    schema: SchemaRef,
    overwrite: bool,
}

impl WriteJob {
    /// A write of data of `schema` (what the sink accepts), replacing earlier data when
    /// `overwrite`, known to its tasks as `id`.
    pub fn new(id: impl Into<String>, schema: SchemaRef, overwrite: bool) -> Self {
        WriteJob {
            id: id.into(),
            schema,
            overwrite,
        }
    }

    /// An identifier of this batch write, the same in every task and in `commit`/`abort`, and
    /// new for each write: a name for its staging area, a key for idempotency. Not so for a
    /// stream: PySpark plans one writer for a run's tasks and a fresh one for each micro-batch's
    /// `commit`/`abort`, so the id there differs from the tasks'; key micro-batches by their
    /// batch id instead.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The schema of the batches `write` gets: the columns the sink accepts, as Spark's Arrow
    /// conversion gives them.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Whether the write replaces what the sink holds (`mode("overwrite")`, a streaming query
    /// in complete mode) rather than adding to it.
    pub fn overwrite(&self) -> bool {
        self.overwrite
    }
}

/// A new write identifier: the time, the process and a counter, so two writes never share one.
#[doc(hidden)]
pub fn new_write_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{nanos:x}-{:x}-{:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Batches {
    /// The rows of these batches as `R`s (a `#[derive(Row)]` type whose columns the batches
    /// have, in order): what a sink of typed rows reads. An error in a batch, or a batch of
    /// other columns, is an error item.
    pub fn rows<R: Row>(self) -> impl Iterator<Item = Result<R>> + Send {
        self.flat_map(|batch| {
            let rows: Box<dyn Iterator<Item = Result<R>> + Send> =
                match batch.and_then(|batch| Ok(Rows::<R>::new(&batch)?)) {
                    Ok(rows) => Box::new(rows.map(Ok)),
                    Err(error) => Box::new(std::iter::once(Err(error))),
                };
            rows
        })
    }
}

/// What [`write_all`] did: the write as planned, and each task's commit message.
#[derive(Debug)]
pub struct WriteOutcome<C> {
    pub write: WriteJob,
    pub messages: Vec<C>,
}

/// Runs a whole batch write the way Spark does, without Spark: fits `schema` (Spark's schema of
/// the data) to what the sink accepts, runs one task per entry of `tasks` (its batches), sends
/// each commit message through the codec the glue uses, then commits, or, when a task failed,
/// aborts and returns that task's error; a commit that fails is aborted too, as Spark does,
/// and its error returned. For tests of a sink.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::{write_all, BatchWriter, Batches, Result, Task, WriteJob};
/// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
/// # use datasource_core::arrow_schema::{DataType, Field, Schema};
/// # use datasource_macros::data_source;
/// # #[data_source(name = "counter", crate = "datasource_core")]
/// # struct Counter {}
/// # impl BatchWriter for Counter {
/// #     type Commit = usize;
/// #     fn write(self: Arc<Self>, _: &WriteJob, _: &Task, b: Batches) -> Result<usize> {
/// #         b.map(|b| Ok(b?.num_rows())).sum()
/// #     }
/// #     fn commit(&self, _: &WriteJob, _: Vec<usize>) -> Result<()> { Ok(()) }
/// #     fn abort(&self, _: &WriteJob, _: Vec<Option<usize>>) -> Result<()> { Ok(()) }
/// # }
/// let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
/// let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![1, 2]))])?;
/// let outcome = write_all(Counter {}, schema, vec![vec![batch.clone()], vec![batch]], false)?;
/// assert_eq!(outcome.messages, [2, 2]);
/// # Ok::<(), datasource_core::Error>(())
/// ```
pub fn write_all<T>(
    sink: impl Into<Arc<T>>,
    schema: SchemaRef,
    tasks: Vec<Vec<RecordBatch>>,
    overwrite: bool,
) -> Result<WriteOutcome<T::Commit>>
where
    T: BatchWriter,
    T::Commit: Clone,
{
    let sink = sink.into();
    let accepted = sink.accepts(&schema)?;
    let adapter = WriteAdapter::new(T::NAME, &accepted, &schema)?;
    let write = WriteJob::new(new_write_id(), adapter.output().clone(), overwrite);
    let mut messages = Vec::with_capacity(tasks.len());
    let mut failure = None;
    for (partition, batches) in tasks.into_iter().enumerate() {
        let adapter = adapter.clone();
        let batches = Batches::from_record_batches(
            batches
                .into_iter()
                .map(move |batch| Ok(adapter.adapt(batch)?)),
        );
        // Unique per attempt in the application, as Spark's are.
        let task = Task {
            partition_id: partition as u32,
            task_attempt_id: partition as u64,
            ..Task::default()
        };
        let shipped = sink
            .clone()
            .write(&write, &task, batches)
            .and_then(|message| Ok(codec::encode(T::NAME, "commit message", &message)?))
            .and_then(|text| {
                Ok(codec::decode::<T::Commit>(
                    T::NAME,
                    "commit message",
                    &text,
                )?)
            });
        match shipped {
            Ok(message) => messages.push(Some(message)),
            Err(error) => {
                messages.push(None);
                failure.get_or_insert(error);
            }
        }
    }
    if let Some(error) = failure {
        sink.abort(&write, messages)?;
        return Err(error);
    }
    let messages: Vec<T::Commit> = messages.into_iter().flatten().collect();
    if let Err(error) = sink.commit(&write, messages.clone()) {
        // As Spark does: a commit that fails is followed by `abort` with the same messages;
        // the commit's error is the one reported.
        let _ = sink.abort(&write, messages.into_iter().map(Some).collect());
        return Err(error);
    }
    Ok(WriteOutcome { write, messages })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use arrow_array::Int64Array;
    use arrow_schema::{DataType, Field, Schema};
    use datasource_macros::data_source;

    use super::*;
    use crate::bail;

    /// A sink whose commit fails; it records what `abort` got.
    #[data_source(name = "refusing", crate = "crate")]
    struct Refusing {
        #[option(skip)]
        aborted: Mutex<Option<Vec<Option<usize>>>>,
    }

    impl BatchWriter for Refusing {
        type Commit = usize;
        fn write(self: Arc<Self>, _: &WriteJob, _: &Task, b: Batches) -> Result<usize> {
            b.map(|b| Ok(b?.num_rows())).sum()
        }
        fn commit(&self, _: &WriteJob, _: Vec<usize>) -> Result<()> {
            bail!("the target went away")
        }
        fn abort(&self, _: &WriteJob, messages: Vec<Option<usize>>) -> Result<()> {
            *self.aborted.lock().unwrap() = Some(messages);
            Ok(())
        }
    }

    #[test]
    fn a_commit_that_fails_is_aborted_with_every_message() {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![1, 2]))])
                .unwrap();
        let sink = Arc::new(Refusing {
            aborted: Mutex::new(None),
        });
        let error = write_all::<Refusing>(
            sink.clone(),
            schema,
            vec![vec![batch.clone()], vec![batch]],
            false,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("the target went away"),
            "{error}"
        );
        assert_eq!(*sink.aborted.lock().unwrap(), Some(vec![Some(2), Some(2)]));
    }
}
