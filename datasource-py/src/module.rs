//! The Python side of a wheel: small native classes, and the `DataSource` subclasses (with
//! the classes of each capability) that `shim.py` assembles around them at import time (PyO3
//! classes cannot subclass Python classes, and Spark checks `isinstance`).
//!
//! One native object per role, each kept as long as its Python object: a `NativeSourceType`
//! per exported type, a `NativeSource` per `DataSource` instance (the options parsed once), and
//! the objects of each capability's own module (`read`: a `NativeBatchReader` per reader;
//! `stream_read`: a `NativeStreamReader` per stream reader, kept for the query's life).

use std::collections::HashMap;
use std::ffi::CString;

use datasource_core::RawOptions;
use pyo3::exceptions::{PyImportError, PyValueError};
use pyo3::prelude::*;

use crate::binding::{OpenSource, SourceBinding};
use crate::errors::{guarded, quiet_caught_panics};
use crate::read::{NativeBatchRead, schema_json};
use crate::stream_read::{NativeSimpleStreamRead, NativeStreamRead};
use crate::write::NativeWrite;

/// One exported source type: opens sources from Spark's options.
#[pyclass(frozen, name = "NativeSourceType", module = "datasource_py")]
struct NativeSourceType {
    binding: SourceBinding,
}

#[pymethods]
impl NativeSourceType {
    #[getter]
    fn name(&self) -> &'static str {
        self.binding.name()
    }

    #[getter]
    fn description(&self) -> &'static str {
        self.binding.description()
    }

    #[getter]
    fn options_markdown(&self) -> String {
        self.binding.options_markdown()
    }

    /// What the type can do, by the names `shim.py` assembles classes from.
    #[getter]
    fn capabilities(&self) -> Vec<&'static str> {
        self.binding.capabilities()
    }

    /// Parses and validates options; a `ValueError` lists every problem.
    fn open(&self, options: HashMap<String, String>) -> PyResult<NativeSource> {
        let name = self.binding.name();
        let source = guarded(name, "option parsing", || {
            let raw: RawOptions = options.into_iter().collect();
            self.binding
                .open(&raw)
                .map_err(|error| PyValueError::new_err(error.to_string()))
        })?;
        Ok(NativeSource { name, source })
    }
}

/// A source opened with its options: what a Python `DataSource` instance holds, and the way
/// to its capabilities' glue.
#[pyclass(frozen, name = "NativeSource", module = "datasource_py")]
struct NativeSource {
    name: &'static str,
    source: OpenSource,
}

#[pymethods]
impl NativeSource {
    /// The source's schema as Spark JSON and as its own Arrow schema (for every read
    /// capability); a source Spark may read as a simple stream has no column comments (see
    /// `schema_json`).
    fn schema_json(&self, py: Python<'_>) -> PyResult<(String, String)> {
        let role = self.source.schema().ok_or_else(|| self.missing("read"))?;
        schema_json(py, role, self.source.simple_stream_read.is_none())
    }

    /// The batch-read glue: readers planned and restored.
    #[getter]
    fn batch_read(&self) -> PyResult<NativeBatchRead> {
        let role = self.source.batch_read.clone();
        Ok(NativeBatchRead::new(
            role.ok_or_else(|| self.missing("read"))?,
            self.source.filter_pushdown.clone(),
        ))
    }

    /// The streaming-read glue: readers planned and restored.
    #[getter]
    fn stream_read(&self) -> PyResult<NativeStreamRead> {
        let role = self.source.stream_read.clone();
        Ok(NativeStreamRead::new(
            role.ok_or_else(|| self.missing("read by a stream"))?,
        ))
    }

    /// The simple streaming-read glue: readers planned and restored.
    #[getter]
    fn simple_stream_read(&self) -> PyResult<NativeSimpleStreamRead> {
        let role = self.source.simple_stream_read.clone();
        let role = role.ok_or_else(|| self.missing("read by a stream"))?;
        Ok(NativeSimpleStreamRead::new(role))
    }

