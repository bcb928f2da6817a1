//! `rest`: a Spark source of JSON REST APIs: pages fetched as Spark pulls batches, in any of the
//! three usual pagination styles, with bearer, API-key or basic authentication, retries with
//! backoff that honour `Retry-After`, and records mapped onto the columns the user declares.

#![deny(missing_docs)]

mod client;
mod oauth;
mod pages;

use std::sync::Arc;
use std::time::Duration;

use datasource_py::arrow_schema::SchemaRef;
use datasource_py::prelude::*;
use datasource_py::retry::Retry;
use serde::{Deserialize, Serialize};

pub use pages::Share;

/// How the API is asked for its next page.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pagination {
    /// One request (per key): the response holds every record.
    None,
    /// `?page=1&per_page=100`, `?page=2...`, until a page holds fewer records than asked.
    Page,
    /// `?offset=0&limit=100`, `?offset=100...`, until a page holds fewer records than asked.
    Offset,
    /// `?limit=100`, then `?cursor=<the cursor the last response gave>`, until none is given.
    Cursor,
}

/// HTTP basic authentication: both or neither.
#[derive(Options, Debug, Clone)]
pub struct Basic {
    /// The user, for HTTP basic authentication.
    pub user: String,
    /// The user's password, for HTTP basic authentication.
    pub password: Secret<String>,
}

/// Records of a JSON REST API, fetched page by page as Spark reads them. The columns are the
/// ones given with `spark.read.schema(...)`: each record's fields are matched to them by name.
#[data_source(name = "rest", validate = Self::check)]
#[derive(Debug)]
pub struct Rest {
    /// The endpoint, `https://api.example.com/v1/orders`; with `keys`, its `{key}` is replaced
    /// by each key in turn (`https://api.example.com/v1/customers/{key}/orders`).
    url: String,
    /// Where the records are in a response: a JSON pointer (`/data`, `/result/items`); empty
    /// when the response is the array itself.
    #[option(default = "")]
    records_path: String,
    #[option(default = "none")]
    pagination: Pagination,
    /// Records asked for per page (`page`, `offset`, `cursor`).
    #[option(default = 100, range = 1..=100_000)]
    page_size: u32,
    /// The query parameter of the page number (`page` pagination).
    #[option(default = "page")]
    page_param: String,
    /// The number of the first page (`page` pagination).
    #[option(default = 1, range = 0..)]
    first_page: u64,
    /// The query parameter of the page size (`page` and `cursor` pagination; `limit` for
    /// `offset`).
    #[option(default = "per_page")]
    size_param: String,
    /// The query parameter of the offset (`offset` pagination).
    #[option(default = "offset")]
    offset_param: String,
    /// The query parameter of the page size (`offset` pagination).
    #[option(default = "limit")]
    limit_param: String,
    /// The query parameter that carries the cursor (`cursor` pagination).
    #[option(default = "cursor")]
    cursor_param: String,
    /// Where a response gives the next page's cursor: a JSON pointer; a missing, null or empty
    /// cursor is the last page (`cursor` pagination).
    #[option(default = "/next")]
    cursor_path: String,
    /// Keys substituted for `{key}` in `url`, each its own series of pages; split among
    /// `numPartitions` tasks.
    keys: Option<Vec<String>>,
    /// How many tasks read in parallel: each takes a share of the keys, or (without keys, with
    /// `page` or `offset` pagination) every n-th page.
    #[option(default = 1, range = 1..=256)]
    num_partitions: u32,
    /// The token of bearer authentication (`Authorization: Bearer ...`).
    bearer_token: Option<Secret<String>>,
    /// An API key, sent in the `apiKeyHeader` header.
    api_key: Option<Secret<String>>,
    /// The header that carries `apiKey`.
    #[option(default = "X-API-Key")]
    api_key_header: String,
    #[option(flatten)]
    basic: Option<Basic>,
    #[option(flatten)]
    oauth: Option<oauth::OAuth>,
    /// The scopes asked of the token endpoint, space-separated (OAuth2).
    scope: Option<String>,
    /// Query parameters of `url` whose values are credentials, masked in errors and logs
    /// besides the usual ones (`access_token`, `api_key`, `key`, `token`, `signature`, ...).
    secret_parameters: Option<Vec<String>>,
    /// How long one request may take, the body included.
    #[option(default = Duration::from_secs(30))]
    timeout: Duration,
    #[option(flatten)]
    retry: Retry,
    /// `true`: a page that cannot be fetched (after the retries) or read fails the query, with
    /// the page and the reason; `false`: it is logged, counted and skipped.
    #[option(default = true)]
    fail_on_error: bool,
    /// Stop each series after this many pages (a guard against an API that never ends).
    #[option(default = 100_000, range = 1..)]
    max_pages: u64,
}

