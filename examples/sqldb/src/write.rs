//! Writing: a staging table per task, published in one transaction at commit.

use std::sync::Arc;

use datasource_py::arrow_schema::{Schema, SchemaRef};
use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::{columns_of, schema_of};
use crate::db::Database;
use crate::ident::{Ident, TableName};
use crate::staging::Staging;
use crate::{SqlDb, Target};

/// What the driver did before the tasks: whether the target table was made then.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepared {
    /// Whether the target table was created for this write (an aborted write leaves it empty).
    pub created: bool,
}

/// What a task staged: its table and the rows in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staged {
    /// The task's staging table: `commit` moves its rows into the target, then drops it.
    pub table: TableName,
    /// The rows the task staged there.
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

    /// The statements dropping, of the tables `names` beside the target, those of this write
    /// and those another write left more than `stagingExpiry` ago; how many of the latter.
    fn drops(&self, staging: &Staging, names: &[String]) -> (Vec<String>, usize) {
        let mut statements = Vec::new();
        let mut expired = 0;
        for name in names {
            let ours = staging.owns(name);
            if ours || staging.expired(name, self.staging_expiry) {
                expired += usize::from(!ours);
                let table = staging.target().sibling(name.clone());
                statements.push(format!("DROP TABLE IF EXISTS {table}"));
            }
        }
        (statements, expired)
    }

    /// `CREATE TABLE IF NOT EXISTS` of the target, with the columns of `job`'s data.
    fn create_target(&self, job: &WriteJob<impl Sized>, db: &dyn Database) -> Result<String> {
        let table = self.table()?;
        let columns = columns_of(job.schema(), |kind| db.column_type(kind))?;
        let declared: Vec<String> = columns
            .iter()
            .map(|c| format!("{} {}", Ident::exact(&c.name), c.database_type))
            .collect();
        Ok(format!(
            "CREATE TABLE IF NOT EXISTS {table} ({})",
            declared.join(", ")
        ))
    }

    /// An error for a column PostgreSQL would cut to 63 bytes (the table would get another
    /// column), before any task runs.
    fn check_column_names(&self, incoming: &Schema) -> Result<()> {
        for field in incoming.fields() {
            self.check_name_length("column", field.name())?;
        }
        Ok(())
    }
}

impl BatchWriter for SqlDb {
    type Plan = Prepared;
    type Commit = Staged;

    /// The target's own columns when it exists (Spark's data is fitted to them, or refused at
    /// `save()` with every mismatch named); otherwise the data's columns as they are stored
    /// (a TINYINT as SMALLINT), the table created from them at commit. Names PostgreSQL would
    /// cut, and columns no SQL table takes, are refused here, at `save()`.
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        let table = self.table()?;
        self.check_option_names()?;
        self.check_column_names(incoming)?;
        let mut db = self.connect().read_write()?;
        Ok(match db.table_columns(table)? {
            Some(columns) => schema_of(&columns),
            None => schema_of(&columns_of(incoming, |kind| db.column_type(kind))?),
        })
    }

    /// Makes the target table when there is none, once, before any task (under the write's
    /// lock, as commits are): a table with the data's columns, empty until the commit.
    fn plan(&self, job: &WriteJob) -> Result<Prepared> {
        let table = self.table()?;
        let mut db = self.connect().read_write()?;
        if db.table_columns(table)?.is_some() {
            return Ok(Prepared::default());
        }
        let create = self.create_target(job, db.as_ref())?;
        db.end_write(&Staging::new(job, table), &mut |_| vec![create.clone()])
            .with_context(|| format!("creating {table}"))?;
        log::info!("sqldb: created {table} for a write");
        Ok(Prepared { created: true })
    }

    fn write(
        self: Arc<Self>,
        job: &WriteJob<Prepared>,
        task: &Task,
        batches: Batches,
    ) -> Result<Staged> {
        let table = self.table()?;
        let staging = Staging::new(job, table);
        let mut db = self.connect().read_write()?;
        let columns = columns_of(job.schema(), |kind| db.column_type(kind))?;
        let stage = staging.stage_table(task.task_attempt_id);
        let rows = db
            .stage(&staging, &stage, &columns, batches)
            .with_context(|| {
                format!("staging the rows of task {} in {stage}", task.partition_id)
            })?;
        Ok(Staged { table: stage, rows })
    }

    fn commit(&self, job: &WriteJob<Prepared>, staged: Vec<Staged>) -> Result<()> {
        let table = self.table()?;
        let staging = Staging::new(job, table);
        let mut db = self.connect().read_write()?;
        let columns = columns_of(job.schema(), |kind| db.column_type(kind))?;
        let names: Vec<String> = columns
            .iter()
            .map(|c| Ident::exact(&c.name).to_string())
            .collect();
        let names = names.join(", ");
        // Made by `plan`; made again if it was dropped since.
        let mut publish = vec![self.create_target(job, db.as_ref())?];
        if job.overwrite() {
            publish.push(format!("DELETE FROM {table}"));
        }
        for stage in &staged {
            publish.push(format!(
                "INSERT INTO {table} ({names}) SELECT {names} FROM {}",
                stage.table
            ));
        }
        let mut expired = 0;
        // Every staging table of this write (those of task attempts that lost a race too),
        // and the leftovers of writes that expired.
        db.end_write(&staging, &mut |beside| {
            let (drops, count) = self.drops(&staging, beside);
            expired = count;
            publish.iter().cloned().chain(drops).collect()
        })
        .with_context(|| format!("publishing the write into {table}"))?;
        let rows: u64 = staged.iter().map(|s| s.rows).sum();
        log::info!(
            "sqldb: wrote {rows} rows into {table} ({} tasks; {expired} expired staging tables \
             of other writes dropped)",
            staged.len()
        );
        Ok(())
    }

    fn abort(&self, job: &WriteJob<Prepared>, _staged: Vec<Option<Staged>>) -> Result<()> {
        let table = self.table()?;
        let staging = Staging::new(job, table);
        let mut db = self.connect().read_write()?;
        let mut dropped = 0;
        // The marker stops tasks still running from staging afterwards; the lock makes those
        // that staged before it be listed here.
        db.end_write(&staging, &mut |beside| {
            let (mut statements, _) = self.drops(&staging, beside);
            dropped = statements.len();
            statements.push(format!(
                "CREATE TABLE {} (aborted INTEGER)",
                staging.abort_marker()
            ));
            statements
        })
        .with_context(|| format!("dropping the staging tables of {table}"))?;
        log::warn!(
            "sqldb: a write into {table} failed; {dropped} staging tables dropped{}",
            if job.plan().created {
                " (the table, made for this write, is left empty)"
            } else {
                ""
            }
        );
        Ok(())
    }
}
