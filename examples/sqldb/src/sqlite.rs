//! SQLite, compiled into the wheel: a database file, nothing to start. A column's type is what
//! its declaration says (SQLite's type affinity); a value of another type in it is an error
//! naming the column, since SQLite lets any column hold any type.

use std::path::Path;
use std::time::Duration;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta};
use datasource_py::prelude::*;
use datasource_py::{BatchSender, Batches};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql, TransactionBehavior, params_from_iter};

use crate::batch::{BatchBuilder, Cell, cell, decimal_text};
use crate::columns::{Column, Kind, check_batch};
use crate::db::{Database, check_columns};
use crate::errors::{DbError, Fix};
use crate::ident::{Ident, TableName};
use crate::sql::{Dialect, Param, Relation, Sql};
use crate::staging::{PREFIX, Staging};

/// How long a connection waits for another's write lock (tasks staging in parallel take turns).
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// The widest decimal SQLite keeps exactly as a number: a `DECIMAL(p,s)` column has NUMERIC
/// affinity, which turns decimal text into a REAL of 15 significant digits.
const EXACT_REAL_DIGITS: u8 = 15;

pub struct Sqlite {
    connection: Connection,
}

impl Sqlite {
    /// Opens the database file at `path`: read-only for reading (it must exist), created if
    /// missing for writing.
    pub fn open(path: &Path, write: bool) -> Result<Self> {
        if write {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            return Ok(Sqlite {
                connection: connect(path, flags)?,
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = connect(path, flags)?;
        match first_read(&connection) {
            Ok(()) => return Ok(Sqlite { connection }),
            Err(error) if !left_mid_write(&error) => {
                return Err(open_error(path, sqlite_error(error)));
            }
            Err(_) => {}
        }
        // A writer stopped mid-transaction (killed) left a hot journal (or a WAL to recover),
        // which only a connection that may write can roll back: one does, running no SQL of
        // the user's, and reading goes on read-only.
        drop(connection);
        roll_back_left_write(path)?;
        let connection = connect(path, flags)?;
        first_read(&connection).map_err(|error| open_error(path, sqlite_error(error)))?;
        log::info!(
            "sqldb: rolled back the transaction a stopped writer left in `{}`",
            path.display()
        );
        Ok(Sqlite { connection })
    }
}

/// A connection to `path`, with `flags`, that waits for another's write lock.
fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let connection = Connection::open_with_flags(path, flags)
        .map_err(|error| open_error(path, sqlite_error(error)))?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(connection)
}

/// The error of opening `path`, naming it once (SQLite's own message may name it already).
fn open_error(path: &Path, error: DbError) -> datasource_py::Error {
    let path = path.display().to_string();
    let context = if error.message().contains(&path) {
        "could not open the SQLite database".to_owned()
    } else {
        format!("could not open the SQLite database `{path}`")
    };
    datasource_py::Error::new(error.fix(Fix::File)).context(context)
}

/// Reads the database's header: what finds a hot journal, or a file that is no database.
fn first_read(connection: &Connection) -> rusqlite::Result<()> {
    connection.query_row("PRAGMA schema_version", [], |_| Ok(()))
}

/// Whether a read-only connection failed on what a stopped writer left: a hot journal to roll
/// back, or a write-ahead log to recover.
fn left_mid_write(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK
                || failure.extended_code == rusqlite::ffi::SQLITE_READONLY_RECOVERY
    )
}

/// Opens `path` read-write (never creating it) and reads its header, which rolls back a hot
/// journal or recovers a write-ahead log.
fn roll_back_left_write(path: &Path) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let recovered = Connection::open_with_flags(path, flags).and_then(|connection| {
        connection.busy_timeout(BUSY_TIMEOUT)?;
        first_read(&connection)
    });
    recovered.map_err(|error| {
        let error = sqlite_error(error).fix(Fix::File);
        datasource_py::Error::new(error).context(format!(
            "the SQLite database `{}` holds a transaction a writer left unfinished (it stopped \
             mid-write), which only a connection that may write the file can roll back",
            path.display()
        ))
    })
}

