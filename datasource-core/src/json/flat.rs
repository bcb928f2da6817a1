//! The fast path of the common record: one object of double-quoted names without escapes, whose
//! values are scalars that their columns take as they are (a number in a number column, a plain
//! string in a `STRING`, `DATE` or `TIMESTAMP` column, `null` anywhere). It is read in one pass
//! straight into the columns, with no tape and no per-value dispatch on the JSON kind.
//!
//! Anything else (an escape, a nested value, a repeated name, a value that does not plainly
//! fit, a syntax error) and the row is taken back and left to the full reader (`tape` then
//! `convert`), which alone decides what is malformed and how: this path only ever takes records
//! the full reader would take whole, and gives them the same values (`fast_path_changes_nothing`
//! holds it to that on every case of Spark's answers and their corruptions).

use crate::datetime::SessionZone;

use super::columns::{Column, Members};
use super::convert::{date, timestamp_micros};
use super::numbers::decimal;
// Spark's limits count characters; a string of at most that many bytes is within them (longer
// ones are left to the full reader, which counts).
use super::tape::{
    MAX_NAME_CHARS as MAX_NAME_BYTES, MAX_NUMBER_DIGITS, MAX_STRING_CHARS as MAX_STRING_BYTES,
    continues_a_word, skip_whitespace,
};

/// Appends `text`'s record to `members` as one row (not counted in `members.len`, as
/// `convert_object` does not count it) and returns `true`; or appends nothing and returns
/// `false`, for the full reader to read it.
pub(crate) fn decode_flat(text: &[u8], members: &mut Members, zone: &SessionZone) -> bool {
    let start = members.len;
    let mut reader = Reader { text, at: 0 };
    if reader.object(members, zone).is_some() {
        return true;
    }
    members.truncate(start);
    false
}

struct Reader<'t> {
    text: &'t [u8],
    at: usize,
}

/// `None`: leave the record to the full reader.
type Taken = Option<()>;

impl<'t> Reader<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        self.at = skip_whitespace(self.text, self.at);
    }

    /// Consumes `byte` (after any whitespace).
    fn expect(&mut self, byte: u8) -> Taken {
        self.skip_whitespace();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn object(&mut self, members: &mut Members, zone: &SessionZone) -> Taken {
        self.expect(b'{')?;
        // `slots` as "given a value in this record": 1 given, 0 not yet.
        members.slots.fill(0);
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
        } else {
            let mut guess = 0;
            loop {
                self.expect(b'"')?;
                let name = self.plain_string(MAX_NAME_BYTES)?;
                self.expect(b':')?;
                self.skip_whitespace();
                match find(&members.names, name, guess) {
                    Some(field) => {
                        if members.slots[field] != 0 {
                            return None;
                        }
                        members.slots[field] = 1;
                        self.value(&mut members.fields[field], zone)?;
                        guess = field + 1;
                    }
                    None => self.skip_scalar()?,
                }
                self.skip_whitespace();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        for (column, given) in members.fields.iter_mut().zip(&members.slots) {
            if *given == 0 {
                column.push_null();
            }
        }
        Some(())
    }

    /// The content of a string whose opening `"` was read, if it has no escape and no control
    /// character, is UTF-8 and is at most `max` bytes long.
    fn plain_string(&mut self, max: usize) -> Option<&'t [u8]> {
        let start = self.at;
        let (length, ascii) = plain_length(&self.text[start..])?;
        let content = &self.text[start..start + length];
        if length > max || !ascii && std::str::from_utf8(content).is_err() {
            return None;
        }
        self.at = start + length + 1;
        Some(content)
    }

    /// A JSON number (JSON's grammar: no leading zero, no `+`, digits after a point and in an
    /// exponent).
    fn number(&mut self) -> Option<Number<'t>> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let digits_start = self.at;
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {}
            _ => return None,
        }
        // The digits as an integer, exact while there are at most 19 of them.
        let mut mantissa = self.digits(0);
        let whole_digits = self.at - digits_start;
        if whole_digits > 1 && self.text[digits_start] == b'0' {
            return None;
        }
        let mut digits = whole_digits;
        let mut fraction_digits = 0;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let fraction = self.at;
            mantissa = self.digits(mantissa);
            fraction_digits = self.at - fraction;
            if fraction_digits == 0 {
                return None;
            }
            digits += fraction_digits;
            integer = false;
        }
        let mut exponent = 0i64;
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            let negative_exponent = self.peek() == Some(b'-');
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            let exponent_start = self.at;
            let value = self.digits(0);
            let exponent_digits = self.at - exponent_start;
            if exponent_digits == 0 {
                return None;
            }
            // Past 4 digits, only "far out of the fast range" matters.
            let magnitude = if exponent_digits <= 4 {
                value as i64
            } else {
                1 << 20
            };
            exponent = if negative_exponent {
                -magnitude
            } else {
                magnitude
            };
            integer = false;
        }
        if digits > MAX_NUMBER_DIGITS {
            return None;
        }
        Some(Number {
            text: &self.text[start..self.at],
            negative,
            integer,
            // Exact: at most 19 digits, so no wrapping in `digits`.
            mantissa: (digits <= 19).then_some(mantissa),
            exponent: exponent - fraction_digits as i64,
        })
    }

    /// Reads digits on from `value` (wrapping past 19 digits: then unused).
    fn digits(&mut self, mut value: u64) -> u64 {
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
            self.at += 1;
        }
        value
    }

    /// `word` (`true`, `false`, `null`), not running on into a longer word.
    fn literal(&mut self, word: &[u8]) -> Option<&'t [u8]> {
        let start = self.at;
        let end = start + word.len();
        if !self.text[start..].starts_with(word) || continues_a_word(self.text, end) {
            return None;
        }
        self.at = end;
        Some(&self.text[start..end])
    }

    /// The value of a name no column has: read past it if it is a scalar.
    fn skip_scalar(&mut self) -> Taken {
        match self.peek()? {
            b'"' => {
                self.at += 1;
                self.plain_string(MAX_STRING_BYTES).map(drop)
            }
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b't' => self.literal(b"true").map(drop),
            b'f' => self.literal(b"false").map(drop),
            b'n' => self.literal(b"null").map(drop),
            _ => None,
        }
    }

    /// One value into `column`, if it takes it as it is.
    fn value(&mut self, column: &mut Column, zone: &SessionZone) -> Taken {
        match self.peek()? {
            b'"' => {
                self.at += 1;
                let text = self.plain_string(MAX_STRING_BYTES)?;
                string_into(column, text, zone)
            }
            b'-' | b'0'..=b'9' => number_into(column, &self.number()?),
            b't' => {
                let text = self.literal(b"true")?;
                boolean_into(column, true, text)
            }
            b'f' => {
                let text = self.literal(b"false")?;
                boolean_into(column, false, text)
            }
            b'n' => {
                self.literal(b"null")?;
                column.push_null();
                Some(())
            }
            _ => None,
        }
    }
}

