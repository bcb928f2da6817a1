//! Every mistake in one struct is reported in one compile, each on its own token, in source
//! order; the code that uses the struct adds no errors of its own.

use std::sync::Arc;

use datasource_py::prelude::*;

#[data_source(nmae = "numbers")]
pub struct Numbers {
    #[option(default = "abc")]
    count: u64,
    #[option(required, default = 4)]
    num_partitions: u32,
    #[option(range = 10..=1)]
    level: u32,
    #[option(secret)]
    password: String,
    #[option(name = "COUNT")]
    other_count: u64,
    #[option(colour = "red")]
    brush: u32,
}

#[derive(Row)]
pub struct Number {
    n: i64,
}

impl SourceSchema for Numbers {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Number::schema())
    }
}

impl BatchReader for Numbers {
    type Plan = ();
    type Partition = ();

    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }

    fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
        Ok(Batches::from_rows((0..self.count as i64).map(|n| Number { n })))
    }
}

export!(pyspark_numbers => Numbers);

fn main() {}
