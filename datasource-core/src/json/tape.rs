//! One JSON value parsed into a flat tape of nodes, with the grammar of Spark's JSON reader:
//! Jackson with Spark's default options. Single-quoted names and strings (with `\'`) and the
//! bare tokens `NaN`, `Infinity`, `+Infinity`, `-Infinity`, `+INF` and `-INF` are accepted;
//! comments, unquoted names, leading zeros, a leading `+`, raw control characters in strings,
//! other backslash escapes and trailing commas are not. Spark's limits hold: numbers of at most
//! 1000 digits, at most 1000 levels of nesting, strings of at most 20,000,000 characters, names
//! of at most 50,000.
//!
//! Each node keeps the byte range of its text: a string's content (between its quotes), a
//! number's literal, a container's whole text (brackets included), so that a value can be
//! converted from its exact text, or kept as text (Spark's STRING of a non-string value).

use std::fmt;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    /// A string without escapes: its content is its bytes.
    String,
    /// A string with escapes: its content must be decoded.
    EscapedString,
    /// An integer literal: no fraction, no exponent.
    Integer,
    /// A number with a fraction or an exponent.
    Float,
    /// `NaN`, `Infinity`, `+Infinity`, `-Infinity`, `+INF` or `-INF`.
    NonNumeric,
    True,
    False,
    Null,
}

/// One value of the tape. A container's members follow it (an object's as name, value, name,
/// value...), and `next` is the index just past its last descendant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    pub next: u32,
}

/// Why a text is not JSON as Spark reads it: a record that fails whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Where (a byte offset in the text).
    pub at: usize,
    pub what: &'static str,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.what, self.at + 1)
    }
}

const MAX_DEPTH: usize = 1000;
pub(crate) const MAX_NUMBER_DIGITS: usize = 1000;
pub(crate) const MAX_STRING_CHARS: usize = 20_000_000;
pub(crate) const MAX_NAME_CHARS: usize = 50_000;

/// Where the JSON whitespace from `at` on ends.
#[inline]
pub(crate) fn skip_whitespace(text: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = text.get(at) {
        at += 1;
    }
    at
}

