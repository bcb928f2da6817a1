//! [`LimitPushdown`]: a batch reader told how many rows the query needs at most.

use crate::Result;
use crate::capability::batch_read::BatchReader;
use crate::scan::Scan;

/// Limit pushdown: `SELECT ... LIMIT n` (or `df.limit(n)`) over a [`BatchReader`] tells it that
/// the query needs at most `n` rows, so a source can stop paging, add `LIMIT n` to its query,
/// or plan fewer partitions. A hint: Spark applies the LIMIT again over what is read, so each
/// partition may read up to `n` rows and the source stays correct if it ignores it.
///
/// The limit Spark offered and the source took is [`Scan::limit`] in `plan`, `partitions` and
/// every `read`. Spark offers it through `DataSourceReader.pushLimit`, which PySpark releases up
/// to 4.3 do not have (it is on Spark's main branch): there, the hook is not defined and
/// `Scan::limit` is always `None`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not take a LIMIT: it does not implement `LimitPushdown`",
    note = "`impl LimitPushdown for {Self} {{}}`, overriding `push_limit` to refuse some"
)]
pub trait LimitPushdown: BatchReader {
    /// Whether the source takes `limit` for `scan` (by default, yes): a taken limit is
    /// [`Scan::limit`] from then on.
    fn push_limit(&self, scan: &Scan, limit: u64) -> Result<bool> {
        let _ = (scan, limit);
        Ok(true)
    }
}
