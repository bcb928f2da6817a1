//! A database's error as one sentence: the database's own words, once (its message, detail and
//! hint), then the option a user changes to fix it. The code (PostgreSQL's SQLSTATE, SQLite's
//! extended result code) stays for code that decides by it.
//!
//! The drivers' errors print their cause inside their own message and again as their
//! `source()` (`...: db error: ERROR: ...`): a [`DbError`] keeps the words once and has no
//! source, so an error chain holds each sentence once.

use std::fmt;

use crate::sql::Relation;

/// The option that fixes a failure, as the advice ending its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// The credentials: `user` and `password` (or the URL's).
    Credentials {
        in_options: bool,
    },
    /// The database named in `url`.
    Database,
    /// The host and port in `url`.
    Address,
    /// The SQLite file named by `url`.
    File,
    /// How the connection is encrypted and the server checked.
    Tls,
    Table,
    Query,
    PartitionColumn,
}

impl Fix {
    /// The option to change for a failure of `relation`.
    pub fn of(relation: &Relation) -> Fix {
        match relation {
            Relation::Table(_) => Fix::Table,
            Relation::Query(_) => Fix::Query,
        }
    }

    fn advice(self) -> &'static str {
        match self {
            Fix::Credentials { in_options: true } => "check `user` and `password`",
            Fix::Credentials { in_options: false } => {
                "check `user` and `password` (or the user and password in `url`)"
            }
            Fix::Database => "check the database named in `url`",
            Fix::Address => "check the host and port in `url` (is the server running there?)",
            Fix::File => "check `url` (the file must exist and be readable on every Spark node)",
            Fix::Tls => {
                "check `sslMode` and `sslRootCert` (the server's certificate must be signed by a \
                 CA they trust, and name the host in `url` for `verify-full`)"
            }
            Fix::Table => "check `table`",
            Fix::Query => "check `query`",
            Fix::PartitionColumn => "check `partitionColumn`",
        }
    }
}

/// A database's error: its words once, its code, and the option to change.
#[derive(Debug)]
pub struct DbError {
    database: &'static str,
    message: String,
    code: Option<String>,
    fix: Option<Fix>,
}

impl DbError {
    pub fn new(database: &'static str, message: String, code: Option<String>) -> Self {
        DbError {
            database,
            message,
            code,
            fix: None,
        }
    }

    /// PostgreSQL's SQLSTATE (`42P01`), or SQLite's extended result code (`1`).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The database's own words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// This error, ending with the advice to change the option of `fix` (a first advice
    /// stays: it was given where more was known).
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix.get_or_insert(fix);
        self
    }

    /// Advises `fix` when `applies` says so.
    pub fn fix_if(self, applies: impl FnOnce(&DbError) -> bool, fix: Fix) -> Self {
        if applies(&self) { self.fix(fix) } else { self }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.database, self.message)?;
        if let Some(fix) = self.fix {
            write!(f, "; {}", fix.advice())?;
        }
        Ok(())
    }
}

/// No source: the message holds the whole story, once.
impl std::error::Error for DbError {}

/// The [`DbError`] in `error`'s chain, if any.
pub fn db_error_of(error: &datasource_py::Error) -> Option<&DbError> {
    error.downcast_ref::<DbError>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_says_its_words_once_and_the_first_advice() {
        let error = DbError::new(
            "PostgreSQL",
            "relation \"nope\" does not exist".into(),
            Some("42P01".into()),
        )
        .fix(Fix::Table)
        .fix(Fix::Query);
        assert_eq!(
            error.to_string(),
            "PostgreSQL: relation \"nope\" does not exist; check `table`"
        );
        let chained = datasource_py::Error::new(error).context("reading");
        assert_eq!(
            format!("{chained:#}"),
            "reading: PostgreSQL: relation \"nope\" does not exist; check `table`"
        );
        assert_eq!(db_error_of(&chained).and_then(DbError::code), Some("42P01"));
    }
}
