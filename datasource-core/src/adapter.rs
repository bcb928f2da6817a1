//! The one place batches are fitted to the schema on the other side: [`ReadAdapter`] turns a
//! source's batches into exactly what Spark reads, [`WriteAdapter`] turns what Spark writes into
//! exactly what a sink declared it takes. Each is built once per reader or writer, on the
//! driver's schemas, and then applied to every batch.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions, make_array};
use arrow_schema::{DataType, Field, FieldRef, Fields, Schema, SchemaRef};

use crate::schema::{SchemaError, from_spark_json, to_ddl, to_spark_json};

/// The Arrow schema Spark derives for `schema` once it has become a Spark schema: what PySpark
/// 4.3 requires batches to have exactly (list children `element`, maps `entries`/`key`/`value`,
/// timestamps in `UTC`, no metadata). An error names a column Spark cannot hold.
pub fn spark_arrow_schema(schema: &Schema) -> Result<Schema, SchemaError> {
    from_spark_json(&to_spark_json(schema)?.to_string())
}

/// Fits a source's batches to the schema Spark reads.
///
/// Each batch must have the source's declared columns, in order, of the declared types (nested
/// field names, metadata and nullability that only narrows may differ: they are relabelled, the
/// buffers shared). Spark may read a subset of the columns in another order (the schema a user
/// passes to `spark.read.schema(...)`), each as nullable as the source's or more, at any depth:
/// the adapter picks and relabels them.
#[derive(Debug, Clone)]
pub struct ReadAdapter {
    source: &'static str,
    /// What each batch from the source must have.
    declared: SchemaRef,
    /// The declared columns Spark reads, in its order; `None`: all of them, as declared.
    columns: Option<Vec<usize>>,
    /// What Spark reads.
    output: SchemaRef,
}

impl ReadAdapter {
    /// An adapter from the `declared` schema of the source named `source` to `requested`, the
    /// schema Spark reads (its own Arrow form of the declared schema, or of a user's schema).
    ///
    /// A requested schema is honoured when it is a subset of the declared columns, in any
    /// order, matched by name (exactly, or else ignoring case as Spark does), where anything
    /// declared `NOT NULL` (a column, a list's elements, a struct's fields) may be requested as
    /// nullable. Anything else is refused, with every offending column named.
    pub fn new(
        source: &'static str,
        declared: &Schema,
        requested: &Schema,
    ) -> Result<Self, SchemaError> {
        let declared_spark = spark_arrow_schema(declared)?;
        let output = Arc::new(spark_arrow_schema(requested)?);
        let declared = Arc::new(declared.clone());
        if fields_match(declared_spark.fields(), output.fields()) {
            return Ok(ReadAdapter {
                source,
                declared,
                columns: None,
                output,
            });
        }
        let (columns, problems) =
            match_columns(&declared_spark, &output, &READ_WORDS, |_, _| false);
        if !problems.is_empty() {
            let ours = to_ddl(&declared).unwrap_or_else(|e| e.to_string());
            return Err(SchemaError::Mismatch(format!(
                "{source}: the schema given to spark.read.schema(...) does not match this \
                 source: {}; the source's schema is `{ours}` (a subset of its columns may be \
                 requested)",
                problems.join("; ")
            )));
        }
        Ok(ReadAdapter {
            source,
            declared,
            columns: Some(columns),
            output,
        })
    }

    /// The source's declared schema: what each batch it produces must have.
    pub fn declared(&self) -> &SchemaRef {
        &self.declared
    }

    /// What Spark reads: the schema of every adapted batch.
    pub fn output(&self) -> &SchemaRef {
        &self.output
    }

