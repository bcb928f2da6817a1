// Each variant of a one-of group holds exactly one value, and their names must differ.
use datasource_py::prelude::*;

#[derive(Options)]
pub enum Target {
    Table(String),
    Nothing,
    Pair(String, String),
    #[option(name = "TABLE")]
    Other(String),
}

#[derive(Options)]
pub enum Lonely {
    Only(String),
}

fn main() {}
