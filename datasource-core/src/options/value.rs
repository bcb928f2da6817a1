//! [`OptionValue`]: the types an option's string parses into, and what the macros check about
//! them when a crate compiles.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

/// A type an option's string value parses into.
///
/// Implemented for `bool`, integers, `f32`, `f64`, `String`, `char`, `PathBuf`, `Duration`,
/// `Vec<T>` (comma-separated) and `Secret<T>`; `#[derive(OptionValue)]` implements it for an
/// enum of unit variants (a closed set of choices). Implement it by hand for anything else.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a data source option",
    note = "option fields can be bool, integers, f32, f64, String, char, PathBuf, Duration, \
            Secret<T>, Vec<T> (comma-separated), Option<T>, a `#[derive(OptionValue)]` enum, \
            a type implementing `OptionValue`, or a `#[option(flatten)]` group"
)]
pub trait OptionValue: Sized {
    /// The values of a closed set (a `#[derive(OptionValue)]` enum): listed in errors and docs,
    /// matched ignoring case.
    const CHOICES: &'static [Choice] = &[];
    /// Whether values are secret: never shown in errors, logs or docs.
    const SECRET: bool = false;

    /// What a valid value looks like, for error messages ("an integer", "`true` or `false`").
    fn expected() -> String;

    /// Parses Spark's string value; the error says why it is not valid (it may be empty).
    fn parse_option(raw: &str) -> Result<Self, String>;

    /// The value as a user would write it, for documentation (a default written as an
    /// expression); `None` shows the expression as written.
    fn to_option_text(&self) -> Option<String> {
        None
    }
}

/// One value of a closed set of choices, with its doc comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The value as users write it.
    pub name: &'static str,
    /// What it means (the variant's doc comment).
    pub help: &'static str,
}

/// "one of `a`, `b`" for a list of choices.
pub(crate) fn one_of(choices: &[Choice]) -> String {
    let listed: Vec<String> = choices.iter().map(|c| format!("`{}`", c.name)).collect();
    format!("one of {}", listed.join(", "))
}

macro_rules! integer_option {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl OptionValue for $ty {
            fn expected() -> String {
                $what.into()
            }
            fn parse_option(raw: &str) -> Result<Self, String> {
                let digits = without_digit_separators(raw.trim())?;
                digits.parse().map_err(|e: std::num::ParseIntError| {
                    use std::num::IntErrorKind::{NegOverflow, PosOverflow};
                    match e.kind() {
                        PosOverflow | NegOverflow => {
                            format!("it must be in {}..={}", <$ty>::MIN, <$ty>::MAX)
                        }
                        _ => e.to_string(),
                    }
                })
            }
            fn to_option_text(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
        impl RangeOption for $ty {
            fn number(&self) -> Number {
                Number::Int(*self as i128)
            }
        }
    )*};
}

/// `1_000` as `1000`: an underscore may stand between two digits, as in Rust, and nowhere else.
fn without_digit_separators(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let misplaced = bytes.iter().enumerate().any(|(index, &b)| {
        b == b'_'
            && !(index > 0
                && bytes[index - 1].is_ascii_digit()
                && bytes.get(index + 1).is_some_and(u8::is_ascii_digit))
    });
    if misplaced {
        return Err("an underscore may only stand between two digits, as in `1_000`".into());
    }
    Ok(text.replace('_', ""))
}

integer_option! {
    u8 => "a whole number", u16 => "a whole number", u32 => "a whole number",
    u64 => "a whole number", usize => "a whole number",
    i8 => "an integer", i16 => "an integer", i32 => "an integer", i64 => "an integer",
    isize => "an integer",
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
            fn to_option_text(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
        impl RangeOption for $ty {
            fn number(&self) -> Number {
                Number::Float(*self as f64)
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
    fn to_option_text(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl OptionValue for String {
    fn expected() -> String {
        "a string".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        Ok(raw.to_owned())
    }
    fn to_option_text(&self) -> Option<String> {
        Some(self.clone())
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
    fn to_option_text(&self) -> Option<String> {
        Some(self.to_string())
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
        if raw.contains('\0') {
            // No file system has such a name; refused here, it cannot fail a task later.
            return Err("a path cannot hold a NUL character".into());
        }
        Ok(PathBuf::from(raw))
    }
    fn to_option_text(&self) -> Option<String> {
        Some(self.display().to_string())
    }
}

impl OptionValue for Duration {
    fn expected() -> String {
        "a duration such as `500ms`, `30s` or `2m`".into()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        humantime::parse_duration(raw.trim()).map_err(|e| e.to_string())
    }
    fn to_option_text(&self) -> Option<String> {
        Some(humantime::format_duration(*self).to_string())
    }
}

impl<T: OptionValue> OptionValue for Vec<T> {
    const SECRET: bool = T::SECRET;

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
                    if T::SECRET {
                        return "an item is not valid".to_owned();
                    }
                    let reason = if e.is_empty() {
                        String::new()
                    } else {
                        format!(": {e}")
                    };
                    format!(
                        "item `{}` is not valid{reason}",
                        super::parser::echo(item.trim())
                    )
                })
            })
            .collect()
    }
    fn to_option_text(&self) -> Option<String> {
        let items: Option<Vec<String>> = self.iter().map(T::to_option_text).collect();
        items.map(|items| items.join(","))
    }
}

impl<T: OptionValue> OptionValue for Secret<T> {
    const SECRET: bool = true;

    fn expected() -> String {
        T::expected()
    }
    fn parse_option(raw: &str) -> Result<Self, String> {
        // The inner reason could quote the value: drop it.
        T::parse_option(raw)
            .map(Secret::new)
            .map_err(|_| String::new())
    }
    fn to_option_text(&self) -> Option<String> {
        Some("***".into())
    }
}

/// Option types a `default = "..."` string literal converts into without parsing at run time:
/// strings, lists of strings, paths, and `#[derive(OptionValue)]` enums (whose literal is
/// checked against their choices when the crate compiles).
#[diagnostic::on_unimplemented(
    message = "a string default cannot be checked for `{Self}` when the crate compiles",
    note = "write a value of the option's type instead, such as `default = Duration::from_secs(30)` \
            or `default = vec![1, 2]`"
)]
pub trait StrDefault: OptionValue {
    /// The value of a string default (already checked against [`OptionValue::CHOICES`]).
    fn from_default(text: &'static str) -> Self;
}

impl StrDefault for String {
    fn from_default(text: &'static str) -> Self {
        text.to_owned()
    }
}

impl StrDefault for PathBuf {
    fn from_default(text: &'static str) -> Self {
        PathBuf::from(text)
    }
}

impl StrDefault for Vec<String> {
    fn from_default(text: &'static str) -> Self {
        match Self::parse_option(text) {
            Ok(items) => items,
            Err(_) => unreachable!("any text is a list of strings"),
        }
    }
}

/// Numeric option types, the only ones `#[option(range = ...)]` applies to.
#[diagnostic::on_unimplemented(
    message = "`range` needs a numeric option, but `{Self}` is not a number",
    note = "to allow only some values, use `choices = [...]` or a `#[derive(OptionValue)]` enum"
)]
pub trait RangeOption: OptionValue {
    /// The value, to compare with the range's bounds.
    fn number(&self) -> Number;
}

