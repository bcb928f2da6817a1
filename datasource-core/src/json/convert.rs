//! A parsed JSON value converted into columns with the rules of Spark's JSON reader
//! (`JacksonParser`): which JSON values each Spark type takes, and how a value that does not fit
//! fails. A struct keeps the fields that fit (Spark's partial results) and the record is marked
//! malformed; an array or a map fails whole where an element does not fit (but keeps a partial
//! struct); some failures fail the whole record.

use crate::datetime::{
    SessionZone, rebase_julian_to_gregorian_days, string_to_date, string_to_timestamp,
    string_to_timestamp_ntz,
};

use super::columns::{Column, Members};
use super::numbers::{Base64Error, base64, decimal};
use super::tape::{Kind, Node, decode_string};

/// How one value converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Appended as it is.
    Done,
    /// Appended, with a part of it null for not fitting: the record is malformed.
    Partial,
    /// Not appended: it does not fit its type.
    Failed,
    /// The whole record fails.
    Record,
}

/// What did not fit, for an error message (only the first is kept).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// From the value outwards: `x`, `[2]`, `s`.
    pub path: Vec<String>,
    pub expected: &'static str,
    /// The value's text.
    pub start: u32,
    pub end: u32,
}

/// What a conversion reads, and where it notes the first problem.
pub(crate) struct Context<'a> {
    pub text: &'a [u8],
    pub tape: &'a [Node],
    pub zone: &'a SessionZone,
    pub scratch: &'a mut Vec<u8>,
    /// Whether to note problems (for an error message).
    pub explain: bool,
    pub problem: Option<Problem>,
    /// Why the whole record failed, where a value made it fail.
    pub record_failure: Option<&'static str>,
}

const NO_SLOT: u32 = u32::MAX;

impl Context<'_> {
    fn fail(&mut self, node: usize, expected: &'static str) -> Outcome {
        if self.explain && self.problem.is_none() {
            let node = self.tape[node];
            // A string with its quotes.
            let quoted = u32::from(matches!(node.kind, Kind::String | Kind::EscapedString));
            self.problem = Some(Problem {
                path: Vec::new(),
                expected,
                start: node.start - quoted,
                end: node.end + quoted,
            });
        }
        Outcome::Failed
    }

    /// Notes that a problem raised since `before` (whether one was noted then) lies under
    /// `part`.
    fn locate(&mut self, before: bool, part: impl FnOnce() -> String) {
        if self.explain
            && !before
            && let Some(problem) = &mut self.problem
        {
            problem.path.push(part());
        }
    }

    fn raw(&self, node: usize) -> &[u8] {
        let node = self.tape[node];
        &self.text[node.start as usize..node.end as usize]
    }

    /// A string node's content, decoded into the scratch buffer.
    fn decoded(&mut self, node: usize) -> &[u8] {
        self.scratch.clear();
        decode_string(self.text, &self.tape[node], self.scratch);
        self.scratch
    }

    fn is_string(&self, node: usize) -> bool {
        matches!(self.tape[node].kind, Kind::String | Kind::EscapedString)
    }
}

