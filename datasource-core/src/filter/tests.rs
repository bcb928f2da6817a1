use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int8Array, Int64Array, RecordBatch, StringArray,
    StructArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Fields, Schema};

use super::*;
use crate::batches::Batches;

fn column(name: &str) -> ColumnPath {
    ColumnPath::new(name)
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

/// The filter's three-valued result as `Some(bool)` / `None` per row.
fn eval(filter: &Filter, batch: &RecordBatch) -> Vec<Option<bool>> {
    filter.evaluate(batch).unwrap().iter().collect()
}

#[test]
fn literals_read_back_from_a_pickled_reads_state_every_kind() {
    let json = r#"[
        {"kind": "EqualTo", "args": {"column": ["a"], "value": {"int": -5}}},
        {"kind": "GreaterThan", "args": {"column": ["f"], "value": {"float": "nan"}}},
        {"kind": "LessThan", "args": {"column": ["f"], "value": {"float": "-inf"}}},
        {"kind": "EqualTo", "args": {"column": ["d"], "value": {"decimal": "-12.340"}}},
        {"kind": "EqualTo", "args": {"column": ["b"], "value": {"binary": "00ff"}}},
        {"kind": "EqualTo", "args": {"column": ["day"], "value": {"date": "2024-03-10"}}},
        {"kind": "EqualTo", "args": {"column": ["at"], "value": {"timestamp": 1710054000000001}}},
        {"kind": "In", "args": {"column": ["s", "x"], "values": [{"string": "a%"}, "null"]}},
        {"kind": "Not", "args": {"kind": "IsNull", "args": {"column": ["a"]}}},
        {"kind": "StringStartsWith", "args": {"column": ["s"], "value": "a_"}}
    ]"#;
    let filters: Vec<Filter> = serde_json::from_str(json).unwrap();
    assert_eq!(
        filters[0],
        Filter::EqualTo {
            column: column("a"),
            value: Literal::Int(-5)
        }
    );
    assert!(
        matches!(&filters[1], Filter::GreaterThan { value: Literal::Float(x), .. } if x.is_nan())
    );
    assert!(
        matches!(&filters[2], Filter::LessThan { value: Literal::Float(x), .. } if *x == f64::NEG_INFINITY)
    );
    assert!(matches!(
        &filters[3],
        Filter::EqualTo {
            value: Literal::Decimal128 {
                unscaled: -12340,
                scale: 3
            },
            ..
        }
    ));
    assert!(
        matches!(&filters[4], Filter::EqualTo { value: Literal::Bytes(b), .. } if b == &[0, 255])
    );
    assert_eq!(
        filters[6].to_string(),
        "at = TIMESTAMP '2024-03-10 07:00:00.000001Z'"
    );
    assert_eq!(filters[7].to_string(), "s.x IN ('a%', NULL)");
    assert_eq!(filters[8].to_string(), "NOT (a IS NULL)");

    // What Rust sends back (the reader's pickled plan) reads back as itself, NaN included.
    let text = serde_json::to_string(&filters).unwrap();
    let back: Vec<Filter> = serde_json::from_str(&text).unwrap();
    assert_eq!(back.len(), filters.len());
    assert_eq!(back[0], filters[0]);
    assert_eq!(back[3..], filters[3..]);
    assert!(matches!(&back[1], Filter::GreaterThan { value: Literal::Float(x), .. } if x.is_nan()));
}

#[test]
fn a_literal_rust_cannot_hold_does_not_decode() {
    for json in [
        r#"{"kind": "EqualTo", "args": {"column": ["a"], "value": {"int": 9223372036854775808}}}"#,
        r#"{"kind": "EqualTo", "args": {"column": ["a"], "value": {"decimal": "1e5"}}}"#,
        r#"{"kind": "EqualTo", "args": {"column": ["a"], "value": {"date": "2024-02-30"}}}"#,
        r#"{"kind": "EqualTo", "args": {"column": ["a"], "value": {"time": "10:00"}}}"#,
    ] {
        assert!(serde_json::from_str::<Filter>(json).is_err(), "{json}");
    }
}

