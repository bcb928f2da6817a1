//! Typed options from Spark's string options.
//!
//! Spark hands a data source its options as strings under lowercased keys. `#[data_source]`
//! describes each field as an [`OptionSpec`] and generates a `from_options` that runs an
//! [`OptionsParser`] over them: every problem (missing, malformed, out of range, unknown) is
//! collected, so one error lists them all. Secret values never appear in any message.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

/// A type an option's string value parses into.
///
/// Implement it for your own types to use them as option fields.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a data source option",
    note = "option fields can be bool, integers, f32, f64, String, char, PathBuf, Duration, \
            Secret<T>, Vec<T> (comma-separated), Option<T>, or a type implementing `OptionValue`"
)]
pub trait OptionValue: Sized {
    /// What a valid value looks like, for error messages ("an integer", "true or false").
    fn expected() -> String;
    /// Parses Spark's string value; the error says why it is not valid (it may be empty).
    fn parse_option(raw: &str) -> Result<Self, String>;
}

macro_rules! integer_option {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl OptionValue for $ty {
            fn expected() -> String {
                format!(concat!($what, " ({} to {})"), <$ty>::MIN, <$ty>::MAX)
            }
            fn parse_option(raw: &str) -> Result<Self, String> {
                let digits = raw.trim().replace('_', "");
                digits.parse().map_err(|e: std::num::ParseIntError| e.to_string())
            }
        }
    )*};
}

integer_option! {
    u8 => "a whole number", u16 => "a whole number", u32 => "a whole number",
    u64 => "a whole number", usize => "a whole number",
    i8 => "an integer", i16 => "an integer", i32 => "an integer", i64 => "an integer",
}

macro_rules! float_option {
    ($($ty:ty),*) => {$(
        impl OptionValue for $ty {
            fn expected() -> String {
                "a number".into()
            }
            fn parse_option(raw: &str) -> Result<Self, String> {
                let value: $ty = raw.trim().parse().map_err(|e: std::num::ParseFloatError| e.to_string())?;
                if value.is_nan() {
                    return Err("NaN is not a usable option value".into());
                }
                Ok(value)
            }
        }
    )*};
}

float_option!(f32, f64);

impl OptionValue for bool {
    fn expected() -> String {
        "`true` or `false`".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(String::new()),
        }
    }
}

impl OptionValue for String {
    fn expected() -> String {
        "a string".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        Ok(raw.to_owned())
    }
}

impl OptionValue for char {
    fn expected() -> String {
        "a single character".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        let mut chars = raw.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(String::new()),
        }
    }
}

impl OptionValue for PathBuf {
    fn expected() -> String {
        "a path".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("the path is empty".into());
        }
        Ok(PathBuf::from(raw))
    }
}

impl OptionValue for Duration {
    fn expected() -> String {
        "a duration such as `500ms`, `30s` or `2m`".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        humantime::parse_duration(raw.trim()).map_err(|e| e.to_string())
    }
}

impl<T: OptionValue> OptionValue for Vec<T> {
    fn expected() -> String {
        format!("a comma-separated list, each {}", T::expected())
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() {
            return Ok(Vec::new());
        }
        raw.split(',')
            .map(|item| {
                T::parse_option(item.trim()).map_err(|e| {
                    let reason = if e.is_empty() {
                        String::new()
                    } else {
                        format!(": {e}")
                    };
                    format!("item `{}` is not valid{reason}", item.trim())
                })
            })
            .collect()
    }
}

impl<T: OptionValue> OptionValue for Secret<T> {
    fn expected() -> String {
        T::expected()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        // The inner reason could quote the value: drop it.
        T::parse_option(raw)
            .map(Secret::new)
            .map_err(|_| String::new())
    }
}

/// One option of a data source, as `#[data_source]` describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// The name Spark users write (`numPartitions`); matched ignoring case.
    pub name: &'static str,
    /// The Rust field it fills.
    pub field: &'static str,
    /// The field's doc comment.
    pub help: &'static str,
    /// The field's Rust type, as written.
    pub rust_type: &'static str,
    /// The default, as written in the attribute.
    pub default: Option<&'static str>,
    /// Whether the option must be given.
    pub required: bool,
    /// Whether the value is secret (never shown).
    pub secret: bool,
    /// The allowed range, as written (`1..=1024`).
    pub range: Option<&'static str>,
    /// The allowed values, matched ignoring case.
    pub choices: &'static [&'static str],
}

impl OptionSpec {
    /// What a valid value looks like, given the value type's own description.
    pub fn expected(&self, type_expected: &str) -> String {
        if !self.choices.is_empty() {
            let choices: Vec<String> = self.choices.iter().map(|c| format!("`{c}`")).collect();
            return format!("one of {}", choices.join(", "));
        }
        match self.range {
            Some(range) => format!("{type_expected} in {range}"),
            None => type_expected.to_owned(),
        }
    }
}

