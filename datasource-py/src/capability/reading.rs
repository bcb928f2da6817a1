//! What every reader (batch or stream) shares once settled on the driver: the [`Scan`] its
//! tasks get, the adapter fitting its batches to Spark's schema, its pickled form, and the way
//! its batches reach pyarrow.

use std::sync::Arc;

use arrow_array::RecordBatchReader;
use arrow_pyarrow::IntoPyArrow;
use arrow_schema::{ArrowError, Schema};
use datasource_core::adapter::ReadAdapter;
use datasource_core::codec::{self, Cargo};
use datasource_core::schema::{from_spark_json, to_spark_json};
use datasource_core::{Batches, Filter, Scan};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde::{Deserialize, Serialize};

use crate::batch_stream::BatchStream;
use crate::errors::{in_source, redacted_for, schema_error};
use crate::source::OpenSource;

/// A reader's pickled form: what travels from the driver's reader to the executors'.
#[derive(Serialize, Deserialize)]
struct ReadState {
    /// The schema of the source's batches, as the driver settled it (Arrow, through serde).
    declared: serde_json::Value,
    /// The schema Spark reads: the declared one, or a user's `.schema(...)` (Spark JSON).
    requested: serde_json::Value,
    /// Whether the user gave `requested`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    user_schema: bool,
    /// The filters the source accepted as exact, then as inexact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    inexact_filters: Vec<Filter>,
    /// The LIMIT the source took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
    /// The source's own plan (`BatchReader::Plan`), as codec text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_plan: Option<String>,
}

/// A read settled on the driver (or restored from its pickled form).
#[derive(Clone)]
pub(crate) struct ReadSetup {
    pub(crate) source: &'static str,
    pub(crate) scan: Scan,
    adapter: ReadAdapter,
}

impl ReadSetup {
    /// Settles a read of `requested` (the schema Spark reads) on the driver. When the source's
    /// schema was computed (`schema()`), the source produces it; otherwise `requested` is the
    /// user's own, and the source says what it produces for it.
    pub(crate) fn settle(py: Python<'_>, open: &OpenSource, requested: Schema) -> PyResult<Self> {
        let name = open.name;
        let requested = Arc::new(requested);
        let scan = match open.declared() {
            Some(declared) => Scan::new(declared).with_requested_schema(requested),
            None => {
                let role = open.roles.source_schema.as_ref().ok_or_else(|| {
                    schema_error(name, "this source has no schema: Spark cannot read it")
                })?;
                in_source(py, name, "schema()", || role.settled_scan(Some(requested)))?
            }
        };
        Self::of(name, scan)
    }

    fn of(source: &'static str, scan: Scan) -> PyResult<Self> {
        let adapter = scan.adapter(source).map_err(|e| schema_error(source, e))?;
        Ok(ReadSetup {
            source,
            scan,
            adapter,
        })
    }

    /// This read, with the filters the source accepted.
    pub(crate) fn with_filters(mut self, exact: Vec<Filter>, inexact: Vec<Filter>) -> Self {
        self.scan = self.scan.with_filters(exact, inexact);
        self
    }

    pub(crate) fn with_limit(mut self, limit: Option<u64>) -> Self {
        self.scan = self.scan.with_limit(limit);
        self
    }

    /// What Spark reads: the schema of every batch handed over.
    pub(crate) fn output_schema(&self) -> &arrow_schema::SchemaRef {
        self.adapter.output()
    }

    /// The pickled form, with the source's plan (codec text) where it has one.
    pub(crate) fn state(&self, source_plan: Option<String>) -> PyResult<String> {
        let name = self.source;
        let scan = &self.scan;
        let state = ReadState {
            declared: serde_json::to_value(scan.schema().as_ref())
                .map_err(|e| schema_error(name, e))?,
            requested: to_spark_json(scan.requested_schema()).map_err(|e| schema_error(name, e))?,
            user_schema: scan.user_schema().is_some(),
            filters: scan.filters().to_vec(),
            inexact_filters: scan.inexact_filters().to_vec(),
            limit: scan.limit(),
            source_plan,
        };
        codec::encode(name, Cargo::ReadState, &state).map_err(|e| schema_error(name, e))
    }

    /// A read restored from its pickled form, and the source's plan in it: nothing of the
    /// source's is called.
    pub(crate) fn restore(source: &'static str, text: &str) -> PyResult<(Self, Option<String>)> {
        let state: ReadState =
            codec::decode(source, Cargo::ReadState, text).map_err(|e| schema_error(source, e))?;
        let declared: Schema =
            serde_json::from_value(state.declared).map_err(|e| schema_error(source, e))?;
        let requested =
            from_spark_json(&state.requested.to_string()).map_err(|e| schema_error(source, e))?;
        let scan = Scan::new(Arc::new(declared));
        let scan = if state.user_schema {
            scan.with_user_schema(Arc::new(requested))
        } else {
            scan.with_requested_schema(Arc::new(requested))
        };
        let scan = scan
            .with_filters(state.filters, state.inexact_filters)
            .with_limit(state.limit);
        Ok((Self::of(source, scan)?, state.source_plan))
    }

    /// `batches` as a `pyarrow.RecordBatchReader`, each fitted to Spark's schema as pyarrow
    /// pulls it.
    pub(crate) fn to_pyarrow<'py>(
        &self,
        py: Python<'py>,
        batches: Batches,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stream: Box<dyn RecordBatchReader + Send> =
            Box::new(BatchStream::new(self.source, self.adapter.clone(), batches));
        stream.into_pyarrow(py)
    }

    /// `batches` read to the end and fitted to Spark's schema, as a list of
    /// `pyarrow.RecordBatch` without the empty ones (what the driver of a simple stream hands
    /// Spark to cache).
    pub(crate) fn to_pyarrow_list<'py>(
        &self,
        py: Python<'py>,
        batches: Batches,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut stream = BatchStream::new(self.source, self.adapter.clone(), batches);
        let collected = py.detach(|| {
            let mut collected = Vec::new();
            for batch in &mut stream {
                let batch = batch?;
                if batch.num_rows() > 0 {
                    collected.push(batch);
                }
            }
            Ok::<_, ArrowError>(collected)
        });
        // The stream's errors are worded for the user already.
        let collected = collected.map_err(|error| {
            PyRuntimeError::new_err(redacted_for(self.source, external_text(error)))
        })?;
        let batches = collected
            .into_iter()
            .map(|batch| batch.into_pyarrow(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, batches)
    }
}

fn external_text(error: ArrowError) -> String {
    match error {
        ArrowError::ExternalError(error) => error.to_string(),
        error => error.to_string(),
    }
}
