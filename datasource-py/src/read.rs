//! The batch-read capability's glue: `DataSource.schema()`/`reader()` and the reader Spark
//! pickles to its executors.
//!
//! On the driver, the schema is computed once (the Python source caches it and pickles it
//! along), the reader is planned once from it, and the plan (the declared and requested
//! schemas) is encoded with the codec; each executor task restores the reader from its options
//! and that plan, and only reads. The stream readers (`stream_read`) plan and read the same
//! way, through [`PlannedRead`].

use std::sync::Arc;

use arrow_array::RecordBatchReader;
use arrow_pyarrow::IntoPyArrow;
use std::sync::Mutex;

use arrow_schema::{Schema, SchemaRef};
use datasource_core::adapter::ReadAdapter;
use datasource_core::scan::{scan_schemas, sort_pushed};
use datasource_core::schema::{from_spark_json, to_spark_json};
use datasource_core::{
    BatchReader, Batches, Filter, FilterPushdown, Pushdown, Result, Scan, SourceSchema, Task, codec,
};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde::{Deserialize, Serialize};

use crate::batch_stream::BatchStream;
use crate::errors::{guarded, in_source, schema_error};

/// A source's schema, for every read capability (its type erased).
pub trait SchemaRole: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn declared_schema(&self) -> Result<SchemaRef>;
    /// The scan of `user`'s schema (`spark.read.schema(...)`), or of the source's own.
    fn settled_scan(&self, user: Option<SchemaRef>) -> Result<Scan>;
}

/// A [`BatchReader`] with its types erased: its plan and partitions travel as codec text.
///
/// Its methods are named apart from the traits users implement, so the compiler never offers
/// them as candidates in a user's error.
pub trait BatchReadRole: SchemaRole {
    fn planned_scan(&self, scan: &Scan) -> Result<String>;
    fn planned_partitions(&self, scan: &Scan, plan: &str) -> Result<Vec<String>>;
    fn read_partition(
        &self,
        scan: &Scan,
        plan: &str,
        task: &Task,
        partition: &str,
    ) -> Result<Batches>;
}

/// A [`FilterPushdown`] with its types erased.
pub trait FilterRole: Send + Sync {
    fn pushed_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>>;
}

/// The read glue of a source type `T`: one wrapper serves each read role it implements.
pub(crate) struct TypedRead<T>(pub(crate) Arc<T>);

impl<T: SourceSchema> SchemaRole for TypedRead<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn declared_schema(&self) -> Result<SchemaRef> {
        self.0.schema()
    }

    fn settled_scan(&self, user: Option<SchemaRef>) -> Result<Scan> {
        scan_schemas(self.0.as_ref(), user)
    }
}

impl<T: BatchReader> BatchReadRole for TypedRead<T> {
    fn planned_scan(&self, scan: &Scan) -> Result<String> {
        Ok(codec::encode(T::NAME, "plan", &self.0.plan(scan)?)?)
    }

    fn planned_partitions(&self, scan: &Scan, plan: &str) -> Result<Vec<String>> {
        let plan: T::Plan = codec::decode(T::NAME, "plan", plan)?;
        self.0
            .partitions(&scan.clone().with_plan(plan))?
            .iter()
            .map(|partition| Ok(codec::encode(T::NAME, "partition", partition)?))
            .collect()
    }

    fn read_partition(
        &self,
        scan: &Scan,
        plan: &str,
        task: &Task,
        partition: &str,
    ) -> Result<Batches> {
        let plan: T::Plan = codec::decode(T::NAME, "plan", plan)?;
        let partition: T::Partition = codec::decode(T::NAME, "partition", partition)?;
        self.0
            .clone()
            .read(&scan.clone().with_plan(plan), task, partition)
    }
}

impl<T: FilterPushdown> FilterRole for TypedRead<T> {
    fn pushed_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>> {
        self.0.push_filters(scan, filters)
    }
}

/// What travels from the driver's reader to the executors'.
#[derive(Serialize, Deserialize)]
struct ReadPlan {
    /// The schema of the source's batches, as the driver settled it (Arrow, through serde).
    declared: serde_json::Value,
    /// The schema Spark reads: the declared one, or a user's `.schema(...)`.
    requested: serde_json::Value,
    /// Whether the user gave `requested`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    user_schema: bool,
    /// The filters the source accepted as exact, then as inexact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    inexact_filters: Vec<Filter>,
    /// The source's own plan (`BatchReader::plan`), as codec text, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_plan: Option<String>,
}

