use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{Array, Int32Array, Int64Array, StringArray, TimestampMicrosecondArray};
use arrow_schema::TimeUnit;

use super::*;
use crate::schema::COMMENT_KEY;

fn declared() -> Schema {
    let element = Arc::new(Field::new("element", DataType::Int64, true));
    Schema::new(vec![
        Field::new("id", DataType::Int64, true).with_metadata(HashMap::from([(
            COMMENT_KEY.to_string(),
            "the id".to_string(),
        )])),
        Field::new("tags", DataType::List(element), false),
        Field::new("name", DataType::Utf8, false),
    ])
}

/// A batch as arrow-rs builds it by default: list children named `item`, `id` not null.
fn arrow_rs_batch(id: ArrayRef) -> RecordBatch {
    let mut tags = ListBuilder::new(Int64Builder::new());
    tags.values().append_value(1);
    tags.append(true);
    let tags = tags.finish();
    let schema = Schema::new(vec![
        Field::new("id", id.data_type().clone(), false),
        Field::new("tags", tags.data_type().clone(), false),
        Field::new("name", DataType::Utf8, false),
    ]);
    let name = Arc::new(StringArray::from(vec!["x"]));
    RecordBatch::try_new(Arc::new(schema), vec![id, Arc::new(tags), name]).unwrap()
}

#[test]
fn batches_are_relabelled_with_sparks_schema() {
    let adapter = ReadAdapter::new("src", &declared(), &declared()).unwrap();
    let batch = arrow_rs_batch(Arc::new(Int64Array::from(vec![7])));
    let out = adapter.adapt(batch).unwrap();
    assert_eq!(out.schema(), *adapter.output());
    assert_eq!(
        out.schema(),
        Arc::new(spark_arrow_schema(&declared()).unwrap())
    );
    let DataType::List(element) = out.schema().field(1).data_type().clone() else {
        panic!("not a list")
    };
    assert_eq!(element.name(), "element");
    assert!(out.schema().field(0).metadata().is_empty(), "no metadata");
}

#[test]
fn a_batch_of_another_type_is_an_error_naming_the_column() {
    let adapter = ReadAdapter::new("src", &declared(), &declared()).unwrap();
    let batch = arrow_rs_batch(Arc::new(Int32Array::from(vec![7])));
    let error = adapter.adapt(batch).unwrap_err().to_string();
    assert_eq!(
        error,
        "src: batch column `id` (Int32) does not match schema column `id` (Int64)"
    );
}

#[test]
fn a_batch_with_nulls_in_a_not_null_column_is_refused() {
    let schema = Schema::new(vec![Field::new("n", DataType::Int64, false)]);
    let adapter = ReadAdapter::new("src", &schema, &schema).unwrap();
    let nullable = Schema::new(vec![Field::new("n", DataType::Int64, true)]);
    let batch = RecordBatch::try_new(
        Arc::new(nullable),
        vec![Arc::new(Int64Array::from(vec![Some(1), None]))],
    )
    .unwrap();
    let error = adapter.adapt(batch).unwrap_err().to_string();
    assert!(error.contains("non-nullable"), "{error}");
}

#[test]
fn a_requested_subset_is_picked_in_its_order() {
    let requested = Schema::new(vec![
        Field::new("NAME", DataType::Utf8, true),
        Field::new("id", DataType::Int64, true),
    ]);
    let adapter = ReadAdapter::new("src", &declared(), &requested).unwrap();
    let out = adapter
        .adapt(arrow_rs_batch(Arc::new(Int64Array::from(vec![7]))))
        .unwrap();
    assert_eq!(out.num_columns(), 2);
    assert_eq!(out.schema().field(0).name(), "NAME");
    assert_eq!(out.column(0).as_string::<i32>().value(0), "x");
    assert_eq!(
        out.column(1)
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(0),
        7
    );
}