/// The names of the tables beside `beside` whose names start with `prefix`.
fn tables_starting_with(
    connection: &Connection,
    beside: &TableName,
    prefix: &str,
) -> Result<Vec<String>> {
    let catalog = match &beside.schema {
        Some(schema) => format!("{schema}.sqlite_master"),
        None => "sqlite_master".into(),
    };
    let mut statement = connection
        .prepare(&format!(
            "SELECT name FROM {catalog} WHERE type = 'table' AND substr(name, 1, length(?1)) = ?1"
        ))
        .map_err(sqlite_error)?;
    let names = statement
        .query_map([prefix], |row| row.get::<_, String>(0))
        .map_err(sqlite_error)?
        .collect::<rusqlite::Result<Vec<String>>>()
        .map_err(sqlite_error)?;
    Ok(names)
}

impl Database for Sqlite {
    fn describe(&mut self, relation: &Relation) -> Result<Vec<Column>> {
        let sql = format!("SELECT * FROM {}", relation.sql_text());
        let mut statement = self
            .connection
            .prepare(&sql)
            .map_err(|error| relation_error(error, relation))?;
        let declared: Vec<(String, Option<String>)> = statement
            .columns()
            .map(|c| (c.name().to_owned(), c.decl_type().map(str::to_owned)))
            .collect();
        // A column with no declared type (an expression of a query) takes the type of its
        // first value; with no rows, STRING.
        let mut first_row: Vec<Option<Kind>> = vec![None; declared.len()];
        if declared.iter().any(|(_, declared)| declared.is_none()) {
            let mut rows = statement
                .query([])
                .map_err(|error| relation_error(error, relation))?;
            if let Some(row) = rows.next().map_err(|e| relation_error(e, relation))? {
                for (index, kind) in first_row.iter_mut().enumerate() {
                    *kind = match row.get_ref(index)? {
                        ValueRef::Integer(_) => Some(Kind::Int64),
                        ValueRef::Real(_) => Some(Kind::Float64),
                        ValueRef::Blob(_) => Some(Kind::Binary),
                        ValueRef::Text(_) | ValueRef::Null => Some(Kind::Text),
                    };
                }
            }
        }
        Ok(declared
            .into_iter()
            .zip(first_row)
            .map(|((name, declared), first)| {
                let kind = match &declared {
                    Some(declared) => kind_of(declared),
                    None => first.unwrap_or(Kind::Text),
                };
                Column {
                    name,
                    kind,
                    database_type: declared.unwrap_or_default(),
                }
            })
            .collect())
    }

    fn explain(&mut self, _relation: &Relation) -> Result<Option<String>> {
        Ok(None)
    }

