//! The write capabilities' glue: `DataSource.writer()` and `streamWriter()`, and the writer Spark
//! pickles to its executors (to write) and to its driver (to commit or abort).
//!
//! On the driver, the writer is planned once: what the sink accepts is fitted to Spark's schema
//! (refused there, at `save()`/`start()`, if it does not fit), and the plan (the write's id,
//! both schemas, `overwrite`) is encoded with the codec. Executors restore the writer from it
//! and feed the sink their task's batches through the Arrow C stream interface; commit
//! messages travel back as codec text.

use std::sync::Arc;

use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_pyarrow::FromPyArrow;
use arrow_schema::SchemaRef;
use datasource_core::adapter::WriteAdapter;
use datasource_core::schema::{from_spark_json, to_spark_json};
use datasource_core::write::new_write_id;
use datasource_core::{
    BatchWriter, Batches, Result, StreamWriter, Task, WriteJob, codec, format_err,
};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::{guarded, in_source, schema_error, source_error};
use crate::read::{IntoTask, TaskSpec};

/// A [`BatchWriter`] or [`StreamWriter`] with its types erased: commit messages travel as codec
/// text. Its methods are named apart from the traits users implement.
pub trait WriteRole: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn accepted_schema(&self, incoming: &SchemaRef) -> Result<SchemaRef>;
    fn write_task(&self, write: &WriteJob, task: &Task, batches: Batches) -> Result<String>;
    fn commit_write(
        &self,
        write: &WriteJob,
        batch: Option<u64>,
        messages: Vec<String>,
    ) -> Result<()>;
    fn abort_write(
        &self,
        write: &WriteJob,
        batch: Option<u64>,
        messages: Vec<Option<String>>,
    ) -> Result<()>;
}

fn decode_all<C: serde::de::DeserializeOwned>(
    name: &'static str,
    texts: Vec<String>,
) -> Result<Vec<C>> {
    texts
        .iter()
        .map(|text| Ok(codec::decode(name, "commit message", text)?))
        .collect()
}

fn decode_some<C: serde::de::DeserializeOwned>(
    name: &'static str,
    texts: Vec<Option<String>>,
) -> Result<Vec<Option<C>>> {
    texts
        .iter()
        .map(|text| match text {
            Some(text) => Ok(Some(codec::decode(name, "commit message", text)?)),
            None => Ok(None),
        })
        .collect()
}

pub(crate) struct TypedBatchWrite<T>(pub(crate) Arc<T>);

impl<T: BatchWriter> WriteRole for TypedBatchWrite<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn accepted_schema(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        self.0.accepts(incoming)
    }

    fn write_task(&self, write: &WriteJob, task: &Task, batches: Batches) -> Result<String> {
        let message = self.0.clone().write(write, task, batches)?;
        Ok(codec::encode(T::NAME, "commit message", &message)?)
    }

    fn commit_write(&self, write: &WriteJob, _: Option<u64>, messages: Vec<String>) -> Result<()> {
        self.0.commit(write, decode_all(T::NAME, messages)?)
    }

    fn abort_write(
        &self,
        write: &WriteJob,
        _: Option<u64>,
        messages: Vec<Option<String>>,
    ) -> Result<()> {
        self.0.abort(write, decode_some(T::NAME, messages)?)
    }
}

pub(crate) struct TypedStreamWrite<T>(pub(crate) Arc<T>);

fn batch_id(batch: Option<u64>) -> Result<u64> {
    batch.ok_or_else(|| format_err!("Spark gave no micro-batch id to commit or abort"))
}

impl<T: StreamWriter> WriteRole for TypedStreamWrite<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn accepted_schema(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        self.0.accepts(incoming)
    }

    fn write_task(&self, write: &WriteJob, task: &Task, batches: Batches) -> Result<String> {
        let message = self.0.clone().write(write, task, batches)?;
        Ok(codec::encode(T::NAME, "commit message", &message)?)
    }

    fn commit_write(
        &self,
        write: &WriteJob,
        batch: Option<u64>,
        messages: Vec<String>,
    ) -> Result<()> {
        self.0
            .commit(write, batch_id(batch)?, decode_all(T::NAME, messages)?)
    }

    fn abort_write(
        &self,
        write: &WriteJob,
        batch: Option<u64>,
        messages: Vec<Option<String>>,
    ) -> Result<()> {
        self.0
            .abort(write, batch_id(batch)?, decode_some(T::NAME, messages)?)
    }
}

/// What travels from the driver's writer to the executors' and to commit.
#[derive(Serialize, Deserialize)]
struct WritePlan {
    id: String,
    /// What the sink accepts (Spark JSON).
    accepted: serde_json::Value,
    /// Spark's schema of the data written (Spark JSON).
    incoming: serde_json::Value,
    overwrite: bool,
}

/// The glue of one write capability of an opened source, on the driver: writers planned or
/// restored.
#[pyclass(frozen, name = "NativeWrite", module = "datasource_py")]
pub(crate) struct NativeWrite {
    role: Arc<dyn WriteRole>,
}

