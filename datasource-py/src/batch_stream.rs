//! The stream of batches pyarrow pulls through the Arrow C stream interface. It is the last
//! stop before Spark: panics stop here (they must not unwind into C), errors get the source's
//! name, and every batch goes through the reader's [`ReadAdapter`], so it has exactly the
//! schema Spark was promised.

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use datasource_core::Batches;
use datasource_core::adapter::ReadAdapter;
use datasource_core::panics;

pub(crate) struct BatchStream {
    source: &'static str,
    adapter: ReadAdapter,
    batches: Batches,
    /// The rest of a batch split to fit Spark's layouts, handed over first.
    pieces: std::collections::VecDeque<RecordBatch>,
    finished: bool,
}

impl BatchStream {
    pub(crate) fn new(source: &'static str, adapter: ReadAdapter, batches: Batches) -> Self {
        BatchStream {
            source,
            adapter,
            batches,
            pieces: std::collections::VecDeque::new(),
            finished: false,
        }
    }

    fn error(&mut self, message: String) -> Option<Result<RecordBatch, ArrowError>> {
        self.finished = true;
        Some(Err(ArrowError::ExternalError(
            crate::errors::redacted_for(self.source, message).into(),
        )))
    }
}

impl Iterator for BatchStream {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        if let Some(piece) = self.pieces.pop_front() {
            return self.adapted(piece);
        }
        let source = self.source;
        // What the source logs while it makes the batch is its text (see `redact::in_scope`).
        let batches = &mut self.batches;
        let next =
            match panics::catch(|| datasource_core::redact::in_scope(source, || batches.next())) {
                Ok(next) => next,
                Err(panic) => {
                    return self.error(format!(
                        "{source}: panicked while reading: {}",
                        panics::message(&*panic)
                    ));
                }
            };
        let batch = match next? {
            Ok(batch) => batch,
            Err(error) => return self.error(format!("{source}: read failed: {error:#}")),
        };
        self.pieces.extend(self.adapter.pieces(batch));
        let first = self.pieces.pop_front()?;
        self.adapted(first)
    }
}

impl BatchStream {
    fn adapted(&mut self, batch: RecordBatch) -> Option<Result<RecordBatch, ArrowError>> {
        match self.adapter.adapt(batch) {
            Ok(batch) => Some(Ok(batch)),
            Err(error) => self.error(error.to_string()),
        }
    }
}

impl RecordBatchReader for BatchStream {
    fn schema(&self) -> SchemaRef {
        self.adapter.output().clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int32Array, Int64Array};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn adapter() -> ReadAdapter {
        let schema = Schema::new(vec![Field::new("id", DataType::Int64, false)]);
        ReadAdapter::new("src", &schema, &schema).unwrap()
    }

    fn batch(column: arrow_array::ArrayRef) -> RecordBatch {
        let schema = Schema::new(vec![Field::new("id", column.data_type().clone(), false)]);
        RecordBatch::try_new(Arc::new(schema), vec![column]).unwrap()
    }

    #[test]
    fn batches_come_out_with_sparks_schema_until_the_end() {
        let batches =
            Batches::from_record_batches(vec![Ok(batch(Arc::new(Int64Array::from(vec![7]))))]);
        let mut stream = BatchStream::new("src", adapter(), batches);
        let out = stream.next().unwrap().unwrap();
        assert_eq!(out.schema(), stream.schema());
        assert!(stream.next().is_none());
    }

    #[test]
    fn a_batch_that_does_not_fit_ends_the_stream_with_the_column_named() {
        let batches = Batches::from_record_batches(vec![
            Ok(batch(Arc::new(Int32Array::from(vec![7])))),
            Ok(batch(Arc::new(Int64Array::from(vec![7])))),
        ]);
        let mut stream = BatchStream::new("src", adapter(), batches);
        let error = stream.next().unwrap().unwrap_err().to_string();
        assert!(error.contains("src: batch column `id` (Int32)"), "{error}");
        assert!(stream.next().is_none(), "nothing is read after a failure");
    }

    #[test]
    fn errors_and_panics_end_the_stream_with_the_source_name() {
        let failing = Batches::from_record_batches(vec![Err(anyhow::anyhow!("disk on fire"))]);
        let error = BatchStream::new("src", adapter(), failing)
            .next()
            .unwrap()
            .unwrap_err();
        assert!(
            error.to_string().contains("src: read failed: disk on fire"),
            "{error}"
        );

        let panicking = Batches::from_record_batches(std::iter::from_fn(
            || -> Option<datasource_core::Result<RecordBatch>> { panic!("bug in user code") },
        ));
        let mut stream = BatchStream::new("src", adapter(), panicking);
        let error = stream.next().unwrap().unwrap_err().to_string();
        assert!(
            error.contains("src: panicked while reading: bug in user code"),
            "{error}"
        );
        assert!(stream.next().is_none(), "nothing is read after a failure");
    }
}
