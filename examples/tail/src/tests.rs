use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use datasource_py::arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use datasource_py::testing::StreamRun;
use datasource_py::{DataSource, RawOptions};

use super::*;

fn tail(dir: &Path, options: &[(&str, &str)]) -> Tail {
    let mut raw: RawOptions = options.iter().copied().collect();
    raw.insert("path", dir.to_str().unwrap());
    Tail::from_options(&raw).expect("valid options")
}

fn append(dir: &Path, file: &str, text: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(file))
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// (file, position, value) of every row.
fn rows(batches: &[RecordBatch]) -> Vec<(String, i64, String)> {
    let mut rows = Vec::new();
    for batch in batches {
        let value = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let file = batch
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let position = batch
            .column(2)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        for i in 0..batch.num_rows() {
            rows.push((
                file.value(i).to_owned(),
                position.value(i),
                value.value(i).to_owned(),
            ));
        }
    }
    rows
}

fn values(batches: &[RecordBatch]) -> Vec<String> {
    rows(batches)
        .into_iter()
        .map(|(_, _, value)| value)
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tail-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn appended_lines_and_new_files_arrive_once_and_partial_lines_wait() {
    let dir = temp_dir("append");
    append(&dir, "a.jsonl", "{\"n\":1}\n{\"n\":2}\r\n{\"n\":");
    let mut run = StreamRun::start(tail(&dir, &[])).unwrap();
    let first = run.next_batch().unwrap().expect("two complete lines");
    assert_eq!(
        rows(&first),
        [
            ("a.jsonl".into(), 0, "{\"n\":1}".into()),
            ("a.jsonl".into(), 8, "{\"n\":2}".into())
        ]
    );
    assert!(
        run.next_batch().unwrap().is_none(),
        "the partial line waits"
    );

    append(&dir, "a.jsonl", "3}\n");
    append(&dir, "b.jsonl", "{\"n\":4}\n");
    append(&dir, "_hidden.jsonl", "{\"n\":5}\n");
    append(&dir, "c.txt", "{\"n\":6}\n");
    let second = run
        .next_batch()
        .unwrap()
        .expect("the completed line and a new file");
    assert_eq!(values(&second), ["{\"n\":3}", "{\"n\":4}"]);
    assert_eq!(
        run.offset().files,
        BTreeMap::from([("a.jsonl".into(), 25), ("b.jsonl".into(), 8)])
    );
    assert!(run.next_batch().unwrap().is_none());
}

#[test]
fn a_row_limit_caps_every_micro_batch() {
    let dir = temp_dir("limit");
    for file in ["a.jsonl", "b.jsonl"] {
        let text: String = (0..25).map(|i| format!("{file}-{i}\n")).collect();
        append(&dir, file, &text);
    }
    let mut run = StreamRun::start(tail(&dir, &[("maxRowsPerTrigger", "7")])).unwrap();
    let mut seen = Vec::new();
    while let Some(batch) = run.next_batch().unwrap() {
        let batch = values(&batch);
        assert!(!batch.is_empty() && batch.len() <= 7, "{batch:?}");
        seen.extend(batch);
    }
    let expected: Vec<String> = ["a.jsonl", "b.jsonl"]
        .iter()
        .flat_map(|file| (0..25).map(move |i| format!("{file}-{i}")))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn small_partitions_split_files_between_lines_exactly() {
    let dir = temp_dir("split");
    let text: String = (0..300)
        .map(|i| format!("line {i} {}\n", "x".repeat(i % 17)))
        .collect();
    append(&dir, "a.jsonl", &text);
    append(&dir, "b.jsonl", "short\n");
    let source = tail(&dir, &[("maxPartitionBytes", "100")]);
    let end = source
        .latest_offset(&Positions::default(), ReadLimit::AllAvailable, None)
        .unwrap();
    let scan = Scan::new(source.schema().unwrap());
    let partitions = source
        .partitions(&scan, &Positions::default(), &end)
        .unwrap();
    assert!(partitions.len() > 30, "{} partitions", partitions.len());
    let run = StreamRun::start(source).unwrap();
    let lines = values(&run.replay(&Positions::default(), &end).unwrap());
    let mut expected: Vec<String> = text.lines().map(str::to_owned).collect();
    expected.push("short".into());
    assert_eq!(lines, expected);
}

#[test]
fn a_micro_batch_is_split_into_min_partitions_of_at_least_a_mebibyte() {
    let dir = temp_dir("min-partitions");
    let line = format!("{}\n", "x".repeat(1023));
    append(&dir, "a.jsonl", &line.repeat(6 * 1024)); // 6 MiB
    append(&dir, "b.jsonl", &line.repeat(100));
    let source = tail(&dir, &[("minPartitions", "3")]);
    let end = source
        .latest_offset(&Positions::default(), ReadLimit::AllAvailable, None)
        .unwrap();
    let scan = Scan::new(source.schema().unwrap());
    let planned = source
        .partitions(&scan, &Positions::default(), &end)
        .unwrap();
    assert_eq!(planned.len(), 3, "{planned:?}");
    let tiny = tail(&dir, &[("minPartitions", "100")]);
    let planned = tiny.partitions(&scan, &Positions::default(), &end).unwrap();
    assert_eq!(planned.len(), 7, "1 MiB each at least: {planned:?}");
}

#[test]
fn available_now_reads_what_existed_and_stops() {
    let dir = temp_dir("available-now");
    append(&dir, "a.jsonl", "1\n2\n3\n");
    let mut run = StreamRun::start(tail(&dir, &[("maxRowsPerTrigger", "2")])).unwrap();
    run.available_now().unwrap();
    append(&dir, "a.jsonl", "4\n");
    append(&dir, "b.jsonl", "5\n");
    let mut seen = Vec::new();
    while let Some(batch) = run.next_batch().unwrap() {
        seen.extend(values(&batch));
    }
    assert_eq!(seen, ["1", "2", "3"]);
}

#[test]
fn a_file_that_shrank_is_an_error_naming_it() {
    let dir = temp_dir("shrink");
    append(&dir, "a.jsonl", "1\n2\n");
    let mut run = StreamRun::start(tail(&dir, &[])).unwrap();
    run.next_batch().unwrap();
    std::fs::write(dir.join("a.jsonl"), "1\n").unwrap();
    let error = run.next_batch().unwrap_err().to_string();
    assert!(
        error.contains("a.jsonl` has 2 bytes, fewer than the 4 already read"),
        "{error}"
    );
}

#[test]
fn min_rows_waits_for_enough_lines() {
    let dir = temp_dir("min-rows");
    append(&dir, "a.jsonl", "1\n2\n");
    let mut run = StreamRun::start(tail(&dir, &[])).unwrap();
    assert!(
        run.next_batch_within(ReadLimit::MinRows(3))
            .unwrap()
            .is_none()
    );
    append(&dir, "a.jsonl", "3\n");
    let batch = run
        .next_batch_within(ReadLimit::MinRows(3))
        .unwrap()
        .unwrap();
    assert_eq!(values(&batch), ["1", "2", "3"]);
}

#[test]
fn readme_lists_the_options() {
    let readme = include_str!("../README.md");
    let table = Tail::options_markdown();
    assert!(readme.contains(&table), "README.md is missing:\n{table}");
}

#[test]
fn with_a_users_schema_lines_are_json_records_and_a_bad_one_is_located() {
    use datasource_py::arrow_array::cast::AsArray;
    use datasource_py::arrow_array::types::Int64Type;
    use datasource_py::arrow_schema::{DataType, Field, Schema};
    use datasource_py::datetime::SessionZone;
    use datasource_py::json::ParseMode;

    let dir = temp_dir("json");
    append(
        &dir,
        "a.jsonl",
        "\u{feff}{\"id\": 1, \"name\": \"x\"}\n\n{\"id\": 2}\r{\"id\": 3}\r\n",
    );
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("_corrupt_record", DataType::Utf8, true),
    ]));
    let fail_fast = lines::JsonRecords {
        schema: schema.clone(),
        mode: ParseMode::FailFast,
        zone: SessionZone::of_session(Some("UTC")).unwrap(),
    };
    let stretch = |end| Stretch {
        file: "a.jsonl".into(),
        start: 0,
        end,
    };
    let read = |end, json: &lines::JsonRecords| {
        lines::LineBatches::open(&dir, stretch(end), Some(json)).unwrap()
    };
    let end = std::fs::metadata(dir.join("a.jsonl")).unwrap().len();
    let batches: Vec<RecordBatch> = read(end, &fail_fast).collect::<Result<_>>().unwrap();
    let ids: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    // The byte-order mark is skipped, a blank line is no record, a lone \r ends one.
    assert_eq!(ids, [1, 2, 3]);
    assert!(batches[0].column(1).is_null(1));

    append(
        &dir,
        "a.jsonl",
        "{\"id\": 4}\n{\"id\": \"five\", \"name\": \"v\"}\n",
    );
    let end = std::fs::metadata(dir.join("a.jsonl")).unwrap().len();
    let error = read(end, &fail_fast)
        .find_map(Result::err)
        .expect("a record of the wrong type");
    let message = format!("{error:#}");
    assert!(
        message.contains(
            "a.jsonl`, line 5 (byte 58): column `id`: got `\"five\"`, expected an \
                          integer of BIGINT's range. Set the option `mode` to `PERMISSIVE`"
        ),
        "{message}"
    );
    // PERMISSIVE keeps the line, its text in _corrupt_record; DROPMALFORMED skips it.
    let permissive = lines::JsonRecords {
        mode: ParseMode::permissive(),
        ..fail_fast.clone()
    };
    let batches: Vec<RecordBatch> = read(end, &permissive).collect::<Result<_>>().unwrap();
    let last = batches.last().unwrap();
    let row = last.num_rows() - 1;
    assert!(last.column(0).is_null(row));
    assert_eq!(last.column(1).as_string::<i32>().value(row), "v");
    assert_eq!(
        last.column(2).as_string::<i32>().value(row),
        "{\"id\": \"five\", \"name\": \"v\"}"
    );
    let dropping = lines::JsonRecords {
        mode: ParseMode::DropMalformed,
        ..fail_fast
    };
    let kept: usize = read(end, &dropping).map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(kept, 4);
}

