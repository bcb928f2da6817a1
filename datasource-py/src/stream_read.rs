//! The streaming-read capabilities' glue: `DataSource.streamReader()` and
//! `simpleStreamReader()`, the reader that plans offsets in Spark's long-lived driver-side
//! process, and the one Spark pickles to its executors to read.
//!
//! Offsets cross as the canonical JSON text of the codec (Python turns it into the dict Spark
//! stores, and back); partitions as codec text, as in batch reads. What differs between PySpark
//! versions stays here: 4.0 asks for `latestOffset()` with no start and no limit, so the glue
//! keeps where the query is from the micro-batches Spark plans.

use std::sync::{Arc, Mutex, PoisonError};

use datasource_core::{
    Batches, ReadLimit, Result, Scan, SimpleStreamReader, StreamReader, Task, codec,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::errors::{guarded, in_source};
use crate::read::{IntoTask, PlannedRead, SchemaRole, TaskSpec, TypedRead};

/// A [`StreamReader`] with its types erased: offsets and partitions travel as codec text.
pub trait StreamReadRole: SchemaRole {
    fn initial_offset_text(&self) -> Result<String>;
    fn latest_offset_text(
        &self,
        start: &str,
        limit: ReadLimit,
        until: Option<&str>,
    ) -> Result<String>;
    fn default_limit(&self) -> ReadLimit;
    fn planned_stream_partitions(&self, scan: &Scan, start: &str, end: &str)
    -> Result<Vec<String>>;
    fn read_stream_partition(&self, scan: &Scan, task: &Task, partition: &str) -> Result<Batches>;
    fn commit_offset(&self, end: &str) -> Result<()>;
    fn stop_reading(&self) -> Result<()>;
}

/// A [`SimpleStreamReader`] with its types erased.
pub trait SimpleStreamReadRole: SchemaRole {
    fn initial_offset_text(&self) -> Result<String>;
    fn read_from(&self, start: &str) -> Result<(Batches, String)>;
    fn read_between_texts(&self, start: &str, end: &str) -> Result<Batches>;
    fn commit_offset(&self, end: &str) -> Result<()>;
}

fn offset<O: datasource_core::Offset>(source: &'static str, text: &str) -> Result<O> {
    Ok(codec::decode_offset(source, text)?)
}

fn offset_text<O: datasource_core::Offset>(source: &'static str, value: &O) -> Result<String> {
    Ok(codec::encode_offset(source, value)?)
}

impl<T: StreamReader> StreamReadRole for TypedRead<T> {
    fn initial_offset_text(&self) -> Result<String> {
        offset_text(T::NAME, &self.0.initial_offset()?)
    }

    fn latest_offset_text(
        &self,
        start: &str,
        limit: ReadLimit,
        until: Option<&str>,
    ) -> Result<String> {
        let start: T::Offset = offset(T::NAME, start)?;
        let until: Option<T::Offset> = until.map(|text| offset(T::NAME, text)).transpose()?;
        offset_text(
            T::NAME,
            &self.0.latest_offset(&start, limit, until.as_ref())?,
        )
    }

    fn default_limit(&self) -> ReadLimit {
        self.0.default_read_limit()
    }

    fn planned_stream_partitions(
        &self,
        scan: &Scan,
        start: &str,
        end: &str,
    ) -> Result<Vec<String>> {
        let (start, end): (T::Offset, T::Offset) = (offset(T::NAME, start)?, offset(T::NAME, end)?);
        if start == end {
            return Ok(Vec::new());
        }
        self.0
            .partitions(scan, &start, &end)?
            .iter()
            .map(|partition| Ok(codec::encode(T::NAME, "partition", partition)?))
            .collect()
    }

    fn read_stream_partition(&self, scan: &Scan, task: &Task, partition: &str) -> Result<Batches> {
        let partition: T::Partition = codec::decode(T::NAME, "partition", partition)?;
        StreamReader::read(self.0.clone(), scan, task, partition)
    }

    fn commit_offset(&self, end: &str) -> Result<()> {
        StreamReader::commit(self.0.as_ref(), &offset(T::NAME, end)?)
    }

    fn stop_reading(&self) -> Result<()> {
        self.0.stop()
    }
}

impl<T: SimpleStreamReader> SimpleStreamReadRole for TypedRead<T> {
    fn initial_offset_text(&self) -> Result<String> {
        offset_text(
            T::NAME,
            &SimpleStreamReader::initial_offset(self.0.as_ref())?,
        )
    }

    fn read_from(&self, start: &str) -> Result<(Batches, String)> {
        let (batches, end) = SimpleStreamReader::read(self.0.as_ref(), &offset(T::NAME, start)?)?;
        Ok((batches, offset_text(T::NAME, &end)?))
    }

    fn read_between_texts(&self, start: &str, end: &str) -> Result<Batches> {
        let (start, end): (T::Offset, T::Offset) = (offset(T::NAME, start)?, offset(T::NAME, end)?);
        self.0.clone().read_between(&start, &end)
    }

    fn commit_offset(&self, end: &str) -> Result<()> {
        SimpleStreamReader::commit(self.0.as_ref(), &offset(T::NAME, end)?)
    }
}

/// A read limit as `shim.py` passes it: PySpark's class name and its one field's value.
type LimitSpec = (String, Option<u64>);

fn read_limit(source: &str, spec: &LimitSpec) -> PyResult<ReadLimit> {
    ReadLimit::from_spark_form(&spec.0, spec.1)
        .map_err(|message| PyValueError::new_err(format!("{source}: {message}")))
}

/// The streaming-read glue of an opened source: readers planned or restored.
#[pyclass(frozen, name = "NativeStreamRead", module = "datasource_py")]
pub(crate) struct NativeStreamRead {
    role: Arc<dyn StreamReadRole>,
}

impl NativeStreamRead {
    pub(crate) fn new(role: Arc<dyn StreamReadRole>) -> Self {
        NativeStreamRead { role }
    }
}

#[pymethods]
impl NativeStreamRead {
    /// Plans a stream read of `requested_json` (the schema Spark reads).
    #[pyo3(signature = (requested_json, declared_json=None))]
    fn reader(
        &self,
        py: Python<'_>,
        requested_json: &str,
        declared_json: Option<&str>,
    ) -> PyResult<NativeStreamReader> {
        guarded(self.role.source_name(), "streamReader()", || {
            let planned = PlannedRead::plan(py, self.role.as_ref(), declared_json, requested_json)?;
            Ok(NativeStreamReader::new(self.role.clone(), planned))
        })
    }

    /// An executor's reader: this source, and the plan the driver made.
    fn restore_reader(&self, plan: &str) -> PyResult<NativeStreamReader> {
        let name = self.role.source_name();
        guarded(name, "stream reader restore", || {
            Ok(NativeStreamReader::new(
                self.role.clone(),
                PlannedRead::restore(name, plan)?,
            ))
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

/// A planned stream read: in the driver's process, it plans offsets and partitions; on an
/// executor (restored from the pickled plan), it reads partitions.
#[pyclass(frozen, name = "NativeStreamReader", module = "datasource_py")]
pub(crate) struct NativeStreamReader {
    role: Arc<dyn StreamReadRole>,
    planned: PlannedRead,
    progress: Mutex<Progress>,
}

impl NativeStreamReader {
    fn new(role: Arc<dyn StreamReadRole>, planned: PlannedRead) -> Self {
        NativeStreamReader {
            role,
            planned,
            progress: Mutex::default(),
        }
    }

    /// Runs `f` on the source's code with the GIL released, panics caught, and errors named
    /// after the hook Spark called.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        hook: &str,
        f: impl FnOnce(&dyn StreamReadRole, &mut Progress) -> Result<T> + Send,
    ) -> PyResult<T> {
        in_source(py, self.role.source_name(), hook, || {
            let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
            f(self.role.as_ref(), &mut progress)
        })
    }
}

#[pymethods]
impl NativeStreamReader {
    /// The plan, for pickling: restoring from it gives this reader back.
    fn state(&self) -> PyResult<String> {
        self.planned.state()
    }

    fn initial_offset(&self, py: Python<'_>) -> PyResult<String> {
        self.call(py, "initialOffset()", |role, _| role.initial_offset_text())
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
        start: Option<String>,
        limit: Option<LimitSpec>,
    ) -> PyResult<String> {
        let name = self.role.source_name();
        let limit = limit.map(|spec| read_limit(name, &spec)).transpose()?;
        self.call(py, "latestOffset()", move |role, progress| {
            let (start, limit) = match start {
                Some(start) => (start, limit.unwrap_or_default()),
                None => match &progress.planned {
                    Some(planned) => (planned.clone(), ReadLimit::AllAvailable),
                    None => (role.initial_offset_text()?, ReadLimit::AllAvailable),
                },
            };
            if progress.available_now && progress.until.is_none() {
                let until = role.latest_offset_text(&start, ReadLimit::AllAvailable, None)?;
                progress.until = Some(until);
            }
            role.latest_offset_text(&start, limit, progress.until.as_deref())
        })
    }

    /// The source's default read limit, as PySpark's class name and field (name, value).
    fn default_read_limit(&self) -> (&'static str, Option<(&'static str, u64)>) {
        self.role.default_limit().spark_form()
    }

    /// `trigger(availableNow=True)`: the first `latest_offset` records what is available then.
    fn prepare_available_now(&self) {
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        progress.available_now = true;
    }

    /// Plans the partitions from `start` to `end` (codec text).
    fn partitions<'py>(
        &self,
        py: Python<'py>,
        start: String,
        end: String,
    ) -> PyResult<Bound<'py, PyList>> {
        let scan = self.planned.scan.clone();
        let planned = self.call(py, "partitions()", move |role, progress| {
            let planned = role.planned_stream_partitions(&scan, &start, &end)?;
            progress.planned = Some(end);
            Ok(planned)
        })?;
        PyList::new(py, planned)
    }

    /// Reads one partition in `task` as a `pyarrow.RecordBatchReader` over Rust's batches.
    fn read<'py>(
        &self,
        py: Python<'py>,
        partition: &str,
        task: TaskSpec,
    ) -> PyResult<Bound<'py, PyAny>> {
        let scan = self.planned.scan.clone();
        let partition = partition.to_owned();
        let batches = self.call(py, "read", move |role, _| {
            role.read_stream_partition(&scan, &task.into_task(), &partition)
        })?;
        guarded(self.role.source_name(), "read", || {
            self.planned.to_pyarrow(py, batches)
        })
    }

    fn commit(&self, py: Python<'_>, end: String) -> PyResult<()> {
        self.call(py, "commit()", move |role, _| role.commit_offset(&end))
    }

    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        self.call(py, "stop()", |role, _| role.stop_reading())
    }
}

