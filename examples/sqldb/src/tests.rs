//! The source and sink on SQLite files, without Spark (PostgreSQL and Spark are in
//! `tests/connectors`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use datasource_py::arrow_array::cast::AsArray;
use datasource_py::arrow_array::types::Int64Type;
use datasource_py::arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use datasource_py::arrow_schema::{DataType, Field, Schema};
use datasource_py::prelude::*;
use datasource_py::testing::{read_all, read_all_limited, read_all_pushed, write_all};
use datasource_py::{DataSource, RawOptions};

use super::SqlDb;

mod errors;
mod strings;
mod writes;

/// A fresh SQLite file holding `sql`.
fn database(sql: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "sqldb-test-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    path
}

const PEOPLE: &str = "
    CREATE TABLE people (id INTEGER, name TEXT, score DOUBLE, joined DATE, balance DECIMAL(10,2));
    INSERT INTO people VALUES
        (1, 'ada', 1.5, '2024-01-02', 10.25),
        (2, 'Bob', NULL, '2024-02-03', -3.10),
        (3, 'cy%_', 2.5, NULL, 0),
        (NULL, 'nobody', 0.0, '2024-03-04', NULL),
        (10, 'x'' OR ''1''=''1', 9.0, '2024-04-05', 99.99),
        (40, 'Ada', 4.0, '2024-05-06', 1.00);
";

fn source(path: &Path, options: &[(&str, &str)]) -> SqlDb {
    let mut raw = RawOptions::new();
    raw.insert("url", format!("sqlite:{}", path.display()));
    for (key, value) in options {
        raw.insert(key, *value);
    }
    SqlDb::from_options(&raw).unwrap_or_else(|error| panic!("{error}"))
}

fn options_error(options: &[(&str, &str)]) -> String {
    let mut raw = RawOptions::new();
    for (key, value) in options {
        raw.insert(key, *value);
    }
    SqlDb::from_options(&raw).unwrap_err().to_string()
}

fn ids(batches: &[RecordBatch]) -> Vec<Option<i64>> {
    let mut ids: Vec<Option<i64>> = batches
        .iter()
        .flat_map(|batch| {
            let column = batch
                .column_by_name("id")
                .unwrap()
                .as_primitive::<Int64Type>();
            (0..column.len())
                .map(|row| column.is_valid(row).then(|| column.value(row)))
                .collect::<Vec<_>>()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_schema_comes_from_the_declared_types() {
    let path = database(PEOPLE);
    let schema = source(&path, &[("table", "people")]).schema().unwrap();
    let types: Vec<(&str, &DataType)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), f.data_type()))
        .collect();
    assert_eq!(
        types,
        [
            ("id", &DataType::Int64),
            ("name", &DataType::Utf8),
            ("score", &DataType::Float64),
            ("joined", &DataType::Date32),
            ("balance", &DataType::Decimal128(10, 2)),
        ]
    );
}

#[test]
fn partitioned_reads_equal_one_partition_with_bounds_found() {
    let path = database(PEOPLE);
    let whole = read_all(source(&path, &[("table", "people")])).unwrap();
    let split = source(
        &path,
        &[
            ("table", "people"),
            ("partitionColumn", "id"),
            ("numPartitions", "4"),
        ],
    );
    let scan = Scan::new(split.schema().unwrap());
    let planned = BatchReader::plan(&split, &scan).unwrap();
    let slices = split.partitions(&scan.with_plan(planned)).unwrap();
    // MIN 1, MAX 40: four ranges, NULL ids in the first.
    assert_eq!(slices.len(), 4);
    assert_eq!((slices[0].to, slices[3].from), (Some(10), Some(30)));
    let parts = read_all(split).unwrap();
    assert_eq!(ids(&parts), ids(&whole));
    assert_eq!(ids(&whole).len(), 6);

    // Given bounds only set the ranges: rows outside them are still read, once.
    let narrow = source(
        &path,
        &[
            ("table", "people"),
            ("partitionColumn", "id"),
            ("numPartitions", "3"),
            ("lowerBound", "2"),
            ("upperBound", "3"),
        ],
    );
    assert_eq!(ids(&read_all(narrow).unwrap()), ids(&whole));
}