fn positions(entries: &[(&str, u64)]) -> Positions {
    Positions {
        files: entries.iter().map(|(f, at)| (f.to_string(), *at)).collect(),
    }
}

/// An offset is data from Spark's checkpoint: whatever it names outside the directory, or
/// however it moves back, it is refused naming the entry, and nothing outside is read.
#[test]
fn an_edited_checkpoint_cannot_steer_reads_outside_or_backwards() {
    let root = temp_dir("edited");
    let dir = root.join("events");
    std::fs::create_dir_all(&dir).unwrap();
    append(&root, "outside.txt", "secret\n");
    append(&dir, "a.jsonl", "1\n2\n3\n");
    let absolute = root.join("outside.txt");
    let hostile = [
        "../outside.txt",
        "/etc/hostname",
        absolute.to_str().unwrap(),
        "sub/../../outside.txt",
        "..",
        "",
        "\0hex:2e2e2f6f7574736964652e747874",
        "_staging",
    ];
    for key in hostile {
        let source = tail(&dir, &[]);
        let start = positions(&[(key, 0)]);
        let error = StreamRun::resume(source, &start)
            .and_then(|mut run| run.next_batch())
            .unwrap_err()
            .to_string();
        assert!(error.contains("which is not a file of"), "{key:?}: {error}");
        let source = tail(&dir, &[]);
        let end = positions(&[(key, 7)]);
        let error = source
            .partitions(&Scan::new(Line::schema()), &Positions::default(), &end)
            .unwrap_err()
            .to_string();
        assert!(error.contains("which is not a file of"), "{key:?}: {error}");
    }
    // Backwards within a micro-batch, and behind what this query committed.
    let source = tail(&dir, &[]);
    let error = source
        .partitions(
            &Scan::new(Line::schema()),
            &positions(&[("a.jsonl", 4)]),
            &positions(&[("a.jsonl", 2)]),
        )
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("ends `a.jsonl` at byte 2, before its start at byte 4"),
        "{error}"
    );
    let source = Arc::new(tail(&dir, &[]));
    let mut run = StreamRun::<Tail>::start(source.clone()).unwrap();
    run.next_batch().unwrap().expect("three lines");
    let error = source
        .latest_offset(&positions(&[("a.jsonl", 2)]), ReadLimit::AllAvailable, None)
        .unwrap_err()
        .to_string();
    assert!(
        error
            .contains("puts `a.jsonl` at byte 2, before byte 6 where this query already committed"),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn a_name_that_is_not_utf8_is_read_and_links_out_of_the_directory_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let root = temp_dir("names");
    let dir = root.join("events");
    std::fs::create_dir_all(&dir).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.jsonl");
    std::fs::write(dir.join(odd), "x\ny\n").unwrap();
    append(&dir, "b.jsonl", "z\n");
    std::os::unix::fs::symlink(dir.join("b.jsonl"), dir.join("c.jsonl")).unwrap();
    let mut run = StreamRun::start(tail(&dir, &[])).unwrap();
    let batch = run.next_batch().unwrap().expect("lines");
    let mut seen: Vec<(String, String)> = rows(&batch)
        .into_iter()
        .map(|(file, _, value)| (file, value))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("b.jsonl".into(), "z".into()),
            ("c.jsonl".into(), "z".into()),
            ("caf\u{fffd}.jsonl".into(), "x".into()),
            ("caf\u{fffd}.jsonl".into(), "y".into()),
        ]
    );
    // A restarted query finds the odd name in its offset again.
    let mut again = StreamRun::resume(tail(&dir, &[]), run.offset()).unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(odd))
        .unwrap()
        .write_all(b"w\n")
        .unwrap();
    assert_eq!(values(&again.next_batch().unwrap().unwrap()), ["w"]);

    append(&root, "secret.jsonl", "s\n");
    std::os::unix::fs::symlink(root.join("secret.jsonl"), dir.join("d.jsonl")).unwrap();
    let error = again.next_batch().unwrap_err().to_string();
    assert!(
        error.contains("d.jsonl` leads to") && error.contains("outside"),
        "{error}"
    );
}

