//! Batch reads the way Spark runs them: [`read_all`], [`read_all_with_schema`],
//! [`read_all_pushed`], [`read_all_limited`].

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::Result;
use crate::capability::batch_read::BatchReader;
use crate::capability::filter_pushdown::{FilterPushdown, sort_pushed};
use crate::capability::limit_pushdown::LimitPushdown;
use crate::codec::{self, Cargo};
use crate::filter::Filter;
use crate::scan::{Scan, scan_schemas};
use crate::task::Task;

/// Reads a whole source the way Spark does, without Spark: settles the schema, makes the plan
/// and the partitions, sends each through the codec the glue uses, reads them in order (task
/// by task) and fits every batch to what Spark reads (so a batch Spark would refuse fails here
/// too). For tests of a source; the batches are the ones Spark would receive.
///
/// ```
/// # use std::sync::Arc;
/// # use datasource_core::testing::read_all;
/// # use datasource_core::{BatchReader, Batches, Result, Row, Scan, SourceSchema, Task, split_range};
/// # use datasource_core::arrow_schema::SchemaRef;
/// # use datasource_macros::{Row, data_source};
/// # #[data_source(name = "numbers", crate = "datasource_core")]
/// # struct Numbers {}
/// # #[derive(Row)]
/// # #[spark(crate = "datasource_core")]
/// # struct Number { n: i64 }
/// # impl SourceSchema for Numbers {
/// #     fn schema(&self) -> Result<SchemaRef> { Ok(Number::schema()) }
/// # }
/// # impl BatchReader for Numbers {
/// #     type Plan = ();
/// #     type Partition = std::ops::Range<u64>;
/// #     fn partitions(&self, _: &Scan) -> Result<Vec<Self::Partition>> { Ok(split_range(0..10, 3)) }
/// #     fn read(self: Arc<Self>, _: &Scan, _: &Task, p: Self::Partition) -> Result<Batches> {
/// #         Ok(Batches::from_rows(p.map(|n| Number { n: n as i64 })))
/// #     }
/// # }
/// let batches = read_all(Numbers {}).unwrap();
/// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 10);
/// ```
pub fn read_all<T: BatchReader>(source: impl Into<Arc<T>>) -> Result<Vec<RecordBatch>> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), None)?;
    read_scan(source, scan)
}

/// [`read_all`], with a schema the user gives (`spark.read.schema(...)`, as Arrow).
pub fn read_all_with_schema<T: BatchReader>(
    source: impl Into<Arc<T>>,
    user_schema: SchemaRef,
) -> Result<Vec<RecordBatch>> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), Some(user_schema))?;
    read_scan(source, scan)
}

/// What [`read_all_pushed`] read, and the filters the source handed back to Spark.
#[derive(Debug)]
pub struct PushedRead {
    /// The batches Spark receives from the source.
    pub batches: Vec<RecordBatch>,
    /// The filters Spark still applies after the scan.
    pub handed_back: Vec<Filter>,
}

/// [`read_all`], with `filters` offered to the source as Spark offers them; Spark's own work
/// (applying what was handed back) is left to the caller.
pub fn read_all_pushed<T: FilterPushdown>(
    source: impl Into<Arc<T>>,
    filters: Vec<Filter>,
) -> Result<PushedRead> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), None)?;
    // Filters cross from Spark through the codec.
    let filters = codec::shipped(T::NAME, Cargo::Filters, &filters)?;
    let verdicts = source.push_filters(&scan, &filters)?;
    let pushed = sort_pushed(T::NAME, &filters, &verdicts)?;
    let handed_back = pushed
        .handed_back
        .iter()
        .map(|&i| filters[i].clone())
        .collect();
    let scan = scan.with_filters(pushed.exact, pushed.inexact);
    let batches = read_scan(source, scan)?;
    Ok(PushedRead {
        batches,
        handed_back,
    })
}

/// [`read_all`] under `LIMIT limit`, offered to the source as Spark offers it: whether the
/// source took it, and the batches it gave (Spark's own LIMIT over them is left to the caller:
/// with the limit taken, each partition should give at most `limit` rows).
pub fn read_all_limited<T: LimitPushdown>(
    source: impl Into<Arc<T>>,
    limit: u64,
) -> Result<(bool, Vec<RecordBatch>)> {
    let source = source.into();
    let scan = scan_schemas(source.as_ref(), None)?;
    let taken = source.push_limit(&scan, limit)?;
    let scan = scan.with_limit(taken.then_some(limit));
    Ok((taken, read_scan(source, scan)?))
}

/// Plans and reads a scan whose schemas and filters are settled.
fn read_scan<T: BatchReader>(source: Arc<T>, scan: Scan) -> Result<Vec<RecordBatch>> {
    let adapter = scan.adapter(T::NAME)?;
    let plan = source.plan(&scan)?;
    let plan = codec::shipped(T::NAME, Cargo::Plan, &plan)?;
    let scan = scan.with_plan(plan);
    let mut batches = Vec::new();
    for (index, partition) in source.partitions(&scan)?.into_iter().enumerate() {
        let partition = codec::shipped(T::NAME, Cargo::Partition, &partition)?;
        let task = Task::new(index as u32);
        for batch in source.clone().read(&scan, &task, partition)? {
            for piece in adapter.pieces(batch?) {
                batches.push(adapter.adapt(piece)?);
            }
        }
    }
    Ok(batches)
}
