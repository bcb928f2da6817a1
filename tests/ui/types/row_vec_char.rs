// The error points at `char` inside `Vec<char>`, and says a `char` list is a `String`.
use datasource_py::prelude::*;

#[derive(Row)]
pub struct Word {
    letters: Vec<char>,
}

fn main() {}
