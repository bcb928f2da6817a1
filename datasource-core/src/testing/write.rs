//! Batch writes the way Spark runs them: [`write_all`].

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::adapter::WriteAdapter;
use crate::batches::Batches;
use crate::capability::batch_write::BatchWriter;
use crate::codec::{self, Cargo};
use crate::task::Task;
use crate::write_job::{WriteJob, new_write_id};

/// What [`write_all`] did: the write as planned, and each task's commit message.
#[derive(Debug)]
pub struct WriteOutcome<C, P = ()> {
    /// The write the tasks and the commit were handed: its id, the schema the sink accepted
    /// and the sink's plan, as it came back through the codec.
    pub write: WriteJob<P>,
    /// The commit message of each task, in the order of `tasks`, as `commit` got them.
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
/// # use datasource_core::testing::write_all;
/// # use datasource_core::{BatchWriter, Batches, Result, Task, WriteJob};
/// # use datasource_core::arrow_array::{Int64Array, RecordBatch};
/// # use datasource_core::arrow_schema::{DataType, Field, Schema};
/// # use datasource_macros::data_source;
/// # #[data_source(name = "counter", crate = "datasource_core")]
/// # struct Counter {}
/// # impl BatchWriter for Counter {
/// #     type Plan = ();
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
) -> Result<WriteOutcome<T::Commit, T::Plan>>
where
    T: BatchWriter,
    T::Commit: Clone,
{
    let sink = sink.into();
    let accepted = sink.accepts(&schema)?;
    let adapter = WriteAdapter::new(T::NAME, &accepted, &schema)?;
    let write = WriteJob::new(new_write_id(), adapter.output().clone(), overwrite);
    // Planned once, on the driver; the plan reaches the tasks through the codec.
    let plan = codec::shipped(T::NAME, Cargo::Plan, &sink.plan(&write)?)?;
    let write = write.with_plan(plan);
    let (messages, failure) = run_tasks(T::NAME, &write, &adapter, None, tasks, |task, batches| {
        sink.clone().write(&write, task, batches)
    });
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

/// Runs one task per entry of `tasks` with `write_task`, as Spark's executors do: the batches
/// fitted to what the sink accepts, each commit message sent through the codec of the sink
/// named `sink`. Every task's message (`None` for a task that failed), and the first failure.
pub(super) fn run_tasks<C: Serialize + DeserializeOwned, P>(
    sink: &'static str,
    write: &WriteJob<P>,
    adapter: &WriteAdapter,
    batch_id: Option<u64>,
    tasks: Vec<Vec<RecordBatch>>,
    write_task: impl Fn(&Task, Batches) -> Result<C>,
) -> (Vec<Option<C>>, Option<crate::Error>) {
    let mut messages = Vec::with_capacity(tasks.len());
    let mut failure = None;
    for (partition, batches) in tasks.into_iter().enumerate() {
        let adapter = adapter.clone();
        let batches = Batches::from_record_batches(
            batches
                .into_iter()
                .map(move |batch| Ok(adapter.adapt(batch)?)),
        )
        .with_schema(write.schema().clone());
        // Unique per attempt in the application, as Spark's are.
        let mut task = Task::new(partition as u32);
        if let Some(batch_id) = batch_id {
            task = task.with_batch_id(batch_id);
        }
        let shipped = write_task(&task, batches)
            .and_then(|message| Ok(codec::shipped(sink, Cargo::CommitMessage, &message)?));
        match shipped {
            Ok(message) => messages.push(Some(message)),
            Err(error) => {
                messages.push(None);
                failure.get_or_insert(error);
            }
        }
    }
    (messages, failure)
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
        type Plan = ();
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
