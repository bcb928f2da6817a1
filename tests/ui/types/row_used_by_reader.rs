// A row with a field of no Spark type: the field is reported once, and each use of the row
// says which field keeps it from being a `Row`.
use datasource_py::prelude::*;

#[data_source(name = "counters")]
pub struct Counters {}

#[derive(Row)]
pub struct Counter {
    name: String,
    count: u32,
}

impl BatchReader for Counters {
    type Row = Counter;
    type Partition = ();

    fn read(&self, (): ()) -> Result<Batches<Counter>> {
        Ok(Batches::empty())
    }
}

fn main() {}