#[test]
fn comparisons_follow_spark_on_nan_zero_and_null() {
    let values = Float64Array::from(vec![
        Some(f64::NAN),
        Some(-0.0),
        Some(0.0),
        Some(f64::INFINITY),
        None,
        Some(-f64::NAN),
    ]);
    let b = batch(vec![("f", Arc::new(values) as ArrayRef)]);
    let f = |value: f64| Literal::Float(value);
    let eq_nan = Filter::EqualTo {
        column: column("f"),
        value: f(f64::NAN),
    };
    // NaN equals NaN (any NaN), and NULL compares to unknown.
    assert_eq!(
        eval(&eq_nan, &b),
        [
            Some(true),
            Some(false),
            Some(false),
            Some(false),
            None,
            Some(true)
        ]
    );
    let eq_zero = Filter::EqualTo {
        column: column("f"),
        value: f(0.0),
    };
    assert_eq!(
        eval(&eq_zero, &b),
        [
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            None,
            Some(false)
        ]
    );
    // NaN is greater than infinity.
    let above_inf = Filter::GreaterThan {
        column: column("f"),
        value: f(f64::INFINITY),
    };
    assert_eq!(
        eval(&above_inf, &b),
        [
            Some(true),
            Some(false),
            Some(false),
            Some(false),
            None,
            Some(true)
        ]
    );
    // NOT of unknown stays unknown.
    assert_eq!(
        eval(&Filter::Not(Box::new(eq_zero)), &b),
        [
            Some(true),
            Some(false),
            Some(false),
            Some(true),
            None,
            Some(true)
        ]
    );
}

#[test]
fn in_and_null_safe_equality_keep_sql_null_logic() {
    let b = batch(vec![(
        "a",
        Arc::new(Int64Array::from(vec![Some(1), Some(2), None])) as ArrayRef,
    )]);
    let in_with_null = Filter::In {
        column: column("a"),
        values: vec![Literal::Int(1), Literal::Null],
    };
    assert_eq!(eval(&in_with_null, &b), [Some(true), None, None]);
    // NOT (a IN (1, NULL)) is never true.
    assert_eq!(
        eval(&Filter::Not(Box::new(in_with_null)), &b),
        [Some(false), None, None]
    );
    let null_safe = |value| Filter::EqualNullSafe {
        column: column("a"),
        value,
    };
    assert_eq!(
        eval(&null_safe(Literal::Null), &b),
        [Some(false), Some(false), Some(true)]
    );
    assert_eq!(
        eval(&null_safe(Literal::Int(2)), &b),
        [Some(false), Some(true), Some(false)]
    );
    assert_eq!(
        eval(
            &Filter::IsNull {
                column: column("a")
            },
            &b
        ),
        [Some(false), Some(false), Some(true)]
    );
}

#[test]
fn string_patterns_are_literal_text() {
    let b = batch(vec![(
        "s",
        Arc::new(StringArray::from(vec![
            Some("50%_off"),
            Some("5000 off"),
            Some("x_%"),
            None,
        ])) as ArrayRef,
    )]);
    let starts = Filter::StringStartsWith {
        column: column("s"),
        value: "50%".into(),
    };
    assert_eq!(
        eval(&starts, &b),
        [Some(true), Some(false), Some(false), None]
    );
    let ends = Filter::StringEndsWith {
        column: column("s"),
        value: "_%".into(),
    };
    assert_eq!(
        eval(&ends, &b),
        [Some(false), Some(false), Some(true), None]
    );
    let contains = Filter::StringContains {
        column: column("s"),
        value: "%_".into(),
    };
    assert_eq!(
        eval(&contains, &b),
        [Some(true), Some(false), Some(false), None]
    );
}

#[test]
fn nested_fields_are_null_where_their_struct_is() {
    let inner = Int64Array::from(vec![7, 7, 8]);
    let fields = Fields::from(vec![Field::new("x", DataType::Int64, false)]);
    let structs = StructArray::new(
        fields,
        vec![Arc::new(inner) as ArrayRef],
        Some(NullBuffer::from(vec![true, false, true])),
    );
    let b = batch(vec![("s", Arc::new(structs) as ArrayRef)]);
    let filter = Filter::EqualTo {
        column: ColumnPath(vec!["s".into(), "x".into()]),
        value: Literal::Int(7),
    };
    assert_eq!(eval(&filter, &b), [Some(true), None, Some(false)]);
    let is_null = Filter::IsNull {
        column: ColumnPath(vec!["s".into(), "x".into()]),
    };
    assert_eq!(eval(&is_null, &b), [Some(false), Some(true), Some(false)]);
}