    fn bounds(&mut self, rows: Sql, column: &Ident) -> Result<Option<(i64, i64)>> {
        let mut sql = Sql::new(format!("SELECT MIN({column}), MAX({column}) FROM ("));
        sql.append(rows).push(") AS \"spark_bounds\"");
        let (text, params) = sql.render(Dialect::Sqlite);
        let (min, max): (Option<i64>, Option<i64>) = self
            .connection
            .query_row(&text, params_from_iter(params.iter()), |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .map_err(|error| sqlite_error(error).fix(Fix::PartitionColumn))?;
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
        let (text, params) = select.render(Dialect::Sqlite);
        let mut statement = self.connection.prepare(&text).map_err(sqlite_error)?;
        check_columns(statement.column_count(), kinds.len())?;
        let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let mut rows = statement
            .query(params_from_iter(params.iter()))
            .map_err(sqlite_error)?;
        let mut builder = BatchBuilder::new(schema, kinds, size);
        while let Some(row) = rows.next().map_err(sqlite_error)? {
            for (index, kind) in kinds.iter().enumerate() {
                let value = row.get_ref(index)?;
                let cell =
                    decode(value, *kind).with_context(|| format!("column `{}`", names[index]))?;
                builder.append(index, cell)?;
            }
            builder.end_row();
            if builder.is_full() {
                out.send(builder.finish()?)?;
            }
        }
        if builder.rows() > 0 {
            out.send(builder.finish()?)?;
        }
        Ok(())
    }

    fn table_columns(&mut self, table: &TableName) -> Result<Option<Vec<Column>>> {
        let sql = format!("SELECT * FROM {table}");
        if let Err(error) = self.connection.prepare(&sql) {
            let error = sqlite_error(error);
            if error.message().starts_with("no such table") {
                return Ok(None);
            }
            return Err(error.fix(Fix::Table).into());
        }
        self.describe(&Relation::Table(table.clone())).map(Some)
    }

    fn column_type(&self, kind: Kind) -> String {
        match kind {
            Kind::Bool => "BOOLEAN".into(),
            Kind::Int16 => "SMALLINT".into(),
            Kind::Int32 => "INTEGER".into(),
            Kind::Int64 => "BIGINT".into(),
            Kind::Float32 => "REAL".into(),
            Kind::Float64 => "DOUBLE".into(),
            // Wider decimals as text (the name holds TEXT: text affinity), every digit kept.
            Kind::Decimal { precision, scale } if precision > EXACT_REAL_DIGITS => {
                format!("DECIMAL_TEXT({precision},{scale})")
            }
            Kind::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
            Kind::Text => "TEXT".into(),
            Kind::Binary => "BLOB".into(),
            Kind::Date => "DATE".into(),
            Kind::Timestamp => "TIMESTAMP".into(),
            Kind::TimestampTz => "TIMESTAMPTZ".into(),
        }
    }

    fn stage(
        &mut self,
        staging: &Staging,
        stage: &TableName,
        columns: &[Column],
        batches: Batches,
    ) -> Result<u64> {
        // Writers take turns (BEGIN IMMEDIATE): an abort is wholly before or after this.
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_error)?;
        staging.ensure_not_aborted(&tables_starting_with(
            &transaction,
            staging.target(),
            &staging.prefix(),
        )?)?;
        let declared: Vec<String> = columns
            .iter()
            .map(|c| format!("{} {}", Ident::exact(&c.name), c.database_type))
            .collect();
        transaction
            .execute_batch(&format!("CREATE TABLE {stage} ({})", declared.join(", ")))
            .map_err(|error| sqlite_error(error).fix(Fix::Table))?;
        let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
        let mut rows = 0;
        {
            let mut insert = transaction
                .prepare(&format!(
                    "INSERT INTO {stage} VALUES ({})",
                    placeholders.join(", ")
                ))
                .map_err(sqlite_error)?;
            for batch in batches {
                let batch = batch?;
                check_batch(&batch, columns)?;
                let mut values: Vec<Stored<'_>> = Vec::with_capacity(columns.len());
                for row in 0..batch.num_rows() {
                    values.clear();
                    for (index, column) in columns.iter().enumerate() {
                        let value = cell(batch.column(index).as_ref(), column.kind, row);
                        if let Cell::Float32(v) = value {
                            ensure!(
                                !v.is_nan(),
                                "column `{}`: SQLite cannot store NaN",
                                column.name
                            );
                        }
                        if let Cell::Float64(v) = value {
                            ensure!(
                                !v.is_nan(),
                                "column `{}`: SQLite cannot store NaN",
                                column.name
                            );
                        }
                        values.push(Stored {
                            cell: value,
                            kind: column.kind,
                        });
                    }
                    insert
                        .execute(params_from_iter(values.iter()))
                        .map_err(sqlite_error)?;
                    rows += 1;
                }
            }
        }
        transaction.commit().map_err(sqlite_error)?;
        Ok(rows)
    }

