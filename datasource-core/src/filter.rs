//! Spark's pushed filters as Rust values ([`Filter`], [`Literal`]), and their evaluation on
//! Arrow batches with Spark SQL's semantics, so a source can accept a filter it cannot apply
//! natively and still apply it exactly ([`Filter::evaluate`], [`Batches::filtered`]).
//!
//! Spark sends (PySpark 4.1+) only the conjuncts of a `WHERE` clause that compare one column
//! with literals; everything else stays in Spark. A filter a source accepts as exact is never
//! applied again by Spark, so evaluation here follows Spark to the letter: SQL's three-valued
//! logic (a comparison with NULL is NULL, `NOT NULL` is NULL, a row passes only on TRUE), `NaN`
//! equal to itself and greater than every other number, `-0.0` equal to `0.0`, strings and
//! bytes compared byte by byte.

use std::fmt;
use std::sync::Arc;

use arrow_arith::boolean::{is_not_null, is_null, not, or_kleene};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float64Array,
    Int64Array, RecordBatch, Scalar, StringArray, StructArray, TimestampMicrosecondArray,
    UInt64Array, make_array, new_null_array,
};
use arrow_buffer::NullBuffer;
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::read::Batches;

/// A column, or a field nested in struct columns: `a.b` is `["a", "b"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ColumnPath(pub Vec<String>);

impl ColumnPath {
    /// A top-level column.
    pub fn new(name: impl Into<String>) -> Self {
        ColumnPath(vec![name.into()])
    }

    /// The top-level column's name when the path is one, `None` for a nested field.
    pub fn top_level(&self) -> Option<&str> {
        match self.0.as_slice() {
            [name] => Some(name),
            _ => None,
        }
    }

    /// Whether this path is the top-level column `name` (ignoring case, as Spark resolves).
    pub fn is(&self, name: &str) -> bool {
        self.top_level()
            .is_some_and(|own| own.eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ColumnPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, part) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            if !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                f.write_str(part)?;
            } else {
                write!(f, "`{}`", part.replace('`', "``"))?;
            }
        }
        Ok(())
    }
}

/// A literal in a filter, typed as Spark sends it: integral types arrive as `Int`, both floating
/// types as `Float`, `TIMESTAMP` as an instant and `TIMESTAMP_NTZ` as a wall-clock time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "WireLiteral", into = "WireLiteral")]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// `unscaled * 10^-scale`.
    Decimal128 {
        unscaled: i128,
        scale: i8,
    },
    Bytes(Vec<u8>),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    TimestampNtz(NaiveDateTime),
    List(Vec<Literal>),
    /// A `STRUCT` or `MAP` value: its fields (or entries) in order.
    Struct(Vec<(String, Literal)>),
}

/// A filter Spark pushes: one conjunct of a `WHERE` clause on one column (PySpark's
/// `pyspark.sql.datasource` filter classes, with their names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "args")]
pub enum Filter {
    /// `column = value` (a bare boolean column `a` is `a = true`).
    EqualTo {
        column: ColumnPath,
        value: Literal,
    },
    /// `column <=> value`: equal, where NULL equals NULL.
    EqualNullSafe {
        column: ColumnPath,
        value: Literal,
    },
    GreaterThan {
        column: ColumnPath,
        value: Literal,
    },
    GreaterThanOrEqual {
        column: ColumnPath,
        value: Literal,
    },
    LessThan {
        column: ColumnPath,
        value: Literal,
    },
    LessThanOrEqual {
        column: ColumnPath,
        value: Literal,
    },
    /// `column IN (values...)`.
    In {
        column: ColumnPath,
        values: Vec<Literal>,
    },
    IsNull {
        column: ColumnPath,
    },
    IsNotNull {
        column: ColumnPath,
    },
    /// The negation of one of the others (Spark never nests it further).
    Not(Box<Filter>),
    /// `column LIKE 'value%'`.
    StringStartsWith {
        column: ColumnPath,
        value: String,
    },
    /// `column LIKE '%value'`.
    StringEndsWith {
        column: ColumnPath,
        value: String,
    },
    /// `column LIKE '%value%'`.
    StringContains {
        column: ColumnPath,
        value: String,
    },
}

