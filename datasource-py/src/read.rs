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
use arrow_schema::{Schema, SchemaRef};
use datasource_core::adapter::ReadAdapter;
use datasource_core::schema::{from_spark_json, to_spark_json};
use datasource_core::{BatchReader, Batches, Result, Scan, SourceSchema, codec};
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
}

/// A [`BatchReader`] with its types erased: partitions travel as codec text.
///
/// Its methods are named apart from the traits users implement, so the compiler never offers
/// them as candidates in a user's error.
pub trait BatchReadRole: SchemaRole {
    fn planned_partitions(&self, scan: &Scan) -> Result<Vec<String>>;
    fn read_partition(&self, scan: &Scan, partition: &str) -> Result<Batches>;
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
}

impl<T: BatchReader> BatchReadRole for TypedRead<T> {
    fn planned_partitions(&self, scan: &Scan) -> Result<Vec<String>> {
        self.0
            .partitions(scan)?
            .iter()
            .map(|partition| Ok(codec::encode(T::NAME, "partition", partition)?))
            .collect()
    }

    fn read_partition(&self, scan: &Scan, partition: &str) -> Result<Batches> {
        let partition: T::Partition = codec::decode(T::NAME, "partition", partition)?;
        self.0.clone().read(scan, partition)
    }
}

/// What travels from the driver's reader to the executors' (Spark schemas as JSON).
#[derive(Serialize, Deserialize)]
struct ReadPlan {
    /// The source's schema, as the driver computed it.
    declared: serde_json::Value,
    /// The schema Spark reads: the declared one, or a user's `.schema(...)`.
    requested: serde_json::Value,
}

/// What every reader (batch or stream) holds once planned: the scan its tasks get, the adapter
/// fitting its batches to Spark's schema, and the plan it was restored from (its pickled form).
pub(crate) struct PlannedRead {
    source: &'static str,
    pub(crate) scan: Scan,
    adapter: ReadAdapter,
    plan: String,
}

impl PlannedRead {
    /// Plans a read on the driver: `declared_json` is the schema the Python source already
    /// computed (it is computed here if the user gave their own schema instead),
    /// `requested_json` the schema Spark reads.
    pub(crate) fn plan(
        py: Python<'_>,
        role: &dyn SchemaRole,
        declared_json: Option<&str>,
        requested_json: &str,
    ) -> PyResult<Self> {
        let name = role.source_name();
        let declared = match declared_json {
            Some(json) => from_spark_json(json).map_err(|e| schema_error(name, e))?,
            None => {
                let schema: SchemaRef = in_source(py, name, "schema()", || role.declared_schema())?;
                Schema::clone(&schema)
            }
        };
        let plan = ReadPlan {
            declared: to_spark_json(&declared).map_err(|e| schema_error(name, e))?,
            requested: serde_json::from_str(requested_json).map_err(|e| schema_error(name, e))?,
        };
        let plan = codec::encode(name, "read plan", &plan).map_err(|e| schema_error(name, e))?;
        Self::restore(name, &plan)
    }

    /// Restores a read from its plan: nothing of the source's is called.
    pub(crate) fn restore(name: &'static str, plan_text: &str) -> PyResult<Self> {
        let plan: ReadPlan =
            codec::decode(name, "read plan", plan_text).map_err(|e| schema_error(name, e))?;
        let from_json = |json: &serde_json::Value| {
            from_spark_json(&json.to_string()).map_err(|e| schema_error(name, e))
        };
        let declared = from_json(&plan.declared)?;
        let requested = from_json(&plan.requested)?;
        let adapter =
            ReadAdapter::new(name, &declared, &requested).map_err(|e| schema_error(name, e))?;
        Ok(PlannedRead {
            source: name,
            scan: Scan::new(Arc::new(declared)),
            adapter,
            plan: plan_text.to_owned(),
        })
    }

    /// The plan, for pickling.
    pub(crate) fn state(&self) -> &str {
        &self.plan
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
                PyRuntimeError::new_err(error.to_string())
            }
            error => PyRuntimeError::new_err(error.to_string()),
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
}

impl NativeBatchRead {
    pub(crate) fn new(role: Arc<dyn BatchReadRole>) -> Self {
        NativeBatchRead { role }
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
            Ok(NativeBatchReader {
                role: self.role.clone(),
                planned,
            })
        })
    }

    /// An executor's reader: this source, and the plan the driver made.
    fn restore_reader(&self, plan: &str) -> PyResult<NativeBatchReader> {
        let name = self.role.source_name();
        guarded(name, "reader restore", || {
            Ok(NativeBatchReader {
                role: self.role.clone(),
                planned: PlannedRead::restore(name, plan)?,
            })
        })
    }
}

/// A planned batch read: on the driver, it plans partitions; on an executor (restored from the
/// pickled plan), it reads them.
#[pyclass(frozen, name = "NativeBatchReader", module = "datasource_py")]
pub(crate) struct NativeBatchReader {
    role: Arc<dyn BatchReadRole>,
    planned: PlannedRead,
}

#[pymethods]
impl NativeBatchReader {
    /// The plan, for pickling: restoring from it gives this reader back.
    fn state(&self) -> &str {
        self.planned.state()
    }

    /// Plans partitions (codec text), with the GIL released.
    fn partitions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let name = self.role.source_name();
        let planned = in_source(py, name, "partitions()", || {
            self.role.planned_partitions(&self.planned.scan)
        })?;
        PyList::new(py, planned)
    }

    /// Reads one partition as a `pyarrow.RecordBatchReader` over Rust's batches; `None` is
    /// Spark's placeholder when `partitions()` planned none: no rows.
    #[pyo3(signature = (partition=None))]
    fn read<'py>(&self, py: Python<'py>, partition: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let name = self.role.source_name();
        let batches = match partition {
            None => Batches::empty(),
            Some(partition) => in_source(py, name, "read", || {
                self.role.read_partition(&self.planned.scan, partition)
            })?,
        };
        guarded(name, "read()", || self.planned.to_pyarrow(py, batches))
    }
}

/// The source's schema as Spark JSON, for `StructType.fromJson`; computed with the GIL
/// released. Without `comments`, no field carries its doc comment (Spark's check of a simple
/// stream's prefetched batches compares field metadata, which Arrow batches cannot carry).
pub(crate) fn schema_json(
    py: Python<'_>,
    role: &dyn SchemaRole,
    comments: bool,
) -> PyResult<String> {
    let name = role.source_name();
    let schema = in_source(py, name, "schema()", || role.declared_schema())?;
    let mut json = to_spark_json(&schema).map_err(|e| schema_error(name, e))?;
    if !comments {
        drop_metadata(&mut json);
    }
    Ok(json.to_string())
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
