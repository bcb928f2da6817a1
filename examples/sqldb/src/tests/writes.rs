//! SQLite writes driven task by task, as Spark's workers and driver drive them: an abort
//! leaves no staging table whatever its tasks are doing, an abandoned write's leftovers expire,
//! and data of every type Spark writes is stored or refused at `save()` by its name.

use std::sync::mpsc;
use std::time::Duration;

use datasource_py::arrow_array::{ArrayRef, Int8Array};
use datasource_py::{BatchWriter, Task, WriteJob};

use super::*;
use crate::write::Prepared;

/// A write of `batch`'s columns, planned as the driver plans it (the table made there).
fn job(sink: &SqlDb, id: &str, batch: &RecordBatch) -> WriteJob<Prepared> {
    let job = WriteJob::new(id, batch.schema(), false);
    let plan = BatchWriter::plan(sink, &job).unwrap();
    job.with_plan(plan)
}

fn task(id: u64) -> Task {
    Task::new(u32::try_from(id).unwrap())
}

fn staging_tables(path: &Path) -> Vec<String> {
    tables(path)
        .into_iter()
        .filter(|name| name.starts_with("spark_stage_"))
        .collect()
}

#[test]
fn a_task_that_stages_after_the_abort_keeps_nothing() {
    let path = database("");
    let sink = Arc::new(source(&path, &[("table", "out")]));
    let batch = rows(&[1, 2], &["a", "b"]);
    let job = job(&sink, "write-after-abort", &batch);
    // The plan made the table, empty, before any task: tasks never race to make it.
    assert!(job.plan().created);
    assert_eq!(table_ids(&path, "out"), []);
    assert!(
        !BatchWriter::plan(sink.as_ref(), &job.unplanned())
            .unwrap()
            .created
    );
    let staged = sink
        .clone()
        .write(
            &job,
            &task(1),
            Batches::from_record_batches([Ok(batch.clone())]),
        )
        .unwrap();
    sink.abort(&job, vec![Some(staged), None]).unwrap();
    // The abort marker stays: a late task of the write is refused.
    assert_eq!(staging_tables(&path).len(), 1, "{:?}", tables(&path));
    let late = sink
        .clone()
        .write(&job, &task(2), Batches::from_record_batches([Ok(batch)]))
        .unwrap_err();
    assert!(
        format!("{late:#}").contains("the write was aborted"),
        "{late:#}"
    );
    let left = staging_tables(&path);
    assert!(left.len() == 1 && left[0].ends_with("_aborted"), "{left:?}");
}

#[test]
fn an_abort_waits_for_a_task_staging_and_drops_its_table() {
    let path = database("");
    let sink = Arc::new(source(&path, &[("table", "out")]));
    let batch = rows(&[1, 2], &["a", "b"]);
    let job = job(&sink, "abort-in-flight", &batch);
    // The task's batches arrive when the test sends them: it is mid-transaction meanwhile.
    let (send, receive) = mpsc::channel::<RecordBatch>();
    let (begun, started) = mpsc::channel::<()>();
    let writer = {
        let (sink, job) = (sink.clone(), job.clone());
        std::thread::spawn(move || {
            let batches = receive.into_iter().map(move |batch| {
                let _ = begun.send(());
                Ok(batch)
            });
            sink.write(&job, &task(1), Batches::from_record_batches(batches))
        })
    };
    send.send(batch.clone()).unwrap();
    started.recv().unwrap();
    let aborting = {
        let (sink, job) = (sink.clone(), job.clone());
        std::thread::spawn(move || sink.abort(&job, vec![None, None]))
    };
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !aborting.is_finished(),
        "the abort did not wait for the task"
    );
    send.send(batch).unwrap();
    drop(send);
    let staged = writer.join().unwrap().unwrap();
    assert_eq!(staged.rows, 4);
    aborting.join().unwrap().unwrap();
    let left = staging_tables(&path);
    assert!(left.len() == 1 && left[0].ends_with("_aborted"), "{left:?}");
}

