//! Rust types that have a Spark SQL type, and the Arrow column builders that carry them.
//!
//! Every type here produces exactly the Arrow type PySpark's own `to_arrow_type` gives for its
//! Spark type (PySpark 4.3 refuses a batch whose schema differs): lists name their child
//! `element`, maps name their children `entries`/`key`/`value`, timestamps are microseconds in
//! `UTC`, decimals are 128 bits wide.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

use arrow_array::builder::{BinaryBuilder, BooleanBuilder, PrimitiveBuilder, StringBuilder};
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType,
};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, ListArray, MapArray, StructArray, builder::ArrayBuilder,
};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Time zone Spark's Arrow conversion puts on `TimestampType` columns of Python data sources.
pub const SPARK_TIMESTAMP_TZ: &str = "UTC";

/// A Rust type with a Spark SQL type.
///
/// Implemented for `bool`, `i8`..`i64`, `f32`, `f64`, `String`, [`Binary`] (`BINARY`),
/// [`chrono::NaiveDate`] (`DATE`), [`chrono::DateTime<Utc>`] (`TIMESTAMP`),
/// [`chrono::NaiveDateTime`] (`TIMESTAMP_NTZ`), [`Decimal`], `Vec<T>` (`ARRAY`), `BTreeMap`
/// and `HashMap` (`MAP`), `Option<T>` (nullable) and every `#[derive(Row)]` struct (`STRUCT`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Spark SQL type",
    note = "row fields can be bool, i8, i16, i32, i64, f32, f64, String, Binary, NaiveDate, \
            DateTime<Utc>, NaiveDateTime, Decimal<P, S>, Vec<T>, BTreeMap<K, V>, HashMap<K, V>, \
            Option<T> or a `#[derive(Row)]` struct"
)]
pub trait SparkType: Sized {
    /// The column builder that appends values of this type.
    type Builder: ColumnBuilder;
    /// Whether Spark may see a null here (only `Option<T>` says yes).
    const NULLABLE: bool = false;
    /// The Arrow type Spark's conversion gives for this type.
    fn data_type() -> DataType;
    /// Appends `self` to `builder`.
    fn append_to(self, builder: &mut Self::Builder);
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

/// A primitive builder that stamps its column with an exact Arrow type on `finish`
/// (timestamps need their time zone, decimals their precision and scale).
#[derive(Debug)]
pub struct PrimitiveColumn<T: ArrowPrimitiveType, S> {
    inner: PrimitiveBuilder<T>,
    _spark: std::marker::PhantomData<fn() -> S>,
}

impl<T: ArrowPrimitiveType, S: SparkType> PrimitiveColumn<T, S> {
    /// Appends a native value.
    #[inline]
    pub fn append_value(&mut self, value: T::Native) {
        self.inner.append_value(value);
    }
}

impl<T: ArrowPrimitiveType, S: SparkType> ColumnBuilder for PrimitiveColumn<T, S> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: PrimitiveBuilder::with_capacity(capacity),
            _spark: std::marker::PhantomData,
        }
    }
    fn append_null(&mut self) {
        self.inner.append_null();
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.inner.finish().with_data_type(S::data_type()))
    }
}

macro_rules! primitive_spark_type {
    ($($rust:ty => $arrow:ty, $data_type:expr;)*) => {$(
        impl SparkType for $rust {
            type Builder = PrimitiveColumn<$arrow, $rust>;
            fn data_type() -> DataType {
                $data_type
            }
            #[inline]
            fn append_to(self, builder: &mut Self::Builder) {
                builder.append_value(self);
            }
        }
    )*};
}

primitive_spark_type! {
    i8 => Int8Type, DataType::Int8;
    i16 => Int16Type, DataType::Int16;
    i32 => Int32Type, DataType::Int32;
    i64 => Int64Type, DataType::Int64;
    f32 => Float32Type, DataType::Float32;
    f64 => Float64Type, DataType::Float64;
}

impl ColumnBuilder for BooleanBuilder {
    fn with_capacity(capacity: usize) -> Self {
        BooleanBuilder::with_capacity(capacity)
    }
    fn append_null(&mut self) {
        BooleanBuilder::append_null(self);
    }
    fn len(&self) -> usize {
        ArrayBuilder::len(self)
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(BooleanBuilder::finish(self))
    }
}

