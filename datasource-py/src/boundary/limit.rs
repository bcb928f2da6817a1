//! PySpark's read limits (`pyspark.sql.streaming.datasource`, 4.2+) as [`ReadLimit`]s, both
//! ways. The class names live here, and nowhere in core.

use datasource_core::ReadLimit;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

const MODULE: &str = "pyspark.sql.streaming.datasource";

/// PySpark's class of each limit, and the name of its one field.
fn spark_form(limit: ReadLimit) -> (&'static str, Option<(&'static str, u64)>) {
    match limit {
        ReadLimit::MaxRows(n) => ("ReadMaxRows", Some(("max_rows", n))),
        ReadLimit::MinRows(n) => ("ReadMinRows", Some(("min_rows", n))),
        ReadLimit::MaxFiles(n) => ("ReadMaxFiles", Some(("max_files", n))),
        ReadLimit::MaxBytes(n) => ("ReadMaxBytes", Some(("max_bytes", n))),
        _ => ("ReadAllAvailable", None),
    }
}

/// A read limit crossing the boundary.
pub(crate) struct SparkReadLimit(pub(crate) ReadLimit);

impl FromPyObject<'_, '_> for SparkReadLimit {
    type Error = PyErr;

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let class: String = object.get_type().name()?.extract()?;
        let field = |name: &str| -> PyResult<u64> { object.getattr(name)?.extract() };
        Ok(SparkReadLimit(match class.as_str() {
            "ReadAllAvailable" => ReadLimit::AllAvailable,
            "ReadMaxRows" => ReadLimit::MaxRows(field("max_rows")?),
            "ReadMinRows" => ReadLimit::MinRows(field("min_rows")?),
            "ReadMaxFiles" => ReadLimit::MaxFiles(field("max_files")?),
            "ReadMaxBytes" => ReadLimit::MaxBytes(field("max_bytes")?),
            other => {
                return Err(PyValueError::new_err(format!(
                    "Spark's read limit `{other}` is not one the SDK knows"
                )));
            }
        }))
    }
}

impl<'py> IntoPyObject<'py> for SparkReadLimit {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (class, field) = spark_form(self.0);
        let class = py.import(MODULE)?.getattr(class)?;
        match field {
            None => class.call0(),
            Some((name, value)) => {
                let kwargs = pyo3::types::PyDict::new(py);
                kwargs.set_item(name, value)?;
                class.call((), Some(&kwargs))
            }
        }
    }
}
