//! Spark's raw options, the parser generated code runs over them, and the error that lists
//! every problem at once.

use std::collections::BTreeMap;
use std::fmt;

use super::spec::OptionSpec;
use super::value::OptionValue;

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

/// What is wrong with the options given to a source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required option was not given.
    Missing {
        /// The option's name, as Spark users write it.
        option: &'static str,
        /// What a valid value looks like: the type's description, its range or its choices.
        expected: String,
        /// The option's doc comment (empty without one), so the error says what it is for.
        help: &'static str,
    },
    /// A value that does not parse or is out of bounds. `value` is `None` for secrets.
    Invalid {
        /// The key that was given: the option's name, or a whole key under a prefix option.
        option: String,
        /// The value given, or `None` for a secret's (never shown).
        value: Option<String>,
        /// What a valid value looks like.
        expected: String,
        /// Why the value's parsing failed, beyond `expected`; empty when that says it all.
        reason: String,
    },
    /// A key no option has.
    Unknown {
        /// The key as given (Spark lower-cases option keys).
        key: String,
        /// The option name closest to it, when one is close enough to be a typo.
        suggestion: Option<&'static str>,
    },
    /// None of a one-of group was given, and one must be.
    MissingOneOf {
        /// Every option of the group.
        options: Vec<&'static str>,
    },
    /// Several of a one-of group were given.
    Conflict {
        /// The options of the group that were given.
        options: Vec<&'static str>,
    },
    /// The options parse one by one, but not together: what the source's validation said.
    Together(String),
    /// `CREATE TABLE ... USING <source> OPTIONS (...)`: Spark keeps no options for a Python
    /// data source's table, so reading it would silently use none of these.
    CatalogTableOptions {
        /// The keys of the table's `OPTIONS`.
        options: Vec<String>,
    },
    /// A mistake in the source's own declaration that the compiler could not see (two
    /// flattened groups declaring the same option).
    Declaration(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing {
                option,
                expected,
                help,
            } => {
                write!(f, "option `{option}` is required: {expected}")?;
                if !help.is_empty() {
                    // The help as its own sentence: it may hold parentheses of its own.
                    write!(f, ". {}", help.trim_end_matches('.'))?;
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
                    Some(value) => write!(
                        f,
                        "option `{option}`: got `{}`, expected {expected}",
                        echo(&crate::redact::redact(value))
                    )?,
                    None => write!(
                        f,
                        "option `{option}`: got a value (secret, not shown) that is not {expected}"
                    )?,
                }
                if !reason.is_empty() {
                    write!(f, ": {reason}")?;
                }
                Ok(())
            }
            Problem::Unknown { key, suggestion } => {
                write!(f, "unknown option `{}`", echo(key))?;
                if let Some(suggestion) = suggestion {
                    write!(f, "; did you mean `{suggestion}`?")?;
                }
                Ok(())
            }
            Problem::MissingOneOf { options } => {
                write!(
                    f,
                    "one of the options {} is required",
                    listed(options, " or ")
                )
            }
            Problem::Conflict { options } => write!(
                f,
                "options {} exclude each other: give only one",
                listed(options, " and ")
            ),
            Problem::CatalogTableOptions { options } => write!(
                f,
                "`CREATE TABLE ... USING` with OPTIONS ({}): Spark keeps no options for a \
                 Python data source's table, so every read of it would use none of them (each \
                 option at its default, required ones missing). Read with \
                 `spark.read.format(...).option(...)`, or keep the options in a view: \
                 `CREATE TEMPORARY VIEW <name> USING <format> OPTIONS (...)`",
                options
                    .iter()
                    .map(|key| echo(key))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Problem::Declaration(message) | Problem::Together(message) => f.write_str(message),
        }
    }
}

/// The longest stretch of a user's key or value an error quotes.
const ECHOED_CHARS: usize = 100;

