//! Spark's filters as `WHERE` conditions, with Spark's semantics: a filter is translated only
//! where the database's answer is exactly Spark's (strings compared byte-wise, NULLs as Spark
//! treats them, literals of the column's own type); anything else stays with Spark.
//!
//! Spark's strings may hold NUL: PostgreSQL's text cannot (a literal holding one is never
//! pushed there), and SQLite's `GLOB` and `LIKE` stop at one, so SQLite matches strings as
//! bytes (`substr`/`instr` of the value cast to a blob).

use datasource_py::prelude::*;

use crate::batch::decimal_text;
use crate::columns::{Column, Kind};
use crate::ident::Ident;
use crate::sql::{Dialect, Param, Sql};

/// The condition that keeps exactly the rows `filter` keeps, or `None` when this database
/// cannot say so exactly.
pub fn translate(filter: &Filter, columns: &[Column], dialect: Dialect) -> Option<Sql> {
    let target = |path: &ColumnPath| -> Option<(Ident, Kind)> {
        let name = path.top_level()?;
        let column = columns.iter().find(|column| column.name == name)?;
        if column.kind.is_text() && !compares_as_text(column, dialect) {
            return None;
        }
        Some((Ident::exact(&column.name), column.kind))
    };
    let compare = |path: &ColumnPath, op: &str, value: &Literal| -> Option<Sql> {
        let (column, kind) = target(path)?;
        let param = param(kind, value, dialect)?;
        let mut sql = Sql::new(format!("{} {op} ", compared(&column, kind, dialect)));
        sql.bind(param);
        Some(sql)
    };
    match filter {
        Filter::EqualTo { column, value } => compare(column, "=", value),
        Filter::GreaterThan { column, value } => compare(column, ">", value),
        Filter::GreaterThanOrEqual { column, value } => compare(column, ">=", value),
        Filter::LessThan { column, value } => compare(column, "<", value),
        Filter::LessThanOrEqual { column, value } => compare(column, "<=", value),
        Filter::EqualNullSafe { column, value } => {
            let (column, kind) = target(column)?;
            if *value == Literal::Null {
                return Some(Sql::new(format!("{column} IS NULL")));
            }
            let operator = match dialect {
                Dialect::Postgres => "IS NOT DISTINCT FROM",
                Dialect::Sqlite => "IS",
            };
            let mut sql = Sql::new(format!("{} {operator} ", compared(&column, kind, dialect)));
            sql.bind(param(kind, value, dialect)?);
            Some(sql)
        }
        Filter::In { column, values } => {
            let (column, kind) = target(column)?;
            if values.is_empty() {
                return None;
            }
            let mut sql = Sql::new(format!("{} IN (", compared(&column, kind, dialect)));
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    sql.push(", ");
                }
                sql.bind(param(kind, value, dialect)?);
            }
            sql.push(")");
            Some(sql)
        }
        Filter::IsNull { column } => Some(Sql::new(format!("{} IS NULL", target(column)?.0))),
        Filter::IsNotNull { column } => {
            Some(Sql::new(format!("{} IS NOT NULL", target(column)?.0)))
        }
        Filter::Not(inner) => {
            let mut sql = Sql::new("NOT (");
            sql.append(translate(inner, columns, dialect)?).push(")");
            Some(sql)
        }
        Filter::StringStartsWith { column, value } => {
            string_match(target(column)?, dialect, Place::Start, value)
        }
        Filter::StringEndsWith { column, value } => {
            string_match(target(column)?, dialect, Place::End, value)
        }
        Filter::StringContains { column, value } => {
            string_match(target(column)?, dialect, Place::Anywhere, value)
        }
        // A kind of filter a newer Spark adds: Spark applies it.
        _ => None,
    }
}

/// Where a string filter finds its value.
enum Place {
    Start,
    End,
    Anywhere,
}

