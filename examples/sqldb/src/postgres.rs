//! PostgreSQL, over its wire protocol in binary: rows stream from the server as it produces
//! them and are decoded from PostgreSQL's binary format straight into Arrow builders; writes
//! use binary `COPY`. tokio-postgres runs on the SDK's runtime; each operation is one
//! `block_on` on the calling thread (a row costs no trip through the runtime), the connection's
//! socket is served by the runtime's threads.
//!
//! Connections come from a pool per worker process and per way of connecting (URL, user,
//! password, read-only or not), kept in a [`Shared`] cache: the tasks and micro-batches a
//! Python worker runs one after another, and the driver's planning calls, reuse one connection
//! instead of each opening its own. A pool unused for [`POOL_IDLE`] is closed.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::prelude::*;
use datasource_py::retry::{Failure, Retry};
use datasource_py::runtime::block_on;
use datasource_py::shared::{Lease, Shared};
use datasource_py::{BatchSender, Batches};
use deadpool::managed::{Manager, Metrics, Object, Pool, RecycleError, RecycleResult};
use futures_util::{TryStreamExt, pin_mut};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::{DbError as Notice, SqlState};
use tokio_postgres::types::{FromSql, IsNull, Kind as PgKind, ToSql, Type, to_sql_checked};
use tokio_postgres::{AsyncMessage, Client, Config, GenericClient};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::batch::{BatchBuilder, Cell, cell, decimal_text};
use crate::columns::{Column, Kind, check_batch};
use crate::db::{Connect, Database, check_columns};
use crate::errors::{DbError, Fix, db_error_of};
use crate::ident::{Ident, TableName};
use crate::sql::{Dialect, Param, Relation, Sql};
use crate::staging::{PREFIX, Staging};
use crate::tls::{SslMode, Tls, tls_failure};

/// Days from 1970-01-01 (Arrow's epoch) to 2000-01-01 (PostgreSQL's).
const EPOCH_DAYS: i32 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
const EPOCH_MICROS: i64 = 946_684_800_000_000;

/// The precision and scale Spark gives a `numeric` declared without them (as Spark's JDBC
/// reader does).
const UNCONSTRAINED_NUMERIC: (u8, i8) = (38, 18);

/// The most notices kept between two checks (a connection that is never checked, a writer's,
/// keeps no more).
const MAX_NOTICES: usize = 64;

/// How long a worker keeps a pool no task has used.
pub const POOL_IDLE: Duration = Duration::from_secs(60);

/// The most connections a worker's pool opens for one way of connecting (a worker runs one
/// task at a time; its driver may plan several scans at once).
const POOL_SIZE: usize = 8;

/// Every pool of this process, by way of connecting.
static POOLS: Shared<PoolKey, Pool<Connector>> = Shared::new(POOL_IDLE);

/// What tells two pools apart: everything that changes the connection (the options of one
/// query's table or partitioning do not).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PoolKey {
    url: String,
    user: Option<String>,
    password: Option<String>,
    write: bool,
    tls: Tls,
    settings: BTreeMap<String, String>,
}

/// The settings sqldb gives a reading connection, which the `conn.` options may not change.
pub const SETTINGS_OF_SQLDB: &[&str] = &[
    "default_transaction_read_only",
    "standard_conforming_strings",
];

