//! The Python side of a wheel: the SDK's Python files (`python/datasource_py/`), compiled into
//! the module and importable as `<package>._sdk`, assemble one `DataSource` subclass per
//! exported type, with the classes of each capability it has (PyO3 classes cannot subclass
//! Python classes, and Spark checks `isinstance`); every method is one call into the native
//! objects of `source` and `capability`.

use std::ffi::CString;

use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::binding::SourceBinding;
use crate::capability::PYTHON_FILES;
use crate::errors::quiet_caught_panics;
use crate::source::NativeSourceType;

/// The SDK's Python modules that are no capability's (name, path in tracebacks, text).
const COMMON_FILES: &[(&str, &str, &str)] = &[
    (
        "source",
        "datasource_py/source.py",
        include_str!("../python/datasource_py/source.py"),
    ),
    (
        "writing",
        "datasource_py/writing.py",
        include_str!("../python/datasource_py/writing.py"),
    ),
    (
        "deploy",
        "datasource_py/deploy.py",
        include_str!("../python/datasource_py/deploy.py"),
    ),
    (
        "local_read",
        "datasource_py/local_read.py",
        include_str!("../python/datasource_py/local_read.py"),
    ),
];

/// What makes the files importable (run first, with nothing to import it).
const EMBEDDED: &str = include_str!("../python/datasource_py/_embedded.py");

/// `<package>._sdk`, importable: the SDK's Python files as a package of their own.
fn sdk_package<'py>(py: Python<'py>, package: &str) -> PyResult<String> {
    let code = CString::new(EMBEDDED).expect("_embedded.py has no NUL byte");
    let embedded = PyModule::from_code(
        py,
        &code,
        c"datasource_py/_embedded.py",
        &CString::new(format!("{package}._sdk_embedded")).expect("a module name has no NUL byte"),
    )?;
    let files = PyDict::new(py);
    for (name, path, text) in COMMON_FILES.iter().chain(PYTHON_FILES) {
        files.set_item(name, (path, text))?;
    }
    let sdk = format!("{package}._sdk");
    embedded.getattr("install")?.call1((&sdk, files))?;
    Ok(sdk)
}

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
    let sdk = sdk_package(py, &package)?;
    let source_module = py.import(format!("{sdk}.source"))?;
    let deploy = py.import(format!("{sdk}.deploy"))?;

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
        let classes: Vec<Bound<'_, PyAny>> = source_module
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
    #[cfg(feature = "async")]
    shut_runtime_down_at_exit(module)?;
    let read = py
        .import(format!("{sdk}.local_read"))?
        .getattr("define_read")?
        .call1((&sources, &package))?;
    let register = deploy
        .getattr("define_register")?
        .call1((sources, &package))?;
    let (archive, ship, command): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) = deploy
        .getattr("define_deployment")?
        .call1((&package, &register))?
        .extract()?;
    module.add("register", register)?;
    module.add("archive", archive)?;
    module.add("ship", ship)?;
    module.add("read", read)?;
    // `python -m <package>` (the generated `__main__.py`).
    module.add("_command", command)?;
    names.extend(["register", "archive", "ship", "read"].map(str::to_owned));
    module.add("__all__", names)?;
    module.setattr(
        "__doc__",
        format!(
            "Spark data sources written in Rust. Read with `spark.read.format(name)`:\n\n{}\n\n\
             Spark finds each by name where the wheel is installed; `register(spark)` registers \
             them in a session, and `ship(spark)` also sends the wheel to Spark's nodes that \
             lack it (`archive()` packs it for `spark-submit --archives`). Without Spark, \
             `read(name, **options)` reads a batch source here, as a \
             `pyarrow.RecordBatchReader`.",
            documented.join("\n")
        ),
    )?;
    Ok(())
}

/// The SDK's runtime (feature `async`) ends with the interpreter: its tasks (a connection's
/// polite close) get a moment, and nothing runs while Python finalises.
#[cfg(feature = "async")]
fn shut_runtime_down_at_exit(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let shutdown = pyo3::types::PyCFunction::new_closure(
        module.py(),
        Some(c"_shutdown_runtime"),
        None,
        |args, _kwargs| -> PyResult<()> {
            // Without the GIL: a task logging through Python must not wait for it meanwhile.
            args.py().detach(datasource_core::runtime::shutdown);
            Ok(())
        },
    )?;
    module
        .py()
        .import("atexit")?
        .call_method1("register", (shutdown,))?;
    Ok(())
}
