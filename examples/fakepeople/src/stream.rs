//! `fakestream`: the people of `fakepeople` as a stream, read on the driver
//! ([`SimpleStreamReader`]): each trigger reads the next `rowsPerBatch` ids, and a micro-batch
//! Spark replays after a restart is rebuilt from its two offsets, row for row.

use std::ops::Range;
use std::sync::Arc;

use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

use crate::people::{Person, Population};

/// The largest id (ids are `BIGINT`s).
const MAX_ID: u64 = i64::MAX as u64;

/// Synthetic people as a stream: `rowsPerBatch` more at every trigger, ids from 0, the same
/// people `fakepeople` gives for the same options.
#[data_source(name = "fakestream")]
#[derive(Debug)]
pub struct FakeStream {
    /// People per micro-batch.
    #[option(default = 1000, range = 1..=10_000_000)]
    rows_per_batch: u64,
    /// People in the whole stream, after which nothing is new; unset: no end.
    #[option(range = 0..=9_223_372_036_854_775_807)]
    total_rows: Option<u64>,
    #[option(flatten)]
    people: Population,
}

/// Where the stream is: the id of the next person.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextId {
    /// The row number of the first person the next micro-batch holds.
    pub next: u64,
}

impl FakeStream {
    fn people(&self, ids: Range<u64>) -> Batches {
        let people = self.people.clone();
        Batches::from_rows(ids.map(move |id| people.person(id)))
    }
}

impl SourceSchema for FakeStream {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Person::schema())
    }
}

impl SimpleStreamReader for FakeStream {
    type Offset = NextId;

    fn initial_offset(&self) -> Result<NextId> {
        Ok(NextId { next: 0 })
    }

    fn read(&self, start: &NextId, until: Option<&NextId>) -> Result<(Batches, NextId)> {
        let last = until.map_or(MAX_ID, |until| until.next);
        let end = start
            .next
            .saturating_add(self.rows_per_batch)
            .min(last)
            .min(self.total_rows.unwrap_or(MAX_ID))
            .max(start.next);
        Ok((self.people(start.next..end), NextId { next: end }))
    }

    /// Everything there will ever be: `totalRows` (an endless stream never ends, even under
    /// AvailableNow: a bounded one should set it).
    fn latest_offset(&self, start: &NextId) -> Result<NextId> {
        Ok(NextId {
            next: self.total_rows.unwrap_or(MAX_ID).max(start.next),
        })
    }

    fn read_between(self: Arc<Self>, start: &NextId, end: &NextId) -> Result<Batches> {
        ensure!(
            start.next <= end.next,
            "the micro-batch from id {} to id {} runs backwards",
            start.next,
            end.next
        );
        Ok(self.people(start.next..end.next))
    }
}

#[cfg(test)]
mod tests {
    use datasource_py::arrow_array::RecordBatch;
    use datasource_py::testing::{SimpleStreamRun, read_all};
    use datasource_py::{DataSource, RawOptions};

    use super::*;
    use crate::FakePeople;

    fn people(batches: Vec<RecordBatch>) -> Vec<Person> {
        let batches = Batches::from_record_batches(batches.into_iter().map(Ok));
        batches.rows::<Person>().collect::<Result<_>>().unwrap()
    }

    #[test]
    fn the_stream_is_the_batch_source_in_micro_batches_and_replays_exactly() {
        let options: RawOptions = [
            ("rowsPerBatch", "400"),
            ("totalRows", "1000"),
            ("seed", "7"),
        ]
        .into_iter()
        .collect();
        // The harness also reads every micro-batch again with `read_between` and compares.
        let mut run = SimpleStreamRun::start(FakeStream::from_options(&options).unwrap()).unwrap();
        let mut sizes = Vec::new();
        let mut streamed = Vec::new();
        while let Some(batch) = run.next_batch().unwrap() {
            let batch = people(batch);
            sizes.push(batch.len());
            streamed.extend(batch);
        }
        assert_eq!(sizes, [400, 400, 200]);
        assert_eq!(run.offset(), &NextId { next: 1000 });

        let options: RawOptions = [("numRows", "1000"), ("seed", "7")].into_iter().collect();
        let batch = people(read_all(FakePeople::from_options(&options).unwrap()).unwrap());
        assert_eq!(streamed, batch);
    }

    #[test]
    fn under_available_now_the_stream_reads_up_to_its_total_and_stops() {
        let options: RawOptions = [("rowsPerBatch", "400"), ("totalRows", "1000")]
            .into_iter()
            .collect();
        let source = FakeStream::from_options(&options).unwrap();
        let mut run = SimpleStreamRun::resume(source, &NextId { next: 300 }).unwrap();
        run.available_now().unwrap();
        let mut sizes = Vec::new();
        while let Some(batch) = run.next_batch().unwrap() {
            sizes.push(people(batch).len());
        }
        assert_eq!(sizes, [400, 300]);
        assert_eq!(run.offset(), &NextId { next: 1000 });
    }
}