/// libpq's `options` (`-c name=value ...`) for `settings`: a space or a backslash in a value is
/// escaped with a backslash, as libpq reads them.
fn options_of(settings: &BTreeMap<String, String>) -> String {
    settings
        .iter()
        .map(|(name, value)| {
            let value = value.replace('\\', "\\\\").replace(' ', "\\ ");
            format!("-c {name}={value}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A connection of the pool to one server: tokio-postgres's client and what the server said
/// besides its answers.
pub struct Connection {
    client: Client,
    /// What the server said besides its answers (a name it cut to 63 bytes), since last read.
    notices: Arc<Mutex<Vec<Notice>>>,
}

/// Opens the pool's connections.
struct Connector {
    config: Config,
    /// Whether the user or password came from options (what a failure's fix names).
    in_options: bool,
    /// How connecting is tried again (the options of the query that made the pool).
    retry: Retry,
    tls: MakeRustlsConnect,
}

impl Manager for Connector {
    type Type = Connection;
    type Error = datasource_py::Error;

    async fn create(&self) -> Result<Connection> {
        open(&self.config, self.in_options, &self.retry, &self.tls).await
    }

    async fn recycle(
        &self,
        connection: &mut Connection,
        _: &Metrics,
    ) -> RecycleResult<Self::Error> {
        // A dropped transaction was rolled back on the way; a connection the server closed
        // (restarted, killed it) is replaced.
        if connection.client.is_closed() {
            return Err(RecycleError::message("the server closed the connection"));
        }
        lock_notices(&connection.notices).clear();
        Ok(())
    }
}

/// A connection of the pool, for one task or one planning call; back to the pool when dropped.
pub struct Postgres {
    connection: Connected,
}

/// A connection from the worker's pool, or one of the caller's own (`poolConnections` off).
enum Connected {
    Pooled {
        connection: Object<Connector>,
        /// Keeps the pool open while a connection of it is used.
        _pool: Lease<Pool<Connector>>,
    },
    Own(Connection),
}

impl std::ops::Deref for Connected {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Connected::Pooled { connection, .. } => connection,
            Connected::Own(connection) => connection,
        }
    }
}

impl std::ops::DerefMut for Connected {
    fn deref_mut(&mut self) -> &mut Connection {
        match self {
            Connected::Pooled { connection, .. } => connection,
            Connected::Own(connection) => connection,
        }
    }
}

impl Postgres {
    /// A connection to `url` from this process's pool (opened if the pool has none free), or
    /// of its own where `poolConnections` is off; `connect`'s user and password replace the
    /// URL's own.
    pub fn connect(url: &str, connect: &Connect, write: bool) -> Result<Self> {
        let user = connect.user.as_deref();
        let password = connect.password.as_ref().map(|p| p.expose().as_str());
        let retry = &connect.retry;
        let (url, tls) = tls_of(url, connect.ssl_mode, connect.ssl_root_cert.as_deref())?;
        let url = url.as_str();
        let mut config = Config::from_str(url)
            .map_err(|_| format_err!("`url` is not a PostgreSQL URL libpq reads"))?;
        config.ssl_mode(tls.pg_mode());
        if let Some(user) = user {
            config.user(user);
        }
        if let Some(password) = password {
            config.password(password);
        }
        config.application_name(
            connect
                .settings
                .get("application_name")
                .map_or("spark-sqldb", String::as_str),
        );
        let mut options = options_of(&connect.settings);
        if !write {
            // Every transaction of a reading connection is read-only, the user's query's too;
            // strings are lexed as the query guard lexes them. (Last: they win.)
            options
                .push_str(" -c default_transaction_read_only=on -c standard_conforming_strings=on");
        }
        if !options.trim().is_empty() {
            config.options(options.trim());
        }
        let in_options = user.is_some() || password.is_some();
        if !connect.pool_connections {
            let connection = block_on(open(&config, in_options, retry, &tls.connector()?))?;
            return Ok(Postgres {
                connection: Connected::Own(connection),
            });
        }
        let key = PoolKey {
            url: url.to_owned(),
            user: user.map(str::to_owned),
            password: password.map(str::to_owned),
            write,
            tls: tls.clone(),
            settings: connect.settings.clone(),
        };
        let pool = POOLS.get_or_try_init(key, || {
            let retry = retry.clone();
            let tls = tls.connector()?;
            Pool::builder(Connector {
                config,
                in_options,
                retry,
                tls,
            })
            .max_size(POOL_SIZE)
            .build()
            .context("could not make the PostgreSQL connection pool")
        })?;
        let connection = block_on(pool.get()).map_err(|error| match error {
            deadpool::managed::PoolError::Backend(error) => error,
            other => format_err!("no PostgreSQL connection from the pool: {other}"),
        })?;
        Ok(Postgres {
            connection: Connected::Pooled {
                connection,
                _pool: pool,
            },
        })
    }

    /// The server's notices since the last call: an error for a name PostgreSQL cut to 63
    /// bytes in reading `relation` (a column read under another name, or another table);
    /// the others logged.
    fn check_notices(&self, relation: &Relation) -> Result<()> {
        let notices = std::mem::take(&mut *lock_notices(&self.connection.notices));
        for notice in notices {
            if *notice.code() == SqlState::NAME_TOO_LONG {
                let message = match truncated_name(notice.message()) {
                    Some(name) => format!(
                        "the name \"{name}\" is {} bytes long, and PostgreSQL cuts names to 63 \
                         bytes (give it a shorter name or alias)",
                        name.len()
                    ),
                    None => notice.message().to_owned(),
                };
                let code = Some(notice.code().code().to_owned());
                return Err(DbError::new("PostgreSQL", message, code)
                    .fix(Fix::of(relation))
                    .into());
            }
            log::info!("sqldb: PostgreSQL notice: {}", notice.message());
        }
        Ok(())
    }
}

/// `url` without libpq's `sslmode` and `sslrootcert` parameters (tokio-postgres reads only
/// some of their values), and the TLS they and the options ask for; the options win, and
/// both given differently is an error.
fn tls_of(
    url: &str,
    ssl_mode: Option<SslMode>,
    ssl_root_cert: Option<&Path>,
) -> Result<(String, Tls)> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut kept = Vec::new();
    let (mut url_mode, mut url_root) = (None, None);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => {
                url_mode = Some(value.parse::<SslModeText>()?.0);
            }
            Some(("sslrootcert", value)) => url_root = Some(PathBuf::from(value)),
            _ => kept.push(pair),
        }
    }
    if let (Some(option), Some(in_url)) = (ssl_mode, url_mode) {
        ensure!(
            option == in_url,
            "`sslMode` and the URL's `sslmode` differ: give one of them"
        );
    }
    if let (Some(option), Some(in_url)) = (ssl_root_cert, &url_root) {
        ensure!(
            option == in_url,
            "`sslRootCert` and the URL's `sslrootcert` differ: give one of them"
        );
    }
    let tls = Tls {
        mode: ssl_mode.or(url_mode).unwrap_or(SslMode::Prefer),
        root_cert: ssl_root_cert.map(Path::to_path_buf).or(url_root),
    };
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, tls))
}

