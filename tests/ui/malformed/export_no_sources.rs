use datasource_py::prelude::*;

export!(pyspark_nothing =>);

fn main() {}