/// A user's text as an error quotes it: control characters escaped (a newline cannot start a
/// line of its own), and cut to [`ECHOED_CHARS`] with the full length given.
pub(crate) fn echo(text: &str) -> String {
    let mut shown = String::new();
    for (index, c) in text.chars().enumerate() {
        if index == ECHOED_CHARS {
            shown.push_str(&format!("... ({} characters in all)", text.chars().count()));
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// "it holds a control character ..." for a value that holds one (a NUL, a newline, an escape),
/// naming the first and where it is; such a value is rarely meant.
fn control_character(value: &str) -> Option<String> {
    let (index, c) = value.chars().enumerate().find(|(_, c)| c.is_control())?;
    Some(format!(
        "it holds a control character (`{}`, character {} of {})",
        c.escape_default(),
        index + 1,
        value.chars().count()
    ))
}

/// Whether `text` is written as a whole number (a sign, digits, `_` between digits).
fn is_integer_literal(text: &str) -> bool {
    let digits = text.trim();
    let digits = digits.strip_prefix(['+', '-']).unwrap_or(digits);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_')
}

fn listed(options: &[&str], last_separator: &str) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{}{last_separator}{last}", rest.join(", "))
        }
        _ => quoted.join(""),
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

impl OptionsError {
    /// The options of `source` parsed, but its validation refused them with `error`.
    pub fn invalid_together(source: &'static str, error: &crate::Error) -> Self {
        OptionsError {
            source,
            problems: vec![Problem::Together(format!("{error:#}"))],
            valid: Vec::new(),
        }
    }
}

/// A default of an option, as generated code hands it to [`OptionsParser::option`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct DefaultValue<T> {
    /// The value (a function, so it is built only when needed).
    pub value: fn() -> T,
    /// The default as the user wrote it, when it was a literal: its documentation.
    pub literal: Option<&'static str>,
    /// The default's expression as written, documentation of last resort.
    pub written: &'static str,
}

/// Parses options one field at a time, collecting problems: what `#[data_source]` and
/// `#[derive(Options)]` code runs. The same code, run in describe mode, lists the options.
#[doc(hidden)]
#[derive(Debug)]
pub struct OptionsParser<'a> {
    source: &'static str,
    mode: Mode<'a>,
    problems: Vec<Problem>,
}

#[derive(Debug)]
enum Mode<'a> {
    /// Reading Spark's options; `specs` are every option of the source.
    Parse {
        raw: &'a RawOptions,
        specs: &'static [OptionSpec],
    },
    /// Listing the options the code reads, with nothing to read.
    Describe { specs: Vec<OptionSpec> },
}