    /// Checks one batch of the source and fits it to what Spark reads; an error names the
    /// source and the column that does not fit.
    pub fn adapt(&self, batch: RecordBatch) -> Result<RecordBatch, SchemaError> {
        let expected = self.declared.fields();
        let actual = batch.schema();
        let mismatch =
            |message: String| SchemaError::Mismatch(format!("{}: {message}", self.source));
        if actual.fields().len() != expected.len() {
            return Err(mismatch(format!(
                "a batch has {} columns but the schema has {}",
                actual.fields().len(),
                expected.len()
            )));
        }
        for (want, have) in expected.iter().zip(actual.fields()) {
            if want.name() != have.name() || !want.data_type().equals_datatype(have.data_type()) {
                return Err(mismatch(format!(
                    "batch column `{}` ({}) does not match schema column `{}` ({})",
                    have.name(),
                    have.data_type(),
                    want.name(),
                    want.data_type()
                )));
            }
        }
        if self.columns.is_none() && fields_match(actual.fields(), self.output.fields()) {
            // Already exactly what Spark reads (a derived row batch without comments, or a
            // batch built on `Scan::schema`): nothing to relabel.
            return Ok(batch);
        }
        let picked: Vec<usize> = match &self.columns {
            Some(columns) => columns.clone(),
            None => (0..expected.len()).collect(),
        };
        let columns = picked
            .iter()
            .zip(self.output.fields())
            .map(|(&index, field)| convert(batch.column(index), field.data_type()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| mismatch(format!("a batch does not fit the schema: {e}")))?;
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        RecordBatch::try_new_with_options(self.output.clone(), columns, &options)
            .map_err(|e| mismatch(format!("a batch does not fit the schema: {e}")))
    }
}

/// The most bytes a column of Spark's plain string or binary layout holds: its offsets are 32-bit.
pub const PLAIN_LAYOUT_LIMIT: usize = i32::MAX as usize;

impl ReadAdapter {
    /// `batch` in pieces that each fit what Spark reads: a batch whose large string or binary
    /// column holds more bytes than Spark's plain layout can ([`PLAIN_LAYOUT_LIMIT`]) is split
    /// by rows, each piece then adapted on its own. One batch, unsplit, in every other case.
    pub fn pieces(&self, batch: RecordBatch) -> Vec<RecordBatch> {
        split_to_fit(batch, PLAIN_LAYOUT_LIMIT)
    }
}

/// `batch` split by rows so that no large string or binary column (top-level) of a piece holds
/// more than `limit` bytes; a single value larger than `limit` is a piece of its own (and fails
/// where it is narrowed, naming the column).
pub fn split_to_fit(batch: RecordBatch, limit: usize) -> Vec<RecordBatch> {
    use arrow_array::cast::AsArray;

    let offsets: Vec<&[i64]> = batch
        .columns()
        .iter()
        .filter_map(|column| match column.data_type() {
            DataType::LargeUtf8 => Some(column.as_string::<i64>().value_offsets()),
            DataType::LargeBinary => Some(column.as_binary::<i64>().value_offsets()),
            _ => None,
        })
        .collect();
    let bytes = |offsets: &[i64], from: usize, to: usize| (offsets[to] - offsets[from]) as usize;
    let rows = batch.num_rows();
    if offsets
        .iter()
        .all(|offsets| bytes(offsets, 0, rows) <= limit)
    {
        return vec![batch];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < rows {
        let mut end = start + 1;
        while end < rows && offsets.iter().all(|o| bytes(o, start, end + 1) <= limit) {
            end += 1;
        }
        pieces.push(batch.slice(start, end - start));
        start = end;
    }
    pieces
}

/// Fits the batches Spark writes to the schema a sink declared it takes.
///
/// Built on the driver before any task runs, from Spark's schema of the data written: every
/// column the sink takes must be there (matched by name, exactly or else ignoring case), of
/// its type or one that safely widens to it (a narrower integer to a wider one, `FLOAT` to
/// `DOUBLE`, a `DECIMAL` to one of more precision and the same scale), and may only be null
/// where the sink accepts nulls (at any depth); columns the sink does not take are refused.
///
/// Each batch is then fitted: Spark's write batches carry the session time zone on `TIMESTAMP`
/// columns (the values are UTC instants either way: they are relabelled `UTC`), large
/// string/binary types when `spark.sql.execution.arrow.useLargeVarTypes` is set, and the
/// narrower types of a widening (both converted). A sink that accepts large string/binary
/// types (`LargeUtf8`, `LargeBinary`, at any depth) gets them as such: Spark's large batches
/// are kept as they come (a column of more than 2 GiB fits no other), its plain ones widened.
#[derive(Debug, Clone)]
pub struct WriteAdapter {
    sink: &'static str,
    /// The incoming column of each accepted column.
    columns: Vec<usize>,
    /// What the sink takes: the schema of every adapted batch.
    output: SchemaRef,
}

impl WriteAdapter {
    /// An adapter from `incoming` (Spark's schema of the data written to the sink named `sink`)
    /// to `accepted` (what the sink takes); an error lists every column that does not fit.
    pub fn new(
        sink: &'static str,
        accepted: &Schema,
        incoming: &Schema,
    ) -> Result<Self, SchemaError> {
        let output = spark_arrow_schema(accepted)?;
        let incoming = spark_arrow_schema(incoming)?;
        let duplicates = duplicate_names(&incoming);
        if !duplicates.is_empty() {
            return Err(SchemaError::Mismatch(format!(
                "{sink}: the data written has {}: a sink takes each column by its name; rename \
                 or drop the others (`df.toDF(...)`, `withColumnRenamed`)",
                duplicates.join(", ")
            )));
        }
        let (columns, mut problems) = match_columns(&incoming, &output, &WRITE_WORDS, widens);
        for (index, field) in incoming.fields().iter().enumerate() {
            if !columns.contains(&index) && find_column(&output, field.name()).is_none() {
                problems.push(format!(
                    "column `{}` is not one the sink takes",
                    field.name()
                ));
            }
        }
        if !problems.is_empty() {
            let ours = to_ddl(&output).unwrap_or_else(|e| e.to_string());
            return Err(SchemaError::Mismatch(format!(
                "{sink}: the data written does not fit this sink: {}; the sink takes `{ours}`",
                problems.join("; ")
            )));
        }
        // Matched in Spark's forms above; the batches get the sink's large layouts.
        let output = Arc::new(Schema::new(
            output
                .fields()
                .iter()
                .zip(accepted.fields())
                .map(|(spark, declared)| {
                    spark
                        .as_ref()
                        .clone()
                        .with_data_type(with_large_layouts(spark.data_type(), declared.data_type()))
                })
                .collect::<Vec<_>>(),
        ));
        Ok(WriteAdapter {
            sink,
            columns,
            output,
        })
    }

    /// What the sink takes: the schema of every adapted batch.
    pub fn output(&self) -> &SchemaRef {
        &self.output
    }

    /// Fits one batch Spark wrote to what the sink takes.
    pub fn adapt(&self, batch: RecordBatch) -> Result<RecordBatch, SchemaError> {
        let columns = self
            .columns
            .iter()
            .zip(self.output.fields())
            .map(|(&index, field)| {
                let column = batch
                    .columns()
                    .get(index)
                    .ok_or_else(|| format!("a batch has {} columns", batch.num_columns()))?;
                // A label (names, zone) is changed in place; a layout (large types, a
                // widening) is converted.
                if same_layout(column.data_type(), field.data_type()) {
                    relabel(column, field.data_type())
                } else {
                    arrow_cast::cast(column, field.data_type())
                }
                .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>();
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        columns
            .and_then(|columns| {
                RecordBatch::try_new_with_options(self.output.clone(), columns, &options)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| {
                SchemaError::Mismatch(format!(
                    "{}: a batch Spark wrote does not fit the sink: {e}",
                    self.sink
                ))
            })
    }
}

/// `spark` (Spark's form of a type) with the large string/binary layouts `declared` has, at any
/// depth.
fn with_large_layouts(spark: &DataType, declared: &DataType) -> DataType {
    let field = |spark: &FieldRef, declared: &FieldRef| -> FieldRef {
        Arc::new(
            spark
                .as_ref()
                .clone()
                .with_data_type(with_large_layouts(spark.data_type(), declared.data_type())),
        )
    };
    match (spark, declared) {
        (DataType::Utf8, DataType::LargeUtf8) => DataType::LargeUtf8,
        (DataType::Binary, DataType::LargeBinary) => DataType::LargeBinary,
        (DataType::List(spark), DataType::List(declared) | DataType::LargeList(declared)) => {
            DataType::List(field(spark, declared))
        }
        (DataType::Map(spark, sorted), DataType::Map(declared, _)) => {
            DataType::Map(field(spark, declared), *sorted)
        }
        (DataType::Struct(spark), DataType::Struct(declared)) if spark.len() == declared.len() => {
            DataType::Struct(
                spark
                    .iter()
                    .zip(declared.iter())
                    .map(|(s, d)| field(s, d))
                    .collect(),
            )
        }
        _ => spark.clone(),
    }
}

/// How one side words a column that does not fit.
struct Words {
    missing: &'static str,
    other_type: &'static str,
    nullable: &'static str,
}

const READ_WORDS: Words = Words {
    missing: "does not exist",
    other_type: "the given schema says",
    nullable: "the given schema says NOT NULL",
};

const WRITE_WORDS: Words = Words {
    missing: "is missing from the data written",
    other_type: "the sink takes",
    nullable: "the sink takes no nulls there",
};

/// For each column of `wanted`, the column of `have` it is (by name); and every column that
/// is missing, of another type, or nullable where `wanted` is not.
fn match_columns(
    have: &Schema,
    wanted: &Schema,
    words: &Words,
    widening: fn(&DataType, &DataType) -> bool,
) -> (Vec<usize>, Vec<String>) {
    let mut columns = Vec::with_capacity(wanted.fields().len());
    let mut problems = Vec::new();
    for want in wanted.fields() {
        let Some(index) = find_column(have, want.name()) else {
            problems.push(format!("column `{}` {}", want.name(), words.missing));
            continue;
        };
        let found = have.field(index);
        if !fits(found.data_type(), want.data_type())
            && !widening(found.data_type(), want.data_type())
        {
            problems.push(format!(
                "column `{}` is {} but {} {}",
                want.name(),
                describe(found.data_type()),
                words.other_type,
                describe(want.data_type())
            ));
        } else if found.is_nullable() && !want.is_nullable() {
            problems.push(format!(
                "column `{}` may be null but {}",
                want.name(),
                words.nullable
            ));
        }
        columns.push(index);
    }
    (columns, problems)
}

/// "column `a` twice (columns 1 and 3)" for each name given to several columns, ignoring
/// case as Spark's analyzer does by default (`a` and `A` name one column).
fn duplicate_names(schema: &Schema) -> Vec<String> {
    let mut seen: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, field) in schema.fields().iter().enumerate() {
        let key = field.name().to_lowercase();
        match seen.iter_mut().find(|(name, _)| *name == key) {
            Some((_, positions)) => positions.push(index + 1),
            None => seen.push((key, vec![index + 1])),
        }
    }
    seen.into_iter()
        .filter(|(_, positions)| positions.len() > 1)
        .map(|(_, positions)| {
            let names: Vec<String> = positions
                .iter()
                .map(|p| format!("`{}`", schema.field(p - 1).name()))
                .collect();
            let numbers: Vec<String> = positions.iter().map(ToString::to_string).collect();
            format!(
                "columns named {} (columns {})",
                names.join(" and "),
                numbers.join(", ")
            )
        })
        .collect()
}

/// Whether two field lists agree on names, types and nullability (metadata aside).
fn fields_match(a: &Fields, b: &Fields) -> bool {
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|(a, b)| {
            a.name() == b.name()
                && a.data_type() == b.data_type()
                && a.is_nullable() == b.is_nullable()
        })
}

/// The column named `name`: exactly, or else the one column equal to it ignoring case.
fn find_column(schema: &Schema, name: &str) -> Option<usize> {
    schema.index_of(name).ok().or_else(|| {
        let mut matches = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name().eq_ignore_ascii_case(name));
        match (matches.next(), matches.next()) {
            (Some((index, _)), None) => Some(index),
            _ => None,
        }
    })
}

/// Whether a value of type `have` converts to type `want` without loss: the widenings a sink
/// may take (see [`WriteAdapter`]).
fn widens(have: &DataType, want: &DataType) -> bool {
    use DataType::*;
    matches!(
        (have, want),
        (Int8, Int16 | Int32 | Int64)
            | (Int16, Int32 | Int64)
            | (Int32, Int64)
            | (Float32, Float64)
    ) || matches!(
        (have, want),
        (Decimal128(p1, s1), Decimal128(p2, s2)) if s1 == s2 && p2 >= p1
    )
}

/// Whether values of type `have` fit type `want`: the same type, where `want` may allow nulls
/// that `have` never holds, at any depth (a list's elements, a map's values, a struct's fields),
/// but not the other way round. Nested field names do not count.
fn fits(have: &DataType, want: &DataType) -> bool {
    let child = |have: &Field, want: &Field| {
        fits(have.data_type(), want.data_type()) && (want.is_nullable() || !have.is_nullable())
    };
    match (have, want) {
        (DataType::List(have), DataType::List(want)) => child(have, want),
        (DataType::Map(have, _), DataType::Map(want, _)) => child(have, want),
        (DataType::Struct(have), DataType::Struct(want)) => {
            have.len() == want.len()
                && have
                    .iter()
                    .zip(want.iter())
                    .all(|(h, w)| h.name().eq_ignore_ascii_case(w.name()) && child(h, w))
        }
        _ => have.equals_datatype(want),
    }
}

/// A type as DDL, with the nullability DDL leaves out written in: `ARRAY<STRING NOT NULL>` for
/// elements that are never null (DDL's `ARRAY<STRING>` allows them), so two types that differ
/// only there read differently.
fn describe(data_type: &DataType) -> String {
    let inner = |field: &Field| {
        let shown = describe(field.data_type());
        if field.is_nullable() {
            shown
        } else {
            format!("{shown} NOT NULL")
        }
    };
    match data_type {
        DataType::List(element) => format!("ARRAY<{}>", inner(element)),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("MAP<{}, {}>", describe(kv[0].data_type()), inner(&kv[1]))
            }
            other => other.to_string(),
        },
        DataType::Struct(fields) => {
            let members: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.name(), inner(f)))
                .collect();
            format!("STRUCT<{}>", members.join(", "))
        }
        other => {
            let field = Field::new("c", other.clone(), true);
            to_ddl(&Schema::new(vec![field]))
                .map(|ddl| ddl.trim_start_matches("c ").to_owned())
                .unwrap_or_else(|_| other.to_string())
        }
    }
}

