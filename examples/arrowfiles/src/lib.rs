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
//!   Spark;
//! - object storage: `s3://`, `gs://` and `az://` paths are listed and read through
//!   `object_store` (Parquet by ranged reads), the same pushdown applied; `file://` is a local
//!   path.

#![deny(missing_docs)]

mod files;
mod listing;
mod objects;
mod store;

use std::path::Path;
use std::sync::Arc;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::prelude::*;
use datasource_py::retry::Retry;
use datasource_py::runtime::block_on;
use datasource_py::schema::ReadAdapter;
use serde::{Deserialize, Serialize};

pub use listing::{FileFormat, Format};
pub use store::{Storage, StoreUrl};

datasource_py::export!(pyspark_arrowfiles => ArrowFiles);

/// Arrow IPC and Parquet files: one file, a directory of them, or a glob.
#[data_source(name = "arrow")]
#[derive(Debug)]
pub struct ArrowFiles {
    /// A file, a directory (its `.arrow`, `.ipc`, `.feather` and `.parquet` files) or a glob
    /// (`/data/*.parquet`), local (also `file://`) or in an object store (`s3://bucket/key`,
    /// `gs://`, `az://`); `load(path)` sets it.
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
    #[option(flatten)]
    storage: Storage,
    /// Object storage: the store client's retries of throttling, 5xx answers, dropped
    /// connections and timeouts.
    #[option(flatten)]
    retry: Retry,
}

/// What the driver found: the files, and which of their row groups to read.
#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Listing {
    /// Every file the path names, sorted by path.
    pub files: Vec<ListedFile>,
}

/// One file of the listing.
#[derive(Serialize, Deserialize, Debug)]
pub struct ListedFile {
    /// A local file's path, or an object's key.
    pub path: String,
    /// An object's size (it saves a request per task); `None` for a local file.
    pub size: Option<u64>,
    /// An object's version as listed (its ETag), where the store gives one.
    pub version: Option<String>,
    /// How the file is read: by the `format` option, or its extension.
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
    /// The file: its index in the [`Listing`].
    pub file: usize,
    /// The Parquet row groups the task reads; empty for an Arrow IPC file.
    pub row_groups: Vec<usize>,
}

/// Where the files are.
enum Place {
    Local(String),
    Store(StoreUrl),
}

impl ArrowFiles {
    fn place(&self) -> Result<Place> {
        match StoreUrl::parse(&self.path) {
            Some(url) => Ok(Place::Store(url?)),
            None => Ok(Place::Local(
                self.path
                    .strip_prefix("file://")
                    .unwrap_or(&self.path)
                    .to_owned(),
            )),
        }
    }

    /// Every file and its format; with the filters, the row groups they leave to read.
    fn list(&self, filters: Option<&[&Filter]>) -> Result<Vec<ListedFile>> {
        match self.place()? {
            Place::Local(path) => listing::files(&path)?
                .into_iter()
                .map(|file| {
                    let format = self.format.of(&file);
                    let (row_groups, row_groups_in_file) = match (format, filters) {
                        (Format::Parquet, Some(filters)) => files::row_groups(&file, filters)?,
                        _ => (Vec::new(), 0),
                    };
                    Ok(ListedFile {
                        path: file.to_string_lossy().into_owned(),
                        size: None,
                        version: None,
                        format,
                        row_groups,
                        row_groups_in_file,
                    })
                })
                .collect(),
            Place::Store(url) => {
                let store = store::client(&url, &self.storage, &self.retry)?;
                block_on(async {
                    let mut listed = Vec::new();
                    for (key, size, version) in store::list(&**store, &url).await? {
                        let mut file = ListedFile {
                            format: self.format.of(Path::new(&key)),
                            path: key,
                            size: Some(size),
                            version,
                            row_groups: Vec::new(),
                            row_groups_in_file: 0,
                        };
                        if let (Format::Parquet, Some(filters)) = (file.format, filters) {
                            (file.row_groups, file.row_groups_in_file) =
                                objects::Object::of(&store, &url, &file)
                                    .row_groups(filters)
                                    .await?;
                        }
                        listed.push(file);
                        // Only the first file matters without filters (its schema).
                        if filters.is_none() {
                            break;
                        }
                    }
                    Ok(listed)
                })
            }
        }
    }

    /// The first file's schema.
    fn file_schema(&self) -> Result<SchemaRef> {
        match self.place()? {
            Place::Local(path) => {
                let first = listing::files(&path)?.swap_remove(0);
                files::schema(&first, self.format.of(&first))
            }
            Place::Store(url) => {
                let first = self.list(None)?.swap_remove(0);
                let store = store::client(&url, &self.storage, &self.retry)?;
                let object = objects::Object::of(&store, &url, &first);
                block_on(object.schema(first.format))
            }
        }
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
        Ok(Listing {
            files: self.list(Some(&filters))?,
        })
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
        let schema = scan.schema().clone();
        // The plan came through Spark: its files must still be ones `path` names.
        let (read, batches) = match self.place()? {
            Place::Local(path) => {
                listing::check_inside(&path, Path::new(&listed.path))?;
                let (read, batches) = files::batches(
                    Path::new(&listed.path),
                    listed.format,
                    &schema,
                    share.row_groups,
                    self.batch_rows,
                )?;
                (read, Batches::from_record_batches(batches))
            }
            Place::Store(url) => {
                url.check_inside(&listed.path)?;
                let store = store::client(&url, &self.storage, &self.retry)?;
                let object = objects::Object::of(&store, &url, listed);
                block_on(object.batches(listed.format, &schema, share.row_groups, self.batch_rows))?
            }
        };
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
