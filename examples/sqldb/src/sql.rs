//! SQL text with bound parameters: every value (a partition's bounds, a filter's literal) is a
//! parameter, never spliced into the text; every name is a quoted [`Ident`].

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::ident::{Ident, TableName};

/// Which database's SQL to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    /// The longest name the database keeps: PostgreSQL cuts longer ones to 63 bytes (a
    /// column read or written under another name, another table used); SQLite keeps any.
    pub fn max_name_bytes(self) -> Option<usize> {
        match self {
            Dialect::Postgres => Some(63),
            Dialect::Sqlite => None,
        }
    }
}

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    /// Text the database casts to a type of its own (PostgreSQL: `numeric`, `date`,
    /// `timestamp`, `timestamptz`).
    Cast(String, &'static str),
}

/// SQL text and its parameters, in order; rendered with the dialect's placeholders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sql {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Param(Param),
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        let mut sql = Sql::default();
        sql.push(text);
        sql
    }

    /// Appends SQL text (never a value a user gave: those are [`Sql::bind`]).
    pub fn push(&mut self, text: impl Into<String>) -> &mut Self {
        self.pieces.push(Piece::Text(text.into()));
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Param) -> &mut Self {
        self.pieces.push(Piece::Param(value));
        self
    }

    pub fn append(&mut self, other: Sql) -> &mut Self {
        self.pieces.extend(other.pieces);
        self
    }

    /// The text, with `$1::type` (PostgreSQL: typed, so a parameter never takes a surprising
    /// type from its context) or `?1` (SQLite) placeholders, and the values in order.
    pub fn render(&self, dialect: Dialect) -> (String, Vec<Param>) {
        let mut text = String::new();
        let mut params = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(part) => text.push_str(part),
                Piece::Param(param) => {
                    params.push(param.clone());
                    let n = params.len();
                    match dialect {
                        Dialect::Sqlite => write!(text, "?{n}"),
                        Dialect::Postgres => match param {
                            Param::Bool(_) => write!(text, "${n}::boolean"),
                            Param::Int(_) => write!(text, "${n}::int8"),
                            Param::Float(_) => write!(text, "${n}::float8"),
                            Param::Text(_) => write!(text, "${n}::text"),
                            Param::Bytes(_) => write!(text, "${n}::bytea"),
                            Param::Cast(_, to) => write!(text, "CAST(${n}::text AS {to})"),
                        },
                    }
                    .expect("writing to a String cannot fail");
                }
            }
        }
        (text, params)
    }
}

/// What is read: a table, or the user's query as a subquery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relation {
    Table(TableName),
    Query(String),
}

impl Relation {
    /// The relation as it goes after `FROM`.
    pub fn sql_text(&self) -> String {
        match self {
            Relation::Table(table) => table.to_string(),
            // A query is the user's own SQL (it runs read-only, one statement); a trailing `;`
            // would end the subquery.
            Relation::Query(query) => format!(
                "({}) AS \"spark_query\"",
                query.trim().trim_end_matches(';').trim_end()
            ),
        }
    }
}

/// `SELECT "a", "b" FROM relation`: the columns named, so their order is the schema's.
pub fn select(columns: &[Ident], relation: &Relation) -> Sql {
    let list: Vec<String> = columns.iter().map(ToString::to_string).collect();
    Sql::new(format!(
        "SELECT {} FROM {}",
        list.join(", "),
        relation.sql_text()
    ))
}

/// `select` with `conditions` joined by `AND` (none: every row).
pub fn select_where(columns: &[Ident], relation: &Relation, conditions: Vec<Sql>) -> Sql {
    let mut sql = select(columns, relation);
    for (index, condition) in conditions.into_iter().enumerate() {
        sql.push(if index == 0 { " WHERE (" } else { " AND (" });
        sql.append(condition);
        sql.push(")");
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::OptionValue;

    #[test]
    fn values_are_placeholders_typed_for_postgres() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(Param::Int(5))
            .push(" AND b = ")
            .bind(Param::Text("x' OR '1'='1".into()))
            .push(" AND c < ")
            .bind(Param::Cast("1.50".into(), "numeric"));
        let (text, params) = sql.render(Dialect::Postgres);
        assert_eq!(
            text,
            "SELECT 1 WHERE a = $1::int8 AND b = $2::text AND c < CAST($3::text AS numeric)"
        );
        assert_eq!(params.len(), 3);
        let (text, _) = sql.render(Dialect::Sqlite);
        assert_eq!(text, "SELECT 1 WHERE a = ?1 AND b = ?2 AND c < ?3");
    }

    #[test]
    fn a_query_becomes_a_subquery_and_a_table_is_quoted() {
        let columns = [Ident::exact("id"), Ident::exact("Name")];
        let query = Relation::Query("SELECT * FROM t;\n".into());
        let sql = select_where(&columns, &query, vec![Sql::new("\"id\" > 1")]);
        assert_eq!(
            sql.render(Dialect::Sqlite).0,
            "SELECT \"id\", \"Name\" FROM (SELECT * FROM t) AS \"spark_query\" WHERE (\"id\" > 1)"
        );
        let table = Relation::Table(TableName::parse_option("s.t").unwrap());
        assert_eq!(
            select(&columns, &table).render(Dialect::Postgres).0,
            "SELECT \"id\", \"Name\" FROM \"s\".\"t\""
        );
    }
}