/// What every reader (batch or stream) holds once planned: the scan its tasks get, the adapter
/// fitting its batches to Spark's schema, and the source's own plan once made; its pickled form
/// is a [`ReadPlan`].
#[derive(Clone)]
pub(crate) struct PlannedRead {
    source: &'static str,
    pub(crate) scan: Scan,
    adapter: ReadAdapter,
    source_plan: Option<String>,
}

impl PlannedRead {
    /// Plans a read on the driver: `declared_json` is the Arrow schema the Python source
    /// already computed (`None` when the user gave their own schema: the source then says what
    /// it produces), `requested_json` the schema Spark reads (Spark JSON).
    pub(crate) fn plan(
        py: Python<'_>,
        role: &dyn SchemaRole,
        declared_json: Option<&str>,
        requested_json: &str,
    ) -> PyResult<Self> {
        let name = role.source_name();
        let requested = from_spark_json(requested_json).map_err(|e| schema_error(name, e))?;
        let scan = match declared_json {
            Some(json) => {
                let declared: Schema =
                    serde_json::from_str(json).map_err(|e| schema_error(name, e))?;
                Scan::new(Arc::new(declared)).with_requested_schema(Arc::new(requested))
            }
            None => in_source(py, name, "schema()", || {
                role.settled_scan(Some(Arc::new(requested)))
            })?,
        };
        Self::of(name, scan, None)
    }

    /// Restores a read from its pickled state: nothing of the source's is called.
    pub(crate) fn restore(name: &'static str, state: &str) -> PyResult<Self> {
        let plan: ReadPlan =
            codec::decode(name, "read plan", state).map_err(|e| schema_error(name, e))?;
        let declared: Schema =
            serde_json::from_value(plan.declared).map_err(|e| schema_error(name, e))?;
        let requested =
            from_spark_json(&plan.requested.to_string()).map_err(|e| schema_error(name, e))?;
        let scan = Scan::new(Arc::new(declared));
        let scan = if plan.user_schema {
            scan.with_user_schema(Arc::new(requested))
        } else {
            scan.with_requested_schema(Arc::new(requested))
        };
        let scan = scan.with_filters(plan.filters, plan.inexact_filters);
        Self::of(name, scan, plan.source_plan)
    }

    fn of(name: &'static str, scan: Scan, source_plan: Option<String>) -> PyResult<Self> {
        let adapter = scan.adapter(name).map_err(|e| schema_error(name, e))?;
        Ok(PlannedRead {
            source: name,
            scan,
            adapter,
            source_plan,
        })
    }

    /// This read, with the filters the source accepted.
    pub(crate) fn with_filters(mut self, exact: Vec<Filter>, inexact: Vec<Filter>) -> Self {
        self.scan = self.scan.with_filters(exact, inexact);
        self
    }

    /// The source's plan, made once (by `make`) and kept.
    pub(crate) fn source_plan(
        &mut self,
        make: impl FnOnce(&Scan) -> PyResult<String>,
    ) -> PyResult<String> {
        if let Some(plan) = &self.source_plan {
            return Ok(plan.clone());
        }
        let plan = make(&self.scan)?;
        self.source_plan = Some(plan.clone());
        Ok(plan)
    }

    /// The pickled form: restoring from it gives this read back.
    pub(crate) fn state(&self) -> PyResult<String> {
        let name = self.source;
        let scan = &self.scan;
        let plan = ReadPlan {
            declared: serde_json::to_value(scan.schema().as_ref())
                .map_err(|e| schema_error(name, e))?,
            requested: to_spark_json(scan.requested_schema()).map_err(|e| schema_error(name, e))?,
            user_schema: scan.user_schema().is_some(),
            filters: scan.filters().to_vec(),
            inexact_filters: scan.inexact_filters().to_vec(),
            source_plan: self.source_plan.clone(),
        };
        codec::encode(name, "read plan", &plan).map_err(|e| schema_error(name, e))
    }

