//! Stream offsets: the dicts Spark keeps in its checkpoint, as the JSON text the codec reads and
//! writes canonically.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// An offset crossing the boundary, as JSON text.
pub(crate) struct OffsetJson(pub(crate) String);

impl FromPyObject<'_, '_> for OffsetJson {
    type Error = PyErr;

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let py = object.py();
        let dumps = DUMPS.import(py, "json", "dumps")?;
        Ok(OffsetJson(dumps.call1((object,))?.extract()?))
    }
}

impl<'py> IntoPyObject<'py> for OffsetJson {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        LOADS.import(py, "json", "loads")?.call1((self.0,))
    }
}