#[test]
fn a_requested_schema_that_does_not_fit_lists_every_problem() {
    let requested = Schema::new(vec![
        Field::new("nope", DataType::Utf8, true),
        Field::new("id", DataType::Utf8, true),
        Field::new("name", DataType::Utf8, false),
        Field::new("tags", DataType::Utf8, true),
    ]);
    let error = ReadAdapter::new("src", &declared(), &requested)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("src: the schema given to spark.read.schema(...)"),
        "{error}"
    );
    assert!(error.contains("column `nope` does not exist"), "{error}");
    assert!(
        error.contains("column `id` is BIGINT but the given schema says STRING"),
        "{error}"
    );
    assert!(
        error.contains("column `tags` is ARRAY<BIGINT> but the given schema says STRING"),
        "{error}"
    );
    assert!(
        !error.contains("column `name`"),
        "name may be NOT NULL: it is: {error}"
    );
    let nullable_id = Schema::new(vec![Field::new("id", DataType::Int64, false)]);
    let error = ReadAdapter::new("src", &declared(), &nullable_id)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("column `id` may be null but the given schema says NOT NULL"),
        "{error}"
    );
}

#[test]
fn a_type_spark_cannot_hold_is_named() {
    let schema = Schema::new(vec![Field::new(
        "d",
        DataType::Interval(arrow_schema::IntervalUnit::MonthDayNano),
        false,
    )]);
    let error = ReadAdapter::new("src", &schema, &schema).unwrap_err();
    assert_eq!(
        error.to_string(),
        "column `d`: Arrow type Interval(MonthDayNano) has no Spark SQL type"
    );
}

#[test]
fn durations_and_times_of_any_unit_reach_spark_in_its_units() {
    use arrow_array::types::{DurationMicrosecondType, Time64NanosecondType};
    use arrow_array::{DurationSecondArray, Time32MillisecondArray};

    let schema = Schema::new(vec![
        Field::new("d", DataType::Duration(TimeUnit::Second), false),
        Field::new("t", DataType::Time32(TimeUnit::Millisecond), false),
    ]);
    let adapter = ReadAdapter::new("src", &schema, &schema).unwrap();
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(DurationSecondArray::from(vec![-90])),
            Arc::new(Time32MillisecondArray::from(vec![1_500])),
        ],
    )
    .unwrap();
    let adapted = adapter.adapt(batch).unwrap();
    assert_eq!(
        adapted
            .column(0)
            .as_primitive::<DurationMicrosecondType>()
            .value(0),
        -90_000_000
    );
    assert_eq!(
        adapted
            .column(1)
            .as_primitive::<Time64NanosecondType>()
            .value(0),
        1_500_000_000
    );
}

fn utc(zone: &str) -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(zone.into()))
}

#[test]
fn a_sink_takes_its_columns_by_name_and_relabels_timestamps() {
    let accepted = Schema::new(vec![
        Field::new("at", utc("UTC"), false),
        Field::new("n", DataType::Int64, true),
    ]);
    let incoming = Schema::new(vec![
        Field::new("N", DataType::Int64, true),
        Field::new("at", utc("UTC"), false),
    ]);
    let adapter = WriteAdapter::new("sink", &accepted, &incoming).unwrap();
    // What Spark's write side sends: the session's zone on timestamps.
    let sent = Schema::new(vec![
        Field::new("N", DataType::Int64, true),
        Field::new("at", utc("Europe/Paris"), false),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(sent),
        vec![
            Arc::new(Int64Array::from(vec![Some(1), None])),
            Arc::new(TimestampMicrosecondArray::from(vec![5, 6]).with_timezone("Europe/Paris")),
        ],
    )
    .unwrap();
    let out = adapter.adapt(batch).unwrap();
    assert_eq!(out.schema(), *adapter.output());
    assert_eq!(out.schema().field(0).data_type(), &utc("UTC"));
    assert_eq!(
        out.column(0)
            .as_primitive::<TimestampMicrosecondType>()
            .value(1),
        6
    );
    assert!(out.column(1).is_null(1));
}

#[test]
fn a_sink_refuses_data_that_does_not_fit_before_any_task_runs() {
    let accepted = Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("score", DataType::Float64, true),
    ]);
    let incoming = Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("name", DataType::Int32, true),
        Field::new("extra", DataType::Boolean, true),
    ]);
    let error = WriteAdapter::new("sink", &accepted, &incoming)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("sink: the data written does not fit this sink"),
        "{error}"
    );
    assert!(
        error.contains("column `id` may be null but the sink takes no nulls there"),
        "{error}"
    );
    assert!(
        error.contains("column `name` is INT but the sink takes STRING"),
        "{error}"
    );
    assert!(
        error.contains("column `score` is missing from the data written"),
        "{error}"
    );
    assert!(
        error.contains("column `extra` is not one the sink takes"),
        "{error}"
    );
    assert!(
        error.contains("the sink takes `id BIGINT NOT NULL, name STRING, score DOUBLE`"),
        "{error}"
    );
}

