//! Where the sink's files live: staged per write (or micro-batch) under `_staging/`, published
//! as plain data files in the target directory, recorded in manifests whose names start with
//! `_` (so Spark's readers skip them).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The directories and file names of one target directory.
#[derive(Debug, Clone)]
pub struct Layout {
    target: PathBuf,
}

impl Layout {
    pub fn new(target: &Path) -> Self {
        Layout {
            target: target.to_owned(),
        }
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Where a batch write's tasks stage their files.
    pub fn write_staging(&self, write_id: &str) -> PathBuf {
        self.target.join("_staging").join(write_id)
    }

    /// Where a micro-batch's tasks stage their files.
    pub fn batch_staging(&self, batch_id: u64) -> PathBuf {
        self.target.join("_staging").join(batch_name(batch_id))
    }

    /// The published name of a batch write's file.
    pub fn write_file(&self, write_id: &str, partition: u32, extension: &str) -> PathBuf {
        self.target
            .join(format!("part-{write_id}-{partition:05}.{extension}"))
    }

    /// The published name of a micro-batch's file.
    pub fn batch_file(&self, batch_id: u64, partition: u32, extension: &str) -> PathBuf {
        self.target.join(format!(
            "{}-part-{partition:05}.{extension}",
            batch_name(batch_id)
        ))
    }

    /// The manifest of a published micro-batch: its presence says the batch is published.
    pub fn batch_manifest(&self, batch_id: u64) -> PathBuf {
        self.target.join("_batches").join(batch_name(batch_id))
    }

    /// The manifest of a published batch write.
    pub fn success(&self) -> PathBuf {
        self.target.join("_SUCCESS")
    }

    /// Every published data file: not a manifest, not staged, not hidden.
    pub fn published(&self) -> io::Result<Vec<PathBuf>> {
        let entries = match fs::read_dir(&self.target) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type()?.is_file() && !name.starts_with(['_', '.']) {
                files.push(entry.path());
            }
        }
        files.sort();
        Ok(files)
    }

    /// The published files of micro-batch `batch_id` (a commit that stopped half-way).
    pub fn published_of_batch(&self, batch_id: u64) -> io::Result<Vec<PathBuf>> {
        let prefix = format!("{}-", batch_name(batch_id));
        Ok(self
            .published()?
            .into_iter()
            .filter(|path| {
                path.file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with(&prefix))
            })
            .collect())
    }
}

fn batch_name(batch_id: u64) -> String {
    format!("batch-{batch_id:010}")
}

/// Removes a directory and what it holds; one that is not there is no error.
pub fn remove_dir(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Removes `_staging` once no write stages anything there.
pub fn remove_empty_staging(layout: &Layout) {
    let _ = fs::remove_dir(layout.target().join("_staging"));
}
