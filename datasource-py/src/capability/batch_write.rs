//! The batch-write capability's glue (`BatchWriter`): `DataSource.writer()`, over the writer
//! both write capabilities share (`writing`).

use std::sync::Arc;

use arrow_schema::SchemaRef;
use datasource_core::codec::{self, Cargo};
use datasource_core::{BatchWriter, Batches, Result, Task, WriteJob};
use pyo3::prelude::*;

pub(crate) use crate::capability::writing::WriteRole as Role;
use crate::capability::writing::{decode_all, decode_some, planned};
use crate::source::OpenSource;

struct Typed<T>(Arc<T>);

impl<T: BatchWriter> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn commits_afresh(&self) -> bool {
        false
    }

    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        self.0.accepts(incoming)
    }

    fn plan(&self, write: &WriteJob) -> Result<String> {
        Ok(codec::encode(T::NAME, Cargo::Plan, &self.0.plan(write)?)?)
    }

    fn write(&self, write: &WriteJob, plan: &str, task: &Task, batches: Batches) -> Result<String> {
        let write = planned::<T::Plan>(T::NAME, write, plan)?;
        let message = self.0.clone().write(&write, task, batches)?;
        Ok(codec::encode(T::NAME, Cargo::CommitMessage, &message)?)
    }

    fn commit(
        &self,
        write: &WriteJob,
        plan: &str,
        _: Option<u64>,
        messages: Vec<String>,
    ) -> Result<()> {
        let write = planned::<T::Plan>(T::NAME, write, plan)?;
        self.0.commit(&write, decode_all(T::NAME, messages)?)
    }

    fn abort(
        &self,
        write: &WriteJob,
        plan: &str,
        _: Option<u64>,
        messages: Vec<Option<String>>,
    ) -> Result<()> {
        let write = planned::<T::Plan>(T::NAME, write, plan)?;
        self.0.abort(&write, decode_some(T::NAME, messages)?)
    }
}

pub(crate) fn glue<T: BatchWriter>(source: Arc<T>) -> Arc<dyn Role> {
    Arc::new(Typed(source))
}

pub(crate) fn native(
    py: Python<'_>,
    role: Arc<dyn Role>,
    _: &Arc<OpenSource>,
) -> PyResult<Py<PyAny>> {
    crate::capability::writing::native(py, role)
}
