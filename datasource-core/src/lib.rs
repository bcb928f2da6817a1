//! The runtime of the Rust SDK for Spark data sources: traits a source implements, typed
//! options, Spark types for Rust values, schemas and partition planning. No Python here; the
//! PyO3 glue lives in `datasource-py`, which re-exports all of this.

pub mod options;
pub mod partition;
pub mod reader;
pub mod row;
pub mod schema;
pub mod secret;
pub mod source;
pub mod types;

pub use options::{OptionSpec, OptionValue, OptionsError, RawOptions};
pub use partition::split_range;
pub use reader::{BatchReader, Batches, PartitionValue, read_all};
pub use row::{DEFAULT_BATCH_ROWS, Row, RowBatcher};
pub use secret::Secret;
pub use source::DataSource;
pub use types::{Binary, ColumnBuilder, Decimal, SparkType};

/// Re-exported so sources and derived code name one Arrow.
pub use arrow_array;
pub use arrow_buffer;
pub use arrow_schema;
pub use chrono;

/// The error of user code: any error converts into it with `?`, and its whole chain of causes
/// reaches the Spark user.
pub type Error = anyhow::Error;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use anyhow::{Context, anyhow as error, bail};

/// What generated code reaches, through one path (`<facade>::__private`).
#[doc(hidden)]
pub mod __private {
    pub use crate::options::{
        OptionSpec, OptionsError, OptionsParser, RawOptions, assert_option_value, present,
    };
    pub use crate::row::Row;
    pub use crate::source::DataSource;
    pub use crate::types::{
        ColumnBuilder, SparkType, StructColumnBuilder, assert_spark_type, finish_struct_array,
    };
    pub use arrow_array::{ArrayRef, StructArray};
    pub use arrow_buffer::NullBufferBuilder;
    pub use arrow_schema::{DataType, Fields};

    /// A row column's Arrow field, with its doc comment as Spark's column comment.
    pub fn row_field<T: SparkType>(name: &str, comment: &str) -> arrow_schema::Field {
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
}
