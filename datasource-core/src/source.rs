//! [`DataSource`]: what `#[data_source]` generates for a struct; and [`SourceSchema`], the
//! columns every way of reading it produces.

use arrow_schema::SchemaRef;

use crate::Result;
use crate::options::{Options, OptionsError, OptionsParser, RawOptions, markdown_table};

/// A Spark data source: its name, its options, and how to build it from Spark's options.
///
/// Do not implement this by hand: `#[data_source(name = "...")]` on a struct generates it (and
/// [`Options`]) from the struct's fields and their `#[option(...)]` attributes. What Spark can
/// do with the source comes from the capability traits it implements, such as
/// [`BatchReader`](crate::BatchReader). Rules that tie options together go in a validation
/// function, `#[data_source(validate = Self::check)]`, which runs once, right after the
/// options parse.
pub trait DataSource: Options + Send + Sync + 'static {
    /// The format name users pass to `spark.read.format(...)`.
    const NAME: &'static str;
    /// The struct's doc comment.
    const DESCRIPTION: &'static str;
    /// The struct's name: the Python class's name.
    #[doc(hidden)]
    const CLASS_NAME: &'static str;

    /// Checks what the options cannot say one at a time (one way to authenticate, a minimum
    /// below a maximum), once, right after they parse: the function named by
    /// `#[data_source(validate = ...)]`, or nothing. Its error fails the options as a problem of
    /// theirs, with the source's name.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Parses and validates Spark's options; the error lists every problem at once.
    fn from_options(options: &RawOptions) -> Result<Self, OptionsError> {
        let mut parser = OptionsParser::new(Self::NAME, Self::specs(), options);
        let parsed = Self::parse(&mut parser);
        let source = parser.finish(parsed)?;
        match source.validate() {
            Ok(()) => Ok(source),
            Err(error) => Err(OptionsError::invalid_together(Self::NAME, &error)),
        }
    }

    /// A Markdown table of the options, for READMEs and `help()`.
    fn options_markdown() -> String {
        markdown_table(Self::specs())
    }
}

/// The columns a source produces: Spark's `DataSource.schema()`, shared by every way of
/// reading it ([`BatchReader`](crate::BatchReader), [`StreamReader`](crate::StreamReader),
/// [`SimpleStreamReader`](crate::SimpleStreamReader)).
///
/// Called on the driver, once per query; executors receive the result in [`Scan::schema`](crate::Scan::schema). A
/// `#[derive(Row)]` type gives it with `Row::schema()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is read by Spark, but has no schema: it does not implement `SourceSchema`",
    note = "`impl SourceSchema for {Self}` with `fn schema(&self) -> Result<SchemaRef>` (for rows \
            of a `#[derive(Row)]` type: `Ok(MyRow::schema())`)"
)]
pub trait SourceSchema: DataSource {
    /// The columns the source produces (when the user gives no schema of their own). It may
    /// come from the options or from the outside world (a file's header, a catalog): it is
    /// asked for on the driver only, and an error fails `load()` with the source's name.
    fn schema(&self) -> Result<SchemaRef>;

    /// What the source does with a schema the user gives with `spark.read.schema(...)` (or a
    /// catalog table's), on the driver: `user` is it as Arrow, with the types Spark reads.
    ///
    /// By default [`UserSchema::Subset`]: the source produces its own [`schema`](Self::schema)
    /// and Spark gets the user's columns from it (a subset, in any order, as nullable or
    /// more). A source that can read only some columns returns [`UserSchema::Project`]: it
    /// produces just the user's columns, typed as its own schema has them. A source whose reading
    /// the user's schema drives (parsing records into it, generating it) returns
    /// [`UserSchema::Exact`]: its batches then have the user's schema, and `schema()` is not
    /// called. Either way the batches' schema is [`Scan::schema`](crate::Scan::schema). An
    /// error here (a type the source cannot produce, say) fails `load()` and names the source.
    fn user_schema(&self, user: &SchemaRef) -> Result<UserSchema> {
        let _ = user;
        Ok(UserSchema::Subset)
    }
}

/// How a source meets a schema the user gives (see [`SourceSchema::user_schema`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserSchema {
    /// The source produces its own schema; Spark reads the user's columns of it (refused, with
    /// every mismatch named, when they are not a subset).
    Subset,
    /// The source produces only the user's columns, in the user's order, with Spark's Arrow
    /// types of its own schema's columns (what a [`ReadAdapter`](crate::adapter::ReadAdapter)
    /// of its own schema gives): a projection, checked as [`Subset`](UserSchema::Subset) is.
    Project,
    /// The source produces exactly the user's schema: its batches have it.
    Exact,
}
