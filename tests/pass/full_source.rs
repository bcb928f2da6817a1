//! Every option kind and every row type in one source; it must compile, parse and read.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use datasource_py::RawOptions;
use datasource_py::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datasource_py::prelude::*;
use datasource_py::testing::read_all;
use datasource_py::{Binary, Decimal};

const LIMIT: u64 = 7;

/// Every kind of option.
#[data_source(name = "everything")]
#[derive(Debug)]
pub struct Everything {
    /// A count.
    #[option(default = 10, range = 0..=100)]
    count: u32,
    #[option(default = -1.5, range = -10.0..10.0)]
    ratio: f64,
    #[option(default = 2)]
    float_from_int: f32,
    #[option(default = true)]
    flag: bool,
    #[option(default = "csv", choices = ["csv", "json"])]
    format: String,
    #[option(default = ";")]
    separator: char,
    #[option(default = "30s")]
    timeout: Duration,
    #[option(name = "URL")]
    endpoint: String,
    token: Option<Secret<String>>,
    columns: Option<Vec<String>>,
    dir: Option<PathBuf>,
    /// A default may be any expression of the option's type.
    #[option(default = LIMIT * 2)]
    limit: u64,
}

#[derive(Row, Debug)]
pub struct Inner {
    a: Option<i32>,
}

#[derive(Row, Debug)]
pub struct AllTypes {
    b: bool,
    i8_: i8,
    i16_: i16,
    i32_: i32,
    i64_: i64,
    f32_: f32,
    f64_: f64,
    s: String,
    bin: Binary,
    date: NaiveDate,
    ts: DateTime<Utc>,
    ntz: NaiveDateTime,
    dec: Decimal<38, 10>,
    list: Vec<Option<String>>,
    nested_list: Vec<Vec<i64>>,
    map: BTreeMap<String, Option<f64>>,
    hash_map: HashMap<i32, Inner>,
    inner: Option<Inner>,
}

impl SourceSchema for Everything {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(AllTypes::schema())
    }
}

impl BatchReader for Everything {
    type Plan = ();
    type Partition = ();

    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }

    fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
        Ok(Batches::empty())
    }
}

fn main() {
    let raw: RawOptions = [("url", "http://x"), ("token", "t")].into_iter().collect();
    let source = Everything::from_options(&raw).unwrap();
    assert_eq!(source.count, 10);
    assert_eq!(source.ratio, -1.5);
    assert_eq!(source.float_from_int, 2.0);
    assert!(source.flag);
    assert_eq!(source.format, "csv");
    assert_eq!(source.separator, ';');
    assert_eq!(source.timeout, Duration::from_secs(30));
    assert_eq!(source.endpoint, "http://x");
    assert_eq!(source.token.as_ref().unwrap().expose(), "t");
    assert!(source.columns.is_none() && source.dir.is_none());
    assert_eq!(source.limit, 14);
    assert_eq!(Everything::specs()[11].default.as_deref(), Some("14"));
    assert_eq!(Everything::specs()[7].name, "URL");
    assert!(Everything::specs()[8].secret);
    assert_eq!(AllTypes::schema().fields().len(), 18);
    assert!(read_all(source).unwrap().is_empty());
}
