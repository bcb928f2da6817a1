use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::Int64Array;

use super::*;
use crate::Stopped;

fn batch(start: i64) -> RecordBatch {
    let ids = Int64Array::from_iter_values(start..start + 2);
    RecordBatch::try_from_iter([("id", Arc::new(ids) as _)]).unwrap()
}

#[test]
fn a_producers_error_ends_the_batches_after_those_it_sent() {
    let mut batches = Batches::from_producer(|out| {
        out.send(batch(0))?;
        crate::bail!("the cursor broke")
    });
    assert_eq!(batches.next().unwrap().unwrap().num_rows(), 2);
    let error = batches.next().unwrap().unwrap_err();
    assert_eq!(error.to_string(), "the cursor broke");
    assert!(batches.next().is_none());
}

#[test]
fn a_producers_panic_is_an_error() {
    let mut batches = Batches::from_producer(|_| panic!("bad row"));
    let error = batches.next().unwrap().unwrap_err();
    assert_eq!(error.to_string(), "panicked: bad row");
}

#[test]
fn a_producer_stops_when_spark_stops_reading() {
    static SENT: AtomicUsize = AtomicUsize::new(0);
    let (done, finished) = std::sync::mpsc::channel();
    let mut batches = Batches::from_producer(move |out| {
        let outcome = (0..1000).try_for_each(|n| {
            out.send(batch(n))?;
            SENT.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Stopped>(())
        });
        done.send(outcome.is_err()).unwrap();
        Ok(outcome?)
    });
    batches.next().unwrap().unwrap();
    drop(batches);
    assert!(
        finished.recv().unwrap(),
        "the producer saw that Spark stopped"
    );
    // At most one batch ahead of the one read, plus the one it was sending.
    assert!(SENT.load(Ordering::SeqCst) <= 3);
}

#[test]
fn flattened_parts_are_read_in_turn_and_a_part_that_fails_to_open_ends_them() {
    let parts = (0..4).map(|part| {
        if part == 2 {
            crate::bail!("part 2 is gone")
        }
        Ok(vec![Ok(batch(part * 10)), Ok(batch(part * 10 + 2))])
    });
    let read: Vec<_> = Batches::try_flatten(parts).collect();
    assert_eq!(read.len(), 5, "two parts of two batches, then the error");
    assert!(read[..4].iter().all(Result::is_ok));
    assert_eq!(read[4].as_ref().unwrap_err().to_string(), "part 2 is gone");
}

#[test]
fn an_error_inside_a_part_ends_the_flattened_batches() {
    let parts = (0..3).map(|part| {
        Ok(vec![
            Ok(batch(part)),
            Err(crate::format_err!("bad batch in part {part}")),
        ])
    });
    let read: Vec<_> = Batches::try_flatten(parts).collect();
    assert_eq!(read.len(), 2);
    assert_eq!(
        read[1].as_ref().unwrap_err().to_string(),
        "bad batch in part 0"
    );
}

#[test]
fn batches_of_rows_know_their_schema_before_the_first_batch() {
    #[derive(datasource_macros::Row)]
    #[spark(crate = "crate")]
    struct Labelled {
        id: i64,
        label: String,
    }
    let batches = Batches::from_rows((0..3).map(|id| Labelled {
        id,
        label: id.to_string(),
    }));
    assert_eq!(batches.schema(), Some(&Labelled::schema()));
    let filtered = batches.filtered(vec![crate::Filter::IsNotNull {
        column: crate::ColumnPath::new("id"),
    }]);
    assert_eq!(filtered.schema(), Some(&Labelled::schema()));
    assert_eq!(Batches::empty().schema(), None);
}
