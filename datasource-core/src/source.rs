//! [`DataSource`]: what `#[data_source]` generates for a struct.

use crate::options::{Options, OptionsError, OptionsParser, RawOptions, markdown_table};

/// A Spark data source: its name, its options, and how to build it from Spark's options.
///
/// Do not implement this by hand: `#[data_source(name = "...")]` on a struct generates it (and
/// [`Options`]) from the struct's fields and their `#[option(...)]` attributes. What Spark can
/// do with the source comes from the capability traits it implements, such as
/// [`BatchReader`](crate::BatchReader).
pub trait DataSource: Options + Send + Sync + 'static {
    /// The format name users pass to `spark.read.format(...)`.
    const NAME: &'static str;
    /// The struct's doc comment.
    const DESCRIPTION: &'static str;
    /// The struct's name: the Python class's name.
    #[doc(hidden)]
    const CLASS_NAME: &'static str;

    /// Parses and validates Spark's options; the error lists every problem at once.
    fn from_options(options: &RawOptions) -> Result<Self, OptionsError> {
        let mut parser = OptionsParser::new(Self::NAME, Self::specs(), options);
        let parsed = Self::parse(&mut parser);
        parser.finish(parsed)
    }

    /// A Markdown table of the options, for READMEs and `help()`.
    fn options_markdown() -> String {
        markdown_table(Self::specs())
    }
}