impl<'a> OptionsParser<'a> {
    /// Starts parsing `raw` for the source named `source`, whose options are `specs`.
    pub fn new(source: &'static str, specs: &'static [OptionSpec], raw: &'a RawOptions) -> Self {
        let mut problems = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            if let Some(first) = specs[..index]
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(spec.name))
            {
                problems.push(Problem::Declaration(format!(
                    "the source declares option `{}` twice (fields `{}` and `{}`); rename one \
                     with `#[option(name = \"...\")]`",
                    spec.name, first.field, spec.field
                )));
            }
        }
        OptionsParser {
            source,
            mode: Mode::Parse { raw, specs },
            problems,
        }
    }

    /// Whether this parser only lists the options (and every read gives `None`).
    pub fn is_describing(&self) -> bool {
        matches!(self.mode, Mode::Describe { .. })
    }

    /// Whether the option was given at all.
    pub fn is_given(&self, spec: &OptionSpec) -> bool {
        match &self.mode {
            Mode::Parse { raw, .. } => raw.get(spec.name).is_some(),
            Mode::Describe { .. } => false,
        }
    }

    /// Reads one option: its value if it was given and is valid, else its default; records a
    /// problem if it is invalid or missing. `None` for an absent option with no default that is
    /// not required. In describe mode, records `spec` (completed from `T`) and gives `None`.
    pub fn option<T: OptionValue>(
        &mut self,
        mut spec: OptionSpec,
        default: Option<DefaultValue<T>>,
        in_range: impl FnOnce(&T) -> bool,
    ) -> Option<T> {
        spec.secret |= T::SECRET;
        if spec.choices.is_empty() {
            spec.choices = T::CHOICES;
        }
        let raw = match &mut self.mode {
            Mode::Describe { specs } => {
                spec.default = default.map(|default| match default.literal {
                    Some(literal) => literal.to_owned(),
                    None => (default.value)()
                        .to_option_text()
                        .unwrap_or_else(|| default.written.to_owned()),
                });
                specs.push(spec);
                return None;
            }
            Mode::Parse { raw, .. } => *raw,
        };
        let Some(given) = raw.get(spec.name) else {
            if let Some(default) = default {
                return Some((default.value)());
            }
            if spec.required {
                self.problems.push(Problem::Missing {
                    option: spec.name,
                    expected: spec.expected(&T::expected()),
                    help: spec.help,
                });
            }
            return None;
        };
        self.value_of(&spec, spec.name, given, in_range)
    }

    /// Reads every option whose key starts with `spec.name` (a prefix, ignoring case) into a
    /// map from the rest of the key (as Spark gives it: lower-cased) to its value, each parsed
    /// as `T` and named in errors by its whole key. Keys that are options of their own are left
    /// to them. In describe mode, records `spec` and gives `None`.
    pub fn prefixed<T: OptionValue>(
        &mut self,
        mut spec: OptionSpec,
    ) -> Option<BTreeMap<String, T>> {
        spec.secret |= T::SECRET;
        spec.prefix = true;
        if spec.choices.is_empty() {
            spec.choices = T::CHOICES;
        }
        let (raw, specs) = match &mut self.mode {
            Mode::Describe { specs } => {
                specs.push(spec);
                return None;
            }
            Mode::Parse { raw, specs } => (*raw, *specs),
        };
        let mut values = BTreeMap::new();
        let mut valid = true;
        for (key, given) in raw.iter() {
            let Some(rest) = strip_prefix_ignoring_case(key, spec.name) else {
                continue;
            };
            if specs
                .iter()
                .any(|s| !s.prefix && s.name.eq_ignore_ascii_case(key))
            {
                continue;
            }
            if rest.is_empty() {
                self.problems.push(Problem::Invalid {
                    option: key.to_owned(),
                    value: (!spec.secret).then(|| given.to_owned()),
                    expected: format!("a key after `{}`", spec.name),
                    reason: String::new(),
                });
                valid = false;
                continue;
            }
            match self.value_of(&spec, key, given, |_: &T| true) {
                Some(value) => {
                    values.insert(rest.to_owned(), value);
                }
                None => valid = false,
            }
        }
        valid.then_some(values)
    }

    /// The value `given` of option `name` (described by `spec`), parsed as `T`; records a
    /// problem and gives `None` if it does not parse or is out of range. A secret's value may
    /// be a reference (`env:`, `file:`), read here, and is registered for masking.
    fn value_of<T: OptionValue>(
        &mut self,
        spec: &OptionSpec,
        name: &str,
        given: &str,
        in_range: impl FnOnce(&T) -> bool,
    ) -> Option<T> {
        let expected = || spec.expected(&T::expected());
        let mut given = given;
        let referenced;
        if spec.secret {
            match crate::secret::resolve_reference(given) {
                Ok(None) => {}
                Ok(Some(secret)) => {
                    referenced = secret;
                    given = &referenced;
                }
                Err(reason) => {
                    // The reference is no secret: it is shown, as the user wrote it.
                    self.problems.push(Problem::Invalid {
                        option: name.to_owned(),
                        value: Some(given.to_owned()),
                        expected: expected(),
                        reason,
                    });
                    return None;
                }
            }
            crate::redact::register_source_secret(self.source, given);
        }
        let text = if spec.choices.is_empty() {
            Some(given)
        } else {
            spec.choices
                .iter()
                .find(|choice| choice.name.eq_ignore_ascii_case(given.trim()))
                .map(|choice| choice.name)
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
                let reason = if let Some(control) = control_character(given) {
                    // The likeliest cause, and one the escaped echo alone does not make plain.
                    if reason.is_empty() || spec.secret {
                        control
                    } else {
                        format!("{reason} ({control})")
                    }
                } else if spec.secret || (spec.range.is_some() && is_integer_literal(given)) {
                    // A number out of the type's bounds is out of the declared range too:
                    // one range is stated, the declared one.
                    String::new()
                } else {
                    reason
                };
                self.problems.push(Problem::Invalid {
                    option: name.to_owned(),
                    value: (!spec.secret).then(|| given.to_owned()),
                    expected: expected(),
                    reason,
                });
                None
            }
        }
    }

    /// Which option of a one-of `group` was given; records a problem (and gives `None`) when
    /// several were, or none was. Gives `None` in describe mode.
    pub fn choose_one(&mut self, group: &[OptionSpec]) -> Option<usize> {
        let given: Vec<usize> = (0..group.len())
            .filter(|&index| self.is_given(&group[index]))
            .collect();
        if self.is_describing() {
            return None;
        }
        let names =
            |indices: &mut dyn Iterator<Item = usize>| indices.map(|i| group[i].name).collect();
        match given.as_slice() {
            [one] => Some(*one),
            [] => {
                self.problems.push(Problem::MissingOneOf {
                    options: names(&mut (0..group.len())),
                });
                None
            }
            _ => {
                self.problems.push(Problem::Conflict {
                    options: names(&mut given.iter().copied()),
                });
                None
            }
        }
    }

    /// Runs `describe` (the reading of an optional group) and marks the options it recorded
    /// as not required: the group as a whole may be left out.
    pub fn describe_optional(&mut self, describe: impl FnOnce(&mut Self)) {
        let start = match &self.mode {
            Mode::Describe { specs } => specs.len(),
            Mode::Parse { .. } => return,
        };
        describe(self);
        if let Mode::Describe { specs } = &mut self.mode {
            for spec in &mut specs[start..] {
                spec.required = false;
            }
        }
    }

    /// Checks for unknown keys; `value` (what the fields parsed into) if there was no problem.
    /// Keys Spark adds itself are not unknown (see [`is_spark_key`]).
    pub fn finish<T>(mut self, value: Option<T>) -> Result<T, OptionsError> {
        let specs = match &self.mode {
            Mode::Parse { raw, specs } => {
                for (key, _) in raw.iter() {
                    let known = |s: &OptionSpec| match s.prefix {
                        true => strip_prefix_ignoring_case(key, s.name).is_some(),
                        false => s.name.eq_ignore_ascii_case(key),
                    };
                    if !specs.iter().any(known) && !is_spark_key(key, raw) {
                        self.problems.push(Problem::Unknown {
                            key: key.to_owned(),
                            suggestion: suggest(key, specs),
                        });
                    }
                }
                if let Some(options) = catalog_table_options(raw) {
                    self.problems
                        .insert(0, Problem::CatalogTableOptions { options });
                }
                *specs
            }
            Mode::Describe { .. } => &[],
        };
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ => {
                if self.problems.is_empty() {
                    // Parsers record a problem whenever they give no value; keep it that way.
                    self.problems.push(Problem::Declaration(
                        "the options did not parse, for no recorded reason (an SDK bug)".into(),
                    ));
                }
                Err(OptionsError {
                    source: self.source,
                    problems: self.problems,
                    valid: specs.iter().map(|s| s.name).collect(),
                })
            }
        }
    }
}

