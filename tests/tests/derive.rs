//! `#[derive(Row)]` and `#[data_source]` expanded and run: schemas of every type, nested and
//! nullable, the batches the derived builders make, and the generated option parsing.

use std::collections::BTreeMap;

use datasource_py::arrow_array::Array;
use datasource_py::arrow_array::cast::AsArray;
use datasource_py::arrow_array::types::{Decimal128Type, Int32Type, Int64Type};
use datasource_py::prelude::*;
use datasource_py::schema::{to_ddl, to_spark_json};
use datasource_py::{RawOptions, RowBatcher};

#[derive(Row, Clone)]
struct Geo {
    lat: f64,
    lon: f64,
}

#[derive(Row, Clone)]
struct Place {
    /// Street and number.
    street: String,
    geo: Option<Geo>,
}

#[derive(Row, Clone)]
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
    let batches: Vec<_> = Batches::from_fallible_rows_in_batches((0..10).map(|i| Ok(sample(i))), 4)
        .map(|b| b.unwrap().num_rows())
        .collect();
    assert_eq!(batches, vec![4, 4, 2]);
}

#[test]
fn an_error_ends_the_stream_after_the_rows_before_it() {
    let rows = (0..10).map(|i| {
        if i == 5 {
            Err(error!("row {i} is broken"))
        } else {
            Ok(sample(i))
        }
    });
    let results: Vec<_> = Batches::from_fallible_rows_in_batches(rows, 4).collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().num_rows(), 4);
    assert_eq!(
        results[1].as_ref().unwrap_err().to_string(),
        "row 5 is broken"
    );
}

/// Options with every rule the macro supports.
#[data_source(name = "rules")]
#[derive(Debug)]
struct Rules {
    /// How many.
    #[option(default = 4, range = 1..=512)]
    count: u32,
    #[option(required)]
    url: String,
    #[option(choices = ["fast", "safe"], default = "safe")]
    mode: String,
    password: Option<Secret<String>>,
    #[option(default = "2m")]
    timeout: std::time::Duration,
    tags: Option<Vec<String>>,
}

fn parse(pairs: &[(&str, &str)]) -> Result<Rules, datasource_py::OptionsError> {
    let raw: RawOptions = pairs.iter().copied().collect();
    Rules::from_options(&raw)
}

#[test]
fn generated_parser_applies_defaults_and_ignores_key_case() {
    let rules = parse(&[("URL", "http://h"), ("MODE", "FAST"), ("tags", "a, b")]).unwrap();
    assert_eq!(rules.count, 4);
    assert_eq!(rules.url, "http://h");
    assert_eq!(rules.mode, "fast");
    assert_eq!(rules.timeout, std::time::Duration::from_secs(120));
    assert_eq!(rules.tags, Some(vec!["a".to_string(), "b".to_string()]));
    assert!(rules.password.is_none());
}

#[test]
fn generated_parser_reports_every_problem_and_hides_secrets() {
    let error = parse(&[
        ("count", "0"),
        ("mode", "slow"),
        ("password", "hunter2"),
        ("cuont", "1"),
    ])
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("data source `rules`: 4 invalid options"),
        "{text}"
    );
    assert!(
        text.contains(
            "option `count`: got `0`, expected a whole number (0 to 4294967295) in 1..=512"
        ),
        "{text}"
    );
    assert!(
        text.contains("option `url` is required (a string)"),
        "{text}"
    );
    assert!(
        text.contains("option `mode`: got `slow`, expected one of `fast`, `safe`"),
        "{text}"
    );
    assert!(
        text.contains("unknown option `cuont`; did you mean `count`?"),
        "{text}"
    );

    let rules = parse(&[("url", "u"), ("password", "hunter2")]).unwrap();
    let shown = format!("{rules:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(rules.password.as_ref().unwrap().expose(), "hunter2");
}

#[test]
fn option_table_documents_every_option() {
    let table = Rules::options_markdown();
    assert!(
        table.contains("| `count` | `u32` | `4` | `1..=512` | How many. |"),
        "{table}"
    );
    assert!(table.contains("| `url` | `String` | required |"), "{table}");
    assert!(
        table.contains(
            "| `password` | `Option<Secret<String>>` | unset |  | (secret: never shown) |"
        ),
        "{table}"
    );
    assert_eq!(Rules::NAME, "rules");
    assert_eq!(
        Rules::DESCRIPTION,
        "Options with every rule the macro supports."
    );
}
