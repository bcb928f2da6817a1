//! Column builders that can take back what they were given: a JSON record that turns out
//! malformed half-way (a bad element fails its whole array, a syntax error its whole line) is
//! removed to where it began, without copying.

use std::sync::Arc;

use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMicrosecondType,
};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, ListArray, MapArray, PrimitiveArray, StringArray,
    StructArray,
};
use arrow_buffer::{BooleanBufferBuilder, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field, TimeUnit};

/// Values of one primitive type, and which are null.
#[derive(Debug)]
pub(crate) struct Primitive<T: ArrowPrimitiveType> {
    pub values: Vec<T::Native>,
    pub nulls: NullBufferBuilder,
}

impl<T: ArrowPrimitiveType> Primitive<T> {
    fn new() -> Self {
        Primitive {
            values: Vec::new(),
            nulls: NullBufferBuilder::new(0),
        }
    }

    pub fn push(&mut self, value: T::Native) {
        self.values.push(value);
        self.nulls.append_non_null();
    }

    fn finish(&mut self, data_type: &DataType) -> Result<ArrayRef, ArrowError> {
        // The next batch likely as long: room for it now, not grown by copies.
        let room = Vec::with_capacity(self.values.len());
        let values = ScalarBuffer::from(std::mem::replace(&mut self.values, room));
        Ok(Arc::new(
            PrimitiveArray::<T>::try_new(values, self.nulls.finish())?
                .with_data_type(data_type.clone()),
        ))
    }
}

/// Variable-length values (text or bytes), and which are null.
#[derive(Debug)]
pub(crate) struct Bytes {
    pub offsets: Vec<i32>,
    pub data: Vec<u8>,
    pub nulls: NullBufferBuilder,
}

impl Bytes {
    pub fn new() -> Self {
        Bytes {
            offsets: vec![0],
            data: Vec::new(),
            nulls: NullBufferBuilder::new(0),
        }
    }

    /// Ends the value whose bytes were appended to `data`; an error when the column would pass
    /// 2 GiB (Spark's limit of a batch's column).
    pub fn close(&mut self) -> Result<(), ()> {
        let end = i32::try_from(self.data.len()).map_err(|_| ())?;
        self.offsets.push(end);
        self.nulls.append_non_null();
        Ok(())
    }

