use datasource_py::prelude::*;

export!(pyspark_numbers, Numbers);

fn main() {}
