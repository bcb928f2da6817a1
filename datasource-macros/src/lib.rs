//! Procedural macros of the Spark data source SDK. This crate only dispatches; the parsing,
//! checking and generation are ordinary modules, unit-tested on `parse_quote!` input.

#![deny(missing_docs)]

use proc_macro::TokenStream;

mod attr;
mod ctxt;
mod doc;
mod export;
mod naming;
mod option_group;
mod option_value;
mod options;
mod row;
mod source;
mod ty;

/// Turns a struct into a Spark data source: each field is a typed option.
///
/// ```text
/// /// Synthetic people, deterministic from a seed.
/// #[data_source(name = "fakepeople")]
/// struct FakePeople {
///     /// Rows to produce.
///     #[option(default = 1000, range = 0..)]
///     num_rows: u64,
///     token: Option<Secret<String>>,   // secret: never printed
///     #[option(flatten)]
///     common: CommonOptions,
/// }
/// ```
///
/// Struct arguments: `name = "..."` (required: the format name), `validate = Self::check` (a
/// `fn(&Self) -> Result<()>` run once the options parse, for rules between options; its error
/// fails them), `crate = "..."` (the path of the SDK facade, default `::datasource_py`).
///
/// Field arguments, in `#[option(...)]`: `name = "..."` (default: the field in camelCase),
/// `default = <value>` (a literal, or any expression of the option's type), `required`,
/// `range = a..b` (numeric options),
/// `choices = ["a", "b"]`, `flatten` (the field's options are those of a `#[derive(Options)]`
/// type, read as one value), and `skip` (the field is no option: state of the source, made
/// with `Default::default()`). A field of type `Option<T>` is optional; any other field without
/// a default is required; a field of type `Secret<T>` is secret (never printed). Doc comments
/// become help text. Two fields that would read one option (through flattened options, or the
/// same type flattened twice) do not compile.
#[proc_macro_attribute]
pub fn data_source(args: TokenStream, input: TokenStream) -> TokenStream {
    source::data_source(args.into(), input.into()).into()
}

/// Options shared by several sources, declared once and included in each with
/// `#[option(flatten)]` (the SDK's [`Retry`] is one: `maxRetries`, `retryWait`,
/// `maxRetryWait`). On a struct, each field is an option, with the same `#[option(...)]`
/// arguments as in `#[data_source]`; on an enum whose variants each hold one value, each
/// variant is an option and exactly one of them must be given (at most one, when flattened
/// as an `Option<...>`).
///
/// [`Retry`]: https://docs.rs/datasource-core/latest/datasource_core/retry/struct.Retry.html
#[proc_macro_derive(Options, attributes(option))]
pub fn derive_options(input: TokenStream) -> TokenStream {
    option_group::derive(input.into()).into()
}

/// An option with a closed set of choices: an enum of unit variants, each a choice named in
/// camelCase (or `#[option(name = "...")]`), matched ignoring case; doc comments document them.
#[proc_macro_derive(OptionValue, attributes(option))]
pub fn derive_option_value(input: TokenStream) -> TokenStream {
    option_value::derive(input.into()).into()
}

/// Derives `Row` (and `SparkType`, as a `STRUCT`) for a struct whose fields are columns.
/// `#[spark(rename = "...")]` renames a column; doc comments become column comments.
#[proc_macro_derive(Row, attributes(spark))]
pub fn derive_row(input: TokenStream) -> TokenStream {
    row::derive(input.into()).into()
}

/// Defines the Python module of a wheel: `export!(pyspark_name => SourceA, SourceB)`.
/// The module name must be the crate's `[lib] name`; the first source is `DefaultSource`. Each
/// source gets the Python classes of the capabilities it implements; one that implements none
/// is a compile error.
#[proc_macro]
pub fn export(input: TokenStream) -> TokenStream {
    export::expand(input.into()).into()
}
