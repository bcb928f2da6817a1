//! The batch-write capability's glue (`BatchWriter`): `DataSource.writer()`, over the writer
//! both write capabilities share (`writing`).

use std::sync::Arc;

use arrow_schema::SchemaRef;
use datasource_core::codec::{self, Cargo};
use datasource_core::{BatchWriter, Batches, Result, Task, WriteJob};
use pyo3::prelude::*;

pub(crate) use crate::capability::writing::WriteRole as Role;
use crate::capability::writing::{decode_all, decode_some};
use crate::source::OpenSource;

struct Typed<T>(Arc<T>);

impl<T: BatchWriter> Role for Typed<T> {
    fn source_name(&self) -> &'static str {
        T::NAME
    }

    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        self.0.accepts(incoming)
    }

    fn write(&self, write: &WriteJob, task: &Task, batches: Batches) -> Result<String> {
        let message = self.0.clone().write(write, task, batches)?;
        Ok(codec::encode(T::NAME, Cargo::CommitMessage, &message)?)
    }

    fn commit(&self, write: &WriteJob, _: Option<u64>, messages: Vec<String>) -> Result<()> {
        self.0.commit(write, decode_all(T::NAME, messages)?)
    }

    fn abort(&self, write: &WriteJob, _: Option<u64>, messages: Vec<Option<String>>) -> Result<()> {
        self.0.abort(write, decode_some(T::NAME, messages)?)
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
