//! [`StreamWriter`]: the streaming-write capability, a sink written micro-batch by micro-batch,
//! each committed once on the driver.

use std::sync::Arc;

use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::batches::Batches;
use crate::source::DataSource;
use crate::task::Task;
use crate::write_job::WriteJob;

/// The streaming-write capability: `df.writeStream.format(...).start()`.
///
/// Like [`BatchWriter`](crate::BatchWriter), once per micro-batch: the tasks of batch `n` write (their [`Task`]
/// holds `batch_id`), then the driver commits or aborts batch `n`. Spark runs `commit` and
/// `abort` on a source built afresh from the options, in another process, and may commit a
/// batch again after a restart: make `commit` idempotent per batch id (a batch already
/// published is skipped), and a restarted query writes every row exactly once.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written by Spark streaming: it does not implement `StreamWriter`",
    note = "`impl StreamWriter for {Self}` with `type Plan`, `type Commit`, `write`, `commit` \
            and `abort`"
)]
pub trait StreamWriter: DataSource {
    /// What the driver prepares for a micro-batch before its tasks (see
    /// [`BatchWriter::Plan`](crate::BatchWriter::Plan)); `()` for nothing.
    type Plan: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// What a task tells the driver it wrote: any serde type (it travels as JSON).
    type Commit: Serialize + DeserializeOwned;

    /// Plans a micro-batch's write, on the driver, once, before its tasks (PySpark makes a
    /// writer for each micro-batch): its tasks find it in [`WriteJob::plan`], and so does its
    /// `commit`/`abort` (Spark runs those on a source built afresh, in another process: the
    /// SDK brings the plan back with the tasks' messages; a micro-batch that had no task
    /// commits with a plan made for it there). By default `Plan::default()`.
    fn plan(&self, write: &WriteJob) -> Result<Self::Plan> {
        let _ = write;
        Ok(Self::Plan::default())
    }

    /// The columns the sink takes, given Spark's schema of the data (see
    /// [`BatchWriter::accepts`](crate::BatchWriter::accepts)).
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        Ok(incoming.clone())
    }

    /// Writes one task's share of a micro-batch, on an executor.
    fn write(
        self: Arc<Self>,
        write: &WriteJob<Self::Plan>,
        task: &Task,
        batches: Batches,
    ) -> Result<Self::Commit>;

    /// Publishes micro-batch `batch_id`, on the driver; idempotent per batch id.
    fn commit(
        &self,
        write: &WriteJob<Self::Plan>,
        batch_id: u64,
        messages: Vec<Self::Commit>,
    ) -> Result<()>;

    /// Undoes micro-batch `batch_id`, on the driver, when one of its tasks failed.
    fn abort(
        &self,
        write: &WriteJob<Self::Plan>,
        batch_id: u64,
        messages: Vec<Option<Self::Commit>>,
    ) -> Result<()>;
}
