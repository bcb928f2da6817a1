// `prefix` on a type that is no map of `String` keys, with other keys, or with Spark's own
// `option.` prefix; and a map whose values are no option type (reported on the value type).
use std::collections::BTreeMap;

use datasource_py::prelude::*;

#[data_source(name = "db")]
pub struct Db {
    #[option(prefix = "conn.")]
    settings: Vec<String>,
    #[option(prefix = "x.", default = 1)]
    extra: BTreeMap<String, u32>,
    #[option(prefix = "option.")]
    copies: BTreeMap<String, String>,
}

struct NotAnOption;

#[data_source(name = "db2")]
pub struct Db2 {
    #[option(prefix = "conn.")]
    settings: BTreeMap<String, NotAnOption>,
}

fn main() {}
