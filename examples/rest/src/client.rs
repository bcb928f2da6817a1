//! One HTTP GET of a page: authentication, redirects, the timeout, and the retries (the SDK's
//! [`Retry`]), each failure judged worth another try or not.
//!
//! Redirects are followed here, not by the HTTP client, so that credentials never leave the
//! origin (scheme, host and port) they were given for: a redirect to another origin is
//! followed without them, as browsers do.

use std::time::Duration;

use base64::Engine;
use datasource_py::chrono::{DateTime, Utc};
use datasource_py::prelude::*;
use datasource_py::redact;
use datasource_py::retry::{Failure, Retry};
use datasource_py::{Context, Error};
use ureq::Agent;

use crate::Rest;
use crate::oauth::{self, ClientCredentials};
use datasource_py::credentials::Tokens;
use datasource_py::shared::Lease;

/// The largest response body read (a page of records).
const BODY_LIMIT: u64 = 256 << 20;

/// Redirects followed at most for one request.
const MAX_REDIRECTS: usize = 10;

pub struct Client {
    agent: Agent,
    auth: Auth,
    retry: Retry,
}

/// How requests authenticate.
enum Auth {
    None,
    /// A header whose value is a secret (bearer token, API key, basic).
    Header(String, Secret<String>),
    /// OAuth2 client credentials: a bearer token from the worker's shared [`Tokens`].
    OAuth2(Lease<Tokens<ClientCredentials>>),
}

/// A page's request: the URL and its query, for messages too (no secret is in either).
pub struct Request {
    pub url: String,
    pub query: Vec<(String, String)>,
}

impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GET {}", self.url)?;
        let mut separator = if self.url.contains('?') { '&' } else { '?' };
        for (key, value) in &self.query {
            write!(f, "{separator}{key}={value}")?;
            separator = '&';
        }
        Ok(())
    }
}

