//! One HTTP GET of a page: authentication, the timeout, and the retries (the SDK's
//! [`Retry`]), each failure judged worth another try or not.

use std::time::Duration;

use base64::Engine;
use datasource_py::Error;
use datasource_py::chrono::{DateTime, Utc};
use datasource_py::prelude::*;
use datasource_py::retry::{Failure, Retry};
use ureq::Agent;

use crate::Rest;

/// The largest response body read (a page of records).
const BODY_LIMIT: u64 = 256 << 20;

pub struct Client {
    agent: Agent,
    /// The authentication header, if any: its value is a secret.
    auth: Option<(String, Secret<String>)>,
    retry: Retry,
}

/// A page's request: the URL and its query, for messages too (no secret is in either).
pub struct Request {
    pub url: String,
    pub query: Vec<(String, String)>,
}

impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GET {}", self.url)?;
        for (index, (key, value)) in self.query.iter().enumerate() {
            write!(f, "{}{key}={value}", if index == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl Client {
    pub fn new(source: &Rest) -> Result<Self> {
        let config = Agent::config_builder()
            .timeout_global(Some(source.timeout))
            // Statuses are judged here (retry, or fail with the body's first words).
            .http_status_as_error(false)
            .user_agent("spark-rest (datasource-py)")
            .build();
        let auth = if let Some(token) = &source.bearer_token {
            Some((
                "Authorization".to_owned(),
                Secret::new(format!("Bearer {}", token.expose())),
            ))
        } else if let Some(key) = &source.api_key {
            Some((source.api_key_header.clone(), key.clone()))
        } else {
            source.basic.as_ref().map(|basic| {
                let pair = format!("{}:{}", basic.user, basic.password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                (
                    "Authorization".to_owned(),
                    Secret::new(format!("Basic {encoded}")),
                )
            })
        };
        Ok(Client {
            agent: Agent::new_with_config(config),
            auth,
            retry: source.retry.clone(),
        })
    }

    /// The page's JSON, retried as the policy says; the error says which request failed, how
    /// many times, and why.
    pub fn get_json(&self, request: &Request) -> Result<serde_json::Value> {
        let what = request.to_string();
        self.retry.run(&what, |_| self.get_once(request))
    }

    fn get_once(&self, request: &Request) -> Result<serde_json::Value, Failure> {
        let mut call = self.agent.get(&request.url);
        for (key, value) in &request.query {
            call = call.query(key, value);
        }
        if let Some((header, value)) = &self.auth {
            call = call.header(header.as_str(), value.expose().as_str());
        }
        let mut response = call.call().map_err(transport_failure)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(transport_failure)?;
        if !(200..300).contains(&status) {
            let excerpt = body_excerpt(&body);
            let error = format_err!("HTTP {status}{excerpt}");
            return Err(match status {
                429 | 500..=599 | 408 => match retry_after(&response) {
                    Some(wait) => Failure::retry_after(error, wait),
                    None => Failure::transient(error),
                },
                401 | 403 => Failure::permanent(error.context(
                    "the API refused the credentials (check `bearerToken`, `apiKey` and \
                     `apiKeyHeader`, or `user` and `password`)",
                )),
                _ => Failure::permanent(error),
            });
        }
        serde_json::from_slice(&body).map_err(|error| {
            Failure::permanent(
                Error::new(error)
                    .context(format!("the response is not JSON{}", body_excerpt(&body))),
            )
        })
    }
}

/// A failure before a status arrived (or while the body was read): a connection refused,
/// reset or dropped, a timeout, a name not found: worth another try. A bad URL or TLS
/// configuration is not.
fn transport_failure(error: ureq::Error) -> Failure {
    match error {
        ureq::Error::BadUri(_) | ureq::Error::RequireHttpsOnly(_) | ureq::Error::Http(_) => {
            Failure::permanent(error)
        }
        ureq::Error::BodyExceedsLimit(limit) => {
            Failure::permanent(format_err!("the response is larger than {limit} bytes"))
        }
        error => Failure::transient(error),
    }
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(response: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    (at - Utc::now()).to_std().ok()
}

/// `: <the body's first 200 characters>` for an error message, or nothing for an empty body.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let excerpt: String = text.chars().take(200).collect();
    let more = if text.chars().count() > 200 {
        "..."
    } else {
        ""
    };
    format!(": {}{more}", excerpt.escape_debug())
}