/// A filter this SDK cannot evaluate on a batch exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("filter `{filter}`: no column `{column}`")]
    UnknownColumn { filter: String, column: String },
    #[error("filter `{filter}`: {reason}")]
    Unsupported { filter: String, reason: String },
}

impl Filter {
    /// The column the filter tests.
    pub fn column(&self) -> &ColumnPath {
        match self {
            Filter::EqualTo { column, .. }
            | Filter::EqualNullSafe { column, .. }
            | Filter::GreaterThan { column, .. }
            | Filter::GreaterThanOrEqual { column, .. }
            | Filter::LessThan { column, .. }
            | Filter::LessThanOrEqual { column, .. }
            | Filter::In { column, .. }
            | Filter::IsNull { column }
            | Filter::IsNotNull { column }
            | Filter::StringStartsWith { column, .. }
            | Filter::StringEndsWith { column, .. }
            | Filter::StringContains { column, .. } => column,
            Filter::Not(inner) => inner.column(),
        }
    }

    /// Whether [`evaluate`](Filter::evaluate) applies this filter exactly to batches of
    /// `schema`: the column exists and its type can hold the literals without loss. A source
    /// that filters its batches with it can accept it as [`Pushdown::Exact`](crate::Pushdown).
    pub fn check(&self, schema: &Schema) -> Result<(), FilterError> {
        let data_type = self.column_type(schema.fields())?;
        match self {
            Filter::IsNull { .. } | Filter::IsNotNull { .. } => Ok(()),
            Filter::Not(inner) => inner.check(schema),
            Filter::In { values, .. } => values
                .iter()
                .try_for_each(|value| self.literal(value, &data_type).map(drop)),
            Filter::StringStartsWith { value, .. }
            | Filter::StringEndsWith { value, .. }
            | Filter::StringContains { value, .. } => {
                self.string_column(&data_type)?;
                self.literal(&Literal::Str(value.clone()), &data_type)
                    .map(drop)
            }
            Filter::EqualTo { value, .. }
            | Filter::EqualNullSafe { value, .. }
            | Filter::GreaterThan { value, .. }
            | Filter::GreaterThanOrEqual { value, .. }
            | Filter::LessThan { value, .. }
            | Filter::LessThanOrEqual { value, .. } => self.literal(value, &data_type).map(drop),
        }
    }

    /// The filter's value on each row of `batch`, in SQL's three-valued logic: `true`, `false`
    /// or null (unknown, which a `WHERE` clause drops).
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<BooleanArray, FilterError> {
        let column = self.resolve(batch)?;
        let arrow = |error: ArrowError| self.unsupported(error.to_string());
        use arrow_ord::cmp;
        let compare = |value: &Literal,
                       kernel: fn(
            &dyn arrow_array::Datum,
            &dyn arrow_array::Datum,
        ) -> Result<BooleanArray, ArrowError>|
         -> Result<BooleanArray, FilterError> {
            if *value == Literal::Null {
                return Ok(BooleanArray::new_null(column.len()));
            }
            let literal = self.literal(value, column.data_type())?;
            kernel(&normalized(&column), &Scalar::new(normalized(&literal))).map_err(arrow)
        };
        match self {
            Filter::EqualTo { value, .. } => compare(value, cmp::eq),
            Filter::GreaterThan { value, .. } => compare(value, cmp::gt),
            Filter::GreaterThanOrEqual { value, .. } => compare(value, cmp::gt_eq),
            Filter::LessThan { value, .. } => compare(value, cmp::lt),
            Filter::LessThanOrEqual { value, .. } => compare(value, cmp::lt_eq),
            Filter::EqualNullSafe { value, .. } => {
                let literal = match value {
                    Literal::Null => new_null_array(column.data_type(), 1),
                    value => self.literal(value, column.data_type())?,
                };
                cmp::not_distinct(&normalized(&column), &Scalar::new(normalized(&literal)))
                    .map_err(arrow)
            }
            Filter::In { values, .. } => {
                let mut result = BooleanArray::from(vec![false; column.len()]);
                for value in values {
                    let matches = compare(value, cmp::eq)?;
                    result = or_kleene(&result, &matches).map_err(arrow)?;
                }
                Ok(result)
            }
            Filter::IsNull { .. } => is_null(&column).map_err(arrow),
            Filter::IsNotNull { .. } => is_not_null(&column).map_err(arrow),
            Filter::Not(inner) => not(&inner.evaluate(batch)?).map_err(arrow),
            Filter::StringStartsWith { value, .. }
            | Filter::StringEndsWith { value, .. }
            | Filter::StringContains { value, .. } => {
                self.string_column(column.data_type())?;
                let pattern = self.literal(&Literal::Str(value.clone()), column.data_type())?;
                let pattern = Scalar::new(pattern);
                match self {
                    Filter::StringStartsWith { .. } => {
                        arrow_string::like::starts_with(&column, &pattern)
                    }
                    Filter::StringEndsWith { .. } => {
                        arrow_string::like::ends_with(&column, &pattern)
                    }
                    _ => arrow_string::like::contains(&column, &pattern),
                }
                .map_err(arrow)
            }
        }
    }

