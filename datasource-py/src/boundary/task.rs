//! The running task, read from PySpark's `TaskContext` where Spark runs it.

use datasource_core::Task;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

static TASK_CONTEXT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The task this Python worker runs now; [`Task::default`] outside a task (a driver's call).
/// The zone is the session's `spark.sql.session.timeZone` where it was set (Spark hands SQL
/// settings to tasks as local properties).
pub(crate) fn current_task(py: Python<'_>) -> PyResult<Task> {
    let context = TASK_CONTEXT
        .import(py, "pyspark", "TaskContext")?
        .call_method0("get")?;
    if context.is_none() {
        return Ok(Task::default());
    }
    let mut task = Task::new(context.call_method0("partitionId")?.extract()?).with_attempt(
        context.call_method0("attemptNumber")?.extract()?,
        context.call_method0("taskAttemptId")?.extract()?,
    );
    // Every local property, read once from the dict `getLocalProperty` reads them from; one by
    // name where a PySpark keeps them otherwise.
    let all_read = if let Ok(properties) = context.getattr("_localProperties")
        && let Ok(properties) = properties.cast::<PyDict>()
    {
        for (name, value) in properties.iter() {
            if let (Ok(name), Ok(value)) = (name.extract::<String>(), value.extract::<String>()) {
                task = task.with_local_property(name, value);
            }
        }
        true
    } else {
        false
    };
    let property = |task: &Task, name: &str| -> PyResult<Option<String>> {
        if all_read {
            return Ok(task.local_property(name).map(str::to_owned));
        }
        context.call_method1("getLocalProperty", (name,))?.extract()
    };
    if let Some(batch) = property(&task, "streaming.sql.batchId")? {
        let batch = batch.parse().map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "Spark's micro-batch id `{batch}` is not a number"
            ))
        })?;
        task = task.with_batch_id(batch);
    }
    if let Ok(cpus) = context
        .call_method0("cpus")
        .and_then(|cpus| cpus.extract::<u32>())
    {
        task = task.with_cpus(cpus);
        // The SDK's runtime, where a source is async, gets as many threads (once, when built).
        #[cfg(feature = "async")]
        datasource_core::runtime::size_for_task(cpus);
    }
    if let Some(zone) = property(&task, "spark.sql.session.timeZone")? {
        task = task.with_session_time_zone(zone);
    }
    if let Ok(stage) = context
        .call_method0("stageId")
        .and_then(|id| id.extract::<u32>())
    {
        task = task.with_stage_id(stage);
    }
    if let Ok(resources) = context.call_method0("resources") {
        for (name, information) in resources.cast::<PyDict>()?.iter() {
            let addresses: Vec<String> = information.getattr("addresses")?.extract()?;
            task = task.with_resource(name.extract::<String>()?, addresses);
        }
    }
    Ok(task)
}
