//! Type erasure between the generic Rust traits and the one set of Python classes: a
//! [`SourceBinding`] is a `#[data_source]` type seen through function pointers and trait objects.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use datasource_core::{BatchReader, Batches, OptionsError, RawOptions, Result};

/// A data source type, as the Python module sees it.
#[derive(Clone, Copy)]
pub struct SourceBinding {
    pub(crate) name: &'static str,
    pub(crate) class_name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) options_markdown: fn() -> String,
    pub(crate) open: fn(&RawOptions) -> std::result::Result<Arc<dyn ErasedReader>, OptionsError>,
}

impl std::fmt::Debug for SourceBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceBinding")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SourceBinding {
    /// Binds a batch-readable source.
    pub fn reader<T: BatchReader>() -> Self {
        SourceBinding {
            name: T::NAME,
            class_name: short_type_name::<T>(),
            description: T::DESCRIPTION,
            options_markdown: T::options_markdown,
            open: |options| {
                let source = T::from_options(options)?;
                Ok(Arc::new(Typed(source)) as Arc<dyn ErasedReader>)
            },
        }
    }
}

/// `my_crate::FakePeople` -> `FakePeople`: the Python class is named after the struct.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

/// Batches a reader produces, before the glue checks them.
pub(crate) type RawBatches = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

/// A [`BatchReader`] with its types erased; partitions travel as JSON.
pub(crate) trait ErasedReader: Send + Sync {
    fn schema(&self) -> SchemaRef;
    fn partitions(&self) -> Result<Vec<String>>;
    /// `None`: Spark's placeholder partition when `partitions()` planned none.
    fn read(&self, partition: Option<&str>) -> Result<RawBatches>;
}

struct Typed<T>(T);

impl<T: BatchReader> ErasedReader for Typed<T> {
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }

    fn partitions(&self) -> Result<Vec<String>> {
        self.0
            .partitions()?
            .iter()
            .map(|partition| Ok(serde_json::to_string(partition)?))
            .collect()
    }

    fn read(&self, partition: Option<&str>) -> Result<RawBatches> {
        let Some(json) = partition else {
            return Ok(Box::new(Batches::<T::Row>::empty()));
        };
        let partition: T::Partition = serde_json::from_str(json)
            .map_err(|e| anyhow::anyhow!("partition {json} does not deserialize: {e}"))?;
        Ok(Box::new(self.0.read(partition)?))
    }
}