/// Spark's options: string values under case-insensitive keys.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawOptions {
    values: BTreeMap<String, String>,
}

impl RawOptions {
    /// An empty set of options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an option; keys are case-insensitive, as in Spark.
    pub fn insert(&mut self, key: impl AsRef<str>, value: impl Into<String>) {
        self.values
            .insert(key.as_ref().to_lowercase(), value.into());
    }

    /// The value under `key`, ignoring case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(&key.to_lowercase()).map(String::as_str)
    }

    /// Every (lowercased key, value) pair.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<K: AsRef<str>, V: Into<String>> FromIterator<(K, V)> for RawOptions {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut options = RawOptions::new();
        for (key, value) in iter {
            options.insert(key, value);
        }
        options
    }
}

/// Values are left out: any of them may be a secret.
impl fmt::Debug for RawOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

/// What is wrong with one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required option was not given.
    Missing {
        option: &'static str,
        expected: String,
        help: &'static str,
    },
    /// A value that does not parse or is out of bounds. `value` is `None` for secrets.
    Invalid {
        option: &'static str,
        value: Option<String>,
        expected: String,
        reason: String,
    },
    /// A key no option has.
    Unknown {
        key: String,
        suggestion: Option<&'static str>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing {
                option,
                expected,
                help,
            } => {
                write!(f, "option `{option}` is required ({expected})")?;
                if !help.is_empty() {
                    write!(f, ": {help}")?;
                }
                Ok(())
            }
            Problem::Invalid {
                option,
                value,
                expected,
                reason,
            } => {
                match value {
                    Some(value) => {
                        write!(f, "option `{option}`: got `{value}`, expected {expected}")?
                    }
                    None => write!(
                        f,
                        "option `{option}`: got a value (secret, not shown) that is not {expected}"
                    )?,
                }
                if !reason.is_empty() {
                    write!(f, " ({reason})")?;
                }
                Ok(())
            }
            Problem::Unknown { key, suggestion } => {
                write!(f, "unknown option `{key}`")?;
                if let Some(suggestion) = suggestion {
                    write!(f, "; did you mean `{suggestion}`?")?;
                }
                Ok(())
            }
        }
    }
}

/// Every problem with the options given to one data source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError {
    /// The data source's Spark name.
    pub source: &'static str,
    /// Each problem, in the order of the source's options, unknown keys last.
    pub problems: Vec<Problem>,
    /// The valid option names, listed when an unknown key was given.
    pub valid: Vec<&'static str>,
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(
            f,
            "data source `{}`: {count} invalid option{}",
            self.source,
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        if self
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Unknown { .. }))
        {
            write!(f, "\n  valid options: {}", self.valid.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for OptionsError {}

/// Parses options one field at a time, collecting problems; used by `#[data_source]` code.
#[derive(Debug)]
pub struct OptionsParser<'a> {
    source: &'static str,
    specs: &'static [OptionSpec],
    raw: &'a RawOptions,
    problems: Vec<Problem>,
}

impl<'a> OptionsParser<'a> {
    /// Starts parsing `raw` for the source named `source` with options `specs`.
    pub fn new(source: &'static str, specs: &'static [OptionSpec], raw: &'a RawOptions) -> Self {
        OptionsParser {
            source,
            specs,
            raw,
            problems: Vec::new(),
        }
    }

    /// The option's value if it was given and is valid; records a problem otherwise.
    /// `None` for an absent option that is not required.
    pub fn parse<T: OptionValue>(
        &mut self,
        spec: &'static OptionSpec,
        in_range: impl FnOnce(&T) -> bool,
    ) -> Option<T> {
        let expected = || spec.expected(&T::expected());
        let Some(given) = self.raw.get(spec.name) else {
            if spec.required {
                self.problems.push(Problem::Missing {
                    option: spec.name,
                    expected: expected(),
                    help: spec.help,
                });
            }
            return None;
        };
        let text = if spec.choices.is_empty() {
            Some(given)
        } else {
            spec.choices
                .iter()
                .find(|choice| choice.eq_ignore_ascii_case(given.trim()))
                .copied()
        };
        let outcome = match text {
            None => Err(String::new()),
            Some(text) => T::parse_option(text).and_then(|value| {
                if in_range(&value) {
                    Ok(value)
                } else {
                    Err(String::new())
                }
            }),
        };
        match outcome {
            Ok(value) => Some(value),
            Err(reason) => {
                self.problems.push(Problem::Invalid {
                    option: spec.name,
                    value: (!spec.secret).then(|| given.to_owned()),
                    expected: expected(),
                    reason: if spec.secret { String::new() } else { reason },
                });
                None
            }
        }
    }

    /// A default written as a string in `#[option(default = "...")]`, parsed like a given value.
    /// A default that does not parse is the source's own bug; it is reported, not panicked on.
    pub fn parse_default<T: OptionValue>(
        &mut self,
        spec: &'static OptionSpec,
        text: &str,
    ) -> Option<T> {
        match T::parse_option(text) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.problems.push(Problem::Invalid {
                    option: spec.name,
                    value: (!spec.secret).then(|| format!("{text} (the source's default)")),
                    expected: spec.expected(&T::expected()),
                    reason: if spec.secret { String::new() } else { reason },
                });
                None
            }
        }
    }

    /// Checks for unknown keys and returns every problem found, if any.
    pub fn finish(mut self) -> Result<(), OptionsError> {
        for (key, _) in self.raw.iter() {
            if !self.specs.iter().any(|s| s.name.eq_ignore_ascii_case(key)) {
                self.problems.push(Problem::Unknown {
                    key: key.to_owned(),
                    suggestion: suggest(key, self.specs),
                });
            }
        }
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(OptionsError {
                source: self.source,
                problems: self.problems,
                valid: self.specs.iter().map(|s| s.name).collect(),
            })
        }
    }
}