/// The simple-stream-read glue of an opened source: readers planned or restored.
#[pyclass(frozen, name = "NativeSimpleStreamRead", module = "datasource_py")]
pub(crate) struct NativeSimpleStreamRead {
    role: Arc<dyn SimpleStreamReadRole>,
}

impl NativeSimpleStreamRead {
    pub(crate) fn new(role: Arc<dyn SimpleStreamReadRole>) -> Self {
        NativeSimpleStreamRead { role }
    }
}

#[pymethods]
impl NativeSimpleStreamRead {
    /// Plans a simple stream read of `requested_json` (the schema Spark reads).
    #[pyo3(signature = (requested_json, declared_json=None))]
    fn reader(
        &self,
        py: Python<'_>,
        requested_json: &str,
        declared_json: Option<&str>,
    ) -> PyResult<NativeSimpleStreamReader> {
        guarded(self.role.source_name(), "simpleStreamReader()", || {
            let planned = PlannedRead::plan(py, self.role.as_ref(), declared_json, requested_json)?;
            Ok(NativeSimpleStreamReader {
                role: self.role.clone(),
                planned,
            })
        })
    }

    /// An executor's reader: this source, and the plan the driver made.
    fn restore_reader(&self, plan: &str) -> PyResult<NativeSimpleStreamReader> {
        let name = self.role.source_name();
        guarded(name, "stream reader restore", || {
            Ok(NativeSimpleStreamReader {
                role: self.role.clone(),
                planned: PlannedRead::restore(name, plan)?,
            })
        })
    }
}