    /// Appends one value; an error (and nothing appended) when the column would pass 2 GiB.
    pub fn push(&mut self, value: &[u8]) -> Result<(), ()> {
        if self.data.len() + value.len() > i32::MAX as usize {
            return Err(());
        }
        self.data.extend_from_slice(value);
        self.close()
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn push_null(&mut self) {
        self.offsets.push(*self.offsets.last().unwrap_or(&0));
        self.nulls.append_null();
    }

    pub fn truncate(&mut self, len: usize) {
        self.offsets.truncate(len + 1);
        self.data.truncate(self.offsets[len] as usize);
        self.nulls.truncate(len);
    }

    fn take_offsets(&mut self) -> OffsetBuffer<i32> {
        // The next batch likely as long: room for it now, not grown by copies.
        let mut room = Vec::with_capacity(self.offsets.len());
        room.push(0);
        let offsets = std::mem::replace(&mut self.offsets, room);
        OffsetBuffer::new(ScalarBuffer::from(offsets))
    }

    fn take_data(&mut self) -> Vec<u8> {
        let room = Vec::with_capacity(self.data.len());
        std::mem::replace(&mut self.data, room)
    }
}

/// The column of one field of a decoded schema.
#[derive(Debug)]
pub(crate) enum Column {
    Boolean {
        values: BooleanBufferBuilder,
        nulls: NullBufferBuilder,
    },
    Int8(Primitive<Int8Type>),
    Int16(Primitive<Int16Type>),
    Int32(Primitive<Int32Type>),
    Int64(Primitive<Int64Type>),
    Float32(Primitive<Float32Type>),
    Float64(Primitive<Float64Type>),
    Decimal {
        values: Primitive<Decimal128Type>,
        precision: u8,
        scale: i8,
    },
    Date(Primitive<Date32Type>),
    /// `TIMESTAMP` (`zoned`) or `TIMESTAMP_NTZ`, in microseconds.
    Timestamp {
        values: Primitive<TimestampMicrosecondType>,
        zoned: bool,
    },
    String(Bytes),
    Binary(Bytes),
    List {
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
        element: Box<Column>,
    },
    /// A map of string keys.
    Map {
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
        keys: Bytes,
        values: Box<Column>,
    },
    Struct(Members),
}

/// The fields of a struct (or of a record), with what matching a JSON object's names to them
/// needs.
#[derive(Debug)]
pub(crate) struct Members {
    pub fields: Vec<Column>,
    /// Each field's name, as JSON names it (matched exactly, as Spark matches them).
    pub names: Vec<Box<[u8]>>,
    pub nulls: NullBufferBuilder,
    pub len: usize,
    /// Scratch: the tape index of each field's value in the object being converted.
    pub slots: Vec<u32>,
}

impl Members {
    /// The columns of `fields` (`None` for a type JSON cannot hold, its path in `path`).
    pub fn new<'a>(
        fields: impl IntoIterator<Item = &'a arrow_schema::FieldRef>,
        path: &mut Vec<String>,
    ) -> Option<Members> {
        let mut columns = Vec::new();
        let mut names = Vec::new();
        for field in fields {
            path.push(field.name().clone());
            columns.push(Column::new(field.data_type(), path)?);
            path.pop();
            names.push(field.name().as_bytes().into());
        }
        let count = columns.len();
        Some(Members {
            fields: columns,
            names,
            nulls: NullBufferBuilder::new(0),
            len: 0,
            slots: vec![0; count],
        })
    }
}

