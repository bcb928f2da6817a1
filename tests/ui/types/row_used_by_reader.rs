// A row with a field of no Spark type: the field is reported once, and each use of the row
// says which field keeps it from being a `Row`.
use std::sync::Arc;

use datasource_py::prelude::*;

#[data_source(name = "counters")]
pub struct Counters {}

#[derive(Row)]
pub struct Counter {
    name: String,
    count: u32,
}

impl SourceSchema for Counters {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Counter::schema())
    }
}

impl BatchReader for Counters {
    type Plan = ();
    type Partition = ();

    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }

    fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
        Ok(Batches::from_rows(Vec::<Counter>::new()))
    }
}

fn main() {}
