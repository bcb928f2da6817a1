use std::sync::Arc;

use datasource_py::prelude::*;

#[derive(Row)]
pub struct Tick {
    n: i64,
}

/// Read as a stream twice over.
#[data_source(name = "ticks")]
pub struct Ticks {}

impl SourceSchema for Ticks {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Tick::schema())
    }
}

impl StreamReader for Ticks {
    type Offset = u64;
    type Partition = ();
    fn initial_offset(&self) -> Result<u64> {
        Ok(0)
    }
    fn latest_offset(&self, start: &u64, _: ReadLimit, _: Option<&u64>) -> Result<u64> {
        Ok(*start)
    }
    fn partitions(&self, _: &Scan, _: &u64, _: &u64) -> Result<Vec<()>> {
        Ok(vec![])
    }
    fn read(self: Arc<Self>, _: &Scan, _: &Task, _: ()) -> Result<Batches> {
        Ok(Batches::empty())
    }
}

impl SimpleStreamReader for Ticks {
    type Offset = u64;
    fn initial_offset(&self) -> Result<u64> {
        Ok(0)
    }
    fn read(&self, start: &u64, _: Option<&u64>) -> Result<(Batches, u64)> {
        Ok((Batches::empty(), *start))
    }
    fn read_between(self: Arc<Self>, _: &u64, _: &u64) -> Result<Batches> {
        Ok(Batches::empty())
    }
}

datasource_py::export!(pyspark_ticks => Ticks);

fn main() {}
