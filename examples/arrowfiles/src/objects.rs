//! One object of an object store: its schema, the row groups its statistics leave to read, and
//! its batches, as `files` does for a local file. Parquet is read by ranges (the footer, then
//! the row groups and columns read); an Arrow IPC object is fetched whole.

use std::io::Cursor;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use arrow_ipc::reader::FileReader;
use bytes::Bytes;
use datasource_py::arrow_schema::{Schema, SchemaRef};
use datasource_py::prelude::*;
use datasource_py::shared::Shared;
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, TryFutureExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::arrow::async_reader::{AsyncFileReader, ParquetRecordBatchStreamBuilder};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};

use crate::ListedFile;
use crate::files::{projection, row_groups_of, spark_typed};
use crate::listing::Format;
use crate::store::{StoreUrl, object_error};

/// One object: where it is, its size and version (from the listing: no request to learn
/// them).
pub struct Object<'a> {
    store: Arc<dyn ObjectStore>,
    url: &'a StoreUrl,
    key: &'a str,
    size: u64,
    version: Option<&'a str>,
}

/// The footers this worker read, by object and version: the tasks of one file (a row group
/// each) fetch its footer once per worker, not once each.
static FOOTERS: Shared<(String, String, u64, Option<String>), ArrowReaderMetadata> =
    Shared::new(Duration::from_secs(60));

impl<'a> Object<'a> {
    /// The object a listing names.
    pub fn of(store: &Arc<dyn ObjectStore>, url: &'a StoreUrl, listed: &'a ListedFile) -> Self {
        Object {
            store: Arc::clone(store),
            url,
            key: &listed.path,
            size: listed.size.unwrap_or_default(),
            version: listed.version.as_deref(),
        }
    }

    fn reader(&self) -> RangeReader {
        RangeReader {
            store: self.store.clone(),
            path: ObjectPath::from(self.key),
            size: self.size,
        }
    }

    async fn footer(&self) -> Result<ArrowReaderMetadata> {
        let key = (
            self.url.root.clone(),
            self.key.to_owned(),
            self.size,
            self.version.map(str::to_owned),
        );
        let footer = FOOTERS
            .get_or_try_init_async(key, async {
                let loaded =
                    ArrowReaderMetadata::load_async(&mut self.reader(), Default::default())
                        .await
                        .map_err(|error| object_error(self.url, self.key, error))?;
                spark_typed(loaded).map_err(|error| object_error(self.url, self.key, error))
            })
            .await?;
        Ok(ArrowReaderMetadata::clone(&footer))
    }

    async fn whole_ipc(&self) -> Result<FileReader<Cursor<Bytes>>> {
        let bytes = self
            .store
            .get(&ObjectPath::from(self.key))
            .await
            .map_err(|error| object_error(self.url, self.key, error))?
            .bytes()
            .await
            .map_err(|error| object_error(self.url, self.key, error))?;
        FileReader::try_new(Cursor::new(bytes), None)
            .map_err(|error| object_error(self.url, self.key, error))
    }

    /// Its Arrow schema.
    pub async fn schema(&self, format: Format) -> Result<SchemaRef> {
        Ok(match format {
            Format::Parquet => self.footer().await?.schema().clone(),
            Format::Arrow => self.whole_ipc().await?.schema(),
        })
    }

    /// The row groups that may hold rows every filter admits, and how many there are.
    pub async fn row_groups(&self, filters: &[&Filter]) -> Result<(Vec<usize>, usize)> {
        row_groups_of(&self.footer().await?, filters)
    }

    /// The batches of its columns that `wanted` names, and their schema (as
    /// [`files::batches`](crate::files::batches)): Parquet streamed from ranged reads on the
    /// SDK's runtime, one batch ahead of Spark.
    pub async fn batches(
        &self,
        format: Format,
        wanted: &Schema,
        row_groups: Vec<usize>,
        batch_rows: usize,
    ) -> Result<(Schema, Batches)> {
        match format {
            Format::Parquet => {
                let metadata = self.footer().await?;
                let builder =
                    ParquetRecordBatchStreamBuilder::new_with_metadata(self.reader(), metadata);
                let mut columns = projection(builder.schema(), wanted)?;
                columns.sort_unstable();
                let read = builder.schema().project(&columns)?;
                let mask = ProjectionMask::roots(builder.parquet_schema(), columns);
                let stream = builder
                    .with_projection(mask)
                    .with_row_groups(row_groups)
                    .with_batch_size(batch_rows)
                    .build()
                    .map_err(|error| object_error(self.url, self.key, error))?;
                let (url, key) = (self.url.clone(), self.key.to_owned());
                let stream = stream.map_err(move |error| object_error(&url, &key, error));
                Ok((read, Batches::from_stream(stream)))
            }
            Format::Arrow => {
                let whole = self.whole_ipc().await?;
                let columns = projection(&whole.schema(), wanted)?;
                let read = whole.schema().project(&columns)?;
                let (url, key) = (self.url.clone(), self.key.to_owned());
                let batches = whole.map(move |batch| {
                    let batch = batch.map_err(|error| object_error(&url, &key, error))?;
                    Ok(batch.project(&columns)?)
                });
                Ok((read, Batches::from_record_batches(batches)))
            }
        }
    }
}

/// Bytes fetched from an object's end for its footer: most footers fit.
const FOOTER_PREFETCH: usize = 64 << 10;

/// Parquet's reader of an object: each read a ranged GET (several at once where the row groups
/// need them), the size known from the listing.
#[derive(Debug, Clone)]
struct RangeReader {
    store: Arc<dyn ObjectStore>,
    path: ObjectPath,
    size: u64,
}

fn parquet_error(error: object_store::Error) -> ParquetError {
    ParquetError::External(Box::new(error))
}

impl AsyncFileReader for RangeReader {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        self.store
            .get_range(&self.path, range)
            .map_err(parquet_error)
            .boxed()
    }

    fn get_byte_ranges(
        &mut self,
        ranges: Vec<Range<u64>>,
    ) -> BoxFuture<'_, parquet::errors::Result<Vec<Bytes>>> {
        async move {
            self.store
                .get_ranges(&self.path, &ranges)
                .await
                .map_err(parquet_error)
        }
        .boxed()
    }

    fn get_metadata<'a>(
        &'a mut self,
        options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, parquet::errors::Result<Arc<ParquetMetaData>>> {
        async move {
            let size = self.size;
            // The footer and its length in one request, for most files.
            let metadata = ParquetMetaDataReader::new()
                .with_arrow_reader_options(options)
                .with_prefetch_hint(Some(FOOTER_PREFETCH))
                .load_and_finish(self, size)
                .await?;
            Ok(Arc::new(metadata))
        }
        .boxed()
    }
}
