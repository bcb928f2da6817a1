//! The test `export!` adds to a source crate: the crate's Python files and `pyproject.toml`
//! match its export list, or `cargo test` fails saying what differs; with
//! `DATASOURCE_PY=overwrite` it writes them instead (as trybuild's `TRYBUILD=overwrite` does).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::pyproject::PyProject;
use super::{ExportedSource, PythonFile, WheelLayout, is_generated};

/// The environment variable, and its value, that writes the files instead of checking them.
const OVERWRITE: (&str, &str) = ("DATASOURCE_PY", "overwrite");

/// Checks (or, with `DATASOURCE_PY=overwrite`, writes) the Python side of the wheel built from
/// the crate at `crate_dir`; panics with every difference.
pub fn check_wheel_files(crate_dir: &str, module: &str, sources: &[ExportedSource]) {
    let overwrite = std::env::var(OVERWRITE.0).is_ok_and(|v| v == OVERWRITE.1);
    match reconcile(Path::new(crate_dir), module, sources, overwrite) {
        Ok(written) => {
            // Straight to stderr: the test harness would hide printed lines of a passing test.
            let mut stderr = std::io::stderr();
            for path in written {
                let _ = writeln!(stderr, "datasource-py: wrote {}", path.display());
            }
        }
        Err(message) => panic!("{message}"),
    }
}

/// A difference between the crate and what its export list needs.
struct Problem {
    text: String,
    /// What overwriting does about it; `None` when only the author can.
    fix: Option<Fix>,
}

enum Fix {
    Write(PythonFile),
    Remove(PathBuf),
    PyProject,
}

fn reconcile(
    crate_dir: &Path,
    module: &str,
    sources: &[ExportedSource],
    overwrite: bool,
) -> Result<Vec<PathBuf>, String> {
    let layout = WheelLayout::new(module, sources)?;
    let mut pyproject = PyProject::read(crate_dir)?;
    let source_dir = crate_dir.join(pyproject.python_source());
    let packages: Vec<String> = layout
        .source_packages()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let stale = stale_packages(&source_dir, module, &packages);

    let mut problems: Vec<Problem> = pyproject
        .reconcile(module, &packages, &stale)
        .into_iter()
        .map(|text| Problem {
            text,
            fix: Some(Fix::PyProject),
        })
        .collect();
    for file in layout.files() {
        problems.extend(file_problem(&source_dir, file));
    }
    for package in &stale {
        let path = source_dir.join(package).join("__init__.py");
        problems.push(Problem {
            text: format!("{} serves a source `export!` no longer lists", shown(&path)),
            fix: Some(Fix::Remove(path)),
        });
    }
    if problems.is_empty() {
        return Ok(Vec::new());
    }
    let blocked: Vec<_> = problems.iter().filter(|p| p.fix.is_none()).collect();
    if !overwrite || !blocked.is_empty() {
        return Err(report(crate_dir, &problems, overwrite));
    }
    apply(&source_dir, &pyproject, problems)
}

/// Generated modules of sources that are no longer exported.
fn stale_packages(source_dir: &Path, module: &str, packages: &[String]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(source_dir) else {
        return Vec::new();
    };
    let mut stale: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("pyspark_") && name != module)
        .filter(|name| !packages.contains(name))
        .filter(|name| {
            let init = std::fs::read_to_string(source_dir.join(name).join("__init__.py"));
            init.is_ok_and(|text| is_generated(&text))
        })
        .collect();
    stale.sort();
    stale
}

fn file_problem(source_dir: &Path, file: PythonFile) -> Option<Problem> {
    let path = source_dir.join(&file.path);
    let (text, fix) = match std::fs::read_to_string(&path) {
        Ok(text) if text == file.text => return None,
        Ok(text) if !is_generated(&text) => (
            format!(
                "{} was not written by datasource-py, and the wheel needs the generated one \
                 there: move your code to another module",
                shown(&path)
            ),
            None,
        ),
        Ok(_) => (format!("{} is out of date", shown(&path)), Some(file)),
        Err(_) => (format!("{} is missing", shown(&path)), Some(file)),
    };
    Some(Problem {
        text,
        fix: fix.map(Fix::Write),
    })
}

