//! One struct with every capability: it reads, writes in batches and writes streams, and the
//! rows a write decodes are the rows a read gives back.

use std::sync::{Arc, Mutex};

use datasource_py::prelude::*;
use datasource_py::{RawOptions, read_all, write_all};

/// The points written so far (a stand-in for a real store).
static STORE: Mutex<Vec<Point>> = Mutex::new(Vec::new());

#[derive(Row, Debug, Clone, PartialEq)]
pub struct Point {
    x: i64,
    label: Option<String>,
}

/// Points kept in memory.
#[data_source(name = "points")]
pub struct Points {}

impl BatchReader for Points {
    type Partition = ();
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Point::schema())
    }
    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }
    fn read(self: Arc<Self>, _: &Scan, _: ()) -> Result<Batches> {
        Ok(Batches::from_rows(STORE.lock().unwrap().clone()))
    }
}

impl BatchWriter for Points {
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
        store.extend(tasks.into_iter().flatten().map(|(x, label)| Point { x, label }));
        Ok(())
    }
    fn abort(&self, _: &WriteJob, _: Vec<Option<Self::Commit>>) -> Result<()> {
        Ok(())
    }
}

impl StreamWriter for Points {
    type Commit = u64;
    fn write(self: Arc<Self>, _: &WriteJob, _: &Task, batches: Batches) -> Result<u64> {
        batches.rows::<Point>().try_fold(0, |n, point| point.map(|_| n + 1))
    }
    fn commit(&self, _: &WriteJob, _: u64, _: Vec<u64>) -> Result<()> {
        Ok(())
    }
    fn abort(&self, _: &WriteJob, _: u64, _: Vec<Option<u64>>) -> Result<()> {
        Ok(())
    }
}

datasource_py::export!(pyspark_points => Points);

fn main() {
    let points = vec![
        Point { x: 1, label: Some("one".into()) },
        Point { x: 2, label: None },
    ];
    let batch = Batches::from_rows(points.clone()).next().unwrap().unwrap();
    let source = || Points::from_options(&RawOptions::new()).unwrap();
    write_all(source(), Point::schema(), vec![vec![batch.clone()], vec![]], false).unwrap();
    let read: Vec<Point> = read_all(source())
        .unwrap()
        .iter()
        .flat_map(|batch| datasource_py::Rows::<Point>::new(batch).unwrap())
        .collect();
    assert_eq!(read, points);
    write_all(source(), Point::schema(), vec![vec![batch]], true).unwrap();
    assert_eq!(STORE.lock().unwrap().len(), 2, "overwritten, not appended");
}