impl SparkType for bool {
    type Builder = BooleanBuilder;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_value(self);
    }
}

impl ColumnBuilder for StringBuilder {
    fn with_capacity(capacity: usize) -> Self {
        // A guess of 16 bytes a string; the builder grows as needed.
        StringBuilder::with_capacity(capacity, capacity * 16)
    }
    fn append_null(&mut self) {
        StringBuilder::append_null(self);
    }
    fn len(&self) -> usize {
        ArrayBuilder::len(self)
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(StringBuilder::finish(self))
    }
}

impl SparkType for String {
    type Builder = StringBuilder;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_value(self);
    }
}

/// Spark `BINARY`: raw bytes. (A bare `Vec<u8>` would be an `ARRAY<BYTE>`-like list, which
/// Spark has no unsigned type for, so bytes get their own name.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Binary(pub Vec<u8>);

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Binary(bytes.to_vec())
    }
}

impl ColumnBuilder for BinaryBuilder {
    fn with_capacity(capacity: usize) -> Self {
        BinaryBuilder::with_capacity(capacity, capacity * 16)
    }
    fn append_null(&mut self) {
        BinaryBuilder::append_null(self);
    }
    fn len(&self) -> usize {
        ArrayBuilder::len(self)
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(BinaryBuilder::finish(self))
    }
}

impl SparkType for Binary {
    type Builder = BinaryBuilder;
    fn data_type() -> DataType {
        DataType::Binary
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_value(self.0);
    }
}

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl SparkType for NaiveDate {
    type Builder = PrimitiveColumn<Date32Type, NaiveDate>;
    fn data_type() -> DataType {
        DataType::Date32
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        use chrono::Datelike;
        builder.append_value(self.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE);
    }
}

impl SparkType for DateTime<Utc> {
    type Builder = PrimitiveColumn<TimestampMicrosecondType, DateTime<Utc>>;
    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, Some(SPARK_TIMESTAMP_TZ.into()))
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_value(self.timestamp_micros());
    }
}

impl SparkType for NaiveDateTime {
    type Builder = PrimitiveColumn<TimestampMicrosecondType, NaiveDateTime>;
    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, None)
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_value(self.and_utc().timestamp_micros());
    }
}

/// Spark `DECIMAL(P, S)`: an unscaled 128-bit integer; the value is `unscaled * 10^-S`.
///
/// ```
/// use datasource_core::Decimal;
/// let price: Decimal<10, 2> = "12.34".parse().unwrap();
/// assert_eq!(price.unscaled(), 1234);
/// assert_eq!(price.to_string(), "12.34");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Decimal<const P: u8, const S: i8>(i128);

/// A value that does not fit a `DECIMAL(P, S)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` does not fit DECIMAL({precision}, {scale})")]
pub struct DecimalError {
    value: String,
    precision: u8,
    scale: i8,
}

impl<const P: u8, const S: i8> Decimal<P, S> {
    const VALID: () = assert!(
        P >= 1 && P <= 38 && S >= 0 && (S as u8) <= P,
        "Spark decimals need 1 <= P <= 38 and 0 <= S <= P"
    );
    /// 10^P: every unscaled value is below it in magnitude.
    const LIMIT: u128 = 10u128.pow(P as u32);

    /// The decimal whose unscaled value is `unscaled`, if it has at most `P` digits.
    #[inline]
    pub fn from_unscaled(unscaled: i128) -> Result<Self, DecimalError> {
        let () = Self::VALID;
        if unscaled.unsigned_abs() < Self::LIMIT {
            Ok(Decimal(unscaled))
        } else {
            Err(DecimalError {
                value: format!("{unscaled}e-{S}"),
                precision: P,
                scale: S,
            })
        }
    }

    /// The unscaled integer value.
    pub fn unscaled(self) -> i128 {
        self.0
    }
}

impl<const P: u8, const S: i8> std::str::FromStr for Decimal<P, S> {
    type Err = DecimalError;

