//! A user's own option type (its default a value of the type) and rows nested in lists, maps
//! and options.

use std::collections::HashMap;
use std::sync::Arc;

use datasource_py::RawOptions;
use datasource_py::prelude::*;
use datasource_py::row::RowBatcher;
use datasource_py::testing::read_all;

#[derive(Debug, PartialEq)]
pub enum Level {
    Low,
    High,
}

impl OptionValue for Level {
    fn expected() -> String {
        "`low` or `high`".into()
    }
    fn parse_option(raw: &str) -> std::result::Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Level::Low),
            "high" => Ok(Level::High),
            other => Err(format!("`{other}` is not a level")),
        }
    }
}

/// Levels.
#[data_source(name = "levels")]
#[derive(Debug)]
pub struct Levels {
    #[option(default = Level::High)]
    level: Level,
    fallback: Option<Level>,
}

#[derive(Row, Clone, Debug)]
pub struct Point {
    x: f64,
    y: f64,
}

#[derive(Row, Debug)]
pub struct Shape {
    r#type: String,
    #[spark(rename = "vertices")]
    points: Vec<Point>,
    named: HashMap<String, Point>,
    centre: Option<Point>,
}

impl SourceSchema for Levels {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Shape::schema())
    }
}

impl BatchReader for Levels {
    type Plan = ();
    type Partition = ();

    fn partitions(&self, _: &Scan) -> Result<Vec<()>> {
        Ok(vec![()])
    }

    fn read(self: Arc<Self>, _: &Scan, _: &Task, (): ()) -> Result<Batches> {
        let p = Point { x: 1.0, y: 2.0 };
        Ok(Batches::from_rows([Shape {
            r#type: "line".into(),
            points: vec![p.clone(), p.clone()],
            named: HashMap::from([("a".to_owned(), p)]),
            centre: None,
        }]))
    }
}

fn main() {
    let source = Levels::from_options(&RawOptions::new()).unwrap();
    assert_eq!(source.level, Level::High);
    assert!(Levels::options_markdown().contains("| `level` | `Level` | `Level::High` |"));
    assert_eq!(source.fallback, None);
    let raw: RawOptions = [("level", "LOW"), ("fallback", "low")]
        .into_iter()
        .collect();
    let source = Levels::from_options(&raw).unwrap();
    assert_eq!(
        (source.level, source.fallback),
        (Level::Low, Some(Level::Low))
    );
    let raw: RawOptions = [("level", "medium")].into_iter().collect();
    let error = Levels::from_options(&raw).err().unwrap().to_string();
    assert!(error.contains("`medium` is not a level"), "{error}");

    let names: Vec<_> = Shape::schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["type", "vertices", "named", "centre"]);
    let batches = read_all(Levels::from_options(&RawOptions::new()).unwrap()).unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].num_rows(), 1);
    let mut batcher = RowBatcher::<Point>::new(2);
    batcher.push(Point { x: 0.0, y: 0.0 });
    assert_eq!(batcher.finish().num_rows(), 1);
}
