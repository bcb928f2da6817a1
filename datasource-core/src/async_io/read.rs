//! [`AsyncBatchReader`]: the batch-read capability with async hooks.

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::runtime;
use crate::Result;
use crate::batches::Batches;
use crate::capability::batch_read::BatchReader;
use crate::scan::Scan;
use crate::source::SourceSchema;
use crate::task::Task;

/// [`BatchReader`] for a source whose client is async: the same hooks, each an `async fn` run
/// on the SDK's [`runtime`] (no `block_on` of your own, no runtime per task). Every type that
/// implements it is a [`BatchReader`], so `export!` serves it as one.
///
/// `read` returns [`Batches`]; from an async client, [`Batches::from_stream`].
///
/// ```
/// use std::sync::Arc;
/// use datasource_core::{AsyncBatchReader, Batches, DataSource, Result, Row, Scan, SourceSchema, Task};
/// use datasource_core::row::RowBatcher;
/// use datasource_core::arrow_schema::SchemaRef;
/// use datasource_macros::{Row, data_source};
/// use futures_util::{StreamExt, stream};
///
/// /// Pages of numbers, as an async API would serve them.
/// #[data_source(name = "pages", crate = "datasource_core")]
/// struct Pages {
///     #[option(default = 3)]
///     pages: u32,
/// }
///
/// #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// struct Number { n: i64 }
///
/// impl SourceSchema for Pages {
///     fn schema(&self) -> Result<SchemaRef> {
///         Ok(Number::schema())
///     }
/// }
///
/// impl AsyncBatchReader for Pages {
///     type Plan = ();
///     type Partition = u32;
///
///     async fn partitions(&self, _scan: &Scan) -> Result<Vec<u32>> {
///         Ok((0..self.pages).collect()) // an async listing would be awaited here
///     }
///
///     async fn read(self: Arc<Self>, _: &Scan, _: &Task, page: u32) -> Result<Batches> {
///         let rows = stream::iter(0..2).then(move |i| async move {
///             // An async request for the page's `i`th chunk would be awaited here.
///             let mut rows = RowBatcher::<Number>::new(1);
///             rows.push(Number { n: i64::from(page * 2 + i) });
///             Ok(rows.finish())
///         });
///         Ok(Batches::from_stream(rows))
///     }
/// }
///
/// let rows = datasource_core::testing::read_all(Pages::from_options(&[("pages", "4")].into_iter().collect())?)?;
/// assert_eq!(rows.iter().map(|batch| batch.num_rows()).sum::<usize>(), 8);
/// # Ok::<(), datasource_core::Error>(())
/// ```
// The futures of these hooks run on the thread that calls them (`runtime::block_on`), so they
// need not be `Send`: no bound is asked of them.
#[allow(async_fn_in_trait)]
pub trait AsyncBatchReader: SourceSchema {
    /// As [`BatchReader::Plan`].
    type Plan: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// As [`BatchReader::Partition`].
    type Partition: Serialize + DeserializeOwned;

    /// As [`BatchReader::plan`], on the driver: by default `Plan::default()`.
    fn plan(&self, scan: &Scan) -> impl Future<Output = Result<Self::Plan>> {
        let _ = scan;
        async { Ok(Self::Plan::default()) }
    }

    /// As [`BatchReader::partitions`], on the driver.
    async fn partitions(&self, scan: &Scan<Self::Plan>) -> Result<Vec<Self::Partition>>;

    /// As [`BatchReader::read`], on an executor: what it awaits runs before Spark gets the
    /// first batch (opening a connection, a first request); the batches themselves come as
    /// Spark pulls them.
    async fn read(
        self: Arc<Self>,
        scan: &Scan<Self::Plan>,
        task: &Task,
        partition: Self::Partition,
    ) -> Result<Batches>;
}

impl<T: AsyncBatchReader> BatchReader for T {
    type Plan = <T as AsyncBatchReader>::Plan;
    type Partition = <T as AsyncBatchReader>::Partition;

    fn plan(&self, scan: &Scan) -> Result<Self::Plan> {
        runtime::block_on(AsyncBatchReader::plan(self, scan))
    }

    fn partitions(&self, scan: &Scan<Self::Plan>) -> Result<Vec<Self::Partition>> {
        runtime::block_on(AsyncBatchReader::partitions(self, scan))
    }

    fn read(
        self: Arc<Self>,
        scan: &Scan<Self::Plan>,
        task: &Task,
        partition: Self::Partition,
    ) -> Result<Batches> {
        runtime::block_on(AsyncBatchReader::read(self, scan, task, partition))
    }
}
