//! Scalar Spark types: numbers, booleans, strings, bytes, dates and timestamps.

use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, NullBuilder, PrimitiveBuilder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, DurationMicrosecondType, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Time64NanosecondType, TimestampMicrosecondType,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BinaryArray, BooleanArray, NullArray, PrimitiveArray,
    StringArray, builder::ArrayBuilder,
};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};

use super::{ColumnBuilder, ColumnReader, SPARK_TIMESTAMP_TZ, SparkType, wrong_array};
use crate::schema::SchemaError;

/// A Spark type stored as one Arrow primitive value (numbers, dates, timestamps, decimals).
/// Implementing it (with [`SparkType`] using [`PrimitiveColumn`] and [`PrimitiveValues`]) maps
/// a type of your own onto one.
pub trait PrimitiveSparkType: SparkType + Copy + Send {
    /// The Arrow primitive type holding the value.
    type Arrow: ArrowPrimitiveType;
    /// The Arrow value of `self`.
    fn to_native(self) -> <Self::Arrow as ArrowPrimitiveType>::Native;
    /// The value of an Arrow value.
    fn from_native(native: <Self::Arrow as ArrowPrimitiveType>::Native) -> Self;
}

/// Builds a column of a [`PrimitiveSparkType`], stamped with its exact Arrow type (timestamps
/// need their time zone, decimals their precision and scale).
#[derive(Debug)]
pub struct PrimitiveColumn<S: PrimitiveSparkType> {
    inner: PrimitiveBuilder<S::Arrow>,
    _spark: PhantomData<fn() -> S>,
}

impl<S: PrimitiveSparkType> PrimitiveColumn<S> {
    /// Appends a value.
    #[inline]
    pub fn append(&mut self, value: S) {
        self.inner.append_value(value.to_native());
    }
}

impl<S: PrimitiveSparkType> ColumnBuilder for PrimitiveColumn<S> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: PrimitiveBuilder::with_capacity(capacity),
            _spark: PhantomData,
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

/// Reads a column of a [`PrimitiveSparkType`].
#[derive(Debug)]
pub struct PrimitiveValues<S: PrimitiveSparkType> {
    array: PrimitiveArray<S::Arrow>,
    _spark: PhantomData<fn() -> S>,
}

impl<S: PrimitiveSparkType> ColumnReader for PrimitiveValues<S> {
    type Value = S;

    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        let typed = array
            .as_primitive_opt::<S::Arrow>()
            .ok_or_else(|| wrong_array(&S::data_type(), array))?;
        Ok(PrimitiveValues {
            array: typed.clone(),
            _spark: PhantomData,
        })
    }
    fn is_null(&self, index: usize) -> bool {
        self.array.is_null(index)
    }
    #[inline]
    fn value(&self, index: usize) -> S {
        S::from_native(self.array.value(index))
    }
}

