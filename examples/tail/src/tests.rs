use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use datasource_py::arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use datasource_py::{DataSource, RawOptions, StreamRun};

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

    let dir = temp_dir("json");
    append(
        &dir,
        "a.jsonl",
        "{\"id\": 1, \"name\": \"x\"}\n\n{\"id\": 2}\n",
    );
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("name", DataType::Utf8, true),
    ]));
    let stretch = |end| Stretch {
        file: "a.jsonl".into(),
        start: 0,
        end,
    };
    let end = std::fs::metadata(dir.join("a.jsonl")).unwrap().len();
    let batches: Vec<RecordBatch> =
        lines::LineBatches::open(&dir, stretch(end), Some(schema.clone()))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
    let ids: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(ids, [1, 2]);
    assert!(batches[0].column(1).is_null(1));

    append(&dir, "a.jsonl", "{\"id\": \"three\"}\n");
    let end = std::fs::metadata(dir.join("a.jsonl")).unwrap().len();
    let error = lines::LineBatches::open(&dir, stretch(end), Some(schema))
        .unwrap()
        .find_map(Result::err)
        .expect("a record of the wrong type");
    let message = format!("{error:#}");
    assert!(message.contains("a.jsonl"), "{message}");
    assert!(message.contains("id"), "{message}");
}
