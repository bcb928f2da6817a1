//! One interface over both databases: what the source and the sink ask of a connection.

use std::collections::BTreeMap;
use std::path::PathBuf;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::prelude::*;
use datasource_py::retry::Retry;
use datasource_py::{BatchSender, Batches};

use crate::columns::{Column, Kind};
use crate::ident::{Ident, TableName};
use crate::sql::{Dialect, Relation, Sql};
use crate::staging::Staging;
use crate::tls::SslMode;
use crate::url::DatabaseUrl;
use crate::{postgres, sqlite};

/// How to connect: what every task needs, from the options (PostgreSQL connections come from
/// the worker's pool; nothing is shared between processes but this).
#[derive(Debug, Clone)]
pub struct Connect {
    pub url: DatabaseUrl,
    pub user: Option<String>,
    pub password: Option<Secret<String>>,
    /// How connecting to a server is tried again.
    pub retry: Retry,
    /// `sslMode` and `sslRootCert`, where the options gave them (else the URL's).
    pub ssl_mode: Option<SslMode>,
    pub ssl_root_cert: Option<PathBuf>,
    /// Whether PostgreSQL connections come from the worker's pool.
    pub pool_connections: bool,
    /// PostgreSQL run-time settings of every connection (the `conn.` options).
    pub settings: BTreeMap<String, String>,
}

impl Connect {
    pub fn dialect(&self) -> Dialect {
        match self.url {
            DatabaseUrl::Postgres(_) => Dialect::Postgres,
            DatabaseUrl::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// A connection for reading: nothing it runs can change the database's tables (a `query`
    /// with a data-modifying statement fails; see `guard` for what PostgreSQL still allows).
    /// An SQLite file a killed writer left mid-transaction is rolled back first.
    pub fn read_only(&self) -> Result<Box<dyn Database>> {
        self.open(false)
    }

    /// A connection for writing.
    pub fn read_write(&self) -> Result<Box<dyn Database>> {
        self.open(true)
    }

    fn open(&self, write: bool) -> Result<Box<dyn Database>> {
        Ok(match &self.url {
            DatabaseUrl::Postgres(url) => Box::new(postgres::Postgres::connect(url, self, write)?),
            DatabaseUrl::Sqlite(path) => Box::new(sqlite::Sqlite::open(path, write)?),
        })
    }
}

/// What the source and the sink ask of a database.
pub trait Database {
    /// The columns of `relation`, without reading its rows where the database can.
    fn describe(&mut self, relation: &Relation) -> Result<Vec<Column>>;

    /// The plan of reading `relation` as text, every expression in it written out (views
    /// expanded), without running it: PostgreSQL's `EXPLAIN (VERBOSE)`; `None` where the
    /// database has nothing to check in it (SQLite).
    fn explain(&mut self, relation: &Relation) -> Result<Option<String>>;

    /// The smallest and largest value of an integer `column` among `rows` (a `SELECT` of it);
    /// `None` for no rows.
    fn bounds(&mut self, rows: Sql, column: &Ident) -> Result<Option<(i64, i64)>>;

    /// Runs `select`, whose columns have `kinds`, and sends its rows as batches of `schema`,
    /// of `size`, as the database produces them.
    fn read(
        &mut self,
        select: &Sql,
        schema: SchemaRef,
        kinds: &[Kind],
        size: BatchSize,
        out: &mut BatchSender,
    ) -> Result<()>;

    /// The columns of `table`, or `None` when there is no such table.
    fn table_columns(&mut self, table: &TableName) -> Result<Option<Vec<Column>>>;

    /// The type to declare for a column of `kind`.
    fn column_type(&self, kind: Kind) -> String;

    /// Creates table `stage` of `columns` and writes `batches` into it, in one transaction,
    /// unless the write of `staging` was aborted (its marker exists); the rows written. The
    /// transaction commits only while no `end_write` of the write runs (PostgreSQL: holding
    /// the write's lock shared; SQLite: writers take turns), after checking for the marker
    /// once more: a task never stages after its write's abort, nor between an abort's
    /// listing of the staging tables and its commit.
    fn stage(
        &mut self,
        staging: &Staging,
        stage: &TableName,
        columns: &[Column],
        batches: Batches,
    ) -> Result<u64>;

    /// Ends the write of `staging` (commit or abort) in one transaction that no task's
    /// staging commit can interleave with (PostgreSQL: the write's lock, exclusively; SQLite:
    /// the database's write lock): `statements` gets the names of every staging table and
    /// marker beside the target, listed once the lock is held, and gives the statements to
    /// run, all of them or none.
    fn end_write(
        &mut self,
        staging: &Staging,
        statements: &mut dyn FnMut(&[String]) -> Vec<String>,
    ) -> Result<()>;
}

/// A table or query read by a task has the columns Spark planned the read with (it may have
/// changed since, on the driver).
pub fn check_columns(found: usize, planned: usize) -> Result<()> {
    ensure!(
        found == planned,
        "the query now has {found} columns where it had {planned} when Spark planned the read"
    );
    Ok(())
}