/// Converts the value at `node` into `column`.
pub(crate) fn convert(context: &mut Context<'_>, column: &mut Column, node: usize) -> Outcome {
    let kind = context.tape[node].kind;
    if kind == Kind::Null {
        column.push_null();
        return Outcome::Done;
    }
    match column {
        Column::Boolean { values, nulls } => match kind {
            Kind::True | Kind::False => {
                values.append(kind == Kind::True);
                nulls.append_non_null();
                Outcome::Done
            }
            _ => context.fail(node, "`true` or `false`"),
        },
        Column::Int8(c) => match integer(context, node, -128, 255) {
            // Jackson's `getByteValue` takes 128..=255 and wraps them, as Spark reads them.
            Some(v) => {
                c.push(v as u8 as i8);
                Outcome::Done
            }
            None => context.fail(node, "an integer in -128..=127"),
        },
        Column::Int16(c) => match integer(context, node, i16::MIN.into(), i16::MAX.into()) {
            Some(v) => {
                c.push(v as i16);
                Outcome::Done
            }
            None => context.fail(node, "an integer of SMALLINT's range"),
        },
        Column::Int32(c) => match integer(context, node, i32::MIN.into(), i32::MAX.into()) {
            Some(v) => {
                c.push(v as i32);
                Outcome::Done
            }
            None => context.fail(node, "an integer of INT's range"),
        },
        Column::Int64(c) => match integer(context, node, i64::MIN, i64::MAX) {
            Some(v) => {
                c.push(v);
                Outcome::Done
            }
            None => context.fail(node, "an integer of BIGINT's range"),
        },
        Column::Float32(c) => match floating(context, node) {
            Some(Floating::Text(text)) => match text.parse::<f32>() {
                Ok(v) => {
                    c.push(v);
                    Outcome::Done
                }
                Err(_) => context.fail(node, "a number"),
            },
            Some(Floating::Special(v)) => {
                c.push(v as f32);
                Outcome::Done
            }
            None => context.fail(node, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")"),
        },
        Column::Float64(c) => match floating(context, node) {
            Some(Floating::Text(text)) => match text.parse::<f64>() {
                Ok(v) => {
                    c.push(v);
                    Outcome::Done
                }
                Err(_) => context.fail(node, "a number"),
            },
            Some(Floating::Special(v)) => {
                c.push(v);
                Outcome::Done
            }
            None => context.fail(node, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")"),
        },
        Column::Decimal {
            values,
            precision,
            scale,
        } => {
            let value = match kind {
                Kind::Integer | Kind::Float => decimal(context.raw(node), *precision, *scale),
                Kind::String | Kind::EscapedString => {
                    // Spark's decimal parser of the US locale drops every comma.
                    let text: Vec<u8> = context
                        .decoded(node)
                        .iter()
                        .copied()
                        .filter(|&b| b != b',')
                        .collect();
                    decimal(&text, *precision, *scale)
                }
                _ => None,
            };
            match value {
                Some(v) => {
                    values.push(v);
                    Outcome::Done
                }
                None => context.fail(node, "a number that fits the DECIMAL"),
            }
        }
        Column::Date(c) => {
            if !context.is_string(node) {
                return context.fail(node, "a date string");
            }
            let text = String::from_utf8_lossy(context.decoded(node)).into_owned();
            match date(&text) {
                Some(days) => {
                    c.push(days);
                    Outcome::Done
                }
                None => context.fail(node, "a date such as \"2024-01-31\""),
            }
        }
        Column::Timestamp { values, zoned } => {
            let micros = match kind {
                Kind::String | Kind::EscapedString => {
                    let text = String::from_utf8_lossy(context.decoded(node)).into_owned();
                    timestamp_micros(&text, *zoned, context.zone)
                }
                // Epoch seconds, for TIMESTAMP only; Spark's multiplication wraps.
                Kind::Integer if *zoned => std::str::from_utf8(context.raw(node))
                    .ok()
                    .and_then(|t| t.parse::<i64>().ok())
                    .map(|seconds| seconds.wrapping_mul(1_000_000)),
                _ => None,
            };
            match micros {
                Some(v) => {
                    values.push(v);
                    Outcome::Done
                }
                None if *zoned => context.fail(
                    node,
                    "a timestamp such as \"2024-01-31T12:00:00Z\" or whole seconds since 1970",
                ),
                None => context.fail(
                    node,
                    "a timestamp without a zone, such as \"2024-01-31T12:00:00\"",
                ),
            }
        }
        Column::String(c) => {
            if context.is_string(node) {
                decode_string(context.text, &context.tape[node], &mut c.data);
            } else {
                // Any other value is kept as its text, exactly as written.
                c.data.extend_from_slice(context.raw(node));
            }
            closed(context, node, c.close())
        }
        Column::Binary(c) => {
            if !context.is_string(node) {
                return context.fail(node, "a base64 string");
            }
            let text = context.decoded(node).to_vec();
            match base64(&text, &mut c.data) {
                Ok(()) => closed(context, node, c.close()),
                Err(error) => {
                    let keep = *c.offsets.last().unwrap_or(&0) as usize;
                    c.data.truncate(keep);
                    match error {
                        Base64Error::Value => context.fail(node, "a base64 string"),
                        Base64Error::Record => {
                            context.record_failure = Some(
                                "a base64 value ends where Spark's reader reads on into the \
                                 text after it",
                            );
                            Outcome::Record
                        }
                    }
                }
            }
        }
        Column::List {
            offsets,
            nulls,
            element,
        } => {
            if kind != Kind::Array {
                return context.fail(node, "an array");
            }
            let mark = element.len();
            let mut outcome = Outcome::Done;
            let end = context.tape[node].next as usize;
            let mut child = node + 1;
            let mut index = 0;
            while child < end {
                let before = context.problem.is_some();
                match convert(context, element, child) {
                    Outcome::Done => {}
                    Outcome::Partial => {
                        context.locate(before, || format!("[{index}]"));
                        outcome = Outcome::Partial;
                    }
                    Outcome::Failed => {
                        context.locate(before, || format!("[{index}]"));
                        element.truncate(mark);
                        return Outcome::Failed;
                    }
                    Outcome::Record => return Outcome::Record,
                }
                child = context.tape[child].next as usize;
                index += 1;
            }
            offsets.push(element.len() as i32);
            nulls.append_non_null();
            outcome
        }
        Column::Map {
            offsets,
            nulls,
            keys,
            values,
        } => {
            if kind != Kind::Object {
                return context.fail(node, "an object (a map)");
            }
            let mark = values.len();
            let mut outcome = Outcome::Done;
            let end = context.tape[node].next as usize;
            let mut name = node + 1;
            while name < end {
                let value = name + 1;
                decode_string(context.text, &context.tape[name], &mut keys.data);
                if keys.close().is_err() {
                    return Outcome::Record;
                }
                let before = context.problem.is_some();
                let result = convert(context, values, value);
                if matches!(result, Outcome::Partial | Outcome::Failed) {
                    let key = key_text(context_text(context, name));
                    context.locate(before, || key);
                }
                match result {
                    Outcome::Done => {}
                    Outcome::Partial => outcome = Outcome::Partial,
                    Outcome::Failed => {
                        keys.truncate(mark);
                        values.truncate(mark);
                        return Outcome::Failed;
                    }
                    Outcome::Record => return Outcome::Record,
                }
                name = context.tape[value].next as usize;
            }
            offsets.push(values.len() as i32);
            nulls.append_non_null();
            outcome
        }
        Column::Struct(members) => {
            if kind != Kind::Object {
                return context.fail(node, "an object");
            }
            let outcome = convert_object(context, members, node);
            if outcome != Outcome::Record {
                members.nulls.append_non_null();
                members.len += 1;
            }
            outcome
        }
    }
}

