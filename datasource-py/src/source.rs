//! A source type and an opened source, as Python sees them: `NativeSourceType` (one per
//! exported type: its metadata, and `open` from Spark's options) and `NativeSource` (what a
//! Python `DataSource` instance holds: the options parsed once, the glue of each capability,
//! and what the driver settled, kept in Rust and pickled along).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arrow_schema::{Schema, SchemaRef};
use datasource_core::RawOptions;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::binding::SourceBinding;
use crate::capability::{self, Roles};
use crate::errors::{guarded, schema_error};

/// A source opened with its options: the glue of each capability it has (all around one
/// instance of the user's struct), and its schema once the driver computed it.
pub(crate) struct OpenSource {
    pub(crate) name: &'static str,
    pub(crate) roles: Roles,
    declared: OnceLock<SchemaRef>,
}

impl OpenSource {
    pub(crate) fn new(name: &'static str, roles: Roles) -> Self {
        OpenSource {
            name,
            roles,
            declared: OnceLock::new(),
        }
    }

    /// The source's own schema, where `schema()` computed it (here or before pickling).
    pub(crate) fn declared(&self) -> Option<SchemaRef> {
        self.declared.get().cloned()
    }

    pub(crate) fn settle_declared(&self, schema: SchemaRef) {
        let _ = self.declared.set(schema);
    }
}

/// One exported source type: opens sources from Spark's options.
#[pyclass(frozen, name = "NativeSourceType", module = "datasource_py")]
pub(crate) struct NativeSourceType {
    pub(crate) binding: SourceBinding,
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

    /// What the type can do, by the names of the Python modules that assemble its classes.
    #[getter]
    fn capabilities(&self) -> Vec<&'static str> {
        self.binding.capabilities()
    }

    /// Parses and validates options (a `ValueError` lists every problem), with the state a
    /// pickled source carried.
    #[pyo3(signature = (options, state=None))]
    fn open(
        &self,
        options: HashMap<String, String>,
        state: Option<&str>,
    ) -> PyResult<NativeSource> {
        let name = self.binding.name();
        guarded(name, "option parsing", || {
            let raw: RawOptions = options.into_iter().collect();
            let open = self
                .binding
                .open(&raw)
                .map_err(|error| PyValueError::new_err(error.to_string()))?;
            if let Some(state) = state {
                let declared: Schema =
                    serde_json::from_str(state).map_err(|e| schema_error(name, e))?;
                open.settle_declared(Arc::new(declared));
            }
            Ok(NativeSource {
                open: Arc::new(open),
            })
        })
    }
}

/// A source opened with its options: what a Python `DataSource` instance holds.
#[pyclass(frozen, name = "NativeSource", module = "datasource_py")]
pub(crate) struct NativeSource {
    open: Arc<OpenSource>,
}

#[pymethods]
impl NativeSource {
    /// The glue of capability `name` (a row of the capability table), for its Python classes.
    fn glue(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        capability::native(py, name, &self.open)
    }

    /// What the source carries when pickled: its schema once computed (opaque to Python).
    fn state(&self) -> PyResult<Option<String>> {
        let name = self.open.name;
        self.open
            .declared()
            .map(|schema| serde_json::to_string(schema.as_ref()).map_err(|e| schema_error(name, e)))
            .transpose()
    }
}