    fn end_write(
        &mut self,
        staging: &Staging,
        statements: &mut dyn FnMut(&[String]) -> Vec<String>,
    ) -> Result<()> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_error)?;
        let names = tables_starting_with(&transaction, staging.target(), PREFIX)?;
        for statement in statements(&names) {
            transaction
                .execute_batch(&statement)
                .map_err(|error| sqlite_error(error).fix(Fix::Table))?;
        }
        transaction.commit().map_err(sqlite_error)?;
        Ok(())
    }
}

/// An `rusqlite::Error` as one sentence (SQLite's message, without the statement around the
/// user's SQL), its extended result code kept.
fn sqlite_error(error: rusqlite::Error) -> DbError {
    let (message, code) = match error {
        rusqlite::Error::SqlInputError { error, msg, .. } => (msg, Some(error.extended_code)),
        rusqlite::Error::SqliteFailure(failure, message) => (
            message.unwrap_or_else(|| failure.to_string()),
            Some(failure.extended_code),
        ),
        error => (error.to_string(), None),
    };
    DbError::new("SQLite", message, code.map(|code| code.to_string()))
}

/// An error of SQLite in reading `relation`: a `query` is the user's SQL; a `table` is
/// missing (or its schema, an attached database).
fn relation_error(error: rusqlite::Error, relation: &Relation) -> DbError {
    let error = sqlite_error(error);
    match relation {
        Relation::Table(_) => error.fix_if(
            |error| {
                error.message().starts_with("no such table")
                    || error.message().starts_with("unknown database")
            },
            Fix::Table,
        ),
        Relation::Query(_) => error.fix_if(|error| error.code().is_some(), Fix::Query),
    }
}

/// The Spark kind of a declared SQLite type, by SQLite's affinity rules, with the names of
/// booleans, dates, timestamps and decimals recognised.
fn kind_of(declared: &str) -> Kind {
    let upper = declared.to_ascii_uppercase();
    let has = |part: &str| upper.contains(part);
    if has("BOOL") {
        Kind::Bool
    } else if upper.starts_with("TIMESTAMPTZ") || has("WITH TIME ZONE") {
        Kind::TimestampTz
    } else if has("DATETIME") || has("TIMESTAMP") {
        Kind::Timestamp
    } else if upper.trim() == "DATE" {
        Kind::Date
    } else if has("INT") {
        Kind::Int64
    } else if let Some(kind) = declared_decimal(&upper) {
        kind
    } else if has("CHAR") || has("CLOB") || has("TEXT") {
        Kind::Text
    } else if has("BLOB") || upper.trim().is_empty() {
        Kind::Binary
    } else {
        // REAL, FLOAT, DOUBLE, and NUMERIC affinity without digits.
        Kind::Float64
    }
}

/// `DECIMAL(p,s)` / `NUMERIC(p,s)` / `DECIMAL_TEXT(p,s)` (this sink's, for decimals wider
/// than a REAL keeps) with `p` ≤ 38.
fn declared_decimal(upper: &str) -> Option<Kind> {
    let rest = upper
        .strip_prefix("DECIMAL_TEXT")
        .or_else(|| upper.strip_prefix("DECIMAL"))
        .or_else(|| upper.strip_prefix("NUMERIC"))?;
    let inside = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let (precision, scale) = inside.split_once(',').unwrap_or((inside, "0"));
    let precision: u8 = precision.trim().parse().ok()?;
    let scale: i8 = scale.trim().parse().ok()?;
    (1..=38)
        .contains(&precision)
        .then_some(Kind::Decimal { precision, scale })
}

