//! Files on object storage (`s3://`, `gs://`, `az://`/`abfs://` URLs) through `object_store`:
//! listed once on the driver, read on the executors by ranges (a Parquet file's footer, then
//! only the row groups and columns read), with the store client's own retries of throttling,
//! 5xx answers, dropped connections and timeouts.
//!
//! Credentials come from the options, where given (their secrets may be `env:NAME` or
//! `file:PATH`), else from each cloud's usual chain: its environment variables (`AWS_*`,
//! `GOOGLE_*`, `AZURE_*`), then the instance's or pod's identity (AWS instance metadata and
//! web identity, GCP metadata server, Azure managed identity) where the node has one.

use std::sync::Arc;
use std::time::Duration;

use datasource_py::Error;
use datasource_py::prelude::*;
use datasource_py::retry::Retry;
use datasource_py::shared::{Lease, Shared};
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};

use crate::listing::EXTENSIONS;

/// Where and how to reach the object store: every option optional (the cloud's own chain
/// fills in what is not given).
#[derive(Options, Debug, Clone, PartialEq)]
pub struct Storage {
    /// S3: the endpoint of an S3-compatible server (`http://127.0.0.1:9000`: MinIO, Ceph,
    /// moto), addressed by path; AWS's own by default.
    pub aws_endpoint: Option<String>,
    /// S3: the bucket's region (`us-east-1` by default, or `AWS_REGION`).
    pub aws_region: Option<String>,
    /// S3: the access key's id (else `AWS_ACCESS_KEY_ID`, or the instance's role).
    pub aws_access_key_id: Option<String>,
    /// S3: the secret access key; `env:NAME` or `file:PATH` to read it on each node.
    pub aws_secret_access_key: Option<Secret<String>>,
    /// S3: the session token of temporary credentials (STS).
    pub aws_session_token: Option<Secret<String>>,
    /// GCS: a service account's JSON key (as text; `file:PATH` for a key file).
    pub gcp_service_account_key: Option<Secret<String>>,
    /// Azure: the storage account (else the URL's, or `AZURE_STORAGE_ACCOUNT_NAME`).
    pub azure_account: Option<String>,
    /// Azure: the storage account's access key.
    pub azure_access_key: Option<Secret<String>>,
    /// How long one request to the object store may take before it is tried again.
    #[option(default = Duration::from_secs(30))]
    pub request_timeout: Duration,
}

/// A path that names objects: the store (scheme and bucket), the key or prefix, and the glob
/// the keys must match, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    /// `s3://bucket`, `gs://bucket`, `az://container` (as given: `abfss://...` too).
    pub root: String,
    /// The key of one object, or the prefix of a directory or of a glob's matches.
    pub key: String,
    /// The glob (over whole keys) of a path with wildcards.
    pub pattern: Option<glob::Pattern>,
}

const SCHEMES: &[&str] = &["s3", "s3a", "gs", "az", "adl", "azure", "abfs", "abfss"];

