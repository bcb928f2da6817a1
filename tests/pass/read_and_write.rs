//! One struct with every capability but the simple stream reader (a type has one stream
//! reader: Spark would never use the second): it reads in batches and as a stream, writes in
//! batches and writes streams, and the rows a write decodes are the rows a read gives back; a
//! second struct reads the same store as a simple stream.

use std::sync::{Arc, Mutex};

use datasource_py::RawOptions;
use datasource_py::prelude::*;
use datasource_py::testing::{read_all, write_all};

/// The points written so far (a stand-in for a real store).
static STORE: Mutex<Vec<Point>> = Mutex::new(Vec::new());

#[derive(Row, Debug, Clone, PartialEq)]
pub struct Point {
    x: i64,
    label: Option<String>,
}

/// Points kept in memory.
#[data_source(name = "points")]
#[derive(Debug)]
pub struct Points {}

impl SourceSchema for Points {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Point::schema())
    }
}

impl BatchReader for Points {
    type Plan = ();
    type Partition = ();
    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }
    fn read(self: Arc<Self>, _: &Scan, _: &Task, _: ()) -> Result<Batches> {
        Ok(Batches::from_rows(STORE.lock().unwrap().clone()))
    }
}

/// The stream of the store: its offset is how many points were read.
impl StreamReader for Points {
    type Offset = usize;
    type Partition = std::ops::Range<usize>;
    fn initial_offset(&self) -> Result<usize> {
        Ok(0)
    }
    fn latest_offset(&self, _: &usize, _: ReadLimit, until: Option<&usize>) -> Result<usize> {
        let end = STORE.lock().unwrap().len();
        Ok(until.map_or(end, |&until| end.min(until)))
    }
    fn partitions(&self, _: &Scan, start: &usize, end: &usize) -> Result<Vec<Self::Partition>> {
        // One partition: the offsets' whole range (not a list of the offsets in it).
        #[allow(clippy::single_range_in_vec_init)]
        Ok(vec![*start..*end])
    }
    fn read(self: Arc<Self>, _: &Scan, _: &Task, points: Self::Partition) -> Result<Batches> {
        Ok(Batches::from_rows(STORE.lock().unwrap()[points].to_vec()))
    }
}

/// The points kept in memory, read on the driver.
#[data_source(name = "pointfeed")]
#[derive(Debug)]
pub struct PointFeed {}

impl SourceSchema for PointFeed {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Point::schema())
    }
}

impl SimpleStreamReader for PointFeed {
    type Offset = usize;
    fn initial_offset(&self) -> Result<usize> {
        Ok(0)
    }
    fn read(&self, start: &usize, _: Option<&usize>) -> Result<(Batches, usize)> {
        let store = STORE.lock().unwrap();
        Ok((Batches::from_rows(store[*start..].to_vec()), store.len()))
    }
    fn read_between(self: Arc<Self>, start: &usize, end: &usize) -> Result<Batches> {
        Ok(Batches::from_rows(
            STORE.lock().unwrap()[*start..*end].to_vec(),
        ))
    }
}

impl BatchWriter for Points {
    type Plan = ();
    type Commit = Vec<(i64, Option<String>)>;
    fn accepts(&self, _: &SchemaRef) -> Result<SchemaRef> {
        Ok(Point::schema())
    }
    fn write(self: Arc<Self>, _: &WriteJob, _: &Task, batches: Batches) -> Result<Self::Commit> {
        batches
            .rows::<Point>()
            .map(|point| point.map(|p| (p.x, p.label)))
            .collect()
    }
    fn commit(&self, job: &WriteJob, tasks: Vec<Self::Commit>) -> Result<()> {
        let mut store = STORE.lock().unwrap();
        if job.overwrite() {
            store.clear();
        }
        store.extend(
            tasks
                .into_iter()
                .flatten()
                .map(|(x, label)| Point { x, label }),
        );
        Ok(())
    }
    fn abort(&self, _: &WriteJob, _: Vec<Option<Self::Commit>>) -> Result<()> {
        Ok(())
    }
}

impl StreamWriter for Points {
    type Plan = ();
    type Commit = u64;
    fn write(self: Arc<Self>, _: &WriteJob, _: &Task, batches: Batches) -> Result<u64> {
        batches
            .rows::<Point>()
            .try_fold(0, |n, point| point.map(|_| n + 1))
    }
    fn commit(&self, _: &WriteJob, _: u64, _: Vec<u64>) -> Result<()> {
        Ok(())
    }
    fn abort(&self, _: &WriteJob, _: u64, _: Vec<Option<u64>>) -> Result<()> {
        Ok(())
    }
}

datasource_py::export!(pyspark_points => Points, PointFeed);

fn main() {
    let points = vec![
        Point {
            x: 1,
            label: Some("one".into()),
        },
        Point { x: 2, label: None },
    ];
    let batch = Batches::from_rows(points.clone()).next().unwrap().unwrap();
    let source = || Points::from_options(&RawOptions::new()).unwrap();
    write_all(
        source(),
        Point::schema(),
        vec![vec![batch.clone()], vec![]],
        false,
    )
    .unwrap();
    let read: Vec<Point> = read_all(source())
        .unwrap()
        .iter()
        .flat_map(|batch| datasource_py::row::Rows::<Point>::new(batch).unwrap())
        .collect();
    assert_eq!(read, points);
    let mut stream = datasource_py::testing::StreamRun::start(source()).unwrap();
    let streamed = stream.next_batch().unwrap().expect("two points");
    assert_eq!(streamed.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    assert!(stream.next_batch().unwrap().is_none());
    let mut simple = datasource_py::testing::SimpleStreamRun::start(
        PointFeed::from_options(&RawOptions::new()).unwrap(),
    )
    .unwrap();
    assert!(simple.next_batch().unwrap().is_some());
    write_all(source(), Point::schema(), vec![vec![batch]], true).unwrap();
    assert_eq!(STORE.lock().unwrap().len(), 2, "overwritten, not appended");
}
