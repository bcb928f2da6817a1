//! `#[data_source]`, `#[derive(Options)]` and `#[derive(OptionValue)]` expanded and run: the
//! generated parsing, defaults of every kind, option groups, and the documentation tables.

use std::path::PathBuf;
use std::time::Duration;

use datasource_py::RawOptions;
use datasource_py::prelude::*;

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

fn parse(pairs: &[(&str, &str)]) -> Result<Rules, datasource_py::options::OptionsError> {
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
        text.contains("option `count`: got `0`, expected a whole number in 1..=512"),
        "{text}"
    );
    assert!(
        text.contains("option `url` is required: a string"),
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

/// How to connect.
#[derive(Options, Debug, Clone, PartialEq)]
struct Connection {
    /// Where the server is.
    url: String,
    #[option(default = 3, range = 1..=10)]
    retries: u8,
}

/// What to read: exactly one of them.
#[derive(Options, Debug, Clone, PartialEq)]
enum Target {
    /// A table, by name.
    Table(String),
    /// A query.
    Query(String),
}

/// Basic authentication, all or nothing.
#[derive(Options, Debug, Clone, PartialEq)]
struct Login {
    user: String,
    password: Secret<String>,
}

/// How rows are compressed.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq)]
enum Codec {
    /// Not at all.
    None,
    Snappy,
    #[option(name = "zstd")]
    ZStandard,
}

type Count = u64;
type Token = Secret<String>;

/// Options built from groups.
#[data_source(name = "grouped")]
#[derive(Debug)]
struct Grouped {
    #[option(flatten)]
    connection: Connection,
    #[option(flatten)]
    target: Target,
    #[option(flatten)]
    login: Option<Login>,
    #[option(default = "snappy")]
    codec: Codec,
    #[option(default = Codec::None)]
    fallback: Codec,
    /// An alias of a number still takes a range.
    #[option(default = 10, range = 1..=100)]
    batch: Count,
    token: Option<Token>,
    #[option(default = Duration::from_millis(1500))]
    pause: Duration,
    #[option(default = vec![1, 2])]
    weights: Vec<u32>,
    #[option(default = "/tmp/out")]
    dir: PathBuf,
}

fn grouped(pairs: &[(&str, &str)]) -> Result<Grouped, datasource_py::options::OptionsError> {
    let raw: RawOptions = pairs.iter().copied().collect();
    Grouped::from_options(&raw)
}

#[test]
fn groups_defaults_and_choices_parse_together() {
    let source = grouped(&[("url", "db://x"), ("QUERY", "select 1"), ("codec", "ZSTD")]).unwrap();
    assert_eq!(
        source.connection,
        Connection {
            url: "db://x".into(),
            retries: 3
        }
    );
    assert_eq!(source.target, Target::Query("select 1".into()));
    assert_eq!(source.login, None);
    assert_eq!(source.codec, Codec::ZStandard);
    assert_eq!(source.fallback, Codec::None);
    assert_eq!(source.batch, 10);
    assert_eq!(source.pause, Duration::from_millis(1500));
    assert_eq!(source.weights, vec![1, 2]);
    assert_eq!(source.dir, PathBuf::from("/tmp/out"));
    assert!(source.token.is_none());
}

#[test]
fn group_problems_are_reported_with_the_rest() {
    let error = grouped(&[
        ("table", "t"),
        ("query", "q"),
        ("user", "me"),
        ("batch", "0"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("data source `grouped`: 4 invalid options"),
        "{error}"
    );
    assert!(
        error.contains("option `url` is required: a string. Where the server is"),
        "{error}"
    );
    assert!(
        error.contains("options `table` and `query` exclude each other: give only one"),
        "{error}"
    );
    assert!(error.contains("option `password` is required"), "{error}");
    assert!(
        error.contains("option `batch`: got `0`, expected a whole number in 1..=100"),
        "{error}"
    );

    let error = grouped(&[("url", "u"), ("codec", "lz4")])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("one of the options `table` or `query` is required"),
        "{error}"
    );
    assert!(
        error.contains("option `codec`: got `lz4`, expected one of `none`, `snappy`, `zstd`"),
        "{error}"
    );
}

#[test]
fn a_half_given_optional_group_is_read_whole() {
    let source = grouped(&[
        ("url", "u"),
        ("table", "t"),
        ("user", "me"),
        ("password", "hunter2"),
        ("token", "t0k3n"),
    ])
    .unwrap();
    let login = source.login.unwrap();
    assert_eq!(login.password.expose(), "hunter2");
    assert_eq!(source.token.unwrap().expose(), "t0k3n");
}

#[test]
fn groups_document_their_options_in_the_sources_table() {
    let table = Grouped::options_markdown();
    for row in [
        "| `url` | `String` | required |  | Where the server is. |",
        "| `retries` | `u8` | `3` | `1..=10` |  |",
        "| `table` | `String` | required, or `query` |  | A table, by name. Not with `query`. |",
        "| `user` | `String` | unset |  |  |",
        "| `password` | `Secret<String>` | unset |  | (secret: never shown) |",
        "| `codec` | `Codec` | `snappy` | `none`, `snappy`, `zstd` | `none`: Not at all. |",
        "| `fallback` | `Codec` | `none` | `none`, `snappy`, `zstd` | `none`: Not at all. |",
        "| `batch` | `Count` | `10` | `1..=100` | An alias of a number still takes a range. |",
        "| `token` | `Option<Token>` | unset |  | (secret: never shown) |",
        "| `pause` | `Duration` | `1s 500ms` |  |  |",
        "| `weights` | `Vec<u32>` | `1,2` |  |  |",
        "| `dir` | `PathBuf` | `/tmp/out` |  |  |",
    ] {
        assert!(table.contains(row), "missing {row}\n{table}");
    }
}

#[test]
fn derived_choices_parse_and_print_as_users_write_them() {
    assert_eq!(Codec::parse_option(" Snappy "), Ok(Codec::Snappy));
    assert_eq!(Codec::ZStandard.to_option_text().as_deref(), Some("zstd"));
    assert_eq!(Codec::expected(), "one of `none`, `snappy`, `zstd`");
    assert_eq!(Codec::CHOICES[0].help, "Not at all.");
}

/// A window of rows whose two ends must be in order: a rule no option says alone.
#[data_source(name = "window", validate = Self::check)]
#[derive(Debug)]
struct Window {
    #[option(default = 0)]
    first: u64,
    #[option(default = 10)]
    last: u64,
    /// Never shown, even when the validation fails.
    #[allow(dead_code)]
    token: Option<Secret<String>>,
}

impl Window {
    fn check(&self) -> Result<()> {
        ensure!(
            self.first <= self.last,
            "`first` ({}) is after `last` ({}): give `first` <= `last`",
            self.first,
            self.last
        );
        Ok(())
    }
}

#[test]
fn validation_runs_once_the_options_parse_and_fails_them_with_the_source_named() {
    let window = |pairs: &[(&str, &str)]| {
        let raw: RawOptions = pairs.iter().copied().collect();
        Window::from_options(&raw)
    };
    assert_eq!(window(&[("first", "3")]).unwrap().last, 10);
    let error = window(&[("first", "30"), ("token", "s3cr3t-value")])
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "data source `window`: 1 invalid option\n  - `first` (30) is after `last` (10): give \
         `first` <= `last`"
    );
    // Options that do not parse are reported as such; the validation never sees them.
    let error = window(&[("first", "x")]).unwrap_err().to_string();
    assert!(error.contains("option `first`: got `x`"), "{error}");
    assert!(!error.contains("is after"), "{error}");
}