/// Whether arrays of the two types have the same buffers, so one can be relabelled as the
/// other: the same type but for field names, metadata, nullability and a timestamp's zone.
fn same_layout(a: &DataType, b: &DataType) -> bool {
    let fields = |a: &Fields, b: &Fields| {
        a.len() == b.len()
            && a.iter()
                .zip(b.iter())
                .all(|(a, b)| same_layout(a.data_type(), b.data_type()))
    };
    match (a, b) {
        (DataType::Timestamp(a, _), DataType::Timestamp(b, _)) => a == b,
        (DataType::List(a), DataType::List(b)) | (DataType::Map(a, _), DataType::Map(b, _)) => {
            same_layout(a.data_type(), b.data_type())
        }
        (DataType::Struct(a), DataType::Struct(b)) => fields(a, b),
        _ => a == b,
    }
}

/// `column` as `data_type`, Spark's form of its type: relabelled where the layouts agree,
/// else converted (an unsigned integer widened, a large or view layout narrowed, a dictionary
/// decoded, a timestamp brought to microseconds).
fn convert(column: &ArrayRef, data_type: &DataType) -> Result<ArrayRef, arrow_schema::ArrowError> {
    if same_layout(column.data_type(), data_type) {
        relabel(column, data_type)
    } else {
        let exact = arrow_cast::CastOptions {
            safe: false,
            ..Default::default()
        };
        arrow_cast::cast_with_options(column, data_type, &exact)
    }
}