#[test]
fn an_abandoned_writes_staging_expires_and_a_recent_ones_stays() {
    let path = database("");
    let sink = |expiry: &str| {
        Arc::new(source(
            &path,
            &[("table", "out"), ("stagingExpiry", expiry)],
        ))
    };
    let batch = rows(&[1], &["a"]);
    // Two writes whose jobs died after a task staged: nobody commits or aborts them.
    let old = job(&sink("1d"), "abandoned-long-ago", &batch);
    sink("1d")
        .write(
            &old,
            &task(1),
            Batches::from_record_batches([Ok(batch.clone())]),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(3100));
    let recent = job(&sink("1d"), "abandoned-just-now", &batch);
    sink("1d")
        .write(
            &recent,
            &task(1),
            Batches::from_record_batches([Ok(batch.clone())]),
        )
        .unwrap();
    assert_eq!(staging_tables(&path).len(), 2);
    // A later write, with a 2-second expiry: the old leftover goes, the recent one stays.
    write_all::<SqlDb>(sink("2s"), batch.schema(), vec![vec![batch.clone()]], false).unwrap();
    let left = staging_tables(&path);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(table_ids(&path, "out"), [Some(1)]);
    // With the default expiry (a day), nothing of the recent one is dropped.
    write_all::<SqlDb>(sink("1d"), batch.schema(), vec![vec![batch]], false).unwrap();
    assert_eq!(staging_tables(&path), left);
}

#[test]
fn a_tinyint_column_is_written_as_a_smallint_and_read_back() {
    let path = database("");
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("tiny", DataType::Int8, true),
        ])),
        vec![
            Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef,
            Arc::new(Int8Array::from(vec![Some(-128), None, Some(127)])),
        ],
    )
    .unwrap();
    for _ in 0..2 {
        // A new table, then the existing one.
        write_all(
            source(&path, &[("table", "tiny")]),
            batch.schema(),
            vec![vec![batch.clone()]],
            false,
        )
        .unwrap();
    }
    let read = read_all(source(
        &path,
        &[("query", "SELECT tiny FROM tiny ORDER BY id")],
    ))
    .unwrap();
    let values: Vec<Option<i64>> = read
        .iter()
        .flat_map(|batch| {
            let column = batch.column(0).as_primitive::<Int64Type>();
            (0..column.len())
                .map(|row| column.is_valid(row).then(|| column.value(row)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        values,
        [Some(-128), Some(-128), None, None, Some(127), Some(127)]
    );
}

#[test]
fn columns_no_table_takes_are_refused_at_save_by_name() {
    let path = database("");
    let sink = source(&path, &[("table", "out")]);
    let incoming = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
            true,
        ),
        Field::new(
            "gap",
            DataType::Duration(datasource_py::arrow_schema::TimeUnit::Microsecond),
            true,
        ),
    ]));
    let error = sink.accepts(&incoming).unwrap_err().to_string();
    assert!(
        error.contains("`tags`") && error.contains("`gap`"),
        "{error}"
    );
    assert!(!error.contains("`id`"), "{error}");
}

#[test]
fn names_postgres_would_cut_are_refused_before_connecting() {
    // Nothing listens there: the names are refused first.
    let mut raw = RawOptions::new();
    raw.insert("url", "postgresql://127.0.0.1:9/db");
    raw.insert("table", "t".repeat(64));
    let long_table = SqlDb::from_options(&raw).unwrap();
    let error = long_table
        .accepts(&rows(&[1], &["a"]).schema())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("`table` `{}` is 64 bytes long", "t".repeat(64))),
        "{error}"
    );
    assert!(
        long_table
            .schema()
            .unwrap_err()
            .to_string()
            .contains("is 64 bytes long")
    );

    raw.insert("table", "t");
    let sink = SqlDb::from_options(&raw).unwrap();
    let long = format!("{}é", "c".repeat(62));
    let incoming = Arc::new(Schema::new(vec![Field::new(&long, DataType::Int64, true)]));
    let error = sink.accepts(&incoming).unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("column `{long}` is 64 bytes long")),
        "{error}"
    );
}
