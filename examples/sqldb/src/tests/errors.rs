//! Every failure of an SQLite source or sink is one message naming the option to change, each
//! sentence once (PostgreSQL's, with its credentials, are in `tests/python/test_sqldb.py`).

use super::*;

/// A run of `LONGEST` characters that `text` holds twice, if any (the shape of an error whose
/// cause is printed again by its context).
pub fn repeated(text: &str) -> Option<&str> {
    const LONGEST: usize = 24;
    let starts: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
    starts.iter().find_map(|&at| {
        let piece = text[at..]
            .char_indices()
            .nth(LONGEST)
            .map(|(end, _)| &text[at..at + end])?;
        text[at + 1..].contains(piece).then_some(piece)
    })
}

#[test]
fn repeated_runs_are_found() {
    let twice = "relation \"nope\" does not exist: db error: relation \"nope\" does not exist";
    assert_eq!(repeated(twice), Some("relation \"nope\" does not"));
    assert_eq!(
        repeated("relation \"nope\" does not exist; check `table`"),
        None
    );
}

#[test]
fn each_broken_option_is_named_once() {
    let path = database(PEOPLE);
    let missing = std::env::temp_dir().join(format!("sqldb-missing-{}.db", std::process::id()));
    let text = |text: &str| text.to_owned();
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (
            vec![
                ("url", missing.display().to_string()),
                ("table", text("people")),
            ],
            "`url`",
        ),
        (
            vec![("url", path.display().to_string()), ("table", text("nope"))],
            "`table`",
        ),
        (
            vec![
                ("url", path.display().to_string()),
                ("table", text("nope.people")),
            ],
            "`table`",
        ),
        (
            vec![
                ("url", path.display().to_string()),
                ("query", text("SELECT nope FROM people")),
            ],
            "`query`",
        ),
        (
            vec![
                ("url", path.display().to_string()),
                ("query", text("SELEC id FROM people")),
            ],
            "`query`",
        ),
        (
            vec![
                ("url", path.display().to_string()),
                ("query", text("SELECT id FROM nope")),
            ],
            "`query`",
        ),
        (
            vec![
                ("url", path.display().to_string()),
                ("table", text("people")),
                ("partitionColumn", text("nope")),
            ],
            "`partitionColumn`",
        ),
        (
            vec![
                ("url", path.display().to_string()),
                ("table", text("people")),
                ("partitionColumn", text("name")),
            ],
            "`partitionColumn`",
        ),
    ];
    for (options, option) in cases {
        let mut raw = RawOptions::new();
        for (key, value) in &options {
            raw.insert(key, value.as_str());
        }
        let source = SqlDb::from_options(&raw).unwrap_or_else(|error| panic!("{error}"));
        let error = format!("{:#}", read_all(source).unwrap_err());
        assert!(error.contains(option), "{options:?}: {error}");
        assert_eq!(repeated(&error), None, "{options:?}: {error}");
    }
    assert!(!missing.exists(), "reading created the file");
}