    fn unsupported(&self, reason: impl Into<String>) -> FilterError {
        FilterError::Unsupported {
            filter: self.to_string(),
            reason: reason.into(),
        }
    }

    fn string_column(&self, data_type: &DataType) -> Result<(), FilterError> {
        match data_type {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(()),
            other => Err(self.unsupported(format!("column of type {other} is not a string"))),
        }
    }

    /// The type of the filter's column in `fields`.
    fn column_type(&self, fields: &Fields) -> Result<DataType, FilterError> {
        let path = &self.column().0;
        let mut fields = fields;
        let mut found: Option<&Field> = None;
        for part in path {
            let field = find_field(fields, part).ok_or_else(|| self.unknown_column())?;
            found = Some(field);
            if let DataType::Struct(children) = field.data_type() {
                fields = children;
            } else {
                fields = &EMPTY_FIELDS;
            }
        }
        found
            .map(|field| field.data_type().clone())
            .ok_or_else(|| self.unknown_column())
    }

    fn unknown_column(&self) -> FilterError {
        FilterError::UnknownColumn {
            filter: self.to_string(),
            column: self.column().to_string(),
        }
    }

    /// The filter's column in `batch`, a nested field null wherever a struct around it is.
    fn resolve(&self, batch: &RecordBatch) -> Result<ArrayRef, FilterError> {
        let path = &self.column().0;
        let (first, rest) = path.split_first().ok_or_else(|| self.unknown_column())?;
        let index =
            find_index(batch.schema().fields(), first).ok_or_else(|| self.unknown_column())?;
        let mut array = batch.column(index).clone();
        for part in rest {
            let parent = array
                .as_any()
                .downcast_ref::<StructArray>()
                .ok_or_else(|| self.unknown_column())?;
            let index = find_index(parent.fields(), part).ok_or_else(|| self.unknown_column())?;
            let child = parent.column(index);
            let nulls = NullBuffer::union(parent.nulls(), child.nulls());
            let data = child
                .to_data()
                .into_builder()
                .nulls(nulls)
                .build()
                .map_err(|e| self.unsupported(e.to_string()))?;
            array = make_array(data);
        }
        Ok(array)
    }

    /// `value` as a one-element array of `data_type`, if it converts without loss.
    fn literal(&self, value: &Literal, data_type: &DataType) -> Result<ArrayRef, FilterError> {
        let natural = value
            .natural_array()
            .ok_or_else(|| self.unsupported(format!("no literal of its kind for {data_type}")))?;
        if !value.fits_family(data_type) {
            return Err(self.unsupported(format!(
                "a {} literal does not compare with a column of type {data_type}",
                value.kind()
            )));
        }
        let exact = CastOptions {
            safe: false,
            ..CastOptions::default()
        };
        let lossy = || {
            self.unsupported(format!(
                "{value} does not fit the column's type {data_type}"
            ))
        };
        let cast = cast_with_options(&natural, data_type, &exact).map_err(|_| lossy())?;
        let back = cast_with_options(&cast, natural.data_type(), &exact).map_err(|_| lossy())?;
        if back.to_data() != natural.to_data() {
            return Err(lossy());
        }
        Ok(cast)
    }
}