    /// Parses `-123.45`-style text; more than `S` fractional digits is an error, not a rounding.
    fn from_str(text: &str) -> Result<Self, DecimalError> {
        let error = || DecimalError {
            value: text.to_owned(),
            precision: P,
            scale: S,
        };
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let scale = S as usize;
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > scale
        {
            return Err(error());
        }
        let padded = format!("{whole}{fraction:0<scale$}");
        let magnitude: i128 = padded.parse().map_err(|_| error())?;
        Self::from_unscaled(if negative { -magnitude } else { magnitude }).map_err(|_| error())
    }
}

impl<const P: u8, const S: i8> std::fmt::Display for Decimal<P, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scale = S as usize;
        let digits = format!("{:0>width$}", self.0.unsigned_abs(), width = scale + 1);
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let sign = if self.0 < 0 { "-" } else { "" };
        if scale == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{fraction}")
        }
    }
}

impl<const P: u8, const S: i8> SparkType for Decimal<P, S> {
    type Builder = PrimitiveColumn<Decimal128Type, Decimal<P, S>>;
    fn data_type() -> DataType {
        let () = Self::VALID;
        DataType::Decimal128(P, S)
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_value(self.0);
    }
}

impl<T: SparkType> SparkType for Option<T> {
    type Builder = T::Builder;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        T::data_type()
    }
    #[inline]
    fn append_to(self, builder: &mut Self::Builder) {
        match self {
            Some(value) => value.append_to(builder),
            None => builder.append_null(),
        }
    }
}

/// The Arrow field of a list element, named as Spark names it.
pub fn list_element_field<T: SparkType>() -> FieldRef {
    Arc::new(Field::new("element", T::data_type(), T::NULLABLE))
}

/// Offsets and validity shared by the list and map builders.
#[derive(Debug)]
struct Offsets {
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
}

impl Offsets {
    fn with_capacity(capacity: usize) -> Self {
        let mut offsets = Vec::with_capacity(capacity + 1);
        offsets.push(0);
        Offsets {
            offsets,
            nulls: NullBufferBuilder::new(capacity),
        }
    }

    fn push(&mut self, end: usize, valid: bool) {
        // Spark's own limit for one array is far below i32::MAX elements.
        let end = i32::try_from(end).expect("a Spark array or map holds fewer than 2^31 items");
        self.offsets.push(end);
        self.nulls.append(valid);
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn finish(&mut self) -> (OffsetBuffer<i32>, Option<arrow_buffer::NullBuffer>) {
        let offsets = std::mem::replace(&mut self.offsets, vec![0]);
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        (offsets, self.nulls.finish())
    }
}

/// Builds a Spark `ARRAY<T>` column.
#[derive(Debug)]
pub struct ListColumn<T: SparkType> {
    offsets: Offsets,
    values: T::Builder,
}

impl<T: SparkType> ListColumn<T> {
    /// Appends one array.
    pub fn append_items(&mut self, items: impl IntoIterator<Item = T>) {
        for item in items {
            item.append_to(&mut self.values);
        }
        self.offsets.push(self.values.len(), true);
    }
}

impl<T: SparkType> ColumnBuilder for ListColumn<T> {
    fn with_capacity(capacity: usize) -> Self {
        ListColumn {
            offsets: Offsets::with_capacity(capacity),
            values: T::Builder::with_capacity(capacity),
        }
    }
    fn append_null(&mut self) {
        self.offsets.push(self.values.len(), false);
    }
    fn len(&self) -> usize {
        self.offsets.len()
    }
    fn finish(&mut self) -> ArrayRef {
        let (offsets, nulls) = self.offsets.finish();
        let values = self.values.finish();
        Arc::new(ListArray::new(
            list_element_field::<T>(),
            offsets,
            values,
            nulls,
        ))
    }
}

impl<T: SparkType> SparkType for Vec<T> {
    type Builder = ListColumn<T>;
    fn data_type() -> DataType {
        DataType::List(list_element_field::<T>())
    }
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_items(self);
    }
}

/// The Arrow fields of a map's key and value, named as Spark names them.
pub fn map_entry_fields<K: SparkType, V: SparkType>() -> Fields {
    Fields::from(vec![
        Field::new("key", K::data_type(), false),
        Field::new("value", V::data_type(), V::NULLABLE),
    ])
}