/// A planned simple stream read: it reads on the driver (what Spark caches) and replays on
/// executors.
#[pyclass(frozen, name = "NativeSimpleStreamReader", module = "datasource_py")]
pub(crate) struct NativeSimpleStreamReader {
    role: Arc<dyn SimpleStreamReadRole>,
    planned: PlannedRead,
}

#[pymethods]
impl NativeSimpleStreamReader {
    fn state(&self) -> PyResult<String> {
        self.planned.state()
    }

    fn initial_offset(&self, py: Python<'_>) -> PyResult<String> {
        in_source(py, self.role.source_name(), "initialOffset()", || {
            self.role.initial_offset_text()
        })
    }

    /// What is new from `start`: its batches (read to the end, fitted to Spark's schema, the
    /// empty ones dropped) and the offset after them.
    fn read<'py>(&self, py: Python<'py>, start: String) -> PyResult<(Bound<'py, PyList>, String)> {
        let name = self.role.source_name();
        let (batches, end) = in_source(py, name, "read()", || self.role.read_from(&start))?;
        let batches = guarded(self.role.source_name(), "read()", || {
            self.planned.to_pyarrow_list(py, batches)
        })?;
        Ok((batches, end))
    }

    /// The rows from `start` to `end` again, as a `pyarrow.RecordBatchReader`.
    fn read_between<'py>(
        &self,
        py: Python<'py>,
        start: String,
        end: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batches = in_source(py, self.role.source_name(), "readBetweenOffsets()", || {
            self.role.read_between_texts(&start, &end)
        })?;
        guarded(self.role.source_name(), "readBetweenOffsets()", || {
            self.planned.to_pyarrow(py, batches)
        })
    }

    fn commit(&self, py: Python<'_>, end: String) -> PyResult<()> {
        in_source(py, self.role.source_name(), "commit()", || {
            self.role.commit_offset(&end)
        })
    }
}