impl Column {
    /// The builder of a column of `data_type`; `None` for a type JSON cannot hold (the path of
    /// the unsupported part in `path`).
    pub fn new(data_type: &DataType, path: &mut Vec<String>) -> Option<Column> {
        Some(match data_type {
            DataType::Boolean => Column::Boolean {
                values: BooleanBufferBuilder::new(0),
                nulls: NullBufferBuilder::new(0),
            },
            DataType::Int8 => Column::Int8(Primitive::new()),
            DataType::Int16 => Column::Int16(Primitive::new()),
            DataType::Int32 => Column::Int32(Primitive::new()),
            DataType::Int64 => Column::Int64(Primitive::new()),
            DataType::Float32 => Column::Float32(Primitive::new()),
            DataType::Float64 => Column::Float64(Primitive::new()),
            DataType::Decimal128(precision, scale) => Column::Decimal {
                values: Primitive::new(),
                precision: *precision,
                scale: *scale,
            },
            DataType::Date32 => Column::Date(Primitive::new()),
            DataType::Timestamp(TimeUnit::Microsecond, zone) => Column::Timestamp {
                values: Primitive::new(),
                zoned: zone.is_some(),
            },
            DataType::Utf8 => Column::String(Bytes::new()),
            DataType::Binary => Column::Binary(Bytes::new()),
            DataType::List(element) => {
                path.push("element".into());
                let element = Column::new(element.data_type(), path)?;
                path.pop();
                Column::List {
                    offsets: vec![0],
                    nulls: NullBufferBuilder::new(0),
                    element: Box::new(element),
                }
            }
            DataType::Map(entries, _) => {
                let DataType::Struct(kv) = entries.data_type() else {
                    return None;
                };
                if kv.len() != 2 || kv[0].data_type() != &DataType::Utf8 {
                    path.push("key".into());
                    return None;
                }
                path.push("value".into());
                let values = Column::new(kv[1].data_type(), path)?;
                path.pop();
                Column::Map {
                    offsets: vec![0],
                    nulls: NullBufferBuilder::new(0),
                    keys: Bytes::new(),
                    values: Box::new(values),
                }
            }
            DataType::Struct(members) => Column::Struct(Members::new(members, path)?),
            _ => return None,
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Boolean { nulls, .. } => nulls.len(),
            Column::Int8(c) => c.values.len(),
            Column::Int16(c) => c.values.len(),
            Column::Int32(c) => c.values.len(),
            Column::Int64(c) => c.values.len(),
            Column::Float32(c) => c.values.len(),
            Column::Float64(c) => c.values.len(),
            Column::Decimal { values, .. } => values.values.len(),
            Column::Date(c) => c.values.len(),
            Column::Timestamp { values, .. } => values.values.len(),
            Column::String(c) | Column::Binary(c) => c.len(),
            Column::List { offsets, .. } | Column::Map { offsets, .. } => offsets.len() - 1,
            Column::Struct(members) => members.len,
        }
    }

    pub fn push_null(&mut self) {
        match self {
            Column::Boolean { values, nulls } => {
                values.append(false);
                nulls.append_null();
            }
            Column::Int8(c) => null_primitive(c),
            Column::Int16(c) => null_primitive(c),
            Column::Int32(c) => null_primitive(c),
            Column::Int64(c) => null_primitive(c),
            Column::Float32(c) => null_primitive(c),
            Column::Float64(c) => null_primitive(c),
            Column::Decimal { values, .. } => null_primitive(values),
            Column::Date(c) => null_primitive(c),
            Column::Timestamp { values, .. } => null_primitive(values),
            Column::String(c) | Column::Binary(c) => c.push_null(),
            Column::List { offsets, nulls, .. } | Column::Map { offsets, nulls, .. } => {
                offsets.push(*offsets.last().unwrap_or(&0));
                nulls.append_null();
            }
            Column::Struct(members) => {
                for field in &mut members.fields {
                    field.push_null();
                }
                members.nulls.append_null();
                members.len += 1;
            }
        }
    }

    /// Takes back every value past the first `len`.
    pub fn truncate(&mut self, len: usize) {
        if self.len() <= len {
            return;
        }
        match self {
            Column::Boolean { values, nulls } => {
                values.truncate(len);
                nulls.truncate(len);
            }
            Column::Int8(c) => truncate_primitive(c, len),
            Column::Int16(c) => truncate_primitive(c, len),
            Column::Int32(c) => truncate_primitive(c, len),
            Column::Int64(c) => truncate_primitive(c, len),
            Column::Float32(c) => truncate_primitive(c, len),
            Column::Float64(c) => truncate_primitive(c, len),
            Column::Decimal { values, .. } => truncate_primitive(values, len),
            Column::Date(c) => truncate_primitive(c, len),
            Column::Timestamp { values, .. } => truncate_primitive(values, len),
            Column::String(c) | Column::Binary(c) => c.truncate(len),
            Column::List {
                offsets,
                nulls,
                element,
            } => {
                offsets.truncate(len + 1);
                nulls.truncate(len);
                element.truncate(offsets[len] as usize);
            }
            Column::Map {
                offsets,
                nulls,
                keys,
                values,
            } => {
                offsets.truncate(len + 1);
                nulls.truncate(len);
                keys.truncate(offsets[len] as usize);
                values.truncate(offsets[len] as usize);
            }
            Column::Struct(members) => members.truncate(len),
        }
    }

    /// The values so far as an array of `field`'s type; the builder starts empty again.
    pub fn finish(&mut self, field: &Field) -> Result<ArrayRef, ArrowError> {
        let data_type = field.data_type();
        Ok(match (self, data_type) {
            (Column::Boolean { values, nulls }, _) => {
                Arc::new(BooleanArray::new(values.finish(), nulls.finish()))
            }
            (Column::Int8(c), _) => c.finish(data_type)?,
            (Column::Int16(c), _) => c.finish(data_type)?,
            (Column::Int32(c), _) => c.finish(data_type)?,
            (Column::Int64(c), _) => c.finish(data_type)?,
            (Column::Float32(c), _) => c.finish(data_type)?,
            (Column::Float64(c), _) => c.finish(data_type)?,
            (Column::Decimal { values, .. }, _) => values.finish(data_type)?,
            (Column::Date(c), _) => c.finish(data_type)?,
            (Column::Timestamp { values, .. }, _) => values.finish(data_type)?,
            (Column::String(c), _) => {
                let offsets = c.take_offsets();
                let data = c.take_data();
                Arc::new(StringArray::try_new(
                    offsets,
                    data.into(),
                    c.nulls.finish(),
                )?)
            }
            (Column::Binary(c), _) => {
                let offsets = c.take_offsets();
                let data = c.take_data();
                Arc::new(BinaryArray::try_new(
                    offsets,
                    data.into(),
                    c.nulls.finish(),
                )?)
            }
            (
                Column::List {
                    offsets,
                    nulls,
                    element,
                },
                DataType::List(element_field),
            ) => {
                let values = element.finish(element_field)?;
                let offsets = std::mem::replace(offsets, vec![0]);
                Arc::new(ListArray::try_new(
                    element_field.clone(),
                    OffsetBuffer::new(ScalarBuffer::from(offsets)),
                    values,
                    nulls.finish(),
                )?)
            }
            (
                Column::Map {
                    offsets,
                    nulls,
                    keys,
                    values,
                },
                DataType::Map(entries, sorted),
            ) => {
                let DataType::Struct(kv) = entries.data_type() else {
                    return Err(ArrowError::SchemaError(
                        "map entries are not a struct".into(),
                    ));
                };
                let key_offsets = keys.take_offsets();
                let key_data = keys.take_data();
                let key_array: ArrayRef = Arc::new(StringArray::try_new(
                    key_offsets,
                    key_data.into(),
                    keys.nulls.finish(),
                )?);
                let value_array = values.finish(&kv[1])?;
                let entries_array =
                    StructArray::try_new(kv.clone(), vec![key_array, value_array], None)?;
                let offsets = std::mem::replace(offsets, vec![0]);
                Arc::new(MapArray::try_new(
                    entries.clone(),
                    OffsetBuffer::new(ScalarBuffer::from(offsets)),
                    entries_array,
                    nulls.finish(),
                    *sorted,
                )?)
            }
            (Column::Struct(members), DataType::Struct(fields)) => {
                let arrays = members.finish(fields)?;
                let rows = std::mem::take(&mut members.len);
                Arc::new(StructArray::try_new_with_length(
                    fields.clone(),
                    arrays,
                    members.nulls.finish(),
                    rows,
                )?)
            }
            (_, other) => {
                return Err(ArrowError::SchemaError(format!(
                    "a JSON column built for another type than {other}"
                )));
            }
        })
    }
}

impl Members {
    /// Takes back every row past the first `len`.
    pub fn truncate(&mut self, len: usize) {
        for field in &mut self.fields {
            field.truncate(len);
        }
        self.nulls.truncate(len.min(self.nulls.len()));
        self.len = self.len.min(len);
    }

    /// Each field's values as an array of its type; the columns start empty again.
    pub fn finish(&mut self, fields: &arrow_schema::Fields) -> Result<Vec<ArrayRef>, ArrowError> {
        self.fields
            .iter_mut()
            .zip(fields.iter())
            .map(|(column, field)| column.finish(field))
            .collect()
    }
}

fn null_primitive<T: ArrowPrimitiveType>(column: &mut Primitive<T>) {
    column.values.push(T::Native::default());
    column.nulls.append_null();
}

fn truncate_primitive<T: ArrowPrimitiveType>(column: &mut Primitive<T>, len: usize) {
    column.values.truncate(len);
    column.nulls.truncate(len);
}
