//! [`Secret`]: an option value that is never printed, and may be given by reference.
//!
//! A secret option's value may name where the secret is instead of holding it: `env:NAME` (an
//! environment variable) or `file:PATH` (a file's text, a trailing newline dropped). Spark's
//! options, the source's pickles and every log then carry only the reference; each node
//! (driver and executors) reads the secret itself when it parses the options, so every node
//! must have the variable or the file (`spark.executorEnv.NAME` sets a variable on executors;
//! a Kubernetes or YARN secret mounts a file).

use std::fmt;

/// A value (a password, a token) that never shows in `Debug`, `Display`, errors or logs.
///
/// Read it with [`Secret::expose`] where it is used, and nowhere else.
///
/// ```
/// use datasource_core::Secret;
/// let token = Secret::new("s3cr3t".to_string());
/// assert_eq!(format!("{token:?} {token}"), "Secret(***) ***");
/// assert_eq!(token.expose(), "s3cr3t");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret value itself.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// What a secret option's raw value refers to: `Ok(Some(secret))` for `env:NAME` or
/// `file:PATH`, `Ok(None)` for a value given as it is, `Err(reason)` for a reference that
/// cannot be read here (the reason names it, never a value).
pub(crate) fn resolve_reference(raw: &str) -> Result<Option<String>, String> {
    if let Some(name) = raw.strip_prefix("env:") {
        let name = name.trim();
        if name.is_empty() {
            return Err("`env:` names no environment variable".into());
        }
        return match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Err(format!(
                "the environment variable `{name}` is not set on this node (each node that reads \
                 the options, driver and executors, must have it)"
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "the environment variable `{name}` is not UTF-8 text"
            )),
        };
    }
    if let Some(path) = raw.strip_prefix("file:") {
        let path = path.trim();
        if path.is_empty() {
            return Err("`file:` names no file".into());
        }
        return match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = text.strip_suffix('\n').unwrap_or(&text);
                Ok(Some(text.strip_suffix('\r').unwrap_or(text).to_owned()))
            }
            Err(error) => Err(format!(
                "cannot read the file `{path}` on this node ({}; each node that reads the \
                 options, driver and executors, must have it)",
                io_reason(&error)
            )),
        };
    }
    Ok(None)
}

/// An I/O error's reason without the OS error code (`No such file or directory`).
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_where_the_options_are_parsed() {
        // SAFETY-free: a variable only this test sets.
        let name = "DATASOURCE_CORE_TEST_SECRET_REFERENCE";
        assert!(
            resolve_reference(&format!("env:{name}"))
                .unwrap_err()
                .contains(name)
        );
        let dir = std::env::temp_dir().join(format!("secret-ref-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "s3cr3t-from-file\r\n").unwrap();
        assert_eq!(
            resolve_reference(&format!("file:{}", file.display())).unwrap(),
            Some("s3cr3t-from-file".to_owned())
        );
        let missing = resolve_reference(&format!("file:{}", dir.join("nope").display()));
        assert!(missing.unwrap_err().contains("No such file or directory"));
        assert_eq!(resolve_reference("hunter2").unwrap(), None);
        assert!(resolve_reference("env:").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