impl NativeWrite {
    pub(crate) fn new(role: Arc<dyn WriteRole>) -> Self {
        NativeWrite { role }
    }
}

#[pymethods]
impl NativeWrite {
    /// Plans a write of data of Spark's `incoming_json` schema: what the sink accepts is fitted
    /// to it here, so a mismatch fails `save()` before any task runs.
    fn writer(
        &self,
        py: Python<'_>,
        incoming_json: &str,
        overwrite: bool,
    ) -> PyResult<NativeWriter> {
        let name = self.role.source_name();
        guarded(name, "writer()", || {
            let incoming =
                Arc::new(from_spark_json(incoming_json).map_err(|e| schema_error(name, e))?);
            let role = self.role.clone();
            let accepted = py
                .detach(|| role.accepted_schema(&incoming))
                .map_err(|e| source_error(name, "accepts()", e))?;
            let plan = WritePlan {
                id: new_write_id(),
                accepted: to_spark_json(&accepted).map_err(|e| schema_error(name, e))?,
                incoming: to_spark_json(&incoming).map_err(|e| schema_error(name, e))?,
                overwrite,
            };
            let plan =
                codec::encode(name, "write plan", &plan).map_err(|e| schema_error(name, e))?;
            NativeWriter::restore(self.role.clone(), &plan)
        })
    }

    /// An executor's (or the committing driver's) writer: this source, and the plan.
    fn restore_writer(&self, plan: &str) -> PyResult<NativeWriter> {
        guarded(self.role.source_name(), "writer restore", || {
            NativeWriter::restore(self.role.clone(), plan)
        })
    }
}

/// A planned write: on executors it writes tasks, on the driver it commits or aborts.
#[pyclass(frozen, name = "NativeWriter", module = "datasource_py")]
pub(crate) struct NativeWriter {
    role: Arc<dyn WriteRole>,
    write: WriteJob,
    adapter: WriteAdapter,
    plan: String,
}

impl NativeWriter {
    fn restore(role: Arc<dyn WriteRole>, plan_text: &str) -> PyResult<Self> {
        let name = role.source_name();
        let plan: WritePlan =
            codec::decode(name, "write plan", plan_text).map_err(|e| schema_error(name, e))?;
        let schema = |json: &serde_json::Value| {
            from_spark_json(&json.to_string()).map_err(|e| schema_error(name, e))
        };
        let adapter = WriteAdapter::new(name, &schema(&plan.accepted)?, &schema(&plan.incoming)?)
            .map_err(|e| schema_error(name, e))?;
        Ok(NativeWriter {
            write: WriteJob::new(plan.id, adapter.output().clone(), plan.overwrite),
            role,
            adapter,
            plan: plan_text.to_owned(),
        })
    }
}

#[pymethods]
impl NativeWriter {
    /// The plan, for pickling: restoring from it gives this writer back.
    fn state(&self) -> &str {
        &self.plan
    }

    /// Writes one task: `stream` is a `pyarrow.RecordBatchReader` over the task's batches (or
    /// `None` when it has none), read through the Arrow C stream interface with the GIL
    /// released; the commit message comes back as codec text.
    #[pyo3(signature = (stream, task))]
    fn write(
        &self,
        py: Python<'_>,
        stream: Option<&Bound<'_, PyAny>>,
        task: TaskSpec,
    ) -> PyResult<String> {
        let name = self.role.source_name();
        guarded(name, "write", || {
            let batches = match stream {
                None => Batches::empty(),
                Some(stream) => {
                    let reader = RecordBatchStreamReader::from_pyarrow_bound(stream)?;
                    let adapter = self.adapter.clone();
                    Batches::from_record_batches(
                        reader.map(move |batch| Ok(adapter.adapt(batch?)?)),
                    )
                }
            };
            let task = task.into_task();
            py.detach(|| self.role.write_task(&self.write, &task, batches))
                .map_err(|e| source_error(name, "write", e))
        })
    }

    /// Publishes the write (every task succeeded), on the driver.
    #[pyo3(signature = (messages, batch_id=None))]
    fn commit(
        &self,
        py: Python<'_>,
        messages: Vec<Option<String>>,
        batch_id: Option<u64>,
    ) -> PyResult<()> {
        in_source(py, self.role.source_name(), "commit", || {
            let messages: Option<Vec<String>> = messages.into_iter().collect();
            let messages = messages
                .ok_or_else(|| format_err!("a task that succeeded sent no commit message"))?;
            self.role.commit_write(&self.write, batch_id, messages)
        })
    }

    /// Undoes the write (a task failed), on the driver.
    #[pyo3(signature = (messages, batch_id=None))]
    fn abort(
        &self,
        py: Python<'_>,
        messages: Vec<Option<String>>,
        batch_id: Option<u64>,
    ) -> PyResult<()> {
        in_source(py, self.role.source_name(), "abort", || {
            self.role.abort_write(&self.write, batch_id, messages)
        })
    }
}
