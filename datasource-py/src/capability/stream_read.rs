//! The streaming-read capability's glue (`StreamReader`): `DataSource.streamReader()`, planning
//! offsets and partitions in Spark's driver-side process, reading partitions on executors.
//!
//! Offsets cross as the dicts Spark checkpoints and read limits as PySpark's own objects
//! (`boundary`); the driver's reader keeps where the query is from the micro-batches Spark
//! plans.

use std::sync::{Arc, Mutex, PoisonError};

use datasource_core::codec::{self, Cargo};
use datasource_core::{Batches, Offset, ReadLimit, Result, Scan, StreamReader, Task};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::boundary::limit::SparkReadLimit;
use crate::boundary::offset::OffsetJson;
use crate::boundary::schema::SparkSchema;
use crate::boundary::task::current_task;
use crate::capability::reading::ReadSetup;
use crate::errors::{guarded, in_source};
use crate::source::OpenSource;

/// A [`StreamReader`] with its types erased: offsets and partitions travel as codec text.
pub trait Role: Send + Sync {
    fn source_name(&self) -> &'static str;
    fn initial_offset(&self) -> Result<String>;
    fn latest_offset(&self, start: &str, limit: ReadLimit, until: Option<&str>) -> Result<String>;
    fn default_read_limit(&self) -> ReadLimit;
    fn report_latest_offset(&self) -> Result<Option<String>>;
    fn partitions(&self, scan: &Scan, start: &str, end: &str) -> Result<Vec<String>>;
    fn read(&self, scan: &Scan, task: &Task, partition: &str) -> Result<Batches>;
    fn commit(&self, end: &str) -> Result<()>;
    fn stop(&self) -> Result<()>;
}

pub(crate) fn offset<O: Offset>(source: &'static str, text: &str) -> Result<O> {
    Ok(codec::decode_offset(source, text)?)
}

pub(crate) fn offset_text<O: Offset>(source: &'static str, value: &O) -> Result<String> {
    Ok(codec::encode_offset(source, value)?)
}

struct Typed<T>(Arc<T>);

impl<T: StreamReader> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn initial_offset(&self) -> Result<String> {
        offset_text(T::NAME, &self.0.initial_offset()?)
    }

    fn latest_offset(&self, start: &str, limit: ReadLimit, until: Option<&str>) -> Result<String> {
        let start: T::Offset = offset(T::NAME, start)?;
        let until: Option<T::Offset> = until.map(|text| offset(T::NAME, text)).transpose()?;
        offset_text(
            T::NAME,
            &self.0.latest_offset(&start, limit, until.as_ref())?,
        )
    }

    fn default_read_limit(&self) -> ReadLimit {
        self.0.default_read_limit()
    }

    fn report_latest_offset(&self) -> Result<Option<String>> {
        self.0
            .report_latest_offset()?
            .map(|latest| offset_text(T::NAME, &latest))
            .transpose()
    }

    fn partitions(&self, scan: &Scan, start: &str, end: &str) -> Result<Vec<String>> {
        let (start, end): (T::Offset, T::Offset) = (offset(T::NAME, start)?, offset(T::NAME, end)?);
        if start == end {
            return Ok(Vec::new());
        }
        self.0
            .partitions(scan, &start, &end)?
            .iter()
            .map(|partition| Ok(codec::encode(T::NAME, Cargo::Partition, partition)?))
            .collect()
    }

    fn read(&self, scan: &Scan, task: &Task, partition: &str) -> Result<Batches> {
        let partition: T::Partition = codec::decode(T::NAME, Cargo::Partition, partition)?;
        StreamReader::read(self.0.clone(), scan, task, partition)
    }

    fn commit(&self, end: &str) -> Result<()> {
        StreamReader::commit(self.0.as_ref(), &offset(T::NAME, end)?)
    }

    fn stop(&self) -> Result<()> {
        self.0.stop()
    }
}

pub(crate) fn glue<T: StreamReader>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    open: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        NativeStreamRead {
            role,
            open: open.clone(),
        },
    )?
    .into_any())
}

/// The streaming-read glue of an opened source: readers settled or restored.
#[pyclass(frozen, name = "NativeStreamRead", module = "datasource_py")]
struct NativeStreamRead {
    role: Arc<dyn Role>,
    open: Arc<OpenSource>,
}

#[pymethods]
impl NativeStreamRead {
    /// A stream reader of `schema`, the `StructType` Spark reads.
    fn reader(&self, py: Python<'_>, schema: SparkSchema) -> PyResult<NativeStreamReader> {
        guarded(self.role.source_name(), "streamReader()", || {
            let setup = ReadSetup::settle(py, &self.open, schema.arrow(self.open.name)?)?;
            Ok(NativeStreamReader::new(self.role.clone(), setup))
        })
    }

    /// An executor's reader, from the pickled state of the driver's.
    fn restore(&self, state: &str) -> PyResult<NativeStreamReader> {
        let name = self.role.source_name();
        guarded(name, "stream reader restore", || {
            let (setup, _) = ReadSetup::restore(name, state)?;
            Ok(NativeStreamReader::new(self.role.clone(), setup))
        })
    }
}

