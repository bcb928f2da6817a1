use datasource_py::prelude::*;

#[derive(Row)]
pub struct Event {
    name: String,
    at: std::time::Instant,
}

fn main() {}
