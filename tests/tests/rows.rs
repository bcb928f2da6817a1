//! `#[derive(Row)]` expanded and run: schemas of every type, nested and nullable, the batches
//! the derived builders make, and the rows the derived readers read back out of them.

use std::collections::BTreeMap;

use datasource_py::arrow_array::Array;
use datasource_py::arrow_array::cast::AsArray;
use datasource_py::arrow_array::types::{Decimal128Type, Int32Type, Int64Type};
use datasource_py::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datasource_py::format_err;
use datasource_py::prelude::*;
use datasource_py::row::{RowBatcher, Rows};
use datasource_py::schema::{to_ddl, to_spark_json};
use datasource_py::{Binary, Decimal};

#[derive(Row, Clone, Debug, PartialEq)]
struct Geo {
    lat: f64,
    lon: f64,
}

#[derive(Row, Clone, Debug, PartialEq)]
struct Place {
    /// Street and number.
    street: String,
    geo: Option<Geo>,
}

#[derive(Row, Clone, Debug, PartialEq)]
struct Everything {
    flag: bool,
    tiny: i8,
    small: i16,
    int: i32,
    big: i64,
    real: f32,
    double: f64,
    text: String,
    bytes: Binary,
    day: NaiveDate,
    at: DateTime<Utc>,
    wall: NaiveDateTime,
    money: Decimal<10, 2>,
    #[spark(rename = "maybeText")]
    maybe_text: Option<String>,
    list: Vec<i32>,
    sparse: Vec<Option<i32>>,
    map: BTreeMap<String, Option<i64>>,
    place: Place,
    maybe_place: Option<Place>,
}

fn sample(i: i64) -> Everything {
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let wall = day.and_hms_micro_opt(12, 30, 0, 250).unwrap();
    Everything {
        flag: i % 2 == 0,
        tiny: i as i8,
        small: i as i16,
        int: i as i32,
        big: i,
        real: 0.5,
        double: 1.25,
        text: format!("t{i}"),
        bytes: Binary(vec![1, 2, 3]),
        day,
        at: wall.and_utc(),
        wall,
        money: "12.34".parse().unwrap(),
        maybe_text: (i % 2 == 0).then(|| "x".to_string()),
        list: vec![1, 2],
        sparse: vec![Some(1), None],
        map: BTreeMap::from([("k".to_string(), Some(i)), ("n".to_string(), None)]),
        place: Place {
            street: "Main".into(),
            geo: Some(Geo { lat: 1.0, lon: 2.0 }),
        },
        maybe_place: (i % 2 == 1).then(|| Place {
            street: "Side".into(),
            geo: None,
        }),
    }
}

#[test]
fn every_type_has_its_spark_ddl() {
    let ddl = to_ddl(&Everything::schema()).unwrap();
    let expected = [
        "flag BOOLEAN NOT NULL",
        "tiny TINYINT NOT NULL",
        "small SMALLINT NOT NULL",
        "int INT NOT NULL",
        "big BIGINT NOT NULL",
        "real FLOAT NOT NULL",
        "double DOUBLE NOT NULL",
        "text STRING NOT NULL",
        "bytes BINARY NOT NULL",
        "day DATE NOT NULL",
        "at TIMESTAMP NOT NULL",
        "wall TIMESTAMP_NTZ NOT NULL",
        "money DECIMAL(10,2) NOT NULL",
        "maybeText STRING",
        "list ARRAY<INT> NOT NULL",
        "sparse ARRAY<INT> NOT NULL",
        "map MAP<STRING, BIGINT> NOT NULL",
        "place STRUCT<street: STRING NOT NULL COMMENT 'Street and number.', \
         geo: STRUCT<lat: DOUBLE NOT NULL, lon: DOUBLE NOT NULL>> NOT NULL",
        "maybe_place STRUCT<street: STRING NOT NULL COMMENT 'Street and number.', \
         geo: STRUCT<lat: DOUBLE NOT NULL, lon: DOUBLE NOT NULL>>",
    ]
    .join(", ");
    assert_eq!(ddl, expected);
}

