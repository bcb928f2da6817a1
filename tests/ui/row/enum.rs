use datasource_py::prelude::*;

#[derive(Row)]
pub enum Shape {
    Circle { radius: f64 },
    Square { side: f64 },
}

fn main() {}
