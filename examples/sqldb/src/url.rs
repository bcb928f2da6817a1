//! Where the database is: a PostgreSQL URL, or an SQLite file.

use std::path::PathBuf;

use datasource_py::OptionValue;
use serde::{Deserialize, Serialize};

/// The `url` option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatabaseUrl {
    /// `postgresql://[user[:password]@]host[:port]/database[?param=value]` (also `postgres://`
    /// and JDBC's `jdbc:postgresql://`), as libpq reads it.
    Postgres(String),
    /// `sqlite:<path>` or a plain path: a file every Spark node can open (local mode, or a
    /// shared file system).
    Sqlite(PathBuf),
}

impl OptionValue for DatabaseUrl {
    fn expected() -> String {
        "`postgresql://host:port/database`, or an SQLite file (`sqlite:/path/to.db` or a path)"
            .into()
    }

    fn parse_option(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let url = raw.strip_prefix("jdbc:").unwrap_or(raw);
        if let Some(rest) = url
            .strip_prefix("postgresql://")
            .or_else(|| url.strip_prefix("postgres://"))
        {
            if rest.is_empty() {
                return Err("the URL names no host".into());
            }
            // libpq takes `postgresql://`; JDBC's user and password parameters are libpq's too.
            return Ok(DatabaseUrl::Postgres(format!("postgresql://{rest}")));
        }
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            return sqlite_path(path);
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "`{scheme}` databases are not supported; PostgreSQL and SQLite are"
            ));
        }
        sqlite_path(url)
    }
}

fn sqlite_path(path: &str) -> Result<DatabaseUrl, String> {
    match path {
        "" => Err("the SQLite file's path is empty".into()),
        ":memory:" => Err(
            "an in-memory SQLite database lives in one process: every Spark task opens its own \
             connection, so give a file"
                .into(),
        ),
        path => Ok(DatabaseUrl::Sqlite(PathBuf::from(path))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        let parse = |text: &str| DatabaseUrl::parse_option(text).unwrap();
        assert_eq!(
            parse("jdbc:postgresql://127.0.0.1:5432/db?user=spark"),
            DatabaseUrl::Postgres("postgresql://127.0.0.1:5432/db?user=spark".into())
        );
        assert_eq!(
            parse("postgres://h/db"),
            DatabaseUrl::Postgres("postgresql://h/db".into())
        );
        assert_eq!(
            parse("sqlite:///tmp/x.db"),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(parse("data/x.db"), DatabaseUrl::Sqlite("data/x.db".into()));
    }

    #[test]
    fn other_databases_and_memory_are_refused() {
        let error = DatabaseUrl::parse_option("mysql://h/db").unwrap_err();
        assert!(
            error.contains("`mysql` databases are not supported"),
            "{error}"
        );
        assert!(DatabaseUrl::parse_option("sqlite::memory:").is_err());
        assert!(DatabaseUrl::parse_option("postgresql://").is_err());
    }
}
