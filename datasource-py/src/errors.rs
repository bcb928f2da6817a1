//! How Rust failures become Python exceptions: each names the source, nothing unwinds into
//! Python or C.

use std::cell::Cell;
use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

thread_local! {
    /// How many `catching` calls this thread is inside.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f`, catching a panic: it becomes the caller's error, so Rust's panic hook does not also
/// print it (with a backtrace) to the worker's stderr.
pub(crate) fn catching<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    CATCHING.with(|depth| depth.set(depth.get() + 1));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|depth| depth.set(depth.get() - 1));
    outcome
}

/// Makes the panic hook quiet for panics that `catching` turns into errors; any other panic
/// is reported as before.
pub(crate) fn quiet_caught_panics() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a Python `RuntimeError` that names the source.
pub(crate) fn guarded<T>(
    source: &str,
    what: &str,
    f: impl FnOnce() -> Result<T, PyErr>,
) -> Result<T, PyErr> {
    catching(f).unwrap_or_else(|panic| {
        Err(PyRuntimeError::new_err(redacted(format!(
            "{source}: panicked in {what}: {}",
            panic_message(&*panic)
        ))))
    })
}

/// Runs the source's own code `f` for the hook Spark called (`partitions()`, `write`, ...) with
/// the GIL released: an error or a panic becomes the Python exception naming both.
pub(crate) fn in_source<T: Send>(
    py: Python<'_>,
    source: &str,
    hook: &str,
    f: impl FnOnce() -> anyhow::Result<T> + Send,
) -> PyResult<T> {
    guarded(source, hook, || {
        py.detach(f)
            .map_err(|error| source_error(source, hook, error))
    })
}

/// An error of the source's own code (`schema()`, `partitions()`, `read`), with its chain.
pub(crate) fn source_error(source: &str, what: &str, error: anyhow::Error) -> PyErr {
    let chain = format!("{error:#}");
    // The codec's errors name the source already.
    let chain = chain.strip_prefix(&format!("{source}: ")).unwrap_or(&chain);
    PyRuntimeError::new_err(redacted(format!("{source}: {what} failed: {chain}")))
}

/// Options, schemas or plans that do not fit: a `ValueError` naming the source once.
pub(crate) fn schema_error(source: &str, error: impl Display) -> PyErr {
    let message = redacted(error.to_string());
    if message.starts_with(&format!("{source}: ")) || message.starts_with("data source `") {
        PyValueError::new_err(message)
    } else {
        PyValueError::new_err(format!("{source}: {message}"))
    }
}

/// `message` with every secret this process has seen masked (see [`datasource_core::redact`]):
/// what a source or a library it calls puts into an error (a URL with a token) may hold one.
pub(crate) fn redacted(message: String) -> String {
    match datasource_core::redact::redact(&message) {
        std::borrow::Cow::Borrowed(_) => message,
        std::borrow::Cow::Owned(masked) => masked,
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