fn context_text<'c>(context: &'c Context<'_>, node: usize) -> &'c [u8] {
    let node = context.tape[node];
    &context.text[node.start as usize..node.end as usize]
}

fn key_text(raw: &[u8]) -> String {
    format!("[\"{}\"]", String::from_utf8_lossy(raw))
}

/// A value whose bytes were appended: done, or (past a batch column's 2 GiB) a record that
/// cannot be taken.
fn closed(_context: &mut Context<'_>, _node: usize, closed: Result<(), ()>) -> Outcome {
    match closed {
        Ok(()) => Outcome::Done,
        Err(()) => Outcome::Record,
    }
}

/// An integer literal within `min..=max`.
fn integer(context: &Context<'_>, node: usize, min: i64, max: i64) -> Option<i64> {
    if context.tape[node].kind != Kind::Integer {
        return None;
    }
    let value: i64 = std::str::from_utf8(context.raw(node)).ok()?.parse().ok()?;
    (min..=max).contains(&value).then_some(value)
}

enum Floating<'t> {
    Text(&'t str),
    Special(f64),
}

/// A number's text, or the value of `NaN`/`Infinity` written bare or as one of the strings
/// Spark takes (exactly, case and all).
fn floating<'c>(context: &'c mut Context<'_>, node: usize) -> Option<Floating<'c>> {
    match context.tape[node].kind {
        Kind::Integer | Kind::Float => {
            let node = context.tape[node];
            std::str::from_utf8(&context.text[node.start as usize..node.end as usize])
                .ok()
                .map(Floating::Text)
        }
        Kind::NonNumeric => special(context.raw(node)).map(Floating::Special),
        Kind::String | Kind::EscapedString => special(context.decoded(node)).map(Floating::Special),
        _ => None,
    }
}

