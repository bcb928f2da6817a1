//! Reading: the schema from the database, ranges of the partition column, pushed filters.

use std::sync::Arc;

use datasource_py::arrow_schema::{Schema, SchemaRef};
use datasource_py::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::{Column, Kind, schema_of};
use crate::ident::Ident;
use crate::pushdown::translate;
use crate::sql::{Param, Relation, Sql, select_where};
use crate::{SqlDb, guard};

/// One task's share: the rows whose partition column lies in `[from, to)` (an open end reads
/// everything past it; the first share also reads NULLs), or every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slice {
    /// The least partition column value read; `None`: no lower bound.
    pub from: Option<i64>,
    /// The partition column values read are below it; `None`: no upper bound.
    pub to: Option<i64>,
    /// Whether the rows whose partition column is NULL are read too (by the first share only).
    pub nulls: bool,
}

impl Slice {
    const ALL: Slice = Slice {
        from: None,
        to: None,
        nulls: true,
    };

    /// The condition on `column`, `None` for every row.
    fn condition(&self, column: &Ident) -> Option<Sql> {
        let mut parts: Vec<Sql> = Vec::new();
        if let Some(from) = self.from {
            let mut part = Sql::new(format!("{column} >= "));
            part.bind(Param::Int(from));
            parts.push(part);
        }
        if let Some(to) = self.to {
            let mut part = Sql::new(format!("{column} < "));
            part.bind(Param::Int(to));
            parts.push(part);
        }
        let mut range = match parts.len() {
            0 => return None,
            1 => parts.remove(0),
            _ => {
                let mut both = parts.remove(0);
                both.push(" AND ").append(parts.remove(0));
                both
            }
        };
        if self.nulls {
            let mut with_nulls = Sql::new("(");
            with_nulls
                .append(range)
                .push(format!(") OR {column} IS NULL"));
            range = with_nulls;
        }
        Some(range)
    }
}

/// `numPartitions` ranges over `[lower, upper]` as Spark's JDBC reader makes them: every row is
/// in exactly one (below `lower` in the first, above `upper` in the last, NULL in the first).
pub fn slices(lower: i64, upper: i64, partitions: u32) -> Vec<Slice> {
    let span = i128::from(upper) - i128::from(lower);
    let count = i128::from(partitions).min(span.max(0) + 1).max(1);
    if count == 1 {
        return vec![Slice::ALL];
    }
    let boundary = |index: i128| -> i64 {
        i64::try_from(i128::from(lower) + span * index / count).expect("between the bounds")
    };
    (0..count)
        .map(|index| Slice {
            from: (index > 0).then(|| boundary(index)),
            to: (index + 1 < count).then(|| boundary(index + 1)),
            nulls: index == 0,
        })
        .collect()
}

/// The columns of a schema Spark planned with (each of a kind this source reads).
fn columns_of_schema(schema: &Schema) -> Result<Vec<Column>> {
    schema
        .fields()
        .iter()
        .map(|field| {
            let kind = Kind::of(field.data_type())
                .ok_or_else(|| format_err!("column `{}` cannot be read", field.name()))?;
            Ok(Column {
                name: field.name().clone(),
                kind,
                database_type: String::new(),
            })
        })
        .collect()
}

impl SourceSchema for SqlDb {
    fn schema(&self) -> Result<SchemaRef> {
        self.check_option_names()?;
        let relation = self.relation()?;
        let mut db = self.connect().read_only()?;
        self.check_plan(db.as_mut(), &relation)?;
        let columns = db.describe(&relation)?;
        if let Some(column) = &self.partition_column {
            let found = columns.iter().find(|c| c.name == column.name());
            match found {
                None => bail!(
                    "`partitionColumn` names `{}`, which is not a column of {} (its columns: \
                     {})",
                    column.name(),
                    self.target_name(),
                    columns
                        .iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(found) if !matches!(found.kind, Kind::Int16 | Kind::Int32 | Kind::Int64) => {
                    bail!(
                        "`partitionColumn` names `{}`, of type {}: ranges split an integer column",
                        column.name(),
                        found.database_type
                    )
                }
                Some(_) => {}
            }
        } else if self.num_partitions > 1 {
            bail!(
                "numPartitions is {} but no partitionColumn says how to split the rows; give an \
                 integer column (an id), or leave numPartitions at 1",
                self.num_partitions
            );
        }
        Ok(schema_of(&columns))
    }
}

impl SqlDb {
    /// A PostgreSQL `query` whose plan calls a refused server function (a view's, or a SQL
    /// function's inlined, that the query's own text does not name) is an error.
    fn check_plan(&self, db: &mut dyn crate::db::Database, relation: &Relation) -> Result<()> {
        if !matches!(relation, Relation::Query(_)) || !self.guards_query() {
            return Ok(());
        }
        let Some(plan) = db.explain(relation)? else {
            return Ok(());
        };
        let called = guard::server_functions_called(&plan).map_err(|problem| {
            format_err!(
                "could not read PostgreSQL's plan of `query` ({problem}) to check the functions \
                 it calls; set `allowServerFunctions` to true to leave them to the database role"
            )
        })?;
        ensure!(
            called.is_empty(),
            "{}",
            guard::refusal(&called, "in PostgreSQL's plan of it")
        );
        Ok(())
    }

