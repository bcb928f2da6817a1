//! [`Task`]: which Spark task runs a `read` or a `write`, on an executor.

/// The Spark task a `read` or a `write` runs in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Task {
    /// The partition this task reads or writes: one per task.
    pub partition_id: u32,
    /// How many times this task was tried before (0 the first time).
    pub attempt_number: u32,
    /// An identifier of this attempt, unique in the Spark application.
    pub task_attempt_id: u64,
    /// The micro-batch this task reads or writes part of, in a streaming query.
    pub batch_id: Option<u64>,
    /// The session's time zone (`spark.sql.session.timeZone`) where the session set it, such
    /// as `America/New_York`; `None`: Spark's default, the JVM's own zone (the machine's).
    /// What zone-less date-time text means: see [`SessionZone`](crate::datetime::SessionZone).
    pub session_time_zone: Option<String>,
}
