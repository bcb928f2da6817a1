//! How Rust failures become Python exceptions: each names the source, nothing unwinds into
//! Python or C.

use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::PyErr;
use pyo3::exceptions::{PyRuntimeError, PyValueError};

/// Runs `f`, turning a panic into a Python `RuntimeError` that names the source.
pub(crate) fn guarded<T>(
    source: &str,
    what: &str,
    f: impl FnOnce() -> Result<T, PyErr>,
) -> Result<T, PyErr> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        Err(PyRuntimeError::new_err(format!(
            "{source}: panicked in {what}: {}",
            panic_message(&*panic)
        )))
    })
}

/// An error of the source's own code (`schema()`, `partitions()`, `read`), with its chain.
pub(crate) fn read_error(source: &str, what: &str, error: anyhow::Error) -> PyErr {
    PyRuntimeError::new_err(format!("{source}: {what} failed: {error:#}"))
}

/// Options, schemas or plans that do not fit: a `ValueError` naming the source once.
pub(crate) fn schema_error(source: &str, error: impl Display) -> PyErr {
    let message = error.to_string();
    if message.starts_with(&format!("{source}: ")) || message.starts_with("data source `") {
        PyValueError::new_err(message)
    } else {
        PyValueError::new_err(format!("{source}: {message}"))
    }
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