/// A number's literal, and its value where it is quick to know exactly.
struct Number<'t> {
    text: &'t [u8],
    negative: bool,
    /// No fraction and no exponent.
    integer: bool,
    /// The digits (point left out) as an integer, when there are at most 19.
    mantissa: Option<u64>,
    /// The value is `mantissa` × 10^`exponent`.
    exponent: i64,
}

impl Number<'_> {
    /// The integer, for an integer literal whose value fits an `i64`.
    fn to_i64(&self) -> Option<i64> {
        if !self.integer {
            return None;
        }
        let magnitude = self.mantissa?;
        if self.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// The nearest `f64`, as Rust's parser (and Java's) rounds it. Where the digits and the
    /// power of ten are both exact in an `f64`, one multiplication or division rounds
    /// correctly (Clinger's fast path); else the full parser.
    fn to_f64(&self) -> Option<f64> {
        const POWERS: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        if let Some(mantissa) = self.mantissa
            && mantissa < 1 << 53
            && (-22..=22).contains(&self.exponent)
        {
            let magnitude = mantissa as f64;
            let power = POWERS[self.exponent.unsigned_abs() as usize];
            let value = if self.exponent < 0 {
                magnitude / power
            } else {
                magnitude * power
            };
            return Some(if self.negative { -value } else { value });
        }
        self.literal().parse().ok()
    }

    fn literal(&self) -> &str {
        // A number literal is ASCII.
        std::str::from_utf8(self.text).unwrap_or_default()
    }
}

