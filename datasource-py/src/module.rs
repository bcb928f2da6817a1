//! The Python side of a wheel: two small native classes, and the `DataSource` /
//! `DataSourceReader` subclasses that `shim.py` defines around them at import time (PyO3 classes
//! cannot subclass Python classes, and Spark checks `isinstance`).

use std::collections::HashMap;
use std::ffi::CString;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::RecordBatchReader;
use arrow_pyarrow::IntoPyArrow;
use arrow_schema::Schema;
use datasource_core::RawOptions;
use datasource_core::schema::{Projection, from_spark_json, to_spark_json};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::binding::{ErasedReader, SourceBinding};
use crate::stream::{BatchStream, panic_message};

/// Runs `f`, turning a panic into a Python `RuntimeError` that names the source: nothing
/// unwinds into Python.
fn guarded<T>(source: &str, what: &str, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        Err(PyRuntimeError::new_err(format!(
            "{source}: panicked in {what}: {}",
            panic_message(&*panic)
        )))
    })
}

/// One Rust data source type: opens readers from Spark's options.
#[pyclass(frozen, name = "NativeSource", module = "datasource_py")]
struct NativeSource {
    binding: SourceBinding,
}

#[pymethods]
impl NativeSource {
    #[getter]
    fn name(&self) -> &'static str {
        self.binding.name
    }

    #[getter]
    fn description(&self) -> &'static str {
        self.binding.description
    }

    #[getter]
    fn options_markdown(&self) -> String {
        (self.binding.options_markdown)()
    }

    /// Parses and validates options; a `ValueError` lists every problem.
    fn open(&self, options: HashMap<String, String>) -> PyResult<NativeReader> {
        let name = self.binding.name;
        guarded(name, "option parsing", || {
            let raw: RawOptions = options.into_iter().collect();
            let reader = (self.binding.open)(&raw)
                .map_err(|error| PyValueError::new_err(error.to_string()))?;
            Ok(NativeReader { name, reader })
        })
    }
}

/// A source opened with its options.
#[pyclass(frozen, name = "NativeReader", module = "datasource_py")]
struct NativeReader {
    name: &'static str,
    reader: Arc<dyn ErasedReader>,
}

impl NativeReader {
    fn schema_error(&self, error: impl std::fmt::Display) -> PyErr {
        PyValueError::new_err(format!("{}: {error}", self.name))
    }

    fn requested(&self, requested_json: &str) -> PyResult<Schema> {
        from_spark_json(requested_json).map_err(|e| self.schema_error(e))
    }
}

#[pymethods]
impl NativeReader {
    /// The schema as Spark JSON, for `StructType.fromJson`.
    fn schema_json(&self) -> PyResult<String> {
        guarded(self.name, "schema()", || {
            to_spark_json(&self.reader.schema())
                .map(|json| json.to_string())
                .map_err(|e| self.schema_error(e))
        })
    }

    /// Whether a schema Spark hands the reader differs from the source's own (so batches must be
    /// projected); a `ValueError` if the source cannot produce it.
    fn needs_projection(&self, requested_json: &str) -> PyResult<bool> {
        guarded(self.name, "reader()", || {
            let requested = self.requested(requested_json)?;
            let own = to_spark_json(&self.reader.schema()).map_err(|e| self.schema_error(e))?;
            let own = from_spark_json(&own.to_string()).map_err(|e| self.schema_error(e))?;
            if own == requested {
                return Ok(false);
            }
            Projection::new(self.name, &self.reader.schema(), &requested)
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            Ok(true)
        })
    }

    /// Plans partitions (JSON values), with the GIL released.
    fn partitions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let name = self.name;
        let reader = self.reader.clone();
        let planned = guarded(name, "partitions()", || {
            py.detach(|| reader.partitions()).map_err(|error| {
                PyRuntimeError::new_err(format!("{name}: partitions() failed: {error:#}"))
            })
        })?;
        PyList::new(py, planned)
    }

    /// Reads one partition as a `pyarrow.RecordBatchReader` over Rust's batches.
    #[pyo3(signature = (partition, requested_schema_json=None))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        partition: Option<&str>,
        requested_schema_json: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = self.name;
        guarded(name, "read()", || {
            let schema = self.reader.schema();
            let projection = match requested_schema_json {
                Some(json) => Some(
                    Projection::new(name, &schema, &self.requested(json)?)
                        .map_err(|e| PyValueError::new_err(e.to_string()))?,
                ),
                None => None,
            };
            let batches = self.reader.read(partition).map_err(|error| {
                PyRuntimeError::new_err(format!("{name}: read failed: {error:#}"))
            })?;
            let stream: Box<dyn RecordBatchReader + Send> =
                Box::new(BatchStream::new(name, schema, projection, batches));
            stream.into_pyarrow(py)
        })
    }
}

const SHIM: &str = include_str!("shim.py");

/// Fills a wheel's module: one `DataSource` subclass per binding (the first is also
/// `DefaultSource`, for Spark's auto-registration of `pyspark_*` modules), their readers, and
/// `register(spark)`.
pub fn init_module(module: &Bound<'_, PyModule>, bindings: Vec<SourceBinding>) -> PyResult<()> {
    let py = module.py();
    // maturin loads the extension as `<package>.<package>`; the classes must be importable from
    // the package for pickle to find them by reference.
    let full_name = module.name()?.to_string();
    let package = full_name.split('.').next().unwrap_or(&full_name).to_owned();
    let code = CString::new(SHIM).expect("shim.py has no NUL byte");
    let shim = PyModule::from_code(py, &code, c"datasource_py/shim.py", c"datasource_py_shim")?;

    let mut sources = Vec::with_capacity(bindings.len());
    for (index, binding) in bindings.into_iter().enumerate() {
        let class_name = binding.class_name;
        let native = Py::new(py, NativeSource { binding })?;
        let (source, reader): (Bound<'_, PyAny>, Bound<'_, PyAny>) = shim
            .getattr("define_source")?
            .call1((native, &package, class_name))?
            .extract()?;
        module.add(class_name, &source)?;
        module.add(format!("{class_name}Reader"), reader)?;
        if index == 0 {
            module.add("DefaultSource", &source)?;
        }
        sources.push(source);
    }
    let register = shim
        .getattr("define_register")?
        .call1((sources, &package))?;
    module.add("register", register)?;
    Ok(())
}