impl StoreUrl {
    /// The object-store URL `path` is, if it is one (`None`: a local path); an error for a
    /// URL of a scheme this source does not read.
    pub fn parse(path: &str) -> Option<Result<StoreUrl>> {
        let (scheme, rest) = path.split_once("://")?;
        if scheme.eq_ignore_ascii_case("file") {
            return None;
        }
        if !SCHEMES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(scheme))
        {
            return Some(Err(format_err!(
                "option `path`: `{scheme}://` is not a store this source reads (s3://, gs://, \
                 az:// or abfs(s)://, file://, or a local path)"
            )));
        }
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        Some(if bucket.is_empty() {
            Err(format_err!("option `path`: `{path}` names no bucket"))
        } else {
            Self::of(format!("{scheme}://{bucket}"), key)
        })
    }

    fn of(root: String, key: &str) -> Result<StoreUrl> {
        let wildcard = key.find(['*', '?', '[']);
        let pattern = match wildcard {
            Some(_) => Some(glob::Pattern::new(key).map_err(|error| {
                format_err!("option `path`: `{key}` is not a valid glob: {error}")
            })?),
            None => None,
        };
        // The listing's prefix: up to the last `/` before the first wildcard.
        let key = match wildcard {
            Some(at) => key[..at].rfind('/').map_or("", |slash| &key[..=slash]),
            None => key,
        };
        // Keys are paths of `/`-separated segments: `..` and empty segments name nothing.
        ObjectPath::parse(key.trim_end_matches('/'))
            .map_err(|error| format_err!("option `path`: `{key}` is not an object key: {error}"))?;
        Ok(StoreUrl {
            root,
            key: key.to_owned(),
            pattern,
        })
    }

    /// The URL of the object `key`, for messages.
    pub fn url_of(&self, key: &str) -> String {
        format!("{}/{key}", self.root)
    }

    /// Checks that `key` (from a listing: the driver's, or the plan a task was handed) is one
    /// of the objects this URL names: the key itself, or under its prefix (matching its glob).
    pub fn check_inside(&self, key: &str) -> Result<()> {
        let prefix = self.key.trim_end_matches('/');
        let under = prefix.is_empty()
            || key == prefix
            || key
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'));
        let parsed = ObjectPath::parse(key).is_ok_and(|parsed| parsed.as_ref() == key);
        let matches = self.pattern.as_ref().is_none_or(|p| p.matches(key));
        ensure!(
            under && parsed && matches,
            "`{}` is not one of the objects `path` names ({}): this source reads only those",
            self.url_of(key),
            self.url_of(&self.key)
        );
        Ok(())
    }
}

/// What identifies a store client: the bucket and every option that changes it.
type ClientKey = (String, String);

/// The clients of this worker process (their HTTP connections kept alive between tasks).
static CLIENTS: Shared<ClientKey, Arc<dyn ObjectStore>> = Shared::new(Duration::from_secs(300));

/// The client of `url`'s store, configured by `storage`, shared by the tasks of this process.
pub fn client(
    url: &StoreUrl,
    storage: &Storage,
    retry: &Retry,
) -> Result<Lease<Arc<dyn ObjectStore>>> {
    // Debug of the options shows no secret; their values tell clients apart.
    let key = (
        url.root.clone(),
        format!(
            "{storage:?} {retry:?} {:?} {:?} {:?} {:?}",
            storage.aws_secret_access_key.as_ref().map(Secret::expose),
            storage.aws_session_token.as_ref().map(Secret::expose),
            storage.gcp_service_account_key.as_ref().map(Secret::expose),
            storage.azure_access_key.as_ref().map(Secret::expose),
        ),
    );
    CLIENTS.get_or_try_init(key, || build(url, storage, retry))
}

