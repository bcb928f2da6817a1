//! [`BatchReader`]: the batch-read capability, reading a Spark scan partition by partition as
//! Arrow record batches.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::batches::Batches;
use crate::scan::Scan;
use crate::source::SourceSchema;
use crate::task::Task;

/// The batch-read capability: `spark.read.format(...).load()`.
///
/// On the driver, Spark takes the [`SourceSchema`] once per query; then, once per scan, the
/// source makes its [`plan`](BatchReader::plan) (what every task must know: a snapshot
/// version, a listing) and its [`partitions`](BatchReader::partitions). On the executors,
/// [`read`](BatchReader::read) runs once per partition. What the driver learned travels to
/// them through serde, never by planning again: each task gets the [`Scan`] (the schemas, the
/// filters the source accepted, the plan) and its own partition, and reads on a source rebuilt
/// from the same options. Nothing is read before the first batch is requested.
///
/// # Errors
/// An error from any method fails the query with the source's name and the full error chain;
/// so does a panic (it never crosses into Python as a crash). An error in the middle of a
/// partition fails that task, after the batches before it were delivered.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use datasource_core::{BatchReader, Batches, Result, Row, Scan, SourceSchema, Task, split_range};
/// use datasource_core::arrow_schema::SchemaRef;
/// use datasource_macros::{Row, data_source};
///
/// /// Numbers from zero.
/// #[data_source(name = "numbers", crate = "datasource_core")]
/// struct Numbers {
///     #[option(default = 10)]
///     count: u64,
///     #[option(default = 2, range = 1..)]
///     parts: u64,
/// }
///
/// #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// struct Number { n: i64 }
///
/// impl SourceSchema for Numbers {
///     fn schema(&self) -> Result<SchemaRef> {
///         Ok(Number::schema())
///     }
/// }
///
/// impl BatchReader for Numbers {
///     type Plan = ();
///     type Partition = std::ops::Range<u64>;
///
///     fn partitions(&self, _scan: &Scan) -> Result<Vec<Self::Partition>> {
///         Ok(split_range(0..self.count, self.parts))
///     }
///
///     fn read(self: Arc<Self>, _scan: &Scan, _task: &Task, part: Self::Partition) -> Result<Batches> {
///         Ok(Batches::from_rows(part.map(|n| Number { n: n as i64 })))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by Spark: it does not implement `BatchReader`",
    note = "`impl BatchReader for {Self}` with `type Plan`, `type Partition`, `partitions` and \
            `read`"
)]
pub trait BatchReader: SourceSchema {
    /// What the driver learns while planning a scan and every task needs (a snapshot version,
    /// a file listing): any serde type, made once by [`plan`](BatchReader::plan) and read in
    /// every task as [`Scan::plan`]; `()` for nothing.
    type Plan: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// What one partition is: any serde type (it travels to its task as JSON); `()` for a
    /// source read in one piece.
    type Partition: Serialize + DeserializeOwned;

    /// Plans a scan, on the driver, once, after the filters were pushed: the state its tasks
    /// share. By default `Plan::default()`.
    fn plan(&self, scan: &Scan) -> Result<Self::Plan> {
        let _ = scan;
        Ok(Self::Plan::default())
    }

    /// Plans the partitions of a scan, on the driver: one Spark task each. None at all is a
    /// scan with no rows.
    fn partitions(&self, scan: &Scan<Self::Plan>) -> Result<Vec<Self::Partition>>;

    /// Reads one partition, on an executor, in `task`. The source is shared: the batches may
    /// keep it (move `self` into them) to use its options or a client as Spark pulls batches.
    fn read(
        self: Arc<Self>,
        scan: &Scan<Self::Plan>,
        task: &Task,
        partition: Self::Partition,
    ) -> Result<Batches>;
}
