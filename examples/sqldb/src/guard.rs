//! What a PostgreSQL `query` may call. Its connection is read-only: PostgreSQL refuses table
//! writes, DDL and sequence changes there. It does not refuse functions that reach past the
//! tables: large objects (`lo_import` reads a server file into the database), server files and
//! directories, SQL given as text (run out of sight of every check, `query_to_xml`), other
//! servers (`dblink`), settings and other sessions. Those are refused here by default, found
//! by name both in the query's own text and in PostgreSQL's `EXPLAIN (VERBOSE)` of it (which
//! expands views and inlined SQL functions). What functions of other kinds do (a PL/pgSQL
//! function calling one of these) is for the database role to allow or not.

/// Function names refused exactly (lower case, as PostgreSQL folds them).
const REFUSED: &[&str] = &[
    // Large objects read and written by descriptor.
    "loread",
    "lowrite",
    // Server files.
    "pg_read_file",
    "pg_read_binary_file",
    "pg_stat_file",
    "pg_logdir_ls",
    // SQL given as text, run by the function.
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "cursor_to_xml",
    "cursor_to_xmlschema",
    "ts_stat",
    "ts_rewrite",
    // Settings, other sessions, the server itself.
    "set_config",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_promote",
    "pg_switch_wal",
    "pg_create_restore_point",
    "pg_log_backend_memory_contexts",
    "pg_backup_start",
    "pg_backup_stop",
    "pg_start_backup",
    "pg_stop_backup",
];

/// Function name prefixes refused: every large-object function (`lo_import`, `lo_export`,
/// `lo_put`, ...), directory listings (`pg_ls_dir`, `pg_ls_waldir`, ...), adminpack's file
/// functions (`pg_file_write`, ...) and dblink's (`dblink`, `dblink_exec`, ...).
const REFUSED_PREFIXES: &[&str] = &["lo_", "pg_ls_", "pg_file_", "dblink"];

/// Whether calling a function of this (folded) name is refused.
pub fn is_server_function(name: &str) -> bool {
    REFUSED.contains(&name) || REFUSED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// A piece of SQL text that matters here: a name (folded or unquoted) or a symbol. String
/// literals, comments, numbers and parameters are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Name(String),
    Symbol(char),
}

/// The names and symbols of `sql`, lexed as PostgreSQL lexes it (standard-conforming strings,
/// `E'...'` escapes, dollar quotes, nested comments, `""` in quoted names). An error for what
/// could hide a name from this lexer: a `U&"..."` name (its escapes can spell any name),
/// anything left open.
fn tokens(sql: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let next = chars.get(at + 1).copied();
        // PostgreSQL's whitespace (a non-ASCII space is a letter of a name to it).
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') {
            at += 1;
        } else if c == '-' && next == Some('-') {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if c == '/' && next == Some('*') {
            at = skip_comment(&chars, at)?;
        } else if c == '\'' {
            at = skip_string(&chars, at + 1, false)?;
        } else if c == '"' {
            let (name, end) = quoted_name(&chars, at + 1)?;
            out.push(Token::Name(name));
            at = end;
        } else if c == '$' && next.is_some_and(|n| n.is_ascii_digit()) {
            at += 1;
            while at < chars.len() && chars[at].is_ascii_digit() {
                at += 1;
            }
        } else if c == '$' {
            match dollar_tag(&chars, at) {
                Some(tag) => at = skip_dollar_quoted(&chars, at, &tag)?,
                None => {
                    out.push(Token::Symbol(c));
                    at += 1;
                }
            }
        } else if c.is_ascii_digit() {
            at = skip_number(&chars, at);
        } else if is_name_start(c) {
            let start = at;
            while at < chars.len() && is_name_char(chars[at]) {
                at += 1;
            }
            let word: String = chars[start..at].iter().collect::<String>();
            let folded = word.to_ascii_lowercase();
            let quote = chars.get(at).copied();
            let after = chars.get(at + 1).copied();
            match (folded.as_str(), quote, after) {
                ("e", Some('\''), _) => at = skip_string(&chars, at + 1, true)?,
                ("b" | "x" | "n", Some('\''), _) => at = skip_string(&chars, at + 1, false)?,
                ("u", Some('&'), Some('\'')) => at = skip_string(&chars, at + 2, false)?,
                ("u", Some('&'), Some('"')) => {
                    return Err(
                        "a `U&\"...\"` name (write the name itself, double-quoted if need be)"
                            .into(),
                    );
                }
                _ => out.push(Token::Name(folded)),
            }
        } else {
            out.push(Token::Symbol(c));
            at += 1;
        }
    }
    Ok(out)
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '$'
}

