// A string default for a user's own option type cannot be checked when the crate compiles:
// the default must be a value of the type.
use datasource_py::OptionValue;
use datasource_py::prelude::*;

pub struct Level(u8);

impl OptionValue for Level {
    fn expected() -> String {
        "a level".into()
    }
    fn parse_option(raw: &str) -> std::result::Result<Self, String> {
        raw.parse().map(Level).map_err(|_| "not a level".into())
    }
}

#[data_source(name = "levels")]
pub struct Levels {
    #[option(default = "high")]
    level: Level,
}

fn main() {}
