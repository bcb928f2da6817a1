//! Rows: Rust structs that are Spark rows, the batcher that turns them into Arrow batches, and
//! [`Rows`], which reads them back out of one.

use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, StructArray};
use arrow_schema::{Fields, Schema, SchemaRef};

use crate::schema::SchemaError;
use crate::types::{ColumnBuilder, ColumnReader, SparkType, StructColumnBuilder};

/// A Rust struct that is one Spark row; `#[derive(Row)]` implements it.
///
/// Each field becomes a column named after it (or `#[spark(rename = "...")]`), with the
/// field's [`SparkType`]; `Option<T>` fields are nullable and doc comments become column
/// comments. A `Row` is also a [`SparkType`] (a `STRUCT`), so rows nest. Rows go both ways:
/// [`RowBatcher`] builds batches of them, [`Rows`] reads them back out of a batch.
pub trait Row: SparkType<Builder: StructColumnBuilder> + Send + 'static {
    /// The columns, in field order.
    fn fields() -> Fields;

    /// The schema of batches of these rows.
    fn schema() -> SchemaRef {
        Arc::new(Schema::new(Self::fields()))
    }
}

/// Collects rows into Arrow record batches.
///
/// ```
/// use datasource_core::Row;
/// use datasource_core::row::RowBatcher;
/// use datasource_macros::Row;
/// #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// struct Point { x: i64, y: Option<f64> }
///
/// let mut batcher = RowBatcher::<Point>::new(2);
/// batcher.push(Point { x: 1, y: None });
/// batcher.push(Point { x: 2, y: Some(0.5) });
/// let batch = batcher.finish();
/// assert_eq!(batch.num_rows(), 2);
/// assert_eq!(batch.schema(), Point::schema());
/// ```
#[derive(Debug)]
pub struct RowBatcher<R: Row> {
    builder: R::Builder,
    schema: SchemaRef,
    rows: usize,
}

impl<R: Row> RowBatcher<R> {
    /// A batcher with room for `capacity` rows before it grows.
    pub fn new(capacity: usize) -> Self {
        RowBatcher {
            builder: R::Builder::with_capacity(capacity),
            schema: R::schema(),
            rows: 0,
        }
    }

    /// Appends one row.
    #[inline]
    pub fn push(&mut self, row: R) {
        self.push_ref(&row);
    }

    /// Appends one row that stays the caller's (to be refilled for the next one).
    #[inline]
    pub fn push_ref(&mut self, row: &R) {
        row.append_to(&mut self.builder);
        self.rows += 1;
    }

    /// Makes room for `rows` rows in the next batch, when none is pending (building a large
    /// batch into builders that grow as it fills costs a copy at each growth).
    pub fn reserve(&mut self, rows: usize) {
        if self.is_empty() {
            self.builder = R::Builder::with_capacity(rows);
        }
    }

    /// Rows appended since the last `finish`.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows were appended since the last `finish`.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rows appended so far as one batch; the batcher starts over empty.
    pub fn finish(&mut self) -> RecordBatch {
        let (_, columns, _) = self.builder.finish_struct().into_parts();
        let options =
            RecordBatchOptions::new().with_row_count(Some(std::mem::take(&mut self.rows)));
        RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .expect("derived row builders produce columns of the row's own schema")
    }
}

/// The rows of a record batch, read as `R`s: what a writer receives Spark's data as.
///
/// The batch's columns must be `R`'s, in order (names may differ); the error says which column
/// is not.
///
/// ```
/// use datasource_core::Row;
/// use datasource_core::row::{RowBatcher, Rows};
/// use datasource_macros::Row;
/// #[derive(Row, Debug, PartialEq)]
/// # #[spark(crate = "datasource_core")]
/// struct Point { x: i64, y: Option<f64> }
///
/// let mut batcher = RowBatcher::<Point>::new(2);
/// batcher.push(Point { x: 1, y: None });
/// let batch = batcher.finish();
/// let points: Vec<Point> = Rows::<Point>::new(&batch).unwrap().collect();
/// assert_eq!(points, [Point { x: 1, y: None }]);
/// ```
pub struct Rows<R: Row> {
    reader: R::Reader,
    next: usize,
    len: usize,
    _row: PhantomData<fn() -> R>,
}

impl<R: Row> Rows<R> {
    /// Reads the rows of `batch`.
    pub fn new(batch: &RecordBatch) -> Result<Self, SchemaError> {
        let array: ArrayRef = Arc::new(StructArray::from(batch.clone()));
        Ok(Rows {
            reader: R::Reader::new(&array)?,
            next: 0,
            len: array.len(),
            _row: PhantomData,
        })
    }
}

impl<R: Row> std::fmt::Debug for Rows<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("next", &self.next)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl<R: Row> Iterator for Rows<R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        (self.next < self.len).then(|| {
            self.next += 1;
            self.reader.value(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.len - self.next;
        (left, Some(left))
    }
}

impl<R: Row> ExactSizeIterator for Rows<R> {}
