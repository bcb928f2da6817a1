//! The simple streaming-read capability's glue (`SimpleStreamReader`):
//! `DataSource.simpleStreamReader()`, read on the driver (what Spark caches) and replayed on
//! executors.

use std::sync::{Arc, Mutex, PoisonError};

use datasource_core::{Batches, Result, SimpleStreamReader};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::boundary::offset::OffsetJson;
use crate::boundary::schema::SparkSchema;
use crate::capability::reading::ReadSetup;
use crate::capability::stream_read::{offset, offset_text};
use crate::errors::{guarded, in_source};
use crate::source::OpenSource;

/// A [`SimpleStreamReader`] with its types erased: offsets travel as codec text.
pub trait Role: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn initial_offset(&self) -> Result<String>;
    fn read(&self, start: &str, until: Option<&str>) -> Result<(Batches, String)>;
    fn latest_offset(&self, start: &str) -> Result<String>;
    fn read_between(&self, start: &str, end: &str) -> Result<Batches>;
    fn commit(&self, end: &str) -> Result<()>;
}

struct Typed<T>(Arc<T>);

impl<T: SimpleStreamReader> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn initial_offset(&self) -> Result<String> {
        offset_text(
            T::NAME,
            &SimpleStreamReader::initial_offset(self.0.as_ref())?,
        )
    }

    fn read(&self, start: &str, until: Option<&str>) -> Result<(Batches, String)> {
        let until: Option<T::Offset> = until.map(|text| offset(T::NAME, text)).transpose()?;
        let (batches, end) =
            SimpleStreamReader::read(self.0.as_ref(), &offset(T::NAME, start)?, until.as_ref())?;
        Ok((batches, offset_text(T::NAME, &end)?))
    }

    fn latest_offset(&self, start: &str) -> Result<String> {
        let latest = SimpleStreamReader::latest_offset(self.0.as_ref(), &offset(T::NAME, start)?)?;
        offset_text(T::NAME, &latest)
    }

    fn read_between(&self, start: &str, end: &str) -> Result<Batches> {
        let (start, end): (T::Offset, T::Offset) = (offset(T::NAME, start)?, offset(T::NAME, end)?);
        self.0.clone().read_between(&start, &end)
    }

    fn commit(&self, end: &str) -> Result<()> {
        SimpleStreamReader::commit(self.0.as_ref(), &offset(T::NAME, end)?)
    }
}

pub(crate) fn glue<T: SimpleStreamReader>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    open: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        NativeSimpleStreamRead {
            role,
            open: open.clone(),
        },
    )?
    .into_any())
}

/// The simple-stream-read glue of an opened source: readers settled or restored.
#[pyclass(frozen, name = "NativeSimpleStreamRead", module = "datasource_py")]
struct NativeSimpleStreamRead {
    role: Arc<dyn Role>,
    open: Arc<OpenSource>,
}

#[pymethods]
impl NativeSimpleStreamRead {
    /// A simple stream reader of `schema`, the `StructType` Spark reads.
    fn reader(&self, py: Python<'_>, schema: SparkSchema) -> PyResult<NativeSimpleStreamReader> {
        guarded(self.role.source_name(), "simpleStreamReader()", || {
            Ok(NativeSimpleStreamReader {
                role: self.role.clone(),
                setup: ReadSetup::settle(py, &self.open, schema.arrow(self.open.name)?)?,
                available_now: Mutex::default(),
            })
        })
    }

    /// An executor's reader, from the pickled state of the driver's.
    fn restore(&self, state: &str) -> PyResult<NativeSimpleStreamReader> {
        let name = self.role.source_name();
        guarded(name, "stream reader restore", || {
            Ok(NativeSimpleStreamReader {
                role: self.role.clone(),
                setup: ReadSetup::restore(name, state)?.0,
                available_now: Mutex::default(),
            })
        })
    }
}

/// A simple stream reader: it reads on the driver (what Spark caches) and replays on executors.
#[pyclass(frozen, name = "NativeSimpleStreamReader", module = "datasource_py")]
struct NativeSimpleStreamReader {
    role: Arc<dyn Role>,
    setup: ReadSetup,
    available_now: Mutex<AvailableNow>,
}

/// `trigger(availableNow=True)` on the driver's reader: asked for, then bounded at the first
/// read by what was available then.
#[derive(Default)]
enum AvailableNow {
    #[default]
    No,
    Asked,
    Until(String),
}

#[pymethods]
impl NativeSimpleStreamReader {
    fn state(&self) -> PyResult<String> {
        self.setup.state(None)
    }

    fn initial_offset(&self, py: Python<'_>) -> PyResult<OffsetJson> {
        in_source(py, self.role.source_name(), "initialOffset()", || {
            self.role.initial_offset()
        })
        .map(OffsetJson)
    }

    /// What is new from `start`: its batches (read to the end, fitted to Spark's schema, the
    /// empty ones dropped) and the offset after them.
    fn read<'py>(
        &self,
        py: Python<'py>,
        start: OffsetJson,
    ) -> PyResult<(Bound<'py, PyList>, OffsetJson)> {
        let name = self.role.source_name();
        let (batches, end) = in_source(py, name, "read()", || {
            let mut available_now = self
                .available_now
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let AvailableNow::Asked = *available_now {
                *available_now = AvailableNow::Until(self.role.latest_offset(&start.0)?);
            }
            let until = match &*available_now {
                AvailableNow::Until(until) => Some(until.as_str()),
                _ => None,
            };
            self.role.read(&start.0, until)
        })?;
        let batches = guarded(name, "read()", || self.setup.to_pyarrow_list(py, batches))?;
        Ok((batches, OffsetJson(end)))
    }

    /// The rows from `start` to `end` again, as a `pyarrow.RecordBatchReader`.
    fn read_between<'py>(
        &self,
        py: Python<'py>,
        start: OffsetJson,
        end: OffsetJson,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = self.role.source_name();
        let batches = in_source(py, name, "readBetweenOffsets()", || {
            self.role.read_between(&start.0, &end.0)
        })?;
        guarded(name, "readBetweenOffsets()", || {
            self.setup.to_pyarrow(py, batches)
        })
    }

    /// `trigger(availableNow=True)` (PySpark 4.2+): the first read takes the end of what is
    /// available then, and no read goes past it.
    fn prepare_available_now(&self) {
        *self
            .available_now
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = AvailableNow::Asked;
    }

    fn commit(&self, py: Python<'_>, end: OffsetJson) -> PyResult<()> {
        in_source(py, self.role.source_name(), "commit()", || {
            self.role.commit(&end.0)
        })
    }
}