macro_rules! primitive_spark_type {
    ($($rust:ty => $arrow:ty, $data_type:expr;)*) => {$(
        impl SparkType for $rust {
            type Builder = PrimitiveColumn<$rust>;
            type Reader = PrimitiveValues<$rust>;
            fn data_type() -> DataType {
                $data_type
            }
            #[inline]
            fn append_to(&self, builder: &mut Self::Builder) {
                builder.append(*self);
            }
        }

        impl PrimitiveSparkType for $rust {
            type Arrow = $arrow;
            #[inline]
            fn to_native(self) -> Self {
                self
            }
            #[inline]
            fn from_native(native: Self) -> Self {
                native
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

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl SparkType for NaiveDate {
    type Builder = PrimitiveColumn<NaiveDate>;
    type Reader = PrimitiveValues<NaiveDate>;
    fn data_type() -> DataType {
        DataType::Date32
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(*self);
    }
}

impl PrimitiveSparkType for NaiveDate {
    type Arrow = Date32Type;
    #[inline]
    fn to_native(self) -> i32 {
        use chrono::Datelike;
        self.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
    }
    /// Days beyond chrono's range (about 262,000 years) clamp to its ends.
    fn from_native(days: i32) -> Self {
        days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .unwrap_or(if days < 0 {
                NaiveDate::MIN
            } else {
                NaiveDate::MAX
            })
    }
}

/// Microseconds beyond chrono's range clamp to its ends.
fn timestamp_from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(if micros < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

impl SparkType for DateTime<Utc> {
    type Builder = PrimitiveColumn<DateTime<Utc>>;
    type Reader = PrimitiveValues<DateTime<Utc>>;
    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, Some(SPARK_TIMESTAMP_TZ.into()))
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(*self);
    }
}

impl PrimitiveSparkType for DateTime<Utc> {
    type Arrow = TimestampMicrosecondType;
    #[inline]
    fn to_native(self) -> i64 {
        self.timestamp_micros()
    }
    fn from_native(micros: i64) -> Self {
        timestamp_from_micros(micros)
    }
}

impl SparkType for NaiveDateTime {
    type Builder = PrimitiveColumn<NaiveDateTime>;
    type Reader = PrimitiveValues<NaiveDateTime>;
    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, None)
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(*self);
    }
}

impl PrimitiveSparkType for NaiveDateTime {
    type Arrow = TimestampMicrosecondType;
    #[inline]
    fn to_native(self) -> i64 {
        self.and_utc().timestamp_micros()
    }
    fn from_native(micros: i64) -> Self {
        timestamp_from_micros(micros).naive_utc()
    }
}

impl SparkType for NaiveTime {
    type Builder = PrimitiveColumn<NaiveTime>;
    type Reader = PrimitiveValues<NaiveTime>;
    fn data_type() -> DataType {
        DataType::Time64(TimeUnit::Nanosecond)
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(*self);
    }
}

/// Spark `TIME` (4.1+): nanoseconds since midnight in Arrow; Spark keeps microseconds.
impl PrimitiveSparkType for NaiveTime {
    type Arrow = Time64NanosecondType;
    #[inline]
    fn to_native(self) -> i64 {
        i64::from(self.num_seconds_from_midnight()) * 1_000_000_000 + i64::from(self.nanosecond())
    }
    /// Values outside a day clamp to its ends.
    fn from_native(nanos: i64) -> Self {
        let nanos = nanos.clamp(0, 86_400 * 1_000_000_000 - 1);
        NaiveTime::from_num_seconds_from_midnight_opt(
            (nanos / 1_000_000_000) as u32,
            (nanos % 1_000_000_000) as u32,
        )
        .unwrap_or(NaiveTime::MIN)
    }
}

impl SparkType for TimeDelta {
    type Builder = PrimitiveColumn<TimeDelta>;
    type Reader = PrimitiveValues<TimeDelta>;
    fn data_type() -> DataType {
        DataType::Duration(TimeUnit::Microsecond)
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(*self);
    }
}

/// Spark `INTERVAL DAY TO SECOND` (every day-time interval): microseconds.
impl PrimitiveSparkType for TimeDelta {
    type Arrow = DurationMicrosecondType;
    /// Beyond about 292,000 years it saturates.
    #[inline]
    fn to_native(self) -> i64 {
        self.num_microseconds()
            .unwrap_or(if self < TimeDelta::zero() {
                i64::MIN
            } else {
                i64::MAX
            })
    }
    fn from_native(micros: i64) -> Self {
        TimeDelta::microseconds(micros)
    }
}

/// Spark `VOID` (`NullType`): a column that is always null, such as `SELECT NULL AS x`.
impl SparkType for () {
    type Builder = NullBuilder;
    type Reader = NullArray;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Null
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append_null();
    }
}

impl ColumnBuilder for NullBuilder {
    fn with_capacity(_: usize) -> Self {
        NullBuilder::new()
    }
    fn append_null(&mut self) {
        NullBuilder::append_null(self);
    }
    fn len(&self) -> usize {
        ArrayBuilder::len(self)
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(NullBuilder::finish(self))
    }
}

impl ColumnReader for NullArray {
    type Value = ();
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        match array.data_type() {
            DataType::Null => Ok(NullArray::new(array.len())),
            _ => Err(wrong_array(&DataType::Null, array)),
        }
    }
    fn is_null(&self, _: usize) -> bool {
        true
    }
    fn value(&self, _: usize) {}
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

impl ColumnReader for BooleanArray {
    type Value = bool;
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        array
            .as_boolean_opt()
            .cloned()
            .ok_or_else(|| wrong_array(&DataType::Boolean, array))
    }
    fn is_null(&self, index: usize) -> bool {
        Array::is_null(self, index)
    }
    #[inline]
    fn value(&self, index: usize) -> bool {
        BooleanArray::value(self, index)
    }
}

impl SparkType for bool {
    type Builder = BooleanBuilder;
    type Reader = BooleanArray;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append_value(*self);
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

/// Reads a `STRING` column.
#[derive(Debug)]
pub struct StringValues(StringArray);

impl ColumnReader for StringValues {
    type Value = String;
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        array
            .as_string_opt::<i32>()
            .map(|strings| StringValues(strings.clone()))
            .ok_or_else(|| wrong_array(&DataType::Utf8, array))
    }
    fn is_null(&self, index: usize) -> bool {
        self.0.is_null(index)
    }
    #[inline]
    fn value(&self, index: usize) -> String {
        self.0.value(index).to_owned()
    }
}

impl SparkType for String {
    type Builder = StringBuilder;
    type Reader = StringValues;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
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

/// Reads a `BINARY` column.
#[derive(Debug)]
pub struct BinaryValues(BinaryArray);

impl ColumnReader for BinaryValues {
    type Value = Binary;
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        array
            .as_binary_opt::<i32>()
            .map(|bytes| BinaryValues(bytes.clone()))
            .ok_or_else(|| wrong_array(&DataType::Binary, array))
    }
    fn is_null(&self, index: usize) -> bool {
        self.0.is_null(index)
    }
    #[inline]
    fn value(&self, index: usize) -> Binary {
        Binary(self.0.value(index).to_vec())
    }
}

impl SparkType for Binary {
    type Builder = BinaryBuilder;
    type Reader = BinaryValues;
    fn data_type() -> DataType {
        DataType::Binary
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append_value(&self.0);
    }
}