/// An `sslmode` from a URL, read as the option is.
struct SslModeText(SslMode);

impl FromStr for SslModeText {
    type Err = datasource_py::Error;

    fn from_str(text: &str) -> Result<Self> {
        use datasource_py::OptionValue;
        SslMode::parse_option(text).map(SslModeText).map_err(|_| {
            format_err!(
                "the URL's `sslmode` is `{text}`, expected one of disable, prefer, require, \
                 verify-ca, verify-full"
            )
        })
    }
}

/// Opens a connection (the pool's `create`), trying again as `retry` says while no server
/// answers or the server cannot take it yet (starting up, too many connections).
async fn open(
    config: &Config,
    in_options: bool,
    retry: &Retry,
    tls: &MakeRustlsConnect,
) -> Result<Connection> {
    let what = format!(
        "connecting to PostgreSQL at {} (database {:?}, user {:?})",
        addresses(config),
        config.get_dbname().unwrap_or_default(),
        config.get_user().unwrap_or_default(),
    );
    let (client, mut connection) = retry
        .run_async(&what, |_| async {
            config.connect(tls.clone()).await.map_err(|error| {
                let transient = is_transient(&error);
                let error = datasource_py::Error::from(connect_error(error, in_options));
                if transient {
                    Failure::transient(error)
                } else {
                    Failure::permanent(error)
                }
            })
        })
        .await?;
    // The connection does its work on the runtime's threads, and keeps the server's notices
    // (dropped when the connection is spawned as it is).
    let notices = Arc::new(Mutex::new(Vec::new()));
    let kept = notices.clone();
    tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notice(notice)) => {
                    let mut kept = lock_notices(&kept);
                    if kept.len() < MAX_NOTICES {
                        kept.push(notice);
                    }
                }
                Ok(_) => {}
                // The client's next operation reports it.
                Err(_) => break,
            }
        }
    });
    Ok(Connection { client, notices })
}