fn build(url: &StoreUrl, storage: &Storage, retry: &Retry) -> Result<Arc<dyn ObjectStore>> {
    let mut options = ClientOptions::new()
        .with_timeout(storage.request_timeout)
        .with_connect_timeout(storage.request_timeout.min(Duration::from_secs(10)));
    let retry = RetryConfig {
        max_retries: retry.max_retries as usize,
        retry_timeout: retry.max_retry_wait * (retry.max_retries + 1),
        backoff: BackoffConfig {
            init_backoff: retry.retry_wait,
            max_backoff: retry.max_retry_wait,
            base: 2.0,
        },
    };
    let scheme = url
        .root
        .split("://")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let context = || format!("option `path`: cannot reach `{}`", url.root);
    let store: Arc<dyn ObjectStore> = match scheme.as_str() {
        "s3" | "s3a" => {
            let mut builder =
                AmazonS3Builder::from_env().with_url(url.root.replace("s3a://", "s3://"));
            if let Some(endpoint) = &storage.aws_endpoint {
                if endpoint.starts_with("http://") {
                    options = options.with_allow_http(true);
                }
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(region) = &storage.aws_region {
                builder = builder.with_region(region);
            }
            if let Some(id) = &storage.aws_access_key_id {
                builder = builder.with_access_key_id(id);
            }
            if let Some(secret) = &storage.aws_secret_access_key {
                builder = builder.with_secret_access_key(secret.expose());
            }
            if let Some(token) = &storage.aws_session_token {
                builder = builder.with_token(token.expose());
            }
            Arc::new(
                builder
                    .with_client_options(options)
                    .with_retry(retry)
                    .build()
                    .with_context(context)?,
            )
        }
        "gs" => {
            let mut builder = GoogleCloudStorageBuilder::from_env().with_url(&url.root);
            if let Some(key) = &storage.gcp_service_account_key {
                builder = builder.with_service_account_key(key.expose());
            }
            Arc::new(
                builder
                    .with_client_options(options)
                    .with_retry(retry)
                    .build()
                    .with_context(context)?,
            )
        }
        _ => {
            let mut builder = MicrosoftAzureBuilder::from_env().with_url(&url.root);
            if let Some(account) = &storage.azure_account {
                builder = builder.with_account(account);
            }
            if let Some(key) = &storage.azure_access_key {
                builder = builder.with_access_key(key.expose());
            }
            Arc::new(
                builder
                    .with_client_options(options)
                    .with_retry(retry)
                    .build()
                    .with_context(context)?,
            )
        }
    };
    Ok(store)
}

/// One object of a listing: its key, its size, and its version (the store's ETag).
pub type Listed = (String, u64, Option<String>);

/// The objects `url` names, sorted, with their sizes and versions: the object itself; a "directory's"
/// objects with a known extension (not those under deeper prefixes, nor hidden or
/// `_`-prefixed ones such as Spark's `_SUCCESS`); or the objects a glob matches. None at all
/// is an error that names the URL.
pub async fn list(store: &dyn ObjectStore, url: &StoreUrl) -> Result<Vec<Listed>> {
    let describe = |error: object_store::Error| {
        format_err!(
            "option `path`: cannot list `{}`: {error}",
            url.url_of(&url.key)
        )
    };
    let prefix = url.key.trim_end_matches('/');
    let prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
    let mut found: Vec<Listed> = Vec::new();
    if let Some(pattern) = &url.pattern {
        let mut objects = store.list(prefix.as_ref());
        while let Some(object) = objects.try_next().await.map_err(describe)? {
            let key = object.location.to_string();
            if pattern.matches(&key) {
                found.push((key, object.size, object.e_tag));
            }
        }
    } else {
        // The key of one object?
        if let Some(path) = &prefix
            && !url.key.ends_with('/')
        {
            match store.head(path).await {
                Ok(object) => {
                    return Ok(vec![(
                        object.location.to_string(),
                        object.size,
                        object.e_tag,
                    )]);
                }
                Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => return Err(describe(error)),
            }
        }
        let listed = store
            .list_with_delimiter(prefix.as_ref())
            .await
            .map_err(describe)?;
        for object in listed.objects {
            let name = object.location.filename().unwrap_or_default();
            let known = name
                .rsplit_once('.')
                .is_some_and(|(_, e)| EXTENSIONS.iter().any(|k| k.eq_ignore_ascii_case(e)));
            if known && !name.starts_with(['.', '_']) {
                found.push((object.location.to_string(), object.size, object.e_tag));
            }
        }
    }
    found.sort();
    ensure!(
        !found.is_empty(),
        "option `path`: no Arrow or Parquet objects at `{}` (an object, a prefix of \
         .arrow/.ipc/.feather/.parquet objects, or a glob)",
        url.url_of(&url.key)
    );
    for (key, ..) in &found {
        url.check_inside(key)?;
    }
    Ok(found)
}

/// Why reading an object failed, naming it (`object_store`'s own words hold no credential).
pub fn object_error(url: &StoreUrl, key: &str, error: impl std::fmt::Display) -> Error {
    format_err!("cannot read `{}`: {error}", url.url_of(key))
}