/// `column` with `data_type`, an equal type but for nested field names, metadata, nested
/// nullability or a timestamp's zone label (arrow-rs names list children `item`, Spark
/// `element`; Spark's write side labels timestamps with the session's zone): the buffers are
/// shared, not copied. Nested arrays are rebuilt from their relabelled children, since a list's,
/// map's or struct's type names its children's types (a map whose values may be null is
/// another type than one whose values may not).
fn relabel(column: &ArrayRef, data_type: &DataType) -> Result<ArrayRef, arrow_schema::ArrowError> {
    use arrow_array::cast::AsArray;
    use arrow_array::{Array, LargeListArray, ListArray, MapArray, StructArray};

    if column.data_type() == data_type {
        return Ok(column.clone());
    }
    Ok(match data_type {
        DataType::List(field) => {
            let list = column.as_list::<i32>();
            let values = relabel(list.values(), field.data_type())?;
            Arc::new(ListArray::try_new(
                field.clone(),
                list.offsets().clone(),
                values,
                list.nulls().cloned(),
            )?)
        }
        DataType::LargeList(field) => {
            let list = column.as_list::<i64>();
            let values = relabel(list.values(), field.data_type())?;
            Arc::new(LargeListArray::try_new(
                field.clone(),
                list.offsets().clone(),
                values,
                list.nulls().cloned(),
            )?)
        }
        DataType::Map(entries, sorted) => {
            let map = column.as_map();
            let relabelled = relabel(
                &(Arc::new(map.entries().clone()) as ArrayRef),
                entries.data_type(),
            )?;
            Arc::new(MapArray::try_new(
                entries.clone(),
                map.offsets().clone(),
                relabelled.as_struct().clone(),
                map.nulls().cloned(),
                *sorted,
            )?)
        }
        DataType::Struct(fields) => {
            let parent = column.as_struct();
            let children = parent
                .columns()
                .iter()
                .zip(fields.iter())
                .map(|(child, field)| relabel(child, field.data_type()))
                .collect::<Result<Vec<_>, _>>()?;
            Arc::new(StructArray::try_new_with_length(
                fields.clone(),
                children,
                parent.nulls().cloned(),
                parent.len(),
            )?)
        }
        // A leaf: only its label (a timestamp's zone) differs; its buffers are checked, not
        // read.
        _ => make_array(
            column
                .to_data()
                .into_builder()
                .data_type(data_type.clone())
                .build()?,
        ),
    })
}

#[cfg(test)]
mod tests;
