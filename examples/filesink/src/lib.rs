//! `files`: a Spark sink of Parquet or JSON Lines files in a directory, batch and streaming,
//! that publishes a write all at once or not at all.
//!
//! Each task writes its file into a staging directory under the target (`_staging/`, which
//! Spark's own readers skip, as they skip every name starting with `_`). `commit`, holding the
//! directory's commit lock, records a journal, moves what it replaces aside, renames every
//! staged file into the target, then writes a manifest (`_SUCCESS` for a batch write,
//! `_batches/<id>` for a micro-batch); a crash at any point is finished or undone by the next
//! write (`commit.rs`). `abort` removes the staging directory. `overwrite` replaces everything
//! Spark's readers read, only at commit. A micro-batch committed again (after a restart) is
//! not published twice. Commit messages carry numbers, never paths (`layout.rs`).

#![deny(missing_docs)]

mod commit;
mod files;
mod layout;
#[cfg(test)]
mod sink_tests;

pub use commit::CommitStep;
pub use files::{FileFormat, Files, Staged};

datasource_py::export!(pyspark_filesink => Files);

#[cfg(test)]
mod tests {
    use datasource_py::DataSource;

    #[test]
    fn readme_lists_the_options() {
        let readme = include_str!("../README.md");
        let table = super::Files::options_markdown();
        assert!(readme.contains(&table), "README.md is missing:\n{table}");
    }
}