/// Past a `/* ... */` comment starting at `at` (comments nest, as in PostgreSQL).
fn skip_comment(chars: &[char], mut at: usize) -> Result<usize, String> {
    let mut depth = 0;
    while at < chars.len() {
        match (chars[at], chars.get(at + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                at += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return Ok(at);
                }
            }
            _ => at += 1,
        }
    }
    Err("a `/*` comment is not closed".into())
}

/// Past a string whose text starts at `at`: `''` is a quote; with `escapes` (`E'...'`), a
/// backslash escapes the next character.
fn skip_string(chars: &[char], mut at: usize, escapes: bool) -> Result<usize, String> {
    while at < chars.len() {
        match chars[at] {
            '\\' if escapes => at += 2,
            '\'' if chars.get(at + 1) == Some(&'\'') => at += 2,
            '\'' => return Ok(at + 1),
            _ => at += 1,
        }
    }
    Err("a string literal is not closed".into())
}

/// A double-quoted name whose text starts at `at` (`""` is a quote), and where it ends.
fn quoted_name(chars: &[char], mut at: usize) -> Result<(String, usize), String> {
    let mut name = String::new();
    while at < chars.len() {
        match chars[at] {
            '"' if chars.get(at + 1) == Some(&'"') => {
                name.push('"');
                at += 2;
            }
            '"' => return Ok((name, at + 1)),
            c => {
                name.push(c);
                at += 1;
            }
        }
    }
    Err("a double-quoted name is not closed".into())
}

/// The tag of a dollar quote starting at `at` (`$$` or `$tag$`), if one starts there.
fn dollar_tag(chars: &[char], at: usize) -> Option<String> {
    let mut end = at + 1;
    while end < chars.len() && chars[end] != '$' {
        let c = chars[end];
        let fits = if end == at + 1 {
            is_name_start(c)
        } else {
            is_name_start(c) || c.is_ascii_digit()
        };
        if !fits {
            return None;
        }
        end += 1;
    }
    (end < chars.len()).then(|| chars[at..=end].iter().collect())
}

/// Past the dollar-quoted string opened by `tag` at `at`.
fn skip_dollar_quoted(chars: &[char], at: usize, tag: &str) -> Result<usize, String> {
    let tag: Vec<char> = tag.chars().collect();
    let mut end = at + tag.len();
    while end + tag.len() <= chars.len() {
        if chars[end..end + tag.len()] == tag[..] {
            return Ok(end + tag.len());
        }
        end += 1;
    }
    Err("a dollar-quoted string is not closed".into())
}

/// Past a number: digits, a fraction, an exponent.
fn skip_number(chars: &[char], mut at: usize) -> usize {
    let digits = |at: &mut usize| {
        while *at < chars.len() && chars[*at].is_ascii_digit() {
            *at += 1;
        }
    };
    digits(&mut at);
    if chars.get(at) == Some(&'.') && chars.get(at + 1) != Some(&'.') {
        at += 1;
        digits(&mut at);
    }
    if matches!(chars.get(at), Some('e' | 'E')) {
        let sign = usize::from(matches!(chars.get(at + 1), Some('+' | '-')));
        if chars.get(at + 1 + sign).is_some_and(char::is_ascii_digit) {
            at += 1 + sign;
            digits(&mut at);
        }
    }
    at
}

/// The refused functions `sql` calls (a name followed by `(`), each once, in order.
pub fn server_functions_called(sql: &str) -> Result<Vec<String>, String> {
    let tokens = tokens(sql)?;
    let mut found: Vec<String> = Vec::new();
    for pair in tokens.windows(2) {
        if let [Token::Name(name), Token::Symbol('(')] = pair
            && is_server_function(name)
            && !found.contains(name)
        {
            found.push(name.clone());
        }
    }
    Ok(found)
}