fn map_entries_field<K: SparkType, V: SparkType>() -> FieldRef {
    Arc::new(Field::new(
        "entries",
        DataType::Struct(map_entry_fields::<K, V>()),
        false,
    ))
}

/// Builds a Spark `MAP<K, V>` column.
#[derive(Debug)]
pub struct MapColumn<K: SparkType, V: SparkType> {
    offsets: Offsets,
    keys: K::Builder,
    values: V::Builder,
}

impl<K: SparkType, V: SparkType> MapColumn<K, V> {
    const KEYS_NOT_NULL: () = assert!(!K::NULLABLE, "Spark map keys cannot be null");

    /// Appends one map.
    pub fn append_entries(&mut self, entries: impl IntoIterator<Item = (K, V)>) {
        for (key, value) in entries {
            key.append_to(&mut self.keys);
            value.append_to(&mut self.values);
        }
        self.offsets.push(self.keys.len(), true);
    }
}

impl<K: SparkType, V: SparkType> ColumnBuilder for MapColumn<K, V> {
    fn with_capacity(capacity: usize) -> Self {
        let () = Self::KEYS_NOT_NULL;
        MapColumn {
            offsets: Offsets::with_capacity(capacity),
            keys: K::Builder::with_capacity(capacity),
            values: V::Builder::with_capacity(capacity),
        }
    }
    fn append_null(&mut self) {
        self.offsets.push(self.keys.len(), false);
    }
    fn len(&self) -> usize {
        self.offsets.len()
    }
    fn finish(&mut self) -> ArrayRef {
        let (offsets, nulls) = self.offsets.finish();
        let entries = StructArray::new(
            map_entry_fields::<K, V>(),
            vec![self.keys.finish(), self.values.finish()],
            None,
        );
        Arc::new(MapArray::new(
            map_entries_field::<K, V>(),
            offsets,
            entries,
            nulls,
            false,
        ))
    }
}

fn map_data_type<K: SparkType, V: SparkType>() -> DataType {
    DataType::Map(map_entries_field::<K, V>(), false)
}

impl<K: SparkType + Ord, V: SparkType> SparkType for BTreeMap<K, V> {
    type Builder = MapColumn<K, V>;
    fn data_type() -> DataType {
        map_data_type::<K, V>()
    }
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_entries(self);
    }
}

impl<K: SparkType, V: SparkType, H: BuildHasher> SparkType for HashMap<K, V, H> {
    type Builder = MapColumn<K, V>;
    fn data_type() -> DataType {
        map_data_type::<K, V>()
    }
    fn append_to(self, builder: &mut Self::Builder) {
        builder.append_entries(self);
    }
}

/// Builds a nested `STRUCT` column; `#[derive(Row)]` generates the per-field part.
pub trait StructColumnBuilder: ColumnBuilder {
    /// Takes the rows built so far as a struct array, leaving the builder empty.
    fn finish_struct(&mut self) -> StructArray;
}

/// Finishes a struct column from its children and validity; called by derived builders.
pub fn finish_struct_array(
    fields: Fields,
    children: Vec<ArrayRef>,
    nulls: &mut NullBufferBuilder,
) -> StructArray {
    let nulls = nulls.finish();
    if children.is_empty() {
        let len = nulls.as_ref().map_or(0, |n| n.len());
        return StructArray::new_empty_fields(len, nulls);
    }
    StructArray::new(fields, children, nulls)
}