#[test]
fn check_refuses_what_cannot_be_applied_exactly() {
    let schema = Schema::new(vec![
        Field::new("small", DataType::Int8, true),
        Field::new("name", DataType::Utf8, true),
    ]);
    let ok = Filter::GreaterThan {
        column: column("SMALL"),
        value: Literal::Int(100),
    };
    assert_eq!(ok.check(&schema), Ok(()));
    let too_big = Filter::GreaterThan {
        column: column("small"),
        value: Literal::Int(300),
    };
    let error = too_big.check(&schema).unwrap_err();
    assert!(error.to_string().contains("does not fit"), "{error}");
    let wrong_kind = Filter::EqualTo {
        column: column("small"),
        value: Literal::Str("3".into()),
    };
    assert!(wrong_kind.check(&schema).is_err());
    let pattern_on_number = Filter::StringContains {
        column: column("small"),
        value: "3".into(),
    };
    assert!(pattern_on_number.check(&schema).is_err());
    let unknown = Filter::IsNull {
        column: column("missing"),
    };
    assert_eq!(
        unknown.check(&schema).unwrap_err().to_string(),
        "filter `missing IS NULL`: no column `missing`"
    );
}

#[test]
fn filtered_batches_keep_only_rows_every_filter_passes() {
    let b = batch(vec![
        (
            "a",
            Arc::new(Int8Array::from(vec![Some(1), Some(5), None, Some(9)])) as ArrayRef,
        ),
        (
            "flag",
            Arc::new(BooleanArray::from(vec![true, true, true, false])) as ArrayRef,
        ),
    ]);
    let filters = vec![
        Filter::GreaterThanOrEqual {
            column: column("a"),
            value: Literal::Int(5),
        },
        Filter::EqualTo {
            column: column("flag"),
            value: Literal::Bool(true),
        },
    ];
    let kept: Vec<RecordBatch> = Batches::from_record_batches(vec![Ok(b.clone()), Ok(b)])
        .filtered(filters)
        .collect::<crate::Result<_>>()
        .unwrap();
    assert_eq!(kept.len(), 2);
    let a = kept[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int8Array>()
        .unwrap();
    assert_eq!(a.iter().collect::<Vec<_>>(), [Some(5)]);
    assert_eq!(a.len(), 1);
}

#[test]
fn statistics_prune_only_containers_that_cannot_match() {
    // Three row groups: ids 0..=9 (no nulls), 10..=19 (2 nulls of 10), all null (unknown bounds).
    let statistics = ColumnStatistics {
        min: Arc::new(Int64Array::from(vec![Some(0), Some(10), None])),
        max: Arc::new(Int64Array::from(vec![Some(9), Some(19), None])),
        null_count: Some(arrow_array::UInt64Array::from(vec![0, 2, 10])),
        row_count: Some(arrow_array::UInt64Array::from(vec![10, 10, 10])),
    };
    let may = |filter: Filter| -> Vec<bool> {
        filter
            .may_match(&statistics)
            .iter()
            .map(Option::unwrap)
            .collect()
    };
    let id = || column("id");
    assert_eq!(
        may(Filter::GreaterThan {
            column: id(),
            value: Literal::Int(9)
        }),
        [false, true, true]
    );
    assert_eq!(
        may(Filter::LessThanOrEqual {
            column: id(),
            value: Literal::Int(9)
        }),
        [true, false, true]
    );
    assert_eq!(
        may(Filter::EqualTo {
            column: id(),
            value: Literal::Int(15)
        }),
        [false, true, true]
    );
    assert_eq!(
        may(Filter::In {
            column: id(),
            values: vec![Literal::Int(3), Literal::Null]
        }),
        [true, false, true]
    );
    assert_eq!(
        may(Filter::In {
            column: id(),
            values: vec![Literal::Null]
        }),
        // `id IN (NULL)` is never true, whatever the rows.
        [false, false, false]
    );
    assert_eq!(may(Filter::IsNull { column: id() }), [false, true, true]);
    assert_eq!(may(Filter::IsNotNull { column: id() }), [true, true, false]);
    // Never pruned: NOT, patterns, a literal of another kind.
    let not = Filter::Not(Box::new(Filter::EqualTo {
        column: id(),
        value: Literal::Int(15),
    }));
    assert_eq!(may(not), [true, true, true]);
    assert_eq!(
        may(Filter::EqualTo {
            column: id(),
            value: Literal::Str("x".into())
        }),
        [true, true, true]
    );

    // Floating-point statistics leave NaN out: never pruned.
    let floats = ColumnStatistics {
        min: Arc::new(Float64Array::from(vec![0.0])),
        max: Arc::new(Float64Array::from(vec![1.0])),
        null_count: None,
        row_count: None,
    };
    let above = Filter::GreaterThan {
        column: column("x"),
        value: Literal::Float(5.0),
    };
    assert!(above.may_match(&floats).value(0));
}
