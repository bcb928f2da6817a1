//! The bridge from Rust's `log` to Python's `logging`: what a source (or a library it uses)
//! logs reaches the Python logger named after the record's target (`pyspark_rest::fetch`,
//! `datasource::retry`), on the driver and in every executor's Python worker, with every
//! secret masked ([`datasource_core::redact`]).
//!
//! Python decides what is shown: by default its last-resort handler prints WARNING and above
//! to stderr (the executors' stderr log, the driver's console); `logging.basicConfig(level=...)`
//! or a logger's level shows more. `tracing` events reach the bridge through `tracing`'s `log`
//! feature.

use std::sync::Once;

use log::{LevelFilter, Log, Metadata, Record};
use pyo3::Python;

/// Forwards records to `pyo3_log` with secrets masked.
struct Redacting(pyo3_log::Logger);

impl Log for Redacting {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.0.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.0.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        let text = datasource_core::redact::redact(&text);
        self.0.log(
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
        self.0.flush();
    }
}

/// Installs the bridge as this process's `log` logger, once; where another logger is already
/// installed (an extension module built with another SDK copy), that one stays.
pub(crate) fn install(py: Python<'_>) {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // Python's loggers decide; their levels are cached per target (a record below them
        // costs no trip into Python).
        let logger = pyo3_log::Logger::new(py, pyo3_log::Caching::LoggersAndLevels)
            .map(|logger| logger.filter(LevelFilter::Trace));
        if let Ok(logger) = logger
            && log::set_boxed_logger(Box::new(Redacting(logger))).is_ok()
        {
            log::set_max_level(LevelFilter::Trace);
        }
    });
}
