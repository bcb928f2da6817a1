//! `sqldb`: a Spark source and sink of SQL databases, PostgreSQL (a server) or SQLite (a file,
//! the embedded default), behind one set of options.
//!
//! Reading: the schema comes from the database on the driver; the rows are split into ranges
//! of an integer `partitionColumn` (its bounds found with `MIN`/`MAX` when not given), one
//! Spark task and one connection each; Spark's filters (PySpark 4.1+) become `WHERE`
//! conditions with bound parameters where the database answers exactly as Spark would, and stay
//! with Spark otherwise. Every name from an option is checked and quoted, every value bound.
//!
//! Writing: each task writes its rows into a staging table of its own, in one transaction;
//! `commit` moves every staged row into the target (creating it, or emptying it for
//! `overwrite`) and drops the staging tables, in one transaction; `abort` drops them. A failed
//! write leaves the target as it was.

mod batch;
mod columns;
mod db;
mod ident;
mod postgres;
mod pushdown;
mod read;
mod sql;
mod sqlite;
mod url;
mod write;

use datasource_py::prelude::*;

pub use ident::{Ident, TableName};
pub use read::Slice;
pub use url::DatabaseUrl;
pub use write::Staged;

/// What to read or write: a table, or (to read) a query.
#[derive(Options, Debug, Clone, PartialEq)]
pub enum Target {
    /// A table: `orders`, `sales.orders` or `"Order Lines"` (bare names are folded to lower
    /// case, quoted ones kept).
    Table(TableName),
    /// A query to read, run read-only as a subquery: `SELECT id, total FROM orders WHERE paid`.
    Query(String),
}

/// Tables and queries of PostgreSQL or SQLite, read in parallel ranges of an integer column
/// with Spark's filters run by the database, and written through staging tables published in
/// one transaction.
#[data_source(name = "sqldb")]
#[derive(Debug)]
pub struct SqlDb {
    /// The database: `postgresql://host:port/database` (also `postgres://` and
    /// `jdbc:postgresql://`), or an SQLite file (`sqlite:/path/to.db` or a path) that every
    /// Spark node can open.
    url: DatabaseUrl,
    /// The user to connect as (PostgreSQL), in place of the URL's.
    user: Option<String>,
    /// The user's password (PostgreSQL), in place of the URL's.
    password: Option<Secret<String>>,
    #[option(flatten)]
    target: Target,
    /// An integer column whose range is split among `numPartitions` tasks (every row is read
    /// once, NULLs with the first range).
    partition_column: Option<Ident>,
    /// How many tasks read in parallel, each on its own connection (needs `partitionColumn`
    /// above 1).
    #[option(default = 1, range = 1..=1024)]
    num_partitions: u32,
    /// Where the ranges start: the column's `MIN` when not given (rows below it are read by
    /// the first task).
    lower_bound: Option<i64>,
    /// Where the ranges end: the column's `MAX` when not given (rows above it are read by the
    /// last task).
    upper_bound: Option<i64>,
    /// Rows per Arrow batch handed to Spark; by default about 8 MiB of data a batch. (Rows
    /// stream from the database as it produces them, whatever the batch.)
    #[option(range = 1..=1_000_000)]
    fetch_size: Option<u32>,
}

impl SqlDb {
    fn connect(&self) -> db::Connect {
        db::Connect {
            url: self.url.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
        }
    }

    fn relation(&self) -> sql::Relation {
        match &self.target {
            Target::Table(table) => sql::Relation::Table(table.clone()),
            Target::Query(query) => sql::Relation::Query(query.clone()),
        }
    }
}

datasource_py::export!(pyspark_sqldb => SqlDb);

#[cfg(test)]
mod tests;
