//! What maturin must be told in `pyproject.toml` to pack the generated files: `[tool.maturin]`'s
//! `python-source` directory and `python-packages` (the modules beside the wheel's own).
//! Edited with toml_edit, so the rest of the file keeps its layout and comments.

use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, value};

/// The directory of the Python files when `pyproject.toml` names none.
pub const DEFAULT_PYTHON_SOURCE: &str = "python";

#[derive(Debug)]
pub struct PyProject {
    path: PathBuf,
    document: DocumentMut,
}

impl PyProject {
    pub fn read(crate_dir: &Path) -> Result<Self, String> {
        let path = crate_dir.join("pyproject.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let document = text
            .parse()
            .map_err(|error| format!("{} is not valid TOML: {error}", path.display()))?;
        Ok(PyProject { path, document })
    }

    fn maturin(&self) -> Option<&Table> {
        self.document.get("tool")?.get("maturin")?.as_table()
    }

    fn maturin_mut(&mut self) -> &mut Table {
        let tool = self.document.entry("tool").or_insert_with(implicit_table);
        let tool = tool.as_table_mut().expect("`tool` is a table");
        let maturin = tool
            .entry("maturin")
            .or_insert_with(|| Item::Table(Table::new()));
        maturin.as_table_mut().expect("`tool.maturin` is a table")
    }

    fn string(&self, key: &str) -> Option<&str> {
        self.maturin()?.get(key)?.as_str()
    }

    /// The directory maturin takes Python files from, relative to the crate.
    pub fn python_source(&self) -> &str {
        self.string("python-source")
            .unwrap_or(DEFAULT_PYTHON_SOURCE)
    }

    fn python_packages(&self) -> Vec<String> {
        let listed = self.maturin().and_then(|m| m.get("python-packages"));
        let listed = listed.and_then(Item::as_array).into_iter().flatten();
        listed
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// What the file lacks for a wheel of `module` with the further modules `packages`
    /// (`stale`: generated modules no longer exported, to drop), each fixed in the document
    /// (written by `save`).
    pub fn reconcile(
        &mut self,
        module: &str,
        packages: &[String],
        stale: &[String],
    ) -> Vec<String> {
        let mut problems = Vec::new();
        if self.string("python-source").is_none() {
            problems.push(format!(
                "pyproject.toml: `[tool.maturin]` has no `python-source`: maturin packs the \
                 Python files only from that directory (`python-source = \"{DEFAULT_PYTHON_SOURCE}\"`)"
            ));
            self.maturin_mut()["python-source"] = value(DEFAULT_PYTHON_SOURCE);
        }
        if let Some(named) = self.string("module-name").filter(|named| *named != module) {
            problems.push(format!(
                "pyproject.toml: `[tool.maturin] module-name` is `{named}`, but `export!` names \
                 the module `{module}`"
            ));
            self.maturin_mut()["module-name"] = value(module);
        }
        let listed = self.python_packages();
        let missing: Vec<_> = packages.iter().filter(|p| !listed.contains(p)).collect();
        let dropped: Vec<_> = listed.iter().filter(|p| stale.contains(p)).collect();
        if missing.is_empty() && dropped.is_empty() {
            return problems;
        }
        for package in &missing {
            problems.push(format!(
                "pyproject.toml: `[tool.maturin] python-packages` lacks \"{package}\": without \
                 it the module is not in the wheel"
            ));
        }
        for package in &dropped {
            problems.push(format!(
                "pyproject.toml: `[tool.maturin] python-packages` lists \"{package}\", a module \
                 of a source `export!` no longer lists"
            ));
        }
        let kept = listed.iter().filter(|p| !stale.contains(p));
        let array: Array = kept.chain(missing).map(String::as_str).collect();
        self.maturin_mut()["python-packages"] = value(array);
        problems
    }

    pub fn save(&self) -> Result<(), String> {
        std::fs::write(&self.path, self.document.to_string())
            .map_err(|error| format!("cannot write {}: {error}", self.path.display()))
    }
}

fn implicit_table() -> Item {
    let mut table = Table::new();
    table.set_implicit(true);
    Item::Table(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(text: &str) -> PyProject {
        PyProject {
            path: PathBuf::from("pyproject.toml"),
            document: text.parse().unwrap(),
        }
    }

    const STARTER: &str = "[project]\nname = \"pyspark-x\"\n\n[tool.maturin]\n\
                           # the module\nmodule-name = \"pyspark_x\"\nbindings = \"pyo3\"\n";

    #[test]
    fn a_plain_maturin_table_gains_the_python_source_and_the_modules() {
        let mut pyproject = project(STARTER);
        let packages = ["pyspark_y".to_owned()];
        let problems = pyproject.reconcile("pyspark_x", &packages, &[]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("no `python-source`"));
        assert!(problems[1].contains("lacks \"pyspark_y\""));
        let text = pyproject.document.to_string();
        assert!(
            text.contains("# the module\nmodule-name = \"pyspark_x\""),
            "{text}"
        );
        assert!(text.contains("python-source = \"python\""), "{text}");
        assert!(text.contains("python-packages = [\"pyspark_y\"]"), "{text}");
        assert!(pyproject.reconcile("pyspark_x", &packages, &[]).is_empty());
    }

    #[test]
    fn stale_modules_go_and_the_authors_own_stay() {
        let mut pyproject = project(
            "[tool.maturin]\npython-source = \"py\"\n\
             python-packages = [\"helpers\", \"pyspark_old\", \"pyspark_y\"]\n",
        );
        assert_eq!(pyproject.python_source(), "py");
        let packages = ["pyspark_y".to_owned(), "pyspark_z".to_owned()];
        let problems = pyproject.reconcile("pyspark_x", &packages, &["pyspark_old".to_owned()]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            pyproject.python_packages(),
            ["helpers", "pyspark_y", "pyspark_z"]
        );
    }

    #[test]
    fn a_module_name_other_than_the_exported_one_is_corrected() {
        let mut pyproject =
            project("[tool.maturin]\npython-source = \"python\"\nmodule-name = \"other\"\n");
        let problems = pyproject.reconcile("pyspark_x", &[], &[]);
        assert!(problems[0].contains("`other`"), "{problems:?}");
        assert_eq!(pyproject.string("module-name"), Some("pyspark_x"));
    }

    #[test]
    fn a_file_without_a_maturin_table_gets_one() {
        let mut pyproject = project("[project]\nname = \"x\"\n");
        pyproject.reconcile("pyspark_x", &[], &[]);
        assert!(
            pyproject
                .document
                .to_string()
                .contains("[tool.maturin]\npython-source")
        );
    }
}
