//! The batch-read capability's glue: `DataSource.schema()`/`reader()` and the reader Spark
//! pickles to its executors.
//!
//! On the driver, the schema is computed once (the Python source caches it and pickles it
//! along), the reader is planned once from it, and the plan (the declared and requested
//! schemas) is encoded with the codec; each executor task restores the reader from its options
//! and that plan, and only reads.

use std::sync::Arc;

use arrow_array::RecordBatchReader;
use arrow_pyarrow::IntoPyArrow;
use arrow_schema::{Schema, SchemaRef};
use datasource_core::adapter::ReadAdapter;
use datasource_core::schema::{from_spark_json, to_spark_json};
use datasource_core::{BatchReader, Batches, Result, Scan, codec};
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde::{Deserialize, Serialize};

use crate::errors::{guarded, read_error, schema_error};
use crate::stream::BatchStream;

/// A [`BatchReader`] with its types erased: partitions travel as codec text.
///
/// Its methods are named apart from the traits users implement, so the compiler never offers
/// them as candidates in a user's error.
pub trait BatchReadRole: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn declared_schema(&self) -> Result<SchemaRef>;
    fn planned_partitions(&self, scan: &Scan) -> Result<Vec<String>>;
    fn read_partition(&self, scan: &Scan, partition: &str) -> Result<Batches>;
}

pub(crate) struct TypedBatchRead<T>(pub(crate) Arc<T>);

impl<T: BatchReader> BatchReadRole for TypedBatchRead<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn declared_schema(&self) -> Result<SchemaRef> {
        self.0.schema()
    }

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

/// The batch-read glue of an opened source, on the driver: its schema, and readers planned or
/// restored.
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
    /// The source's schema as Spark JSON, for `StructType.fromJson`; computed with the GIL
    /// released.
    fn schema_json(&self, py: Python<'_>) -> PyResult<String> {
        let name = self.role.source_name();
        guarded(name, "schema()", || {
            let schema = py
                .detach(|| self.role.declared_schema())
                .map_err(|error| read_error(name, "schema()", error))?;
            to_spark_json(&schema)
                .map(|json| json.to_string())
                .map_err(|e| schema_error(name, e))
        })
    }

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
            NativeBatchReader::plan(py, self.role.clone(), declared_json, requested_json)
        })
    }

    /// An executor's reader: this source, and the plan the driver made.
    fn restore_reader(&self, plan: &str) -> PyResult<NativeBatchReader> {
        guarded(self.role.source_name(), "reader restore", || {
            NativeBatchReader::restore(self.role.clone(), plan)
        })
    }
}

/// A planned batch read: on the driver, it plans partitions; on an executor (restored from the
/// pickled plan), it reads them.
#[pyclass(frozen, name = "NativeBatchReader", module = "datasource_py")]
pub(crate) struct NativeBatchReader {
    role: Arc<dyn BatchReadRole>,
    scan: Scan,
    adapter: ReadAdapter,
    plan: String,
}

impl NativeBatchReader {
    /// Plans a read on the driver: `declared_json` is the schema the Python source already
    /// computed (it is computed here if the user gave their own schema instead),
    /// `requested_json` the schema Spark reads.
    fn plan(
        py: Python<'_>,
        role: Arc<dyn BatchReadRole>,
        declared_json: Option<&str>,
        requested_json: &str,
    ) -> PyResult<Self> {
        let name = role.source_name();
        let declared = match declared_json {
            Some(json) => from_spark_json(json).map_err(|e| schema_error(name, e))?,
            None => {
                let role = role.clone();
                let schema = py
                    .detach(move || role.declared_schema())
                    .map_err(|e| read_error(name, "schema()", e))?;
                Schema::clone(&schema)
            }
        };
        let plan = ReadPlan {
            declared: to_spark_json(&declared).map_err(|e| schema_error(name, e))?,
            requested: serde_json::from_str(requested_json).map_err(|e| schema_error(name, e))?,
        };
        let plan = codec::encode(name, "read plan", &plan).map_err(|e| schema_error(name, e))?;
        Self::restore(role, &plan)
    }

    /// Restores a reader from its plan: nothing of the source's is called.
    fn restore(role: Arc<dyn BatchReadRole>, plan_text: &str) -> PyResult<Self> {
        let name = role.source_name();
        let plan: ReadPlan =
            codec::decode(name, "read plan", plan_text).map_err(|e| schema_error(name, e))?;
        let from_json = |json: &serde_json::Value| {
            from_spark_json(&json.to_string()).map_err(|e| schema_error(name, e))
        };
        let declared = from_json(&plan.declared)?;
        let requested = from_json(&plan.requested)?;
        let adapter =
            ReadAdapter::new(name, &declared, &requested).map_err(|e| schema_error(name, e))?;
        Ok(NativeBatchReader {
            role,
            scan: Scan::new(Arc::new(declared)),
            adapter,
            plan: plan_text.to_owned(),
        })
    }
}

#[pymethods]
impl NativeBatchReader {
    /// The plan, for pickling: restoring from it gives this reader back.
    fn state(&self) -> &str {
        &self.plan
    }

    /// Plans partitions (codec text), with the GIL released.
    fn partitions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let name = self.role.source_name();
        let planned = guarded(name, "partitions()", || {
            py.detach(|| self.role.planned_partitions(&self.scan))
                .map_err(|error| read_error(name, "partitions()", error))
        })?;
        PyList::new(py, planned)
    }

    /// Reads one partition as a `pyarrow.RecordBatchReader` over Rust's batches; `None` is
    /// Spark's placeholder when `partitions()` planned none: no rows.
    #[pyo3(signature = (partition=None))]
    fn read<'py>(&self, py: Python<'py>, partition: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let name = self.role.source_name();
        guarded(name, "read()", || {
            let batches = match partition {
                None => Batches::empty(),
                Some(partition) => py
                    .detach(|| self.role.read_partition(&self.scan, partition))
                    .map_err(|error| read_error(name, "read", error))?,
            };
            let stream: Box<dyn RecordBatchReader + Send> =
                Box::new(BatchStream::new(name, self.adapter.clone(), batches));
            stream.into_pyarrow(py)
        })
    }
}
