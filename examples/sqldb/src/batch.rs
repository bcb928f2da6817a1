//! Arrow batches both ways: [`BatchBuilder`] fills one from a database's rows, [`Cell`] reads
//! values out of one for a database to store.

use std::sync::Arc;

use datasource_py::arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder,
    Float64Builder, Int16Builder, Int32Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datasource_py::arrow_array::cast::AsArray;
use datasource_py::arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType,
};
use datasource_py::arrow_array::{Array, ArrayRef, RecordBatch};
use datasource_py::arrow_schema::SchemaRef;
use datasource_py::batch_size::BatchSizer;
use datasource_py::prelude::*;

use crate::columns::Kind;

/// One value, typed as its column's [`Kind`]: what a database row gives, or what is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Bool(bool),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    /// Unscaled, at the column's scale.
    Decimal(i128),
    Text(&'a str),
    Binary(&'a [u8]),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since 1970-01-01 00:00 (UTC, or wall-clock for `TIMESTAMP_NTZ`).
    Micros(i64),
}

/// The builders of one batch, one per column of a schema.
pub struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    rows: usize,
    sizer: BatchSizer,
}

enum ColumnBuilder {
    Bool(BooleanBuilder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Decimal(Decimal128Builder, u8, i8),
    Text(StringBuilder),
    Binary(BinaryBuilder),
    Date(Date32Builder),
    Micros(TimestampMicrosecondBuilder, Option<Arc<str>>),
}

impl BatchBuilder {
    /// Builders for `schema`, whose columns each have a [`Kind`], for batches of `size`.
    pub fn new(schema: SchemaRef, kinds: &[Kind], size: BatchSize) -> Self {
        let sizer = BatchSizer::new(size);
        let capacity = sizer.rows();
        let columns = kinds
            .iter()
            .map(|kind| match *kind {
                Kind::Bool => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
                Kind::Int16 => ColumnBuilder::Int16(Int16Builder::with_capacity(capacity)),
                Kind::Int32 => ColumnBuilder::Int32(Int32Builder::with_capacity(capacity)),
                Kind::Int64 => ColumnBuilder::Int64(Int64Builder::with_capacity(capacity)),
                Kind::Float32 => ColumnBuilder::Float32(Float32Builder::with_capacity(capacity)),
                Kind::Float64 => ColumnBuilder::Float64(Float64Builder::with_capacity(capacity)),
                Kind::Decimal { precision, scale } => ColumnBuilder::Decimal(
                    Decimal128Builder::with_capacity(capacity),
                    precision,
                    scale,
                ),
                Kind::Text => ColumnBuilder::Text(StringBuilder::with_capacity(capacity, 0)),
                Kind::Binary => ColumnBuilder::Binary(BinaryBuilder::with_capacity(capacity, 0)),
                Kind::Date => ColumnBuilder::Date(Date32Builder::with_capacity(capacity)),
                Kind::Timestamp => ColumnBuilder::Micros(
                    TimestampMicrosecondBuilder::with_capacity(capacity),
                    None,
                ),
                Kind::TimestampTz => ColumnBuilder::Micros(
                    TimestampMicrosecondBuilder::with_capacity(capacity),
                    Some(datasource_py::types::SPARK_TIMESTAMP_TZ.into()),
                ),
            })
            .collect();
        BatchBuilder {
            schema,
            columns,
            rows: 0,
            sizer,
        }
    }