#[test]
fn a_pushed_limit_becomes_each_partitions_limit() {
    let path = database(PEOPLE);
    let whole = ids(&read_all(source(&path, &[("table", "people")])).unwrap());
    let (taken, one) = read_all_limited(source(&path, &[("table", "people")]), 2).unwrap();
    assert!(taken);
    let one = ids(&one);
    assert_eq!(one.len(), 2);
    assert!(
        one.iter().all(|id| whole.contains(id)),
        "{one:?} of {whole:?}"
    );
    let split = source(
        &path,
        &[
            ("table", "people"),
            ("partitionColumn", "id"),
            ("numPartitions", "2"),
        ],
    );
    let (_, parts) = read_all_limited(split, 1).unwrap();
    // One row from each partition: Spark's LIMIT then keeps one of them.
    assert_eq!(parts.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
}

#[test]
fn a_query_is_read_and_its_expressions_typed_by_their_values() {
    let path = database(PEOPLE);
    let read = source(
        &path,
        &[(
            "query",
            "SELECT id, upper(name) AS shout, id * 2 AS twice FROM people WHERE id < 5;",
        )],
    );
    let batches = read_all(read).unwrap();
    let schema = batches[0].schema();
    assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
    assert_eq!(schema.field(2).data_type(), &DataType::Int64);
    assert_eq!(ids(&batches), [Some(1), Some(2), Some(3)]);
}

#[test]
fn pushed_filters_run_in_the_database_as_spark_would_run_them() {
    let path = database(PEOPLE);
    let column = ColumnPath::new;
    let cases = vec![
        Filter::GreaterThan {
            column: column("id"),
            value: Literal::Int(2),
        },
        Filter::EqualTo {
            column: column("name"),
            value: Literal::Str("ada".into()),
        },
        // Byte-wise, as Spark compares: 'Bob' < 'ada' < 'cy'.
        Filter::LessThan {
            column: column("name"),
            value: Literal::Str("b".into()),
        },
        Filter::StringStartsWith {
            column: column("name"),
            value: "A".into(),
        },
        Filter::StringContains {
            column: column("name"),
            value: "%_".into(),
        },
        Filter::StringEndsWith {
            column: column("name"),
            value: "'1'".into(),
        },
        Filter::In {
            column: column("id"),
            values: vec![Literal::Int(1), Literal::Int(40)],
        },
        Filter::IsNull {
            column: column("score"),
        },
        Filter::Not(Box::new(Filter::EqualTo {
            column: column("id"),
            value: Literal::Int(1),
        })),
        Filter::EqualNullSafe {
            column: column("id"),
            value: Literal::Null,
        },
        Filter::GreaterThanOrEqual {
            column: column("score"),
            value: Literal::Float(2.5),
        },
    ];
    let everything = read_all(source(&path, &[("table", "people")])).unwrap();
    for filter in cases {
        let pushed =
            read_all_pushed(source(&path, &[("table", "people")]), vec![filter.clone()]).unwrap();
        assert!(pushed.handed_back.is_empty(), "{filter:?} was not pushed");
        let expected: Vec<RecordBatch> =
            Batches::from_record_batches(everything.clone().into_iter().map(Ok))
                .filtered(vec![filter.clone()])
                .collect::<Result<_>>()
                .unwrap();
        assert_eq!(ids(&pushed.batches), ids(&expected), "{filter:?}");
    }
}

#[test]
fn filters_the_database_cannot_answer_exactly_stay_with_spark() {
    let path = database(PEOPLE);
    let column = ColumnPath::new;
    for filter in [
        // SQLite keeps dates as text and decimals as floats.
        Filter::GreaterThan {
            column: column("joined"),
            value: Literal::Date(
                datasource_py::chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            ),
        },
        Filter::EqualTo {
            column: column("balance"),
            value: Literal::Decimal128 {
                unscaled: 1025,
                scale: 2,
            },
        },
        Filter::EqualTo {
            column: column("score"),
            value: Literal::Float(f64::NAN),
        },
        // A literal of another type than the column's.
        Filter::EqualTo {
            column: column("id"),
            value: Literal::Str("1".into()),
        },
    ] {
        let pushed =
            read_all_pushed(source(&path, &[("table", "people")]), vec![filter.clone()]).unwrap();
        // By their text: a NaN literal equals nothing, itself included.
        assert_eq!(
            format!("{:?}", pushed.handed_back),
            format!("{:?}", [filter])
        );
        assert_eq!(ids(&pushed.batches).len(), 6);
    }
}

#[test]
fn names_carrying_sql_are_refused_when_the_options_are_read() {
    let text = options_error(&[
        ("url", "/tmp/x.db"),
        ("table", "people; DROP TABLE people"),
        ("partitionColumn", "id) OR (1=1"),
    ]);
    assert!(
        text.contains("option `table`: got `people; DROP TABLE people`"),
        "{text}"
    );
    assert!(
        text.contains("option `partitionColumn`: got `id) OR (1=1`"),
        "{text}"
    );
    let text = options_error(&[("url", "/tmp/x.db"), ("table", "t"), ("query", "SELECT 1")]);
    assert!(text.contains("table") && text.contains("query"), "{text}");
}

#[test]
fn a_query_cannot_change_the_database() {
    let path = database(PEOPLE);
    for attempt in [
        "SELECT 1; DROP TABLE people",
        "DELETE FROM people RETURNING id",
    ] {
        let error = read_all(source(&path, &[("query", attempt)])).unwrap_err();
        assert!(format!("{error:#}").contains("SQLite"), "{error:#}");
    }
    let still = read_all(source(&path, &[("table", "people")])).unwrap();
    assert_eq!(ids(&still).len(), 6);
}

#[test]
fn a_filter_value_carrying_sql_is_only_a_value() {
    let path = database(PEOPLE);
    let filter = Filter::EqualTo {
        column: ColumnPath::new("name"),
        value: Literal::Str("x' OR '1'='1".into()),
    };
    let pushed = read_all_pushed(source(&path, &[("table", "people")]), vec![filter]).unwrap();
    assert_eq!(ids(&pushed.batches), [Some(10)]);
}

#[test]
fn a_partition_column_that_is_missing_or_not_an_integer_is_named() {
    let path = database(PEOPLE);
    let error = source(&path, &[("table", "people"), ("partitionColumn", "nope")])
        .schema()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`partitionColumn` names `nope`, which is not a column"),
        "{error}"
    );
    let error = source(
        &path,
        &[
            ("table", "people"),
            ("partitionColumn", "name"),
            ("numPartitions", "2"),
        ],
    )
    .schema()
    .unwrap_err();
    assert!(
        error.to_string().contains("ranges split an integer column"),
        "{error}"
    );
    let error = source(&path, &[("table", "people"), ("numPartitions", "2")])
        .schema()
        .unwrap_err();
    assert!(error.to_string().contains("no partitionColumn"), "{error}");
}