#[test]
fn a_requested_type_may_allow_nulls_at_any_depth() {
    // DDL cannot say "elements never null": `spark.read.schema("tags ARRAY<BIGINT>")` asks
    // for nullable elements of a list whose elements the source declares nullable or not.
    let strict = Schema::new(vec![Field::new(
        "tags",
        DataType::List(Arc::new(Field::new("element", DataType::Int64, false))),
        false,
    )]);
    let loose = Schema::new(vec![Field::new(
        "tags",
        DataType::List(Arc::new(Field::new("element", DataType::Int64, true))),
        true,
    )]);
    let adapter = ReadAdapter::new("src", &strict, &loose).unwrap();
    let mut tags = ListBuilder::new(Int64Builder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Int64,
        false,
    )));
    tags.values().append_value(1);
    tags.append(true);
    let batch =
        RecordBatch::try_new(Arc::new(strict.clone()), vec![Arc::new(tags.finish())]).unwrap();
    let out = adapter.adapt(batch).unwrap();
    assert_eq!(out.schema().as_ref(), &spark_arrow_schema(&loose).unwrap());

    // The other way round is refused, and the message shows the difference.
    let error = ReadAdapter::new("src", &loose, &strict)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "column `tags` is ARRAY<BIGINT> but the given schema says ARRAY<BIGINT NOT NULL>"
        ),
        "{error}"
    );
}

#[test]
fn columns_sharing_a_name_are_refused_before_any_task_naming_them() {
    let accepted = Schema::new(vec![Field::new("a", DataType::Int64, true)]);
    for names in [["a", "a", "b"], ["a", "b", "A"], ["id", "id", "id"]] {
        let incoming = Schema::new(
            names
                .iter()
                .map(|name| Field::new(*name, DataType::Int64, true))
                .collect::<Vec<_>>(),
        );
        let error = WriteAdapter::new("sink", &accepted, &incoming)
            .unwrap_err()
            .to_string();
        let first = names[0];
        assert!(
            error.starts_with("sink: the data written has columns named")
                && error.contains(&format!("`{first}`")),
            "{error}"
        );
    }
    let incoming = Schema::new(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::Int64, true),
        Field::new("a", DataType::Int64, true),
    ]);
    let error = WriteAdapter::new("sink", &incoming, &incoming)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("columns named `a` and `a` (columns 1, 3)"),
        "{error}"
    );
}

#[test]
fn a_sink_takes_safe_widenings_and_sparks_large_types() {
    let accepted = Schema::new(vec![
        Field::new("n", DataType::Int64, false),
        Field::new("s", DataType::Utf8, true),
        Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
            true,
        ),
    ]);
    let incoming = Schema::new(vec![
        Field::new("n", DataType::Int32, false),
        Field::new("s", DataType::Utf8, true),
        Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
            true,
        ),
    ]);
    let adapter = WriteAdapter::new("sink", &accepted, &incoming).unwrap();
    // What Spark sends with useLargeVarTypes: large strings, at any depth.
    let mut tags =
        arrow_array::builder::ListBuilder::new(arrow_array::builder::LargeStringBuilder::new());
    tags.values().append_value("a");
    tags.append(true);
    let tags = tags.finish();
    let sent = Schema::new(vec![
        Field::new("n", DataType::Int32, false),
        Field::new("s", DataType::LargeUtf8, true),
        Field::new("tags", tags.data_type().clone(), true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(sent),
        vec![
            Arc::new(Int32Array::from(vec![7])),
            Arc::new(arrow_array::LargeStringArray::from(vec!["x"])),
            Arc::new(tags),
        ],
    )
    .unwrap();
    let out = adapter.adapt(batch).unwrap();
    assert_eq!(out.schema(), *adapter.output());
    assert_eq!(
        out.column(0)
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(0),
        7
    );
    assert_eq!(out.column(1).as_string::<i32>().value(0), "x");

    // A narrowing is no widening.
    let error = WriteAdapter::new("sink", &incoming, &accepted)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("column `n` is BIGINT but the sink takes INT"),
        "{error}"
    );
}