#[test]
fn nullability_of_nested_types_reaches_spark_json() {
    let json = to_spark_json(&Everything::schema()).unwrap();
    let field = |name: &str| {
        json["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(field("list")["type"]["containsNull"], false);
    assert_eq!(field("sparse")["type"]["containsNull"], true);
    assert_eq!(field("map")["type"]["valueContainsNull"], true);
    assert_eq!(field("maybeText")["nullable"], true);
    assert_eq!(
        field("place")["type"]["fields"][0]["metadata"]["comment"],
        "Street and number."
    );
    assert_eq!(field("place")["type"]["fields"][1]["nullable"], true);
}

#[test]
fn derived_builders_fill_batches_with_nulls_where_asked() {
    let mut batcher = RowBatcher::<Everything>::new(4);
    for i in 0..4 {
        batcher.push(sample(i));
    }
    let batch = batcher.finish();
    assert_eq!(batch.num_rows(), 4);
    assert_eq!(batch.schema(), Everything::schema());
    assert!(batcher.is_empty(), "finish starts over");

    let big = batch
        .column_by_name("big")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(big.values().to_vec(), vec![0, 1, 2, 3]);
    let money = batch
        .column_by_name("money")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    assert_eq!(money.value(0), 1234);
    let maybe = batch.column_by_name("maybeText").unwrap();
    assert_eq!(maybe.null_count(), 2);
    let sparse = batch.column_by_name("sparse").unwrap().as_list::<i32>();
    assert_eq!(sparse.value(0).as_primitive::<Int32Type>().null_count(), 1);
    let place = batch.column_by_name("maybe_place").unwrap().as_struct();
    assert!(place.is_null(0) && place.is_valid(1));
    let geo = place.column_by_name("geo").unwrap();
    assert!(geo.is_null(1), "a null nested struct inside a present one");
}

#[test]
fn batches_are_cut_at_the_requested_size() {
    let batches: Vec<_> = Batches::from_fallible_rows_sized((0..10).map(|i| Ok(sample(i))), 4)
        .map(|b| b.unwrap().num_rows())
        .collect();
    assert_eq!(batches, vec![4, 4, 2]);
}

#[test]
fn an_error_ends_the_stream_after_the_rows_before_it() {
    let rows = (0..10).map(|i| {
        if i == 5 {
            Err(format_err!("row {i} is broken"))
        } else {
            Ok(sample(i))
        }
    });
    let results: Vec<_> = Batches::from_fallible_rows_sized(rows, 4).collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().num_rows(), 4);
    assert_eq!(
        results[1].as_ref().unwrap_err().to_string(),
        "row 5 is broken"
    );
}

#[test]
fn derived_readers_read_back_every_row() {
    let rows: Vec<Everything> = (0..5).map(sample).collect();
    let mut batcher = RowBatcher::<Everything>::new(8);
    for row in rows.clone() {
        batcher.push(row);
    }
    let batch = batcher.finish();
    let back: Vec<Everything> = Rows::<Everything>::new(&batch).unwrap().collect();
    assert_eq!(back, rows);
    assert_eq!(Rows::<Everything>::new(&batch).unwrap().len(), 5);
}

#[derive(Row, Debug, PartialEq)]
struct Deep {
    grid: Vec<Vec<i64>>,
    places: BTreeMap<String, Place>,
    maybe: Option<Vec<Option<Geo>>>,
}

#[test]
fn nested_lists_maps_of_structs_and_null_lists_read_back() {
    let rows = vec![
        Deep {
            grid: vec![vec![1, 2], vec![], vec![3]],
            places: BTreeMap::from([(
                "home".to_string(),
                Place {
                    street: "Main".into(),
                    geo: None,
                },
            )]),
            maybe: Some(vec![Some(Geo { lat: 1.0, lon: 2.0 }), None]),
        },
        Deep {
            grid: vec![],
            places: BTreeMap::new(),
            maybe: None,
        },
    ];
    let mut batcher = RowBatcher::<Deep>::new(2);
    for row in rows {
        batcher.push(row);
    }
    let batch = batcher.finish();
    let back: Vec<Deep> = Rows::<Deep>::new(&batch).unwrap().collect();
    assert_eq!(back[0].grid, vec![vec![1, 2], vec![], vec![3]]);
    assert_eq!(back[0].places["home"].street, "Main");
    assert_eq!(back[1].maybe, None);
    assert_eq!(back[0].maybe.as_ref().unwrap()[1], None);
}

#[test]
fn reading_rows_of_another_shape_names_the_column() {
    let mut batcher = RowBatcher::<Geo>::new(1);
    batcher.push(Geo { lat: 1.0, lon: 2.0 });
    let error = Rows::<Place>::new(&batcher.finish())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "`street`: expected an Arrow Utf8 column, got Float64"
    );
}
