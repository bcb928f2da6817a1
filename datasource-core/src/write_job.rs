//! [`WriteJob`]: one write, planned on the driver and handed to every task and to
//! `commit`/`abort`.

use std::sync::atomic::{AtomicU64, Ordering};

use arrow_schema::SchemaRef;

/// One write, planned on the driver and handed to every task and to `commit`/`abort`, with the
/// sink's own plan `P` (see [`BatchWriter::plan`](crate::BatchWriter::plan)).
#[derive(Debug, Clone)]
pub struct WriteJob<P = ()> {
    id: String,
    schema: SchemaRef,
    overwrite: bool,
    plan: P,
}

impl WriteJob {
    /// A write of data of `schema` (what the sink accepts), replacing earlier data when
    /// `overwrite`, known to its tasks as `id`.
    pub fn new(id: impl Into<String>, schema: SchemaRef, overwrite: bool) -> Self {
        WriteJob {
            id: id.into(),
            schema,
            overwrite,
            plan: (),
        }
    }
}

impl<P> WriteJob<P> {
    /// An identifier of this batch write, the same in every task and in `commit`/`abort`, and
    /// new for each write: a name for its staging area, a key for idempotency. Not so for a
    /// stream: PySpark plans one writer for a run's tasks and a fresh one for each micro-batch's
    /// `commit`/`abort`, so the id there differs from the tasks'; key micro-batches by their
    /// batch id instead.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The schema of the batches `write` gets: the columns the sink accepts, as Spark's Arrow
    /// conversion gives them.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Whether the write replaces what the sink holds (`mode("overwrite")`, a streaming query
    /// in complete mode) rather than adding to it.
    pub fn overwrite(&self) -> bool {
        self.overwrite
    }

    /// What the sink's `plan` made on the driver before any task ran.
    pub fn plan(&self) -> &P {
        &self.plan
    }

    /// This write, with its plan.
    pub fn with_plan<Q>(self, plan: Q) -> WriteJob<Q> {
        WriteJob {
            id: self.id,
            schema: self.schema,
            overwrite: self.overwrite,
            plan,
        }
    }

    /// This write without its plan (what `plan` itself is given).
    pub fn unplanned(&self) -> WriteJob {
        WriteJob {
            id: self.id.clone(),
            schema: self.schema.clone(),
            overwrite: self.overwrite,
            plan: (),
        }
    }
}

/// A new write identifier: the time, the process and a counter, so two writes never share one.
#[doc(hidden)]
pub fn new_write_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{nanos:x}-{:x}-{:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
