//! How Rust failures become Python exceptions: each names the source, nothing unwinds into
//! Python or C.

use std::fmt::Display;
use std::sync::Once;

use datasource_core::panics;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// Makes the panic hook quiet for panics that `panics::catch` turns into errors; any other panic
/// is reported as before.
pub(crate) fn quiet_caught_panics() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panics::is_caught() {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a Python `RuntimeError` that names the source.
pub(crate) fn guarded<T>(
    source: &'static str,
    what: &str,
    f: impl FnOnce() -> Result<T, PyErr>,
) -> Result<T, PyErr> {
    panics::catch(f).unwrap_or_else(|panic| {
        Err(PyRuntimeError::new_err(redacted_for(
            source,
            format!("{source}: panicked in {what}: {}", panics::message(&*panic)),
        )))
    })
}

/// Runs the source's own code `f` for the hook Spark called (`partitions()`, `write`, ...) with
/// the GIL released: an error or a panic becomes the Python exception naming both.
pub(crate) fn in_source<T: Send>(
    py: Python<'_>,
    source: &'static str,
    hook: &str,
    f: impl FnOnce() -> anyhow::Result<T> + Send,
) -> PyResult<T> {
    guarded(source, hook, || {
        py.detach(|| datasource_core::redact::in_scope(source, f))
            .map_err(|error| source_error(source, hook, error))
    })
}

/// An error of the source's own code (`schema()`, `partitions()`, `read`), with its chain.
pub(crate) fn source_error(source: &'static str, what: &str, error: anyhow::Error) -> PyErr {
    let chain = format!("{error:#}");
    // The codec's errors name the source already.
    let chain = chain.strip_prefix(&format!("{source}: ")).unwrap_or(&chain);
    PyRuntimeError::new_err(redacted_for(
        source,
        format!("{source}: {what} failed: {chain}"),
    ))
}

/// Options, schemas or plans that do not fit: a `ValueError` naming the source once.
pub(crate) fn schema_error(source: &'static str, error: impl Display) -> PyErr {
    let message = redacted_for(source, error.to_string());
    if message.starts_with(&format!("{source}: ")) || message.starts_with("data source `") {
        PyValueError::new_err(message)
    } else {
        PyValueError::new_err(format!("{source}: {message}"))
    }
}

/// `message`, an error of `source`, with every secret this process has seen masked but other
/// sources' short ones (see [`datasource_core::redact`]): what a source or a library it calls
/// puts into an error (a URL with a token) may hold one.
pub(crate) fn redacted_for(source: &'static str, message: String) -> String {
    match datasource_core::redact::redact_for(source, &message) {
        std::borrow::Cow::Borrowed(_) => message,
        std::borrow::Cow::Owned(masked) => masked,
    }
}
