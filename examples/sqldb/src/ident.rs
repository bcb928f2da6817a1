//! Names of tables and columns as options give them, checked when the options are read and
//! always written into SQL quoted: an option can name a table, never smuggle SQL in.

use std::fmt;

use datasource_py::OptionValue;
use serde::{Deserialize, Serialize};

/// One SQL identifier: a bare name (`people`, `signed_up`; folded to lower case as the database
/// folds it, PostgreSQL-style) or a double-quoted one (`"Mixed Case"`, `""` for a quote).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ident(String);

impl Ident {
    /// An identifier with exactly this name (no folding).
    pub fn exact(name: impl Into<String>) -> Self {
        Ident(name.into())
    }

    /// The name itself.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Writes the identifier double-quoted, the one form both PostgreSQL and SQLite read as a name
/// and never as a keyword or an expression.
impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.replace('"', "\"\""))
    }
}

/// A table, maybe in a schema: `people`, `sales.orders`, `"Sales"."Order Lines"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableName {
    /// The schema the table is in; `None`: wherever the database finds an unqualified name.
    pub schema: Option<Ident>,
    /// The table itself.
    pub table: Ident,
}

impl TableName {
    /// Another table in the same schema.
    pub fn sibling(&self, table: String) -> TableName {
        TableName {
            schema: self.schema.clone(),
            table: Ident(table),
        }
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.table),
            None => write!(f, "{}", self.table),
        }
    }
}

/// Splits `text` into dot-separated identifiers, each bare or double-quoted.
fn parse_dotted(text: &str) -> Result<Vec<Ident>, String> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut name = String::new();
        match chars.peek() {
            Some('"') => {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            name.push('"');
                        }
                        Some('"') => break,
                        Some(c) => name.push(c),
                        None => return Err("a quoted name is not closed".into()),
                    }
                }
                if name.is_empty() {
                    return Err("a quoted name is empty".into());
                }
            }
            Some(c) if c.is_alphabetic() || *c == '_' => {
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '$' {
                        name.extend(c.to_lowercase());
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            Some(c) => {
                return Err(format!(
                    "`{}` cannot start a name (write a name such as `orders`, or quote it: \
                     `\"{{name}}\"`)",
                    c.escape_default()
                ));
            }
            None => return Err("a name is missing".into()),
        }
        parts.push(Ident(name));
        match chars.next() {
            None => return Ok(parts),
            Some('.') => continue,
            Some(c) => {
                return Err(format!(
                    "`{}` after `{}` is not part of a name (quote a name that holds it)",
                    c.escape_default(),
                    parts.last().map(Ident::name).unwrap_or_default()
                ));
            }
        }
    }
}

impl OptionValue for Ident {
    fn expected() -> String {
        "a column name (letters, digits, `_`, or double-quoted)".into()
    }

    fn parse_option(raw: &str) -> Result<Self, String> {
        let mut parts = parse_dotted(raw)?;
        match parts.len() {
            1 => Ok(parts.remove(0)),
            _ => Err("a column name has no dots (quote one that does)".into()),
        }
    }
}

impl OptionValue for TableName {
    fn expected() -> String {
        "a table name, `table` or `schema.table` (letters, digits, `_`, or double-quoted)".into()
    }

    fn parse_option(raw: &str) -> Result<Self, String> {
        let mut parts = parse_dotted(raw)?;
        match parts.len() {
            1 => Ok(TableName {
                schema: None,
                table: parts.remove(0),
            }),
            2 => {
                let table = parts.remove(1);
                Ok(TableName {
                    schema: Some(parts.remove(0)),
                    table,
                })
            }
            _ => Err("at most one dot, between a schema and a table".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_folded_bare_and_kept_quoted() {
        let table = TableName::parse_option("Sales.Orders").unwrap();
        assert_eq!(table.to_string(), "\"sales\".\"orders\"");
        let table = TableName::parse_option("\"Order \"\"Lines\"\"\"").unwrap();
        assert_eq!(table.table.name(), "Order \"Lines\"");
        assert_eq!(table.to_string(), "\"Order \"\"Lines\"\"\"");
        assert_eq!(Ident::parse_option(" id ").unwrap().name(), "id");
    }

    #[test]
    fn sql_in_a_name_is_refused() {
        for attempt in [
            "people; DROP TABLE people",
            "people --",
            "people WHERE 1=1",
            "(SELECT 1)",
            "a.b.c",
            "\"open",
            "",
        ] {
            assert!(
                TableName::parse_option(attempt).is_err(),
                "accepted {attempt:?}"
            );
        }
        let error = Ident::parse_option("id) OR (1=1").unwrap_err();
        assert!(error.contains("`)` after `id`"), "{error}");
    }

    #[test]
    fn a_quoted_name_cannot_break_out_of_its_quotes() {
        let ident = Ident::parse_option("\"x\"\"; DROP TABLE t; --\"").unwrap();
        assert_eq!(ident.to_string(), "\"x\"\"; DROP TABLE t; --\"");
    }
}
