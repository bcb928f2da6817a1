use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, Schema};
use chrono::{DateTime, Datelike, Timelike, Utc};

use super::*;
use crate::batches::Batches;
use crate::datetime::{format_date, zone_id};

/// Spark's own answers: every case of `spark_answers.json` was read by Spark's JSON reader
/// (PySpark 4.3.0 and 4.0.5 gave the same) with the schema `k INT, v <type>, _corrupt_record
/// STRING`, in a UTC and an America/New_York session; `tests/spark-answers/json_oracle.py`
/// makes the file again.
#[derive(serde::Deserialize)]
struct Answers {
    types: Vec<TypeAnswers>,
}

#[derive(serde::Deserialize)]
struct TypeAnswers {
    #[serde(rename = "type")]
    ddl: String,
    /// line, then (k, v as rendered, corrupt) in UTC and in New York.
    cases: Vec<(String, Answer, Answer)>,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Answer(Option<i64>, Option<String>, bool);

fn schema(ddl: &str) -> SchemaRef {
    let mut text = ddl;
    let fields = ddl_fields(&mut text, None);
    assert!(text.trim().is_empty(), "{ddl}: {text}");
    Arc::new(Schema::new(fields))
}

/// A small reader of Spark's DDL (the types these tests name), into Spark's Arrow types.
fn ddl_fields(text: &mut &str, close: Option<char>) -> Vec<Field> {
    let mut fields = Vec::new();
    loop {
        *text = text.trim_start();
        if let Some(c) = close
            && text.starts_with(c)
        {
            *text = &text[1..];
            return fields;
        }
        if text.is_empty() {
            return fields;
        }
        let end = text.find([' ', ':']).unwrap();
        let name = &text[..end];
        *text = text[end..]
            .trim_start()
            .trim_start_matches(':')
            .trim_start();
        fields.push(Field::new(name, ddl_type(text), true));
        *text = text.trim_start().trim_start_matches(',');
    }
}

fn ddl_type(text: &mut &str) -> DataType {
    let end = text
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(text.len());
    let word = text[..end].to_ascii_uppercase();
    *text = &text[end..];
    match word.as_str() {
        "BOOLEAN" => DataType::Boolean,
        "TINYINT" => DataType::Int8,
        "SMALLINT" => DataType::Int16,
        "INT" => DataType::Int32,
        "BIGINT" => DataType::Int64,
        "FLOAT" => DataType::Float32,
        "DOUBLE" => DataType::Float64,
        "STRING" => DataType::Utf8,
        "BINARY" => DataType::Binary,
        "DATE" => DataType::Date32,
        "TIMESTAMP" => DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into())),
        "TIMESTAMP_NTZ" => DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, None),
        "DECIMAL" => {
            let close = text.find(')').unwrap();
            let (p, s) = text[1..close].split_once(',').unwrap();
            *text = &text[close + 1..];
            DataType::Decimal128(p.trim().parse().unwrap(), s.trim().parse().unwrap())
        }
        "ARRAY" => {
            *text = &text[1..];
            let element = ddl_type(text);
            *text = text.trim_start()[1..].trim_start();
            DataType::List(Arc::new(Field::new("element", element, true)))
        }
        "MAP" => {
            *text = &text[1..];
            let key = ddl_type(text);
            *text = text.trim_start().trim_start_matches(',').trim_start();
            let value = ddl_type(text);
            *text = &text.trim_start()[1..];
            let entries = Field::new(
                "entries",
                DataType::Struct(
                    vec![
                        Field::new("key", key, false),
                        Field::new("value", value, true),
                    ]
                    .into(),
                ),
                false,
            );
            DataType::Map(Arc::new(entries), false)
        }
        "STRUCT" => {
            *text = &text[1..];
            DataType::Struct(ddl_fields(text, Some('>')).into())
        }
        other => panic!("no DDL type {other}"),
    }
}

