//! Between Arrow schemas and Spark's: the JSON Spark's `StructType.fromJson` reads (and the
//! Arrow schema PySpark derives back from it), and DDL for documentation and messages.
//!
//! Arrow is the model: a `#[derive(Row)]` type describes itself as Arrow fields, and a field's
//! `comment` metadata becomes the Spark column comment.

use std::sync::Arc;

use arrow_schema::{DataType, Field, FieldRef, Fields, Schema, TimeUnit};
use serde_json::{Map, Value, json};

/// Time zone Spark's Arrow conversion puts on `TimestampType` columns of Python data sources.
pub const SPARK_TIMESTAMP_TZ: &str = "UTC";

/// Arrow field metadata key whose value becomes the Spark column's comment.
pub const COMMENT_KEY: &str = "comment";

/// The Arrow field metadata key PySpark tags a `VARIANT`'s `metadata` child with (`"true"`).
pub const VARIANT_KEY: &str = "variant";

/// The Arrow form PySpark gives `VARIANT`: a struct of the value's and the metadata's bytes
/// (Spark's binary encoding, the Parquet Variant's), the metadata tagged as a variant's.
pub fn variant_data_type() -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("value", DataType::Binary, false),
        Field::new("metadata", DataType::Binary, false).with_metadata(
            std::collections::HashMap::from([(VARIANT_KEY.to_owned(), "true".to_owned())]),
        ),
    ]))
}

/// Whether `fields` are a `VARIANT`'s Arrow form: `value` and `metadata` bytes, the metadata
/// tagged.
fn is_variant(fields: &Fields) -> bool {
    matches!(&fields[..], [value, metadata]
        if value.name() == "value"
            && metadata.name() == "metadata"
            && value.data_type() == &DataType::Binary
            && metadata.data_type() == &DataType::Binary
            && metadata.metadata().get(VARIANT_KEY).map(String::as_str) == Some("true"))
}

/// Why year-month intervals cannot be a column of a Python data source.
const YEAR_MONTH_REASON: &str = "PySpark (4.0 to 4.3) has no Arrow conversion for YEAR-MONTH     INTERVAL; cast it to a number of months (INT) first";

/// A schema this SDK cannot turn into Spark's, or Spark's into Arrow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// An Arrow type with no Spark equivalent.
    #[error("column `{column}`: Arrow type {data_type} has no Spark SQL type")]
    UnsupportedArrowType {
        /// The column (or nested field) of that type.
        column: String,
        /// The Arrow type, as arrow-rs prints it.
        data_type: String,
    },
    /// A Spark type this SDK cannot produce.
    #[error("column `{column}`: Spark type `{spark_type}` is not supported by Rust data sources")]
    UnsupportedSparkType {
        /// The column (or nested field) of that type.
        column: String,
        /// The Spark type, as Spark's schema JSON names it.
        spark_type: String,
    },
    /// A type Spark has that no PySpark release carries through Arrow to a Python data
    /// source.
    #[error("column `{column}`: {spark_type} cannot reach a Python data source: {reason}")]
    NotCarried {
        /// The column (or nested field) of that type.
        column: String,
        /// The Spark type, in SQL (`INTERVAL YEAR TO MONTH`).
        spark_type: String,
        /// Why PySpark cannot carry it, and what to do instead.
        reason: String,
    },
    /// Malformed Spark schema JSON.
    #[error("invalid Spark schema JSON: {0}")]
    InvalidJson(String),
    /// Data that does not fit the schema on the other side (a user-given schema, a batch, a
    /// sink's columns).
    #[error("{0}")]
    Mismatch(String),
}

/// Spark's JSON for a struct schema, as `StructType.fromJson` reads it.
pub fn to_spark_json(schema: &Schema) -> Result<Value, SchemaError> {
    struct_json(schema.fields(), "")
}