/// Whether a letter or digit at `at` would make a word longer (`truex`, `NaNs`).
#[inline]
pub(crate) fn continues_a_word(text: &[u8], at: usize) -> bool {
    text.get(at)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Parses the first JSON value of `text` into `tape` (cleared first). `Ok(false)`: the text is
/// blank (Spark makes no row of it). What follows the first value is not read, as in Spark.
pub(crate) fn parse(text: &[u8], tape: &mut Vec<Node>) -> Result<bool, SyntaxError> {
    tape.clear();
    let mut parser = Parser {
        text,
        at: 0,
        tape,
        depth: 0,
    };
    parser.skip_whitespace();
    if parser.at == text.len() {
        return Ok(false);
    }
    let start = parser.at;
    parser.value()?;
    // Jackson checks the text it read is UTF-8 (strings included).
    if std::str::from_utf8(&text[start..parser.at]).is_err() {
        let valid = std::str::from_utf8(&text[start..])
            .err()
            .map_or(0, |e| e.valid_up_to());
        return Err(SyntaxError {
            at: start + valid,
            what: "text that is not UTF-8",
        });
    }
    Ok(true)
}

struct Parser<'t, 'v> {
    text: &'t [u8],
    at: usize,
    tape: &'v mut Vec<Node>,
    depth: usize,
}

impl Parser<'_, '_> {
    fn error<T>(&self, what: &'static str) -> Result<T, SyntaxError> {
        Err(SyntaxError { at: self.at, what })
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        self.at = skip_whitespace(self.text, self.at);
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) -> usize {
        let index = self.tape.len();
        self.tape.push(Node {
            kind,
            start: start as u32,
            end: end as u32,
            next: index as u32 + 1,
        });
        index
    }

    fn value(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(b'{') => self.container(Kind::Object),
            Some(b'[') => self.container(Kind::Array),
            Some(quote @ (b'"' | b'\'')) => self.string(quote, MAX_STRING_CHARS).map(|_| ()),
            Some(b't') => self.literal(b"true", Kind::True),
            Some(b'f') => self.literal(b"false", Kind::False),
            Some(b'n') => self.literal(b"null", Kind::Null),
            Some(b'N') => self.literal(b"NaN", Kind::NonNumeric),
            Some(b'I') => self.literal(b"Infinity", Kind::NonNumeric),
            Some(b'+') => self.signed_non_numeric(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.error("an unexpected character"),
            None => self.error("the end of the text where a value belongs"),
        }
    }

    fn literal(&mut self, word: &'static [u8], kind: Kind) -> Result<(), SyntaxError> {
        if !self.text[self.at..].starts_with(word) || self.continues_a_word(self.at + word.len()) {
            return self.error("an unrecognised word");
        }
        let start = self.at;
        self.at += word.len();
        self.push(kind, start, self.at);
        Ok(())
    }

    fn continues_a_word(&self, at: usize) -> bool {
        continues_a_word(self.text, at)
    }

    /// `+Infinity`, `+INF`, `-Infinity`, `-INF` (a sign and a word).
    fn signed_non_numeric(&mut self) -> Result<(), SyntaxError> {
        let rest = &self.text[self.at + 1..];
        for word in [&b"Infinity"[..], b"INF"] {
            if rest.starts_with(word) && !self.continues_a_word(self.at + 1 + word.len()) {
                let start = self.at;
                self.at += 1 + word.len();
                self.push(Kind::NonNumeric, start, self.at);
                return Ok(());
            }
        }
        self.error("a number that is not JSON")
    }

    fn number(&mut self) -> Result<(), SyntaxError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            if matches!(self.text.get(self.at + 1), Some(b'I')) {
                return self.signed_non_numeric();
            }
            self.at += 1;
        }
        let digits_start = self.at;
        match self.peek() {
            Some(b'0') => {
                self.at += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return self.error("a number with a leading zero");
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return self.error("a number that is not JSON"),
        }
        let mut digits = self.at - digits_start;
        let mut kind = Kind::Integer;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let fraction = self.at;
            self.skip_digits();
            if self.at == fraction {
                return self.error("a number with no digit after its point");
            }
            digits += self.at - fraction;
            kind = Kind::Float;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            let exponent = self.at;
            self.skip_digits();
            if self.at == exponent {
                return self.error("a number with no digit in its exponent");
            }
            kind = Kind::Float;
        }
        if digits > MAX_NUMBER_DIGITS {
            return self.error("a number of more than 1000 digits");
        }
        self.push(kind, start, self.at);
        Ok(())
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// A string quoted by `quote`: its node (content between the quotes).
    fn string(&mut self, quote: u8, max_chars: usize) -> Result<usize, SyntaxError> {
        self.at += 1;
        let start = self.at;
        let mut escaped = false;
        let mut chars = 0usize;
        loop {
            let Some(b) = self.peek() else {
                return self.error("a string without its closing quote");
            };
            if b == quote {
                break;
            }
            match b {
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                    match self.peek() {
                        Some(b'"' | b'\'' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.at += 1
                        }
                        Some(b'u') => {
                            let hex = self.text.get(self.at + 1..self.at + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.error("a `\\u` escape without four hex digits");
                            }
                            self.at += 5;
                        }
                        _ => return self.error("a backslash escape JSON does not have"),
                    }
                }
                0..0x20 => return self.error("a control character inside a string"),
                _ => self.at += 1,
            }
            // UTF-8 continuation bytes do not start a character.
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            if chars > max_chars {
                return self.error("a string longer than Spark reads");
            }
        }
        let kind = if escaped {
            Kind::EscapedString
        } else {
            Kind::String
        };
        let index = self.push(kind, start, self.at);
        self.at += 1;
        Ok(index)
    }

    fn container(&mut self, kind: Kind) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("more than 1000 levels of nesting");
        }
        let start = self.at;
        let index = self.push(kind, start, start);
        self.at += 1;
        let close = if kind == Kind::Object { b'}' } else { b']' };
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.at += 1;
        } else {
            loop {
                if kind == Kind::Object {
                    match self.peek() {
                        Some(quote @ (b'"' | b'\'')) => {
                            self.string(quote, MAX_NAME_CHARS)?;
                        }
                        _ => return self.error("a field name that is not quoted"),
                    }
                    self.skip_whitespace();
                    if self.peek() != Some(b':') {
                        return self.error("a field name without its `:`");
                    }
                    self.at += 1;
                    self.skip_whitespace();
                }
                self.value()?;
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        self.skip_whitespace();
                    }
                    Some(b) if b == close => {
                        self.at += 1;
                        break;
                    }
                    Some(_) => return self.error("a character where `,` or the end belongs"),
                    None => return self.error("the end of the text inside a value"),
                }
            }
        }
        self.depth -= 1;
        let next = self.tape.len() as u32;
        let node = &mut self.tape[index];
        node.end = self.at as u32;
        node.next = next;
        Ok(())
    }
}