impl Rest {
    /// What the options cannot say alone: one way to authenticate, keys and `{key}` together,
    /// parallel pages only where pages are numbered. Run once the options parse, in every
    /// process (so each masks the `secretParameters` too).
    fn check(&self) -> Result<()> {
        self.register_secret_parameters();
        let ways = [
            self.bearer_token.is_some(),
            self.api_key.is_some(),
            self.basic.is_some(),
            self.oauth.is_some(),
        ];
        ensure!(
            ways.iter().filter(|given| **given).count() <= 1,
            "give one way to authenticate: `bearerToken`, `apiKey`, `user` with `password`, or \
             `tokenUrl` with `clientId` and `clientSecret`"
        );
        ensure!(
            self.scope.is_none() || self.oauth.is_some(),
            "`scope` is asked of an OAuth2 token endpoint: give `tokenUrl`, `clientId` and \
             `clientSecret` too"
        );
        if let Some(oauth) = &self.oauth {
            ensure!(
                oauth.token_url.starts_with("http://") || oauth.token_url.starts_with("https://"),
                "`tokenUrl` must start with http:// or https://"
            );
        }
        if let Some(key) = self
            .keys
            .iter()
            .flatten()
            .find(|key| matches!(key.as_str(), "" | "." | ".."))
        {
            bail!(
                "`keys`: `{key}` cannot be a key: in a URL's path it names another path (a key \
                 is put into `{{key}}` percent-encoded, as one path segment)"
            );
        }
        let placeholder = self.url.contains("{key}");
        match (&self.keys, placeholder) {
            (Some(_), false) => bail!("`keys` are given but `url` has no `{{key}}` to put them in"),
            (None, true) => bail!("`url` has a `{{key}}`: give the keys with the `keys` option"),
            _ => {}
        }
        if self.keys.is_none()
            && self.num_partitions > 1
            && !matches!(self.pagination, Pagination::Page | Pagination::Offset)
        {
            bail!(
                "numPartitions is {}, but {:?} pagination cannot be split: give `keys`, or use \
                 `page` or `offset` pagination",
                self.num_partitions,
                self.pagination
            );
        }
        ensure!(
            self.url.starts_with("http://") || self.url.starts_with("https://"),
            "`url` must start with http:// or https://"
        );
        Ok(())
    }
}

impl Rest {
    /// Makes this process mask the values of `secretParameters` in every URL it shows.
    pub(crate) fn register_secret_parameters(&self) {
        for name in self.secret_parameters.iter().flatten() {
            datasource_py::redact::register_secret_parameter(name);
        }
    }
}

impl SourceSchema for Rest {
    fn schema(&self) -> Result<SchemaRef> {
        bail!(
            "a REST API's records have no declared columns: give them with \
             `spark.read.format(\"rest\").schema(\"id BIGINT, name STRING, ...\")`"
        )
    }

    fn user_schema(&self, _user: &SchemaRef) -> Result<UserSchema> {
        Ok(UserSchema::Exact)
    }
}

impl BatchReader for Rest {
    type Plan = ();
    type Partition = Share;

    fn partitions(&self, _scan: &Scan) -> Result<Vec<Share>> {
        Ok(pages::shares(
            self.keys.as_deref(),
            self.num_partitions,
            self.pagination,
        ))
    }

    fn read(self: Arc<Self>, scan: &Scan, task: &Task, share: Share) -> Result<Batches> {
        let client = client::Client::new(&self)?;
        let zone =
            datasource_py::datetime::SessionZone::of_session(task.session_time_zone.as_deref())
                .map_err(|e| format_err!("{e}"))?;
        Ok(pages::read(
            self,
            client,
            scan.schema().clone(),
            zone,
            task.partition_id,
            share,
            scan.limit(),
        ))
    }
}

/// `LIMIT n`: each task stops fetching pages once it has `n` rows.
impl LimitPushdown for Rest {}

datasource_py::export!(pyspark_rest => Rest);

#[cfg(test)]
mod tests;