/// What the driver's reader remembers between calls: `Trigger.AvailableNow`, and where the
/// query is for PySpark 4.0, which does not say.
#[derive(Default)]
struct Progress {
    /// `trigger(availableNow=True)` was asked for.
    available_now: bool,
    /// Under AvailableNow, the end of what was available when the query started.
    until: Option<String>,
    /// The end of the last micro-batch Spark planned in this process: where the query is. On a
    /// restart Spark plans the empty batch at the checkpoint's last offset first
    /// (`setLatestSeenOffset`), then replays the batch an earlier run left unfinished.
    planned: Option<String>,
}

/// A stream reader: in the driver's process, it plans offsets and partitions; on an executor
/// (restored from the pickled state), it reads partitions.
#[pyclass(frozen, name = "NativeStreamReader", module = "datasource_py")]
struct NativeStreamReader {
    role: Arc<dyn Role>,
    setup: ReadSetup,
    progress: Mutex<Progress>,
}

impl NativeStreamReader {
    fn new(role: Arc<dyn Role>, setup: ReadSetup) -> Self {
        NativeStreamReader {
            role,
            setup,
            progress: Mutex::default(),
        }
    }

    /// Runs `f` on the source's code with the GIL released, panics caught, and errors named
    /// after the hook Spark called.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        hook: &str,
        f: impl FnOnce(&dyn Role, &mut Progress) -> Result<T> + Send,
    ) -> PyResult<T> {
        in_source(py, self.role.source_name(), hook, || {
            let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
            f(self.role.as_ref(), &mut progress)
        })
    }
}

#[pymethods]
impl NativeStreamReader {
    /// The pickled form: restoring from it gives this reader back.
    fn state(&self) -> PyResult<String> {
        self.setup.state(None)
    }

    fn initial_offset(&self, py: Python<'_>) -> PyResult<OffsetJson> {
        self.call(py, "initialOffset()", |role, _| role.initial_offset())
            .map(OffsetJson)
    }

    /// The end of the next micro-batch. PySpark 4.2+ passes the start and the limit; 4.0
    /// passes neither (it has no admission control for Python sources): the source then gives
    /// everything available under `AllAvailable`, from the end of the last micro-batch Spark
    /// planned here, or from its initial offset before the first. Not from the initial offset
    /// always: a source may refuse a start before what the query already committed (`tail`
    /// does, as an edited checkpoint would ask to read lines twice), and Spark 4.0 asks again
    /// after every commit.
    #[pyo3(signature = (start=None, limit=None))]
    fn latest_offset(
        &self,
        py: Python<'_>,
        start: Option<OffsetJson>,
        limit: Option<SparkReadLimit>,
    ) -> PyResult<OffsetJson> {
        let limit = limit.map(|limit| limit.0);
        self.call(py, "latestOffset()", move |role, progress| {
            let (start, limit) = match start {
                Some(OffsetJson(start)) => (start, limit.unwrap_or_default()),
                None => match &progress.planned {
                    Some(planned) => (planned.clone(), ReadLimit::AllAvailable),
                    None => (role.initial_offset()?, ReadLimit::AllAvailable),
                },
            };
            if progress.available_now && progress.until.is_none() {
                let until = role.latest_offset(&start, ReadLimit::AllAvailable, None)?;
                progress.until = Some(until);
            }
            role.latest_offset(&start, limit, progress.until.as_deref())
        })
        .map(OffsetJson)
    }

    /// The source's default read limit, as PySpark's object.
    fn default_read_limit(&self) -> SparkReadLimit {
        SparkReadLimit(self.role.default_read_limit())
    }

    /// The latest offset available, for the query's progress (PySpark 4.2+); `None`: not
    /// reported.
    fn report_latest_offset(&self, py: Python<'_>) -> PyResult<Option<OffsetJson>> {
        self.call(py, "reportLatestOffset()", |role, _| {
            role.report_latest_offset()
        })
        .map(|latest| latest.map(OffsetJson))
    }

    /// `trigger(availableNow=True)`: the first `latest_offset` records what is available then.
    fn prepare_available_now(&self) {
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        progress.available_now = true;
    }

    /// Plans the partitions from `start` to `end` (codec text: Spark's `InputPartition`
    /// values).
    fn partitions<'py>(
        &self,
        py: Python<'py>,
        start: OffsetJson,
        end: OffsetJson,
    ) -> PyResult<Bound<'py, PyList>> {
        let scan = self.setup.scan.clone();
        let planned = self.call(py, "partitions()", move |role, progress| {
            let planned = role.partitions(&scan, &start.0, &end.0)?;
            progress.planned = Some(end.0);
            Ok(planned)
        })?;
        PyList::new(py, planned)
    }

    /// Reads one partition in the running task as a `pyarrow.RecordBatchReader` over Rust's
    /// batches.
    fn read<'py>(&self, py: Python<'py>, partition: &str) -> PyResult<Bound<'py, PyAny>> {
        let scan = self.setup.scan.clone();
        let task = current_task(py)?;
        let partition = partition.to_owned();
        let batches = self.call(py, "read", move |role, _| {
            role.read(&scan, &task, &partition)
        })?;
        guarded(self.role.source_name(), "read", || {
            self.setup.to_pyarrow(py, batches)
        })
    }

    fn commit(&self, py: Python<'_>, end: OffsetJson) -> PyResult<()> {
        self.call(py, "commit()", move |role, _| role.commit(&end.0))
    }

    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        self.call(py, "stop()", |role, _| role.stop())
    }
}
