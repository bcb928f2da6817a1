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
//!
//! The guide (`docs/` in the repository) has a page per capability and per concern: options,
//! schemas and types, reading, pushdown, streaming, writing, testing without Spark ([`testing`]),
//! errors and secrets, deploying.
//!
//! ## How a capability is built (for the SDK's maintainers)
//!
//! Each capability is one row of the table in `src/capability/mod.rs` (`with_capabilities!`),
//! `name: CoreTrait`, and its own files on each side:
//!
//! | side | file | holds |
//! |---|---|---|
//! | core | `datasource-core/src/capability/<name>.rs` | the trait a source implements; a harness in `datasource-core/src/testing/` |
//! | glue | `datasource-py/src/capability/<name>.rs` | `Role` (the trait, its types erased), `glue::<T>`, `native` (the Python object of the role) |
//! | Python | `datasource-py/python/datasource_py/<name>.py` | `assemble(Source, native_type)`: the hooks and classes PySpark looks for |
//!
//! Everything that lists capabilities (the probes `export!` runs, which capabilities a type
//! has, the glue of an opened source, the Python object each hands its classes, the embedded
//! Python files, the names Python assembles classes from) is generated from the table's rows,
//! and `tests/tests/architecture.rs` checks that nothing else names a capability. Adding one is
//! its three files and one row. PySpark's objects cross into Rust in `src/boundary/`, one
//! typed conversion per kind (filters, read limits, offsets, schemas, the task).
//!
//! ## Allocator
//!
//! With the default `mimalloc` feature, the extension module allocates with mimalloc: a
//! source's batches are freed as Spark consumes them and the next ones reuse that memory,
//! where the system allocator (glibc) hands large blocks back to the OS and every large batch
//! then faults its pages in again (less than half the speed generating 4 MiB batches than
//! 8,192-row ones, when measured; bench/README.md). Turn the feature off (`default-features = false`) to set your own
//! `#[global_allocator]`.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`): each item gated by a feature says which.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod batch_stream;
mod binding;
mod boundary;
mod capability;
mod errors;
mod logging;
mod module;
mod package;
mod source;

pub use datasource_core::{
    BatchReader, BatchSender, BatchSize, BatchWriter, Batches, Binary, ColumnPath, Context,
    DataSource, Decimal, Error, Filter, FilterPushdown, LimitPushdown, Literal, Offset,
    OptionValue, Options, Pushdown, RawOptions, ReadLimit, Result, Row, Scan, Secret,
    SimpleStreamReader, SourceSchema, Stopped, StreamReader, StreamWriter, Task, UserSchema,
    Variant, WriteJob, arrow_array, arrow_buffer, arrow_schema, bail, chrono, ensure, format_err,
    parquet_variant, split_range,
};
pub use datasource_macros::{OptionValue, Options, Row, data_source, export};

#[cfg(feature = "async")]
pub use datasource_core::{AsyncBatchReader, AsyncBatchWriter, BatchStream};

/// Async I/O on the SDK's runtime (feature `async`): one multi-thread tokio runtime per worker
/// process, [`block_on`](runtime::block_on) for a sync hook that needs one async call.
#[cfg(feature = "async")]
pub mod runtime {
    pub use datasource_core::runtime::{block_on, handle};
}

/// Running a source or a sink the way Spark runs it, without Spark, for a crate's own tests:
/// [`read_all`](testing::read_all), [`StreamRun`](testing::StreamRun),
/// [`SimpleStreamRun`](testing::SimpleStreamRun), [`write_all`](testing::write_all),
/// [`StreamWriteRun`](testing::StreamWriteRun).
pub mod testing {
    pub use datasource_core::testing::*;
}

/// Options: how a source's fields are parsed from Spark's, and how they fail.
pub mod options {
    pub use datasource_core::options::{
        Choice, OptionSpec, OptionValue, Options, OptionsError, Problem, RawOptions,
    };
}

/// Spark's pushed filters ([`Filter`]) and their evaluation on Arrow batches
/// with Spark's semantics.
pub mod filter {
    pub use datasource_core::filter::*;
}

/// Batch sizes: by bytes (the default) or by rows.
pub mod batch_size {
    pub use datasource_core::batch_size::*;
}

/// Rows of `#[derive(Row)]` types to and from Arrow batches, one at a time.
pub mod row {
    pub use datasource_core::row::*;
}

/// Spark schemas: DDL and Spark JSON for a schema, the Arrow schema Spark derives for one, and
/// the adapters that fit batches to a schema Spark reads or a sink accepts.
pub mod schema {
    pub use datasource_core::adapter::{ReadAdapter, WriteAdapter, spark_arrow_schema};
    pub use datasource_core::schema::{SchemaError, to_ddl, to_spark_json};
}

/// Retrying calls that fail now and then, with exponential backoff and jitter: the options
/// group [`Retry`](retry::Retry) (`maxRetries`, `retryWait`, `maxRetryWait`) and its
/// [`run`](retry::Retry::run).
pub mod retry {
    pub use datasource_core::retry::*;
}

/// JSON as Spark reads and writes it: [`JsonDecoder`](json::JsonDecoder) with Spark's JSON
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

/// Credentials fetched at run time: a [`TokenProvider`](credentials::TokenProvider) and its
/// [`Tokens`](credentials::Tokens), cached, refreshed ahead of expiry, masked in every text.
pub mod credentials {
    pub use datasource_core::credentials::*;
}

/// Clients (pools, HTTP clients, sessions) built once per worker process and shared by every
/// task and micro-batch with the same key, closed once idle: [`Shared`](shared::Shared).
pub mod shared {
    pub use datasource_core::shared::*;
}

/// Spark types and the column builders and readers that carry them.
pub mod types {
    pub use datasource_core::types::*;
}

/// The names a data source crate needs, in one `use`.
pub mod prelude {
    pub use crate::arrow_schema::SchemaRef;
    #[cfg(feature = "async")]
    pub use crate::{AsyncBatchReader, AsyncBatchWriter, BatchStream};
    pub use crate::{
        BatchReader, BatchSize, BatchWriter, Batches, ColumnPath, Context, DataSource, Filter,
        FilterPushdown, LimitPushdown, Literal, OptionValue, Options, Pushdown, ReadLimit, Result,
        Row, Scan, Secret, SimpleStreamReader, SourceSchema, StreamReader, StreamWriter, Task,
        UserSchema, WriteJob, bail, data_source, ensure, export, format_err, split_range,
    };
}

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[doc(hidden)]
pub mod __private {
    pub use crate::binding::SourceBinding;
    pub use crate::module::init_module;
    pub use crate::package::{ExportedSource, check_wheel_files};
    pub use crate::{bind_rows, bind_source, with_capabilities};
    pub use datasource_core::__private::*;
    pub use pyo3;

    pub mod capability {
        pub use crate::capability::*;
    }
}