/// The length of a string's content up to its closing `"` (`None` if there is none, or an
/// escape or a control character comes first), and whether it is all ASCII. Eight bytes at a
/// time: a word with none of `"`, `\`, a control character is passed over whole.
fn plain_length(text: &[u8]) -> Option<(usize, bool)> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut high = 0u64;
    let mut at = 0;
    while let Some(chunk) = text.get(at..at + 8) {
        let word = u64::from_ne_bytes(chunk.try_into().ok()?);
        let stops = has_zero(word ^ (ONES * u64::from(b'"')))
            | has_zero(word ^ (ONES * u64::from(b'\\')))
            // A byte below 0x20 (and, past one, maybe others: the bytes are looked at below).
            | word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        if stops != 0 {
            break;
        }
        high |= word;
        at += 8;
    }
    let mut ascii = high & HIGHS == 0;
    for (offset, &byte) in text[at..].iter().enumerate() {
        match byte {
            b'"' => return Some((at + offset, ascii)),
            b'\\' | 0..0x20 => return None,
            0x80.. => ascii = false,
            _ => {}
        }
    }
    None
}

/// The field named `name`, tried from `guess` on (records usually list fields in order).
fn find(names: &[Box<[u8]>], name: &[u8], guess: usize) -> Option<usize> {
    let count = names.len();
    if guess < count && same(&names[guess], name) {
        return Some(guess);
    }
    (0..count).find(|&index| same(&names[index], name))
}

/// Byte-wise equality, inlined: names are short, shorter than a call to `memcmp`.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A plain string (UTF-8, no escapes) into the columns that take one as it is.
fn string_into(column: &mut Column, text: &[u8], zone: &SessionZone) -> Taken {
    match column {
        Column::String(c) => c.push(text).ok(),
        Column::Date(c) => {
            c.push(date(std::str::from_utf8(text).ok()?)?);
            Some(())
        }
        Column::Timestamp { values, zoned } => {
            let text = std::str::from_utf8(text).ok()?;
            values.push(timestamp_micros(text, *zoned, zone)?);
            Some(())
        }
        _ => None,
    }
}

/// A number into the columns that take it as it is.
fn number_into(column: &mut Column, number: &Number<'_>) -> Taken {
    match column {
        Column::Int8(c) => {
            // Jackson's `getByteValue` takes 128..=255 and wraps them, as Spark reads them.
            let value = number.to_i64().filter(|v| (-128..=255).contains(v))?;
            c.push(value as u8 as i8);
        }
        Column::Int16(c) => c.push(number.to_i64()?.try_into().ok()?),
        Column::Int32(c) => c.push(number.to_i64()?.try_into().ok()?),
        Column::Int64(c) => c.push(number.to_i64()?),
        Column::Float32(c) => c.push(number.literal().parse().ok()?),
        Column::Float64(c) => c.push(number.to_f64()?),
        Column::Decimal {
            values,
            precision,
            scale,
        } => values.push(decimal(number.text, *precision, *scale)?),
        Column::String(c) => c.push(number.text).ok()?,
        _ => return None,
    }
    Some(())
}

/// `true` or `false` into a `BOOLEAN` column, or as its text into a `STRING` one.
fn boolean_into(column: &mut Column, value: bool, text: &[u8]) -> Taken {
    match column {
        Column::Boolean { values, nulls } => {
            values.append(value);
            nulls.append_non_null();
        }
        Column::String(c) => c.push(text).ok()?,
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<Number<'_>> {
        let mut reader = Reader {
            text: text.as_bytes(),
            at: 0,
        };
        reader.number().filter(|_| reader.at == text.len())
    }

    /// Every number the quick way reads as Rust's parser (correctly rounded) reads it: digits
    /// and exponents around the edges of the exact range, from a fixed pseudo-random sequence.
    #[test]
    fn numbers_read_as_the_full_parser_reads_them() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let digits = 1 + next() % 20;
            let mut text = String::new();
            if next() % 2 == 0 {
                text.push('-');
            }
            let whole = (next() % (digits + 1)).max(1);
            for index in 0..digits {
                if index == whole {
                    text.push('.');
                }
                let digit = next() % 10;
                text.push(char::from(
                    b'0' + if index == 0 && digit == 0 {
                        1
                    } else {
                        digit as u8
                    },
                ));
            }
            if next() % 3 == 0 {
                text.push_str(&format!("e{}", next() as i64 % 30));
            }
            let parsed = number(&text).unwrap_or_else(|| panic!("{text} is a number"));
            let expected: f64 = text.parse().unwrap();
            assert_eq!(
                parsed.to_f64().map(f64::to_bits),
                Some(expected.to_bits()),
                "{text}"
            );
            if parsed.integer {
                assert_eq!(parsed.to_i64(), text.parse::<i64>().ok(), "{text}");
            }
        }
        for text in [
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
        ] {
            assert_eq!(number(text).unwrap().to_i64(), text.parse().ok(), "{text}");
        }
        for refused in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "-01"] {
            assert!(number(refused).is_none(), "{refused}");
        }
    }
}