#[test]
fn every_type_reads_as_spark_reads_it_in_two_sessions() {
    let answers: Answers = serde_json::from_str(include_str!("spark_answers.json")).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for group in &answers.types {
        let schema = schema(&format!("k INT, v {}, _corrupt_record STRING", group.ddl));
        for (session, pick) in [("UTC", 0), ("America/New_York", 1)] {
            let mut decoder = JsonDecoder::new(schema.clone())
                .unwrap()
                .with_mode(ParseMode::permissive())
                .unwrap()
                .with_session_zone(zone_id(session).unwrap());
            for (line, _, _) in &group.cases {
                decoder.decode_line(line.as_bytes()).unwrap();
            }
            let batch = decoder.flush().unwrap().unwrap();
            assert_eq!(batch.num_rows(), group.cases.len(), "{}", group.ddl);
            for (row, (line, in_utc, in_new_york)) in group.cases.iter().enumerate() {
                let expected = if pick == 0 { in_utc } else { in_new_york };
                let k = batch.column(0).as_primitive::<Int32Type>();
                let corrupt = batch.column(2).as_string::<i32>();
                let got = Answer(
                    (!k.is_null(row)).then(|| i64::from(k.value(row))),
                    render(batch.column(1), row, &group.ddl),
                    !corrupt.is_null(row),
                );
                checked += 1;
                if got.2 && corrupt.value(row) != line {
                    wrong.push(format!("{line}: corrupt text {:?}", corrupt.value(row)));
                }
                if !same(&got, expected, &group.ddl, line) {
                    wrong.push(format!(
                        "{} in {session}: {line}\n    Spark {expected:?}\n    ours  {got:?}",
                        group.ddl
                    ));
                }
            }
        }
    }
    assert!(checked > 1200, "{checked} cases");
    assert!(
        wrong.is_empty(),
        "{} of {checked} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Whether our answer is Spark's: floats by value (Java prints them its own way), a time of
/// day alone by its time (the date is the day the oracle ran).
fn same(got: &Answer, expected: &Answer, ddl: &str, line: &str) -> bool {
    if got.0 != expected.0 || got.2 != expected.2 {
        return false;
    }
    match (&got.1, &expected.1) {
        (Some(ours), Some(theirs)) if ddl == "FLOAT" || ddl == "DOUBLE" => {
            let parse = |text: &str| text.parse::<f64>().ok().map(f64::to_bits);
            parse(ours) == parse(theirs)
        }
        (Some(ours), Some(theirs)) if ["\"12:34", "\"T12:34"].iter().any(|t| line.contains(t)) => {
            ours.get(10..) == theirs.get(10..)
        }
        (ours, theirs) => ours == theirs,
    }
}

/// A value as the oracle shows it (`cast(v AS STRING)`, a timestamp's UTC instant, binary in
/// hex, nested values as `to_json` with nulls).
fn render(column: &ArrayRef, row: usize, ddl: &str) -> Option<String> {
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        DataType::Float32 => format!("{:?}", column.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => format!("{:?}", column.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 if ddl == "STRING" => {
            serde_json::to_string(column.as_string::<i32>().value(row)).unwrap()
        }
        DataType::Binary => {
            let bytes = column.as_binary::<i32>().value(row);
            let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            format!("0x{hex}")
        }
        DataType::Timestamp(_, Some(_)) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            match DateTime::<Utc>::from_timestamp_micros(micros) {
                Some(at) if (1..=9999).contains(&at.year()) => {
                    // As Python's `strftime` writes it: the year unpadded.
                    let mut text = format!("{}{}", at.year(), at.format("-%m-%dT%H:%M:%S"));
                    if at.nanosecond() > 0 {
                        let fraction = format!(".{:06}", at.nanosecond() / 1000);
                        text.push_str(fraction.trim_end_matches('0'));
                    }
                    text + "Z"
                }
                _ => format!("micros={micros}"),
            }
        }
        DataType::Timestamp(_, None) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            let Some(at) = DateTime::<Utc>::from_timestamp_micros(micros) else {
                return Some(format!("micros={micros}"));
            };
            let day = micros.div_euclid(86_400_000_000) as i32;
            let mut text = format!(
                "{} {:02}:{:02}:{:02}",
                format_date(day).unwrap_or_default(),
                at.hour(),
                at.minute(),
                at.second()
            );
            if at.nanosecond() > 0 {
                let fraction = format!(".{:06}", at.nanosecond() / 1000);
                text.push_str(fraction.trim_end_matches('0'));
            }
            text
        }
        _ if matches!(
            column.data_type(),
            DataType::List(_) | DataType::Map(..) | DataType::Struct(_)
        ) =>
        {
            let mut text = String::new();
            nested_json(column.as_ref(), row, &mut text);
            text
        }
        _ => scalar_text(column.as_ref(), row),
    })
}