#[test]
fn lines_across_the_read_buffer_and_longer_than_it_are_read_whole() {
    use datasource_py::arrow_array::cast::AsArray;
    use datasource_py::arrow_schema::{DataType, Field, Schema};
    use datasource_py::datetime::SessionZone;
    use datasource_py::json::ParseMode;

    // Lines of many lengths, so that some straddle each 1 MiB refill of the reader's buffer,
    // and one longer than the buffer; a CRLF line among them.
    let dir = temp_dir("buffer-edges");
    let labels: Vec<String> = (0..40_000)
        .map(|i| match i {
            20_000 => "y".repeat(3 << 19), // 1.5 MiB
            _ => "x".repeat(i % 97),
        })
        .collect();
    let text: String = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let end = if i == 7 { "\r\n" } else { "\n" };
            format!("{{\"id\": {i}, \"label\": \"{label}\"}}{end}")
        })
        .collect();
    append(&dir, "a.jsonl", &text);
    let end = text.len() as u64;
    let stretch = Stretch {
        file: "a.jsonl".into(),
        start: 0,
        end,
    };

    let lines: Vec<RecordBatch> = lines::LineBatches::open(&dir, stretch.clone(), None)
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    let mut expected = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let value = line.trim_end_matches('\n').trim_end_matches('\r');
        expected.push(("a.jsonl".to_owned(), at, value.to_owned()));
        at += line.len() as i64;
    }
    assert!(rows(&lines) == expected, "lines or positions differ");

    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("label", DataType::Utf8, true),
    ]));
    let json = lines::JsonRecords {
        schema,
        mode: ParseMode::FailFast,
        zone: SessionZone::of_session(Some("UTC")).unwrap(),
    };
    let records: Vec<RecordBatch> = lines::LineBatches::open(&dir, stretch, Some(&json))
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    let read: Vec<String> = records
        .iter()
        .flat_map(|batch| {
            let column = batch.column(1).as_string::<i32>();
            (0..batch.num_rows())
                .map(|i| column.value(i).to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(read == labels, "records differ");
}
