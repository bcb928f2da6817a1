// Spark registers the sources of `pyspark_*` modules by itself: another name is refused.
use std::sync::Arc;

use datasource_py::prelude::*;

#[derive(Row)]
pub struct N {
    n: i64,
}

#[data_source(name = "numbers")]
pub struct Numbers {}

impl SourceSchema for Numbers {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(N::schema())
    }
}

impl BatchReader for Numbers {
    type Plan = ();
    type Partition = ();
    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }
    fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
        Ok(Batches::empty())
    }
}

export!(numbers => Numbers);

fn main() {}