    /// `batches` as a `pyarrow.RecordBatchReader`, each fitted to Spark's schema as pyarrow
    /// pulls it.
    pub(crate) fn to_pyarrow<'py>(
        &self,
        py: Python<'py>,
        batches: Batches,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stream: Box<dyn RecordBatchReader + Send> =
            Box::new(BatchStream::new(self.source, self.adapter.clone(), batches));
        stream.into_pyarrow(py)
    }

    /// `batches` read to the end and fitted to Spark's schema, as a list of
    /// `pyarrow.RecordBatch` without the empty ones (what the driver of a simple stream hands
    /// Spark to cache).
    pub(crate) fn to_pyarrow_list<'py>(
        &self,
        py: Python<'py>,
        batches: Batches,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut stream = BatchStream::new(self.source, self.adapter.clone(), batches);
        let collected = py.detach(|| {
            let mut collected = Vec::new();
            for batch in &mut stream {
                let batch = batch?;
                if batch.num_rows() > 0 {
                    collected.push(batch);
                }
            }
            Ok::<_, arrow_schema::ArrowError>(collected)
        });
        let collected = collected.map_err(|error| match error {
            // The stream's own errors, already worded for the user.
            arrow_schema::ArrowError::ExternalError(error) => {
                PyRuntimeError::new_err(crate::errors::redacted(error.to_string()))
            }
            error => PyRuntimeError::new_err(crate::errors::redacted(error.to_string())),
        })?;
        let batches = collected
            .into_iter()
            .map(|batch| batch.into_pyarrow(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, batches)
    }
}

/// The batch-read glue of an opened source, on the driver: readers planned or restored.
#[pyclass(frozen, name = "NativeBatchRead", module = "datasource_py")]
pub(crate) struct NativeBatchRead {
    role: Arc<dyn BatchReadRole>,
    pushdown: Option<Arc<dyn FilterRole>>,
}

impl NativeBatchRead {
    pub(crate) fn new(role: Arc<dyn BatchReadRole>, pushdown: Option<Arc<dyn FilterRole>>) -> Self {
        NativeBatchRead { role, pushdown }
    }

    fn reader_of(&self, planned: PlannedRead) -> NativeBatchReader {
        NativeBatchReader {
            role: self.role.clone(),
            pushdown: self.pushdown.clone(),
            planned: Mutex::new(planned),
        }
    }
}

#[pymethods]
impl NativeBatchRead {
    /// Plans a batch read of `requested_json` (the schema Spark reads), from the source's
    /// schema when the Python source already computed it.
    #[pyo3(signature = (requested_json, declared_json=None))]
    fn reader(
        &self,
        py: Python<'_>,
        requested_json: &str,
        declared_json: Option<&str>,
    ) -> PyResult<NativeBatchReader> {
        guarded(self.role.source_name(), "reader()", || {
            let planned = PlannedRead::plan(py, self.role.as_ref(), declared_json, requested_json)?;
            Ok(self.reader_of(planned))
        })
    }

    /// An executor's reader: this source, and the plan the driver made.
    fn restore_reader(&self, state: &str) -> PyResult<NativeBatchReader> {
        let name = self.role.source_name();
        guarded(name, "reader restore", || {
            Ok(self.reader_of(PlannedRead::restore(name, state)?))
        })
    }
}

/// A planned batch read: on the driver, it takes filters and plans partitions; on an executor
/// (restored from the pickled plan), it reads them.
#[pyclass(frozen, name = "NativeBatchReader", module = "datasource_py")]
pub(crate) struct NativeBatchReader {
    role: Arc<dyn BatchReadRole>,
    pushdown: Option<Arc<dyn FilterRole>>,
    /// Spark pushes filters into the reader, then plans it, then pickles it.
    planned: Mutex<PlannedRead>,
}

impl NativeBatchReader {
    fn planned(&self) -> std::sync::MutexGuard<'_, PlannedRead> {
        // A panic while the lock was held is already reported; the plan itself is intact.
        self.planned
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The scan and the source's plan, made on first use.
    fn scan_and_plan(&self, py: Python<'_>) -> PyResult<(PlannedRead, String)> {
        let name = self.role.source_name();
        let mut planned = self.planned();
        let plan = planned
            .source_plan(|scan| in_source(py, name, "plan()", || self.role.planned_scan(scan)))?;
        Ok((planned.clone(), plan))
    }
}

#[pymethods]
impl NativeBatchReader {
    /// The plan, for pickling: restoring from it gives this reader back.
    fn state(&self, py: Python<'_>) -> PyResult<String> {
        let (planned, _) = self.scan_and_plan(py)?;
        planned.state()
    }

