//! The stream of batches pyarrow pulls through the Arrow C stream interface. It is the last
//! stop before Spark: panics stop here (they must not unwind into C), errors get the source's
//! name, and every batch is checked against the schema Spark was promised.

use std::panic::{AssertUnwindSafe, catch_unwind};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use datasource_core::schema::Projection;

use crate::binding::RawBatches;

pub(crate) struct BatchStream {
    source: &'static str,
    /// The source's own schema: what each batch must have.
    expected: SchemaRef,
    /// Columns the user's `spark.read.schema(...)` asked for, if not all of them as they are.
    projection: Option<Projection>,
    batches: RawBatches,
    finished: bool,
}

impl BatchStream {
    pub(crate) fn new(
        source: &'static str,
        expected: SchemaRef,
        projection: Option<Projection>,
        batches: RawBatches,
    ) -> Self {
        BatchStream {
            source,
            expected,
            projection,
            batches,
            finished: false,
        }
    }

    fn error(&mut self, message: String) -> Option<Result<RecordBatch, ArrowError>> {
        self.finished = true;
        Some(Err(ArrowError::ExternalError(message.into())))
    }

    /// Accepts a batch with the source's schema; one whose columns match except for nested
    /// field names, metadata or a column that is non-null where nulls were allowed is
    /// relabelled; anything else is an error naming the column.
    fn conform(&self, batch: RecordBatch) -> Result<RecordBatch, String> {
        if batch.schema_ref() == &self.expected
            || batch.schema_ref().fields() == self.expected.fields()
        {
            return Ok(batch);
        }
        let expected = self.expected.fields();
        let actual = batch.schema();
        if actual.fields().len() != expected.len() {
            return Err(format!(
                "a batch has {} columns but the schema has {}",
                actual.fields().len(),
                expected.len()
            ));
        }
        for (want, have) in expected.iter().zip(actual.fields()) {
            if want.name() != have.name() || !want.data_type().equals_datatype(have.data_type()) {
                return Err(format!(
                    "batch column `{}` ({}) does not match schema column `{}` ({})",
                    have.name(),
                    have.data_type(),
                    want.name(),
                    want.data_type()
                ));
            }
        }
        RecordBatch::try_new(self.expected.clone(), batch.columns().to_vec())
            .map_err(|e| format!("a batch does not fit the schema: {e}"))
    }
}

impl Iterator for BatchStream {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let source = self.source;
        let next = match catch_unwind(AssertUnwindSafe(|| self.batches.next())) {
            Ok(next) => next,
            Err(panic) => {
                return self.error(format!(
                    "{source}: panicked while reading: {}",
                    panic_message(&*panic)
                ));
            }
        };
        let batch = match next? {
            Ok(batch) => batch,
            Err(error) => return self.error(format!("{source}: read failed: {error:#}")),
        };
        let batch = match self.conform(batch) {
            Ok(batch) => batch,
            Err(message) => return self.error(format!("{source}: {message}")),
        };
        match &self.projection {
            None => Some(Ok(batch)),
            Some(projection) => match projection.apply(&batch) {
                Ok(batch) => Some(Ok(batch)),
                Err(error) => self.error(format!("{source}: {error}")),
            },
        }
    }
}

impl RecordBatchReader for BatchStream {
    fn schema(&self) -> SchemaRef {
        match &self.projection {
            Some(projection) => projection.schema().clone(),
            None => self.expected.clone(),
        }
    }
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