fn rows(ids: &[i64], names: &[&str]) -> RecordBatch {
    RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
        ])),
        vec![
            Arc::new(Int64Array::from(ids.to_vec())),
            Arc::new(StringArray::from(names.to_vec())),
        ],
    )
    .unwrap()
}

fn table_ids(path: &Path, table: &str) -> Vec<Option<i64>> {
    ids(&read_all(source(path, &[("table", table)])).unwrap())
}

fn tables(path: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut statement = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn writes_append_overwrite_and_publish_nothing_when_a_task_fails() {
    let path = database("CREATE TABLE keep (x INTEGER);");
    let batch = rows(&[1, 2], &["a", "b"]);
    let schema = batch.schema();
    let sink = || source(&path, &[("table", "Out")]);

    write_all(
        sink(),
        schema.clone(),
        vec![vec![batch.clone()], vec![rows(&[3], &["c"])]],
        false,
    )
    .unwrap();
    assert_eq!(table_ids(&path, "out"), [Some(1), Some(2), Some(3)]);
    write_all(
        sink(),
        schema.clone(),
        vec![vec![rows(&[4], &["d"])]],
        false,
    )
    .unwrap();
    assert_eq!(table_ids(&path, "out").len(), 4);
    write_all(sink(), schema.clone(), vec![vec![rows(&[9], &["z"])]], true).unwrap();
    assert_eq!(table_ids(&path, "out"), [Some(9)]);

    // The second task fails mid-write (a batch that does not fit, after one that did): with
    // `overwrite` too, nothing is published, and every staging table is gone.
    let misfit = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "other",
            DataType::Int64,
            true,
        )])),
        vec![Arc::new(Int64Array::from(vec![7]))],
    )
    .unwrap();
    let error = write_all(
        sink(),
        schema.clone(),
        vec![vec![rows(&[5], &["e"])], vec![rows(&[6], &["f"]), misfit]],
        true,
    )
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("staging the rows of task 1"),
        "{error:#}"
    );
    assert_eq!(table_ids(&path, "out"), [Some(9)]);
    // What stays is the abort's marker (which late tasks of the write see), until it expires.
    let (markers, others): (Vec<String>, Vec<String>) = tables(&path)
        .into_iter()
        .partition(|name| name.starts_with("spark_stage_") && name.ends_with("_aborted"));
    assert_eq!(others, ["keep", "out"]);
    assert_eq!(markers.len(), 1, "{markers:?}");
}

#[test]
fn writing_a_query_is_refused() {
    let path = database(PEOPLE);
    let batch = rows(&[1], &["a"]);
    let error = write_all(
        source(&path, &[("query", "SELECT 1")]),
        batch.schema(),
        vec![vec![batch]],
        false,
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("a write needs `table`"),
        "{error}"
    );
}

#[test]
fn readme_lists_the_options() {
    let readme = include_str!("../README.md");
    let table = SqlDb::options_markdown();
    assert!(readme.contains(&table), "README.md is missing:\n{table}");
}
