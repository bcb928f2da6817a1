//! `arrow`: Arrow IPC and Parquet files as a Spark source, ported from the `arrow` source of the
//! pyspark-data-sources collection; `maturin build` makes the `pyspark_arrowfiles` wheel, whose
//! `DefaultSource` Spark registers by itself.
//!
//! What the Python original does, and what this adds:
//! - a path is a file, a directory or a glob; the schema is the first file's, read on the
//!   driver (now with Arrow types Spark lacks mapped to ones that hold them);
//! - one Spark partition per file, and per Parquet row group;
//! - the listing is made once, on the driver, and travels to the tasks in the plan;
//! - a user's `.schema(...)` reads only its columns;
//! - filters are pushed (PySpark 4.1+): Parquet row groups whose statistics rule out every
//!   filter are never read, and the rows read are filtered exactly in Rust before they reach
//!   Spark.

mod files;
mod listing;

use std::path::PathBuf;
use std::sync::Arc;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::prelude::*;
use datasource_py::schema::ReadAdapter;
use serde::{Deserialize, Serialize};

pub use listing::{FileFormat, Format};

datasource_py::export!(pyspark_arrowfiles => ArrowFiles);

/// Arrow IPC and Parquet files: one file, a directory of them, or a glob.
#[data_source(name = "arrow")]
#[derive(Debug)]
pub struct ArrowFiles {
    /// A file, a directory (its `.arrow`, `.ipc`, `.feather` and `.parquet` files) or a glob
    /// (`/data/*.parquet`); `load(path)` sets it.
    path: String,
    /// The files' format.
    #[option(default = "auto")]
    format: FileFormat,
    /// Rows per batch read from a Parquet file.
    #[option(default = 65_536, range = 1..=1_000_000)]
    batch_rows: usize,
    /// One Spark partition per Parquet row group (`false`: one per file).
    #[option(default = true)]
    split_row_groups: bool,
}

/// What the driver found: the files, and which of their row groups to read.
#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Listing {
    pub files: Vec<ListedFile>,
}

/// One file of the listing.
#[derive(Serialize, Deserialize, Debug)]
pub struct ListedFile {
    pub path: PathBuf,
    pub format: Format,
    /// The Parquet row groups to read (the others cannot hold a row the filters admit);
    /// empty for an Arrow IPC file, read whole.
    pub row_groups: Vec<usize>,
    /// The Parquet row groups in the file.
    pub row_groups_in_file: usize,
}

/// A task's share: row groups of one file (or the whole file, for Arrow IPC).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub file: usize,
    pub row_groups: Vec<usize>,
}

impl ArrowFiles {
    fn listed(&self) -> Result<Vec<(PathBuf, Format)>> {
        Ok(listing::files(&self.path)?
            .into_iter()
            .map(|file| {
                let format = self.format.of(&file);
                (file, format)
            })
            .collect())
    }

    /// The first file's schema.
    fn file_schema(&self) -> Result<SchemaRef> {
        let listed = self.listed()?;
        let (first, format) = &listed[0];
        files::schema(first, *format)
    }
}

impl SourceSchema for ArrowFiles {
    fn schema(&self) -> Result<SchemaRef> {
        self.file_schema()
    }

    /// The user's columns are read, and only they: each must be one of the files', of a type
    /// that holds its values (the SDK checks).
    fn user_schema(&self, _user: &SchemaRef) -> Result<UserSchema> {
        Ok(UserSchema::Project)
    }
}

impl BatchReader for ArrowFiles {
    type Plan = Listing;
    type Partition = Share;

    /// Lists the files once; a Parquet file's row groups are kept only where their statistics
    /// allow a row that every pushed filter admits.
    fn plan(&self, scan: &Scan) -> Result<Listing> {
        let filters: Vec<&Filter> = scan
            .filters()
            .iter()
            .chain(scan.inexact_filters())
            .collect();
        let files = self
            .listed()?
            .into_iter()
            .map(|(path, format)| {
                let (row_groups, row_groups_in_file) = match format {
                    Format::Parquet => files::row_groups(&path, &filters)?,
                    Format::Arrow => (Vec::new(), 0),
                };
                Ok(ListedFile {
                    path,
                    format,
                    row_groups,
                    row_groups_in_file,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Listing { files })
    }

    fn partitions(&self, scan: &Scan<Listing>) -> Result<Vec<Share>> {
        let mut shares = Vec::new();
        for (file, listed) in scan.plan().files.iter().enumerate() {
            match listed.format {
                Format::Arrow => shares.push(Share {
                    file,
                    row_groups: Vec::new(),
                }),
                Format::Parquet if listed.row_groups.is_empty() => {}
                Format::Parquet if self.split_row_groups => {
                    shares.extend(listed.row_groups.iter().map(|&group| Share {
                        file,
                        row_groups: vec![group],
                    }))
                }
                Format::Parquet => shares.push(Share {
                    file,
                    row_groups: listed.row_groups.clone(),
                }),
            }
        }
        Ok(shares)
    }

    fn read(self: Arc<Self>, scan: &Scan<Listing>, _: &Task, share: Share) -> Result<Batches> {
        let listed =
            scan.plan().files.get(share.file).ok_or_else(|| {
                datasource_py::format_err!("no file {} in the listing", share.file)
            })?;
        // The plan came through Spark: its files must still be ones `path` names.
        listing::check_inside(&self.path, &listed.path)?;
        let schema = scan.schema().clone();
        let (read, batches) = files::batches(
            &listed.path,
            listed.format,
            &schema,
            share.row_groups,
            self.batch_rows,
        )?;
        // Batches of another column order or type than the scan's (a user's schema, a file
        // unlike the first) are fitted to it.
        let adapter = if read.fields() == schema.fields() {
            None
        } else {
            Some(ReadAdapter::new(Self::NAME, &read, &schema)?)
        };
        let batches = batches.map(move |batch| match &adapter {
            Some(adapter) => Ok(adapter.adapt(batch?)?),
            None => batch,
        });
        Ok(Batches::from_record_batches(batches).filtered(scan.filters().to_vec()))
    }
}

/// Every filter the SDK evaluates exactly on these files' columns is taken: it prunes row
/// groups, and the rows read are filtered in Rust.
impl FilterPushdown for ArrowFiles {
    fn push_filters(&self, scan: &Scan, filters: &[Filter]) -> Result<Vec<Pushdown>> {
        Ok(filters
            .iter()
            .map(|filter| match filter.check(scan.schema()) {
                Ok(()) => Pushdown::Exact,
                Err(_) => Pushdown::Unsupported,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