/// Compile-time proof that a row field's type has a Spark type; the derive emits one call per
/// field, spanned on the field's type, so the error points at it.
#[doc(hidden)]
pub const fn assert_spark_type<T: SparkType>() {}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;

    fn build<T: SparkType>(values: Vec<T>) -> ArrayRef {
        let mut builder = T::Builder::with_capacity(values.len());
        for value in values {
            value.append_to(&mut builder);
        }
        let array = builder.finish();
        assert_eq!(array.data_type(), &T::data_type(), "builder and type agree");
        array
    }

    #[test]
    fn primitives_map_to_spark_arrow_types() {
        assert_eq!(bool::data_type(), DataType::Boolean);
        assert_eq!(i8::data_type(), DataType::Int8);
        assert_eq!(i16::data_type(), DataType::Int16);
        assert_eq!(i32::data_type(), DataType::Int32);
        assert_eq!(i64::data_type(), DataType::Int64);
        assert_eq!(f32::data_type(), DataType::Float32);
        assert_eq!(f64::data_type(), DataType::Float64);
        assert_eq!(String::data_type(), DataType::Utf8);
        assert_eq!(Binary::data_type(), DataType::Binary);
        assert_eq!(NaiveDate::data_type(), DataType::Date32);
        assert_eq!(
            DateTime::<Utc>::data_type(),
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(
            NaiveDateTime::data_type(),
            DataType::Timestamp(TimeUnit::Microsecond, None)
        );
        assert_eq!(Decimal::<10, 2>::data_type(), DataType::Decimal128(10, 2));
    }

    #[test]
    fn option_is_nullable_and_appends_nulls() {
        const { assert!(<Option<i64>>::NULLABLE && !i64::NULLABLE) };
        let array = build(vec![Some(1i64), None, Some(3)]);
        assert_eq!(array.null_count(), 1);
        assert_eq!(array.as_primitive::<Int64Type>().value(2), 3);
    }

    #[test]
    fn dates_and_timestamps_count_from_the_unix_epoch() {
        let date = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
        let array = build(vec![date]);
        assert_eq!(array.as_primitive::<Date32Type>().value(0), 1);

        let instant = DateTime::<Utc>::from_timestamp(1, 500_000).unwrap();
        let array = build(vec![instant]);
        assert_eq!(
            array.as_primitive::<TimestampMicrosecondType>().value(0),
            1_000_500
        );
        let array = build(vec![instant.naive_utc()]);
        assert_eq!(
            array.as_primitive::<TimestampMicrosecondType>().value(0),
            1_000_500
        );
    }

    #[test]
    fn lists_name_their_child_element() {
        let array = build(vec![
            vec![Some(1i32), None],
            vec![],
            vec![3].into_iter().map(Some).collect(),
        ]);
        let DataType::List(child) = array.data_type() else {
            panic!("not a list")
        };
        assert_eq!(child.name(), "element");
        assert!(child.is_nullable());
        let list = array.as_list::<i32>();
        assert_eq!(list.value_length(0), 2);
        assert_eq!(list.value_length(1), 0);
        assert_eq!(list.value_length(2), 1);
    }

    #[test]
    fn maps_name_entries_key_value() {
        let mut first = BTreeMap::new();
        first.insert("a".to_string(), 1i64);
        first.insert("b".to_string(), 2);
        let array = build(vec![first, BTreeMap::new()]);
        let DataType::Map(entries, sorted) = array.data_type() else {
            panic!("not a map")
        };
        assert!(!sorted);
        assert_eq!(entries.name(), "entries");
        let DataType::Struct(children) = entries.data_type() else {
            panic!("entries not a struct")
        };
        assert_eq!(children[0].name(), "key");
        assert!(!children[0].is_nullable());
        assert_eq!(children[1].name(), "value");
        let map = array.as_map();
        assert_eq!(map.value_length(0), 2);
        assert_eq!(map.value_length(1), 0);
    }

    #[test]
    fn nullable_list_of_nulls_keeps_validity() {
        let array = build(vec![Some(vec![1i8]), None]);
        assert_eq!(array.null_count(), 1);
        assert!(array.is_null(1));
    }

    #[test]
    fn decimals_parse_and_print_exactly() {
        let d: Decimal<5, 2> = "-1.5".parse().unwrap();
        assert_eq!(d.unscaled(), -150);
        assert_eq!(d.to_string(), "-1.50");
        assert_eq!("0.05".parse::<Decimal<5, 2>>().unwrap().to_string(), "0.05");
        assert!(
            "1.234".parse::<Decimal<5, 2>>().is_err(),
            "too many decimals"
        );
        assert!("1000".parse::<Decimal<5, 2>>().is_err(), "too many digits");
        assert!("1e3".parse::<Decimal<5, 2>>().is_err());
        assert!(".".parse::<Decimal<5, 2>>().is_err());
        assert_eq!("7".parse::<Decimal<3, 0>>().unwrap().to_string(), "7");
        let array = build(vec![d]);
        assert_eq!(array.data_type(), &DataType::Decimal128(5, 2));
    }
}
