//! Record batches written as JSON Lines that Spark's own JSON reader (`spark.read.json`) reads
//! back as the same values, every Spark type: as Spark's JSON writer writes them, except where
//! it loses something (its timestamps keep milliseconds; these keep microseconds).

use std::io::Write;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use base64::Engine;

use crate::datetime::{format_date, format_timestamp_ntz, format_timestamp_utc};
use crate::{Result, bail, format_err};

/// Writes batches as JSON Lines, one object per row, the way Spark reads them back:
///
/// - numbers as JSON numbers (a `DECIMAL` with its scale), `NaN` and infinities as the strings
///   `"NaN"`, `"Infinity"`, `"-Infinity"` (as Spark writes them, and reads them back);
/// - `BINARY` as standard base64 with padding;
/// - `DATE` as `yyyy-MM-dd`; `TIMESTAMP` as the UTC instant with microseconds
///   (`2024-01-31T12:00:00.123456Z`), `TIMESTAMP_NTZ` the same without a zone;
/// - a map as an object (keys as text), an array as an array;
/// - a null field (of a row or a struct) left out, as Spark's writer does; a null element of an
///   array or value of a map written `null`.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::arrow_array::{Float64Array, RecordBatch};
/// # use datasource_core::json::JsonLinesWriter;
/// let batch = RecordBatch::try_from_iter([(
///     "x",
///     Arc::new(Float64Array::from(vec![Some(1.5), Some(f64::NAN), None])) as _,
/// )])
/// .unwrap();
/// let mut writer = JsonLinesWriter::new(Vec::new());
/// writer.write(&batch).unwrap();
/// let text = String::from_utf8(writer.finish().unwrap()).unwrap();
/// assert_eq!(text, "{\"x\":1.5}\n{\"x\":\"NaN\"}\n{}\n");
/// ```
#[derive(Debug)]
pub struct JsonLinesWriter<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> JsonLinesWriter<W> {
    /// A writer into `out` (buffer it: each row is one `write_all`).
    pub fn new(out: W) -> Self {
        JsonLinesWriter {
            out,
            line: Vec::new(),
        }
    }

