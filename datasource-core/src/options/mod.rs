//! Typed options from Spark's string options.
//!
//! Spark hands a data source its options as strings under lowercased keys. `#[data_source]`
//! (and `#[derive(Options)]`, for groups of options several sources share) describes each
//! field as an [`OptionSpec`] and generates an [`Options`] impl that runs an [`OptionsParser`]
//! over them: every problem (missing, malformed, out of range, unknown, conflicting) is
//! collected, so one error lists them all. Secret values never appear in any message.

mod names;
mod parser;
mod spec;
mod value;

pub use names::{OptionNames, assert_distinct_options};
pub use parser::{DefaultValue, OptionsError, OptionsParser, Problem, RawOptions, describe};
pub use spec::{OptionSpec, markdown_table};
pub(crate) use value::one_of;
pub use value::{
    Choice, Number, NumberRange, OptionValue, RangeOption, StrDefault, is_choice_or_free,
};

/// A set of options read together: a `#[data_source]` struct, or a group of options that
/// `#[derive(Options)]` describes and sources include with `#[option(flatten)]`.
///
/// On a struct, each field is an option (or a flattened group). On an enum whose variants
/// each hold one value, each variant is an option and exactly one of them must be given
/// (`Option<TheEnum>` when flattened: at most one).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a group of options",
    label = "`#[option(flatten)]` needs a group here",
    note = "a group is a `#[derive(Options)]` struct (each field an option) or enum (exactly one \
            of its variants)"
)]
pub trait Options: Sized {
    /// The option names declared, for the check when a crate compiles that none is declared
    /// twice; generated.
    #[doc(hidden)]
    const NAMES: OptionNames = OptionNames::NONE;

    /// Every option read, flattened groups included, in field order: [`Options::parse`] run in
    /// describe mode (see [`describe`]), kept for the life of the process.
    fn specs() -> &'static [OptionSpec];

    /// Reads the options, recording every problem in `parser`; `None` when there was one.
    /// In describe mode, records each option read instead.
    fn parse(parser: &mut OptionsParser<'_>) -> Option<Self>;

    /// For an `Option<Self>` group: `None` when none of its options was given, else the
    /// group read as a whole (so a half-given group reports what is missing).
    fn parse_if_given(parser: &mut OptionsParser<'_>) -> Option<Option<Self>> {
        if parser.is_describing() {
            parser.describe_optional(|parser| {
                Self::parse(parser);
            });
            Some(None)
        } else if Self::specs().iter().any(|spec| parser.is_given(spec)) {
            Self::parse(parser).map(Some)
        } else {
            Some(None)
        }
    }
}

/// Checks, at compile time, that an option field's type can be parsed; the macros emit one
/// call per field, spanned on its type.
#[doc(hidden)]
pub const fn assert_option_value<T: OptionValue>() {}

/// Checks, at compile time, that `#[option(flatten)]` is on a group of options, and gives its
/// option names (one function for both: the compiler then reports a type that is no group
/// once, from the parser and the names alike).
#[doc(hidden)]
pub const fn group_names<T: Options>() -> &'static OptionNames {
    const { &T::NAMES }
}