fn scalar_text(column: &dyn Array, row: usize) -> String {
    match column.data_type() {
        DataType::Boolean => column.as_boolean().value(row).to_string(),
        DataType::Int8 => column.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => column.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Decimal128(_, scale) => {
            super::write::decimal_text(column.as_primitive::<Decimal128Type>().value(row), *scale)
        }
        DataType::Date32 => format_date(column.as_primitive::<Date32Type>().value(row)).unwrap(),
        DataType::Utf8 => column.as_string::<i32>().value(row).to_owned(),
        other => panic!("no rendering of {other}"),
    }
}

/// `to_json` of a nested value, nulls written.
fn nested_json(column: &dyn Array, row: usize, out: &mut String) {
    if column.is_null(row) {
        out.push_str("null");
        return;
    }
    match column.data_type() {
        DataType::List(_) => {
            let list = column.as_list::<i32>();
            let values = list.value(row);
            out.push('[');
            for i in 0..values.len() {
                if i > 0 {
                    out.push(',');
                }
                nested_json(values.as_ref(), i, out);
            }
            out.push(']');
        }
        DataType::Map(..) => {
            let map = column.as_map();
            let entries = map.value(row);
            out.push('{');
            for i in 0..entries.len() {
                if i > 0 {
                    out.push(',');
                }
                nested_json(entries.column(0).as_ref(), i, out);
                out.push(':');
                nested_json(entries.column(1).as_ref(), i, out);
            }
            out.push('}');
        }
        DataType::Struct(fields) => {
            let parent = column.as_struct();
            out.push('{');
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(field.name()).unwrap());
                out.push(':');
                nested_json(parent.column(i).as_ref(), row, out);
            }
            out.push('}');
        }
        DataType::Utf8 => {
            out.push_str(&serde_json::to_string(column.as_string::<i32>().value(row)).unwrap())
        }
        _ => out.push_str(&scalar_text(column, row)),
    }
}

