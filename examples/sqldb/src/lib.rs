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
//! `overwrite`) and drops the staging tables, in one transaction; `abort` drops them and marks
//! the write aborted, so that no task stages after it. A failed write leaves the target as it
//! was.

#![deny(missing_docs)]

mod batch;
mod columns;
mod db;
mod errors;
mod guard;
mod ident;
mod postgres;
mod pushdown;
mod read;
mod sql;
mod sqlite;
mod staging;
mod tls;
mod url;
mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use datasource_py::prelude::*;
use datasource_py::retry::Retry;

pub use ident::{Ident, TableName};
pub use read::Slice;
pub use tls::SslMode;
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
#[data_source(name = "sqldb", validate = Self::check_settings)]
#[derive(Debug)]
pub struct SqlDb {
    /// The database: `postgresql://host:port/database` (also `postgres://` and
    /// `jdbc:postgresql://`), or an SQLite file (`sqlite:/path/to.db` or a path) that every
    /// Spark node can open.
    url: DatabaseUrl,
    /// The user to connect as (PostgreSQL), in place of the URL's.
    user: Option<String>,
    /// The user's password (PostgreSQL), in place of the URL's; `env:NAME` or `file:PATH` to
    /// read it on each node from an environment variable or a file.
    password: Option<Secret<String>>,
    /// PostgreSQL: whether and how the connection is encrypted, as libpq's `sslmode` (also
    /// taken from the URL's `sslmode`); `prefer` when given neither way.
    ssl_mode: Option<SslMode>,
    /// PostgreSQL: a PEM file of the CAs trusted to sign the server's certificate (also the
    /// URL's `sslrootcert`), which every Spark node can read; Mozilla's root store otherwise.
    ssl_root_cert: Option<PathBuf>,
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
    /// PostgreSQL: let `query` call the functions refused by default, which reach past the
    /// tables (large objects, server files, SQL given as text, `dblink`, settings, other
    /// sessions); the database role then decides what they may do.
    #[option(default = false)]
    allow_server_functions: bool,
    /// How old staging tables of another write must be before a write into the same schema
    /// drops them (a job killed before it could abort leaves them); longer than any write.
    #[option(default = Duration::from_secs(24 * 60 * 60))]
    staging_expiry: Duration,
    /// PostgreSQL: connecting again while no server answers or the server cannot take the
    /// connection yet (never after a refused password).
    #[option(flatten)]
    retry: Retry,
    /// PostgreSQL: take connections from a pool per worker process, kept between tasks and
    /// queries (`false`: each task and planning call opens its own, closed after it; for a
    /// server or pooler that must see every session end).
    #[option(default = true)]
    pool_connections: bool,
    /// PostgreSQL: run-time settings of each connection, one option each
    /// (`conn.statement_timeout` = `30s`, `conn.search_path` = `sales`,
    /// `conn.application_name`), as `SET` would make them, from the moment it connects.
    #[option(prefix = "conn.")]
    settings: BTreeMap<String, String>,
}

impl SqlDb {
    fn connect(&self) -> db::Connect {
        db::Connect {
            url: self.url.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            retry: self.retry.clone(),
            ssl_mode: self.ssl_mode,
            ssl_root_cert: self.ssl_root_cert.clone(),
            pool_connections: self.pool_connections,
            settings: self.settings.clone(),
        }
    }

    /// The `conn.` settings: PostgreSQL's only, named as settings are, and none that would
    /// undo what sqldb sets itself.
    fn check_settings(&self) -> Result<()> {
        if self.settings.is_empty() {
            return Ok(());
        }
        ensure!(
            matches!(self.url, DatabaseUrl::Postgres(_)),
            "the `conn.` options are PostgreSQL settings; an SQLite database has none: remove \
             {}",
            self.settings
                .keys()
                .map(|key| format!("`conn.{key}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for name in self.settings.keys() {
            ensure!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
                "option `conn.{name}`: `{name}` is not a PostgreSQL setting's name (letters, \
                 digits, `_` and `.`)"
            );
            ensure!(
                !postgres::SETTINGS_OF_SQLDB.contains(&name.as_str()),
                "option `conn.{name}`: sqldb sets `{name}` itself (reads run read-only, strings \
                 are lexed as its query check lexes them)"
            );
        }
        Ok(())
    }

    /// What is read; a PostgreSQL `query` calling a refused server function by name is an
    /// error (checked wherever it runs: the driver also checks PostgreSQL's plan of it).
    fn relation(&self) -> Result<sql::Relation> {
        Ok(match &self.target {
            Target::Table(table) => sql::Relation::Table(table.clone()),
            Target::Query(query) => {
                if self.guards_query() {
                    let called = guard::server_functions_called(query).map_err(|problem| {
                        format_err!(
                            "`query` holds {problem}, which hides the functions it calls from \
                             their check; set `allowServerFunctions` to true to leave them to \
                             the database role"
                        )
                    })?;
                    ensure!(
                        called.is_empty(),
                        "{}",
                        guard::refusal(&called, "in its text")
                    );
                }
                sql::Relation::Query(query.clone())
            }
        })
    }

    /// Whether a `query`'s calls are checked: PostgreSQL's, unless `allowServerFunctions`.
    fn guards_query(&self) -> bool {
        self.connect().dialect() == sql::Dialect::Postgres && !self.allow_server_functions
    }

    /// An error for a name PostgreSQL would cut to 63 bytes (reading or writing another
    /// column or table than the one named); `what` says where the name comes from.
    fn check_name_length(&self, what: &str, name: &str) -> Result<()> {
        if let Some(max) = self.connect().dialect().max_name_bytes() {
            ensure!(
                name.len() <= max,
                "{what} `{name}` is {} bytes long, and PostgreSQL cuts names to {max} bytes \
                 (it would use another name): give a shorter one",
                name.len()
            );
        }
        Ok(())
    }

    /// [`check_name_length`](Self::check_name_length) of `table` and `partitionColumn`.
    fn check_option_names(&self) -> Result<()> {
        if let Target::Table(table) = &self.target {
            if let Some(schema) = &table.schema {
                self.check_name_length("`table`: the schema", schema.name())?;
            }
            self.check_name_length("`table`", table.table.name())?;
        }
        if let Some(column) = &self.partition_column {
            self.check_name_length("`partitionColumn`", column.name())?;
        }
        Ok(())
    }
}

datasource_py::export!(pyspark_sqldb => SqlDb);

#[cfg(test)]
mod tests;
