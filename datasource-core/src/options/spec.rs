//! [`OptionSpec`]: one option as `#[data_source]` describes it, and the Markdown table of a
//! source's options.

use super::value::{Choice, one_of};

/// One option of a data source, as `#[data_source]` or `#[derive(Options)]` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSpec {
    /// The name Spark users write (`numPartitions`); matched ignoring case.
    pub name: &'static str,
    /// The Rust field (or enum variant) it fills.
    pub field: &'static str,
    /// The field's doc comment.
    pub help: &'static str,
    /// The field's Rust type, as written.
    pub rust_type: &'static str,
    /// The default, as a user would write it.
    pub default: Option<String>,
    /// Whether the option must be given (for a member of a one-of group: whether one of the
    /// group must be).
    pub required: bool,
    /// Whether the value is secret (never shown).
    pub secret: bool,
    /// The allowed range, as written (`1..=1024`).
    pub range: Option<&'static str>,
    /// The allowed values, matched ignoring case.
    pub choices: &'static [Choice],
    /// The other options of its one-of group: at most one of them may be given.
    pub exclusive_with: &'static [&'static str],
    /// `name` is a prefix (`#[option(prefix = "conn.")]`): every key that starts with it is
    /// one entry of the field's map.
    pub prefix: bool,
}

impl OptionSpec {
    /// A spec with only its name set, the rest empty: a base for struct update syntax.
    pub const fn named(name: &'static str) -> Self {
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
            exclusive_with: &[],
            prefix: false,
        }
    }

    /// What a valid value looks like, given the value type's own description.
    pub fn expected(&self, type_expected: &str) -> String {
        if !self.choices.is_empty() {
            return one_of(self.choices);
        }
        match self.range {
            Some(range) => format!("{type_expected} {}", range_in_words(range)),
            None => type_expected.to_owned(),
        }
    }
}

/// A range as a sentence reads it: `in 1..=64`, but `of at least 2` for `2..` (a range
/// open at the end would run into the sentence's full stop: `in 2...`).
fn range_in_words(range: &str) -> String {
    if let Some(start) = range.strip_suffix("..") {
        return format!("of at least {start}");
    }
    if let Some(end) = range.strip_prefix("..=") {
        return format!("of at most {end}");
    }
    if let Some(end) = range.strip_prefix("..") {
        return format!("below {end}");
    }
    format!("in {range}")
}

/// A Markdown table of options: name, type, default, what is allowed, and the doc comment.
/// Secret defaults are never shown.
pub fn markdown_table(specs: &[OptionSpec]) -> String {
    let mut table = String::from(
        "| option | type | default | allowed | description |\n|---|---|---|---|---|\n",
    );
    for spec in specs {
        let default = match (&spec.default, spec.required) {
            (Some(_), _) if spec.secret => "***".into(),
            (Some(default), _) => format!("`{default}`"),
            (None, true) if !spec.exclusive_with.is_empty() => {
                format!("required, or {}", code_list(spec.exclusive_with, " or "))
            }
            (None, true) => "required".into(),
            (None, false) => "unset".into(),
        };
        let allowed = if !spec.choices.is_empty() {
            let names: Vec<&str> = spec.choices.iter().map(|c| c.name).collect();
            code_list(&names, ", ")
        } else {
            spec.range.map(|r| format!("`{r}`")).unwrap_or_default()
        };
        let mut help = spec.help.replace('\n', " ");
        let explained: Vec<String> = spec
            .choices
            .iter()
            .filter(|c| !c.help.is_empty())
            .map(|c| {
                let help = c.help.replace('\n', " ");
                format!("`{}`: {}", c.name, help.trim_end_matches('.'))
            })
            .collect();
        if !explained.is_empty() {
            help = format!("{help} {}.", explained.join("; "));
        }
        if !spec.exclusive_with.is_empty() {
            help = format!(
                "{help} Not with {}.",
                code_list(spec.exclusive_with, " or ")
            );
        }
        if spec.secret {
            help = format!("{help} (secret: never shown)");
        }
        let name = if spec.prefix {
            format!("{}<key>", spec.name)
        } else {
            spec.name.to_owned()
        };
        table.push_str(&format!(
            "| `{}` | `{}` | {default} | {allowed} | {} |\n",
            name,
            spec.rust_type,
            help.trim()
        ));
    }
    table
}

fn code_list(names: &[&str], separator: &str) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_defaults_choices_groups_and_hides_secrets() {
        let specs = [
            OptionSpec {
                rust_type: "u32",
                default: Some("4".into()),
                range: Some("1..=64"),
                help: "How many.",
                ..OptionSpec::named("parts")
            },
            OptionSpec {
                rust_type: "Mode",
                default: Some("fast".into()),
                choices: &[
                    Choice {
                        name: "fast",
                        help: "Quick.",
                    },
                    Choice {
                        name: "safe",
                        help: "",
                    },
                ],
                ..OptionSpec::named("mode")
            },
            OptionSpec {
                rust_type: "String",
                required: true,
                exclusive_with: &["query"],
                ..OptionSpec::named("table")
            },
            OptionSpec {
                rust_type: "Secret<String>",
                default: Some("hunter2".into()),
                secret: true,
                ..OptionSpec::named("token")
            },
        ];
        let table = markdown_table(&specs);
        assert!(
            table.contains("| `parts` | `u32` | `4` | `1..=64` | How many. |"),
            "{table}"
        );
        assert!(
            table.contains("| `mode` | `Mode` | `fast` | `fast`, `safe` | `fast`: Quick. |"),
            "{table}"
        );
        assert!(
            table.contains("| `table` | `String` | required, or `query` |  | Not with `query`. |"),
            "{table}"
        );
        assert!(
            table.contains("| `token` | `Secret<String>` | *** |  | (secret: never shown) |"),
            "{table}"
        );
        assert!(!table.contains("hunter2"));
    }

    #[test]
    fn open_ranges_read_as_words_so_no_sentence_ends_in_three_dots() {
        let expected = |range| {
            OptionSpec {
                range: Some(range),
                ..OptionSpec::named("n")
            }
            .expected("a whole number")
        };
        assert_eq!(expected("1..=64"), "a whole number in 1..=64");
        assert_eq!(expected("0..10"), "a whole number in 0..10");
        assert_eq!(expected("2.."), "a whole number of at least 2");
        assert_eq!(expected("..=9"), "a whole number of at most 9");
        assert_eq!(expected("..10"), "a whole number below 10");
        for range in ["1..=64", "0..10", "2..", "..=9", "..10", "0.5.."] {
            let sentence = format!("{}.", expected(range));
            assert!(!sentence.contains("..."), "{sentence}");
        }
    }
}
