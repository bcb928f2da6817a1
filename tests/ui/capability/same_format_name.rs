// Two sources of one module under one format name: Spark could find only one of them.
use std::sync::Arc;

use datasource_py::prelude::*;

#[derive(Row)]
pub struct N {
    n: i64,
}

macro_rules! source {
    ($ty:ident, $name:literal) => {
        #[data_source(name = $name)]
        pub struct $ty {}

        impl SourceSchema for $ty {
            fn schema(&self) -> Result<SchemaRef> {
                Ok(N::schema())
            }
        }
        impl BatchReader for $ty {
            type Plan = ();
            type Partition = ();
            fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
                Ok(vec![])
            }
            fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
                Ok(Batches::empty())
            }
        }
    };
}

source!(First, "numbers");
source!(Second, "Numbers");

export!(pyspark_numbers => First, Second);

fn main() {}
