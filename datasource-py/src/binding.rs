//! Type erasure between the generic Rust traits and the Python classes: a [`SourceBinding`] is a
//! `#[data_source]` type seen as its metadata, its capabilities, and a way to open it.

use std::sync::Arc;

use datasource_core::options::OptionsError;
use datasource_core::{DataSource, RawOptions};

use crate::capability::Capabilities;
use crate::source::OpenSource;

/// A data source type, as the Python module sees it.
pub struct SourceBinding(Box<dyn SourceType>);

impl SourceBinding {
    /// Binds a source type with the capabilities `export!` found for it.
    pub fn new<T: DataSource>(capabilities: Capabilities<T>) -> Self {
        SourceBinding(Box::new(TypedSource { capabilities }))
    }

    pub(crate) fn name(&self) -> &'static str {
        self.0.name()
    }

    pub(crate) fn class_name(&self) -> &'static str {
        self.0.class_name()
    }

    pub(crate) fn description(&self) -> &'static str {
        self.0.description()
    }

    pub(crate) fn options_markdown(&self) -> String {
        self.0.options_markdown()
    }

    pub(crate) fn capabilities(&self) -> Vec<&'static str> {
        self.0.capabilities()
    }

    /// The crate that defines the source (the root of its log records' targets).
    pub(crate) fn crate_name(&self) -> &'static str {
        self.0.crate_name()
    }

    /// Parses Spark's options into the source, with its capabilities' glue around it.
    pub(crate) fn open(&self, options: &RawOptions) -> Result<OpenSource, OptionsError> {
        self.0.open(options)
    }
}

impl std::fmt::Debug for SourceBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceBinding")
            .field("name", &self.name())
            .field("capabilities", &self.capabilities())
            .finish()
    }
}

trait SourceType: Send + Sync {
    fn name(&self) -> &'static str;
    fn class_name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn options_markdown(&self) -> String;
    fn capabilities(&self) -> Vec<&'static str>;
    fn crate_name(&self) -> &'static str;
    fn open(&self, options: &RawOptions) -> Result<OpenSource, OptionsError>;
}

struct TypedSource<T> {
    capabilities: Capabilities<T>,
}

impl<T: DataSource> SourceType for TypedSource<T> {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn class_name(&self) -> &'static str {
        T::CLASS_NAME
    }

    fn description(&self) -> &'static str {
        T::DESCRIPTION
    }

    fn options_markdown(&self) -> String {
        T::options_markdown()
    }

    fn capabilities(&self) -> Vec<&'static str> {
        self.capabilities.names()
    }

    fn crate_name(&self) -> &'static str {
        let path = std::any::type_name::<T>();
        path.split("::").next().unwrap_or(path)
    }

    fn open(&self, options: &RawOptions) -> Result<OpenSource, OptionsError> {
        let source = Arc::new(T::from_options(options)?);
        Ok(OpenSource::new(T::NAME, self.capabilities.open(source)))
    }
}
