//! The batch-read capability's glue (`BatchReader`): `DataSource.reader()` and the reader Spark
//! pickles to its executors.
//!
//! On the driver the read is settled from the schema Spark reads, filters may be pushed into
//! it, and the source's plan is made once, on first need, and kept typed; the pickled reader
//! carries it as codec text. Each executor task restores the reader and only reads.

use std::any::Any;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arrow_pyarrow::ToPyArrow;
use datasource_core::codec::{self, Cargo};
use datasource_core::{BatchReader, Batches, Filter, Result, Scan, Task, format_err};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::boundary::schema::SparkSchema;
use crate::boundary::task::current_task;
use crate::capability::reading::ReadSetup;
use crate::errors::{guarded, in_source};
use crate::source::OpenSource;

/// A [`BatchReader`] with its types erased: its partitions travel as codec text, its plan is
/// held typed in a [`PlannedScan`].
pub trait Role: Send + Sync {
    fn source_name(&self) -> &'static str;
    /// Makes the source's plan of `scan`, on the driver.
    fn plan(&self, scan: &Scan) -> Result<PlannedScan>;
    /// The plan, for a pickled reader.
    fn encode_plan(&self, planned: &PlannedScan) -> Result<String>;
    /// A plan a pickled reader carried.
    fn decode_plan(&self, scan: &Scan, text: &str) -> Result<PlannedScan>;
    fn partitions(&self, planned: &PlannedScan) -> Result<Vec<String>>;
    fn read(&self, planned: &PlannedScan, task: &Task, partition: &str) -> Result<Batches>;
}

/// A scan with the source's plan: a `Scan<T::Plan>` of the source type `T`, its type erased.
pub struct PlannedScan(Box<dyn Any + Send + Sync>);

impl std::fmt::Debug for PlannedScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlannedScan").finish_non_exhaustive()
    }
}

struct Typed<T>(Arc<T>);

impl<T: BatchReader> Typed<T> {
    fn scan<'a>(&self, planned: &'a PlannedScan) -> Result<&'a Scan<T::Plan>> {
        planned
            .0
            .downcast_ref()
            .ok_or_else(|| format_err!("{}: a plan of another source (an SDK bug)", T::NAME))
    }
}

impl<T: BatchReader> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn plan(&self, scan: &Scan) -> Result<PlannedScan> {
        let plan = self.0.plan(scan)?;
        Ok(PlannedScan(Box::new(scan.clone().with_plan(plan))))
    }

    fn encode_plan(&self, planned: &PlannedScan) -> Result<String> {
        Ok(codec::encode(
            T::NAME,
            Cargo::Plan,
            self.scan(planned)?.plan(),
        )?)
    }

    fn decode_plan(&self, scan: &Scan, text: &str) -> Result<PlannedScan> {
        let plan: T::Plan = codec::decode(T::NAME, Cargo::Plan, text)?;
        Ok(PlannedScan(Box::new(scan.clone().with_plan(plan))))
    }

    fn partitions(&self, planned: &PlannedScan) -> Result<Vec<String>> {
        self.0
            .partitions(self.scan(planned)?)?
            .iter()
            .map(|partition| Ok(codec::encode(T::NAME, Cargo::Partition, partition)?))
            .collect()
    }

    fn read(&self, planned: &PlannedScan, task: &Task, partition: &str) -> Result<Batches> {
        let partition: T::Partition = codec::decode(T::NAME, Cargo::Partition, partition)?;
        self.0.clone().read(self.scan(planned)?, task, partition)
    }
}

pub(crate) fn glue<T: BatchReader>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    open: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        NativeBatchRead {
            role,
            open: open.clone(),
        },
    )?
    .into_any())
}

/// The batch-read glue of an opened source: readers settled on the driver, or restored.
#[pyclass(frozen, name = "NativeBatchRead", module = "datasource_py")]
struct NativeBatchRead {
    role: Arc<dyn Role>,
    open: Arc<OpenSource>,
}

#[pymethods]
impl NativeBatchRead {
    /// A reader of `schema`, the `StructType` Spark reads.
    fn reader(&self, py: Python<'_>, schema: SparkSchema) -> PyResult<NativeBatchReader> {
        guarded(self.role.source_name(), "reader()", || {
            let setup = ReadSetup::settle(py, &self.open, schema.arrow(self.open.name)?)?;
            Ok(NativeBatchReader::new(self.role.clone(), setup, None))
        })
    }

