//! Nullable and nested Spark types: `Option<T>`, `ARRAY`, `MAP` and the pieces `#[derive(Row)]`
//! builds `STRUCT`s from.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ListArray, MapArray, StructArray};
use arrow_buffer::{NullBuffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields};

use super::{ColumnBuilder, ColumnReader, SparkType, wrong_array};
use crate::schema::SchemaError;

impl<T: SparkType> SparkType for Option<T> {
    type Builder = T::Builder;
    type Reader = Nullable<T::Reader>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        T::data_type()
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        match self {
            Some(value) => value.append_to(builder),
            None => builder.append_null(),
        }
    }
}

/// Reads a nullable column: nulls read as `None`.
#[derive(Debug)]
pub struct Nullable<R>(R);

impl<R: ColumnReader> ColumnReader for Nullable<R> {
    type Value = Option<R::Value>;
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        R::new(array).map(Nullable)
    }
    fn is_null(&self, index: usize) -> bool {
        self.0.is_null(index)
    }
    #[inline]
    fn value(&self, index: usize) -> Option<R::Value> {
        (!self.0.is_null(index)).then(|| self.0.value(index))
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

    fn finish(&mut self) -> (OffsetBuffer<i32>, Option<NullBuffer>) {
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
    pub fn append_items<'a>(&mut self, items: impl IntoIterator<Item = &'a T>)
    where
        T: 'a,
    {
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

/// The offsets and validity of a list or map column, as its reader sees them.
#[derive(Debug)]
struct Spans {
    offsets: OffsetBuffer<i32>,
    nulls: Option<NullBuffer>,
}

impl Spans {
    fn is_null(&self, index: usize) -> bool {
        self.nulls
            .as_ref()
            .is_some_and(|nulls| nulls.is_null(index))
    }

    /// The child positions of item `index`.
    fn items(&self, index: usize) -> std::ops::Range<usize> {
        self.offsets[index] as usize..self.offsets[index + 1] as usize
    }
}

/// Reads a Spark `ARRAY<T>` column.
#[derive(Debug)]
pub struct ListValues<T: SparkType> {
    spans: Spans,
    values: T::Reader,
}

impl<T: SparkType> ColumnReader for ListValues<T> {
    type Value = Vec<T>;
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        let list = array
            .as_list_opt::<i32>()
            .ok_or_else(|| wrong_array(&Vec::<T>::data_type(), array))?;
        Ok(ListValues {
            spans: Spans {
                offsets: list.offsets().clone(),
                nulls: list.nulls().cloned(),
            },
            values: within(T::Reader::new(list.values()), "element")?,
        })
    }
    fn is_null(&self, index: usize) -> bool {
        self.spans.is_null(index)
    }
    fn value(&self, index: usize) -> Vec<T> {
        self.spans
            .items(index)
            .map(|item| self.values.value(item))
            .collect()
    }
}

impl<T: SparkType> SparkType for Vec<T> {
    type Builder = ListColumn<T>;
    type Reader = ListValues<T>;
    fn data_type() -> DataType {
        DataType::List(list_element_field::<T>())
    }
    fn append_to(&self, builder: &mut Self::Builder) {
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
    pub fn append_entries<'a>(&mut self, entries: impl IntoIterator<Item = (&'a K, &'a V)>)
    where
        K: 'a,
        V: 'a,
    {
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

/// Reads a Spark `MAP<K, V>` column into any map `M` of its entries.
#[derive(Debug)]
pub struct MapValues<K: SparkType, V: SparkType, M> {
    spans: Spans,
    keys: K::Reader,
    values: V::Reader,
    _map: PhantomData<fn() -> M>,
}

impl<K, V, M> ColumnReader for MapValues<K, V, M>
where
    K: SparkType,
    V: SparkType,
    M: FromIterator<(K, V)>,
{
    type Value = M;
    fn new(array: &ArrayRef) -> Result<Self, SchemaError> {
        let map = array
            .as_map_opt()
            .ok_or_else(|| wrong_array(&map_data_type::<K, V>(), array))?;
        Ok(MapValues {
            spans: Spans {
                offsets: map.offsets().clone(),
                nulls: map.nulls().cloned(),
            },
            keys: within(K::Reader::new(map.keys()), "key")?,
            values: within(V::Reader::new(map.values()), "value")?,
            _map: PhantomData,
        })
    }
    fn is_null(&self, index: usize) -> bool {
        self.spans.is_null(index)
    }
    fn value(&self, index: usize) -> M {
        self.spans
            .items(index)
            .map(|entry| (self.keys.value(entry), self.values.value(entry)))
            .collect()
    }
}

fn map_data_type<K: SparkType, V: SparkType>() -> DataType {
    DataType::Map(map_entries_field::<K, V>(), false)
}

impl<K: SparkType + Ord, V: SparkType> SparkType for BTreeMap<K, V> {
    type Builder = MapColumn<K, V>;
    type Reader = MapValues<K, V, Self>;
    fn data_type() -> DataType {
        map_data_type::<K, V>()
    }
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append_entries(self);
    }
}

impl<K, V, H> SparkType for HashMap<K, V, H>
where
    K: SparkType + Eq + Hash,
    V: SparkType,
    H: BuildHasher + Default,
{
    type Builder = MapColumn<K, V>;
    type Reader = MapValues<K, V, Self>;
    fn data_type() -> DataType {
        map_data_type::<K, V>()
    }
    fn append_to(&self, builder: &mut Self::Builder) {
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

/// The struct-level part of a derived row reader: the struct array's children and validity.
#[derive(Debug)]
pub struct StructValues {
    array: StructArray,
}

impl StructValues {
    /// Reads `array`, a struct of exactly `fields` (by position; names may differ).
    pub fn new(array: &ArrayRef, fields: &Fields) -> Result<Self, SchemaError> {
        let expected = DataType::Struct(fields.clone());
        let array = array
            .as_struct_opt()
            .ok_or_else(|| wrong_array(&expected, array))?;
        if array.num_columns() != fields.len() {
            return Err(SchemaError::Mismatch(format!(
                "expected a struct of {} fields, got {}",
                fields.len(),
                array.num_columns()
            )));
        }
        Ok(StructValues {
            array: array.clone(),
        })
    }

    /// The reader of child `index`, named `name` in errors.
    pub fn child<R: ColumnReader>(&self, index: usize, name: &str) -> Result<R, SchemaError> {
        within(R::new(self.array.column(index)), name)
    }

    /// Whether the struct at `index` is null.
    pub fn is_null(&self, index: usize) -> bool {
        self.array.is_null(index)
    }
}

/// Puts the path of a nested column in front of a reader's error.
fn within<R>(result: Result<R, SchemaError>, name: &str) -> Result<R, SchemaError> {
    result.map_err(|error| match error {
        SchemaError::Mismatch(message) => SchemaError::Mismatch(format!("`{name}`: {message}")),
        other => other,
    })
}