/// The rows of `lines` read with `ddl` under `mode`, each as text (`None` for a null value).
fn read(ddl: &str, mode: ParseMode, lines: &[&str]) -> Result<Vec<Vec<Option<String>>>, String> {
    let mut decoder = JsonDecoder::new(schema(ddl))
        .unwrap()
        .with_mode(mode)
        .unwrap();
    for line in lines {
        decoder
            .decode_line(line.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let Some(batch) = decoder.flush().unwrap() else {
        return Ok(Vec::new());
    };
    Ok((0..batch.num_rows())
        .map(|row| {
            batch
                .columns()
                .iter()
                .map(|c| render(c, row, "STRING-AS-IS"))
                .collect()
        })
        .collect())
}

fn rows(table: &[&[Option<&str>]]) -> Vec<Vec<Option<String>>> {
    table
        .iter()
        .map(|row| row.iter().map(|v| v.map(str::to_owned)).collect())
        .collect()
}

/// Spark's record-level rules (§4.1 of the research): what a line makes, as rows of
/// `a INT, b STRING, _corrupt_record STRING`.
#[test]
fn records_become_rows_as_in_spark() {
    let ddl = "a INT, b STRING, _corrupt_record STRING";
    let cases: &[(&str, &[&[Option<&str>]])] = &[
        (r#"{"a":1,"b":"x"}"#, &[&[Some("1"), Some("x"), None]]),
        ("", &[]),
        ("   \t", &[]),
        (
            r#"[{"a":1},{"a":2,"b":"y"}]"#,
            &[&[Some("1"), None, None], &[Some("2"), Some("y"), None]],
        ),
        ("[]", &[]),
        ("[1,2]", &[&[None, None, Some("[1,2]")]]),
        (r#"[{"a":1},2]"#, &[&[None, None, Some(r#"[{"a":1},2]"#)]]),
        (
            r#"[{"a":1},null]"#,
            &[&[None, None, Some(r#"[{"a":1},null]"#)]],
        ),
        (
            r#"[{"a":1},{"a":"bad","b":"y"}]"#,
            &[
                &[Some("1"), None, Some(r#"[{"a":1},{"a":"bad","b":"y"}]"#)],
                &[None, Some("y"), Some(r#"[{"a":1},{"a":"bad","b":"y"}]"#)],
            ],
        ),
        ("7", &[&[None, None, Some("7")]]),
        ("null", &[&[None, None, Some("null")]]),
        (r#"{"a":1}{"a":2}"#, &[&[Some("1"), None, None]]),
        (r#"{"a":1} garbage"#, &[&[Some("1"), None, None]]),
        (r#"{"a":1"#, &[&[None, None, Some(r#"{"a":1"#)]]),
        (r#"{"zzz":1}"#, &[&[None, None, None]]),
        (
            r#"{"a":"bad","b":"x"}"#,
            &[&[None, Some("x"), Some(r#"{"a":"bad","b":"x"}"#)]],
        ),
        (
            r#"{"b":"x","a":"bad"}"#,
            &[&[None, Some("x"), Some(r#"{"b":"x","a":"bad"}"#)]],
        ),
        (r#"{"a":1,"a":2}"#, &[&[Some("2"), None, None]]),
        (
            r#"{"a":"bad","a":2}"#,
            &[&[Some("2"), None, Some(r#"{"a":"bad","a":2}"#)]],
        ),
        (
            r#"{"a":2,"a":"bad"}"#,
            &[&[Some("2"), None, Some(r#"{"a":2,"a":"bad"}"#)]],
        ),
        (r#"{"A":1,"B":"x"}"#, &[&[None, None, None]]),
        (
            r#"{"a":1,"_corrupt_record":"zzz"}"#,
            &[&[Some("1"), None, None]],
        ),
        (
            r#"{"a":1,"zzz":[01]}"#,
            &[&[None, None, Some(r#"{"a":1,"zzz":[01]}"#)]],
        ),
        (r#"{"a":1,"zzz":[NaN,'q']}"#, &[&[Some("1"), None, None]]),
        (
            "  {\"a\":\"bad\"}  ",
            &[&[None, None, Some("  {\"a\":\"bad\"}  ")]],
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(
            read(ddl, ParseMode::permissive(), &[line]),
            Ok(rows(expected)),
            "{line}"
        );
    }
}

/// Spark's modes (§4.5), on one file.
#[test]
fn the_three_modes_do_what_spark_does() {
    let lines = [
        r#"{"a":1,"b":"ok"}"#,
        r#"{"a":"bad","b":"field-error"}"#,
        r#"{"a":2,"b":"lexical""#,
        "",
        r#"[{"a":3},{"a":"bad"}]"#,
        "7",
        r#"{"a":4,"b":"ok2"}"#,
    ];
    let with = "a INT, b STRING, _corrupt_record STRING";
    assert_eq!(
        read(with, ParseMode::permissive(), &lines),
        Ok(rows(&[
            &[Some("1"), Some("ok"), None],
            &[None, Some("field-error"), Some(lines[1])],
            &[None, None, Some(lines[2])],
            &[Some("3"), None, Some(lines[4])],
            &[None, None, Some(lines[4])],
            &[None, None, Some("7")],
            &[Some("4"), Some("ok2"), None],
        ]))
    );
    // Without the corrupt-record column: the same rows, unflagged.
    assert_eq!(
        read("a INT, b STRING", ParseMode::permissive(), &lines).map(|r| r.len()),
        Ok(7)
    );
    let kept = rows(&[
        &[Some("1"), Some("ok"), None],
        &[Some("4"), Some("ok2"), None],
    ]);
    assert_eq!(read(with, ParseMode::DropMalformed, &lines), Ok(kept));
    let error = read(with, ParseMode::FailFast, &lines).unwrap_err();
    assert_eq!(
        error,
        "column `a`: got `\"bad\"`, expected an integer of INT's range"
    );
    assert_eq!(
        read(with, ParseMode::FailFast, &[lines[0], lines[3], lines[6]]).map(|r| r.len()),
        Ok(2)
    );
}

#[test]
fn a_failure_names_the_column_at_any_depth_and_what_was_expected() {
    let cases = [
        (
            "s STRUCT<x: INT, y: ARRAY<DATE>>",
            r#"{"s":{"x":1,"y":["2020-01-01","soon"]}}"#,
            "column `s.y[1]`: got `\"soon\"`, expected a date such as \"2024-01-31\"",
        ),
        (
            "m MAP<STRING, DOUBLE>",
            r#"{"m":{"p":1.5,"q":true}}"#,
            "column `m[\"q\"]`: got `true`, expected a number (or \"NaN\", \"Infinity\", \"-Infinity\")",
        ),
        (
            "t TIMESTAMP",
            r#"{"t":1.5e9}"#,
            "column `t`: got `1.5e9`, expected a timestamp such as \"2024-01-31T12:00:00Z\" or whole seconds since 1970",
        ),
        (
            "a INT",
            r#"{"a":1,}"#,
            "the record is not JSON as Spark reads it: a field name that is not quoted at \
             character 8",
        ),
        (
            "a INT",
            "[1]",
            "the record `[1]` is an array holding something other than objects",
        ),
        (
            "a INT",
            " 7 ",
            "the record `7` is not an object (or an array of objects)",
        ),
    ];
    for (ddl, line, expected) in cases {
        assert_eq!(
            read(ddl, ParseMode::FailFast, &[line]),
            Err(expected.to_owned()),
            "{line}"
        );
    }
}

#[test]
fn a_schema_json_cannot_hold_is_named() {
    let error = JsonDecoder::new(schema("m MAP<INT, STRING>"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("column `m.key`"), "{error}");
    let error = JsonDecoder::new(schema("a INT, _corrupt_record INT"))
        .unwrap()
        .with_mode(ParseMode::permissive())
        .unwrap_err()
        .to_string();
    assert!(error.contains("must be a nullable STRING"), "{error}");
}

#[test]
fn serialized_records_fill_the_schema_in_sized_batches() {
    #[derive(Serialize)]
    struct Record {
        id: i64,
        name: Option<String>,
        ignored: bool,
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
    ]));
    let records = (0..10).map(|id| {
        Ok(Record {
            id,
            name: (id % 2 == 0).then(|| format!("n{id}")),
            ignored: true,
        })
    });
    let batches: Vec<_> = Batches::from_serialized(schema.clone(), records, 4)
        .collect::<Result<_>>()
        .unwrap();
    let sizes: Vec<usize> = batches.iter().map(|b| b.num_rows()).collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(batches[2].column(0).as_primitive::<Int64Type>().value(1), 9);
    assert!(batches[0].column(1).is_null(1));
    assert_eq!(batches[0].schema(), schema);

    let records = vec![Ok(serde_json::json!({"id": "seven"}))];
    let error = Batches::from_serialized(schema, records, 4)
        .next()
        .unwrap()
        .unwrap_err();
    assert!(error.to_string().contains("column `id`"), "{error}");
}

#[test]
fn json_lines_decode_into_the_schema_and_name_a_bad_line() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
    ]));
    let text = "{\"id\": 1, \"name\": \"a\"}\r\n\n{\"id\": 2}\n".as_bytes();
    let batches: Vec<_> = Batches::from_json_lines(schema.clone(), text, 1)
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(batches.len(), 2);
    assert!(batches[1].column(1).is_null(0));
    let text = "{\"id\": 1}\n{\"id\": 1.5}\n".as_bytes();
    let error = Batches::from_json_lines(schema, text, 10)
        .find_map(Result::err)
        .unwrap();
    assert_eq!(
        error.to_string(),
        "line 2: column `id`: got `1.5`, expected an integer of BIGINT's range"
    );
}

#[test]
fn what_the_writer_writes_the_reader_reads_back_whatever_the_session() {
    let ddl = "b BOOLEAN, i TINYINT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(38, 18), s STRING, \
               bin BINARY, day DATE, at TIMESTAMP, wall TIMESTAMP_NTZ, tags ARRAY<DOUBLE>, \
               props MAP<STRING, INT>, nested STRUCT<x: INT, y: ARRAY<STRUCT<z: STRING>>>";
    let lines = [
        r#"{"b":true,"i":-128,"l":9223372036854775807,"f":0.1,"d":"NaN","m":-12345678901234567890.123456789012345678,"s":"a\"b\\c\u0001é\n","bin":"+/8=","day":"-0044-03-15","at":"2020-03-08T02:30:00.123456","wall":"+10000-01-01T00:00:00","tags":[1.5,null,"-Infinity"],"props":{"a":1,"b":null},"nested":{"x":1,"y":[{"z":null},{"z":"q"}]}}"#,
        r#"{"f":"Infinity","d":-0.0,"at":-62135596800,"tags":[],"props":{},"nested":{}}"#,
        "{}",
    ];
    for session in ["UTC", "America/New_York", "Asia/Kolkata"] {
        let zone = zone_id(session).unwrap();
        let decode = |lines: &mut dyn Iterator<Item = Vec<u8>>| {
            let mut decoder = JsonDecoder::new(schema(ddl))
                .unwrap()
                .with_session_zone(zone);
            for line in lines {
                decoder.decode_line(&line).unwrap();
            }
            decoder.flush().unwrap().unwrap()
        };
        let first = decode(&mut lines.iter().map(|l| l.as_bytes().to_vec()));
        let mut writer = JsonLinesWriter::new(Vec::new());
        writer.write(&first).unwrap();
        let written = writer.finish().unwrap();
        let again = decode(
            &mut written
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec),
        );
        assert_eq!(
            first,
            again,
            "in {session}:\n{}",
            String::from_utf8_lossy(&written)
        );
    }
}

/// The fast path of flat records ([`super::flat`]) may only ever be faster: every case of
/// Spark's answers, each cut short at every byte and each with every byte replaced by one of
/// the bytes that matter to JSON, decoded in one decoder with the fast path and in one without,
/// in every mode and in two sessions, gives the same outcome line by line (the same error
/// text) and the same batch.
#[test]
fn fast_path_changes_nothing() {
    let answers: Answers = serde_json::from_str(include_str!("spark_answers.json")).unwrap();
    let replacements: &[u8] = b"\"\\\t}{],:0-.eE x\x00\xc3\xff";
    let mut compared = 0;
    for group in &answers.types {
        let schema = schema(&format!("k INT, v {}, _corrupt_record STRING", group.ddl));
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for (line, _, _) in &group.cases {
            let line = line.as_bytes();
            lines.push(line.to_vec());
            for cut in 0..line.len() {
                lines.push(line[..cut].to_vec());
                for &byte in replacements {
                    let mut changed = line.to_vec();
                    changed[cut] = byte;
                    lines.push(changed);
                }
            }
        }
        let modes = [
            ParseMode::permissive(),
            ParseMode::DropMalformed,
            ParseMode::FailFast,
        ];
        for (mode, session) in modes.into_iter().zip(["UTC", "America/New_York", "UTC"]) {
            let decoder = |fast: bool| {
                let decoder = JsonDecoder::new(schema.clone())
                    .unwrap()
                    .with_mode(mode.clone())
                    .unwrap()
                    .with_session_zone(zone_id(session).unwrap());
                if fast {
                    decoder
                } else {
                    decoder.without_fast_path()
                }
            };
            let (mut fast, mut full) = (decoder(true), decoder(false));
            for line in &lines {
                let got = fast.decode_line(line).map_err(|e| e.to_string());
                let expected = full.decode_line(line).map_err(|e| e.to_string());
                assert_eq!(
                    got,
                    expected,
                    "{} {mode:?}: {}",
                    group.ddl,
                    String::from_utf8_lossy(line)
                );
                compared += 1;
            }
            assert_eq!(
                fast.flush().unwrap(),
                full.flush().unwrap(),
                "{} {mode:?}",
                group.ddl
            );
        }
    }
    assert!(compared > 100_000, "{compared} lines");
}