    /// Appends `cell` to column `index`; a cell of another type than the column's is a bug of
    /// the backend's decoding (each decodes by the column's kind).
    pub fn append(&mut self, index: usize, cell: Cell<'_>) -> Result<()> {
        let column = &mut self.columns[index];
        match (column, cell) {
            (ColumnBuilder::Bool(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Int16(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Int32(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Int64(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Float32(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Float64(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Decimal(b, ..), Cell::Null) => b.append_null(),
            (ColumnBuilder::Text(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Binary(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Date(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Micros(b, _), Cell::Null) => b.append_null(),
            (ColumnBuilder::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (ColumnBuilder::Int16(b), Cell::Int16(v)) => b.append_value(v),
            (ColumnBuilder::Int32(b), Cell::Int32(v)) => b.append_value(v),
            (ColumnBuilder::Int64(b), Cell::Int64(v)) => b.append_value(v),
            (ColumnBuilder::Float32(b), Cell::Float32(v)) => b.append_value(v),
            (ColumnBuilder::Float64(b), Cell::Float64(v)) => b.append_value(v),
            (ColumnBuilder::Decimal(b, ..), Cell::Decimal(v)) => b.append_value(v),
            (ColumnBuilder::Text(b), Cell::Text(v)) => b.append_value(v),
            (ColumnBuilder::Binary(b), Cell::Binary(v)) => b.append_value(v),
            (ColumnBuilder::Date(b), Cell::Date(v)) => b.append_value(v),
            (ColumnBuilder::Micros(b, _), Cell::Micros(v)) => b.append_value(v),
            (_, cell) => bail!(
                "column `{}`: a value {cell:?} does not fit",
                self.schema.field(index).name()
            ),
        }
        Ok(())
    }

    /// Counts a row whose every column was appended.
    pub fn end_row(&mut self) {
        self.rows += 1;
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the batch has the rows it should (by count, or by the bytes of those before).
    pub fn is_full(&self) -> bool {
        self.rows >= self.sizer.rows()
    }

    /// The batch of the rows appended since the last one.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|column| -> ArrayRef {
                match column {
                    ColumnBuilder::Bool(b) => Arc::new(b.finish()),
                    ColumnBuilder::Int16(b) => Arc::new(b.finish()),
                    ColumnBuilder::Int32(b) => Arc::new(b.finish()),
                    ColumnBuilder::Int64(b) => Arc::new(b.finish()),
                    ColumnBuilder::Float32(b) => Arc::new(b.finish()),
                    ColumnBuilder::Float64(b) => Arc::new(b.finish()),
                    ColumnBuilder::Decimal(b, precision, scale) => Arc::new(
                        b.finish()
                            .with_precision_and_scale(*precision, *scale)
                            .expect("a decimal column's precision and scale are valid"),
                    ),
                    ColumnBuilder::Text(b) => Arc::new(b.finish()),
                    ColumnBuilder::Binary(b) => Arc::new(b.finish()),
                    ColumnBuilder::Date(b) => Arc::new(b.finish()),
                    ColumnBuilder::Micros(b, zone) => {
                        Arc::new(b.finish().with_timezone_opt(zone.clone()))
                    }
                }
            })
            .collect();
        self.rows = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.sizer.observe(&batch);
        Ok(batch)
    }
}

/// The value at `row` of `array`, a column of `kind` (as [`Kind::of`] its type).
pub fn cell(array: &dyn Array, kind: Kind, row: usize) -> Cell<'_> {
    if array.is_null(row) {
        return Cell::Null;
    }
    match kind {
        Kind::Bool => Cell::Bool(array.as_boolean().value(row)),
        Kind::Int16 => Cell::Int16(array.as_primitive::<Int16Type>().value(row)),
        Kind::Int32 => Cell::Int32(array.as_primitive::<Int32Type>().value(row)),
        Kind::Int64 => Cell::Int64(array.as_primitive::<Int64Type>().value(row)),
        Kind::Float32 => Cell::Float32(array.as_primitive::<Float32Type>().value(row)),
        Kind::Float64 => Cell::Float64(array.as_primitive::<Float64Type>().value(row)),
        Kind::Decimal { .. } => Cell::Decimal(array.as_primitive::<Decimal128Type>().value(row)),
        Kind::Text => Cell::Text(array.as_string::<i32>().value(row)),
        Kind::Binary => Cell::Binary(array.as_binary::<i32>().value(row)),
        Kind::Date => Cell::Date(array.as_primitive::<Date32Type>().value(row)),
        Kind::Timestamp | Kind::TimestampTz => {
            Cell::Micros(array.as_primitive::<TimestampMicrosecondType>().value(row))
        }
    }
}

/// `unscaled × 10^-scale` as decimal text (`-12.50`).
pub fn decimal_text(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut text = unscaled.to_string();
        if unscaled != 0 {
            text.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        }
        return text;
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_as_text() {
        assert_eq!(decimal_text(1250, 2), "12.50");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(0, 2), "0.00");
        assert_eq!(decimal_text(7, -2), "700");
        assert_eq!(decimal_text(i128::MAX, 0), i128::MAX.to_string());
    }
}