/// The error for a query calling `functions` (found in `place`).
pub fn refusal(functions: &[String], place: &str) -> String {
    let names: Vec<String> = functions.iter().map(|f| format!("`{f}`")).collect();
    format!(
        "`query` calls {} ({place}): functions that reach past the tables (large objects, \
         server files, SQL given as text, other servers, settings, other sessions) are \
         refused; set `allowServerFunctions` to true to leave them to the database role",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_found_however_they_are_spelled() {
        for (sql, expected) in [
            ("SELECT lo_import('/etc/hostname')", "lo_import"),
            ("SELECT pg_catalog.lo_import('/x')", "lo_import"),
            ("SELECT \"lo_import\"('/x')", "lo_import"),
            ("SELECT LO_IMPORT('/x')", "lo_import"),
            (
                "SELECT lo_import/* a /* nested */ comment */('/x')",
                "lo_import",
            ),
            ("SELECT lo_import -- a comment\n ('/x')", "lo_import"),
            ("SELECT $$it's$$, lo_export(1, '/x')", "lo_export"),
            ("SELECT $q$ $$ $q$ || pg_read_file('x')", "pg_read_file"),
            ("SELECT E'\\'', pg_ls_dir('.')", "pg_ls_dir"),
            (
                "SELECT 'a''b', query_to_xml('select 1', true, false, '')",
                "query_to_xml",
            ),
            ("SELECT 1e5, dblink_exec('x')", "dblink_exec"),
            ("SELECT set_config('a', 'b', false)", "set_config"),
            ("SELECT\tpg_read_binary_file('x')", "pg_read_binary_file"),
        ] {
            assert_eq!(server_functions_called(sql).unwrap(), [expected], "{sql}");
        }
    }

    #[test]
    fn names_in_strings_comments_and_columns_are_not_calls() {
        for sql in [
            "SELECT 'lo_import(1)' AS lo_value",
            "SELECT $$lo_import('/x')$$",
            "SELECT $tag$ pg_read_file('x') $tag$",
            "SELECT 1 -- lo_import('/x')",
            "SELECT /* lo_import('/x') */ 1",
            "SELECT E'\\' lo_import(1)'",
            "SELECT lo_count FROM t WHERE lo_count > $1",
            "SELECT \"lo_import\" FROM t",
            "SELECT a$lo_import(1)",
            // One name to PostgreSQL (a non-ASCII space belongs to it), of no such function.
            "SELECT set_config\u{a0}('a', 'b', false)",
        ] {
            assert_eq!(
                server_functions_called(sql).unwrap(),
                Vec::<String>::new(),
                "{sql}"
            );
        }
    }

    #[test]
    fn what_could_hide_a_name_is_refused() {
        for sql in [
            "SELECT U&\"\\006co_import\"('/x')",
            "SELECT u&\"x\"",
            "SELECT 'open",
            "SELECT /* open",
            "SELECT $a$ open",
            "SELECT \"open",
        ] {
            assert!(server_functions_called(sql).is_err(), "{sql}");
        }
        // A U& string is a string.
        assert!(
            server_functions_called("SELECT U&'d\\0061t\\+000061'")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn explain_output_is_read_the_same_way() {
        let plan = "Result\n  Output: lo_import('/etc/hostname'::text)\n";
        assert_eq!(server_functions_called(plan).unwrap(), ["lo_import"]);
        let plan = "Function Scan on pg_catalog.pg_ls_dir\n  Output: pg_ls_dir\n  Function \
                    Call: pg_ls_dir('.'::text)\n";
        assert_eq!(server_functions_called(plan).unwrap(), ["pg_ls_dir"]);
        let plan = "Seq Scan on public.people\n  Output: id, lo_value, (id + 1)\n  Filter: \
                    (people.name ~~ 'lo_import(%'::text)\n";
        assert!(server_functions_called(plan).unwrap().is_empty());
    }
}