fn lock_notices(notices: &Mutex<Vec<Notice>>) -> std::sync::MutexGuard<'_, Vec<Notice>> {
    notices
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `host:port` of each host of `config` (5432 where no port is given).
fn addresses(config: &Config) -> String {
    let ports = config.get_ports();
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(index, host)| {
            let host = match host {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            let port = ports
                .get(index)
                .or_else(|| ports.first())
                .copied()
                .unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether connecting again may succeed: no server answered (refused, reset, timed out), or
/// the server asked to come back (starting up, shutting down, out of connections).
fn is_transient(error: &tokio_postgres::Error) -> bool {
    if tls_failure(error).is_some() {
        return false;
    }
    match error.as_db_error() {
        Some(answer) => matches!(answer.code().code(), "57P03" | "53300" | "57P01"),
        None => error
            .source()
            .is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some()),
    }
}

/// A failed connection, with the option to change: the credentials, the database, or (no
/// server answered) the address.
fn connect_error(error: tokio_postgres::Error, in_options: bool) -> DbError {
    if let Some(reason) = tls_failure(&error) {
        return DbError::new(
            "PostgreSQL",
            format!("TLS handshake failed: {reason}"),
            None,
        )
        .fix(Fix::Tls);
    }
    let answered = error.as_db_error().is_some();
    let refused_io = error
        .source()
        .is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some());
    let error = pg_error(error);
    let credentials = Fix::Credentials { in_options };
    match error.code() {
        Some("28P01" | "28000") => error.fix(credentials),
        Some("3D000") => error.fix(Fix::Database),
        _ if !answered && refused_io => error.fix(Fix::Address),
        _ if !answered && error.message().contains("password") => error.fix(credentials),
        _ => error,
    }
}

/// The name in PostgreSQL's `identifier "..." will be truncated to "..."`.
fn truncated_name(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('"')?;
    let (name, _) = rest.split_once("\" ")?;
    Some(name)
}

/// The names of the tables beside `beside` whose names start with `prefix`.
async fn tables_starting_with(
    client: &impl GenericClient,
    beside: &TableName,
    prefix: &str,
) -> Result<Vec<String>> {
    let schema = beside.schema.as_ref().map(|s| s.name().to_owned());
    let rows = client
        .query(
            "SELECT tablename::text FROM pg_catalog.pg_tables \
             WHERE schemaname = COALESCE($1::text, current_schema()) \
             AND left(tablename, length($2::text)) = $2::text",
            &[&schema, &prefix],
        )
        .await
        .map_err(pg_error)?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// An error unless the write of `staging` has no abort marker.
async fn ensure_not_aborted(client: &impl GenericClient, staging: &Staging) -> Result<()> {
    let names = tables_starting_with(client, staging.target(), &staging.prefix()).await?;
    staging.ensure_not_aborted(&names)
}

impl Database for Postgres {
    fn describe(&mut self, relation: &Relation) -> Result<Vec<Column>> {
        let sql = format!("SELECT * FROM {}", relation.sql_text());
        let statement = block_on(self.connection.client.prepare(&sql))
            .map_err(|error| relation_error(error, relation))?;
        self.check_notices(relation)?;
        statement
            .columns()
            .iter()
            .map(|column| {
                let kind = kind_of(column.type_(), column.type_modifier()).with_context(|| {
                    format!(
                        "column `{}` has type `{}`, which this source does not read; cast it \
                         in `query` (for example `\"{}\"::text`)",
                        column.name(),
                        column.type_(),
                        column.name()
                    )
                })?;
                Ok(Column {
                    name: column.name().to_owned(),
                    kind,
                    database_type: column.type_().name().to_owned(),
                })
            })
            .collect()
    }

    fn explain(&mut self, relation: &Relation) -> Result<Option<String>> {
        let sql = format!(
            "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM {}",
            relation.sql_text()
        );
        let rows = block_on(self.connection.client.query(&sql, &[]))
            .map_err(|error| relation_error(error, relation))?;
        self.check_notices(relation)?;
        let lines: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
        Ok(Some(lines.join("\n")))
    }

    fn bounds(&mut self, rows: Sql, column: &Ident) -> Result<Option<(i64, i64)>> {
        let mut sql = Sql::new(format!(
            "SELECT MIN({column})::int8, MAX({column})::int8 FROM ("
        ));
        sql.append(rows).push(") AS \"spark_bounds\"");
        let (text, params) = sql.render(Dialect::Postgres);
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let row = block_on(self.connection.client.query_one(&text, &params))
            .map_err(|error| pg_error(error).fix(Fix::PartitionColumn))?;
        let (min, max): (Option<i64>, Option<i64>) = (row.get(0), row.get(1));
        Ok(min.zip(max))
    }

    fn read(
        &mut self,
        select: &Sql,
        schema: SchemaRef,
        kinds: &[Kind],
        size: BatchSize,
        out: &mut BatchSender,
    ) -> Result<()> {
        let (text, params) = select.render(Dialect::Postgres);
        let client = &mut self.connection.client;
        block_on(async {
            let transaction = client
                .build_transaction()
                .read_only(true)
                .start()
                .await
                .map_err(pg_error)?;
            let statement = transaction.prepare(&text).await.map_err(pg_error)?;
            check_columns(statement.columns().len(), kinds.len())?;
            let decoders = statement
                .columns()
                .iter()
                .zip(kinds)
                .map(|(column, kind)| Decoder::new(column.name(), column.type_(), *kind))
                .collect::<Result<Vec<_>>>()?;
            // Rows stream as the server produces them (the connection reads ahead a little, the
            // socket holds the rest back): decoding here overlaps the server's work.
            let rows = transaction
                .query_raw(&statement, params.iter())
                .await
                .map_err(pg_error)?;
            pin_mut!(rows);
            let mut builder = BatchBuilder::new(schema, kinds, size);
            let mut scratch = String::new();
            while let Some(row) = rows.try_next().await.map_err(pg_error)? {
                for (index, decoder) in decoders.iter().enumerate() {
                    let raw: Option<Raw<'_>> = row.try_get(index).map_err(pg_error)?;
                    let value = match raw {
                        None => Cell::Null,
                        Some(Raw(bytes)) => {
                            decoder.decode(bytes, &mut scratch).with_context(|| {
                                format!("column `{}`", statement.columns()[index].name())
                            })?
                        }
                    };
                    builder.append(index, value)?;
                }
                builder.end_row();
                if builder.is_full() {
                    // Waiting for Spark here also stops the connection reading once its
                    // small buffer is full: the server waits, nothing piles up in memory.
                    out.send(builder.finish()?)?;
                }
            }
            if builder.rows() > 0 {
                out.send(builder.finish()?)?;
            }
            transaction.commit().await.map_err(pg_error)?;
            Ok(())
        })
    }

    fn table_columns(&mut self, table: &TableName) -> Result<Option<Vec<Column>>> {
        match self.describe(&Relation::Table(table.clone())) {
            Ok(columns) => Ok(Some(columns)),
            Err(error)
                if db_error_of(&error).and_then(DbError::code)
                    == Some(SqlState::UNDEFINED_TABLE.code()) =>
            {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    fn column_type(&self, kind: Kind) -> String {
        match kind {
            Kind::Bool => "boolean".into(),
            Kind::Int16 => "smallint".into(),
            Kind::Int32 => "integer".into(),
            Kind::Int64 => "bigint".into(),
            Kind::Float32 => "real".into(),
            Kind::Float64 => "double precision".into(),
            Kind::Decimal { precision, scale } => format!("numeric({precision}, {scale})"),
            Kind::Text => "text".into(),
            Kind::Binary => "bytea".into(),
            Kind::Date => "date".into(),
            Kind::Timestamp => "timestamp".into(),
            Kind::TimestampTz => "timestamptz".into(),
        }
    }

    fn stage(
        &mut self,
        staging: &Staging,
        stage: &TableName,
        columns: &[Column],
        batches: Batches,
    ) -> Result<u64> {
        let declared: Vec<String> = columns
            .iter()
            .map(|c| format!("{} {}", Ident::exact(&c.name), c.database_type))
            .collect();
        let names: Vec<String> = columns
            .iter()
            .map(|c| Ident::exact(&c.name).to_string())
            .collect();
        let types: Vec<Type> = columns.iter().map(|c| pg_type(c.kind)).collect();
        let scales: Vec<i8> = columns
            .iter()
            .map(|c| match c.kind {
                Kind::Decimal { scale, .. } => scale,
                _ => 0,
            })
            .collect();
        let client = &mut self.connection.client;
        block_on(async {
            let transaction = client.transaction().await.map_err(pg_error)?;
            // Aborted already: nothing to copy.
            ensure_not_aborted(&transaction, staging).await?;
            // Unlogged: staging is rewritten into the target at commit, and need not survive
            // a crash of the server.
            transaction
                .batch_execute(&format!(
                    "CREATE UNLOGGED TABLE {stage} ({})",
                    declared.join(", ")
                ))
                .await
                .map_err(|error| pg_error(error).fix(Fix::Table))?;
            let copy = transaction
                .copy_in(&format!(
                    "COPY {stage} ({}) FROM STDIN (FORMAT binary)",
                    names.join(", ")
                ))
                .await
                .map_err(pg_error)?;
            let writer = BinaryCopyInWriter::new(copy, &types);
            pin_mut!(writer);
            for batch in batches {
                let batch = batch?;
                check_batch(&batch, columns)?;
                let arrays = batch.columns();
                let mut values: Vec<Value<'_>> = Vec::with_capacity(columns.len());
                for row in 0..batch.num_rows() {
                    values.clear();
                    for (index, column) in columns.iter().enumerate() {
                        values.push(Value {
                            cell: cell(arrays[index].as_ref(), column.kind, row),
                            scale: scales[index],
                        });
                    }
                    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
                    writer.as_mut().write(&refs).await.map_err(pg_error)?;
                }
            }
            let rows = writer.as_mut().finish().await.map_err(pg_error)?;
            // Held until the commit: an abort (which holds the lock exclusively from before
            // its listing of the staging tables to its commit) is wholly before or after it.
            transaction
                .execute(
                    "SELECT pg_advisory_xact_lock_shared($1::int8)",
                    &[&staging.lock_key()],
                )
                .await
                .map_err(pg_error)?;
            ensure_not_aborted(&transaction, staging).await?;
            transaction.commit().await.map_err(pg_error)?;
            Ok(rows)
        })
    }

    fn end_write(
        &mut self,
        staging: &Staging,
        statements: &mut dyn FnMut(&[String]) -> Vec<String>,
    ) -> Result<()> {
        let client = &mut self.connection.client;
        block_on(async {
            let transaction = client.transaction().await.map_err(pg_error)?;
            transaction
                .execute(
                    "SELECT pg_advisory_xact_lock($1::int8)",
                    &[&staging.lock_key()],
                )
                .await
                .map_err(pg_error)?;
            // Listed once the lock is held: every staging commit before it is seen.
            let names = tables_starting_with(&transaction, staging.target(), PREFIX).await?;
            for statement in statements(&names) {
                transaction
                    .batch_execute(&statement)
                    .await
                    .map_err(|error| pg_error(error).fix(Fix::Table))?;
            }
            transaction.commit().await.map_err(pg_error)?;
            Ok(())
        })
    }
}

/// A `tokio_postgres::Error` as one sentence: the server's message with its detail and hint,
/// or the client's own words (which hold their cause already); its SQLSTATE kept.
fn pg_error(error: tokio_postgres::Error) -> DbError {
    match error.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_owned();
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; hint: {hint}"));
            }
            DbError::new("PostgreSQL", text, Some(db.code().code().to_owned()))
        }
        None => DbError::new("PostgreSQL", error.to_string(), None),
    }
}

/// An error of the server in reading `relation`: a `query` is the user's SQL (any error the
/// server finds in it is fixed there); a `table` is missing, in a missing schema, or not
/// readable by the user.
fn relation_error(error: tokio_postgres::Error, relation: &Relation) -> DbError {
    let error = pg_error(error);
    let about_table = |error: &DbError| {
        matches!(
            error.code(),
            Some(code) if code == SqlState::UNDEFINED_TABLE.code()
                || code == SqlState::INVALID_SCHEMA_NAME.code()
                || code == SqlState::INSUFFICIENT_PRIVILEGE.code()
        )
    };
    match relation {
        Relation::Table(_) => error.fix_if(about_table, Fix::Table),
        Relation::Query(_) => error.fix_if(|error| error.code().is_some(), Fix::Query),
    }
}

/// The Spark kind of a PostgreSQL type (`None`: not read).
fn kind_of(ty: &Type, modifier: i32) -> Option<Kind> {
    Some(match *ty {
        Type::BOOL => Kind::Bool,
        Type::INT2 => Kind::Int16,
        Type::INT4 => Kind::Int32,
        Type::INT8 | Type::OID => Kind::Int64,
        Type::FLOAT4 => Kind::Float32,
        Type::FLOAT8 => Kind::Float64,
        Type::NUMERIC => {
            // atttypmod: ((precision << 16) | scale) + 4, or -1 without them.
            let (precision, scale) = if modifier >= 4 {
                let packed = modifier - 4;
                (
                    u8::try_from((packed >> 16) & 0xffff).unwrap_or(38).min(38),
                    i8::try_from(packed & 0xffff).unwrap_or(18),
                )
            } else {
                UNCONSTRAINED_NUMERIC
            };
            Kind::Decimal { precision, scale }
        }
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::CHAR => Kind::Text,
        Type::JSON | Type::JSONB | Type::UUID | Type::XML => Kind::Text,
        Type::BYTEA => Kind::Binary,
        Type::DATE => Kind::Date,
        Type::TIMESTAMP => Kind::Timestamp,
        Type::TIMESTAMPTZ => Kind::TimestampTz,
        _ => match ty.kind() {
            // An enum's binary form is its label; a domain is its base type's.
            PgKind::Enum(_) => Kind::Text,
            PgKind::Domain(base) => return kind_of(base, modifier),
            _ => return None,
        },
    })
}

/// The binary form of a column's values, as PostgreSQL sends them.
enum Decoder {
    Bool,
    Int16,
    Int32,
    Int64,
    Oid,
    Float32,
    Float64,
    Numeric { precision: u8, scale: i8 },
    Text,
    Jsonb,
    Uuid,
    Binary,
    Date,
    Micros,
}

impl Decoder {
    fn new(name: &str, ty: &Type, kind: Kind) -> Result<Self> {
        let base = match ty.kind() {
            PgKind::Domain(base) => base,
            _ => ty,
        };
        let decoder = match (kind, base) {
            (Kind::Bool, &Type::BOOL) => Decoder::Bool,
            (Kind::Int16, &Type::INT2) => Decoder::Int16,
            (Kind::Int32, &Type::INT4) => Decoder::Int32,
            (Kind::Int64, &Type::INT8) => Decoder::Int64,
            (Kind::Int64, &Type::OID) => Decoder::Oid,
            (Kind::Float32, &Type::FLOAT4) => Decoder::Float32,
            (Kind::Float64, &Type::FLOAT8) => Decoder::Float64,
            (Kind::Decimal { precision, scale }, &Type::NUMERIC) => {
                Decoder::Numeric { precision, scale }
            }
            (Kind::Text, &Type::JSONB) => Decoder::Jsonb,
            (Kind::Text, &Type::UUID) => Decoder::Uuid,
            (Kind::Text, _) if kind_of(base, -1) == Some(Kind::Text) => Decoder::Text,
            (Kind::Binary, &Type::BYTEA) => Decoder::Binary,
            (Kind::Date, &Type::DATE) => Decoder::Date,
            (Kind::Timestamp, &Type::TIMESTAMP) | (Kind::TimestampTz, &Type::TIMESTAMPTZ) => {
                Decoder::Micros
            }
            _ => bail!(
                "column `{name}` is now of type `{ty}`, not what Spark planned the read with \
                 ({kind:?})"
            ),
        };
        Ok(decoder)
    }

    /// The value of `bytes`; text made here (a uuid's) is written into `scratch`.
    fn decode<'a>(&self, bytes: &'a [u8], scratch: &'a mut String) -> Result<Cell<'a>> {
        Ok(match self {
            Decoder::Bool => Cell::Bool(bytes.first().is_some_and(|b| *b != 0)),
            Decoder::Int16 => Cell::Int16(i16::from_be_bytes(fixed(bytes)?)),
            Decoder::Int32 => Cell::Int32(i32::from_be_bytes(fixed(bytes)?)),
            Decoder::Int64 => Cell::Int64(i64::from_be_bytes(fixed(bytes)?)),
            Decoder::Oid => Cell::Int64(i64::from(u32::from_be_bytes(fixed(bytes)?))),
            Decoder::Float32 => Cell::Float32(f32::from_be_bytes(fixed(bytes)?)),
            Decoder::Float64 => Cell::Float64(f64::from_be_bytes(fixed(bytes)?)),
            Decoder::Numeric { precision, scale } => {
                Cell::Decimal(numeric_to_unscaled(bytes, *precision, *scale)?)
            }
            Decoder::Text => Cell::Text(std::str::from_utf8(bytes)?),
            // jsonb's binary form is a version byte (1), then the text.
            Decoder::Jsonb => Cell::Text(std::str::from_utf8(bytes.get(1..).unwrap_or_default())?),
            Decoder::Uuid => {
                let bytes: [u8; 16] = fixed(bytes)?;
                scratch.clear();
                for (index, byte) in bytes.iter().enumerate() {
                    if matches!(index, 4 | 6 | 8 | 10) {
                        scratch.push('-');
                    }
                    scratch.push_str(&format!("{byte:02x}"));
                }
                Cell::Text(scratch)
            }
            Decoder::Binary => Cell::Binary(bytes),
            Decoder::Date => {
                let days = i32::from_be_bytes(fixed(bytes)?);
                ensure!(
                    days != i32::MAX && days != i32::MIN,
                    "an infinite date cannot be read"
                );
                Cell::Date(days + EPOCH_DAYS)
            }
            Decoder::Micros => {
                let micros = i64::from_be_bytes(fixed(bytes)?);
                ensure!(
                    micros != i64::MAX && micros != i64::MIN,
                    "an infinite timestamp cannot be read"
                );
                Cell::Micros(micros + EPOCH_MICROS)
            }
        })
    }
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| format_err!("a value of {} bytes where {N} were expected", bytes.len()))
}

/// A value as PostgreSQL sent it, in binary.
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A binary `numeric` (base-10000 digits) as an unscaled integer at `scale`, rounded half away
/// from zero; an error when it does not fit `precision` digits.
fn numeric_to_unscaled(bytes: &[u8], precision: u8, scale: i8) -> Result<i128> {
    let word = |index: usize| -> Result<u16> {
        Ok(u16::from_be_bytes(fixed(
            bytes.get(index * 2..index * 2 + 2).unwrap_or_default(),
        )?))
    };
    let digits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => bail!("NaN cannot be a Spark decimal"),
        _ => bail!("an infinite numeric cannot be a Spark decimal"),
    }
    let too_large = || format_err!("a value does not fit DECIMAL({precision}, {scale})");
    let mut unscaled: i128 = 0;
    let mut first_dropped: Option<u16> = None;
    for index in 0..digits {
        let digit = word(4 + index)?;
        let exponent = 4 * (weight - index as i32) + i32::from(scale);
        if exponent >= 0 {
            let power = 10i128
                .checked_pow(exponent.unsigned_abs())
                .ok_or_else(too_large)?;
            unscaled = i128::from(digit)
                .checked_mul(power)
                .and_then(|part| unscaled.checked_add(part))
                .ok_or_else(too_large)?;
        } else if exponent > -4 {
            let divisor = 10u16.pow(exponent.unsigned_abs());
            unscaled += i128::from(digit / divisor);
            first_dropped.get_or_insert((digit / (divisor / 10)) % 10);
        } else if exponent == -4 {
            first_dropped.get_or_insert(digit / 1000);
        }
    }
    if first_dropped.is_some_and(|digit| digit >= 5) {
        unscaled += 1;
    }
    ensure!(
        unscaled < 10i128.pow(u32::from(precision)),
        "{}",
        too_large()
    );
    Ok(if sign == 0x4000 { -unscaled } else { unscaled })
}

