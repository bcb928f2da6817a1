//! What the driver looks at once per trigger: the directory's files and their sizes, where the
//! complete lines of each end, and (under a row or byte limit) where a budget of lines runs out.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use datasource_py::prelude::*;
use datasource_py::{Context, format_err};

use crate::{Positions, names};

/// The bytes read at once while scanning.
const BLOCK: usize = 1 << 20;

/// The files of the directory, in name order, with their sizes.
#[derive(Debug)]
pub(crate) struct Listing {
    dir: PathBuf,
    files: Vec<(String, u64)>,
}

impl Listing {
    pub(crate) fn of(dir: &Path, suffix: &str) -> Result<Self> {
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list the directory `{}`", dir.display()))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
            let name = entry.file_name();
            let bytes = name.as_encoded_bytes();
            if bytes.starts_with(b".")
                || bytes.starts_with(b"_")
                || !bytes.ends_with(suffix.as_bytes())
            {
                continue;
            }
            let path = entry.path();
            let mut metadata = entry
                .metadata()
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            if metadata.file_type().is_symlink() {
                // Followed only to a file inside the directory.
                let Ok(target) = std::fs::metadata(&path) else {
                    continue; // a dangling link
                };
                if !target.is_file() {
                    continue;
                }
                names::inside(dir, &path)?;
                metadata = target;
            }
            if metadata.is_file() {
                files.push((names::key_of(&name), metadata.len()));
            }
        }
        files.sort();
        Ok(Listing {
            dir: dir.to_owned(),
            files,
        })
    }

    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, u64)> {
        self.files.iter().map(|(name, size)| (name.as_str(), *size))
    }

    fn open(&self, file: &str, at: u64) -> Result<File> {
        let path = names::path_of(&self.dir, file)?;
        let mut opened = names::open_inside(&self.dir, &path)?;
        opened.seek(SeekFrom::Start(at))?;
        Ok(opened)
    }

    /// Where the complete lines of `file` (of `size` bytes) end: just after its last line
    /// break, or `from` when nothing after `from` is a complete line yet.
    pub(crate) fn complete_end(&self, file: &str, from: u64, size: u64) -> Result<u64> {
        if size < from {
            return Err(format_err!(
                "`{}` has {size} bytes, fewer than the {from} already read: the files of a \
                 tail stream may only grow",
                self.dir.join(names::shown(file).as_ref()).display()
            ));
        }
        let mut block = vec![0; BLOCK];
        let mut end = size;
        while end > from {
            let start = end.saturating_sub(BLOCK as u64).max(from);
            let chunk = &mut block[..(end - start) as usize];
            self.open(file, start)?.read_exact(chunk)?;
            if let Some(last) = memchr::memrchr(b'\n', chunk) {
                return Ok(start + last as u64 + 1);
            }
            end = start;
        }
        Ok(from)
    }

    /// Calls `line_end` with the position after each line break of `file` in `from..to`, in
    /// order, until it returns false.
    fn each_line_end(
        &self,
        file: &str,
        from: u64,
        to: u64,
        mut line_end: impl FnMut(u64) -> bool,
    ) -> Result<()> {
        let mut reader = self.open(file, from)?;
        let mut block = vec![0; BLOCK];
        let mut at = from;
        while at < to {
            let length = ((to - at) as usize).min(BLOCK);
            let chunk = &mut block[..length];
            reader.read_exact(chunk)?;
            for index in memchr::memchr_iter(b'\n', chunk) {
                if !line_end(at + index as u64 + 1) {
                    return Ok(());
                }
            }
            at += length as u64;
        }
        Ok(())
    }

    /// The lines between two offsets.
    pub(crate) fn count_lines(&self, start: &Positions, end: &Positions) -> Result<u64> {
        let mut lines = 0;
        for (file, &to) in &end.files {
            self.each_line_end(file, start.of(file), to, |_| {
                lines += 1;
                true
            })?;
        }
        Ok(lines)
    }
}

/// What is left of a micro-batch's read limit as files are taken in order.
#[derive(Debug)]
pub(crate) struct Budget {
    rows: Option<u64>,
    bytes: Option<u64>,
    files: Option<u64>,
    /// Whether a line was taken: the first line is taken even when it alone is over a byte
    /// limit, or the stream would never move.
    taken: bool,
}

impl Budget {
    pub(crate) fn new(limit: ReadLimit) -> Self {
        let mut budget = Budget {
            rows: None,
            bytes: None,
            files: None,
            taken: false,
        };
        match limit {
            ReadLimit::MaxRows(rows) => budget.rows = Some(rows),
            ReadLimit::MaxBytes(bytes) => budget.bytes = Some(bytes),
            ReadLimit::MaxFiles(files) => budget.files = Some(files),
            // Everything, or a limit a newer Spark adds (as Spark's own file stream does).
            _ => {}
        }
        budget
    }

    pub(crate) fn exhausted(&self) -> bool {
        [self.rows, self.bytes, self.files].contains(&Some(0))
    }

    /// Takes what the budget allows of `from..to` (complete lines) of `file`: where the taken
    /// lines end.
    pub(crate) fn take(
        &mut self,
        listing: &Listing,
        file: &str,
        from: u64,
        to: u64,
    ) -> Result<u64> {
        if let Some(files) = &mut self.files {
            *files -= 1;
        }
        if self.rows.is_none() && self.bytes.is_none() {
            self.taken = true;
            return Ok(to);
        }
        let mut end = from;
        listing.each_line_end(file, from, to, |line_end| {
            let length = line_end - end;
            let fits = match self.bytes {
                Some(bytes) => length <= bytes || !self.taken,
                None => true,
            };
            if !fits || self.rows == Some(0) {
                self.bytes = self.bytes.map(|_| 0);
                return false;
            }
            end = line_end;
            self.taken = true;
            self.rows = self.rows.map(|rows| rows - 1);
            self.bytes = self.bytes.map(|bytes| bytes.saturating_sub(length));
            !self.exhausted()
        })?;
        Ok(end)
    }
}