#[test]
fn types_spark_lacks_are_converted_to_spark_s_own() {
    use arrow_array::types::Int32Type;
    use arrow_array::{
        DictionaryArray, LargeStringArray, TimestampNanosecondArray, UInt32Array, UInt64Array,
    };
    let at = TimestampNanosecondArray::from(vec![1_500_000_001_i64]).with_timezone("Asia/Tokyo");
    let dict: DictionaryArray<Int32Type> = vec!["b"].into_iter().collect();
    let batch = RecordBatch::try_from_iter(vec![
        (
            "u32",
            Arc::new(UInt32Array::from(vec![u32::MAX])) as ArrayRef,
        ),
        (
            "u64",
            Arc::new(UInt64Array::from(vec![u64::MAX])) as ArrayRef,
        ),
        (
            "large",
            Arc::new(LargeStringArray::from(vec!["a"])) as ArrayRef,
        ),
        ("dict", Arc::new(dict) as ArrayRef),
        ("at", Arc::new(at) as ArrayRef),
    ])
    .unwrap();
    let declared = batch.schema();
    let requested = spark_arrow_schema(&declared).unwrap();
    let adapter = ReadAdapter::new("src", &declared, &requested).unwrap();
    let adapted = adapter.adapt(batch).unwrap();
    assert_eq!(adapted.schema().as_ref(), &requested);
    assert_eq!(
        adapted
            .column(0)
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(0),
        u32::MAX as i64
    );
    let u64s = adapted
        .column(1)
        .as_primitive::<arrow_array::types::Decimal128Type>();
    assert_eq!(u64s.value(0), u64::MAX as i128);
    assert_eq!(adapted.column(2).as_string::<i32>().value(0), "a");
    assert_eq!(adapted.column(3).as_string::<i32>().value(0), "b");
    // Nanoseconds truncated to Spark's microseconds; the instant is kept, labelled UTC.
    let at = adapted.column(4).as_primitive::<TimestampMicrosecondType>();
    assert_eq!(at.value(0), 1_500_000);
    assert_eq!(at.timezone(), Some("UTC"));
}

/// Nested types drawn at random, with batches of them, loosened at random depths: the whole
/// class "a schema more nullable than the data, at any depth" (a map's values, a list's
/// elements, a struct's fields, and those inside each other).
mod nullability {
    use arrow_array::{BooleanArray, ListArray, MapArray, StructArray};
    use arrow_buffer::{NullBuffer, OffsetBuffer};
    use arrow_cast::display::{ArrayFormatter, FormatOptions};
    use arrow_schema::FieldRef;
    use proptest::prelude::*;

    use super::*;

    fn leaf() -> impl Strategy<Value = DataType> {
        prop_oneof![
            Just(DataType::Int64),
            Just(DataType::Utf8),
            Just(DataType::Boolean),
            Just(utc("UTC")),
        ]
    }

    fn map_of(key: DataType, value: DataType, nullable: bool) -> DataType {
        let entries = Field::new(
            "entries",
            DataType::Struct(
                vec![
                    Field::new("key", key, false),
                    Field::new("value", value, nullable),
                ]
                .into(),
            ),
            false,
        );
        DataType::Map(Arc::new(entries), false)
    }