/// PostgreSQL: `column LIKE 'value%'`, byte-wise, the value's wildcards escaped (never with
/// a NUL, which PostgreSQL's text cannot hold). SQLite: the value's bytes found in the
/// column's bytes (its `LIKE` ignores case and its `GLOB` stops at a NUL, in the value or the
/// data), the value and its length bound as parameters: true or false for every string (an
/// empty value matches each), NULL for NULL, so that `NOT` keeps Spark's answer too.
fn string_match(
    (column, kind): (Ident, Kind),
    dialect: Dialect,
    place: Place,
    value: &str,
) -> Option<Sql> {
    if !kind.is_text() {
        return None;
    }
    match dialect {
        Dialect::Postgres => {
            if value.contains('\0') {
                return None;
            }
            let escaped = like_escape(value);
            let pattern = match place {
                Place::Start => format!("{escaped}%"),
                Place::End => format!("%{escaped}"),
                Place::Anywhere => format!("%{escaped}%"),
            };
            let mut sql = Sql::new(format!("{column} COLLATE \"C\" LIKE "));
            sql.bind(Param::Text(pattern));
            Some(sql)
        }
        Dialect::Sqlite => {
            let bytes = || Param::Bytes(value.as_bytes().to_vec());
            let length = i64::try_from(value.len()).ok()?;
            let blob = format!("CAST({column} AS BLOB)");
            // `substr` of an empty blob is NULL: the length is checked first.
            let mut sql = Sql::new(format!("length({blob}) >= "));
            sql.bind(Param::Int(length));
            match place {
                _ if value.is_empty() => {}
                Place::Start => {
                    sql.push(format!(" AND substr({blob}, 1, "))
                        .bind(Param::Int(length))
                        .push(") = ")
                        .bind(bytes());
                }
                Place::End => {
                    sql.push(format!(" AND substr({blob}, "))
                        .bind(Param::Int(-length))
                        .push(") = ")
                        .bind(bytes());
                }
                Place::Anywhere => {
                    sql.push(format!(" AND instr({blob}, "))
                        .bind(bytes())
                        .push(") > 0");
                }
            }
            Some(sql)
        }
    }
}

/// `LIKE`'s wildcards and its escape character (`\`, PostgreSQL's default), escaped.
fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Whether a STRING column's values compare in the database as the text Spark reads: not so
/// for PostgreSQL types read as their text form (`json`, `uuid`, `char(n)`, whose padding
/// comparisons ignore, enums ordered by declaration).
fn compares_as_text(column: &Column, dialect: Dialect) -> bool {
    match dialect {
        Dialect::Postgres => matches!(column.database_type.as_str(), "text" | "varchar" | "name"),
        Dialect::Sqlite => true,
    }
}

/// The column as compared: a text column byte-wise, as Spark compares strings, whatever its
/// collation; an SQLite binary column as a blob (SQLite keeps any type in any column, and a
/// text value never equals a blob, where Spark reads both as the same bytes).
fn compared(column: &Ident, kind: Kind, dialect: Dialect) -> String {
    match (kind, dialect) {
        (Kind::Text, Dialect::Postgres) => format!("{column} COLLATE \"C\""),
        (Kind::Text, Dialect::Sqlite) => format!("{column} COLLATE BINARY"),
        (Kind::Binary, Dialect::Sqlite) => format!("CAST({column} AS BLOB)"),
        _ => column.to_string(),
    }
}

/// The literal as a parameter of the column's own type, or `None` (a NULL, another type, a
/// value this database stores differently than Spark compares it).
fn param(kind: Kind, value: &Literal, dialect: Dialect) -> Option<Param> {
    let postgres = dialect == Dialect::Postgres;
    Some(match (kind, value) {
        (Kind::Bool, Literal::Bool(value)) => Param::Bool(*value),
        (Kind::Int16 | Kind::Int32 | Kind::Int64, Literal::Int(value)) => Param::Int(*value),
        // SQLite has no NaN (it stores NULL); PostgreSQL orders it as Spark does.
        (Kind::Float32 | Kind::Float64, Literal::Float(value)) if postgres || !value.is_nan() => {
            Param::Float(*value)
        }
        // PostgreSQL's text cannot hold NUL (it refuses the value, or cuts it there).
        (Kind::Text, Literal::Str(value)) if !(postgres && value.contains('\0')) => {
            Param::Text(value.clone())
        }
        (Kind::Binary, Literal::Bytes(value)) => Param::Bytes(value.clone()),
        // SQLite keeps decimals as floating point and dates as text of any shape: only
        // PostgreSQL compares them exactly.
        (Kind::Decimal { .. }, Literal::Decimal128 { unscaled, scale }) if postgres => {
            Param::Cast(decimal_text(*unscaled, *scale), "numeric")
        }
        (Kind::Date, Literal::Date(date)) if postgres => {
            Param::Cast(date.format("%Y-%m-%d").to_string(), "date")
        }
        (Kind::Timestamp, Literal::TimestampNtz(at)) if postgres => {
            Param::Cast(at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(), "timestamp")
        }
        (Kind::TimestampTz, Literal::Timestamp(at)) if postgres => Param::Cast(
            at.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string(),
            "timestamptz",
        ),
        _ => return None,
    })
}
