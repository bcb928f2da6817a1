//! [`Task`]: which Spark task runs a `read` or a `write`, on an executor.

use std::collections::BTreeMap;

/// The Spark task a `read` or a `write` runs in (PySpark's `TaskContext`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
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
    /// The CPUs Spark gave this task (`spark.task.cpus`), where Spark said.
    pub cpus: Option<u32>,
    /// The stage this task belongs to, where Spark said.
    pub stage_id: Option<u32>,
    /// The resources Spark assigned this task (`spark.task.resource.<name>.amount`, such as
    /// GPUs): each resource's name and its addresses.
    pub resources: BTreeMap<String, Vec<String>>,
    /// The job's local properties (`SparkContext.setLocalProperty`, the job group, the SQL
    /// execution id): read them with [`Task::local_property`].
    pub local_properties: LocalProperties,
}

/// The local properties of a task's job. Its `Debug` lists their names only: values may be
/// settings a user would not want in a log.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LocalProperties(pub BTreeMap<String, String>);

impl std::fmt::Debug for LocalProperties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Task {
    /// The first attempt of the task of `partition_id` (its attempt id the partition's, so
    /// unique among the tasks of one test), outside any stream: what test harnesses run.
    pub fn new(partition_id: u32) -> Self {
        Task {
            partition_id,
            task_attempt_id: u64::from(partition_id),
            ..Task::default()
        }
    }

    /// This task, as attempt `attempt_number` (`task_attempt_id` unique in the application).
    pub fn with_attempt(mut self, attempt_number: u32, task_attempt_id: u64) -> Self {
        self.attempt_number = attempt_number;
        self.task_attempt_id = task_attempt_id;
        self
    }

    /// This task, in micro-batch `batch_id` of a streaming query.
    pub fn with_batch_id(mut self, batch_id: u64) -> Self {
        self.batch_id = Some(batch_id);
        self
    }

    /// This task, given `cpus` CPUs.
    pub fn with_cpus(mut self, cpus: u32) -> Self {
        self.cpus = Some(cpus);
        self
    }

    /// This task, in stage `stage_id`.
    pub fn with_stage_id(mut self, stage_id: u32) -> Self {
        self.stage_id = Some(stage_id);
        self
    }

    /// This task, given the addresses of resource `name`.
    pub fn with_resource(mut self, name: impl Into<String>, addresses: Vec<String>) -> Self {
        self.resources.insert(name.into(), addresses);
        self
    }

    /// This task, in a job whose local property `name` is `value`.
    pub fn with_local_property(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.local_properties.0.insert(name.into(), value.into());
        self
    }

    /// The job's local property `name` (`SparkContext.setLocalProperty`), if set.
    pub fn local_property(&self, name: &str) -> Option<&str> {
        self.local_properties.0.get(name).map(String::as_str)
    }

    /// This task, in a session whose time zone is `zone`.
    pub fn with_session_time_zone(mut self, zone: impl Into<String>) -> Self {
        self.session_time_zone = Some(zone.into());
        self
    }
}