    fn nested() -> impl Strategy<Value = DataType> {
        leaf().prop_recursive(3, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), any::<bool>()).prop_map(|(element, nullable)| DataType::List(
                    Arc::new(Field::new("element", element, nullable))
                )),
                (inner.clone(), any::<bool>()).prop_map(|(value, nullable)| map_of(
                    DataType::Utf8,
                    value,
                    nullable
                )),
                prop::collection::vec((inner, any::<bool>()), 1..4).prop_map(|members| {
                    DataType::Struct(
                        members
                            .into_iter()
                            .enumerate()
                            .map(|(i, (t, nullable))| Field::new(format!("f{i}"), t, nullable))
                            .collect(),
                    )
                }),
            ]
        })
    }

    /// `data_type` with some of its `NOT NULL` members made nullable (`loosen()` decides each).
    fn loosened(data_type: &DataType, loosen: &mut impl FnMut() -> bool) -> DataType {
        let mut field = |f: &FieldRef| {
            let nullable = f.is_nullable() || loosen();
            Arc::new(
                Field::new(f.name(), loosened(f.data_type(), loosen), nullable)
                    .with_metadata(f.metadata().clone()),
            )
        };
        match data_type {
            DataType::List(element) => DataType::List(field(element)),
            DataType::Map(entries, sorted) => {
                let DataType::Struct(kv) = entries.data_type() else {
                    unreachable!("map entries are a struct")
                };
                let kv = vec![kv[0].clone(), field(&kv[1])];
                DataType::Map(
                    Arc::new(Field::new("entries", DataType::Struct(kv.into()), false)),
                    *sorted,
                )
            }
            DataType::Struct(fields) => DataType::Struct(fields.iter().map(field).collect()),
            other => other.clone(),
        }
    }

    /// `rows` values of `data_type`, every third one null where `nullable`.
    fn sample(data_type: &DataType, nullable: bool, rows: usize) -> ArrayRef {
        let nulls = nullable.then(|| NullBuffer::from_iter((0..rows).map(|i| i % 3 != 1)));
        let two_each = || OffsetBuffer::from_lengths(std::iter::repeat_n(2, rows));
        match data_type {
            DataType::Int64 => Arc::new(Int64Array::new((0..rows as i64).collect(), nulls)),
            DataType::Boolean => Arc::new(BooleanArray::new(
                (0..rows).map(|i| i % 2 == 0).collect(),
                nulls,
            )),
            DataType::Utf8 => Arc::new(StringArray::new(
                OffsetBuffer::from_lengths(std::iter::repeat_n(1, rows)),
                "x".repeat(rows).into_bytes().into(),
                nulls,
            )),
            DataType::Timestamp(..) => Arc::new(
                TimestampMicrosecondArray::new((0..rows as i64).collect(), nulls)
                    .with_timezone("UTC"),
            ),
            DataType::List(element) => Arc::new(ListArray::new(
                element.clone(),
                two_each(),
                sample(element.data_type(), element.is_nullable(), rows * 2),
                nulls,
            )),
            DataType::Map(entries, sorted) => {
                let DataType::Struct(kv) = entries.data_type() else {
                    unreachable!("map entries are a struct")
                };
                let keys = Arc::new(StringArray::from_iter_values(
                    (0..rows * 2).map(|i| format!("k{i}")),
                ));
                let values = sample(kv[1].data_type(), kv[1].is_nullable(), rows * 2);
                let entries_array = StructArray::new(kv.clone(), vec![keys, values], None);
                Arc::new(MapArray::new(
                    entries.clone(),
                    two_each(),
                    entries_array,
                    nulls,
                    *sorted,
                ))
            }
            DataType::Struct(fields) => Arc::new(StructArray::new(
                fields.clone(),
                fields
                    .iter()
                    .map(|f| sample(f.data_type(), f.is_nullable(), rows))
                    .collect(),
                nulls,
            )),
            other => unreachable!("no sample of {other}"),
        }
    }

    fn shown(array: &ArrayRef) -> Vec<String> {
        let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()).unwrap();
        (0..array.len())
            .map(|i| formatter.value(i).to_string())
            .collect()
    }

    proptest! {
        #[test]
        fn a_schema_more_nullable_at_any_depth_reads_and_writes_the_same_values(
            strict in nested(),
            top_nullable in any::<bool>(),
            seed in any::<u64>(),
            everything in any::<bool>(),
        ) {
            let mut rng = fastrand::Rng::with_seed(seed);
            let loose = loosened(&strict, &mut || everything || rng.bool());
            let data = Schema::new(vec![Field::new("c", strict.clone(), top_nullable)]);
            let wider = Schema::new(vec![Field::new("c", loose, true)]);
            let column = sample(&strict, top_nullable, 7);
            let batch = RecordBatch::try_new(Arc::new(data.clone()), vec![column.clone()]).unwrap();

            let read = ReadAdapter::new("src", &data, &wider).unwrap();
            let out = read.adapt(batch.clone()).unwrap();
            prop_assert_eq!(out.schema(), read.output().clone());
            prop_assert_eq!(shown(out.column(0)), shown(&column));

            let write = WriteAdapter::new("sink", &wider, &data).unwrap();
            let out = write.adapt(batch).unwrap();
            prop_assert_eq!(out.schema(), write.output().clone());
            prop_assert_eq!(shown(out.column(0)), shown(&column));
        }
    }
}

