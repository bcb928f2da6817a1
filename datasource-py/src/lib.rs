//! Write Apache Spark data sources in Rust.
//!
//! Annotate a struct with [`data_source`], describe rows with [`derive@Row`], implement
//! [`BatchReader`], and [`export!`] the module: `maturin build` makes a wheel that PySpark 4.x
//! reads with `spark.read.format("<name>")`. Data crosses into Spark as Arrow batches through
//! the C data interface, never as Python objects.
//!
//! ```no_run
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
//! impl BatchReader for Numbers {
//!     type Row = Number;
//!     type Partition = std::ops::Range<u64>;
//!     fn partitions(&self) -> Result<Vec<Self::Partition>> {
//!         Ok(split_range(0..self.count, self.num_partitions))
//!     }
//!     fn read(&self, part: Self::Partition) -> Result<Batches<Number>> {
//!         Ok(Batches::from_rows(part.map(|n| Number { n: n as i64 })))
//!     }
//! }
//!
//! export!(pyspark_numbers => Numbers);
//! ```

mod binding;
mod module;
mod stream;

pub use datasource_core::{
    BatchReader, Batches, Binary, ColumnBuilder, Context, DEFAULT_BATCH_ROWS, DataSource, Decimal,
    Error, OptionSpec, OptionValue, OptionsError, PartitionValue, RawOptions, Result, Row,
    RowBatcher, Secret, SparkType, arrow_array, arrow_buffer, arrow_schema, bail, chrono, error,
    options, partition, read_all, schema, split_range, types,
};
pub use datasource_macros::{Row, data_source, export};

/// The names a data source crate needs, in one `use`.
pub mod prelude {
    pub use crate::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    pub use crate::{
        BatchReader, Batches, Binary, Context, DataSource, Decimal, Result, Row, Secret, bail,
        data_source, error, export, split_range,
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::binding::SourceBinding;
    pub use crate::module::init_module;
    pub use datasource_core::__private::*;
    pub use pyo3;
}
