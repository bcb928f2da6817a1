//! `fakesink`: a sink that checks what Spark writes to it. With `rows = none` it only counts
//! rows (what is left is the SDK's own cost); with `range`, `wide` or `people` it decodes every
//! row into the matching `#[derive(Row)]` type and compares it with what the source of that name
//! generates for the row's id, so a round trip `fakepeople` → Spark → `fakesink` checks every
//! Spark type both ways.

use std::path::PathBuf;
use std::sync::Arc;

use datasource_py::prelude::*;
use datasource_py::{RawOptions, format_err};
use serde::{Deserialize, Serialize};

use crate::range::{Numbered, numbered};
use crate::wide::{WideRow, wide_row};
use pyspark_fakepeople::{FakePeople, Person};

/// Counts the rows Spark writes, and checks them against a generator when asked.
#[data_source(name = "fakesink")]
#[derive(Debug)]
pub struct FakeSink {
    /// What to decode each row as and check it against (`none`: only count).
    #[option(default = "none")]
    rows: Checked,
    /// Compare each decoded row with what the generator makes for its id (`false`: decode
    /// only, to measure decoding).
    #[option(default = true)]
    compare: bool,
    /// A file the commit writes its tally to, as JSON (`{"rows": .., "mismatches": ..}`).
    report: Option<PathBuf>,
    /// Fail the task of this partition (to test aborts).
    fail_on_task: Option<u32>,
}

/// The row type a `fakesink` decodes, named after the source that generates it.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Count rows, decode nothing.
    None,
    /// `fakerange` rows.
    Range,
    /// `fakewide` rows.
    Wide,
    /// `fakepeople` rows, from its default options.
    People,
}

/// What one task saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub rows: u64,
    /// Rows that differ from what the generator makes for their id.
    pub mismatches: u64,
}

impl FakeSink {
    fn tally<R: Row + PartialEq>(
        &self,
        batches: Batches,
        expected: impl Fn(&R) -> R,
    ) -> Result<Tally> {
        let mut tally = Tally::default();
        for row in batches.rows::<R>() {
            let row = row?;
            tally.rows += 1;
            if !self.compare {
                std::hint::black_box(&row); // decoded, and not optimised away
            } else if row != expected(&row) {
                tally.mismatches += 1;
            }
        }
        Ok(tally)
    }
}

impl BatchWriter for FakeSink {
    type Plan = ();
    type Commit = Tally;

    /// A sink that decodes takes exactly its row type's columns; one that counts takes anything.
    fn accepts(&self, incoming: &SchemaRef) -> Result<SchemaRef> {
        Ok(match self.rows {
            Checked::None => incoming.clone(),
            Checked::Range => Numbered::schema(),
            Checked::Wide => WideRow::schema(),
            Checked::People => Person::schema(),
        })
    }

    fn write(self: Arc<Self>, _: &WriteJob, task: &Task, batches: Batches) -> Result<Tally> {
        if self.fail_on_task == Some(task.partition_id) {
            bail!("asked to fail task {}", task.partition_id);
        }
        match self.rows {
            Checked::None => {
                let mut rows = 0;
                for batch in batches {
                    rows += batch?.num_rows() as u64;
                }
                Ok(Tally {
                    rows,
                    mismatches: 0,
                })
            }
            Checked::Range => self.tally(batches, |row: &Numbered| numbered(row.id as u64)),
            Checked::Wide => self.tally(batches, |row: &WideRow| wide_row(row.id)),
            Checked::People => {
                let people = FakePeople::from_options(&RawOptions::new())?;
                self.tally(batches, move |row: &Person| people.person(row.id as u64))
            }
        }
    }

    fn commit(&self, _: &WriteJob, tallies: Vec<Tally>) -> Result<()> {
        let total = tallies.iter().fold(Tally::default(), |sum, t| Tally {
            rows: sum.rows + t.rows,
            mismatches: sum.mismatches + t.mismatches,
        });
        if let Some(report) = &self.report {
            std::fs::write(report, serde_json::to_string(&total)?)
                .map_err(|e| format_err!("cannot write {}: {e}", report.display()))?;
        }
        Ok(())
    }

    fn abort(&self, _: &WriteJob, _: Vec<Option<Tally>>) -> Result<()> {
        Ok(()) // nothing was published
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::testing::{read_all, write_all};

    use crate::FakeRange;

    #[test]
    fn rows_read_from_a_source_come_back_equal() {
        for (checked, source) in [("range", "fakerange"), ("people", "fakepeople")] {
            let raw: RawOptions = [("numRows", "3000"), ("numPartitions", "3")]
                .into_iter()
                .collect();
            let (schema, batches) = match source {
                "fakerange" => {
                    let source = FakeRange::from_options(&raw).unwrap();
                    (Numbered::schema(), read_all(source).unwrap())
                }
                _ => (
                    Person::schema(),
                    read_all(FakePeople::from_options(&raw).unwrap()).unwrap(),
                ),
            };
            let schema = datasource_py::schema::spark_arrow_schema(&schema).unwrap();
            let sink: RawOptions = [("rows", checked)].into_iter().collect();
            let outcome = write_all(
                FakeSink::from_options(&sink).unwrap(),
                Arc::new(schema),
                vec![batches],
                false,
            )
            .unwrap();
            assert_eq!(
                outcome.messages,
                [Tally {
                    rows: 3000,
                    mismatches: 0
                }],
                "{checked}"
            );
        }
    }

    #[test]
    fn a_failed_task_aborts_the_write() {
        let raw: RawOptions = [("failOnTask", "1")].into_iter().collect();
        let schema = Numbered::schema();
        let error = write_all(
            FakeSink::from_options(&raw).unwrap(),
            schema,
            vec![vec![], vec![]],
            false,
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "asked to fail task 1");
    }
}
