//! Batches across the Arrow C stream interface: the way in from, and out to, a library built on
//! another major version of arrow-rs (lance, deltalake, datafusion and polars each pin their
//! own), whose `RecordBatch` is another type than the SDK's but whose C stream is the same.

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};

use super::Batches;
use crate::Result;

impl Batches {
    /// The batches of an Arrow C stream (`ArrowArrayStream` of the C data interface), taken
    /// over: they are pulled from it as Spark pulls them, and it is released when they end or
    /// are dropped.
    ///
    /// The hop from a crate on another arrow-rs major: export its reader with *its*
    /// `FFI_ArrowArrayStream::new`, and move that stream into this version's type, which has the
    /// same C layout (the one unsafe line: the compiler cannot compare two versions' structs):
    ///
    /// ```ignore
    /// use datasource_py::arrow_array::ffi_stream::FFI_ArrowArrayStream;
    ///
    /// let mut theirs = their_arrow::ffi_stream::FFI_ArrowArrayStream::new(Box::new(reader));
    /// // SAFETY: both are the C data interface's `ArrowArrayStream` (`#[repr(C)]`); `theirs` is
    /// // left released.
    /// let ours = unsafe { FFI_ArrowArrayStream::from_raw((&raw mut theirs).cast()) };
    /// let batches = Batches::from_ffi_stream(ours)?;
    /// ```
    ///
    /// (`tests/tests/arrow_major.rs` does it both ways with arrow-rs 57.)
    ///
    /// # Errors
    /// A stream already released, or one whose schema cannot be read.
    pub fn from_ffi_stream(stream: FFI_ArrowArrayStream) -> Result<Batches> {
        let reader = RecordBatchStreamReader::try_new(stream)?;
        let schema = reader.schema();
        Ok(Batches::from_record_batches(reader.map(|batch| Ok(batch?))).with_schema(schema))
    }

    /// These batches as an Arrow C stream, for a library on another arrow-rs major to import
    /// (with *its* stream reader's `from_raw`): the way out of the SDK's batches, for a
    /// writer. The schema is the batches' own ([`Batches::schema`]) or else the first batch's
    /// (none: an empty schema); an error ends the stream with its message.
    pub fn into_ffi_stream(self) -> FFI_ArrowArrayStream {
        FFI_ArrowArrayStream::new(Box::new(CStreamSource::new(self)))
    }
}

/// [`Batches`] as a `RecordBatchReader`, which arrow-rs exports as a C stream.
struct CStreamSource {
    schema: SchemaRef,
    first: Option<Result<RecordBatch>>,
    batches: Batches,
}

impl CStreamSource {
    fn new(mut batches: Batches) -> Self {
        let (schema, first) = match batches.schema().cloned() {
            Some(schema) => (schema, None),
            None => {
                let first = batches.next();
                let schema = match &first {
                    Some(Ok(batch)) => batch.schema(),
                    _ => SchemaRef::new(arrow_schema::Schema::empty()),
                };
                (schema, first)
            }
        };
        CStreamSource {
            schema,
            first,
            batches,
        }
    }
}

impl Iterator for CStreamSource {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = match self.first.take() {
            Some(first) => first,
            None => self.batches.next()?,
        };
        Some(next.map_err(|error| ArrowError::ExternalError(format!("{error:#}").into())))
    }
}

impl RecordBatchReader for CStreamSource {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::Int64Array;

    use super::*;

    #[test]
    fn batches_go_out_and_back_through_a_c_stream() {
        let batch =
            RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1, 2, 3])) as _)])
                .unwrap();
        let out = Batches::from_record_batches([Ok(batch.clone()), Ok(batch.clone())]);
        let back = Batches::from_ffi_stream(out.into_ffi_stream()).unwrap();
        assert_eq!(back.schema(), Some(&batch.schema()));
        let back: Vec<RecordBatch> = back.collect::<Result<_>>().unwrap();
        assert_eq!(back, [batch.clone(), batch]);
    }

    #[test]
    fn an_error_crosses_as_the_streams_error_and_a_released_stream_is_refused() {
        let failing = Batches::from_record_batches([Err(crate::format_err!("the API went away"))]);
        let back = Batches::from_ffi_stream(failing.into_ffi_stream()).unwrap();
        let errors: Vec<String> = back
            .filter_map(|b| b.err())
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("the API went away"), "{errors:?}");
        let error = Batches::from_ffi_stream(FFI_ArrowArrayStream::empty()).unwrap_err();
        assert!(error.to_string().contains("released"), "{error}");
    }
}
