//! Spark's pushed filters as Rust values ([`Filter`], [`Literal`]), and their evaluation on
//! Arrow batches with Spark SQL's semantics, so a source can accept a filter it cannot apply
//! natively and still apply it exactly ([`Filter::evaluate`], [`Batches::filtered`](crate::Batches::filtered)).
//!
//! Spark sends (PySpark 4.1+) only the conjuncts of a `WHERE` clause that compare one column
//! with literals; everything else stays in Spark. A filter a source accepts as exact is never
//! applied again by Spark, so evaluation here follows Spark to the letter: SQL's three-valued
//! logic (a comparison with NULL is NULL, `NOT NULL` is NULL, a row passes only on TRUE), `NaN`
//! equal to itself and greater than every other number, `-0.0` equal to `0.0`, strings and
//! bytes compared byte by byte.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

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
#[non_exhaustive]
pub enum Literal {
    /// SQL `NULL`: unknown, so that only `<=>` finds a value equal to it.
    Null,
    /// A `BOOLEAN`.
    Bool(bool),
    /// Any integral type (`TINYINT` to `BIGINT`).
    Int(i64),
    /// `FLOAT` or `DOUBLE` (a `FLOAT` widened exactly).
    Float(f64),
    /// A `STRING`.
    Str(String),
    /// `unscaled * 10^-scale`.
    Decimal128 {
        /// The digits without the decimal point, signed (`-12345` for `-12.345`).
        unscaled: i128,
        /// How many of the digits are after the decimal point (3 for `-12.345`).
        scale: i8,
    },
    /// A `BINARY`.
    Bytes(Vec<u8>),
    /// A `DATE`.
    Date(NaiveDate),
    /// A `TIMESTAMP`: an instant, whatever the session time zone.
    Timestamp(DateTime<Utc>),
    /// A `TIMESTAMP_NTZ`: a wall-clock time in no time zone.
    TimestampNtz(NaiveDateTime),
    /// An `ARRAY` value: its elements in order.
    List(Vec<Literal>),
    /// A `STRUCT` or `MAP` value: its fields (or entries) in order.
    Struct(Vec<(String, Literal)>),
}

/// A filter Spark pushes: one conjunct of a `WHERE` clause on one column (PySpark's
/// `pyspark.sql.datasource` filter classes, with their names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "args")]
#[non_exhaustive]
pub enum Filter {
    /// `column = value` (a bare boolean column `a` is `a = true`).
    EqualTo {
        /// The column compared.
        column: ColumnPath,
        /// The literal it is compared with.
        value: Literal,
    },
    /// `column <=> value`: equal, where NULL equals NULL.
    EqualNullSafe {
        /// The column compared.
        column: ColumnPath,
        /// The literal it is compared with.
        value: Literal,
    },
    /// `column > value`.
    GreaterThan {
        /// The column compared.
        column: ColumnPath,
        /// The literal it is compared with.
        value: Literal,
    },
    /// `column >= value`.
    GreaterThanOrEqual {
        /// The column compared.
        column: ColumnPath,
        /// The literal it is compared with.
        value: Literal,
    },
    /// `column < value`.
    LessThan {
        /// The column compared.
        column: ColumnPath,
        /// The literal it is compared with.
        value: Literal,
    },
    /// `column <= value`.
    LessThanOrEqual {
        /// The column compared.
        column: ColumnPath,
        /// The literal it is compared with.
        value: Literal,
    },
    /// `column IN (values...)`.
    In {
        /// The column tested.
        column: ColumnPath,
        /// The literals it may equal (a `NULL` among them never matches).
        values: Vec<Literal>,
    },
    /// `column IS NULL`.
    IsNull {
        /// The column tested.
        column: ColumnPath,
    },
    /// `column IS NOT NULL`.
    IsNotNull {
        /// The column tested.
        column: ColumnPath,
    },
    /// The negation of one of the others (Spark never nests it further).
    Not(Box<Filter>),
    /// `column LIKE 'value%'`.
    StringStartsWith {
        /// The `STRING` column matched.
        column: ColumnPath,
        /// The text it must hold there, matched byte for byte (no wildcards).
        value: String,
    },
    /// `column LIKE '%value'`.
    StringEndsWith {
        /// The `STRING` column matched.
        column: ColumnPath,
        /// The text it must hold there, matched byte for byte (no wildcards).
        value: String,
    },
    /// `column LIKE '%value%'`.
    StringContains {
        /// The `STRING` column matched.
        column: ColumnPath,
        /// The text it must hold there, matched byte for byte (no wildcards).
        value: String,
    },
}

/// A filter this SDK cannot evaluate on a batch exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The filter's column is not in the schema or batch (or a nested field of it is not).
    #[error("filter `{filter}`: no column `{column}`")]
    UnknownColumn {
        /// The filter, in SQL form.
        filter: String,
        /// The column path it names.
        column: String,
    },
    /// The column's type cannot be compared with the filter's literal exactly (a string
    /// filter on a column that is no string, a literal the column's type cannot hold).
    #[error("filter `{filter}`: {reason}")]
    Unsupported {
        /// The filter, in SQL form.
        filter: String,
        /// Why it cannot be evaluated.
        reason: String,
    },
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

/// How a literal is written in a pickled read's state (see `codec`): tagged by kind, floats and
/// decimals as text (JSON has no NaN, and a decimal keeps its digits), bytes as hex, instants as
/// microseconds since the epoch.
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

impl Literal {
    /// A decimal written as text (`-12.345`: unscaled `-12345`, scale 3), of at most 38
    /// digits; `None` for anything else.
    pub fn parse_decimal(text: &str) -> Option<Literal> {
        parse_decimal(text)
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

mod eval;

pub use eval::{ColumnStatistics, apply_filters};

#[cfg(test)]
mod tests;
