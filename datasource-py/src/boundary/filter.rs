//! PySpark's filter objects (`pyspark.sql.datasource`, 4.1+) as [`Filter`]s, read attribute
//! by attribute: no wire format in between.

use datasource_core::chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use datasource_core::{ColumnPath, Filter, Literal};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};

/// A filter Spark offers, as the SDK holds it: `None` when it is of a kind, or holds a literal,
/// that the SDK has no Rust form for (Spark keeps that filter).
pub(crate) struct OfferedFilter(pub(crate) Option<Filter>);

impl FromPyObject<'_, '_> for OfferedFilter {
    type Error = PyErr;

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(OfferedFilter(filter(&object)?))
    }
}

fn filter(object: &Bound<'_, PyAny>) -> PyResult<Option<Filter>> {
    let kind: String = object.get_type().name()?.extract()?;
    if kind == "Not" {
        return Ok(filter(&object.getattr("child")?)?.map(|inner| Filter::Not(Box::new(inner))));
    }
    let column = ColumnPath(object.getattr("attribute")?.extract()?);
    let value = || object.getattr("value");
    let literal = || -> PyResult<Option<Literal>> { literal(&value()?) };
    let text = || -> PyResult<Option<String>> {
        let value = value()?;
        Ok(value.cast::<PyString>().ok().map(|text| text.to_string()))
    };
    let compared = |make: fn(ColumnPath, Literal) -> Filter| -> PyResult<Option<Filter>> {
        Ok(literal()?.map(|value| make(column.clone(), value)))
    };
    let matched = |make: fn(ColumnPath, String) -> Filter| -> PyResult<Option<Filter>> {
        Ok(text()?.map(|value| make(column.clone(), value)))
    };
    match kind.as_str() {
        "EqualTo" => compared(|column, value| Filter::EqualTo { column, value }),
        "EqualNullSafe" => compared(|column, value| Filter::EqualNullSafe { column, value }),
        "GreaterThan" => compared(|column, value| Filter::GreaterThan { column, value }),
        "GreaterThanOrEqual" => {
            compared(|column, value| Filter::GreaterThanOrEqual { column, value })
        }
        "LessThan" => compared(|column, value| Filter::LessThan { column, value }),
        "LessThanOrEqual" => compared(|column, value| Filter::LessThanOrEqual { column, value }),
        "In" => {
            let mut values = Vec::new();
            for item in value()?.try_iter()? {
                match self::literal(&item?)? {
                    Some(value) => values.push(value),
                    None => return Ok(None),
                }
            }
            Ok(Some(Filter::In {
                column: column.clone(),
                values,
            }))
        }
        "IsNull" => Ok(Some(Filter::IsNull { column })),
        "IsNotNull" => Ok(Some(Filter::IsNotNull { column })),
        "StringStartsWith" => matched(|column, value| Filter::StringStartsWith { column, value }),
        "StringEndsWith" => matched(|column, value| Filter::StringEndsWith { column, value }),
        "StringContains" => matched(|column, value| Filter::StringContains { column, value }),
        // A kind of a newer PySpark: Spark applies it.
        _ => Ok(None),
    }
}

/// A filter's literal, typed as PySpark converts Spark's: `None` for a value the SDK has no
/// [`Literal`] for (an integer beyond 64 bits, a decimal of more than 38 digits, a time).
fn literal(value: &Bound<'_, PyAny>) -> PyResult<Option<Literal>> {
    if value.is_none() {
        return Ok(Some(Literal::Null));
    }
    // `bool` before `int`: Python's booleans are integers.
    if let Ok(value) = value.cast::<PyBool>() {
        return Ok(Some(Literal::Bool(value.is_true())));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(value.extract::<i64>().ok().map(Literal::Int));
    }
    if let Ok(value) = value.cast::<PyFloat>() {
        return Ok(Some(Literal::Float(value.value())));
    }
    if let Ok(value) = value.cast::<PyString>() {
        return Ok(Some(Literal::Str(value.extract()?)));
    }
    if let Ok(value) = value.cast::<PyBytes>() {
        return Ok(Some(Literal::Bytes(value.as_bytes().to_vec())));
    }
    if let Ok(value) = value.cast::<PyByteArray>() {
        return Ok(Some(Literal::Bytes(value.to_vec())));
    }
    if let Ok(values) = value.cast::<PyList>() {
        return sequence(values.iter());
    }
    if let Ok(values) = value.cast::<PyTuple>() {
        return sequence(values.iter());
    }
    if let Ok(fields) = value.cast::<PyDict>() {
        let mut literal_fields = Vec::with_capacity(fields.len());
        for (key, value) in fields.iter() {
            match literal(&value)? {
                Some(value) => literal_fields.push((key.str()?.to_string(), value)),
                None => return Ok(None),
            }
        }
        return Ok(Some(Literal::Struct(literal_fields)));
    }
    // The standard library's types, by their class (abi3 has no datetime C API).
    let class = value.get_type();
    let (module, name): (String, String) = (class.module()?.extract()?, class.name()?.extract()?);
    match (module.as_str(), name.as_str()) {
        ("decimal", "Decimal") => {
            let text: String = value
                .py()
                .import("builtins")?
                .getattr("format")?
                .call1((value, "f"))?
                .extract()?;
            Ok(Literal::parse_decimal(&text))
        }
        ("datetime", "datetime") => datetime(value),
        ("datetime", "date") => Ok(date(value)?.map(Literal::Date)),
        _ => Ok(None),
    }
}

fn sequence<'py>(values: impl Iterator<Item = Bound<'py, PyAny>>) -> PyResult<Option<Literal>> {
    let mut literals = Vec::new();
    for value in values {
        match literal(&value)? {
            Some(value) => literals.push(value),
            None => return Ok(None),
        }
    }
    Ok(Some(Literal::List(literals)))
}

fn date(value: &Bound<'_, PyAny>) -> PyResult<Option<NaiveDate>> {
    let part = |name: &str| -> PyResult<u32> { value.getattr(name)?.extract() };
    Ok(NaiveDate::from_ymd_opt(
        value.getattr("year")?.extract()?,
        part("month")?,
        part("day")?,
    ))
}

/// A `datetime`: with a time zone, an instant (`TIMESTAMP`); without, a wall-clock time
/// (`TIMESTAMP_NTZ`), as PySpark converts them.
fn datetime(value: &Bound<'_, PyAny>) -> PyResult<Option<Literal>> {
    let aware = !value.getattr("tzinfo")?.is_none();
    let value = if aware {
        let utc = value
            .py()
            .import("datetime")?
            .getattr("timezone")?
            .getattr("utc")?;
        value.call_method1("astimezone", (utc,))?
    } else {
        value.clone()
    };
    let part = |name: &str| -> PyResult<u32> { value.getattr(name)?.extract() };
    let Some(day) = date(&value)? else {
        return Ok(None);
    };
    let Some(time) = NaiveTime::from_hms_micro_opt(
        part("hour")?,
        part("minute")?,
        part("second")?,
        part("microsecond")?,
    ) else {
        return Ok(None);
    };
    let wall = NaiveDateTime::new(day, time);
    Ok(Some(if aware {
        Literal::Timestamp(wall.and_utc())
    } else {
        Literal::TimestampNtz(wall)
    }))
}
