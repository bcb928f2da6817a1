//! Apache Spark data sources in Rust.
//!
//! Annotate a struct with [`data_source`] (its fields are the options), implement the
//! capabilities Spark should have ([`BatchReader`] for `spark.read`, [`FilterPushdown`] for
//! the filters it applies itself, [`StreamReader`] for `spark.readStream`, [`BatchWriter`] for
//! `df.write`, ...), describe rows with
//! [`derive@Row`], and [`export!`] the module: `maturin build` makes a wheel that PySpark 4.x
//! reads with `spark.read.format("<name>")`. Data crosses into Spark as Arrow batches through
//! the C data interface, never as Python objects.
//!
//! ```no_run
//! use std::sync::Arc;
//! use datasource_py::prelude::*;
//!
//! /// Numbers from 0.
//! #[data_source(name = "numbers")]
//! pub struct Numbers {
//!     /// How many.
//!     #[option(default = 100, range = 0..)]
//!     count: u64,
//!     #[option(default = 2, range = 1..=64)]
//!     num_partitions: u64,
//! }
//!
//! #[derive(Row)]
//! pub struct Number { n: i64 }
//!
//! impl SourceSchema for Numbers {
//!     fn schema(&self) -> Result<SchemaRef> {
//!         Ok(Number::schema())
//!     }
//! }
//!
//! impl BatchReader for Numbers {
//!     type Plan = ();
//!     type Partition = std::ops::Range<u64>;
//!     fn partitions(&self, _: &Scan) -> Result<Vec<Self::Partition>> {
//!         Ok(split_range(0..self.count, self.num_partitions))
//!     }
//!     fn read(self: Arc<Self>, _: &Scan, _: &Task, part: Self::Partition) -> Result<Batches> {
//!         Ok(Batches::from_rows(part.map(|n| Number { n: n as i64 })))
//!     }
//! }
//!
//! export!(pyspark_numbers => Numbers);
//! ```

//! ## Allocator
//!
//! With the default `mimalloc` feature, the extension module allocates with mimalloc: a
//! source's batches are freed as Spark consumes them and the next ones reuse that memory,
//! where the system allocator (glibc) hands large blocks back to the OS and every large batch
//! then faults its pages in again (less than half the speed generating 4 MiB batches than
//! 8,192-row ones, when measured; bench/README.md). Turn the feature off (`default-features = false`) to set your own
//! `#[global_allocator]`.

mod batch_stream;
mod binding;
mod capability;
mod errors;
mod logging;
mod module;
mod package;
mod read;
mod stream_read;
mod write;

pub use datasource_core::{
    BatchReader, BatchSender, BatchSize, BatchSizer, BatchWriter, Batches, Binary, Choice,
    ColumnBuilder, ColumnPath, ColumnReader, ColumnStatistics, Context, DEFAULT_BATCH_BYTES,
    DataSource, Decimal, Error, Filter, FilterError, FilterPushdown, JsonDecoder, Literal, Offset,
    OptionSpec, OptionValue, Options, OptionsError, Pushdown, PushedRead, RawOptions, ReadLimit,
    Result, Row, RowBatcher, Rows, SPARK_TIMESTAMP_TZ, Scan, Secret, SimpleStreamReader,
    SimpleStreamRun, SourceSchema, SparkType, Stopped, StreamReader, StreamRun, StreamWriter, Task,
    UserSchema, WriteJob, WriteOutcome, arrow_array, arrow_buffer, arrow_schema, bail, chrono,
    ensure, format_err, read_all, read_all_as, read_all_pushed, split_range, write_all,
};
pub use datasource_macros::{OptionValue, Options, Row, data_source, export};

/// Spark schemas: DDL and Spark JSON for a schema, the Arrow schema Spark derives for one, and
/// the adapter that fits batches to a schema Spark reads.
pub mod schema {
    pub use datasource_core::adapter::{ReadAdapter, spark_arrow_schema};
    pub use datasource_core::schema::{SchemaError, to_ddl, to_spark_json};
}

/// Retrying calls that fail now and then, with exponential backoff and jitter: the options
/// group [`Retry`](retry::Retry) (`maxRetries`, `retryWait`, `maxRetryWait`) and its
/// [`run`](retry::Retry::run).
pub mod retry {
    pub use datasource_core::retry::*;
}

/// JSON as Spark reads and writes it: [`JsonDecoder`] with Spark's JSON
/// reader's rules and modes, [`JsonLinesWriter`](json::JsonLinesWriter) whose output Spark reads
/// back exactly.
pub mod json {
    pub use datasource_core::json::*;
}

/// Dates and times in text as Spark reads them, and the session time zone
/// ([`SessionZone`](datetime::SessionZone)).
pub mod datetime {
    pub use datasource_core::datetime::*;
}

/// Masking secrets in text: every `Secret` option value this process parsed, and URL
/// passwords. Log records and errors that reach Python are masked already.
pub mod redact {
    pub use datasource_core::redact::*;
}

/// Spark types and the column builders and readers that carry them.
pub mod types {
    pub use datasource_core::types::*;
}

/// The names a data source crate needs, in one `use`.
pub mod prelude {
    pub use crate::arrow_schema::SchemaRef;
    pub use crate::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    pub use crate::{
        BatchReader, BatchSize, BatchWriter, Batches, Binary, ColumnPath, Context, DataSource,
        Decimal, Filter, FilterPushdown, Literal, OptionValue, Options, Pushdown, ReadLimit,
        Result, Row, Scan, Secret, SimpleStreamReader, SourceSchema, StreamReader, StreamWriter,
        Task, UserSchema, WriteJob, bail, data_source, ensure, export, format_err, split_range,
    };
}

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[doc(hidden)]
pub mod __private {
    pub use crate::bind_source;
    pub use crate::binding::SourceBinding;
    pub use crate::module::init_module;
    pub use crate::package::{ExportedSource, check_wheel_files};
    pub use datasource_core::__private::*;
    pub use pyo3;

    pub mod capability {
        pub use crate::capability::*;
    }
}