impl Client {
    pub fn new(source: &Rest) -> Result<Self> {
        source.register_secret_parameters();
        let agent = agent(source.timeout);
        let auth = if let Some(token) = &source.bearer_token {
            Auth::Header(
                "Authorization".to_owned(),
                Secret::new(format!("Bearer {}", token.expose())),
            )
        } else if let Some(key) = &source.api_key {
            Auth::Header(source.api_key_header.clone(), key.clone())
        } else if let Some(basic) = &source.basic {
            Auth::Header(
                "Authorization".to_owned(),
                Secret::new(basic_header(&basic.user, basic.password.expose())),
            )
        } else if let Some(oauth) = &source.oauth {
            Auth::OAuth2(oauth::tokens(
                oauth,
                source.scope.as_deref(),
                agent.clone(),
                &source.retry,
            )?)
        } else {
            Auth::None
        };
        Ok(Client {
            agent,
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

    /// One try of a request: with OAuth2, a request whose token the API refuses (HTTP 401:
    /// revoked, expired early) is sent once more at once, with a new token.
    fn get_once(&self, request: &Request) -> Result<serde_json::Value, Failure> {
        let mut header = self.auth_header(None)?;
        let mut refreshed = false;
        loop {
            let (status, mut response, sent) = self.send(request, header.as_ref())?;
            if let (401, Auth::OAuth2(tokens), true, false, Some((_, used))) =
                (status, &self.auth, sent, refreshed, &header)
            {
                log::info!("rest: {request} was refused its OAuth2 token; fetching a new one");
                let token = tokens
                    .refresh_after_rejection(&bearer_token(used))
                    .map_err(Failure::permanent)?;
                header = self.auth_header(Some(token))?;
                refreshed = true;
                continue;
            }
            return self.judge(status, &mut response);
        }
    }

    /// The authentication header of the next request: OAuth2's with `token` (or the current
    /// one), the others' as configured.
    fn auth_header(
        &self,
        token: Option<Secret<String>>,
    ) -> Result<Option<(String, Secret<String>)>, Failure> {
        Ok(match &self.auth {
            Auth::None => None,
            Auth::Header(name, value) => Some((name.clone(), value.clone())),
            Auth::OAuth2(tokens) => {
                let token = match token {
                    Some(token) => token,
                    None => tokens.token().map_err(Failure::permanent)?,
                };
                Some((
                    "Authorization".to_owned(),
                    Secret::new(format!("Bearer {}", token.expose())),
                ))
            }
        })
    }

    /// Sends `request` with `auth`, following redirects (the credentials only to their
    /// origin): the final status and response, and whether the credentials went with it.
    fn send(
        &self,
        request: &Request,
        auth: Option<&(String, Secret<String>)>,
    ) -> Result<(u16, ureq::http::Response<ureq::Body>, bool), Failure> {
        let origin = Origin::of(&request.url).map_err(Failure::permanent)?;
        // After a redirect: the URL to go to (its query included), and whether it is still
        // the credentials' origin.
        let mut redirected: Option<String> = None;
        let mut credentials = true;
        for _ in 0..=MAX_REDIRECTS {
            let mut call = match &redirected {
                None => {
                    let mut call = self.agent.get(&request.url);
                    for (key, value) in &request.query {
                        call = call.query(key, value);
                    }
                    call
                }
                Some(url) => self.agent.get(url),
            };
            if let (Some((header, value)), true) = (auth, credentials) {
                call = call.header(header.as_str(), value.expose().as_str());
            }
            let response = call.call().map_err(transport_failure)?;
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let from = redirected.as_deref().unwrap_or(&request.url);
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| {
                        Failure::permanent(format_err!("HTTP {status} without a Location"))
                    })?;
                let next = resolve(from, location).map_err(Failure::permanent)?;
                let next_origin = Origin::of(&next).map_err(Failure::permanent)?;
                if credentials && auth.is_some() && next_origin != origin {
                    log::warn!(
                        "rest: {request} is redirected to another origin ({next_origin}); the \
                         credentials are not sent there"
                    );
                    credentials = false;
                }
                redirected = Some(next);
                continue;
            }
            return Ok((status, response, credentials && auth.is_some()));
        }
        Err(Failure::permanent(format_err!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// The JSON of a response, or why it is a failure.
    pub(crate) fn judge(
        &self,
        status: u16,
        response: &mut ureq::http::Response<ureq::Body>,
    ) -> Result<serde_json::Value, Failure> {
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
                429 | 500..=599 | 408 => match retry_after(response) {
                    Some(wait) => Failure::retry_after(error, wait),
                    None => Failure::transient(error),
                },
                401 | 403 => Failure::permanent(error.context(match self.auth {
                    Auth::OAuth2(_) => {
                        "the API refused the OAuth2 token, a new one too (check `tokenUrl`, \
                         `clientId`, `clientSecret` and `scope`)"
                    }
                    _ => {
                        "the API refused the credentials (check `bearerToken`, `apiKey` and \
                         `apiKeyHeader`, or `user` and `password`)"
                    }
                })),
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

/// The HTTP client: the timeout of a whole request, statuses and redirects judged here.
pub(crate) fn agent(timeout: Duration) -> Agent {
    let config = Agent::config_builder()
        .timeout_global(Some(timeout))
        // Statuses are judged here (retry, or fail with the body's first words).
        .http_status_as_error(false)
        // Redirects too: credentials stay with their origin.
        .max_redirects(0)
        .user_agent("spark-rest (datasource-py)")
        .build();
    Agent::new_with_config(config)
}

/// `Basic <base64 of user:password>`, whose encoded form is registered for masking (a server
/// that echoes the header must not show it).
pub(crate) fn basic_header(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    redact::register_secret(&encoded);
    format!("Basic {encoded}")
}

/// The token of a `Bearer <token>` header value.
fn bearer_token(header: &Secret<String>) -> Secret<String> {
    let value = header.expose();
    Secret::new(value.strip_prefix("Bearer ").unwrap_or(value).to_owned())
}

/// Where credentials may go: a URL's scheme, host and port (the default port of the scheme
/// when none is written).
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(url: &str) -> Result<Origin> {
        let uri: ureq::http::Uri = url
            .parse()
            .with_context(|| format!("`{url}` is not a URL"))?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        ensure!(
            matches!(scheme.as_str(), "http" | "https") && !host.is_empty(),
            "`{url}` is not an http:// or https:// URL"
        );
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        Ok(Origin { scheme, host, port })
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// `location` (a redirect's target: absolute, `//host/...`, `/path` or relative) resolved
/// against `base`, the URL it answered.
fn resolve(base: &str, location: &str) -> Result<String> {
    let location = location.trim();
    if location.contains("://") {
        return Ok(location.to_owned());
    }
    let uri: ureq::http::Uri = base
        .parse()
        .with_context(|| format!("`{base}` is not a URL"))?;
    let scheme = uri.scheme_str().unwrap_or("http");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    Ok(if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = uri.path();
        let directory = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
        let directory = if directory.is_empty() { "/" } else { directory };
        format!("{scheme}://{authority}{directory}{location}")
    })
}

/// A failure before a status arrived (or while the body was read): a connection refused,
/// reset or dropped, a timeout, a name not found: worth another try. A bad URL or TLS
/// configuration is not.
pub(crate) fn transport_failure(error: ureq::Error) -> Failure {
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
pub(crate) fn retry_after(response: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
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
pub(crate) fn body_excerpt(body: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_resolves_against_the_url_it_answered() {
        let base = "http://api.test:8080/v1/items/list?page=2";
        let cases = [
            ("https://other.test/x?a=1", "https://other.test/x?a=1"),
            ("//cdn.test/y", "http://cdn.test/y"),
            ("/v2/items", "http://api.test:8080/v2/items"),
            ("next?page=3", "http://api.test:8080/v1/items/next?page=3"),
        ];
        for (location, expected) in cases {
            assert_eq!(resolve(base, location).unwrap(), expected, "{location}");
        }
    }

    #[test]
    fn origins_differ_by_scheme_host_or_port() {
        let origin = |url| Origin::of(url).unwrap();
        assert_eq!(origin("http://A.test/x"), origin("http://a.test:80/y?z"));
        assert_eq!(origin("https://a.test/"), origin("https://a.test:443/"));
        for other in ["https://a.test/x", "http://b.test/x", "http://a.test:81/x"] {
            assert_ne!(origin("http://a.test/x"), origin(other), "{other}");
        }
        assert!(Origin::of("file:///etc/passwd").is_err());
    }
}
