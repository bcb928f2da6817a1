//! Writing: a staging table per task, published in one transaction at commit.

use std::sync::Arc;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::{columns_of, schema_of};
use crate::ident::{Ident, TableName};
use crate::{SqlDb, Target};

/// What a task staged: its table and the rows in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staged {
    pub table: TableName,
    pub rows: u64,
}

impl SqlDb {
    /// The table written: a `query` cannot be.
    fn table(&self) -> Result<&TableName> {
        match &self.target {
            Target::Table(table) => Ok(table),
            Target::Query(_) => {
                bail!("a write needs `table` (the table to write into); `query` is only read")
            }
        }
    }
}

/// The start of every staging table name of a write: `spark_stage_<write>_`, the write's id
/// cut to letters and digits (PostgreSQL names are at most 63 bytes).
fn stage_prefix(job: &WriteJob) -> String {
    let id: String = job
        .id()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    format!("spark_stage_{id}_")
}

impl BatchWriter for SqlDb {
    type Commit = Staged;

    /// The target's own columns when it exists (Spark's data is fitted to them, or refused at
    /// `save()` with every mismatch named); anything otherwise (the table is created at commit).
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        let table = self.table()?;
        let mut db = self.connect().read_write()?;
        Ok(match db.table_columns(table)? {
            Some(columns) => schema_of(&columns),
            None => incoming.clone(),
        })
    }

    fn write(self: Arc<Self>, job: &WriteJob, task: &Task, batches: Batches) -> Result<Staged> {
        let table = self.table()?;
        let mut db = self.connect().read_write()?;
        let columns = columns_of(job.schema(), |kind| db.column_type(kind))?;
        let stage = table.sibling(format!("{}{}", stage_prefix(job), task.task_attempt_id));
        let rows = db.stage(&stage, &columns, batches).with_context(|| {
            format!("staging the rows of task {} in {stage}", task.partition_id)
        })?;
        Ok(Staged { table: stage, rows })
    }

    fn commit(&self, job: &WriteJob, staged: Vec<Staged>) -> Result<()> {
        let table = self.table()?;
        let mut db = self.connect().read_write()?;
        let columns = columns_of(job.schema(), |kind| db.column_type(kind))?;
        let names: Vec<String> = columns
            .iter()
            .map(|c| Ident::exact(&c.name).to_string())
            .collect();
        let names = names.join(", ");
        let declared: Vec<String> = columns
            .iter()
            .map(|c| format!("{} {}", Ident::exact(&c.name), c.database_type))
            .collect();
        let mut statements = vec![format!(
            "CREATE TABLE IF NOT EXISTS {table} ({})",
            declared.join(", ")
        )];
        if job.overwrite() {
            statements.push(format!("DELETE FROM {table}"));
        }
        for stage in &staged {
            statements.push(format!(
                "INSERT INTO {table} ({names}) SELECT {names} FROM {}",
                stage.table
            ));
        }
        // Every staging table of this write, those of task attempts that lost a race too.
        for stage in db.tables_starting_with(table, &stage_prefix(job))? {
            statements.push(format!("DROP TABLE {stage}"));
        }
        db.in_transaction(&statements)
            .with_context(|| format!("publishing the write into {table}"))?;
        let rows: u64 = staged.iter().map(|s| s.rows).sum();
        log::info!(
            "sqldb: wrote {rows} rows into {table} ({} tasks)",
            staged.len()
        );
        Ok(())
    }

    fn abort(&self, job: &WriteJob, _staged: Vec<Option<Staged>>) -> Result<()> {
        let table = self.table()?;
        let mut db = self.connect().read_write()?;
        let stages = db.tables_starting_with(table, &stage_prefix(job))?;
        let statements: Vec<String> = stages
            .iter()
            .map(|stage| format!("DROP TABLE {stage}"))
            .collect();
        db.in_transaction(&statements)
            .with_context(|| format!("dropping the staging tables of {table}"))?;
        log::warn!(
            "sqldb: a write into {table} failed; {} staging tables dropped",
            stages.len()
        );
        Ok(())
    }
}