    /// Writes each row of `batch` as one line; an error names a column of a type Spark's JSON
    /// cannot hold.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let schema = batch.schema();
        let columns = schema
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, column)| {
                Ok((
                    quoted(field.name()),
                    Encoder::new(column)
                        .map_err(|e| format_err!("column `{}`: {e}", field.name()))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            self.line.clear();
            write_object(&mut self.line, &columns, row)?;
            self.line.push(b'\n');
            self.out.write_all(&self.line)?;
        }
        Ok(())
    }

    /// Flushes and returns what was written into.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One column, its type looked at once per batch.
enum Encoder<'a> {
    Boolean(&'a arrow_array::BooleanArray),
    Int8(&'a arrow_array::PrimitiveArray<Int8Type>),
    Int16(&'a arrow_array::PrimitiveArray<Int16Type>),
    Int32(&'a arrow_array::PrimitiveArray<Int32Type>),
    Int64(&'a arrow_array::PrimitiveArray<Int64Type>),
    Float32(&'a arrow_array::PrimitiveArray<Float32Type>),
    Float64(&'a arrow_array::PrimitiveArray<Float64Type>),
    Decimal(&'a arrow_array::PrimitiveArray<Decimal128Type>, i8),
    String(&'a arrow_array::StringArray),
    Binary(&'a arrow_array::BinaryArray),
    Date(&'a arrow_array::PrimitiveArray<Date32Type>),
    Timestamp(
        &'a arrow_array::PrimitiveArray<TimestampMicrosecondType>,
        bool,
    ),
    List(&'a arrow_array::ListArray, Box<Encoder<'a>>),
    Map(
        &'a arrow_array::MapArray,
        Box<Encoder<'a>>,
        Box<Encoder<'a>>,
    ),
    Struct(&'a arrow_array::StructArray, Vec<(Vec<u8>, Encoder<'a>)>),
}

impl<'a> Encoder<'a> {
    fn new(array: &'a ArrayRef) -> Result<Self> {
        Ok(match array.data_type() {
            DataType::Boolean => Encoder::Boolean(array.as_boolean()),
            DataType::Int8 => Encoder::Int8(array.as_primitive()),
            DataType::Int16 => Encoder::Int16(array.as_primitive()),
            DataType::Int32 => Encoder::Int32(array.as_primitive()),
            DataType::Int64 => Encoder::Int64(array.as_primitive()),
            DataType::Float32 => Encoder::Float32(array.as_primitive()),
            DataType::Float64 => Encoder::Float64(array.as_primitive()),
            DataType::Decimal128(_, scale) => Encoder::Decimal(array.as_primitive(), *scale),
            DataType::Utf8 => Encoder::String(array.as_string()),
            DataType::Binary => Encoder::Binary(array.as_binary()),
            DataType::Date32 => Encoder::Date(array.as_primitive()),
            DataType::Timestamp(TimeUnit::Microsecond, zone) => {
                Encoder::Timestamp(array.as_primitive(), zone.is_some())
            }
            DataType::List(_) => {
                let list = array.as_list::<i32>();
                Encoder::List(list, Box::new(Encoder::new(list.values())?))
            }
            DataType::Map(_, _) => {
                let map = array.as_map();
                Encoder::Map(
                    map,
                    Box::new(Encoder::new(map.keys())?),
                    Box::new(Encoder::new(map.values())?),
                )
            }
            DataType::Struct(fields) => {
                let parent = array.as_struct();
                let members = fields
                    .iter()
                    .zip(parent.columns())
                    .map(|(field, column)| Ok((quoted(field.name()), Encoder::new(column)?)))
                    .collect::<Result<Vec<_>>>()?;
                Encoder::Struct(parent, members)
            }
            other => bail!("{other} has no JSON form that Spark reads"),
        })
    }

    fn is_null(&self, row: usize) -> bool {
        self.array().is_null(row)
    }

    fn array(&self) -> &dyn Array {
        match self {
            Encoder::Boolean(a) => *a,
            Encoder::Int8(a) => *a,
            Encoder::Int16(a) => *a,
            Encoder::Int32(a) => *a,
            Encoder::Int64(a) => *a,
            Encoder::Float32(a) => *a,
            Encoder::Float64(a) => *a,
            Encoder::Decimal(a, _) => *a,
            Encoder::String(a) => *a,
            Encoder::Binary(a) => *a,
            Encoder::Date(a) => *a,
            Encoder::Timestamp(a, _) => *a,
            Encoder::List(a, _) => *a,
            Encoder::Map(a, _, _) => *a,
            Encoder::Struct(a, _) => *a,
        }
    }

    /// Writes the value at `row` (not null).
    fn encode(&self, out: &mut Vec<u8>, row: usize) -> Result<()> {
        match self {
            Encoder::Boolean(a) => {
                out.extend_from_slice(if a.value(row) { b"true" } else { b"false" })
            }
            Encoder::Int8(a) => write!(out, "{}", a.value(row))?,
            Encoder::Int16(a) => write!(out, "{}", a.value(row))?,
            Encoder::Int32(a) => write!(out, "{}", a.value(row))?,
            Encoder::Int64(a) => write!(out, "{}", a.value(row))?,
            Encoder::Float32(a) => float(out, f64::from(a.value(row)), || {
                format!("{:?}", a.value(row))
            }),
            Encoder::Float64(a) => float(out, a.value(row), || format!("{:?}", a.value(row))),
            Encoder::Decimal(a, scale) => {
                out.extend_from_slice(decimal_text(a.value(row), *scale).as_bytes())
            }
            Encoder::String(a) => serde_json::to_writer(&mut *out, a.value(row))?,
            Encoder::Binary(a) => {
                let text = base64::engine::general_purpose::STANDARD.encode(a.value(row));
                serde_json::to_writer(&mut *out, &text)?;
            }
            Encoder::Date(a) => {
                let text = format_date(a.value(row))
                    .ok_or_else(|| format_err!("day {} is out of range", a.value(row)))?;
                serde_json::to_writer(&mut *out, &text)?;
            }
            Encoder::Timestamp(a, zoned) => {
                let micros = a.value(row);
                let text = if *zoned {
                    format_timestamp_utc(micros)
                } else {
                    format_timestamp_ntz(micros)
                }
                .ok_or_else(|| format_err!("{micros} microseconds are out of range"))?;
                serde_json::to_writer(&mut *out, &text)?;
            }
            Encoder::List(list, element) => {
                out.push(b'[');
                let offsets = list.value_offsets();
                for (index, child) in (offsets[row] as usize..offsets[row + 1] as usize).enumerate()
                {
                    if index > 0 {
                        out.push(b',');
                    }
                    element.encode_or_null(out, child)?;
                }
                out.push(b']');
            }
            Encoder::Map(map, keys, values) => {
                out.push(b'{');
                let offsets = map.value_offsets();
                for (index, entry) in (offsets[row] as usize..offsets[row + 1] as usize).enumerate()
                {
                    if index > 0 {
                        out.push(b',');
                    }
                    let mut key = Vec::new();
                    keys.encode(&mut key, entry)?;
                    if key.first() == Some(&b'"') {
                        out.extend_from_slice(&key);
                    } else {
                        // A key of another type than STRING: its text, as a name.
                        serde_json::to_writer(&mut *out, &String::from_utf8_lossy(&key))?;
                    }
                    out.push(b':');
                    values.encode_or_null(out, entry)?;
                }
                out.push(b'}');
            }
            Encoder::Struct(_, members) => write_object(out, members, row)?,
        }
        Ok(())
    }

    fn encode_or_null(&self, out: &mut Vec<u8>, row: usize) -> Result<()> {
        if self.is_null(row) {
            out.extend_from_slice(b"null");
            Ok(())
        } else {
            self.encode(out, row)
        }
    }
}

/// `{"name":value,...}` of the fields not null at `row`.
fn write_object(out: &mut Vec<u8>, members: &[(Vec<u8>, Encoder<'_>)], row: usize) -> Result<()> {
    out.push(b'{');
    let mut first = true;
    for (name, encoder) in members {
        if encoder.is_null(row) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(name);
        out.push(b':');
        encoder.encode(out, row)?;
    }
    out.push(b'}');
    Ok(())
}

/// A finite number as its shortest text that reads back exactly; NaN and infinities as the
/// strings Spark writes (and reads).
fn float(out: &mut Vec<u8>, value: f64, text: impl FnOnce() -> String) {
    if value.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if value == f64::INFINITY {
        out.extend_from_slice(b"\"Infinity\"");
    } else if value == f64::NEG_INFINITY {
        out.extend_from_slice(b"\"-Infinity\"");
    } else {
        out.extend_from_slice(text().as_bytes());
    }
}

/// The text of a decimal's unscaled value at `scale`: `-12.345`, `0.50`, `100`.
pub(crate) fn decimal_text(unscaled: i128, scale: i8) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return format!("{sign}{digits}{zeros}");
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{fraction}")
}

fn quoted(name: &str) -> Vec<u8> {
    serde_json::to_vec(name).unwrap_or_else(|_| b"\"\"".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal_text(-12345, 3), "-12.345");
        assert_eq!(decimal_text(50, 2), "0.50");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(100, 0), "100");
        assert_eq!(decimal_text(0, 2), "0.00");
        assert_eq!(decimal_text(7, -2), "700");
    }
}