/// The option name closest to an unknown key, if one is close enough to be a typo.
fn suggest(key: &str, specs: &'static [OptionSpec]) -> Option<&'static str> {
    let key = key.to_lowercase();
    specs
        .iter()
        .map(|spec| {
            (
                spec.name,
                strsim::jaro_winkler(&key, &spec.name.to_lowercase()),
            )
        })
        .filter(|(_, score)| *score > 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name)
}

/// A parsed option the parser vouched for: `OptionsParser::finish` fails whenever a required
/// value is missing, so generated code calls this only after it succeeded.
#[doc(hidden)]
pub fn present<T>(value: Option<T>) -> T {
    value.expect("OptionsParser::finish reports every missing option before values are used")
}

/// Checks, at compile time, that an option field's type can be parsed; the macro emits one call
/// per field, spanned on its type.
#[doc(hidden)]
pub const fn assert_option_value<T: OptionValue>() {}

/// A Markdown table of options: name, type, default, what is allowed, and the doc comment.
pub fn markdown_table(specs: &[OptionSpec]) -> String {
    let mut table = String::from(
        "| option | type | default | allowed | description |\n|---|---|---|---|---|\n",
    );
    for spec in specs {
        let default = match (spec.default, spec.required) {
            (Some(default), _) => format!("`{default}`"),
            (None, true) => "required".into(),
            (None, false) => "unset".into(),
        };
        let allowed = if !spec.choices.is_empty() {
            spec.choices
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            spec.range.map(|r| format!("`{r}`")).unwrap_or_default()
        };
        let mut help = spec.help.replace('\n', " ");
        if spec.secret {
            help = format!("{help} (secret: never shown)")
                .trim_start()
                .to_owned();
        }
        table.push_str(&format!(
            "| `{}` | `{}` | {default} | {allowed} | {help} |\n",
            spec.name, spec.rust_type
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn spec(name: &'static str) -> OptionSpec {
        OptionSpec {
            name,
            field: "",
            help: "",
            rust_type: "",
            default: None,
            required: false,
            secret: false,
            range: None,
            choices: &[],
        }
    }

    static SPECS: [OptionSpec; 6] = [
        spec("numRows"),
        OptionSpec {
            range: Some("1..=1024"),
            ..spec("numPartitions")
        },
        OptionSpec {
            required: true,
            help: "Where to connect.",
            ..spec("url")
        },
        OptionSpec {
            secret: true,
            ..spec("password")
        },
        OptionSpec {
            choices: &["json", "csv"],
            ..spec("format")
        },
        spec("timeout"),
    ];

    fn options(pairs: &[(&str, &str)]) -> RawOptions {
        pairs.iter().copied().collect()
    }

    #[test]
    fn parses_every_basic_type() {
        assert_eq!(u64::parse_option("1_000"), Ok(1000));
        assert!(u8::parse_option("256").is_err());
        assert!(u32::parse_option("-1").is_err());
        assert_eq!(i64::parse_option(" -5 "), Ok(-5));
        assert_eq!(f64::parse_option("2.5"), Ok(2.5));
        assert!(f64::parse_option("NaN").is_err());
        assert_eq!(bool::parse_option("TRUE"), Ok(true));
        assert!(bool::parse_option("yes").is_err());
        assert_eq!(String::parse_option(" a "), Ok(" a ".to_string()));
        assert_eq!(char::parse_option(";"), Ok(';'));
        assert!(char::parse_option(";;").is_err());
        assert_eq!(
            Duration::parse_option("1m 30s"),
            Ok(Duration::from_secs(90))
        );
        assert_eq!(
            Duration::parse_option("250ms"),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(PathBuf::parse_option("/tmp/x"), Ok(PathBuf::from("/tmp/x")));
        assert_eq!(Vec::<u32>::parse_option("1, 2,3"), Ok(vec![1, 2, 3]));
        assert_eq!(Vec::<u32>::parse_option(""), Ok(vec![]));
        assert_eq!(
            Vec::<u32>::parse_option("1,x"),
            Err("item `x` is not valid: invalid digit found in string".to_string())
        );
    }

    #[test]
    fn keys_are_case_insensitive() {
        let raw = options(&[("NUMROWS", "7"), ("url", "x")]);
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        assert_eq!(parser.parse::<u64>(&SPECS[0], |_| true), Some(7));
        assert_eq!(
            parser.parse::<String>(&SPECS[2], |_| true),
            Some("x".into())
        );
        assert!(parser.finish().is_ok());
    }

    #[test]
    fn absent_optional_is_none_and_absent_required_is_a_problem() {
        let raw = RawOptions::new();
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        assert_eq!(parser.parse::<u64>(&SPECS[0], |_| true), None);
        assert_eq!(parser.parse::<String>(&SPECS[2], |_| true), None);
        let error = parser.finish().unwrap_err();
        assert_eq!(
            error.to_string(),
            "data source `src`: 1 invalid option\n  - option `url` is required (a string): Where to connect."
        );
    }

    #[test]
    fn out_of_range_names_option_value_and_range() {
        let raw = options(&[("numpartitions", "0")]);
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        assert_eq!(
            parser.parse::<u32>(&SPECS[1], |v| (1..=1024).contains(v)),
            None
        );
        let text = parser.finish().unwrap_err().to_string();
        assert!(
            text.contains("option `numPartitions`: got `0`, expected a whole number (0 to 4294967295) in 1..=1024"),
            "{text}"
        );
    }

    #[test]
    fn choices_match_ignoring_case_and_list_the_choices() {
        let raw = options(&[("format", "JSON")]);
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        assert_eq!(
            parser.parse::<String>(&SPECS[4], |_| true),
            Some("json".into())
        );
        assert!(parser.finish().is_ok());

        let raw = options(&[("format", "xml")]);
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        assert_eq!(parser.parse::<String>(&SPECS[4], |_| true), None);
        let text = parser.finish().unwrap_err().to_string();
        assert!(
            text.contains("got `xml`, expected one of `json`, `csv`"),
            "{text}"
        );
    }

    #[test]
    fn every_problem_is_reported_together_with_a_suggestion() {
        let raw = options(&[
            ("numrows", "many"),
            ("numpartitons", "4"),
            ("timeout", "soon"),
        ]);
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        parser.parse::<u64>(&SPECS[0], |_| true);
        parser.parse::<String>(&SPECS[2], |_| true);
        parser.parse::<Duration>(&SPECS[5], |_| true);
        let error = parser.finish().unwrap_err();
        assert_eq!(error.problems.len(), 4, "{error}");
        let text = error.to_string();
        assert!(
            text.starts_with("data source `src`: 4 invalid options"),
            "{text}"
        );
        assert!(
            text.contains("option `numRows`: got `many`, expected a whole number"),
            "{text}"
        );
        assert!(text.contains("option `url` is required"), "{text}");
        assert!(text.contains("option `timeout`: got `soon`"), "{text}");
        assert!(
            text.contains("unknown option `numpartitons`; did you mean `numPartitions`?"),
            "{text}"
        );
        assert!(
            text.contains("valid options: numRows, numPartitions, url, password, format, timeout"),
            "{text}"
        );
    }

    #[test]
    fn unrelated_unknown_key_gets_no_suggestion() {
        assert_eq!(suggest("zzz", &SPECS), None);
        assert_eq!(suggest("numrow", &SPECS), Some("numRows"));
    }

    #[test]
    fn secrets_never_appear_in_errors() {
        let raw = options(&[("password", "hunter2-but-not-a-number")]);
        let mut parser = OptionsParser::new("src", &SPECS, &raw);
        assert_eq!(parser.parse::<Secret<u64>>(&SPECS[3], |_| true), None);
        let error = parser.finish().unwrap_err();
        let text = format!("{error} {error:?} {raw:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("option `password`: got a value (secret, not shown)"),
            "{text}"
        );
    }
}