fn large_strings(values: &[&str]) -> RecordBatch {
    let schema = Schema::new(vec![Field::new("s", DataType::LargeUtf8, false)]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![Arc::new(arrow_array::LargeStringArray::from(
            values.to_vec(),
        ))],
    )
    .unwrap()
}

#[test]
fn a_batch_too_large_for_sparks_layout_is_split_by_rows() {
    let batch = large_strings(&["aaaa"; 10]);
    let pieces = split_to_fit(batch.clone(), 10);
    // Two values of 4 bytes fit in 10; a third would not.
    assert_eq!(
        pieces.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(),
        [2, 2, 2, 2, 2]
    );
    assert_eq!(split_to_fit(batch.clone(), 40).len(), 1, "it fits whole");
    // A value larger than the limit is a piece of its own.
    let pieces = split_to_fit(large_strings(&["a", "bbbbbbbbbbbbbbb", "c"]), 10);
    assert_eq!(
        pieces.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(),
        [1, 1, 1]
    );
    // Each piece reaches Spark in its plain layout.
    let adapter = ReadAdapter::new("src", &batch.schema(), &batch.schema()).unwrap();
    assert_eq!(adapter.output().field(0).data_type(), &DataType::Utf8);
    let adapted: Vec<RecordBatch> = split_to_fit(batch, 10)
        .into_iter()
        .map(|piece| adapter.adapt(piece).unwrap())
        .collect();
    assert_eq!(adapted.len(), 5);
    assert!(
        adapted
            .iter()
            .all(|b| b.column(0).as_string::<i32>().value(1) == "aaaa")
    );
}

#[test]
fn a_sink_that_accepts_large_strings_gets_them_large() {
    let plain = Schema::new(vec![Field::new("s", DataType::Utf8, false)]);
    let large = Schema::new(vec![Field::new("s", DataType::LargeUtf8, false)]);
    let adapter = WriteAdapter::new("sink", &large, &plain).unwrap();
    assert_eq!(adapter.output().field(0).data_type(), &DataType::LargeUtf8);
    // Spark's large batches (useLargeVarTypes) are kept as they are, buffers and all.
    let spark_large = large_strings(&["x", "yz"]);
    let kept = adapter.adapt(spark_large.clone()).unwrap();
    assert_eq!(
        kept.column(0).to_data().buffers()[1].as_ptr(),
        spark_large.column(0).to_data().buffers()[1].as_ptr()
    );
    // Its plain batches are widened.
    let spark_plain = RecordBatch::try_new(
        Arc::new(plain.clone()),
        vec![Arc::new(StringArray::from(vec!["x"]))],
    )
    .unwrap();
    assert_eq!(
        adapter.adapt(spark_plain).unwrap().column(0).data_type(),
        &DataType::LargeUtf8
    );
    // A sink of plain strings still gets plain ones.
    let narrowing = WriteAdapter::new("sink", &plain, &plain).unwrap();
    let narrowed = narrowing.adapt(large_strings(&["x"])).unwrap();
    assert_eq!(narrowed.column(0).data_type(), &DataType::Utf8);
}
