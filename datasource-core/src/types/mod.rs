//! Rust types that have a Spark SQL type, both ways: column builders turn Rust values into
//! Arrow columns (reads, Rust to Spark), column readers turn Arrow columns back into Rust
//! values (writes, Spark to Rust).
//!
//! Every type here produces exactly the Arrow type PySpark's own `to_arrow_type` gives for its
//! Spark type (PySpark 4.3 refuses a batch whose schema differs): lists name their child
//! `element`, maps name their children `entries`/`key`/`value`, timestamps are microseconds in
//! `UTC`, decimals are 128 bits wide.

mod decimal;
mod nested;
mod scalar;
mod variant;

use arrow_array::ArrayRef;
use arrow_schema::DataType;

pub use decimal::{Decimal, DecimalError};
pub use nested::{
    ListColumn, ListValues, MapColumn, MapValues, Nullable, list_element_field, map_entry_fields,
};
// What `#[derive(Row)]` code calls; a source never names them.
#[doc(hidden)]
pub use nested::{StructColumnBuilder, StructValues, finish_struct_array};
pub use scalar::{
    Binary, BinaryValues, PrimitiveColumn, PrimitiveSparkType, PrimitiveValues, StringValues,
};
pub use variant::{Variant, VariantColumn, VariantValues, variant_fields};

use crate::schema::SchemaError;

pub use crate::schema::SPARK_TIMESTAMP_TZ;

/// A Rust type with a Spark SQL type.
///
/// Implemented for `bool`, `i8`..`i64`, `f32`, `f64`, `String`, [`Binary`] (`BINARY`),
/// [`chrono::NaiveDate`] (`DATE`), [`chrono::DateTime<Utc>`] (`TIMESTAMP`),
/// [`chrono::NaiveDateTime`] (`TIMESTAMP_NTZ`), [`chrono::NaiveTime`] (`TIME`, Spark 4.1+),
/// [`chrono::TimeDelta`] (`INTERVAL DAY TO SECOND`), [`Variant`] (`VARIANT`), `()` (`VOID`),
/// [`Decimal`], `Vec<T>` (`ARRAY`), `BTreeMap` and `HashMap` (`MAP`), `Option<T>` (nullable)
/// and every `#[derive(Row)]` struct (`STRUCT`).
///
/// Values go both ways: [`SparkType::Builder`] appends them to an Arrow column,
/// [`SparkType::Reader`] reads them back out of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Spark SQL type",
    note = "row fields can be bool, i8, i16, i32, i64, f32, f64, String, Binary, NaiveDate, \
            DateTime<Utc>, NaiveDateTime, NaiveTime, TimeDelta, Variant, (), Decimal<P, S>, \
            Vec<T>, BTreeMap<K, V>, HashMap<K, V>, Option<T> or a `#[derive(Row)]` struct",
    note = "Spark has no unsigned integers (widen `u32` to `i64`), no character type (a `char` or \
            `Vec<char>` is a `String`), and no byte lists (`Vec<u8>` is `Binary`)"
)]
pub trait SparkType: Sized {
    /// The column builder that appends values of this type.
    type Builder: ColumnBuilder;
    /// The column reader that reads values of this type.
    type Reader: ColumnReader<Value = Self>;
    /// Whether Spark may see a null here (only `Option<T>` says yes).
    const NULLABLE: bool = false;
    /// The Arrow type Spark's conversion gives for this type.
    fn data_type() -> DataType;
    /// Appends `self` to `builder` (by reference: a row can be refilled and appended again,
    /// keeping its strings' and lists' allocations).
    fn append_to(&self, builder: &mut Self::Builder);
}

/// Builds one Arrow column, value by value.
pub trait ColumnBuilder: Send {
    /// A builder with room for `capacity` values.
    fn with_capacity(capacity: usize) -> Self;
    /// Appends a null (for nullable columns, and as a placeholder under a null parent).
    fn append_null(&mut self);
    /// The number of values appended since the last `finish`.
    fn len(&self) -> usize;
    /// Whether no values were appended since the last `finish`.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Takes the values built so far as an array, leaving the builder empty.
    fn finish(&mut self) -> ArrayRef;
}

/// Reads the values of one Arrow column as Rust values.
pub trait ColumnReader: Sized + Send {
    /// What one value reads as.
    type Value;
    /// A reader of `array`, which must have the reader's Arrow type (nested field names may
    /// differ); an error names what it found instead.
    fn new(array: &ArrayRef) -> Result<Self, SchemaError>;
    /// Whether the value at `index` is null.
    fn is_null(&self, index: usize) -> bool;
    /// The value at `index`. For a null slot of a type that cannot be null, the value Arrow
    /// keeps there (zero, empty); nullable types read `None`.
    fn value(&self, index: usize) -> Self::Value;
}

/// The error of a reader given an array of another type.
pub(crate) fn wrong_array(expected: &DataType, array: &ArrayRef) -> SchemaError {
    SchemaError::Mismatch(format!(
        "expected an Arrow {expected} column, got {}",
        array.data_type()
    ))
}

/// Compile-time proof that a row field's type has a Spark type; the derive emits one call per
/// field, spanned on the field's type, so the error points at it.
#[doc(hidden)]
#[doc(hidden)]
pub const fn assert_spark_type<T: SparkType>() {}

#[cfg(test)]
mod tests;