/// An unscaled decimal as a binary `numeric`.
fn unscaled_to_numeric(unscaled: i128, scale: i8, out: &mut Vec<u8>) {
    let text = decimal_text(unscaled, scale.max(0));
    let negative = text.starts_with('-');
    let text = text.trim_start_matches('-');
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let mut groups: Vec<u16> = Vec::new();
    let whole_padding = (4 - whole.len() % 4) % 4;
    let whole: String = "0".repeat(whole_padding) + whole;
    for chunk in whole.as_bytes().chunks(4) {
        groups.push(
            std::str::from_utf8(chunk)
                .unwrap_or("0")
                .parse()
                .unwrap_or(0),
        );
    }
    let mut weight = i16::try_from(groups.len()).unwrap_or(i16::MAX) - 1;
    let fraction_padding = (4 - fraction.len() % 4) % 4;
    let fraction: String = fraction.to_owned() + &"0".repeat(fraction_padding);
    for chunk in fraction.as_bytes().chunks(4) {
        groups.push(
            std::str::from_utf8(chunk)
                .unwrap_or("0")
                .parse()
                .unwrap_or(0),
        );
    }
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let count = i16::try_from(groups.len()).unwrap_or(i16::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&(if negative { 0x4000u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&i16::from(scale.max(0)).to_be_bytes());
    for group in groups {
        out.extend_from_slice(&group.to_be_bytes());
    }
}

/// The type a staging column of `kind` has (for binary `COPY`).
fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::Bool => Type::BOOL,
        Kind::Int16 => Type::INT2,
        Kind::Int32 => Type::INT4,
        Kind::Int64 => Type::INT8,
        Kind::Float32 => Type::FLOAT4,
        Kind::Float64 => Type::FLOAT8,
        Kind::Decimal { .. } => Type::NUMERIC,
        Kind::Text => Type::TEXT,
        Kind::Binary => Type::BYTEA,
        Kind::Date => Type::DATE,
        Kind::Timestamp => Type::TIMESTAMP,
        Kind::TimestampTz => Type::TIMESTAMPTZ,
    }
}

