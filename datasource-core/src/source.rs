//! [`DataSource`]: what `#[data_source]` generates for a struct.

use crate::options::{OptionSpec, OptionsError, RawOptions};

/// A Spark data source: its name, its options, and how to build it from Spark's options.
///
/// Do not implement this by hand: `#[data_source(name = "...")]` on a struct generates it from
/// the struct's fields and their `#[option(...)]` attributes.
pub trait DataSource: Sized + Send + Sync + 'static {
    /// The format name users pass to `spark.read.format(...)`.
    const NAME: &'static str;
    /// The struct's doc comment.
    const DESCRIPTION: &'static str;
    /// One entry per option, in field order.
    const OPTIONS: &'static [OptionSpec];

    /// Parses and validates Spark's options; the error lists every problem at once.
    fn from_options(options: &RawOptions) -> Result<Self, OptionsError>;

    /// A Markdown table of the options, for READMEs and `help()`.
    fn options_markdown() -> String {
        crate::options::markdown_table(Self::OPTIONS)
    }
}