    fn target_name(&self) -> String {
        match &self.target {
            crate::Target::Table(table) => format!("table {table}"),
            crate::Target::Query(_) => "the query".into(),
        }
    }

    /// The pushed filters as conditions (each was accepted because it translates).
    fn filter_conditions(&self, scan: &Scan<Vec<Column>>) -> Result<Vec<Sql>> {
        let dialect = self.connect().dialect();
        scan.filters()
            .iter()
            .map(|filter| {
                translate(filter, scan.plan(), dialect).ok_or_else(|| {
                    format_err!("internal: filter {filter:?} was accepted but does not translate")
                })
            })
            .collect()
    }

    fn column_idents(scan: &Scan<impl Sized>) -> Vec<Ident> {
        scan.schema()
            .fields()
            .iter()
            .map(|field| Ident::exact(field.name()))
            .collect()
    }
}

impl BatchReader for SqlDb {
    /// The columns as the database declares them, for the filters' translation in every task.
    type Plan = Vec<Column>;
    type Partition = Slice;

    fn plan(&self, scan: &Scan) -> Result<Vec<Column>> {
        if scan.filters().is_empty() {
            return columns_of_schema(scan.schema());
        }
        self.connect().read_only()?.describe(&self.relation()?)
    }

    fn partitions(&self, scan: &Scan<Vec<Column>>) -> Result<Vec<Slice>> {
        let Some(column) = &self.partition_column else {
            return Ok(vec![Slice::ALL]);
        };
        if self.num_partitions == 1 {
            return Ok(vec![Slice::ALL]);
        }
        let (lower, upper) = match (self.lower_bound, self.upper_bound) {
            (Some(lower), Some(upper)) => (lower, upper),
            (given_lower, given_upper) => {
                // The bounds of the rows the scan reads (pushed filters included).
                let mut db = self.connect().read_only()?;
                let rows = select_where(
                    std::slice::from_ref(column),
                    &self.relation()?,
                    self.filter_conditions(scan)?,
                );
                let found = db.bounds(rows, column)?;
                let Some((min, max)) = found else {
                    return Ok(vec![Slice::ALL]);
                };
                (given_lower.unwrap_or(min), given_upper.unwrap_or(max))
            }
        };
        ensure!(
            lower <= upper,
            "lowerBound ({lower}) is above upperBound ({upper})"
        );
        Ok(slices(lower, upper, self.num_partitions))
    }

    fn read(
        self: Arc<Self>,
        scan: &Scan<Vec<Column>>,
        _task: &Task,
        slice: Slice,
    ) -> Result<Batches> {
        let columns = columns_of_schema(scan.schema())?;
        let kinds: Vec<Kind> = columns.iter().map(|c| c.kind).collect();
        let mut conditions: Vec<Sql> = self
            .partition_column
            .as_ref()
            .and_then(|column| slice.condition(column))
            .into_iter()
            .collect();
        conditions.extend(self.filter_conditions(scan)?);
        let mut select = select_where(&Self::column_idents(scan), &self.relation()?, conditions);
        if let Some(limit) = scan.limit() {
            // Spark's own number (a u64), not text from outside: written as it is.
            select.push(format!(" LIMIT {limit}"));
        }
        let schema = scan.schema().clone();
        let size = BatchSize::from(self.fetch_size.map(|rows| rows as usize));
        let connect = self.connect();
        Ok(Batches::from_producer(move |out| {
            let mut db = connect.read_only()?;
            db.read(&select, schema, &kinds, size, out)
        }))
    }
}

/// `LIMIT n`: each task's query gets `LIMIT n` (Spark applies the LIMIT again over them all).
impl LimitPushdown for SqlDb {}

impl FilterPushdown for SqlDb {
    fn push_filters(&self, _scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>> {
        // The declared types decide what compares exactly (a `uuid` read as STRING does not
        // compare as text).
        let columns = self.connect().read_only()?.describe(&self.relation()?)?;
        let dialect = self.connect().dialect();
        Ok(filters
            .iter()
            .map(|filter| match translate(filter, &columns, dialect) {
                Some(_) => Pushdown::Exact,
                None => Pushdown::Unsupported,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_every_value_once() {
        let slices = slices(0, 100, 4);
        assert_eq!(slices.len(), 4);
        assert_eq!(
            slices[0],
            Slice {
                from: None,
                to: Some(25),
                nulls: true
            }
        );
        assert_eq!(
            slices[1],
            Slice {
                from: Some(25),
                to: Some(50),
                nulls: false
            }
        );
        assert_eq!(
            slices[3],
            Slice {
                from: Some(75),
                to: None,
                nulls: false
            }
        );
    }

    #[test]
    fn a_narrow_range_gets_fewer_slices_and_extremes_do_not_overflow() {
        assert_eq!(super::slices(5, 6, 8).len(), 2);
        assert_eq!(super::slices(7, 7, 8), vec![Slice::ALL]);
        let wide = super::slices(i64::MIN, i64::MAX, 3);
        assert_eq!(wide.len(), 3);
        assert!(wide[1].from.unwrap() < wide[1].to.unwrap());
    }
}