    /// Offers Spark's filters (JSON, one per entry, `None` where the shim could not convert
    /// one) to the source; returns the positions of those Spark must still apply.
    fn push_filters(&self, py: Python<'_>, specs: Vec<Option<String>>) -> PyResult<Vec<usize>> {
        let name = self.role.source_name();
        let Some(pushdown) = &self.pushdown else {
            return Ok((0..specs.len()).collect());
        };
        // A filter whose literal Rust cannot hold stays with Spark.
        let (positions, filters): (Vec<usize>, Vec<Filter>) = specs
            .iter()
            .enumerate()
            .filter_map(|(index, spec)| {
                let filter = codec::decode::<Filter>(name, "filter", spec.as_deref()?).ok()?;
                Some((index, filter))
            })
            .unzip();
        let scan = self.planned().scan.clone();
        let pushed = in_source(py, name, "push_filters()", || {
            let verdicts = pushdown.pushed_filters(&scan, &filters)?;
            sort_pushed(name, &filters, &verdicts)
        })?;
        let taken: std::collections::HashSet<usize> = (0..filters.len())
            .filter(|i| !pushed.handed_back.contains(i))
            .map(|i| positions[i])
            .collect();
        let mut planned = self.planned();
        *planned = planned.clone().with_filters(pushed.exact, pushed.inexact);
        Ok((0..specs.len()).filter(|i| !taken.contains(i)).collect())
    }

    /// Plans partitions (codec text), with the GIL released.
    fn partitions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let name = self.role.source_name();
        let (planned, plan) = self.scan_and_plan(py)?;
        let partitions = in_source(py, name, "partitions()", || {
            self.role.planned_partitions(&planned.scan, &plan)
        })?;
        PyList::new(py, partitions)
    }

    /// Reads one partition in `task` as a
    /// `pyarrow.RecordBatchReader` over Rust's batches; `None` is Spark's placeholder when
    /// `partitions()` planned none: no rows.
    #[pyo3(signature = (partition, task))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        partition: Option<&str>,
        task: TaskSpec,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = self.role.source_name();
        let (planned, plan) = self.scan_and_plan(py)?;
        let batches = match partition {
            None => Batches::empty(),
            Some(partition) => in_source(py, name, "read", || {
                self.role
                    .read_partition(&planned.scan, &plan, &task.into_task(), partition)
            })?,
        };
        guarded(name, "read()", || planned.to_pyarrow(py, batches))
    }
}

/// The running task as the shim's `current_task()` describes it: (partition id, attempt
/// number, task attempt id, micro-batch id, session time zone).
#[derive(FromPyObject)]
pub(crate) struct TaskSpec(u32, u32, u64, Option<u64>, Option<String>);

/// The [`Task`] of a [`TaskSpec`].
pub(crate) trait IntoTask {
    fn into_task(self) -> Task;
}

impl IntoTask for TaskSpec {
    fn into_task(self) -> Task {
        let TaskSpec(partition_id, attempt_number, task_attempt_id, batch_id, session_time_zone) =
            self;
        Task {
            partition_id,
            attempt_number,
            task_attempt_id,
            batch_id,
            session_time_zone,
        }
    }
}

/// The source's schema, computed with the GIL released: as Spark JSON, for
/// `StructType.fromJson`, and as the Arrow schema the source declared (its exact types, which
/// Spark's may only hold: an unsigned integer, a dictionary), for the reader to plan from.
/// Without `comments`, no Spark field carries its doc comment (Spark's check of a simple
/// stream's prefetched batches compares field metadata, which Arrow batches cannot carry).
pub(crate) fn schema_json(
    py: Python<'_>,
    role: &dyn SchemaRole,
    comments: bool,
) -> PyResult<(String, String)> {
    let name = role.source_name();
    let schema = in_source(py, name, "schema()", || role.declared_schema())?;
    let mut json = to_spark_json(&schema).map_err(|e| schema_error(name, e))?;
    if !comments {
        drop_metadata(&mut json);
    }
    let declared = serde_json::to_string(schema.as_ref()).map_err(|e| schema_error(name, e))?;
    Ok((json.to_string(), declared))
}

/// Empties every field's `metadata` in a Spark schema's JSON, at any depth.
fn drop_metadata(json: &mut serde_json::Value) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "metadata" {
                    *value = serde_json::json!({});
                } else {
                    drop_metadata(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_metadata),
        _ => {}
    }
}
