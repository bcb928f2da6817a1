//! `files`: a Spark sink of Parquet or JSON Lines files in a directory, batch and streaming,
//! that publishes a write all at once or not at all.
//!
//! Each task writes its file into a staging directory under the target (`_staging/`, which
//! Spark's own readers skip, as they skip every name starting with `_`). `commit` renames every
//! staged file into the target, then writes a manifest (`_SUCCESS` for a batch write,
//! `_batches/<id>` for a micro-batch); `abort` removes the staging directory. `overwrite`
//! removes earlier output only at commit. A micro-batch committed again (after a restart) is
//! not published twice.

mod files;
mod layout;

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