/// A number of an option or of a range's bound: whole numbers compare exactly.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    fn partial_cmp(self, other: Number) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// `#[option(range = ...)]`, its bounds read when the crate compiled.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberRange {
    pub start: Option<Number>,
    pub end: Option<Number>,
    pub inclusive: bool,
}

impl NumberRange {
    /// Whether `value` is in the range.
    pub fn contains<T: RangeOption>(&self, value: &T) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let value = value.number();
        let above = self
            .start
            .is_none_or(|start| matches!(value.partial_cmp(start), Some(Greater | Equal)));
        let below = self.end.is_none_or(|end| match value.partial_cmp(end) {
            Some(Less) => true,
            Some(Equal) => self.inclusive,
            _ => false,
        });
        above && below
    }
}

/// Whether `text` names one of `T`'s choices (ignoring ASCII case), or `T` has none; evaluated
/// when the crate compiles, for string defaults.
#[doc(hidden)]
pub const fn is_choice_or_free<T: OptionValue>(text: &str) -> bool {
    let choices = T::CHOICES;
    if choices.is_empty() {
        return true;
    }
    let mut index = 0;
    while index < choices.len() {
        if choices[index].name.eq_ignore_ascii_case(text) {
            return true;
        }
        index += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_basic_type() {
        assert_eq!(u64::parse_option("1_000"), Ok(1000));
        assert_eq!(i64::parse_option("-2_500_000"), Ok(-2_500_000));
        for misplaced in ["_1__0_", "1__0", "_10", "10_", "1_ 0"] {
            assert!(u64::parse_option(misplaced).is_err(), "{misplaced}");
        }
        assert_eq!(
            u8::parse_option("256"),
            Err("it must be in 0..=255".to_string())
        );
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
    fn values_print_as_users_write_them() {
        assert_eq!(
            Duration::from_secs(90).to_option_text().as_deref(),
            Some("1m 30s")
        );
        assert_eq!(vec![1u8, 2].to_option_text().as_deref(), Some("1,2"));
        assert_eq!(
            Secret::new("hunter2".to_string())
                .to_option_text()
                .as_deref(),
            Some("***")
        );
    }

    #[test]
    fn ranges_compare_whole_numbers_exactly() {
        let range = NumberRange {
            start: Some(Number::Int(1)),
            end: Some(Number::Int(u64::MAX as i128)),
            inclusive: false,
        };
        assert!(range.contains(&1u64) && range.contains(&(u64::MAX - 1)));
        assert!(!range.contains(&0u64) && !range.contains(&u64::MAX));
        let unit = NumberRange {
            start: Some(Number::Float(0.0)),
            end: Some(Number::Int(1)),
            inclusive: true,
        };
        assert!(unit.contains(&1.0f64) && unit.contains(&0.5f32) && !unit.contains(&1.5f64));
        assert!(!unit.contains(&f64::NAN));
    }

    #[test]
    fn secret_lists_never_quote_their_items() {
        let error = Vec::<Secret<u32>>::parse_option("1,hunter2").unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        const { assert!(<Vec<Secret<u32>>>::SECRET) };
    }

    #[test]
    fn string_defaults_are_checked_against_choices() {
        struct Mode;
        impl OptionValue for Mode {
            const CHOICES: &'static [Choice] = &[Choice {
                name: "fast",
                help: "",
            }];
            fn expected() -> String {
                one_of(Self::CHOICES)
            }
            fn parse_option(_: &str) -> Result<Self, String> {
                Ok(Mode)
            }
        }
        const { assert!(is_choice_or_free::<Mode>("FAST")) };
        assert!(!is_choice_or_free::<Mode>("slow"));
        assert!(is_choice_or_free::<String>("anything"));
        assert_eq!(Mode::expected(), "one of `fast`");
    }
}