/// What each of a number of containers of rows (Parquet row groups, files, partitions) is
/// known to hold of one column: one entry per container in each array, null where unknown.
#[derive(Debug, Clone)]
pub struct ColumnStatistics {
    /// The least value in each container.
    pub min: ArrayRef,
    /// The greatest value in each container.
    pub max: ArrayRef,
    /// The nulls in each container.
    pub null_count: Option<UInt64Array>,
    /// The rows in each container.
    pub row_count: Option<UInt64Array>,
}

impl Filter {
    /// For each container `statistics` describes, whether it may hold a row the filter
    /// admits: `false` only where the statistics prove none does, so a source can skip it.
    ///
    /// Comparisons, `IN`, `IS NULL` and `IS NOT NULL` on a top-level column prune; string
    /// patterns, `NOT`, nested fields and floating-point columns (whose statistics leave NaN
    /// out, though Spark counts it above every number) never do.
    pub fn may_match(&self, statistics: &ColumnStatistics) -> BooleanArray {
        let containers = statistics.min.len();
        let unknown = || BooleanArray::from(vec![true; containers]);
        self.prune(statistics)
            .map(|proven| {
                // Unknown (null) is "may match".
                proven.iter().map(|may| Some(may.unwrap_or(true))).collect()
            })
            .unwrap_or_else(|_| unknown())
    }

    fn prune(&self, statistics: &ColumnStatistics) -> Result<BooleanArray, FilterError> {
        use arrow_ord::cmp;
        let ColumnStatistics {
            min,
            max,
            null_count,
            row_count,
        } = statistics;
        let give_up = || Err(self.unsupported("no pruning"));
        if self.column().top_level().is_none() || min.data_type().is_floating() {
            return give_up();
        }
        let arrow = |error: ArrowError| self.unsupported(error.to_string());
        let scalar = |value: &Literal| -> Result<Scalar<ArrayRef>, FilterError> {
            Ok(Scalar::new(self.literal(value, min.data_type())?))
        };
        // Some value of the container may equal `value`.
        let spans = |value: &Literal| -> Result<BooleanArray, FilterError> {
            let value = scalar(value)?;
            let low = cmp::lt_eq(min, &value).map_err(arrow)?;
            let high = cmp::gt_eq(max, &value).map_err(arrow)?;
            arrow_arith::boolean::and_kleene(&low, &high).map_err(arrow)
        };
        let has_nulls = || match null_count {
            Some(counts) => cmp::gt(counts, &UInt64Array::new_scalar(0)).map_err(arrow),
            None => give_up(),
        };
        match self {
            Filter::GreaterThan { value, .. } => cmp::gt(max, &scalar(value)?).map_err(arrow),
            Filter::GreaterThanOrEqual { value, .. } => {
                cmp::gt_eq(max, &scalar(value)?).map_err(arrow)
            }
            Filter::LessThan { value, .. } => cmp::lt(min, &scalar(value)?).map_err(arrow),
            Filter::LessThanOrEqual { value, .. } => {
                cmp::lt_eq(min, &scalar(value)?).map_err(arrow)
            }
            Filter::EqualNullSafe {
                value: Literal::Null,
                ..
            }
            | Filter::IsNull { .. } => has_nulls(),
            Filter::EqualTo { value, .. } | Filter::EqualNullSafe { value, .. } => spans(value),
            Filter::In { values, .. } => {
                let mut any = BooleanArray::from(vec![false; min.len()]);
                for value in values.iter().filter(|value| **value != Literal::Null) {
                    any = or_kleene(&any, &spans(value)?).map_err(arrow)?;
                }
                Ok(any)
            }
            Filter::IsNotNull { .. } => match (null_count, row_count) {
                (Some(nulls), Some(rows)) => cmp::lt(nulls, rows).map_err(arrow),
                _ => give_up(),
            },
            _ => give_up(),
        }
    }
}

static EMPTY_FIELDS: std::sync::LazyLock<Fields> = std::sync::LazyLock::new(Fields::empty);

