//! The runtime of the Rust SDK for Spark data sources: the capability traits a source
//! implements, typed options, Spark types for Rust values (both ways), schemas, the adapter
//! that fits batches to Spark's schema, the codec of what crosses processes, and partition
//! planning. No Python here; the PyO3 glue lives in `datasource-py`, which re-exports what a
//! source crate needs.
//!
//! A source is a `#[data_source]` struct (its fields are its options, see [`DataSource`])
//! plus the capabilities it implements: [`BatchReader`] for `spark.read` (with
//! [`FilterPushdown`] where it applies filters itself), [`StreamReader`] or
//! [`SimpleStreamReader`] for `spark.readStream` (each reader with the [`SourceSchema`]),
//! [`BatchWriter`] for `df.write`, [`StreamWriter`] for `df.writeStream`.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`): each item gated by a feature says which.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod adapter;
#[cfg(feature = "async")]
pub mod async_io;
pub mod batch_size;
pub mod batches;
pub mod capability;
pub mod codec;
pub mod credentials;
pub mod datetime;
pub mod filter;
pub mod json;
pub mod options;
pub mod panics;
pub mod partition;
pub mod redact;
pub mod retry;
pub mod row;
pub mod scan;
pub mod schema;
pub mod secret;
pub mod shared;
pub mod source;
pub mod task;
pub mod testing;
pub mod types;
pub mod write_job;

#[cfg(feature = "async")]
pub use async_io::{AsyncBatchReader, AsyncBatchWriter, BatchStream, runtime};
pub use batch_size::{BatchSize, DEFAULT_BATCH_BYTES};
pub use batches::{BatchSender, Batches, Stopped};
pub use capability::batch_read::BatchReader;
pub use capability::batch_write::BatchWriter;
pub use capability::filter_pushdown::{FilterPushdown, Pushdown};
pub use capability::limit_pushdown::LimitPushdown;
pub use capability::simple_stream_read::SimpleStreamReader;
pub use capability::stream_read::{Offset, ReadLimit, StreamReader};
pub use capability::stream_write::StreamWriter;
pub use filter::{ColumnPath, Filter, Literal};
pub use options::{OptionValue, Options, RawOptions};
pub use partition::split_range;
pub use row::Row;
pub use scan::Scan;
pub use secret::Secret;
pub use source::{DataSource, SourceSchema, UserSchema};
pub use task::Task;
pub use types::{Binary, Decimal, Variant};
pub use write_job::WriteJob;

/// Re-exported so sources and derived code name one Arrow.
pub use arrow_array;
pub use arrow_buffer;
pub use arrow_schema;
pub use chrono;
pub use parquet_variant;

/// The error of user code: any error converts into it with `?`, and its whole chain of causes
/// reaches the Spark user.
pub type Error = anyhow::Error;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use anyhow::{Context, bail, ensure, format_err};

/// What generated code reaches, through one path (`<facade>::__private`).
#[doc(hidden)]
pub mod __private {
    pub use crate::Error;
    pub use crate::options::{
        Choice, DefaultValue, Number, NumberRange, OptionNames, OptionSpec, OptionValue, Options,
        OptionsError, OptionsParser, RawOptions, StrDefault, assert_distinct_options,
        assert_option_value, describe, group_names, is_choice_or_free,
    };
    pub use crate::row::Row;
    pub use crate::schema::SchemaError;
    pub use crate::source::DataSource;
    pub use crate::types::{
        ColumnBuilder, ColumnReader, SparkType, StructColumnBuilder, StructValues,
        assert_spark_type, finish_struct_array,
    };
    pub use arrow_array::{ArrayRef, StructArray};
    pub use arrow_buffer::NullBufferBuilder;
    pub use arrow_schema::{DataType, Fields};

    /// A row column's Arrow field, with its doc comment as Spark's column comment.
    pub fn row_field<T: crate::types::SparkType>(name: &str, comment: &str) -> arrow_schema::Field {
        let field = arrow_schema::Field::new(name, T::data_type(), T::NULLABLE);
        if comment.is_empty() {
            field
        } else {
            field.with_metadata(std::collections::HashMap::from([(
                crate::schema::COMMENT_KEY.to_owned(),
                comment.to_owned(),
            )]))
        }
    }

    /// "one of `a`, `b`": what a `#[derive(OptionValue)]` enum expects.
    pub fn expected_choice(choices: &[Choice]) -> String {
        crate::options::one_of(choices)
    }

    /// Two strings equal, ignoring ASCII case, when a crate compiles (`export!` checks that
    /// its sources' names differ).
    pub const fn same_name(a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
    }

    /// Two strings equal, when a crate compiles.
    pub const fn same_text(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut index = 0;
        while index < a.len() {
            if a[index] != b[index] {
                return false;
            }
            index += 1;
        }
        true
    }
}