/// The properties Spark's catalog keeps for a table (`TableCatalog.PROP_*`), which it hands a
/// source among its options when it reads a table made with `CREATE TABLE ... USING`.
const SPARK_TABLE_PROPERTIES: &[&str] = &[
    "location",
    "is_managed_location",
    "external",
    "table_type",
    "comment",
    "collation",
    "provider",
    "owner",
];

/// Whether `key` (lowercased) is one Spark adds itself: a catalog table's property, an
/// `option.`-prefixed copy of an option (`TableCatalog.OPTION_PREFIX`), the `path` it copies
/// from the table's `LOCATION`, or a streaming query's `checkpointLocation`. A source that
/// declares such an option still gets it.
pub fn is_spark_key(key: &str, raw: &RawOptions) -> bool {
    SPARK_TABLE_PROPERTIES.contains(&key)
        || key == "checkpointlocation"
        || key.starts_with("option.")
        || (key == "path" && raw.get("path").is_some() && raw.get("path") == raw.get("location"))
}

/// `key` without `prefix`, when it starts with it (ignoring ASCII case).
fn strip_prefix_ignoring_case<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    let head = key.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &key[prefix.len()..])
}

/// The user's options of a `CREATE TABLE ... USING ... OPTIONS (...)`: Spark shows a source
/// each of them twice there, as itself and as `option.<key>`, beside the table's `provider`.
/// (Reading the table later, PySpark up to 4.3 passes no options at all.)
fn catalog_table_options(raw: &RawOptions) -> Option<Vec<String>> {
    raw.get("provider")?;
    let options: Vec<String> = raw
        .iter()
        .filter_map(|(key, _)| key.strip_prefix("option."))
        .filter(|key| !is_spark_key(key, raw) && *key != "path")
        .map(str::to_owned)
        .collect();
    (!options.is_empty()).then_some(options)
}

/// Every option the options of `T` read, in field order: `T::parse` run in describe mode.
#[doc(hidden)]
pub fn describe<T: super::Options>() -> Vec<OptionSpec> {
    let mut parser = OptionsParser {
        source: "",
        mode: Mode::Describe { specs: Vec::new() },
        problems: Vec::new(),
    };
    T::parse(&mut parser);
    match parser.mode {
        Mode::Describe { specs } => specs,
        Mode::Parse { .. } => unreachable!("the parser was made to describe"),
    }
}

