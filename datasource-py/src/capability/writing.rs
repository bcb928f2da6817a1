//! What both write capabilities share: a writer planned on the driver (what the sink accepts
//! fitted to Spark's schema, refused there, at `save()`/`start()`, if it does not fit), pickled
//! to the executors (to write) and to the driver (to commit or abort). The sink's own plan is
//! made when the writer is first pickled, so once per write (or per run of a streaming query)
//! and never in a process that only commits. Executors feed the sink their task's batches
//! through the Arrow C stream interface; commit messages travel back as codec text (a stream's
//! with the plan, as its commit runs on a writer made afresh).

use std::sync::{Arc, Mutex, PoisonError};

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

/// A `BatchWriter` or `StreamWriter` with its types erased: plans and commit messages travel
/// as codec text; `batch` is the micro-batch of a stream (`None` in a batch write).
pub trait WriteRole: Send + Sync {
    fn source_name(&self) -> &'static str;
    /// Whether Spark commits on a writer made afresh (a stream), which never saw the plan.
    fn commits_afresh(&self) -> bool;
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef>;
    fn plan(&self, write: &WriteJob) -> Result<String>;
    fn write(&self, write: &WriteJob, plan: &str, task: &Task, batches: Batches) -> Result<String>;
    fn commit(
        &self,
        write: &WriteJob,
        plan: &str,
        batch: Option<u64>,
        messages: Vec<String>,
    ) -> Result<()>;
    fn abort(
        &self,
        write: &WriteJob,
        plan: &str,
        batch: Option<u64>,
        messages: Vec<Option<String>>,
    ) -> Result<()>;
}

/// `write` with the sink's plan, decoded from its codec text.
pub(crate) fn planned<P: serde::de::DeserializeOwned>(
    name: &'static str,
    write: &WriteJob,
    plan: &str,
) -> Result<WriteJob<P>> {
    Ok(write
        .clone()
        .with_plan(codec::decode(name, Cargo::Plan, plan)?))
}

/// A stream task's commit message with the plan it wrote under: its commit runs on a writer
/// made afresh, which takes the plan from here.
#[derive(Serialize, Deserialize)]
struct PlannedMessage {
    plan: String,
    message: String,
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
#[derive(Clone, Serialize, Deserialize)]
struct WriteState {
    id: String,
    /// What the sink accepts (Arrow, through serde: its large layouts are kept).
    accepted: serde_json::Value,
    /// Spark's schema of the data written (Spark JSON).
    incoming: serde_json::Value,
    overwrite: bool,
    /// The sink's plan (codec text), once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plan: Option<String>,
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
                accepted: serde_json::to_value(accepted.as_ref())
                    .map_err(|e| schema_error(name, e))?,
                incoming: to_spark_json(&incoming).map_err(|e| schema_error(name, e))?,
                overwrite,
                plan: None,
            };
            NativeWriter::of(self.role.clone(), state)
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
    /// The pickled form, but for the plan.
    state: WriteState,
    /// The sink's plan (codec text): made when the writer is first pickled, or restored.
    plan: Mutex<Option<String>>,
}

impl NativeWriter {
    fn restore(role: Arc<dyn WriteRole>, text: &str) -> PyResult<Self> {
        let name = role.source_name();
        let state: WriteState =
            codec::decode(name, Cargo::WriteState, text).map_err(|e| schema_error(name, e))?;
        Self::of(role, state)
    }

    fn of(role: Arc<dyn WriteRole>, mut state: WriteState) -> PyResult<Self> {
        let name = role.source_name();
        let schema = |json: &serde_json::Value| {
            from_spark_json(&json.to_string()).map_err(|e| schema_error(name, e))
        };
        let accepted: arrow_schema::Schema =
            serde_json::from_value(state.accepted.clone()).map_err(|e| schema_error(name, e))?;
        let adapter = WriteAdapter::new(name, &accepted, &schema(&state.incoming)?)
            .map_err(|e| schema_error(name, e))?;
        Ok(NativeWriter {
            write: WriteJob::new(state.id.clone(), adapter.output().clone(), state.overwrite),
            role,
            adapter,
            plan: Mutex::new(state.plan.take()),
            state,
        })
    }

    /// The sink's plan: made here (once) unless this writer was restored with it. The lock is
    /// taken with the GIL released, as the source's code (which may log through Python) runs
    /// under it.
    fn plan(&self, py: Python<'_>) -> PyResult<String> {
        in_source(py, self.role.source_name(), "plan()", || {
            let mut plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(plan) = plan.as_ref() {
                return Ok(plan.clone());
            }
            let made = self.role.plan(&self.write)?;
            *plan = Some(made.clone());
            Ok(made)
        })
    }

    /// The plan of a commit: this writer's, or where Spark commits on a writer made afresh
    /// (a stream), the one the tasks' messages carry (planned here when no task sent one), and
    /// the messages themselves.
    fn plan_of_messages(
        &self,
        py: Python<'_>,
        messages: Vec<Option<String>>,
    ) -> PyResult<(String, Vec<Option<String>>)> {
        if !self.role.commits_afresh() {
            return Ok((self.plan(py)?, messages));
        }
        let name = self.role.source_name();
        let mut plan = None;
        let mut unwrapped = Vec::with_capacity(messages.len());
        for message in messages {
            let Some(text) = message else {
                unwrapped.push(None);
                continue;
            };
            let planned: PlannedMessage = serde_json::from_str(&text).map_err(|_| {
                schema_error(name, "a task's commit message is not one this sink wrote")
            })?;
            plan.get_or_insert(planned.plan);
            unwrapped.push(Some(planned.message));
        }
        let plan = match plan {
            Some(plan) => plan,
            None => self.plan(py)?,
        };
        Ok((plan, unwrapped))
    }
}

#[pymethods]
impl NativeWriter {
    /// The pickled form, with the sink's plan (made now, the first time): restoring from it
    /// gives this writer back.
    fn state(&self, py: Python<'_>) -> PyResult<String> {
        let name = self.role.source_name();
        let state = WriteState {
            plan: Some(self.plan(py)?),
            ..self.state.clone()
        };
        codec::encode(name, Cargo::WriteState, &state).map_err(|e| schema_error(name, e))
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
            let plan = self.plan(py)?;
            let message = py
                .detach(|| self.role.write(&self.write, &plan, &task, batches))
                .map_err(|e| source_error(name, "write", e))?;
            if !self.role.commits_afresh() {
                return Ok(message);
            }
            serde_json::to_string(&PlannedMessage { plan, message })
                .map_err(|e| schema_error(name, e))
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
        let (plan, messages) = self.plan_of_messages(py, messages)?;
        in_source(py, self.role.source_name(), "commit", || {
            let messages: Option<Vec<String>> = messages.into_iter().collect();
            let messages = messages
                .ok_or_else(|| format_err!("a task that succeeded sent no commit message"))?;
            self.role.commit(&self.write, &plan, batch_id, messages)
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
        let (plan, messages) = self.plan_of_messages(py, messages)?;
        in_source(py, self.role.source_name(), "abort", || {
            self.role.abort(&self.write, &plan, batch_id, messages)
        })
    }
}
