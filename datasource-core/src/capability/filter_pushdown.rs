//! [`FilterPushdown`]: the filters of a query's `WHERE` clause a batch reader applies itself,
//! and how the filters Spark offers are sorted by what the source says of each ([`Pushdown`]).

use crate::Result;
use crate::capability::batch_read::BatchReader;
use crate::filter::Filter;
use crate::scan::Scan;

/// Filter pushdown, a capability of a [`BatchReader`] (PySpark 4.1+, with
/// `spark.sql.python.filterPushdown.enabled`): Spark offers the conjuncts of a query's `WHERE`
/// clause that compare a column with literals, and the source says which it applies.
///
/// A filter accepted as [`Pushdown::Exact`] is **never applied again by Spark**: the source
/// must drop exactly the rows it rejects, NULL semantics included. [`Filter::evaluate`] and
/// [`Batches::filtered`](crate::Batches::filtered) do that with Spark's semantics; [`Filter::check`] says whether they
/// can for a schema. The accepted filters reach [`plan`](BatchReader::plan),
/// [`partitions`](BatchReader::partitions) and every task in [`Scan::filters`].
///
/// Where pushdown is off (the setting, or PySpark 4.0), the source is never asked, and Spark
/// filters every row itself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not push filters: it does not implement `FilterPushdown`",
    note = "`impl FilterPushdown for {Self}` with `push_filters`"
)]
pub trait FilterPushdown: BatchReader {
    /// For each of `filters` (a conjunction), what the source does with it, in order: one
    /// [`Pushdown`] per filter. On the driver, once per scan, before `plan`.
    fn push_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>>;
}

/// What a source does with a filter Spark offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pushdown {
    /// The source drops exactly the rows the filter rejects; Spark trusts it (and shows it
    /// among `PushedFilters` in `EXPLAIN`).
    Exact,
    /// The source uses the filter to skip data that cannot match (files, row groups, pages)
    /// but may return rows it rejects; Spark applies it again.
    Inexact,
    /// The source ignores the filter; Spark applies it.
    Unsupported,
}

/// The filters of a scan, sorted by what the source said of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushedFilters {
    /// Accepted as [`Pushdown::Exact`].
    pub exact: Vec<Filter>,
    /// Accepted as [`Pushdown::Inexact`] (also handed back).
    pub inexact: Vec<Filter>,
    /// The positions of the filters Spark must still apply.
    pub handed_back: Vec<usize>,
}

/// Sorts `filters` by the source's `verdicts` (one each, in order: anything else is an error
/// naming the source).
pub fn sort_pushed(
    source: &'static str,
    filters: &[Filter],
    verdicts: &[Pushdown],
) -> Result<PushedFilters> {
    crate::ensure!(
        verdicts.len() == filters.len(),
        "{source}: push_filters returned {} verdicts for {} filters (one per filter, in order)",
        verdicts.len(),
        filters.len()
    );
    let mut pushed = PushedFilters::default();
    for (index, (filter, verdict)) in filters.iter().zip(verdicts).enumerate() {
        match verdict {
            Pushdown::Exact => pushed.exact.push(filter.clone()),
            Pushdown::Inexact => {
                pushed.inexact.push(filter.clone());
                pushed.handed_back.push(index);
            }
            Pushdown::Unsupported => pushed.handed_back.push(index),
        }
    }
    Ok(pushed)
}