fn special(text: &[u8]) -> Option<f64> {
    match text {
        b"NaN" => Some(f64::NAN),
        b"Infinity" | b"+Infinity" | b"+INF" => Some(f64::INFINITY),
        b"-Infinity" | b"-INF" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// A `TIMESTAMP` (`zoned`) or `TIMESTAMP_NTZ` from a string's text, in microseconds.
pub(crate) fn timestamp_micros(text: &str, zoned: bool, zone: &SessionZone) -> Option<i64> {
    if zoned {
        timestamp(text, zone)
    } else if text.is_empty() {
        None
    } else {
        string_to_timestamp_ntz(text)
    }
}

/// A `DATE` from text as Spark's JSON reader takes it: a date, else the same text without any
/// `GMT`, else a number of days since 1970 (of Spark's old hybrid calendar, rebased).
pub(crate) fn date(text: &str) -> Option<i32> {
    if text.is_empty() {
        return None;
    }
    string_to_date(text)
        .or_else(|| string_to_date(&text.replace("GMT", "")))
        .or_else(|| {
            // Java's `Integer.parseInt`: a sign and digits, nothing else.
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            rebase_julian_to_gregorian_days(text.parse().ok()?)
        })
}

/// A `TIMESTAMP` from text as Spark's JSON reader takes it: a timestamp, else the same text
/// without any `GMT`.
fn timestamp(text: &str, zone: &SessionZone) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    string_to_timestamp(text, zone).or_else(|| string_to_timestamp(&text.replace("GMT", ""), zone))
}

/// Converts the object at `node` into one row of `members`' fields, matched by name exactly; a
/// field that does not fit is null and the outcome [`Outcome::Partial`]. Where a name comes
/// twice, the last value that fits is kept (any that does not marks the record), as Spark does.
pub(crate) fn convert_object(
    context: &mut Context<'_>,
    members: &mut Members,
    node: usize,
) -> Outcome {
    members.slots.fill(NO_SLOT);
    let mut repeated = false;
    let end = context.tape[node].next as usize;
    let mut name = node + 1;
    let mut guess = 0;
    while name < end {
        let value = name + 1;
        if let Some(field) = find_field(context, &members.names, name, guess) {
            if members.slots[field] != NO_SLOT {
                repeated = true;
            }
            members.slots[field] = value as u32;
            guess = field + 1;
        }
        name = context.tape[value].next as usize;
    }
    let mut outcome = Outcome::Done;
    for field in 0..members.fields.len() {
        let slot = members.slots[field];
        let column = &mut members.fields[field];
        let before = context.problem.is_some();
        let result = if slot == NO_SLOT {
            column.push_null();
            Outcome::Done
        } else if repeated {
            convert_repeated(context, column, &members.names[field], node, slot as usize)
        } else {
            let mark = column.len();
            let result = convert(context, column, slot as usize);
            if result == Outcome::Failed {
                column.truncate(mark);
                column.push_null();
            }
            result
        };
        match result {
            Outcome::Done => {}
            Outcome::Partial | Outcome::Failed => {
                context.locate(before, || {
                    String::from_utf8_lossy(&members.names[field]).into_owned()
                });
                outcome = Outcome::Partial;
            }
            Outcome::Record => return Outcome::Record,
        }
    }
    outcome
}

/// A field whose name may come several times in the object: the last value that fits is kept
/// (the earlier ones still converted, to find any that does not fit).
fn convert_repeated(
    context: &mut Context<'_>,
    column: &mut Column,
    name: &[u8],
    object: usize,
    last: usize,
) -> Outcome {
    let end = context.tape[object].next as usize;
    let mut occurrences = Vec::new();
    let mut at = object + 1;
    while at < end {
        if name_is(context, at, name) {
            occurrences.push(at + 1);
        }
        at = context.tape[at + 1].next as usize;
    }
    debug_assert_eq!(occurrences.last(), Some(&last));
    let mut malformed = false;
    let mut kept = None;
    // The last that fits, kept...
    while let Some(value) = occurrences.pop() {
        let mark = column.len();
        match convert(context, column, value) {
            Outcome::Done => {
                kept = Some(value);
                break;
            }
            Outcome::Partial => {
                malformed = true;
                kept = Some(value);
                break;
            }
            Outcome::Failed => {
                column.truncate(mark);
                malformed = true;
            }
            Outcome::Record => return Outcome::Record,
        }
    }
    if kept.is_none() {
        column.push_null();
    }
    // ...and the ones before it converted only to see whether they fit.
    let mark = column.len();
    for value in occurrences {
        match convert(context, column, value) {
            Outcome::Done => {}
            Outcome::Partial | Outcome::Failed => malformed = true,
            Outcome::Record => return Outcome::Record,
        }
        column.truncate(mark);
    }
    if malformed {
        Outcome::Partial
    } else {
        Outcome::Done
    }
}

/// The field that the name at `name_node` names (tried from `guess` on: records usually list
/// fields in the schema's order).
fn find_field(
    context: &mut Context<'_>,
    names: &[Box<[u8]>],
    name_node: usize,
    guess: usize,
) -> Option<usize> {
    let node = context.tape[name_node];
    let raw: &[u8] = if node.kind == Kind::String {
        &context.text[node.start as usize..node.end as usize]
    } else {
        context.decoded(name_node)
    };
    let count = names.len();
    (0..count)
        .map(|offset| (guess + offset) % count.max(1))
        .find(|&index| names[index].as_ref() == raw)
}

fn name_is(context: &mut Context<'_>, name_node: usize, name: &[u8]) -> bool {
    let node = context.tape[name_node];
    if node.kind == Kind::String {
        &context.text[node.start as usize..node.end as usize] == name
    } else {
        context.decoded(name_node) == name
    }
}
