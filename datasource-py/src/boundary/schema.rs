//! PySpark's `StructType` as the Arrow schema Spark derives for it, both ways (through Spark's
//! JSON form of a schema, which both sides read and write).

use arrow_schema::Schema;
use datasource_core::schema::{columns_with_type, from_spark_json};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors::schema_error;

static STRUCT_TYPE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A `StructType` crossing the boundary, as Spark's JSON; [`SparkSchema::arrow`] reads it.
pub(crate) struct SparkSchema(String);

impl SparkSchema {
    /// The Arrow schema with the types Spark reads; a type the SDK cannot read fails naming the
    /// source `source` and the column.
    pub(crate) fn arrow(&self, source: &'static str) -> PyResult<Schema> {
        from_spark_json(&self.0).map_err(|e| schema_error(source, e))
    }
}

impl FromPyObject<'_, '_> for SparkSchema {
    type Error = PyErr;

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(SparkSchema(object.call_method0("json")?.extract()?))
    }
}

/// A Spark JSON schema (as `to_spark_json` writes it) as a `StructType`; a type the installed
/// PySpark lacks is an error naming the column, the type and the version that has it.
pub(crate) fn struct_type<'py>(
    py: Python<'py>,
    source: &'static str,
    json: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    let types = py.import("pyspark.sql.types")?;
    if !types.hasattr("TimeType")? {
        let columns = columns_with_type(json, |name| name.starts_with("time("));
        if let Some(column) = columns.first() {
            let version: String = py.import("pyspark")?.getattr("__version__")?.extract()?;
            return Err(schema_error(
                source,
                format!(
                    "column `{column}`: TIME (a Rust `NaiveTime`) needs PySpark 4.1 or later; \
                     this is PySpark {version}"
                ),
            ));
        }
    }
    let value = LOADS
        .import(py, "json", "loads")?
        .call1((json.to_string(),))?;
    STRUCT_TYPE
        .import(py, "pyspark.sql.types", "StructType")?
        .call_method1("fromJson", (value,))
}
