//! Every filter SQLite is given on strings and binaries keeps exactly the rows Spark's own
//! evaluation keeps, for strings drawn from what breaks pattern matching: NUL (where `GLOB`
//! stops), `LIKE`'s and `GLOB`'s wildcards, escapes and quotes, both cases, multi-byte letters;
//! and binaries stored as blobs or as text (SQLite keeps either in any column).

use proptest::prelude::*;

use super::*;

const ALPHABET: &[char] = &[
    '\0', '%', '_', '\\', '*', '?', '[', ']', '\'', 'a', 'A', 'b', 'B', 'é', '😀',
];

fn hostile() -> impl Strategy<Value = String> + Clone {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..5)
        .prop_map(|chars| chars.into_iter().collect())
}

/// A row: its string (also its binary's bytes), and whether the binary is stored as text.
fn rows() -> impl Strategy<Value = Vec<(Option<String>, bool)>> {
    proptest::collection::vec((proptest::option::of(hostile()), any::<bool>()), 0..8)
}

/// A comparison of `column` with `literal`, of each kind Spark pushes.
fn comparisons(
    column: &'static str,
    literal: impl Strategy<Value = Literal> + Clone + 'static,
) -> impl Strategy<Value = Filter> {
    let column = move || ColumnPath::new(column);
    prop_oneof![
        literal.clone().prop_map(move |value| Filter::EqualTo {
            column: column(),
            value
        }),
        literal.clone().prop_map(move |value| Filter::GreaterThan {
            column: column(),
            value
        }),
        literal
            .clone()
            .prop_map(move |value| Filter::GreaterThanOrEqual {
                column: column(),
                value
            }),
        literal.clone().prop_map(move |value| Filter::LessThan {
            column: column(),
            value
        }),
        literal
            .clone()
            .prop_map(move |value| Filter::LessThanOrEqual {
                column: column(),
                value
            }),
        prop_oneof![Just(Literal::Null), literal.clone()].prop_map(move |value| {
            Filter::EqualNullSafe {
                column: column(),
                value,
            }
        }),
        proptest::collection::vec(literal, 1..4).prop_map(move |values| Filter::In {
            column: column(),
            values
        }),
    ]
}

fn string_matches() -> impl Strategy<Value = Filter> {
    let column = || ColumnPath::new("s");
    prop_oneof![
        hostile().prop_map(move |value| Filter::StringStartsWith {
            column: column(),
            value
        }),
        hostile().prop_map(move |value| Filter::StringEndsWith {
            column: column(),
            value
        }),
        hostile().prop_map(move |value| Filter::StringContains {
            column: column(),
            value
        }),
    ]
}

fn filter() -> impl Strategy<Value = Filter> {
    let one = prop_oneof![
        comparisons("s", hostile().prop_map(Literal::Str)),
        comparisons("b", hostile().prop_map(|s| Literal::Bytes(s.into_bytes()))),
        string_matches(),
    ]
    .boxed();
    prop_oneof![
        one.clone(),
        one.prop_map(|inner| Filter::Not(Box::new(inner)))
    ]
}

/// A fresh SQLite file of `rows`: ids in order, the string, and its bytes as a blob or text.
fn table_of(rows: &[(Option<String>, bool)]) -> PathBuf {
    let path = database("CREATE TABLE t (id INTEGER, s TEXT, b BLOB);");
    let connection = rusqlite::Connection::open(&path).unwrap();
    for (id, (text, as_text)) in rows.iter().enumerate() {
        let binary = match text {
            None => rusqlite::types::Value::Null,
            Some(text) if *as_text => rusqlite::types::Value::Text(text.clone()),
            Some(text) => rusqlite::types::Value::Blob(text.clone().into_bytes()),
        };
        connection
            .execute(
                "INSERT INTO t VALUES (?1, ?2, ?3)",
                rusqlite::params![id as i64, text, binary],
            )
            .unwrap();
    }
    path
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sqlite_answers_string_and_binary_filters_as_spark_does(
        rows in rows(),
        filter in filter(),
    ) {
        let path = table_of(&rows);
        let everything = read_all(source(&path, &[("table", "t")])).unwrap();
        let pushed = read_all_pushed(source(&path, &[("table", "t")]), vec![filter.clone()])
            .unwrap();
        // Pushed, every one: the database's own answer is what is compared.
        prop_assert!(pushed.handed_back.is_empty(), "not pushed: {:?}", filter);
        let expected: Vec<RecordBatch> =
            Batches::from_record_batches(everything.into_iter().map(Ok))
                .filtered(vec![filter.clone()])
                .collect::<Result<_>>()
                .unwrap();
        let _ = std::fs::remove_file(&path);
        prop_assert_eq!(ids(&pushed.batches), ids(&expected), "{:?} on {:?}", filter, rows);
    }
}
