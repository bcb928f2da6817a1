//! The columns of a table or query, as Spark sees them: each database type maps to one Spark
//! type, both ways.

use std::sync::Arc;

use datasource_py::arrow_array::RecordBatch;
use datasource_py::arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datasource_py::prelude::*;
use datasource_py::types::SPARK_TIMESTAMP_TZ;
use serde::{Deserialize, Serialize};

/// The Spark type of a column, which both backends read into and write from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Bool,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal {
        precision: u8,
        scale: i8,
    },
    Text,
    Binary,
    Date,
    /// `TIMESTAMP_NTZ`: a wall-clock time (PostgreSQL's `timestamp`).
    Timestamp,
    /// `TIMESTAMP`: an instant (PostgreSQL's `timestamptz`).
    TimestampTz,
}

/// One column of what is read or written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// How the database stores it (`int4`, `DECIMAL(12,2)`), for messages and decoding.
    pub database_type: String,
}

impl Kind {
    /// The Arrow type of Spark's reading of it.
    pub fn data_type(self) -> DataType {
        match self {
            Kind::Bool => DataType::Boolean,
            Kind::Int16 => DataType::Int16,
            Kind::Int32 => DataType::Int32,
            Kind::Int64 => DataType::Int64,
            Kind::Float32 => DataType::Float32,
            Kind::Float64 => DataType::Float64,
            Kind::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
            Kind::Text => DataType::Utf8,
            Kind::Binary => DataType::Binary,
            Kind::Date => DataType::Date32,
            Kind::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            Kind::TimestampTz => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(SPARK_TIMESTAMP_TZ.into()))
            }
        }
    }

    /// The kind of an Arrow type Spark writes (after the SDK fitted it), if it has one.
    pub fn of(data_type: &DataType) -> Option<Kind> {
        Some(match data_type {
            DataType::Boolean => Kind::Bool,
            DataType::Int8 | DataType::Int16 => Kind::Int16,
            DataType::Int32 => Kind::Int32,
            DataType::Int64 => Kind::Int64,
            DataType::Float32 => Kind::Float32,
            DataType::Float64 => Kind::Float64,
            DataType::Decimal128(precision, scale) => Kind::Decimal {
                precision: *precision,
                scale: *scale,
            },
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Text,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Kind::Binary,
            DataType::Date32 => Kind::Date,
            DataType::Timestamp(TimeUnit::Microsecond, None) => Kind::Timestamp,
            DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => Kind::TimestampTz,
            _ => return None,
        })
    }

    /// Whether values of this kind compare as text (and need a byte-wise collation to compare
    /// as Spark does).
    pub fn is_text(self) -> bool {
        matches!(self, Kind::Text)
    }
}

/// The Arrow schema of `columns` (every column nullable: a query's result says nothing of it).
pub fn schema_of(columns: &[Column]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|column| Field::new(&column.name, column.kind.data_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// An error, where reading a value would panic, for a batch whose columns are not of the Arrow
/// types of `columns`' kinds (what the write was planned with and the adapter fitted).
pub fn check_batch(batch: &RecordBatch, columns: &[Column]) -> Result<()> {
    ensure!(
        batch.num_columns() == columns.len(),
        "a batch has {} columns where the write was planned with {}",
        batch.num_columns(),
        columns.len()
    );
    for (array, column) in batch.columns().iter().zip(columns) {
        let fits = match (column.kind, array.data_type()) {
            (Kind::TimestampTz, DataType::Timestamp(TimeUnit::Microsecond, Some(_))) => true,
            (kind, data_type) => kind.data_type() == *data_type,
        };
        ensure!(
            fits,
            "column `{}`: a batch holds {} where the write was planned with {}",
            column.name,
            array.data_type(),
            column.kind.data_type()
        );
    }
    Ok(())
}

/// The columns of data Spark writes, each with a kind; an error names every column that has
/// none.
pub fn columns_of(schema: &Schema, database_type: impl Fn(Kind) -> String) -> Result<Vec<Column>> {
    let mut columns = Vec::new();
    let mut refused = Vec::new();
    for field in schema.fields() {
        match Kind::of(field.data_type()) {
            Some(kind) => columns.push(Column {
                name: field.name().clone(),
                kind,
                database_type: database_type(kind),
            }),
            None => refused.push(format!("`{}` ({})", field.name(), field.data_type())),
        }
    }
    ensure!(
        refused.is_empty(),
        "cannot write column(s) {}: a SQL table takes booleans, numbers, decimals, strings, \
         binaries, dates and timestamps",
        refused.join(", ")
    );
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_back_to_itself() {
        let kinds = [
            Kind::Bool,
            Kind::Int16,
            Kind::Int32,
            Kind::Int64,
            Kind::Float32,
            Kind::Float64,
            Kind::Decimal {
                precision: 12,
                scale: 2,
            },
            Kind::Text,
            Kind::Binary,
            Kind::Date,
            Kind::Timestamp,
            Kind::TimestampTz,
        ];
        for kind in kinds {
            assert_eq!(Kind::of(&kind.data_type()), Some(kind));
        }
    }

    #[test]
    fn unwritable_columns_are_named() {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new(
                "tags",
                DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
                true,
            ),
        ]);
        let error = columns_of(&schema, |_| String::new()).unwrap_err();
        assert!(error.to_string().contains("`tags` (List("), "{error}");
    }
}
