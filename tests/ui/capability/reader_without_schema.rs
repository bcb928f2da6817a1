// A reader needs the source's columns: without `SourceSchema` the compiler says which trait.
use std::sync::Arc;

use datasource_py::prelude::*;

/// A stream with no schema.
#[data_source(name = "schemaless")]
pub struct Schemaless {}

impl StreamReader for Schemaless {
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

fn main() {}
