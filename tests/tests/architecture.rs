//! The house's rules, checked on its sources: core's modules import one another without a
//! cycle and name nothing of PySpark's; a capability is named only by its row in the table and
//! its own files; every row has its files on each side.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every `.rs` file under `dir`, with its text (tests' own files left out: they may reach
/// anywhere).
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_stem().is_some_and(|s| s != "tests")
            {
                let text = fs::read_to_string(&path).unwrap();
                // What follows `#[cfg(test)]` is a test module.
                let text = text.split("#[cfg(test)]").next().unwrap().to_owned();
                found.push((path, text));
            }
        }
    }
    found.sort();
    found
}

/// The top-level module a path under `src` belongs to.
fn module_of(src: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// `crate::<name>` references in code (not in comments).
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.insert(name);
        }
    }
    names
}

#[test]
fn cores_modules_import_one_another_without_a_cycle() {
    let src = root().join("datasource-core/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in sources(&src) {
        let module = module_of(&src, &path);
        if module == "lib" {
            continue;
        }
        let uses = graph.entry(module.clone()).or_default();
        uses.extend(crate_references(&text).into_iter().filter(|m| *m != module));
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| modules.contains(m));
    }
    // A module reaches itself through others: a cycle.
    for start in &modules {
        let mut seen = BTreeSet::new();
        let mut pending: Vec<(String, Vec<String>)> = graph[start]
            .iter()
            .map(|m| (m.clone(), vec![start.clone(), m.clone()]))
            .collect();
        while let Some((module, path)) = pending.pop() {
            assert!(
                module != *start,
                "core imports in a cycle: {}",
                path.join(" -> ")
            );
            if seen.insert(module.clone()) {
                for next in &graph[&module] {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    pending.push((next.clone(), longer));
                }
            }
        }
    }
}

#[test]
fn core_names_nothing_of_pysparks() {
    // PySpark's class names belong to the glue's typed boundary.
    let pyspark_names = [
        "\"ReadAllAvailable\"",
        "\"ReadMaxRows\"",
        "\"ReadMinRows\"",
        "\"TaskContext\"",
        "\"StructType\"",
        "\"InputPartition\"",
        "pyo3",
    ];
    for (path, text) in sources(&root().join("datasource-core/src")) {
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for name in pyspark_names {
                assert!(
                    !line.contains(name),
                    "{} names PySpark's {name}: `{line}`",
                    path.display()
                );
            }
        }
    }
}

/// The rows of the capability table: `name: Trait`.
fn capability_rows() -> Vec<(String, String)> {
    let table = fs::read_to_string(root().join("datasource-py/src/capability/mod.rs")).unwrap();
    let start = table.find("macro_rules! with_capabilities").unwrap();
    let body = &table[start..];
    let body = &body[..body.find("\n}\n").unwrap()];
    body.lines()
        .filter_map(|line| {
            let (name, rest) = line.trim().split_once(": ")?;
            let name = name.trim();
            let row = name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && rest.ends_with(',')
                && rest
                    .trim_end_matches(',')
                    .chars()
                    .all(char::is_alphanumeric);
            row.then(|| (name.to_owned(), rest.trim_end_matches(',').to_owned()))
        })
        .collect()
}

#[test]
fn each_capability_is_one_row_and_its_own_files() {
    let rows = capability_rows();
    assert!(rows.len() >= 7, "the table's rows were not found: {rows:?}");
    let glue = root().join("datasource-py/src");
    let python = root().join("datasource-py/python/datasource_py");
    for (name, core_trait) in &rows {
        assert!(
            glue.join(format!("capability/{name}.rs")).exists(),
            "`{name}` has no glue file"
        );
        assert!(
            python.join(format!("{name}.py")).exists(),
            "`{name}` has no Python file"
        );
        let core = fs::read_to_string(root().join("datasource-core/src/lib.rs")).unwrap();
        assert!(
            core.contains(core_trait.as_str()),
            "core does not export `{core_trait}`"
        );
        // Outside the capability folder, the glue never names a capability.
        for (path, text) in sources(&glue) {
            if path.starts_with(glue.join("capability")) {
                continue;
            }
            let mentions = text.lines().any(|line| {
                !line.trim_start().starts_with("//")
                    && line
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .any(|word| word == name)
            });
            assert!(
                !mentions,
                "{} names the capability `{name}`: only its row and its own files may",
                path.display()
            );
        }
    }
}

#[test]
fn the_readme_is_a_front_door_to_every_example_and_guide_page() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 180,
        "README.md has {lines} lines: the reference goes to docs/"
    );
    assert!(
        readme.starts_with("# ") && readme.contains("make demo") && readme.contains("make test"),
        "the README's first lines give the two commands"
    );
    for entry in fs::read_dir(root().join("examples")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("(examples/{name})")),
            "README.md does not link examples/{name}"
        );
    }
    for entry in fs::read_dir(root().join("docs")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("(docs/{name})")),
            "README.md does not link docs/{name}"
        );
        // Each page is compiled by this crate's doctests.
        let pages = fs::read_to_string(root().join("tests/src/lib.rs")).unwrap();
        assert!(
            pages.contains(&format!("\"{name}\"")),
            "docs/{name} is not among the guide pages whose snippets are tested"
        );
    }
}

/// The format names an `export!` lists, from the crate's sources.
fn exported_names(crate_dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for (_, text) in sources(&crate_dir.join("src")) {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[data_source(name = \"") {
            rest = &rest[at + "#[data_source(name = \"".len()..];
            names.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    names
}

#[test]
fn every_example_readme_names_its_sources() {
    let mut crates: Vec<PathBuf> = fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").exists())
        .collect();
    crates.push(root().join("bench/sources"));
    for dir in crates {
        let readme = fs::read_to_string(dir.join("README.md")).unwrap();
        let names = exported_names(&dir);
        assert!(!names.is_empty(), "{} exports no source", dir.display());
        for name in names {
            assert!(
                readme.contains(&format!("`{name}`")),
                "{}/README.md never names its source `{name}`",
                dir.display()
            );
        }
    }
}