/// The option name closest to an unknown key, if one is close enough to be a typo.
fn suggest(key: &str, specs: &[OptionSpec]) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;
    use std::time::Duration;

    use super::*;
    use crate::options::value::Choice;
    use crate::secret::Secret;

    static SPECS: LazyLock<Vec<OptionSpec>> = LazyLock::new(|| {
        vec![
            OptionSpec::named("numRows"),
            OptionSpec {
                range: Some("1..=1024"),
                ..OptionSpec::named("numPartitions")
            },
            OptionSpec {
                required: true,
                help: "Where to connect.",
                ..OptionSpec::named("url")
            },
            OptionSpec {
                secret: true,
                ..OptionSpec::named("password")
            },
            OptionSpec {
                choices: &[
                    Choice {
                        name: "json",
                        help: "",
                    },
                    Choice {
                        name: "csv",
                        help: "",
                    },
                ],
                ..OptionSpec::named("format")
            },
            OptionSpec::named("timeout"),
            OptionSpec {
                required: true,
                exclusive_with: &["query"],
                ..OptionSpec::named("table")
            },
            OptionSpec {
                required: true,
                exclusive_with: &["table"],
                ..OptionSpec::named("query")
            },
        ]
    });

    fn spec(index: usize) -> &'static OptionSpec {
        &SPECS[index]
    }

    fn options(pairs: &[(&str, &str)]) -> RawOptions {
        pairs.iter().copied().collect()
    }

    fn parser_of(raw: &RawOptions) -> OptionsParser<'_> {
        OptionsParser::new("src", &SPECS, raw)
    }

    /// `url`, a `conn.` prefix and a secret `auth.` prefix.
    static PREFIXED: LazyLock<Vec<OptionSpec>> = LazyLock::new(|| {
        vec![
            OptionSpec::named("url"),
            OptionSpec {
                prefix: true,
                ..OptionSpec::named("conn.")
            },
            OptionSpec {
                prefix: true,
                secret: true,
                ..OptionSpec::named("auth.")
            },
            OptionSpec::named("conn.timeout"),
        ]
    });

    /// The `conn.` and `auth.` maps.
    type Prefixed = (
        BTreeMap<String, u32>,
        BTreeMap<String, crate::Secret<String>>,
    );

    fn parse_prefixed(pairs: &[(&str, &str)]) -> Result<Prefixed, OptionsError> {
        let raw = options(pairs);
        let mut parser = OptionsParser::new("src", &PREFIXED, &raw);
        parser.option::<String>(PREFIXED[0].clone(), None, |_| true);
        let conn = parser.prefixed::<u32>(PREFIXED[1].clone());
        let auth = parser.prefixed::<crate::Secret<String>>(PREFIXED[2].clone());
        parser.option::<u32>(PREFIXED[3].clone(), None, |_| true);
        let parsed = conn.zip(auth);
        parser.finish(parsed)
    }

    #[test]
    fn a_prefix_takes_every_key_it_starts() {
        let (conn, auth) = parse_prefixed(&[
            ("url", "u"),
            ("conn.retries", "3"),
            ("CONN.Pool.Size", "8"),
            ("conn.timeout", "30"),
            ("auth.token", "s3cr3t-value"),
        ])
        .unwrap();
        // The rest of each key, lower-cased as Spark gives every key; a key declared on its
        // own is not the map's.
        assert_eq!(
            conn,
            BTreeMap::from([("pool.size".to_owned(), 8), ("retries".to_owned(), 3)])
        );
        assert_eq!(auth["token"].expose(), "s3cr3t-value");
        // Its values are secrets of this source: masked in its text.
        assert_eq!(
            crate::redact::redact_for("src", "sent s3cr3t-value"),
            "sent ***"
        );
        assert_eq!(parse_prefixed(&[("url", "u")]).unwrap().0.len(), 0);
    }

    #[test]
    fn a_prefixed_value_that_does_not_parse_is_named_by_its_whole_key() {
        let text = parse_prefixed(&[
            ("url", "u"),
            ("conn.retries", "many"),
            ("conn.", "1"),
            ("auth.token", "env:SDK_TEST_SURELY_UNSET_VARIABLE"),
            ("other", "x"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            text.contains("option `conn.retries`: got `many`, expected"),
            "{text}"
        );
        assert!(
            text.contains("option `conn.`: got `1`, expected a key after `conn.`"),
            "{text}"
        );
        assert!(
            text.contains("option `auth.token`: got `env:SDK_TEST_SURELY_UNSET_VARIABLE`"),
            "{text}"
        );
        assert!(text.contains("unknown option `other`"), "{text}");
        assert!(!text.contains("unknown option `conn"), "{text}");
    }

    #[test]
    fn keys_are_case_insensitive() {
        let raw = options(&[("NUMROWS", "7"), ("url", "x")]);
        let mut parser = parser_of(&raw);
        let rows = parser.option::<u64>(spec(0).clone(), None, |_| true);
        let url = parser.option::<String>(spec(2).clone(), None, |_| true);
        assert_eq!(
            parser.finish(Some((rows, url))).unwrap(),
            (Some(7), Some("x".into()))
        );
    }

    #[test]
    fn absent_optional_is_none_and_absent_required_is_a_problem() {
        let raw = RawOptions::new();
        let mut parser = parser_of(&raw);
        assert_eq!(parser.option::<u64>(spec(0).clone(), None, |_| true), None);
        assert_eq!(
            parser.option::<String>(spec(2).clone(), None, |_| true),
            None
        );
        let error = parser.finish(None::<()>).unwrap_err();
        assert_eq!(
            error.to_string(),
            "data source `src`: 1 invalid option\n  - option `url` is required: a string. Where to connect"
        );
    }

    #[test]
    fn out_of_range_names_option_value_and_range() {
        let raw = options(&[("numpartitions", "0")]);
        let mut parser = parser_of(&raw);
        assert_eq!(
            parser.option::<u32>(spec(1).clone(), None, |v| (1..=1024).contains(v)),
            None
        );
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(
            text.ends_with("option `numPartitions`: got `0`, expected a whole number in 1..=1024"),
            "{text}"
        );
    }

    #[test]
    fn choices_match_ignoring_case_and_list_the_choices() {
        let raw = options(&[("format", "JSON")]);
        let mut parser = parser_of(&raw);
        let format = parser.option::<String>(spec(4).clone(), None, |_| true);
        assert_eq!(parser.finish(format).unwrap(), "json");

        let raw = options(&[("format", "xml")]);
        let mut parser = parser_of(&raw);
        assert_eq!(
            parser.option::<String>(spec(4).clone(), None, |_| true),
            None
        );
        let text = parser.finish(Some(())).unwrap_err().to_string();
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
        let mut parser = parser_of(&raw);
        parser.option::<u64>(spec(0).clone(), None, |_| true);
        parser.option::<String>(spec(2).clone(), None, |_| true);
        parser.option::<Duration>(spec(5).clone(), None, |_| true);
        let error = parser.finish(Some(())).unwrap_err();
        assert_eq!(error.problems.len(), 4, "{error}");
        let text = error.to_string();
        assert!(
            text.starts_with("data source `src`: 4 invalid options"),
            "{text}"
        );
        assert!(
            text.contains("option `numRows`: got `many`, expected a whole number: invalid digit"),
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
        let mut parser = parser_of(&raw);
        assert_eq!(
            parser.option::<Secret<u64>>(spec(3).clone(), None, |_| true),
            None
        );
        let error = parser.finish(Some(())).unwrap_err();
        let text = format!("{error} {error:?} {raw:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("option `password`: got a value (secret, not shown)"),
            "{text}"
        );
    }

    #[test]
    fn secrets_given_by_reference_are_read_here_and_masked() {
        let dir = std::env::temp_dir().join(format!("parser-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("password");
        std::fs::write(&file, "40960217\n").unwrap();
        let raw = options(&[("password", &format!("file:{}", file.display()))]);
        let mut parser = parser_of(&raw);
        let read = parser.option::<Secret<u64>>(spec(3).clone(), None, |_| true);
        assert_eq!(read, Some(Secret::new(40960217)));
        assert!(parser.finish(Some(())).is_ok());
        assert_eq!(crate::redact::redact("got 40960217"), "got ***");

        // A file holding what the type refuses: the value stays unshown.
        std::fs::write(&file, "hunter2-in-a-file\n").unwrap();
        let mut parser = parser_of(&raw);
        assert_eq!(
            parser.option::<Secret<u64>>(spec(3).clone(), None, |_| true),
            None
        );
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("(secret, not shown)"), "{text}");

        // A reference that cannot be read here: named, with what to do.
        let raw = options(&[("password", "env:DATASOURCE_PARSER_TEST_UNSET")]);
        let mut parser = parser_of(&raw);
        assert_eq!(
            parser.option::<Secret<u64>>(spec(3).clone(), None, |_| true),
            None
        );
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(
            text.contains("option `password`")
                && text.contains("env:DATASOURCE_PARSER_TEST_UNSET")
                && text.contains("is not set on this node"),
            "{text}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn one_of_a_group_must_be_given_and_only_one() {
        let group: &'static [OptionSpec] = &SPECS[6..8];
        let raw = options(&[("query", "select 1")]);
        let mut parser = parser_of(&raw);
        assert_eq!(parser.choose_one(group), Some(1));
        assert!(parser.finish(Some(())).is_ok());

        let raw = RawOptions::new();
        let mut parser = parser_of(&raw);
        assert_eq!(parser.choose_one(group), None);
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(
            text.contains("one of the options `table` or `query` is required"),
            "{text}"
        );

        let raw = options(&[("table", "t"), ("QUERY", "q")]);
        let mut parser = parser_of(&raw);
        assert_eq!(parser.choose_one(group), None);
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(
            text.contains("options `table` and `query` exclude each other: give only one"),
            "{text}"
        );
    }

    #[test]
    fn defaults_fill_in_and_are_described() {
        let raw = RawOptions::new();
        let mut parser = parser_of(&raw);
        let default = DefaultValue {
            value: || 7u64,
            literal: None,
            written: "seven()",
        };
        assert_eq!(
            parser.option(spec(0).clone(), Some(default), |_| true),
            Some(7)
        );

        let mut describing = OptionsParser {
            source: "",
            mode: Mode::Describe { specs: Vec::new() },
            problems: Vec::new(),
        };
        assert_eq!(
            describing.option(spec(0).clone(), Some(default), |_| true),
            None
        );
        let Mode::Describe { specs } = describing.mode else {
            panic!("describing")
        };
        assert_eq!(specs[0].default.as_deref(), Some("7"));
    }

    #[test]
    fn echoed_text_is_escaped_and_bounded() {
        let forged = "us\n  - option `numRows`: got `5`, all good";
        let raw = options(&[("format", forged), ("\u{1b}[31mkey", "1")]);
        let mut parser = parser_of(&raw);
        parser.option::<String>(spec(4).clone(), None, |_| true);
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.contains("got `us\\n  - option"), "{text}");
        assert!(text.contains("unknown option `\\u{1b}[31mkey`"), "{text}");

        let long = "x".repeat(1_000_000);
        let raw = options(&[("format", &long)]);
        let mut parser = parser_of(&raw);
        parser.option::<String>(spec(4).clone(), None, |_| true);
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(text.len() < 400, "{}", text.len());
        assert!(text.contains("... (1000000 characters in all)"), "{text}");
    }

    #[test]
    fn options_of_a_catalog_table_spark_would_drop_are_refused() {
        // What a source receives at `CREATE TABLE t USING src OPTIONS (numRows '5')`.
        let raw = options(&[
            ("numrows", "5"),
            ("option.numrows", "5"),
            ("provider", "src"),
            ("owner", "someone"),
            ("url", "u"),
            ("option.url", "u"),
        ]);
        let mut parser = parser_of(&raw);
        parser.option::<String>(spec(2).clone(), None, |_| true);
        parser.option::<u64>(spec(0).clone(), None, |_| true);
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(
            text.contains(
                "`CREATE TABLE ... USING` with OPTIONS (numrows, url): Spark keeps no options"
            ) && text.contains("CREATE TEMPORARY VIEW"),
            "{text}"
        );
    }

    #[test]
    fn keys_spark_adds_for_a_catalog_table_are_not_unknown() {
        // What a source receives for a table made without options (`CREATE TABLE t USING src
        // LOCATION '/tmp/t' COMMENT 'c'`), and keys a streaming query adds.
        let raw = options(&[
            ("numrows", "5"),
            ("provider", "src"),
            ("owner", "someone"),
            ("comment", "c"),
            ("location", "file:/tmp/t"),
            ("path", "file:/tmp/t"),
            ("checkpointlocation", "/tmp/checkpoint"),
            ("url", "u"),
        ]);
        let mut parser = parser_of(&raw);
        parser.option::<String>(spec(2).clone(), None, |_| true);
        assert_eq!(
            parser.option::<u64>(spec(0).clone(), None, |_| true),
            Some(5)
        );
        assert!(parser.finish(Some(())).is_ok());
        // A `path` of its own is still the user's key, and still unknown.
        let raw = options(&[("url", "u"), ("path", "/data")]);
        let mut parser = parser_of(&raw);
        parser.option::<String>(spec(2).clone(), None, |_| true);
        let text = parser.finish(Some(())).unwrap_err().to_string();
        assert!(text.contains("unknown option `path`"), "{text}");
    }

    #[test]
    fn a_name_declared_twice_is_reported() {
        static TWICE: LazyLock<Vec<OptionSpec>> = LazyLock::new(|| {
            vec![
                OptionSpec {
                    field: "a",
                    ..OptionSpec::named("path")
                },
                OptionSpec {
                    field: "b",
                    ..OptionSpec::named("PATH")
                },
            ]
        });
        let raw = RawOptions::new();
        let text = OptionsParser::new("src", &TWICE, &raw)
            .finish(Some(()))
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("the source declares option `PATH` twice (fields `a` and `b`)"),
            "{text}"
        );
    }

    /// Every option type, with a control character put anywhere into a valid value: the value
    /// is taken (a string may hold one) or refused saying so, never with only "expected ...".
    #[test]
    fn a_value_holding_a_control_character_is_named_as_such() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        fn outcome<T: OptionValue>(index: usize, value: &str) -> Result<(), String> {
            let raw = options(&[("url", "u"), (SPECS[index].name, value)]);
            let mut parser = parser_of(&raw);
            parser.option::<String>(spec(2).clone(), None, |_| true);
            let parsed = parser.option::<T>(spec_of(index), None, |_| true);
            parser
                .finish(Some(parsed))
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        fn spec_of(index: usize) -> OptionSpec {
            SPECS[index].clone()
        }
        type Parse = fn(&str) -> Result<(), String>;
        let valid: &[(&str, Parse)] = &[
            ("12", |v| outcome::<u64>(0, v)),
            ("-12", |v| outcome::<i32>(0, v)),
            ("1.5", |v| outcome::<f64>(0, v)),
            ("true", |v| outcome::<bool>(0, v)),
            ("json", |v| outcome::<String>(4, v)),
            ("30s", |v| outcome::<Duration>(5, v)),
            ("/tmp/out", |v| outcome::<std::path::PathBuf>(0, v)),
            ("x", |v| outcome::<char>(0, v)),
            ("1,2,3", |v| outcome::<Vec<u32>>(0, v)),
            ("a-secret", |v| outcome::<Secret<u64>>(3, v)),
        ];
        let controls = prop::sample::select(vec![
            '\0', '\u{7}', '\t', '\n', '\u{1b}', '\u{7f}', '\u{85}',
        ]);
        let mut runner = TestRunner::new(Config::with_cases(200));
        runner
            .run(
                &(0..valid.len(), controls, 0usize..12),
                |(case, control, at)| {
                    let (value, parse) = valid[case];
                    let mut value: Vec<char> = value.chars().collect();
                    value.insert(at.min(value.len()), control);
                    let value: String = value.into_iter().collect();
                    let outcome = parse(&value);
                    if case == 6 && control == '\0' {
                        prop_assert!(outcome.is_err(), "a path took a NUL: {value:?}");
                    }
                    if let Err(message) = outcome {
                        prop_assert!(
                            message.contains("holds a control character"),
                            "{value:?}: {message}"
                        );
                        prop_assert!(!message.contains('\0'), "echoed raw: {message:?}");
                    }
                    Ok(())
                },
            )
            .unwrap();
        let text = outcome::<String>(4, "json\0").unwrap_err();
        assert!(
            text.ends_with(
                "got `json\\u{0}`, expected one of `json`, `csv`: it holds a control \
                 character (`\\u{0}`, character 5 of 5)"
            ),
            "{text}"
        );
    }

    /// A number beyond its type is beyond the declared range: one range is stated, not two.
    #[test]
    fn a_number_out_of_its_type_names_only_the_declared_range() {
        type Invalid = fn(&OptionSpec, &str) -> String;
        let cases: &[(&str, Invalid)] = &[
            ("18446744073709551616", |s, v| invalid::<u64>(s, v)),
            ("99999999999999999999999", |s, v| invalid::<i64>(s, v)),
            ("-1", |s, v| invalid::<u32>(s, v)),
            ("4_294_967_296", |s, v| invalid::<u32>(s, v)),
            ("-129", |s, v| invalid::<i8>(s, v)),
        ];
        fn invalid<T: OptionValue>(spec: &OptionSpec, value: &str) -> String {
            let raw = options(&[("numPartitions", value)]);
            let mut parser = OptionsParser::new(
                "src",
                std::slice::from_ref(Box::leak(Box::new(spec.clone()))),
                &raw,
            );
            assert!(parser.option::<T>(spec.clone(), None, |_| true).is_none());
            parser.finish(Some(())).unwrap_err().to_string()
        }
        for (value, parse) in cases {
            let text = parse(spec(1), value);
            assert!(
                text.ends_with(&format!(
                    "option `numPartitions`: got `{value}`, expected a whole number in 1..=1024"
                )) || text.ends_with(&format!(
                    "option `numPartitions`: got `{value}`, expected an integer in 1..=1024"
                )),
                "{text}"
            );
        }
        // Without a declared range, the type's own bounds are the reason.
        let text = invalid::<u8>(&OptionSpec::named("numPartitions"), "256");
        assert!(
            text.ends_with("expected a whole number: it must be in 0..=255"),
            "{text}"
        );
    }
}