/// A stored value as Spark reads a column of `kind`.
fn decode(value: ValueRef<'_>, kind: Kind) -> Result<Cell<'_>> {
    let mismatch = |value: ValueRef<'_>| {
        format_err!(
            "a value of SQLite type {} in a column read as {kind:?} (SQLite keeps any type in \
             any column; cast it in `query`)",
            value.data_type()
        )
    };
    Ok(match (kind, value) {
        (_, ValueRef::Null) => Cell::Null,
        (Kind::Bool, ValueRef::Integer(v)) => Cell::Bool(v != 0),
        (Kind::Int16, ValueRef::Integer(v)) => Cell::Int16(i16::try_from(v)?),
        (Kind::Int32, ValueRef::Integer(v)) => Cell::Int32(i32::try_from(v)?),
        (Kind::Int64, ValueRef::Integer(v)) => Cell::Int64(v),
        (Kind::Float32, ValueRef::Real(v)) => Cell::Float32(v as f32),
        (Kind::Float32, ValueRef::Integer(v)) => Cell::Float32(v as f32),
        (Kind::Float64, ValueRef::Real(v)) => Cell::Float64(v),
        (Kind::Float64, ValueRef::Integer(v)) => Cell::Float64(v as f64),
        (Kind::Decimal { precision, scale }, value) => {
            Cell::Decimal(decimal(value, precision, scale).ok_or_else(|| mismatch(value))?)
        }
        (Kind::Text, ValueRef::Text(v)) => Cell::Text(std::str::from_utf8(v)?),
        (Kind::Binary, ValueRef::Blob(v) | ValueRef::Text(v)) => Cell::Binary(v),
        (Kind::Date, ValueRef::Text(v)) => {
            let text = std::str::from_utf8(v)?;
            let date = NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d")
                .with_context(|| format!("`{text}` is not a date (YYYY-MM-DD)"))?;
            Cell::Date((date - NaiveDate::default()).num_days() as i32)
        }
        (Kind::Timestamp | Kind::TimestampTz, ValueRef::Text(v)) => {
            Cell::Micros(timestamp_micros(std::str::from_utf8(v)?)?)
        }
        (Kind::Timestamp | Kind::TimestampTz, ValueRef::Integer(seconds)) => Cell::Micros(
            seconds
                .checked_mul(1_000_000)
                .ok_or_else(|| mismatch(value))?,
        ),
        (_, value) => return Err(mismatch(value)),
    })
}

/// A stored decimal (an integer, a float or decimal text) unscaled at `scale`, rounded half
/// away from zero.
fn decimal(value: ValueRef<'_>, precision: u8, scale: i8) -> Option<i128> {
    let factor = 10f64.powi(i32::from(scale));
    let unscaled = match value {
        ValueRef::Integer(v) => {
            i128::from(v).checked_mul(10i128.checked_pow(u32::try_from(scale).ok()?)?)?
        }
        ValueRef::Real(v) => {
            let scaled = (v * factor).round();
            (scaled.is_finite() && scaled.abs() < 1e38).then_some(scaled as i128)?
        }
        ValueRef::Text(text) => {
            let text = std::str::from_utf8(text).ok()?.trim();
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text.strip_prefix('+').unwrap_or(text)),
            };
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            let scale = usize::try_from(scale).ok()?;
            let mut kept: String = fraction.chars().take(scale).collect();
            while kept.len() < scale {
                kept.push('0');
            }
            let mut unscaled: i128 = format!("{whole}{kept}").parse().ok()?;
            if fraction.chars().nth(scale).is_some_and(|d| d >= '5') {
                unscaled += 1;
            }
            if negative { -unscaled } else { unscaled }
        }
        _ => return None,
    };
    (unscaled.unsigned_abs() < 10u128.pow(u32::from(precision))).then_some(unscaled)
}

/// Microseconds of `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (or with `T`), UTC when it has an offset.
fn timestamp_micros(text: &str) -> Result<i64> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.timestamp_micros());
    }
    if let Ok(at) = DateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Ok(at.timestamp_micros());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text.trim(), format) {
            return Ok(at.and_utc().timestamp_micros());
        }
    }
    bail!("`{text}` is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff], maybe with an offset)")
}

/// A value written into a staging table: numbers as numbers, decimals as exact text, dates and
/// timestamps as ISO text (SQLite's own date functions read it).
struct Stored<'a> {
    cell: Cell<'a>,
    kind: Kind,
}

