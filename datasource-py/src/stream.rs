//! The stream of batches pyarrow pulls through the Arrow C stream interface. It is the last
//! stop before Spark: panics stop here (they must not unwind into C), errors get the source's
//! name, and every batch is checked against the schema Spark was promised.

use std::panic::{AssertUnwindSafe, catch_unwind};

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchReader, make_array};
use arrow_schema::{ArrowError, DataType, SchemaRef};
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
        let columns = batch
            .columns()
            .iter()
            .zip(expected.iter())
            .map(|(column, want)| relabel(column, want.data_type()))
            .collect::<Result<Vec<_>, ArrowError>>()
            .and_then(|columns| RecordBatch::try_new(self.expected.clone(), columns));
        columns.map_err(|e| format!("a batch does not fit the schema: {e}"))
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

/// `column` with `data_type`, an equal type but for nested field names or metadata (arrow-rs
/// names list children `item`, Spark `element`): the buffers are shared, not copied.
fn relabel(column: &ArrayRef, data_type: &DataType) -> Result<ArrayRef, ArrowError> {
    if column.data_type() == data_type {
        return Ok(column.clone());
    }
    let data = column
        .to_data()
        .into_builder()
        .data_type(data_type.clone())
        .build()?;
    Ok(make_array(data))
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{Int64Builder, ListBuilder};
    use arrow_array::{Int32Array, Int64Array};
    use arrow_schema::{Field, Schema};

    use super::*;

    fn expected() -> SchemaRef {
        let element = Arc::new(Field::new("element", DataType::Int64, true));
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("tags", DataType::List(element), false),
        ]))
    }

    fn stream(batches: Vec<datasource_core::Result<RecordBatch>>) -> BatchStream {
        BatchStream::new("src", expected(), None, Box::new(batches.into_iter()))
    }

    /// A batch as arrow-rs builds it by default: list children named `item`, `id` not null.
    fn arrow_rs_batch(id: ArrayRef) -> RecordBatch {
        let mut tags = ListBuilder::new(Int64Builder::new());
        tags.values().append_value(1);
        tags.append(true);
        let tags = tags.finish();
        let schema = Schema::new(vec![
            Field::new("id", id.data_type().clone(), false),
            Field::new("tags", tags.data_type().clone(), false),
        ]);
        RecordBatch::try_new(Arc::new(schema), vec![id, Arc::new(tags)]).unwrap()
    }

    #[test]
    fn batches_are_relabelled_with_the_promised_schema() {
        let batch = arrow_rs_batch(Arc::new(Int64Array::from(vec![7])));
        let mut stream = stream(vec![Ok(batch)]);
        let out = stream.next().unwrap().unwrap();
        assert_eq!(out.schema(), expected());
        assert!(stream.next().is_none());
    }

    #[test]
    fn a_batch_of_another_type_is_an_error_naming_the_column() {
        let batch = arrow_rs_batch(Arc::new(Int32Array::from(vec![7])));
        let error = stream(vec![Ok(batch)])
            .next()
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(
                "src: batch column `id` (Int32) does not match schema column `id` (Int64)"
            ),
            "{error}"
        );
    }

    #[test]
    fn errors_and_panics_end_the_stream_with_the_source_name() {
        let error = stream(vec![Err(anyhow::anyhow!("disk on fire"))])
            .next()
            .unwrap()
            .unwrap_err();
        assert!(
            error.to_string().contains("src: read failed: disk on fire"),
            "{error}"
        );

        let panicking = std::iter::from_fn(|| -> Option<datasource_core::Result<RecordBatch>> {
            panic!("bug in user code")
        });
        let mut stream = BatchStream::new("src", expected(), None, Box::new(panicking));
        let error = stream.next().unwrap().unwrap_err().to_string();
        assert!(
            error.contains("src: panicked while reading: bug in user code"),
            "{error}"
        );
        assert!(stream.next().is_none(), "nothing is read after a failure");
    }
}
