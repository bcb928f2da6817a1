//! Streaming writes the way Spark runs them: [`StreamWriteRun`].

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::write::run_tasks;
use crate::Result;
use crate::adapter::WriteAdapter;
use crate::capability::stream_write::StreamWriter;
use crate::codec::{self, Cargo};
use crate::options::RawOptions;
use crate::write_job::{WriteJob, new_write_id};

/// Runs a [`StreamWriter`] micro-batch by micro-batch the way PySpark does, without Spark. The
/// driver's sink, built from `options`, fits the data's schema once per run; each micro-batch's
/// tasks then write on sinks built afresh from the options (as executors rebuild them), their
/// commit messages cross through the codec, and the batch is committed, or aborted when a task
/// failed, on yet another fresh sink (PySpark commits on a writer made anew, so its
/// [`WriteJob::id`] differs from the tasks'). The driver plans each micro-batch, and its tasks
/// and commit get that plan (through the codec). A restarted query is [`restart`](Self::restart)
/// and [`write_batch_again`](Self::write_batch_again): the same batch id, written and committed
/// again.
///
/// ```
/// # use std::sync::{Arc, Mutex};
/// # use datasource_core::{Batches, Result, StreamWriter, Task, WriteJob};
/// # use datasource_core::options::RawOptions;
/// # use datasource_core::testing::StreamWriteRun;
/// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
/// # use datasource_core::arrow_schema::{DataType, Field, Schema};
/// # use datasource_macros::data_source;
/// static COMMITTED: Mutex<Vec<(u64, usize)>> = Mutex::new(Vec::new());
///
/// /// Counts the rows of each micro-batch, once per batch id.
/// #[data_source(name = "counts", crate = "datasource_core")]
/// struct Counts {}
///
/// impl StreamWriter for Counts {
///     type Plan = ();
///     type Commit = usize;
///     fn write(self: Arc<Self>, _: &WriteJob, _: &Task, batches: Batches) -> Result<usize> {
///         batches.map(|batch| Ok(batch?.num_rows())).sum()
///     }
///     fn commit(&self, _: &WriteJob, batch_id: u64, rows: Vec<usize>) -> Result<()> {
///         let mut committed = COMMITTED.lock().unwrap();
///         if !committed.iter().any(|(id, _)| *id == batch_id) {
///             committed.push((batch_id, rows.iter().sum()));
///         }
///         Ok(())
///     }
///     fn abort(&self, _: &WriteJob, _: u64, _: Vec<Option<usize>>) -> Result<()> { Ok(()) }
/// }
///
/// let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
/// let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![1, 2]))])?;
/// let mut run = StreamWriteRun::<Counts>::start(&RawOptions::new(), schema, false)?;
/// run.write_batch(vec![vec![batch.clone()], vec![batch.clone()]])?;
/// run.restart()?;
/// run.write_batch_again(0, vec![vec![batch]])?; // replayed after a crash: committed once
/// assert_eq!(*COMMITTED.lock().unwrap(), [(0, 4)]);
/// # Ok::<(), datasource_core::Error>(())
/// ```
pub struct StreamWriteRun<T: StreamWriter> {
    options: RawOptions,
    incoming: SchemaRef,
    adapter: WriteAdapter,
    write: WriteJob,
    overwrite: bool,
    next_batch: u64,
    _sink: std::marker::PhantomData<fn() -> T>,
}

impl<T: StreamWriter> StreamWriteRun<T> {
    /// A query writing data of Spark's `schema` to the sink `options` configure; `overwrite`
    /// for complete output mode.
    pub fn start(options: &RawOptions, schema: SchemaRef, overwrite: bool) -> Result<Self> {
        let driver = T::from_options(options)?;
        let accepted = driver.accepts(&schema)?;
        let adapter = WriteAdapter::new(T::NAME, &accepted, &schema)?;
        let write = WriteJob::new(new_write_id(), adapter.output().clone(), overwrite);
        Ok(StreamWriteRun {
            options: options.clone(),
            incoming: schema,
            adapter,
            write,
            overwrite,
            next_batch: 0,
            _sink: std::marker::PhantomData,
        })
    }

    /// The query restarted from its checkpoint: a new run plans a new writer.
    pub fn restart(&mut self) -> Result<()> {
        let driver = T::from_options(&self.options)?;
        let accepted = driver.accepts(&self.incoming)?;
        self.adapter = WriteAdapter::new(T::NAME, &accepted, &self.incoming)?;
        self.write = WriteJob::new(
            new_write_id(),
            self.adapter.output().clone(),
            self.overwrite,
        );
        Ok(())
    }

    /// Writes the next micro-batch, one task per entry of `tasks`, and commits it; its batch
    /// id. A task that fails aborts the batch, and its error is returned (the batch id is not
    /// used up: Spark retries the same batch).
    pub fn write_batch(&mut self, tasks: Vec<Vec<RecordBatch>>) -> Result<u64> {
        let batch_id = self.next_batch;
        self.write_batch_again(batch_id, tasks)?;
        self.next_batch = batch_id + 1;
        Ok(batch_id)
    }

    /// Writes and commits micro-batch `batch_id` (again, as a restarted query replays the batch
    /// it did not finish, or commits one whose commit it did not record).
    pub fn write_batch_again(&mut self, batch_id: u64, tasks: Vec<Vec<RecordBatch>>) -> Result<()> {
        // Planned for this micro-batch, on a driver's sink of its own (PySpark makes a writer
        // for each micro-batch).
        let write = planned(&T::from_options(&self.options)?, self.write.clone())?;
        let (messages, failure) = run_tasks(
            T::NAME,
            &write,
            &self.adapter,
            Some(batch_id),
            tasks,
            |task, batches| Arc::new(T::from_options(&self.options)?).write(&write, task, batches),
        );
        // The commit runs on a writer planned anew, with an id of its own.
        let committer = T::from_options(&self.options)?;
        let commit_job = WriteJob::new(new_write_id(), self.write.schema().clone(), self.overwrite)
            .with_plan(codec::shipped(T::NAME, Cargo::Plan, write.plan())?);
        if let Some(error) = failure {
            committer.abort(&commit_job, batch_id, messages)?;
            return Err(error);
        }
        let messages: Vec<T::Commit> = messages.into_iter().flatten().collect();
        committer.commit(&commit_job, batch_id, messages)?;
        self.next_batch = self.next_batch.max(batch_id + 1);
        Ok(())
    }

    /// The id the next micro-batch gets.
    pub fn next_batch_id(&self) -> u64 {
        self.next_batch
    }
}

/// `write` with `driver`'s plan, as the tasks receive it (through the codec).
fn planned<T: StreamWriter>(driver: &T, write: WriteJob) -> Result<WriteJob<T::Plan>> {
    let plan = codec::shipped(T::NAME, Cargo::Plan, &driver.plan(&write)?)?;
    Ok(write.with_plan(plan))
}

impl<T: StreamWriter> std::fmt::Debug for StreamWriteRun<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamWriteRun")
            .field("sink", &T::NAME)
            .field("next_batch", &self.next_batch)
            .finish_non_exhaustive()
    }
}