    /// The batch-write glue: writers planned and restored.
    #[getter]
    fn batch_write(&self) -> PyResult<NativeWrite> {
        self.write_glue(&self.source.batch_write, "written")
    }

    /// The streaming-write glue: writers planned and restored.
    #[getter]
    fn stream_write(&self) -> PyResult<NativeWrite> {
        self.write_glue(&self.source.stream_write, "written by a stream")
    }
}

impl NativeSource {
    fn write_glue(
        &self,
        role: &Option<std::sync::Arc<dyn crate::write::WriteRole>>,
        what: &str,
    ) -> PyResult<NativeWrite> {
        let role = role.clone().ok_or_else(|| self.missing(what))?;
        Ok(NativeWrite::new(role))
    }

    /// The error of a capability the source does not have.
    fn missing(&self, what: &str) -> PyErr {
        PyValueError::new_err(format!("{}: this source cannot be {what}", self.name))
    }
}

const SHIM: &str = include_str!("shim.py");

/// Fills a wheel's module: one `DataSource` subclass per binding, with the classes of its
/// capabilities (the first is also `DefaultSource`, for Spark's auto-registration of
/// `pyspark_*` modules; the generated `pyspark_<name>` modules hold the others'),
/// `register(spark)`, and the ways to ship the wheel (`archive()`, `ship(spark)`).
pub fn init_module(module: &Bound<'_, PyModule>, bindings: Vec<SourceBinding>) -> PyResult<()> {
    let py = module.py();
    quiet_caught_panics();
    crate::logging::install(py, bindings.iter().map(SourceBinding::crate_name).collect());
    // maturin loads the extension as `<package>.<package>`; the classes must be importable from
    // the package for pickle to find them by reference.
    let full_name = module.name()?.to_string();
    let package = full_name.split('.').next().unwrap_or(&full_name).to_owned();
    let code = CString::new(SHIM).expect("shim.py has no NUL byte");
    let shim = PyModule::from_code(py, &code, c"datasource_py/shim.py", c"datasource_py_shim")?;

    let mut sources = Vec::with_capacity(bindings.len());
    let mut documented = Vec::with_capacity(bindings.len());
    let mut names = Vec::new();
    for (index, binding) in bindings.into_iter().enumerate() {
        let (class_name, name) = (binding.class_name(), binding.name());
        if module.hasattr(class_name)? {
            return Err(PyImportError::new_err(format!(
                "{package}: two exported sources are both named `{class_name}`"
            )));
        }
        let native = Py::new(py, NativeSourceType { binding })?;
        let classes: Vec<Bound<'_, PyAny>> = shim
            .getattr("define_source")?
            .call1((native, &package, class_name))?
            .extract()?;
        for class in &classes {
            let class_name: String = class.getattr("__name__")?.extract()?;
            module.add(&class_name, class)?;
            names.push(class_name);
        }
        let source = classes[0].clone();
        if index == 0 {
            module.add("DefaultSource", &source)?;
            names.push("DefaultSource".to_owned());
        }
        documented.push(format!("- `{name}`: `{package}.{class_name}`"));
        sources.push(source);
    }
    let register = shim
        .getattr("define_register")?
        .call1((sources, &package))?;
    let (archive, ship, command): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) = shim
        .getattr("define_deployment")?
        .call1((&package, &register))?
        .extract()?;
    module.add("register", register)?;
    module.add("archive", archive)?;
    module.add("ship", ship)?;
    // `python -m <package>` (the generated `__main__.py`).
    module.add("_command", command)?;
    names.extend(["register", "archive", "ship"].map(str::to_owned));
    module.add("__all__", names)?;
    module.setattr(
        "__doc__",
        format!(
            "Spark data sources written in Rust. Read with `spark.read.format(name)`:\n\n{}\n\n\
             Spark finds each by name where the wheel is installed; `register(spark)` registers \
             them in a session, and `ship(spark)` also sends the wheel to Spark's nodes that \
             lack it (`archive()` packs it for `spark-submit --archives`).",
            documented.join("\n")
        ),
    )?;
    Ok(())
}