/// A string node's content, decoded (escapes replaced; a lone UTF-16 surrogate becomes `?`, as
/// Java writes one in UTF-8), appended to `out`.
pub(crate) fn decode_string(text: &[u8], node: &Node, out: &mut Vec<u8>) {
    let raw = &text[node.start as usize..node.end as usize];
    if node.kind == Kind::String {
        out.extend_from_slice(raw);
        return;
    }
    let mut at = 0;
    while at < raw.len() {
        let b = raw[at];
        if b != b'\\' {
            out.push(b);
            at += 1;
            continue;
        }
        let escape = raw[at + 1];
        at += 2;
        let simple = match escape {
            b'"' => b'"',
            b'\'' => b'\'',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => {
                let unit = hex4(&raw[at..at + 4]);
                at += 4;
                let c = if (0xD800..0xDC00).contains(&unit)
                    && raw.get(at..at + 2) == Some(b"\\u")
                    && raw.len() >= at + 6
                {
                    let low = hex4(&raw[at + 2..at + 6]);
                    if (0xDC00..0xE000).contains(&low) {
                        at += 6;
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(unit)
                };
                let mut buffer = [0; 4];
                out.extend_from_slice(c.unwrap_or('?').encode_utf8(&mut buffer).as_bytes());
                continue;
            }
        };
        out.push(simple);
    }
}

fn hex4(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |value, &d| {
        value * 16 + (d as char).to_digit(16).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Result<Vec<Kind>, SyntaxError> {
        let mut tape = Vec::new();
        parse(text.as_bytes(), &mut tape)?;
        Ok(tape.iter().map(|n| n.kind).collect())
    }

    #[test]
    fn what_spark_accepts_and_refuses() {
        use Kind::*;
        let accepted: &[(&str, &[Kind])] = &[
            (
                r#"{"a":1,"b":[true,null,2.5e3]}"#,
                &[Object, String, Integer, String, Array, True, Null, Float],
            ),
            ("{'a':'x\\'y'}", &[Object, String, EscapedString]),
            (
                "[NaN, Infinity, +Infinity, -Infinity, +INF, -INF]",
                &[
                    Array, NonNumeric, NonNumeric, NonNumeric, NonNumeric, NonNumeric, NonNumeric,
                ],
            ),
            ("  {}  trailing garbage", &[Object]),
            ("{\"a\":1}{\"a\":2}", &[Object, String, Integer]),
            ("-0", &[Integer]),
            ("1e+2", &[Float]),
            ("\"\\u0000\"", &[EscapedString]),
        ];
        for (text, expected) in accepted {
            assert_eq!(kinds(text).as_deref(), Ok(*expected), "{text}");
        }
        for refused in [
            "{\"a\":1",
            "{a:1}",
            "{\"a\":01}",
            "{\"a\":+1}",
            "{\"a\":.5}",
            "{\"a\":5.}",
            "{\"a\":1.5e}",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\":}",
            "INF",
            "-NaN",
            "+NaN",
            "inf",
            "/*c*/{}",
            "# c",
            "\"a\tb\"",
            "\"\\q\"",
            "True",
            "{\"a\":truex}",
            "[0x10]",
            "\"\\u12\"",
            "[NaNs]",
        ] {
            assert!(kinds(refused).is_err(), "{refused} was accepted");
        }
        assert_eq!(kinds("  \t "), Ok(vec![]));
    }

    #[test]
    fn spark_s_limits_hold() {
        let digits = |n| format!("[{}]", "1".repeat(n));
        assert!(kinds(&digits(1000)).is_ok());
        assert!(kinds(&digits(1001)).is_err());
        let nested = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(kinds(&nested(1000)).is_ok());
        assert!(kinds(&nested(1001)).is_err());
        assert!(kinds(&format!("{{\"{}\":1}}", "n".repeat(50_001))).is_err());
        assert!(parse(b"[\"\xff\"]", &mut Vec::new()).is_err());
    }

    #[test]
    fn strings_decode_as_java_reads_them() {
        let decoded = |text: &str| {
            let mut tape = Vec::new();
            parse(text.as_bytes(), &mut tape).unwrap();
            let mut out = Vec::new();
            decode_string(text.as_bytes(), &tape[0], &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(decoded(r#""a\"b\\c\/d\n\u00e9""#), "a\"b\\c/d\né");
        assert_eq!(decoded(r#""\ud83d\ude00""#), "😀");
        assert_eq!(decoded(r#""\ud83dx""#), "?x");
        assert_eq!(decoded("'it\\'s'"), "it's");
    }
}
