use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arrow_array::{Int64Array, RecordBatch};
use futures_util::{StreamExt, TryStreamExt, stream};

use super::runtime;
use crate::{Batches, Result, format_err};

fn batch(values: std::ops::Range<i64>) -> Result<RecordBatch> {
    let ids = Int64Array::from_iter_values(values);
    Ok(RecordBatch::try_from_iter([("id", Arc::new(ids) as _)])?)
}

#[test]
fn a_stream_is_read_in_order_and_its_error_ends_it() {
    let items = stream::iter(0..4).then(|page| async move {
        tokio::time::sleep(Duration::from_millis(1)).await;
        if page == 2 {
            Err(format_err!("page {page} refused"))
        } else {
            batch(page * 10..page * 10 + 3)
        }
    });
    let got: Vec<_> = Batches::from_stream(items).collect();
    assert_eq!(got.len(), 3, "two batches, then the error, then nothing");
    assert_eq!(got[1].as_ref().unwrap().num_rows(), 3);
    assert_eq!(got[2].as_ref().unwrap_err().to_string(), "page 2 refused");
}

#[test]
fn a_panic_inside_a_stream_is_the_partition_s_error() {
    let items = stream::iter(0..3).then(|page| async move {
        assert!(page < 1, "page {page} is beyond the end");
        batch(0..1)
    });
    let got: Vec<_> = Batches::from_stream(items).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[1].as_ref().unwrap_err().to_string(),
        "panicked: page 1 is beyond the end"
    );
}

#[test]
fn a_stream_runs_at_most_one_batch_ahead_and_stops_when_dropped() {
    let made = Arc::new(AtomicUsize::new(0));
    let counted = made.clone();
    let items = stream::iter(0..1000).then(move |page| {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            batch(page..page + 1)
        }
    });
    let mut batches = Batches::from_stream(items);
    assert!(batches.next().unwrap().is_ok());
    std::thread::sleep(Duration::from_millis(50));
    // The one taken, one in the channel, one waiting to be sent.
    let ahead = made.load(Ordering::SeqCst);
    assert!(ahead <= 3, "{ahead} batches made for one read");
    drop(batches);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        made.load(Ordering::SeqCst),
        ahead,
        "made after Spark stopped"
    );
}

#[test]
fn a_writer_s_batches_are_an_async_stream_with_their_schema() {
    let first = batch(0..2).unwrap();
    let schema = first.schema();
    let batches =
        Batches::from_record_batches(vec![Ok(first), batch(2..5)]).with_schema(schema.clone());
    let stream = batches.into_stream();
    assert_eq!(stream.schema(), Some(&schema));
    let rows = runtime::block_on(stream.map_ok(|b| b.num_rows()).try_collect::<Vec<_>>());
    assert_eq!(rows.unwrap(), [2, 3]);

    let panicking = Batches::from_record_batches(std::iter::from_fn(|| -> Option<Result<_>> {
        panic!("Spark's side broke")
    }));
    let got = runtime::block_on(panicking.into_stream().collect::<Vec<_>>());
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].as_ref().unwrap_err().to_string(),
        "panicked: Spark's side broke"
    );
}

#[test]
fn block_on_works_from_sync_code_and_from_inside_async_code() {
    let answer = runtime::block_on(async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        // A sync helper called from async code (a library's blocking call into the SDK).
        runtime::block_on(async { 41 }) + 1
    });
    assert_eq!(answer, 42);
    let spawned = runtime::block_on(runtime::handle().spawn(async { 7 })).unwrap();
    assert_eq!(spawned, 7);
}
