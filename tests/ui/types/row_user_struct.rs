use datasource_py::prelude::*;

pub struct Address {
    pub city: String,
}

#[derive(Row)]
pub struct Person {
    name: String,
    address: Option<Address>,
}

fn main() {}
