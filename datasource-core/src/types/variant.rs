//! Spark `VARIANT`: semi-structured values (what `parse_json` makes), in Spark's binary
//! encoding, which is the Parquet Variant's; [`parquet_variant`] reads and builds it.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, BinaryBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BinaryArray, StructArray};
use arrow_buffer::{NullBuffer, NullBufferBuilder};
use arrow_schema::{ArrowError, DataType, Fields};
use parquet_variant_json::{JsonToVariant, VariantToJson};

use super::{ColumnBuilder, ColumnReader, SparkType, wrong_array};
use crate::schema::{SchemaError, variant_data_type};

/// A Spark `VARIANT` value: its metadata (the dictionary of object keys) and its value, as
/// Spark encodes them. Read it through [`Variant::view`] (a [`parquet_variant::Variant`]) or
/// as JSON; build one from JSON or with [`parquet_variant::VariantBuilder`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    metadata: Vec<u8>,
    value: Vec<u8>,
}

impl Variant {
    /// A variant from its two encoded parts; an error when they are not a valid variant.
    pub fn try_new(metadata: Vec<u8>, value: Vec<u8>) -> Result<Self, ArrowError> {
        parquet_variant::Variant::try_new(&metadata, &value)?;
        Ok(Variant { metadata, value })
    }

    /// The variant of a JSON text, as Spark's `parse_json` makes it (numbers that are not
    /// integers become doubles).
    pub fn from_json(json: &str) -> Result<Self, ArrowError> {
        let mut builder = parquet_variant::VariantBuilder::new();
        builder.append_json(json)?;
        let (metadata, value) = builder.finish();
        Ok(Variant { metadata, value })
    }

    /// The variant as JSON text, as Spark's `to_json` writes it.
    pub fn to_json(&self) -> Result<String, ArrowError> {
        self.view()?.to_json_string()
    }

    /// The value, to read by type (`as_int64`, `get_object_field`, ...).
    pub fn view(&self) -> Result<parquet_variant::Variant<'_, '_>, ArrowError> {
        parquet_variant::Variant::try_new(&self.metadata, &self.value)
    }

    /// The encoded metadata.
    pub fn metadata(&self) -> &[u8] {
        &self.metadata
    }

    /// The encoded value.
    pub fn value(&self) -> &[u8] {
        &self.value
    }
}

/// Builds a `VARIANT` column.
#[derive(Debug)]
pub struct VariantColumn {
    values: BinaryBuilder,
    metadata: BinaryBuilder,
    nulls: NullBufferBuilder,
}

impl VariantColumn {
    /// Appends a variant.
    pub fn append(&mut self, variant: &Variant) {
        self.values.append_value(&variant.value);
        self.metadata.append_value(&variant.metadata);
        self.nulls.append_non_null();
    }
}

impl ColumnBuilder for VariantColumn {
    fn with_capacity(capacity: usize) -> Self {
        VariantColumn {
            values: BinaryBuilder::with_capacity(capacity, capacity * 16),
            metadata: BinaryBuilder::with_capacity(capacity, capacity * 8),
            nulls: NullBufferBuilder::new(capacity),
        }
    }

    fn append_null(&mut self) {
        // The children may not be null: a null variant holds Spark's empty encoding of null.
        self.values.append_value([0u8]);
        self.metadata.append_value([1u8, 0, 0]);
        self.nulls.append_null();
    }

    fn len(&self) -> usize {
        ArrayBuilder::len(&self.values)
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.values.finish()),
            Arc::new(self.metadata.finish()),
        ];
        Arc::new(StructArray::new(
            variant_fields(),
            children,
            self.nulls.finish(),
        ))
    }
}

/// Reads a `VARIANT` column.
#[derive(Debug)]
pub struct VariantValues {
    nulls: Option<NullBuffer>,
    values: BinaryArray,
    metadata: BinaryArray,
}

impl ColumnReader for VariantValues {
    type Value = Variant;

    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        let wrong = || wrong_array(&variant_data_type(), array);
        let parts = array.as_struct_opt().ok_or_else(wrong)?;
        let child = |name: &str| {
            parts
                .column_by_name(name)
                .and_then(|child| child.as_binary_opt::<i32>().cloned())
                .ok_or_else(wrong)
        };
        Ok(VariantValues {
            values: child("value")?,
            metadata: child("metadata")?,
            nulls: parts.nulls().cloned(),
        })
    }

    fn is_null(&self, index: usize) -> bool {
        self.nulls
            .as_ref()
            .is_some_and(|nulls| nulls.is_null(index))
    }

    fn value(&self, index: usize) -> Variant {
        Variant {
            metadata: self.metadata.value(index).to_vec(),
            value: self.values.value(index).to_vec(),
        }
    }
}

impl SparkType for Variant {
    type Builder = VariantColumn;
    type Reader = VariantValues;
    fn data_type() -> DataType {
        variant_data_type()
    }
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(self);
    }
}

/// The fields of a variant's Arrow struct (for code that builds the struct by hand).
pub fn variant_fields() -> Fields {
    match variant_data_type() {
        DataType::Struct(fields) => fields,
        _ => unreachable!("a variant is a struct"),
    }
}
