//! What both write capabilities share: a writer planned on the driver (what the sink accepts
//! fitted to Spark's schema, refused there, at `save()`/`start()`, if it does not fit), pickled
//! to the executors (to write) and to the driver (to commit or abort). Executors feed the sink
//! their task's batches through the Arrow C stream interface; commit messages travel back as
//! codec text.

use std::sync::Arc;

use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_pyarrow::FromPyArrow;
use arrow_schema::SchemaRef;
use datasource_core::adapter::WriteAdapter;
use datasource_core::codec::{self, Cargo};
use datasource_core::schema::{from_spark_json, to_spark_json};
use datasource_core::write_job::new_write_id;
use datasource_core::{Batches, Result, Task, WriteJob, format_err};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::boundary::schema::SparkSchema;
use crate::boundary::task::current_task;
use crate::errors::{guarded, in_source, schema_error, source_error};

/// A `BatchWriter` or `StreamWriter` with its types erased: commit messages travel as codec
/// text; `batch` is the micro-batch of a stream (`None` in a batch write).
pub trait WriteRole: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef>;
    fn write(&self, write: &WriteJob, task: &Task, batches: Batches) -> Result<String>;
    fn commit(&self, write: &WriteJob, batch: Option<u64>, messages: Vec<String>) -> Result<()>;
    fn abort(
        &self,
        write: &WriteJob,
        batch: Option<u64>,
        messages: Vec<Option<String>>,
    ) -> Result<()>;
}

/// Each commit message, decoded.
pub(crate) fn decode_all<C: serde::de::DeserializeOwned>(
    name: &'static str,
    texts: Vec<String>,
) -> Result<Vec<C>> {
    texts
        .iter()
        .map(|text| Ok(codec::decode(name, Cargo::CommitMessage, text)?))
        .collect()
}

/// Each commit message that came back, decoded.
pub(crate) fn decode_some<C: serde::de::DeserializeOwned>(
    name: &'static str,
    texts: Vec<Option<String>>,
) -> Result<Vec<Option<C>>> {
    texts
        .iter()
        .map(|text| match text {
            Some(text) => Ok(Some(codec::decode(name, Cargo::CommitMessage, text)?)),
            None => Ok(None),
        })
        .collect()
}

/// A writer's pickled form: what travels from the driver's writer to the executors' and to
/// commit.
#[derive(Serialize, Deserialize)]
struct WriteState {
    id: String,
    /// What the sink accepts (Spark JSON).
    accepted: serde_json::Value,
    /// Spark's schema of the data written (Spark JSON).
    incoming: serde_json::Value,
    overwrite: bool,
}

pub(crate) fn native(py: Python<'_>, role: Arc<dyn WriteRole>) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, NativeWrite { role })?.into_any())
}

/// The glue of one write capability of an opened source: writers planned or restored.
#[pyclass(frozen, name = "NativeWrite", module = "datasource_py")]
struct NativeWrite {
    role: Arc<dyn WriteRole>,
}

#[pymethods]
impl NativeWrite {
    /// Plans a write of data of `schema` (the `StructType` Spark writes): what the sink accepts
    /// is fitted to it here, so a mismatch fails `save()` before any task runs.
    fn writer(
        &self,
        py: Python<'_>,
        schema: SparkSchema,
        overwrite: bool,
    ) -> PyResult<NativeWriter> {
        let name = self.role.source_name();
        guarded(name, "writer()", || {
            let incoming = Arc::new(schema.arrow(name)?);
            let role = self.role.clone();
            let accepted = py
                .detach(|| role.accepts(&incoming))
                .map_err(|e| source_error(name, "accepts()", e))?;
            let state = WriteState {
                id: new_write_id(),
                accepted: to_spark_json(&accepted).map_err(|e| schema_error(name, e))?,
                incoming: to_spark_json(&incoming).map_err(|e| schema_error(name, e))?,
                overwrite,
            };
            let state = codec::encode(name, Cargo::WriteState, &state)
                .map_err(|e| schema_error(name, e))?;
            NativeWriter::restore(self.role.clone(), &state)
        })
    }

    /// An executor's (or the committing driver's) writer, from the pickled state.
    fn restore(&self, state: &str) -> PyResult<NativeWriter> {
        guarded(self.role.source_name(), "writer restore", || {
            NativeWriter::restore(self.role.clone(), state)
        })
    }
}

/// A planned write: on executors it writes tasks, on the driver it commits or aborts.
#[pyclass(frozen, name = "NativeWriter", module = "datasource_py")]
struct NativeWriter {
    role: Arc<dyn WriteRole>,
    write: WriteJob,
    adapter: WriteAdapter,
    state: String,
}

impl NativeWriter {
    fn restore(role: Arc<dyn WriteRole>, text: &str) -> PyResult<Self> {
        let name = role.source_name();
        let state: WriteState =
            codec::decode(name, Cargo::WriteState, text).map_err(|e| schema_error(name, e))?;
        let schema = |json: &serde_json::Value| {
            from_spark_json(&json.to_string()).map_err(|e| schema_error(name, e))
        };
        let adapter = WriteAdapter::new(name, &schema(&state.accepted)?, &schema(&state.incoming)?)
            .map_err(|e| schema_error(name, e))?;
        Ok(NativeWriter {
            write: WriteJob::new(state.id, adapter.output().clone(), state.overwrite),
            role,
            adapter,
            state: text.to_owned(),
        })
    }
}

#[pymethods]
impl NativeWriter {
    /// The pickled form: restoring from it gives this writer back.
    fn state(&self) -> &str {
        &self.state
    }

    /// Writes the running task: `stream` is a `pyarrow.RecordBatchReader` over its batches (or
    /// `None` when it has none), read through the Arrow C stream interface with the GIL
    /// released; the commit message comes back as codec text.
    fn write(&self, py: Python<'_>, stream: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let name = self.role.source_name();
        guarded(name, "write", || {
            let schema = self.write.schema().clone();
            let batches = match stream {
                None => Batches::empty(),
                Some(stream) => {
                    let reader = RecordBatchStreamReader::from_pyarrow_bound(stream)?;
                    let adapter = self.adapter.clone();
                    Batches::from_record_batches(
                        reader.map(move |batch| Ok(adapter.adapt(batch?)?)),
                    )
                }
            }
            .with_schema(schema);
            let task = current_task(py)?;
            py.detach(|| self.role.write(&self.write, &task, batches))
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
            self.role.commit(&self.write, batch_id, messages)
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
            self.role.abort(&self.write, batch_id, messages)
        })
    }
}
