//! Filters evaluated on Arrow batches with Spark SQL's semantics, checked against a schema,
//! and tested against containers' statistics.

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
use chrono::NaiveDate;

use super::{Filter, FilterError, Literal};

impl Filter {
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
    // Through f64 and back, every f32 is itself again; only NaN and -0.0 change.
    fn normalize32(x: f32) -> f32 {
        normalize64(f64::from(x)) as f32
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
                    .with_timezone(crate::schema::SPARK_TIMESTAMP_TZ),
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