impl ToSql for Stored<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.cell {
            Cell::Null => ToSqlOutput::Owned(SqlValue::Null),
            Cell::Bool(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(v))),
            Cell::Int16(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(v))),
            Cell::Int32(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(v))),
            Cell::Int64(v) => ToSqlOutput::Owned(SqlValue::Integer(v)),
            Cell::Float32(v) => ToSqlOutput::Owned(SqlValue::Real(f64::from(v))),
            Cell::Float64(v) => ToSqlOutput::Owned(SqlValue::Real(v)),
            Cell::Decimal(v) => {
                let scale = match self.kind {
                    Kind::Decimal { scale, .. } => scale,
                    _ => 0,
                };
                ToSqlOutput::Owned(SqlValue::Text(decimal_text(v, scale)))
            }
            Cell::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Cell::Binary(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Cell::Date(days) => {
                let date = NaiveDate::default()
                    .checked_add_signed(TimeDelta::days(i64::from(days)))
                    .unwrap_or_default();
                ToSqlOutput::Owned(SqlValue::Text(date.format("%Y-%m-%d").to_string()))
            }
            Cell::Micros(micros) => {
                let at = DateTime::from_timestamp_micros(micros).unwrap_or_default();
                let text = match self.kind {
                    Kind::TimestampTz => at.format("%Y-%m-%d %H:%M:%S%.6f+00:00"),
                    _ => at.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f"),
                };
                ToSqlOutput::Owned(SqlValue::Text(text.to_string()))
            }
        })
    }
}

/// Filter values and partition bounds.
impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Bool(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*v))),
            Param::Int(v) => ToSqlOutput::Owned(SqlValue::Integer(*v)),
            Param::Float(v) => ToSqlOutput::Owned(SqlValue::Real(*v)),
            Param::Text(v) | Param::Cast(v, _) => {
                ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes()))
            }
            Param::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_map_by_affinity() {
        assert_eq!(kind_of("INTEGER"), Kind::Int64);
        assert_eq!(kind_of("varchar(20)"), Kind::Text);
        assert_eq!(kind_of("BOOLEAN"), Kind::Bool);
        assert_eq!(kind_of("DOUBLE PRECISION"), Kind::Float64);
        assert_eq!(kind_of("DATE"), Kind::Date);
        assert_eq!(kind_of("DATETIME"), Kind::Timestamp);
        assert_eq!(kind_of("TIMESTAMPTZ"), Kind::TimestampTz);
        assert_eq!(
            kind_of("DECIMAL(12,2)"),
            Kind::Decimal {
                precision: 12,
                scale: 2
            }
        );
        assert_eq!(kind_of("NUMERIC"), Kind::Float64);
        assert_eq!(
            kind_of("DECIMAL_TEXT(38,18)"),
            Kind::Decimal {
                precision: 38,
                scale: 18
            }
        );
        assert_eq!(kind_of("BLOB"), Kind::Binary);
    }

    #[test]
    fn decimals_read_from_any_storage_class() {
        assert_eq!(decimal(ValueRef::Integer(12), 10, 2), Some(1200));
        assert_eq!(decimal(ValueRef::Real(12.345), 10, 2), Some(1235));
        assert_eq!(decimal(ValueRef::Text(b"-0.005"), 10, 2), Some(-1));
        assert_eq!(decimal(ValueRef::Text(b"123456"), 5, 0), None);
    }

    #[test]
    fn timestamps_read_with_or_without_offset() {
        assert_eq!(
            timestamp_micros("1970-01-01 00:00:01.5").unwrap(),
            1_500_000
        );
        assert_eq!(timestamp_micros("1970-01-01T01:00:00+01:00").unwrap(), 0);
        assert_eq!(
            timestamp_micros("1970-01-01 00:00:00.000001+00:00").unwrap(),
            1
        );
        assert!(timestamp_micros("yesterday").is_err());
    }
}