fn report(crate_dir: &Path, problems: &[Problem], overwrite: bool) -> String {
    let mut message = String::from(
        "the wheel's Python files do not match `export!` (Spark finds a source by name only \
         through a `pyspark_*` module of its own):\n",
    );
    for problem in problems {
        message.push_str(&format!("  - {}\n", problem.text));
    }
    if overwrite {
        message.push_str("nothing was written: the problems above need your hand first");
    } else {
        message.push_str(&format!(
            "to write them, run `{}={} cargo test` in {}",
            OVERWRITE.0,
            OVERWRITE.1,
            crate_dir.display()
        ));
    }
    message
}

fn apply(
    source_dir: &Path,
    pyproject: &PyProject,
    problems: Vec<Problem>,
) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    let mut pyproject_fixed = false;
    for fix in problems.into_iter().filter_map(|p| p.fix) {
        match fix {
            Fix::Write(file) => {
                let path = source_dir.join(&file.path);
                let parent = path.parent().expect("a file in a package");
                std::fs::create_dir_all(parent)
                    .and_then(|()| std::fs::write(&path, &file.text))
                    .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
                written.push(path);
            }
            Fix::Remove(path) => {
                std::fs::remove_file(&path)
                    .map_err(|error| format!("cannot remove {}: {error}", path.display()))?;
                // The directory goes too when nothing else (say, __pycache__) is left in it.
                let _ = std::fs::remove_dir(path.parent().expect("a file in a package"));
            }
            Fix::PyProject => pyproject_fixed = true,
        }
    }
    if pyproject_fixed {
        pyproject.save()?;
        written.push(PathBuf::from("pyproject.toml"));
    }
    Ok(written)
}

fn shown(path: &Path) -> String {
    let parts: Vec<_> = path.components().rev().take(3).collect();
    let tail: PathBuf = parts.into_iter().rev().collect();
    tail.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::tests::{PEOPLE, RANGE};

    fn crate_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("datasource-py-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.maturin]\nmodule-name = \"pyspark_fakepeople\"\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn checking_fails_until_overwriting_writes_the_files_then_passes() {
        let dir = crate_dir("fresh");
        let sources = [PEOPLE, RANGE];
        let error = reconcile(&dir, "pyspark_fakepeople", &sources, false).unwrap_err();
        assert!(
            error.contains("pyspark_fakerange/__init__.py is missing"),
            "{error}"
        );
        assert!(error.contains("lacks \"pyspark_fakerange\""), "{error}");
        assert!(
            error.contains("DATASOURCE_PY=overwrite cargo test"),
            "{error}"
        );

        reconcile(&dir, "pyspark_fakepeople", &sources, true).unwrap();
        assert!(dir.join("python/pyspark_fakerange/__init__.py").exists());
        assert_eq!(
            reconcile(&dir, "pyspark_fakepeople", &sources, false).unwrap(),
            Vec::<PathBuf>::new()
        );

        // A source dropped from the list: its module is stale, and goes when overwriting.
        let error = reconcile(&dir, "pyspark_fakepeople", &[PEOPLE], false).unwrap_err();
        assert!(error.contains("no longer lists"), "{error}");
        reconcile(&dir, "pyspark_fakepeople", &[PEOPLE], true).unwrap();
        assert!(!dir.join("python/pyspark_fakerange").exists());
        reconcile(&dir, "pyspark_fakepeople", &[PEOPLE], false).unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_hand_written_init_is_never_overwritten() {
        let dir = crate_dir("hand");
        let init = dir.join("python/pyspark_fakepeople/__init__.py");
        std::fs::create_dir_all(init.parent().unwrap()).unwrap();
        std::fs::write(&init, "print('mine')\n").unwrap();
        let error = reconcile(&dir, "pyspark_fakepeople", &[PEOPLE], true).unwrap_err();
        assert!(
            error.contains("was not written by datasource-py"),
            "{error}"
        );
        assert!(error.contains("nothing was written"), "{error}");
        assert_eq!(std::fs::read_to_string(&init).unwrap(), "print('mine')\n");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
