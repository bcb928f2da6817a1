//! A partition that is a user's own serde struct: planned, sent through JSON, and read back.

use std::sync::Arc;

use datasource_py::RawOptions;
use datasource_py::prelude::*;
use datasource_py::testing::read_all;
use serde::{Deserialize, Serialize};

/// Rows of several named shards.
#[data_source(name = "shards")]
#[derive(Debug)]
pub struct Shards {
    /// Shard names.
    #[option(default = "a,b,c")]
    shards: Vec<String>,
    #[option(default = 3, range = 0..=100)]
    rows_per_shard: u32,
}

/// No `Default`: a partition type needs only serde.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Shard {
    name: String,
    rows: u32,
}

#[derive(Row, Debug)]
pub struct Item {
    shard: String,
    n: i32,
}

impl SourceSchema for Shards {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Item::schema())
    }
}

impl BatchReader for Shards {
    type Plan = ();
    type Partition = Shard;

    fn partitions(&self, _: &Scan) -> Result<Vec<Shard>> {
        Ok(self
            .shards
            .iter()
            .map(|name| Shard {
                name: name.clone(),
                rows: self.rows_per_shard,
            })
            .collect())
    }

    fn read(self: Arc<Self>, _: &Scan, _: &Task, shard: Shard) -> Result<Batches> {
        let Shard { name, rows } = shard;
        Ok(Batches::from_rows((0..rows as i32).map(move |n| Item {
            shard: name.clone(),
            n,
        })))
    }
}

fn main() {
    let source = Shards::from_options(&RawOptions::new()).unwrap();
    let scan = Scan::new(source.schema().unwrap());
    assert_eq!(source.partitions(&scan).unwrap().len(), 3);
    let batches = read_all(source).unwrap();
    assert_eq!(batches.len(), 3);
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 9);
}