    /// An executor's reader, from the pickled state of the driver's.
    fn restore(&self, state: &str) -> PyResult<NativeBatchReader> {
        let name = self.role.source_name();
        guarded(name, "reader restore", || {
            let (setup, plan) = ReadSetup::restore(name, state)?;
            Ok(NativeBatchReader::new(self.role.clone(), setup, plan))
        })
    }
}

/// Where a reader is: settled (filters may still be pushed), then planned.
struct Reading {
    setup: ReadSetup,
    /// The source's plan once made, or the pickled text of one not decoded yet.
    planned: Option<Arc<PlannedScan>>,
    pickled_plan: Option<String>,
}

/// A batch reader: on the driver, it takes filters and plans partitions; on an executor, it
/// reads them.
#[pyclass(frozen, name = "NativeBatchReader", module = "datasource_py")]
pub(crate) struct NativeBatchReader {
    role: Arc<dyn Role>,
    reading: Mutex<Reading>,
}

impl NativeBatchReader {
    fn new(role: Arc<dyn Role>, setup: ReadSetup, pickled_plan: Option<String>) -> Self {
        NativeBatchReader {
            role,
            reading: Mutex::new(Reading {
                setup,
                planned: None,
                pickled_plan,
            }),
        }
    }

    fn reading(&self) -> MutexGuard<'_, Reading> {
        // A panic while the lock was held is already reported; the state itself is intact.
        self.reading.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The scan filters are pushed into (before the plan is made).
    pub(crate) fn scan(&self) -> Scan {
        self.reading().setup.scan.clone()
    }

    /// Takes the filters the source accepted: the plan is made from them.
    pub(crate) fn accept_filters(&self, exact: Vec<Filter>, inexact: Vec<Filter>) {
        let mut reading = self.reading();
        reading.setup = reading.setup.clone().with_filters(exact, inexact);
        reading.planned = None;
    }

    /// Takes the LIMIT the source accepted: the plan is made with it.
    pub(crate) fn accept_limit(&self, limit: u64) {
        let mut reading = self.reading();
        reading.setup = reading.setup.clone().with_limit(Some(limit));
        reading.planned = None;
    }

    /// The setup and the source's plan, made (or decoded) on first use.
    fn planned(&self, py: Python<'_>) -> PyResult<(ReadSetup, Arc<PlannedScan>)> {
        let name = self.role.source_name();
        let mut reading = self.reading();
        if let Some(planned) = &reading.planned {
            return Ok((reading.setup.clone(), planned.clone()));
        }
        let scan = reading.setup.scan.clone();
        let planned = match reading.pickled_plan.take() {
            Some(text) => in_source(py, name, "reader restore", || {
                self.role.decode_plan(&scan, &text)
            })?,
            None => in_source(py, name, "plan()", || self.role.plan(&scan))?,
        };
        let planned = Arc::new(planned);
        reading.planned = Some(planned.clone());
        Ok((reading.setup.clone(), planned))
    }
}

#[pymethods]
impl NativeBatchReader {
    /// The pickled form: restoring from it gives this reader back, plan included.
    fn state(&self, py: Python<'_>) -> PyResult<String> {
        let name = self.role.source_name();
        let (setup, planned) = self.planned(py)?;
        let plan = in_source(py, name, "plan()", || self.role.encode_plan(&planned))?;
        setup.state(Some(plan))
    }

    /// The Arrow schema of what this reader gives Spark, as a `pyarrow.Schema`.
    fn arrow_schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let setup = self.reading().setup.clone();
        setup.output_schema().as_ref().to_pyarrow(py)
    }

    /// Plans the partitions (codec text: Spark's `InputPartition` values).
    fn partitions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let name = self.role.source_name();
        let (_, planned) = self.planned(py)?;
        let partitions = in_source(py, name, "partitions()", || self.role.partitions(&planned))?;
        PyList::new(py, partitions)
    }

    /// Reads one partition in the running task, as a `pyarrow.RecordBatchReader` over Rust's
    /// batches; `None` is Spark's placeholder when `partitions()` planned none: no rows.
    /// `partition_id`: read outside Spark (`read()` of the wheel), as the task of that
    /// partition.
    #[pyo3(signature = (partition, partition_id=None))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        partition: Option<&str>,
        partition_id: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = self.role.source_name();
        let (setup, planned) = self.planned(py)?;
        let batches = match partition {
            None => Batches::empty(),
            Some(partition) => {
                let task = match partition_id {
                    Some(id) => Task::new(id),
                    None => current_task(py)?,
                };
                in_source(py, name, "read", || {
                    self.role.read(&planned, &task, partition)
                })?
            }
        };
        guarded(name, "read()", || setup.to_pyarrow(py, batches))
    }
}
