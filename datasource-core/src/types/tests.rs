use std::collections::{BTreeMap, HashMap};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::*;

fn build<T: SparkType>(values: Vec<T>) -> ArrayRef {
    let mut builder = T::Builder::with_capacity(values.len());
    for value in values {
        value.append_to(&mut builder);
    }
    let array = builder.finish();
    assert_eq!(array.data_type(), &T::data_type(), "builder and type agree");
    array
}

#[test]
fn primitives_map_to_spark_arrow_types() {
    assert_eq!(bool::data_type(), DataType::Boolean);
    assert_eq!(i8::data_type(), DataType::Int8);
    assert_eq!(i16::data_type(), DataType::Int16);
    assert_eq!(i32::data_type(), DataType::Int32);
    assert_eq!(i64::data_type(), DataType::Int64);
    assert_eq!(f32::data_type(), DataType::Float32);
    assert_eq!(f64::data_type(), DataType::Float64);
    assert_eq!(String::data_type(), DataType::Utf8);
    assert_eq!(Binary::data_type(), DataType::Binary);
    assert_eq!(NaiveDate::data_type(), DataType::Date32);
    assert_eq!(
        DateTime::<Utc>::data_type(),
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(
        NaiveDateTime::data_type(),
        DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    assert_eq!(Decimal::<10, 2>::data_type(), DataType::Decimal128(10, 2));
}

#[test]
fn option_is_nullable_and_appends_nulls() {
    const { assert!(<Option<i64>>::NULLABLE && !i64::NULLABLE) };
    let array = build(vec![Some(1i64), None, Some(3)]);
    assert_eq!(array.null_count(), 1);
    assert_eq!(array.as_primitive::<Int64Type>().value(2), 3);
}

#[test]
fn dates_and_timestamps_count_from_the_unix_epoch() {
    let date = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
    let array = build(vec![date]);
    assert_eq!(array.as_primitive::<Date32Type>().value(0), 1);

    let instant = DateTime::<Utc>::from_timestamp(1, 500_000).unwrap();
    let array = build(vec![instant]);
    assert_eq!(
        array.as_primitive::<TimestampMicrosecondType>().value(0),
        1_000_500
    );
    let array = build(vec![instant.naive_utc()]);
    assert_eq!(
        array.as_primitive::<TimestampMicrosecondType>().value(0),
        1_000_500
    );
}

#[test]
fn lists_name_their_child_element() {
    let array = build(vec![
        vec![Some(1i32), None],
        vec![],
        vec![3].into_iter().map(Some).collect(),
    ]);
    let DataType::List(child) = array.data_type() else {
        panic!("not a list")
    };
    assert_eq!(child.name(), "element");
    assert!(child.is_nullable());
    let list = array.as_list::<i32>();
    assert_eq!(list.value_length(0), 2);
    assert_eq!(list.value_length(1), 0);
    assert_eq!(list.value_length(2), 1);
}

#[test]
fn maps_name_entries_key_value() {
    let mut first = BTreeMap::new();
    first.insert("a".to_string(), 1i64);
    first.insert("b".to_string(), 2);
    let array = build(vec![first, BTreeMap::new()]);
    let DataType::Map(entries, sorted) = array.data_type() else {
        panic!("not a map")
    };
    assert!(!sorted);
    assert_eq!(entries.name(), "entries");
    let DataType::Struct(children) = entries.data_type() else {
        panic!("entries not a struct")
    };
    assert_eq!(children[0].name(), "key");
    assert!(!children[0].is_nullable());
    assert_eq!(children[1].name(), "value");
    let map = array.as_map();
    assert_eq!(map.value_length(0), 2);
    assert_eq!(map.value_length(1), 0);
}

#[test]
fn nullable_list_of_nulls_keeps_validity() {
    let array = build(vec![Some(vec![1i8]), None]);
    assert_eq!(array.null_count(), 1);
    assert!(array.is_null(1));
}

#[test]
fn decimals_parse_and_print_exactly() {
    let d: Decimal<5, 2> = "-1.5".parse().unwrap();
    assert_eq!(d.unscaled(), -150);
    assert_eq!(d.to_string(), "-1.50");
    assert_eq!("0.05".parse::<Decimal<5, 2>>().unwrap().to_string(), "0.05");
    assert!(
        "1.234".parse::<Decimal<5, 2>>().is_err(),
        "too many decimals"
    );
    assert!("1000".parse::<Decimal<5, 2>>().is_err(), "too many digits");
    assert!("1e3".parse::<Decimal<5, 2>>().is_err());
    assert!(".".parse::<Decimal<5, 2>>().is_err());
    assert_eq!("7".parse::<Decimal<3, 0>>().unwrap().to_string(), "7");
    let array = build(vec![d]);
    assert_eq!(array.data_type(), &DataType::Decimal128(5, 2));
}

/// Builds a column of `values`, reads it back, and checks the values survived.
fn round_trip<T: SparkType + Clone + PartialEq + std::fmt::Debug>(values: Vec<T>) {
    let array = build(values.clone());
    let reader = T::Reader::new(&array).expect("a reader of its own column");
    let back: Vec<T> = (0..array.len()).map(|i| reader.value(i)).collect();
    assert_eq!(back, values);
}

#[test]
fn every_type_reads_back_what_it_wrote() {
    round_trip(vec![true, false]);
    round_trip(vec![i8::MIN, 0, i8::MAX]);
    round_trip(vec![i16::MIN, i16::MAX]);
    round_trip(vec![i32::MIN, i32::MAX]);
    round_trip(vec![i64::MIN, i64::MAX]);
    round_trip(vec![0.5f32, -1.0]);
    round_trip(vec![0.25f64, f64::MAX]);
    round_trip(vec!["".to_string(), "héllo".into()]);
    round_trip(vec![Binary(vec![]), Binary(vec![0, 255])]);
    round_trip(vec![
        NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
    ]);
    let instant = DateTime::<Utc>::from_timestamp(-86_400, 123_456_000).unwrap();
    round_trip(vec![instant]);
    round_trip(vec![instant.naive_utc()]);
    round_trip(vec!["-1.50".parse::<Decimal<5, 2>>().unwrap()]);
    round_trip(vec![Some(1i64), None]);
    round_trip(vec![vec![vec![1i32], vec![]], vec![]]);
    round_trip(vec![Some(vec![Some("a".to_string()), None]), None]);
    round_trip(vec![BTreeMap::from([
        ("a".to_string(), Some(1i64)),
        ("b".into(), None),
    ])]);
    round_trip(vec![HashMap::<i32, Vec<bool>>::from([(7, vec![true])])]);
    round_trip(vec![
        NaiveTime::MIN,
        NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap(),
    ]);
    round_trip(vec![
        TimeDelta::microseconds(-1),
        TimeDelta::days(10_000) + TimeDelta::microseconds(7),
    ]);
    round_trip(vec![(), ()]);
    round_trip(vec![
        Some(Variant::from_json(r#"{"a": [1, "x", null], "b": {"c": true}}"#).unwrap()),
        None,
        Some(Variant::from_json("2.5").unwrap()),
    ]);
}

#[test]
fn the_newer_types_have_the_arrow_forms_pyspark_gives() {
    assert_eq!(
        NaiveTime::data_type(),
        DataType::Time64(TimeUnit::Nanosecond)
    );
    assert_eq!(
        TimeDelta::data_type(),
        DataType::Duration(TimeUnit::Microsecond)
    );
    assert_eq!(<()>::data_type(), DataType::Null);
    const { assert!(<()>::NULLABLE) };
    let noon = build(vec![NaiveTime::from_hms_opt(12, 0, 0).unwrap()]);
    assert_eq!(
        noon.as_primitive::<arrow_array::types::Time64NanosecondType>()
            .value(0),
        43_200_000_000_000
    );
    let nulls = build(vec![(), (), ()]);
    assert_eq!((nulls.len(), nulls.logical_null_count()), (3, 3));
}

#[test]
fn a_variant_is_spark_encoding_and_reads_as_json() {
    // What Spark's `parse_json('{"a":1}')` gives (bytes taken from Spark 4.3).
    let spark = Variant::try_new(
        b"\x01\x01\x00\x01a".to_vec(),
        b"\x02\x01\x00\x00\x02\x0c\x01".to_vec(),
    )
    .unwrap();
    assert_eq!(spark.to_json().unwrap(), r#"{"a":1}"#);
    assert_eq!(
        Variant::from_json(r#"{"a": 1}"#)
            .unwrap()
            .to_json()
            .unwrap(),
        r#"{"a":1}"#
    );
    let object = spark.view().unwrap();
    assert_eq!(
        object.get_object_field("a").and_then(|a| a.as_int64()),
        Some(1)
    );
    assert!(Variant::try_new(vec![9], vec![]).is_err(), "not a variant");
    // The column: a struct of value and metadata bytes, the metadata tagged.
    let array = build(vec![Some(spark.clone()), None]);
    let parts = array.as_struct();
    assert_eq!(parts.column_names(), ["value", "metadata"]);
    assert_eq!((parts.null_count(), parts.column(0).null_count()), (1, 0));
}

#[test]
fn a_reader_of_another_type_says_what_it_found() {
    let array = build(vec![1i64]);
    let error = <String as SparkType>::Reader::new(&array).unwrap_err();
    assert_eq!(
        error.to_string(),
        "expected an Arrow Utf8 column, got Int64"
    );
    let lists: ArrayRef = build(vec![vec![1i64]]);
    let error = <Vec<String> as SparkType>::Reader::new(&lists).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("`element`: expected an Arrow Utf8 column"),
        "{error}"
    );
}

#[test]
fn timestamps_read_in_any_time_zone_label() {
    // Spark's write side labels TIMESTAMP columns with the session's zone; the values are UTC.
    let array = build(vec![DateTime::<Utc>::from_timestamp(5, 0).unwrap()]);
    let relabelled: ArrayRef = std::sync::Arc::new(
        array
            .as_primitive::<TimestampMicrosecondType>()
            .clone()
            .with_timezone("America/New_York"),
    );
    let reader = <DateTime<Utc> as SparkType>::Reader::new(&relabelled).unwrap();
    assert_eq!(reader.value(0).timestamp(), 5);
    assert!(matches!(
        relabelled.data_type(),
        DataType::Timestamp(TimeUnit::Microsecond, Some(_))
    ));
}