fn find_index(fields: &Fields, name: &str) -> Option<usize> {
    fields.iter().position(|f| f.name() == name).or_else(|| {
        fields
            .iter()
            .position(|f| f.name().eq_ignore_ascii_case(name))
    })
}

fn find_field<'a>(fields: &'a Fields, name: &str) -> Option<&'a Field> {
    find_index(fields, name).map(|index| fields[index].as_ref())
}

/// Floats as Spark compares them: `-0.0` as `0.0`, every NaN as one NaN (which Arrow's total
/// order then puts above every other number, as Spark does).
fn normalized(array: &ArrayRef) -> ArrayRef {
    fn normalize64(x: f64) -> f64 {
        if x.is_nan() {
            f64::NAN
        } else if x == 0.0 {
            0.0
        } else {
            x
        }
    }
    fn normalize32(x: f32) -> f32 {
        if x.is_nan() {
            f32::NAN
        } else if x == 0.0 {
            0.0
        } else {
            x
        }
    }
    match array.data_type() {
        DataType::Float64 => Arc::new(
            array
                .as_primitive::<Float64Type>()
                .unary::<_, Float64Type>(normalize64),
        ),
        DataType::Float32 => Arc::new(
            array
                .as_primitive::<Float32Type>()
                .unary::<_, Float32Type>(normalize32),
        ),
        _ => array.clone(),
    }
}

impl Literal {
    fn kind(&self) -> &'static str {
        match self {
            Literal::Null => "NULL",
            Literal::Bool(_) => "boolean",
            Literal::Int(_) => "integer",
            Literal::Float(_) => "floating-point",
            Literal::Str(_) => "string",
            Literal::Decimal128 { .. } => "decimal",
            Literal::Bytes(_) => "binary",
            Literal::Date(_) => "date",
            Literal::Timestamp(_) => "timestamp",
            Literal::TimestampNtz(_) => "timestamp_ntz",
            Literal::List(_) => "array",
            Literal::Struct(_) => "struct",
        }
    }

    /// Whether the literal's kind is the one Spark uses for a column of `data_type`.
    fn fits_family(&self, data_type: &DataType) -> bool {
        use DataType as D;
        match self {
            Literal::Bool(_) => matches!(data_type, D::Boolean),
            Literal::Int(_) => data_type.is_integer(),
            Literal::Float(_) => data_type.is_floating(),
            Literal::Str(_) => matches!(data_type, D::Utf8 | D::LargeUtf8 | D::Utf8View),
            Literal::Decimal128 { .. } => matches!(data_type, D::Decimal128(..)),
            Literal::Bytes(_) => matches!(data_type, D::Binary | D::LargeBinary | D::BinaryView),
            Literal::Date(_) => matches!(data_type, D::Date32 | D::Date64),
            Literal::Timestamp(_) => matches!(data_type, D::Timestamp(_, Some(_))),
            Literal::TimestampNtz(_) => matches!(data_type, D::Timestamp(_, None)),
            Literal::Null | Literal::List(_) | Literal::Struct(_) => false,
        }
    }

    /// The literal as a one-element array of the Arrow type Spark gives its kind.
    fn natural_array(&self) -> Option<ArrayRef> {
        Some(match self {
            Literal::Bool(value) => Arc::new(BooleanArray::from(vec![*value])),
            Literal::Int(value) => Arc::new(Int64Array::from(vec![*value])),
            Literal::Float(value) => Arc::new(Float64Array::from(vec![*value])),
            Literal::Str(value) => Arc::new(StringArray::from(vec![value.as_str()])),
            Literal::Decimal128 { unscaled, scale } => Arc::new(
                Decimal128Array::from(vec![*unscaled])
                    .with_precision_and_scale(38, *scale)
                    .ok()?,
            ),
            Literal::Bytes(value) => Arc::new(BinaryArray::from(vec![value.as_slice()])),
            Literal::Date(value) => Arc::new(Date32Array::from(vec![days_since_epoch(*value)?])),
            Literal::Timestamp(value) => Arc::new(
                TimestampMicrosecondArray::from(vec![value.timestamp_micros()])
                    .with_timezone(crate::SPARK_TIMESTAMP_TZ),
            ),
            Literal::TimestampNtz(value) => Arc::new(TimestampMicrosecondArray::from(vec![
                value.and_utc().timestamp_micros(),
            ])),
            Literal::Null | Literal::List(_) | Literal::Struct(_) => return None,
        })
    }
}

