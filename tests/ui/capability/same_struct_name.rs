// Two sources whose structs share a name: both would be the Python class `Source`.
use std::sync::Arc;

use datasource_py::prelude::*;

#[derive(Row)]
pub struct N {
    n: i64,
}

macro_rules! source {
    ($module:ident, $name:literal) => {
        mod $module {
            use super::*;

            #[data_source(name = $name)]
            pub struct Source {}

            impl SourceSchema for Source {
                fn schema(&self) -> Result<SchemaRef> {
                    Ok(N::schema())
                }
            }

            impl BatchReader for Source {
                type Plan = ();
                type Partition = ();
                fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
                    Ok(vec![])
                }
                fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
                    Ok(Batches::empty())
                }
            }
        }
    };
}

source!(first, "first");
source!(second, "second");

export!(pyspark_sources => first::Source, second::Source);

fn main() {}
