//! [`BatchWriter`]: the batch-write capability, a sink taking Spark's data as Arrow record
//! batches, task by task, and publishing it (or cleaning up) once on the driver.

use std::sync::Arc;

use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::batches::Batches;
use crate::source::DataSource;
use crate::task::Task;
use crate::write_job::WriteJob;

/// The batch-write capability: `df.write.format(...).save()`.
///
/// On the driver, before any task runs, Spark's schema of the data is fitted to what the sink
/// [`accepts`](BatchWriter::accepts) (an error names each column that does not fit, at
/// `save()`), and the sink [`plan`](BatchWriter::plan)s the write once (a table created, a
/// snapshot version read for an optimistic commit, upload targets made): every task and
/// `commit`/`abort` find that plan in [`WriteJob::plan`]. Each executor task then calls [`write`](BatchWriter::write) with its share of the
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
///     type Plan = (); // nothing planned before the tasks
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
    note = "`impl BatchWriter for {Self}` with `type Plan`, `type Commit`, `write`, `commit` \
            and `abort`"
)]
pub trait BatchWriter: DataSource {
    /// What the driver prepares before any task writes and every task and `commit` need (a
    /// table created, a snapshot version, upload targets): any serde type, made once by
    /// [`plan`](BatchWriter::plan), read as [`WriteJob::plan`]; `()` for nothing.
    type Plan: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// What a task tells the driver it wrote: any serde type (it travels as JSON).
    type Commit: Serialize + DeserializeOwned;

    /// Plans the write, on the driver, once, after `accepts` and before any task: what its
    /// tasks and `commit` share. By default `Plan::default()`.
    fn plan(&self, write: &WriteJob) -> Result<Self::Plan> {
        let _ = write;
        Ok(Self::Plan::default())
    }

    /// The columns the sink takes, given Spark's schema of the data; on the driver, before any
    /// task. By default, whatever Spark sends. A sink of typed rows returns `R::schema()`: the
    /// data must then have each of its columns (by name), of its type (or a safe widening of
    /// it, see [`WriteAdapter`](crate::adapter::WriteAdapter)), and no nulls where it takes none.
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        Ok(incoming.clone())
    }

    /// Writes one task's data, on an executor: batches of [`WriteJob::schema`], as Spark sends
    /// them (up to `spark.sql.execution.arrow.maxRecordsPerBatch` rows each). Nothing written
    /// here should be visible before `commit`.
    fn write(
        self: Arc<Self>,
        write: &WriteJob<Self::Plan>,
        task: &Task,
        batches: Batches,
    ) -> Result<Self::Commit>;

    /// Publishes the write, on the driver, once every task has succeeded.
    fn commit(&self, write: &WriteJob<Self::Plan>, messages: Vec<Self::Commit>) -> Result<()>;

    /// Undoes the write, on the driver, when a task failed: the messages of the tasks that
    /// succeeded, `None` for the others (which may have left partial output).
    fn abort(
        &self,
        write: &WriteJob<Self::Plan>,
        messages: Vec<Option<Self::Commit>>,
    ) -> Result<()>;
}
