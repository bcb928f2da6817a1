// A `#[derive(OptionValue)]` variant is a choice: it holds no value, and choices must differ
// ignoring case.
use datasource_py::prelude::*;

#[derive(OptionValue)]
pub enum Mode {
    Fast,
    Custom(u32),
    #[option(name = "FAST")]
    Quick,
}

#[derive(OptionValue)]
pub struct NotAnEnum;

fn main() {}
