//! The limit-pushdown capability's glue (`LimitPushdown`): the batch reader's `pushLimit`, where
//! the installed PySpark has it.

use std::sync::Arc;

use datasource_core::{LimitPushdown, Result, Scan};
use pyo3::prelude::*;

use crate::capability::batch_read::NativeBatchReader;
use crate::errors::in_source;
use crate::source::OpenSource;

/// A [`LimitPushdown`] with its type erased.
pub trait Role: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn push_limit(&self, scan: &Scan, limit: u64) -> Result<bool>;
}

struct Typed<T>(Arc<T>);

impl<T: LimitPushdown> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn push_limit(&self, scan: &Scan, limit: u64) -> Result<bool> {
        self.0.push_limit(scan, limit)
    }
}

pub(crate) fn glue<T: LimitPushdown>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    _: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, NativeLimitPushdown { role })?.into_any())
}

/// The limit-pushdown glue of an opened source.
#[pyclass(frozen, name = "NativeLimitPushdown", module = "datasource_py")]
struct NativeLimitPushdown {
    role: Arc<dyn Role>,
}

#[pymethods]
impl NativeLimitPushdown {
    /// Offers Spark's LIMIT to the source for `reader`; whether the source took it.
    fn push(
        &self,
        py: Python<'_>,
        reader: PyRef<'_, NativeBatchReader>,
        limit: u64,
    ) -> PyResult<bool> {
        let scan = reader.scan();
        let taken = in_source(py, self.role.source_name(), "push_limit()", || {
            self.role.push_limit(&scan, limit)
        })?;
        if taken {
            reader.accept_limit(limit);
        }
        Ok(taken)
    }
}
