//! [`AsyncBatchWriter`]: the batch-write capability with async hooks.

use std::sync::Arc;

use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::runtime;
use super::stream::BatchStream;
use crate::Result;
use crate::batches::Batches;
use crate::capability::batch_write::BatchWriter;
use crate::source::DataSource;
use crate::task::Task;
use crate::write_job::WriteJob;

/// [`BatchWriter`] for a sink whose client is async: the same hooks, `write`, `commit` and
/// `abort` each an `async fn` run on the SDK's [`runtime`], and a task's data a
/// [`BatchStream`] (Spark hands over the next batch while the last is sent on). Every type that
/// implements it is a [`BatchWriter`], so `export!` serves it as one.
///
/// ```
/// use std::sync::Arc;
/// use datasource_core::{AsyncBatchWriter, BatchStream, Result, Task, WriteJob};
/// use datasource_macros::data_source;
/// use futures_util::TryStreamExt;
///
/// /// Counts what Spark writes, as an async client would upload it.
/// #[data_source(name = "uploads", crate = "datasource_core")]
/// struct Uploads {}
///
/// impl AsyncBatchWriter for Uploads {
///     type Plan = ();
///     type Commit = usize;
///
///     async fn write(self: Arc<Self>, _: &WriteJob, _: &Task, batches: BatchStream) -> Result<usize> {
///         // Each batch would be awaited into an upload here.
///         batches.try_fold(0, |rows, batch| async move { Ok(rows + batch.num_rows()) }).await
///     }
///
///     async fn commit(&self, _: &WriteJob, counts: Vec<usize>) -> Result<()> {
///         assert_eq!(counts.iter().sum::<usize>(), 3);
///         Ok(())
///     }
///
///     async fn abort(&self, _: &WriteJob, _: Vec<Option<usize>>) -> Result<()> {
///         Ok(())
///     }
/// }
///
/// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
/// let batch = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1, 2, 3])) as _)])?;
/// let outcome = datasource_core::testing::write_all(Uploads {}, batch.schema(), vec![vec![batch]], false)?;
/// assert_eq!(outcome.messages, [3]);
/// # Ok::<(), datasource_core::Error>(())
/// ```
// The futures of these hooks run on the thread that calls them (`runtime::block_on`), so they
// need not be `Send`: no bound is asked of them.
#[allow(async_fn_in_trait)]
pub trait AsyncBatchWriter: DataSource {
    /// As [`BatchWriter::Plan`].
    type Plan: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// As [`BatchWriter::Commit`].
    type Commit: Serialize + DeserializeOwned;

    /// As [`BatchWriter::plan`], on the driver.
    async fn plan(&self, write: &WriteJob) -> Result<Self::Plan> {
        let _ = write;
        Ok(Self::Plan::default())
    }

    /// As [`BatchWriter::accepts`] (not async: it only looks at a schema).
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        Ok(incoming.clone())
    }

    /// As [`BatchWriter::write`], on an executor.
    async fn write(
        self: Arc<Self>,
        write: &WriteJob<Self::Plan>,
        task: &Task,
        batches: BatchStream,
    ) -> Result<Self::Commit>;

    /// As [`BatchWriter::commit`], on the driver.
    async fn commit(&self, write: &WriteJob<Self::Plan>, messages: Vec<Self::Commit>)
    -> Result<()>;

    /// As [`BatchWriter::abort`], on the driver.
    async fn abort(
        &self,
        write: &WriteJob<Self::Plan>,
        messages: Vec<Option<Self::Commit>>,
    ) -> Result<()>;
}

impl<T: AsyncBatchWriter> BatchWriter for T {
    type Plan = <T as AsyncBatchWriter>::Plan;
    type Commit = <T as AsyncBatchWriter>::Commit;

    fn plan(&self, write: &WriteJob) -> Result<Self::Plan> {
        runtime::block_on(AsyncBatchWriter::plan(self, write))
    }

    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        AsyncBatchWriter::accepts(self, incoming)
    }

    fn write(
        self: Arc<Self>,
        write: &WriteJob<Self::Plan>,
        task: &Task,
        batches: Batches,
    ) -> Result<Self::Commit> {
        runtime::block_on(AsyncBatchWriter::write(
            self,
            write,
            task,
            batches.into_stream(),
        ))
    }

    fn commit(&self, write: &WriteJob<Self::Plan>, messages: Vec<Self::Commit>) -> Result<()> {
        runtime::block_on(AsyncBatchWriter::commit(self, write, messages))
    }

    fn abort(
        &self,
        write: &WriteJob<Self::Plan>,
        messages: Vec<Option<Self::Commit>>,
    ) -> Result<()> {
        runtime::block_on(AsyncBatchWriter::abort(self, write, messages))
    }
}
