//! The bridge from Rust's `log` to Python's `logging`: what a source (or a library it uses)
//! logs reaches the Python logger named after the record's target (`pyspark_rest::fetch`,
//! `datasource::retry`), on the driver and in every executor's Python worker, with every
//! secret masked ([`datasource_core::redact`]).
//!
//! Python decides what is shown: by default its last-resort handler prints WARNING and above
//! to stderr (the executors' stderr log, the driver's console); `logging.basicConfig(level=...)`
//! or a logger's level shows more. `tracing` events reach the bridge through `tracing`'s `log`
//! feature.
//!
//! A dependency's DEBUG and TRACE records (an HTTP client's or a TLS library's wire dumps, which
//! carry credentials in forms no redaction recognises, such as hex bytes) are not forwarded
//! unless asked for by name: `logging.getLogger("ureq").setLevel(logging.DEBUG)` asks for the
//! `ureq` crate's; a level set only on the root logger does not. The source's own crates and the
//! SDK's are forwarded at every level.

use std::collections::HashMap;
use std::sync::{Mutex, Once};

use log::{Level, LevelFilter, Log, Metadata, Record};
use pyo3::Python;
use pyo3::prelude::*;

/// Targets whose records are forwarded at every level: the SDK's own.
const SDK_TARGETS: &[&str] = &["datasource", "datasource_core", "datasource_py"];

/// Forwards records to `pyo3_log` with secrets masked, and a dependency's debugging records
/// only where asked for.
struct Redacting {
    inner: pyo3_log::Logger,
    /// The crates of the module's sources.
    own: Vec<&'static str>,
    /// Whether a dependency's crate has a Python logger with a level of its own (cached, as
    /// `pyo3_log` caches levels).
    asked: Mutex<HashMap<String, bool>>,
}

impl Redacting {
    fn forwarded(&self, metadata: &Metadata<'_>) -> bool {
        if metadata.level() <= Level::Info {
            return true;
        }
        let root = metadata.target().split("::").next().unwrap_or_default();
        if SDK_TARGETS.contains(&root) || self.own.contains(&root) {
            return true;
        }
        let mut asked = self.asked.lock().unwrap_or_else(|e| e.into_inner());
        *asked
            .entry(root.to_owned())
            .or_insert_with(|| has_own_level(root))
    }
}

/// Whether Python's logger named `name` has a level set on it (not inherited from the root).
fn has_own_level(name: &str) -> bool {
    Python::attach(|py| {
        let level = py
            .import("logging")
            .and_then(|logging| logging.getattr("getLogger")?.call1((name,)))
            .and_then(|logger| logger.getattr("level")?.extract::<i64>());
        matches!(level, Ok(level) if level != 0)
    })
}

impl Log for Redacting {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.inner.enabled(metadata) && self.forwarded(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        let text = datasource_core::redact::redact(&text);
        self.inner.log(
            &Record::builder()
                .args(format_args!("{text}"))
                .metadata(record.metadata().clone())
                .module_path(record.module_path())
                .file(record.file())
                .line(record.line())
                .build(),
        );
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

/// Installs the bridge as this process's `log` logger, once; where another logger is already
/// installed (an extension module built with another SDK copy), that one stays. `own` are the
/// crates of the module's sources.
pub(crate) fn install(py: Python<'_>, own: Vec<&'static str>) {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // Python's loggers decide; their levels are cached per target (a record below them
        // costs no trip into Python).
        let logger = pyo3_log::Logger::new(py, pyo3_log::Caching::LoggersAndLevels)
            .map(|logger| logger.filter(LevelFilter::Trace));
        if let Ok(inner) = logger {
            let bridge = Redacting {
                inner,
                own,
                asked: Mutex::new(HashMap::new()),
            };
            if log::set_boxed_logger(Box::new(bridge)).is_ok() {
                log::set_max_level(LevelFilter::Trace);
            }
        }
    });
}
