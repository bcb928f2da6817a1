//! The tables a write leaves beside its target until it ends: one staging table per task
//! attempt, `spark_stage_<write>_<created>_<task attempt>`, and, once the write is aborted, a
//! marker `spark_stage_<write>_<created>_aborted` that stops late tasks from staging. `<write>`
//! is 16 hex digits of the write's id, `<created>` the creation time in unix seconds: a later
//! write drops what an abandoned one left (a job killed before it could abort) once it is older
//! than `stagingExpiry`. Every name fits PostgreSQL's 63 bytes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use datasource_py::WriteJob;

use crate::ident::TableName;

/// The start of every staging table and marker name.
pub const PREFIX: &str = "spark_stage_";

/// The marker's last part.
const ABORTED: &str = "aborted";

/// One write's staging tables and marker, beside its target.
#[derive(Debug, Clone)]
pub struct Staging {
    /// 16 hex digits of the write's id.
    write: String,
    target: TableName,
}

/// What a table beside the target is, by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub write: String,
    /// Unix seconds.
    pub created: u64,
    /// A marker of an aborted write (not a task's rows).
    pub aborted: bool,
}

impl Staging {
    pub fn new<P>(job: &WriteJob<P>, target: &TableName) -> Self {
        Staging {
            write: format!("{:016x}", fnv1a(job.id().as_bytes())),
            target: target.clone(),
        }
    }

    /// `spark_stage_<write>_`: the start of every table of this write.
    pub fn prefix(&self) -> String {
        format!("{PREFIX}{}_", self.write)
    }

    /// The staging table of task attempt `task`, created now.
    pub fn stage_table(&self, task: u64) -> TableName {
        self.target
            .sibling(format!("{}{}_{task}", self.prefix(), unix_now()))
    }

    /// The marker of this write's abort, created now.
    pub fn abort_marker(&self) -> TableName {
        self.target
            .sibling(format!("{}{}_{ABORTED}", self.prefix(), unix_now()))
    }

    /// The key of the write's PostgreSQL advisory lock: tasks hold it shared while they
    /// commit their staging, `commit` and `abort` exclusively while they end the write.
    pub fn lock_key(&self) -> i64 {
        let bits = u64::from_str_radix(&self.write, 16).unwrap_or_default();
        i64::from_be_bytes(bits.to_be_bytes())
    }

    pub fn target(&self) -> &TableName {
        &self.target
    }

    /// Whether `name` (a table beside the target) is one of this write's.
    pub fn owns(&self, name: &str) -> bool {
        parse(name).is_some_and(|leftover| leftover.write == self.write)
    }

    /// Whether `names` (tables beside the target) hold this write's abort marker.
    pub fn aborted_in<'a>(&self, mut names: impl Iterator<Item = &'a str>) -> bool {
        names.any(|name| {
            parse(name).is_some_and(|leftover| leftover.write == self.write && leftover.aborted)
        })
    }

    /// An error when `names` (tables beside the target) hold this write's abort marker: a task
    /// stages nothing for an aborted write.
    pub fn ensure_not_aborted(&self, names: &[String]) -> datasource_py::Result<()> {
        datasource_py::ensure!(
            !self.aborted_in(names.iter().map(String::as_str)),
            "the write was aborted (another task failed) before this task's rows were staged: \
             none of them is kept"
        );
        Ok(())
    }

    /// Whether `name` is another write's staging table or marker created more than `expiry`
    /// ago: left by a write that will never end (or a marker no late task needs any more).
    pub fn expired(&self, name: &str, expiry: Duration) -> bool {
        parse(name).is_some_and(|leftover| {
            leftover.write != self.write
                && leftover.created.saturating_add(expiry.as_secs()) < unix_now()
        })
    }
}

/// `spark_stage_<16 hex>_<seconds>_<task attempt or "aborted">`, read back.
pub fn parse(name: &str) -> Option<Leftover> {
    let rest = name.strip_prefix(PREFIX)?;
    let mut parts = rest.splitn(3, '_');
    let (write, created, last) = (parts.next()?, parts.next()?, parts.next()?);
    let hex = write.len() == 16 && write.bytes().all(|b| b.is_ascii_hexdigit());
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !hex || !digits(created) || !(digits(last) || last == ABORTED) {
        return None;
    }
    Some(Leftover {
        write: write.to_owned(),
        created: created.parse().ok()?,
        aborted: last == ABORTED,
    })
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// FNV-1a, 64 bits: the same on every node and every Rust release (the standard library's
/// hasher promises neither), so every task names the write alike.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datasource_py::OptionValue;
    use datasource_py::arrow_schema::Schema;

    use super::*;

    fn staging(id: &str) -> Staging {
        let job = WriteJob::new(id, Arc::new(Schema::empty()), false);
        Staging::new(&job, &TableName::parse_option("s.t").unwrap())
    }

    #[test]
    fn names_fit_postgres_and_read_back() {
        let staging = staging("18c2f1a93b7d4e00-1f2e-0");
        let stage = staging.stage_table(u64::MAX);
        assert!(stage.table.name().len() <= 63, "{stage}");
        assert_eq!(stage.schema, staging.target().schema);
        let leftover = parse(stage.table.name()).unwrap();
        assert!(!leftover.aborted);
        assert!(staging.owns(stage.table.name()));
        let marker = staging.abort_marker();
        assert!(staging.aborted_in([marker.table.name()].into_iter()));
        assert!(!staging.aborted_in([stage.table.name()].into_iter()));
        // Another write's tables are not this one's, and expire.
        let other = super::tests::staging("18c2f1a93b7d4e00-1f2e-1");
        assert!(!other.owns(stage.table.name()));
        assert!(!other.aborted_in([marker.table.name()].into_iter()));
        assert!(!other.expired(stage.table.name(), Duration::from_secs(60)));
        let old = format!("{}{}_{}", staging.prefix(), unix_now() - 61, 7);
        assert!(other.expired(&old, Duration::from_secs(60)));
        assert!(!staging.expired(&old, Duration::from_secs(60)));
        for name in [
            "spark_stage_",
            "spark_stage_abc_1_2",
            "spark_stage_0123456789abcdef_1_x",
            "spark_stage_0123456789abcdef__2",
            "orders",
        ] {
            assert_eq!(parse(name), None, "{name}");
        }
    }
}