fn struct_json(fields: &Fields, path: &str) -> Result<Value, SchemaError> {
    let fields = fields
        .iter()
        .map(|field| {
            let column = join_path(path, field.name());
            let mut metadata = Map::new();
            if let Some(comment) = field.metadata().get(COMMENT_KEY) {
                metadata.insert(COMMENT_KEY.into(), Value::String(comment.clone()));
            }
            Ok(json!({
                "name": field.name(),
                "type": type_json(field.data_type(), &column)?,
                "nullable": field.is_nullable(),
                "metadata": metadata,
            }))
        })
        .collect::<Result<Vec<_>, SchemaError>>()?;
    Ok(json!({ "type": "struct", "fields": fields }))
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The Spark type of an Arrow type. Types Spark has no exact match for are mapped to the one
/// that holds every value (the read adapter converts the batches): unsigned integers widen
/// (`UInt64` to `DECIMAL(20,0)`, as Spark's Parquet reader does), large and view layouts
/// become the plain ones, dictionaries their values, `Float16` `FLOAT`, `Date64` `DATE`, and
/// timestamps of any unit `TIMESTAMP` (with a zone) or `TIMESTAMP_NTZ` (without).
fn type_json(data_type: &DataType, column: &str) -> Result<Value, SchemaError> {
    let simple = |name: &str| Ok(Value::String(name.to_owned()));
    let unsupported = || SchemaError::UnsupportedArrowType {
        column: column.to_owned(),
        data_type: data_type.to_string(),
    };
    let decimal = |precision: u8, scale: i8| {
        if precision > 38 || scale < 0 || scale as u8 > precision {
            return Err(unsupported());
        }
        simple(&format!("decimal({precision},{scale})"))
    };
    match data_type {
        DataType::Boolean => simple("boolean"),
        DataType::Int8 => simple("byte"),
        DataType::Int16 | DataType::UInt8 => simple("short"),
        DataType::Int32 | DataType::UInt16 => simple("integer"),
        DataType::Int64 | DataType::UInt32 => simple("long"),
        DataType::UInt64 => simple("decimal(20,0)"),
        DataType::Float16 | DataType::Float32 => simple("float"),
        DataType::Float64 => simple("double"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => simple("string"),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => simple("binary"),
        DataType::Date32 | DataType::Date64 => simple("date"),
        DataType::Timestamp(_, Some(_)) => simple("timestamp"),
        DataType::Timestamp(_, None) => simple("timestamp_ntz"),
        DataType::Decimal32(precision, scale)
        | DataType::Decimal64(precision, scale)
        | DataType::Decimal128(precision, scale)
        | DataType::Decimal256(precision, scale) => decimal(*precision, *scale),
        DataType::Dictionary(_, values) => type_json(values, column),
        DataType::List(element)
        | DataType::LargeList(element)
        | DataType::ListView(element)
        | DataType::LargeListView(element)
        | DataType::FixedSizeList(element, _) => Ok(json!({
            "type": "array",
            "elementType": type_json(element.data_type(), &join_path(column, "element"))?,
            "containsNull": element.is_nullable(),
        })),
        DataType::Map(entries, _) => {
            let (key, value) = map_children(entries, column)?;
            Ok(json!({
                "type": "map",
                "keyType": type_json(key.data_type(), &join_path(column, "key"))?,
                "valueType": type_json(value.data_type(), &join_path(column, "value"))?,
                "valueContainsNull": value.is_nullable(),
            }))
        }
        DataType::Struct(fields) if is_variant(fields) => simple("variant"),
        DataType::Struct(fields) => struct_json(fields, column),
        DataType::Time32(_) | DataType::Time64(_) => simple("time(6)"),
        DataType::Duration(_) => simple("interval day to second"),
        DataType::Null => simple("void"),
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => Err(SchemaError::NotCarried {
            column: column.to_owned(),
            spark_type: "INTERVAL YEAR TO MONTH".into(),
            reason: YEAR_MONTH_REASON.into(),
        }),
        _ => Err(unsupported()),
    }
}

fn map_children<'a>(
    entries: &'a Field,
    column: &str,
) -> Result<(&'a FieldRef, &'a FieldRef), SchemaError> {
    match entries.data_type() {
        DataType::Struct(children) if children.len() == 2 => Ok((&children[0], &children[1])),
        other => Err(SchemaError::UnsupportedArrowType {
            column: column.to_owned(),
            data_type: other.to_string(),
        }),
    }
}

/// Spark DDL for a schema (`id BIGINT NOT NULL, tags ARRAY<STRING>, ...`), for documentation.
pub fn to_ddl(schema: &Schema) -> Result<String, SchemaError> {
    let columns = schema
        .fields()
        .iter()
        .map(|field| column_ddl(field, " ", ""))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(columns.join(", "))
}

fn column_ddl(field: &Field, separator: &str, path: &str) -> Result<String, SchemaError> {
    let column = join_path(path, field.name());
    let mut ddl = format!(
        "{}{separator}{}",
        quote_identifier(field.name()),
        type_ddl(field.data_type(), &column)?
    );
    if !field.is_nullable() {
        ddl.push_str(" NOT NULL");
    }
    if let Some(comment) = field.metadata().get(COMMENT_KEY) {
        ddl.push_str(&format!(" COMMENT '{}'", comment.replace('\'', "\\'")));
    }
    Ok(ddl)
}

fn quote_identifier(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_owned()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

fn type_ddl(data_type: &DataType, column: &str) -> Result<String, SchemaError> {
    Ok(match data_type {
        DataType::List(element)
        | DataType::LargeList(element)
        | DataType::ListView(element)
        | DataType::LargeListView(element)
        | DataType::FixedSizeList(element, _) => {
            format!("ARRAY<{}>", type_ddl(element.data_type(), column)?)
        }
        DataType::Dictionary(_, values) => type_ddl(values, column)?,
        DataType::Map(entries, _) => {
            let (key, value) = map_children(entries, column)?;
            format!(
                "MAP<{}, {}>",
                type_ddl(key.data_type(), column)?,
                type_ddl(value.data_type(), column)?
            )
        }
        DataType::Struct(fields) if !is_variant(fields) => {
            let members = fields
                .iter()
                .map(|field| column_ddl(field, ": ", column))
                .collect::<Result<Vec<_>, _>>()?;
            format!("STRUCT<{}>", members.join(", "))
        }
        DataType::Int8 => "TINYINT".into(),
        DataType::Int16 | DataType::UInt8 => "SMALLINT".into(),
        DataType::Int32 | DataType::UInt16 => "INT".into(),
        DataType::Int64 | DataType::UInt32 => "BIGINT".into(),
        other => match type_json(other, column)? {
            Value::String(name) => name.to_uppercase(),
            _ => unreachable!("only nested types render as JSON objects"),
        },
    })
}

/// The columns (dotted paths, `element`/`key`/`value` inside collections) of a Spark JSON
/// schema whose type's name `matches`: for messages about types an older Spark lacks.
pub fn columns_with_type(json: &Value, matches: impl Fn(&str) -> bool + Copy) -> Vec<String> {
    fn walk(
        value: &Value,
        column: &str,
        matches: impl Fn(&str) -> bool + Copy,
        found: &mut Vec<String>,
    ) {
        match value {
            Value::String(name) if matches(name) => found.push(column.to_owned()),
            Value::Object(object) => {
                let child = |key: &str, name: &str, found: &mut Vec<String>| {
                    if let Some(value) = object.get(key) {
                        walk(value, &join_path(column, name), matches, found);
                    }
                };
                child("elementType", "element", found);
                child("keyType", "key", found);
                child("valueType", "value", found);
                for field in object
                    .get("fields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let (Some(name), Some(data_type)) =
                        (field.get("name").and_then(Value::as_str), field.get("type"))
                    {
                        walk(data_type, &join_path(column, name), matches, found);
                    }
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(json, "", matches, &mut found);
    found
}

/// The Arrow schema PySpark's `to_arrow_schema(..., timezone="UTC")` gives for a Spark schema
/// in JSON form (`StructType.json()`).
pub fn from_spark_json(json: &str) -> Result<Schema, SchemaError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| SchemaError::InvalidJson(e.to_string()))?;
    match arrow_type(&value, "")? {
        DataType::Struct(fields) => Ok(Schema::new(fields)),
        other => Err(SchemaError::InvalidJson(format!(
            "expected a struct, got {other}"
        ))),
    }
}

fn arrow_type(value: &Value, column: &str) -> Result<DataType, SchemaError> {
    let unsupported = |spark_type: &str| SchemaError::UnsupportedSparkType {
        column: column.to_owned(),
        spark_type: spark_type.to_owned(),
    };
    let invalid = |what: &str| SchemaError::InvalidJson(format!("column `{column}`: {what}"));
    match value {
        Value::String(name) => match name.as_str() {
            "boolean" => Ok(DataType::Boolean),
            "byte" => Ok(DataType::Int8),
            "short" => Ok(DataType::Int16),
            "integer" => Ok(DataType::Int32),
            "long" => Ok(DataType::Int64),
            "float" => Ok(DataType::Float32),
            "double" => Ok(DataType::Float64),
            "string" => Ok(DataType::Utf8),
            "binary" => Ok(DataType::Binary),
            "date" => Ok(DataType::Date32),
            "timestamp" => Ok(DataType::Timestamp(
                TimeUnit::Microsecond,
                Some(SPARK_TIMESTAMP_TZ.into()),
            )),
            "timestamp_ntz" => Ok(DataType::Timestamp(TimeUnit::Microsecond, None)),
            "decimal" => Ok(DataType::Decimal128(10, 0)),
            "variant" => Ok(variant_data_type()),
            "void" => Ok(DataType::Null),
            // TIME(p) (Spark 4.1+): nanoseconds, as PySpark's conversion gives.
            time if time.starts_with("time(") => Ok(DataType::Time64(TimeUnit::Nanosecond)),
            interval if interval.starts_with("interval ") => {
                if interval.contains("year") || interval.contains("month") {
                    Err(SchemaError::NotCarried {
                        column: column.to_owned(),
                        spark_type: interval.to_uppercase(),
                        reason: YEAR_MONTH_REASON.into(),
                    })
                } else {
                    // Every day-time interval (DAY, DAY TO SECOND, HOUR TO MINUTE, ...).
                    Ok(DataType::Duration(TimeUnit::Microsecond))
                }
            }
            other => parse_decimal(other).ok_or_else(|| unsupported(other)),
        },
        Value::Object(object) => {
            let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
            let flag = |key: &str| {
                object
                    .get(key)
                    .and_then(Value::as_bool)
                    .ok_or_else(|| invalid(&format!("`{key}` missing")))
            };
            let child = |key: &str, name: &str| {
                object
                    .get(key)
                    .ok_or_else(|| invalid(&format!("`{key}` missing")))
                    .and_then(|v| arrow_type(v, &join_path(column, name)))
            };
            match kind {
                "array" => Ok(DataType::List(Arc::new(Field::new(
                    "element",
                    child("elementType", "element")?,
                    flag("containsNull")?,
                )))),
                "map" => {
                    let entries = Fields::from(vec![
                        Field::new("key", child("keyType", "key")?, false),
                        Field::new(
                            "value",
                            child("valueType", "value")?,
                            flag("valueContainsNull")?,
                        ),
                    ]);
                    Ok(DataType::Map(
                        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
                        false,
                    ))
                }
                "struct" => {
                    let fields = object
                        .get("fields")
                        .and_then(Value::as_array)
                        .ok_or_else(|| invalid("`fields` missing"))?;
                    let fields = fields
                        .iter()
                        .map(|field| {
                            let name = field
                                .get("name")
                                .and_then(Value::as_str)
                                .ok_or_else(|| invalid("field without `name`"))?;
                            let nullable = field
                                .get("nullable")
                                .and_then(Value::as_bool)
                                .unwrap_or(true);
                            let data_type = field
                                .get("type")
                                .ok_or_else(|| invalid("field without `type`"))
                                .and_then(|t| arrow_type(t, &join_path(column, name)))?;
                            Ok(Field::new(name, data_type, nullable))
                        })
                        .collect::<Result<Vec<_>, SchemaError>>()?;
                    Ok(DataType::Struct(Fields::from(fields)))
                }
                other => Err(unsupported(other)),
            }
        }
        other => Err(invalid(&format!("unexpected {other}"))),
    }
}

fn parse_decimal(name: &str) -> Option<DataType> {
    let inner = name.strip_prefix("decimal(")?.strip_suffix(')')?;
    let (precision, scale) = inner.split_once(',')?;
    Some(DataType::Decimal128(
        precision.trim().parse().ok()?,
        scale.trim().parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn sample() -> Schema {
        let address = Fields::from(vec![
            Field::new("city", DataType::Utf8, false),
            Field::new("zip", DataType::Utf8, true),
        ]);
        Schema::new(vec![
            Field::new("id", DataType::Int64, false).with_metadata(HashMap::from([(
                COMMENT_KEY.to_string(),
                "the id".to_string(),
            )])),
            Field::new("flag", DataType::Boolean, true),
            Field::new("b", DataType::Int8, true),
            Field::new("s", DataType::Int16, true),
            Field::new("i", DataType::Int32, true),
            Field::new("f", DataType::Float32, true),
            Field::new("d", DataType::Float64, true),
            Field::new("name", DataType::Utf8, true),
            Field::new("raw", DataType::Binary, true),
            Field::new("born", DataType::Date32, true),
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
            Field::new(
                "local",
                DataType::Timestamp(TimeUnit::Microsecond, None),
                true,
            ),
            Field::new("price", DataType::Decimal128(10, 2), true),
            Field::new(
                "tags",
                DataType::List(Arc::new(Field::new("element", DataType::Utf8, false))),
                true,
            ),
            Field::new(
                "attrs",
                DataType::Map(
                    Arc::new(Field::new(
                        "entries",
                        DataType::Struct(Fields::from(vec![
                            Field::new("key", DataType::Utf8, false),
                            Field::new("value", DataType::Int64, true),
                        ])),
                        false,
                    )),
                    false,
                ),
                true,
            ),
            Field::new("address", DataType::Struct(address), false),
        ])
    }

    #[test]
    fn spark_json_round_trips_every_type() {
        let schema = sample();
        let json = to_spark_json(&schema).unwrap();
        assert_eq!(json["fields"][0]["type"], "long");
        assert_eq!(json["fields"][0]["nullable"], false);
        assert_eq!(json["fields"][0]["metadata"]["comment"], "the id");
        assert_eq!(json["fields"][10]["type"], "timestamp");
        assert_eq!(json["fields"][11]["type"], "timestamp_ntz");
        assert_eq!(json["fields"][12]["type"], "decimal(10,2)");
        assert_eq!(json["fields"][13]["type"]["containsNull"], false);
        assert_eq!(json["fields"][14]["type"]["valueContainsNull"], true);
        assert_eq!(json["fields"][15]["type"]["fields"][0]["name"], "city");

        let back = from_spark_json(&json.to_string()).unwrap();
        // Comments are Spark metadata, not part of the Arrow type Spark converts to.
        let without_metadata: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_metadata(HashMap::new()))
            .collect();
        assert_eq!(back, Schema::new(without_metadata));
    }

    #[test]
    fn ddl_reads_like_spark_sql() {
        let ddl = to_ddl(&sample()).unwrap();
        assert!(
            ddl.starts_with("id BIGINT NOT NULL COMMENT 'the id', flag BOOLEAN, b TINYINT"),
            "{ddl}"
        );
        assert!(ddl.contains("tags ARRAY<STRING>"), "{ddl}");
        assert!(ddl.contains("attrs MAP<STRING, BIGINT>"), "{ddl}");
        assert!(
            ddl.contains("address STRUCT<city: STRING NOT NULL, zip: STRING> NOT NULL"),
            "{ddl}"
        );
        assert!(ddl.contains("price DECIMAL(10,2)"), "{ddl}");
        assert!(ddl.contains("local TIMESTAMP_NTZ"), "{ddl}");
    }

    #[test]
    fn arrow_types_spark_lacks_map_to_ones_that_hold_every_value() {
        let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        let nanos = DataType::Timestamp(TimeUnit::Nanosecond, Some("Europe/Paris".into()));
        let large_list = DataType::LargeList(Arc::new(Field::new("item", DataType::UInt8, true)));
        let schema = Schema::new(vec![
            Field::new("u8", DataType::UInt8, false),
            Field::new("u16", DataType::UInt16, false),
            Field::new("u32", DataType::UInt32, false),
            Field::new("u64", DataType::UInt64, false),
            Field::new("half", DataType::Float16, true),
            Field::new("large", DataType::LargeUtf8, true),
            Field::new("view", DataType::Utf8View, true),
            Field::new("bytes", DataType::FixedSizeBinary(4), true),
            Field::new("dict", dictionary, true),
            Field::new("at", nanos, true),
            Field::new("day", DataType::Date64, true),
            Field::new("list", large_list, true),
        ]);
        let ddl = to_ddl(&schema).unwrap();
        assert_eq!(
            ddl,
            "u8 SMALLINT NOT NULL, u16 INT NOT NULL, u32 BIGINT NOT NULL, \
             u64 DECIMAL(20,0) NOT NULL, half FLOAT, large STRING, view STRING, bytes BINARY, \
             dict STRING, at TIMESTAMP, day DATE, list ARRAY<SMALLINT>"
        );
    }

    #[test]
    fn the_newer_spark_types_map_both_ways() {
        let schema = Schema::new(vec![
            Field::new("v", variant_data_type(), true),
            Field::new("t", DataType::Time64(TimeUnit::Nanosecond), true),
            Field::new("d", DataType::Duration(TimeUnit::Microsecond), true),
            Field::new("n", DataType::Null, true),
        ]);
        let json = to_spark_json(&schema).unwrap();
        let types: Vec<_> = (0..4).map(|i| json["fields"][i]["type"].clone()).collect();
        assert_eq!(
            types,
            ["variant", "time(6)", "interval day to second", "void"]
        );
        assert_eq!(from_spark_json(&json.to_string()).unwrap(), schema);
        assert_eq!(
            to_ddl(&schema).unwrap(),
            "v VARIANT, t TIME(6), d INTERVAL DAY TO SECOND, n VOID"
        );
        // Every day-time interval Spark has, and any TIME precision; other Arrow units of
        // time and duration are converted by the read adapter.
        let json = r#"{"type":"struct","fields":[
            {"name":"a","type":"interval hour to minute","nullable":true,"metadata":{}},
            {"name":"b","type":"time(3)","nullable":true,"metadata":{}}]}"#;
        let schema = from_spark_json(json).unwrap();
        assert_eq!(
            schema.field(0).data_type(),
            &DataType::Duration(TimeUnit::Microsecond)
        );
        assert_eq!(
            schema.field(1).data_type(),
            &DataType::Time64(TimeUnit::Nanosecond)
        );
        let seconds = Schema::new(vec![Field::new(
            "s",
            DataType::Duration(TimeUnit::Second),
            true,
        )]);
        assert_eq!(to_ddl(&seconds).unwrap(), "s INTERVAL DAY TO SECOND");
        // A struct that only looks like a variant (no tag) stays a struct.
        let untagged = DataType::Struct(Fields::from(vec![
            Field::new("value", DataType::Binary, false),
            Field::new("metadata", DataType::Binary, false),
        ]));
        let schema = Schema::new(vec![Field::new("s", untagged, true)]);
        assert_eq!(
            to_ddl(&schema).unwrap(),
            "s STRUCT<value: BINARY NOT NULL, metadata: BINARY NOT NULL>"
        );
    }

    #[test]
    fn columns_of_a_type_are_found_at_any_depth() {
        let schema = Schema::new(vec![
            Field::new("t", DataType::Time64(TimeUnit::Nanosecond), true),
            Field::new(
                "times",
                DataType::List(Arc::new(Field::new(
                    "element",
                    DataType::Time64(TimeUnit::Nanosecond),
                    true,
                ))),
                true,
            ),
            Field::new("id", DataType::Int64, true),
        ]);
        let json = to_spark_json(&schema).unwrap();
        let found = columns_with_type(&json, |name| name.starts_with("time("));
        assert_eq!(found, ["t", "times.element"]);
    }

    #[test]
    fn year_month_intervals_are_refused_with_what_to_do() {
        let json = r#"{"type":"struct","fields":[{"name":"age","type":"interval year to month","nullable":true,"metadata":{}}]}"#;
        let error = from_spark_json(json).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "column `age`: INTERVAL YEAR TO MONTH cannot reach a Python data source"
            ) && error.contains("cast it to a number of months (INT)"),
            "{error}"
        );
        let schema = Schema::new(vec![Field::new(
            "m",
            DataType::Interval(arrow_schema::IntervalUnit::YearMonth),
            true,
        )]);
        let error = to_spark_json(&schema).unwrap_err().to_string();
        assert!(
            error.starts_with("column `m`: INTERVAL YEAR TO MONTH"),
            "{error}"
        );
    }

    #[test]
    fn unsupported_arrow_types_are_named() {
        let schema = Schema::new(vec![Field::new(
            "t",
            DataType::Interval(arrow_schema::IntervalUnit::MonthDayNano),
            false,
        )]);
        let error = to_spark_json(&schema).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column `t`: Arrow type Interval(MonthDayNano) has no Spark SQL type"
        );
        let wide = Schema::new(vec![Field::new("d", DataType::Decimal256(50, 2), false)]);
        assert!(to_spark_json(&wide).is_err());
    }

    #[test]
    fn unsupported_spark_types_are_named() {
        let json = r#"{"type":"struct","fields":[{"name":"g","type":"geometry(4326)","nullable":true,"metadata":{}}]}"#;
        let error = from_spark_json(json).unwrap_err();
        assert!(error.to_string().contains("`geometry(4326)`"), "{error}");
    }
}