fn days_since_epoch(date: NaiveDate) -> Option<i32> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
}

/// `batch` without the rows where any of `filters` is not true (their AND, as Spark pushes
/// them).
pub fn apply_filters(batch: &RecordBatch, filters: &[Filter]) -> crate::Result<RecordBatch> {
    let mut keep: Option<BooleanArray> = None;
    for filter in filters {
        let passes = filter.evaluate(batch)?;
        keep = Some(match keep {
            None => passes,
            Some(keep) => arrow_arith::boolean::and_kleene(&keep, &passes)?,
        });
    }
    match keep {
        // A null (unknown) drops the row, as in a WHERE clause.
        Some(keep) => Ok(arrow_select::filter::filter_record_batch(batch, &keep)?),
        None => Ok(batch.clone()),
    }
}

impl Batches {
    /// These batches without the rows `filters` reject (see [`Filter::evaluate`]): what a
    /// source that accepted `filters` as exact, but cannot skip rows itself, returns. Filtering
    /// here, before the data crosses into Spark, saves Spark the transfer of the rows dropped.
    pub fn filtered(self, filters: Vec<Filter>) -> Batches {
        if filters.is_empty() {
            return self;
        }
        Batches::from_record_batches(
            self.map(move |batch| apply_filters(&batch?, &filters))
                .filter(|batch| !matches!(batch, Ok(batch) if batch.num_rows() == 0)),
        )
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Int(value) => write!(f, "{value}"),
            Literal::Float(value) => write!(f, "{value:?}"),
            Literal::Str(value) => write!(f, "'{}'", value.replace('\'', "\\'")),
            Literal::Decimal128 { unscaled, scale } => {
                f.write_str(&decimal_text(*unscaled, *scale))
            }
            Literal::Bytes(value) => {
                f.write_str("X'")?;
                value.iter().try_for_each(|byte| write!(f, "{byte:02X}"))?;
                f.write_str("'")
            }
            Literal::Date(value) => write!(f, "DATE '{value}'"),
            Literal::Timestamp(value) => {
                write!(f, "TIMESTAMP '{}'", value.format("%Y-%m-%d %H:%M:%S%.fZ"))
            }
            Literal::TimestampNtz(value) => {
                write!(
                    f,
                    "TIMESTAMP_NTZ '{}'",
                    value.format("%Y-%m-%d %H:%M:%S%.f")
                )
            }
            Literal::List(values) => {
                f.write_str("[")?;
                write_list(f, values)?;
                f.write_str("]")
            }
            Literal::Struct(fields) => {
                f.write_str("{")?;
                for (index, (name, value)) in fields.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name}: {value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, values: &[Literal]) -> fmt::Result {
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{value}")?;
    }
    Ok(())
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::EqualTo { column, value } => write!(f, "{column} = {value}"),
            Filter::EqualNullSafe { column, value } => write!(f, "{column} <=> {value}"),
            Filter::GreaterThan { column, value } => write!(f, "{column} > {value}"),
            Filter::GreaterThanOrEqual { column, value } => write!(f, "{column} >= {value}"),
            Filter::LessThan { column, value } => write!(f, "{column} < {value}"),
            Filter::LessThanOrEqual { column, value } => write!(f, "{column} <= {value}"),
            Filter::In { column, values } => {
                write!(f, "{column} IN (")?;
                write_list(f, values)?;
                f.write_str(")")
            }
            Filter::IsNull { column } => write!(f, "{column} IS NULL"),
            Filter::IsNotNull { column } => write!(f, "{column} IS NOT NULL"),
            Filter::Not(inner) => write!(f, "NOT ({inner})"),
            Filter::StringStartsWith { column, value } => {
                write!(f, "startswith({column}, {})", Literal::Str(value.clone()))
            }
            Filter::StringEndsWith { column, value } => {
                write!(f, "endswith({column}, {})", Literal::Str(value.clone()))
            }
            Filter::StringContains { column, value } => {
                write!(f, "contains({column}, {})", Literal::Str(value.clone()))
            }
        }
    }
}

