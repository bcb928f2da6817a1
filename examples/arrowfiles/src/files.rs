//! One file: its schema, the row groups its statistics leave to read, and its batches.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_ipc::reader::FileReader;
use datasource_py::Context;
use datasource_py::arrow_array::RecordBatch;
use datasource_py::arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef, TimeUnit};
use datasource_py::filter::ColumnStatistics;
use datasource_py::prelude::*;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::Type as PhysicalType;

use crate::listing::Format;

/// A file's Arrow schema, from its footer (Parquet) or header (Arrow IPC).
pub fn schema(path: &Path, format: Format) -> Result<SchemaRef> {
    let opened = open(path)?;
    let context = || format!("cannot read the schema of `{}`", path.display());
    match format {
        Format::Parquet => Ok(parquet_metadata(&opened)
            .with_context(context)?
            .schema()
            .clone()),
        Format::Arrow => Ok(FileReader::try_new(opened, None)
            .with_context(context)?
            .schema()),
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).with_context(|| format!("cannot open `{}`", path.display()))
}

/// A Parquet file's footer, its columns typed as Spark types them: an `INT96` timestamp (what
/// Spark writes by default) is an instant, `TIMESTAMP` (parquet-rs reads it zone-less, as
/// `TIMESTAMP_NTZ`); an `INT64` timestamp is an instant where `isAdjustedToUTC` says so
/// (parquet-rs follows it already).
fn parquet_metadata(file: &File) -> parquet::errors::Result<ArrowReaderMetadata> {
    spark_typed(ArrowReaderMetadata::load(file, Default::default())?)
}

/// A Parquet footer as loaded, its columns typed as Spark types them (see `parquet_metadata`).
pub fn spark_typed(loaded: ArrowReaderMetadata) -> parquet::errors::Result<ArrowReaderMetadata> {
    let schema_descr = loaded.metadata().file_metadata().schema_descr();
    let mut leaves = schema_descr.columns().iter().map(|c| c.physical_type());
    let fields: Vec<FieldRef> = loaded
        .schema()
        .fields()
        .iter()
        .map(|field| spark_field(field, &mut leaves))
        .collect();
    if fields.iter().eq(loaded.schema().fields().iter()) {
        return Ok(loaded);
    }
    let hinted = Schema::new_with_metadata(fields, loaded.schema().metadata().clone());
    ArrowReaderMetadata::try_new(
        loaded.metadata().clone(),
        ArrowReaderOptions::new().with_schema(Arc::new(hinted)),
    )
}

/// `field` with its `INT96` leaves (the next of `leaves`, the physical types of the file's leaf
/// columns in order) read as `TIMESTAMP`.
fn spark_field(field: &FieldRef, leaves: &mut impl Iterator<Item = PhysicalType>) -> FieldRef {
    let mut child = |f: &FieldRef| spark_field(f, leaves);
    let data_type = match field.data_type() {
        DataType::List(element) => DataType::List(child(element)),
        DataType::LargeList(element) => DataType::LargeList(child(element)),
        DataType::FixedSizeList(element, size) => DataType::FixedSizeList(child(element), *size),
        DataType::Map(entries, sorted) => DataType::Map(child(entries), *sorted),
        DataType::Struct(members) => DataType::Struct(members.iter().map(child).collect()),
        leaf => match (leaves.next(), leaf) {
            (Some(PhysicalType::INT96), DataType::Timestamp(_, None)) => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
            }
            _ => leaf.clone(),
        },
    };
    if &data_type == field.data_type() {
        return field.clone();
    }
    Arc::new(Field::clone(field).with_data_type(data_type))
}

/// The positions of `columns`' fields in `schema`, by name (exactly, or else ignoring case).
pub fn projection(schema: &Schema, columns: &Schema) -> Result<Vec<usize>> {
    columns
        .fields()
        .iter()
        .map(|field| {
            let name = field.name();
            schema
                .index_of(name)
                .ok()
                .or_else(|| {
                    let mut fields = schema.fields().iter();
                    fields.position(|f| f.name().eq_ignore_ascii_case(name))
                })
                .ok_or_else(|| datasource_py::format_err!("the files have no column `{name}`"))
        })
        .collect()
}

/// The row groups of a Parquet file that may hold rows every filter admits, by the file's
/// statistics; and how many there are in all.
pub fn row_groups(path: &Path, filters: &[&Filter]) -> Result<(Vec<usize>, usize)> {
    let metadata = parquet_metadata(&open(path)?)
        .with_context(|| format!("cannot read the footer of `{}`", path.display()))?;
    row_groups_of(&metadata, filters)
}

/// [`row_groups`] of a footer already read.
pub fn row_groups_of(
    metadata: &ArrowReaderMetadata,
    filters: &[&Filter],
) -> Result<(Vec<usize>, usize)> {
    let groups = metadata.metadata().row_groups();
    let mut keep = vec![true; groups.len()];
    for filter in filters {
        let Some(column) = filter.column().top_level() else {
            continue;
        };
        let Some((_, field)) = metadata.schema().column_with_name(column) else {
            continue;
        };
        let Ok(converter) = StatisticsConverter::try_new(
            field.name(),
            metadata.schema(),
            metadata.parquet_schema(),
        ) else {
            continue;
        };
        let statistics = ColumnStatistics {
            min: converter.row_group_mins(groups)?,
            max: converter.row_group_maxes(groups)?,
            null_count: Some(converter.row_group_null_counts(groups)?),
            row_count: converter.row_group_row_counts(groups)?,
        };
        let may_match = filter.may_match(&statistics);
        for (index, may) in may_match.iter().enumerate() {
            keep[index] &= may.unwrap_or(true);
        }
    }
    let kept = (0..groups.len()).filter(|&index| keep[index]).collect();
    Ok((kept, groups.len()))
}

/// A file's batches, as they are read.
pub type FileBatches = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

/// The batches of `path`'s columns that `wanted` names (by name): of the given row groups of
/// a Parquet file, or of a whole Arrow IPC file; and the schema they have (the file's types, in
/// the file's column order for Parquet, in `wanted`'s for Arrow IPC).
pub fn batches(
    path: &Path,
    format: Format,
    wanted: &Schema,
    row_groups: Vec<usize>,
    batch_rows: usize,
) -> Result<(Schema, FileBatches)> {
    let context = format!("cannot read `{}`", path.display());
    Ok(match format {
        Format::Parquet => {
            let file = open(path)?;
            let metadata = parquet_metadata(&file).context(context.clone())?;
            let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
            // Parquet reads a projection in the file's column order.
            let mut columns = projection(builder.schema(), wanted)?;
            columns.sort_unstable();
            let read = builder.schema().project(&columns)?;
            let mask = ProjectionMask::roots(builder.parquet_schema(), columns);
            let reader = builder
                .with_projection(mask)
                .with_row_groups(row_groups)
                .with_batch_size(batch_rows)
                .build()
                .context(context.clone())?;
            (
                read,
                Box::new(reader.map(move |batch| batch.context(context.clone()))),
            )
        }
        Format::Arrow => {
            let columns = projection(&*schema(path, format)?, wanted)?;
            let reader =
                FileReader::try_new(open(path)?, Some(columns)).context(context.clone())?;
            let read = reader.schema().as_ref().clone();
            (
                read,
                Box::new(reader.map(move |batch| batch.context(context.clone()))),
            )
        }
    })
}
