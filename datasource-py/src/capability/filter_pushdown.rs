//! The filter-pushdown capability's glue (`FilterPushdown`): the batch reader's `pushFilters`,
//! Spark's filter objects read in Rust and the ones the source does not take handed back.

use std::sync::Arc;

use datasource_core::capability::filter_pushdown::sort_pushed;
use datasource_core::{Filter, FilterPushdown, Pushdown, Result, Scan};
use pyo3::prelude::*;

use crate::boundary::filter::OfferedFilter;
use crate::capability::batch_read::NativeBatchReader;
use crate::errors::{guarded, in_source};
use crate::source::OpenSource;

/// A [`FilterPushdown`] with its type erased.
pub trait Role: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn push_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>>;
}

struct Typed<T>(Arc<T>);

impl<T: FilterPushdown> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn push_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>> {
        self.0.push_filters(scan, filters)
    }
}

pub(crate) fn glue<T: FilterPushdown>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    _: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, NativeFilterPushdown { role })?.into_any())
}

/// The filter-pushdown glue of an opened source.
#[pyclass(frozen, name = "NativeFilterPushdown", module = "datasource_py")]
struct NativeFilterPushdown {
    role: Arc<dyn Role>,
}

#[pymethods]
impl NativeFilterPushdown {
    /// Offers Spark's `filters` to the source for `reader`; returns those Spark must still
    /// apply, the very objects it gave, in its order. A filter the SDK has no Rust form for
    /// stays with Spark.
    fn push<'py>(
        &self,
        py: Python<'py>,
        reader: PyRef<'py, NativeBatchReader>,
        filters: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let name = self.role.source_name();
        let mut positions = Vec::new();
        let mut offered = Vec::new();
        for (index, filter) in filters.iter().enumerate() {
            // A filter object of an unexpected shape is Spark's to apply, like an unknown kind.
            if let Ok(OfferedFilter(Some(filter))) = filter.extract() {
                positions.push(index);
                offered.push(filter);
            }
        }
        let scan = reader.scan();
        let pushed = in_source(py, name, "push_filters()", || {
            let verdicts = self.role.push_filters(&scan, &offered)?;
            sort_pushed(name, &offered, &verdicts)
        })?;
        guarded(name, "push_filters()", || {
            let taken: Vec<usize> = (0..offered.len())
                .filter(|i| !pushed.handed_back.contains(i))
                .map(|i| positions[i])
                .collect();
            reader.accept_filters(pushed.exact, pushed.inexact);
            Ok(filters
                .into_iter()
                .enumerate()
                .filter(|(index, _)| !taken.contains(index))
                .map(|(_, filter)| filter)
                .collect())
        })
    }
}