fn decimal_text(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        return format!("{unscaled}{}", "0".repeat(scale.unsigned_abs() as usize));
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

/// How a literal crosses from Python: tagged by kind, floats and decimals as text (JSON has no
/// NaN, and a decimal keeps its digits), bytes as hex, instants as microseconds since the epoch.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireLiteral {
    Null,
    Bool(bool),
    Int(i64),
    Float(String),
    #[serde(rename = "string")]
    Text(String),
    Decimal(String),
    Binary(String),
    Date(String),
    Timestamp(i64),
    TimestampNtz(i64),
    List(Vec<Literal>),
    Struct(Vec<(String, Literal)>),
}

impl TryFrom<WireLiteral> for Literal {
    type Error = String;

    fn try_from(wire: WireLiteral) -> Result<Self, String> {
        Ok(match wire {
            WireLiteral::Null => Literal::Null,
            WireLiteral::Bool(value) => Literal::Bool(value),
            WireLiteral::Int(value) => Literal::Int(value),
            WireLiteral::Float(text) => Literal::Float(
                text.parse()
                    .map_err(|_| format!("`{text}` is not a floating-point number"))?,
            ),
            WireLiteral::Text(value) => Literal::Str(value),
            WireLiteral::Decimal(text) => parse_decimal(&text)
                .ok_or_else(|| format!("`{text}` is not a decimal of at most 38 digits"))?,
            WireLiteral::Binary(hex) => Literal::Bytes(
                parse_hex(&hex).ok_or_else(|| format!("`{hex}` is not hexadecimal"))?,
            ),
            WireLiteral::Date(text) => Literal::Date(
                text.parse()
                    .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))?,
            ),
            WireLiteral::Timestamp(micros) => Literal::Timestamp(
                DateTime::from_timestamp_micros(micros)
                    .ok_or_else(|| format!("timestamp {micros} µs is out of range"))?,
            ),
            WireLiteral::TimestampNtz(micros) => Literal::TimestampNtz(
                DateTime::from_timestamp_micros(micros)
                    .ok_or_else(|| format!("timestamp {micros} µs is out of range"))?
                    .naive_utc(),
            ),
            WireLiteral::List(values) => Literal::List(values),
            WireLiteral::Struct(fields) => Literal::Struct(fields),
        })
    }
}

impl From<Literal> for WireLiteral {
    fn from(literal: Literal) -> Self {
        match literal {
            Literal::Null => WireLiteral::Null,
            Literal::Bool(value) => WireLiteral::Bool(value),
            Literal::Int(value) => WireLiteral::Int(value),
            Literal::Float(value) => WireLiteral::Float(format!("{value:?}")),
            Literal::Str(value) => WireLiteral::Text(value),
            Literal::Decimal128 { unscaled, scale } => {
                WireLiteral::Decimal(decimal_text(unscaled, scale))
            }
            Literal::Bytes(value) => {
                WireLiteral::Binary(value.iter().map(|byte| format!("{byte:02x}")).collect())
            }
            Literal::Date(value) => WireLiteral::Date(value.format("%Y-%m-%d").to_string()),
            Literal::Timestamp(value) => WireLiteral::Timestamp(value.timestamp_micros()),
            Literal::TimestampNtz(value) => {
                WireLiteral::TimestampNtz(value.and_utc().timestamp_micros())
            }
            Literal::List(values) => WireLiteral::List(values),
            Literal::Struct(fields) => WireLiteral::Struct(fields),
        }
    }
}

/// `-12.345` as unscaled `-12345` and scale 3; at most 38 digits.
fn parse_decimal(text: &str) -> Option<Literal> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all: String = [whole, fraction].concat();
    if all.is_empty() || all.len() > 39 || !all.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unscaled: i128 = all.parse().ok()?;
    let scale = i8::try_from(fraction.len()).ok()?;
    Some(Literal::Decimal128 {
        unscaled: sign * unscaled,
        scale,
    })
}

fn parse_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests;