/// A value written with binary `COPY`, in the staging column's own type.
#[derive(Debug)]
struct Value<'a> {
    cell: Cell<'a>,
    scale: i8,
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self.cell {
            Cell::Null => return Ok(IsNull::Yes),
            Cell::Bool(v) => out.extend_from_slice(&[u8::from(v)]),
            Cell::Int16(v) => out.extend_from_slice(&v.to_be_bytes()),
            Cell::Int32(v) => out.extend_from_slice(&v.to_be_bytes()),
            Cell::Int64(v) => out.extend_from_slice(&v.to_be_bytes()),
            Cell::Float32(v) => out.extend_from_slice(&v.to_be_bytes()),
            Cell::Float64(v) => out.extend_from_slice(&v.to_be_bytes()),
            Cell::Decimal(v) => {
                let mut bytes = Vec::with_capacity(16);
                unscaled_to_numeric(v, self.scale, &mut bytes);
                out.extend_from_slice(&bytes);
            }
            Cell::Text(v) => out.extend_from_slice(v.as_bytes()),
            Cell::Binary(v) => out.extend_from_slice(v),
            Cell::Date(v) => out.extend_from_slice(&(v - EPOCH_DAYS).to_be_bytes()),
            Cell::Micros(v) => out.extend_from_slice(&(v - EPOCH_MICROS).to_be_bytes()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Filter values and partition bounds, bound as the types their placeholders are cast to.
impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Param::Bool(v) => v.to_sql(ty, out),
            Param::Int(v) => v.to_sql(ty, out),
            Param::Float(v) => v.to_sql(ty, out),
            Param::Text(v) | Param::Cast(v, _) => v.as_str().to_sql(ty, out),
            Param::Bytes(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::BOOL | Type::INT8 | Type::FLOAT8 | Type::TEXT | Type::BYTEA
        )
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(unscaled: i128, scale: i8) -> Vec<u8> {
        let mut bytes = Vec::new();
        unscaled_to_numeric(unscaled, scale, &mut bytes);
        bytes
    }

    #[test]
    fn numerics_round_trip_and_round_half_away_from_zero() {
        for (unscaled, scale) in [
            (0, 2),
            (1250, 2),
            (-5, 3),
            (123_456_789_012_345_678, 4),
            (99_999_999_999_999_999_999_999_999_999_999_999_999, 0),
            (-7, 10),
        ] {
            let bytes = numeric(unscaled, scale);
            assert_eq!(numeric_to_unscaled(&bytes, 38, scale).unwrap(), unscaled);
        }
        // 12.345 read at scale 2 is 12.35; -0.005 at scale 2 is -0.01.
        assert_eq!(
            numeric_to_unscaled(&numeric(12345, 3), 10, 2).unwrap(),
            1235
        );
        assert_eq!(numeric_to_unscaled(&numeric(-5, 3), 10, 2).unwrap(), -1);
        assert_eq!(
            numeric_to_unscaled(&numeric(12344, 3), 10, 2).unwrap(),
            1234
        );
        assert!(numeric_to_unscaled(&numeric(100_000, 0), 5, 0).is_err());
    }

    #[test]
    fn postgres_types_map_to_spark_kinds() {
        assert_eq!(
            kind_of(&Type::NUMERIC, ((12 << 16) | 2) + 4),
            Some(Kind::Decimal {
                precision: 12,
                scale: 2
            })
        );
        assert_eq!(
            kind_of(&Type::NUMERIC, -1),
            Some(Kind::Decimal {
                precision: 38,
                scale: 18
            })
        );
        assert_eq!(kind_of(&Type::INTERVAL, -1), None);
    }
}
