//! OAuth2's client-credentials flow (RFC 6749, section 4.4): a bearer token from the token
//! endpoint, shared by every task of a worker process and replaced before it expires, or at
//! once when the API refuses it.

use std::time::Duration;

use datasource_py::credentials::{Token, TokenProvider, Tokens};
use datasource_py::prelude::*;
use datasource_py::retry::{Failure, Retry};
use datasource_py::shared::{Lease, Shared};
use serde::Deserialize;
use ureq::Agent;

use crate::client::{basic_header, body_excerpt, retry_after, transport_failure};
use crate::pages::percent_encode;

/// OAuth2 client credentials: `tokenUrl`, `clientId` and `clientSecret` together.
#[derive(Options, Debug, Clone)]
pub struct OAuth {
    /// The token endpoint of OAuth2's client-credentials flow
    /// (`https://login.example.com/oauth2/token`); its bearer tokens authenticate the requests.
    pub token_url: String,
    /// The OAuth2 client's id.
    pub client_id: String,
    /// The OAuth2 client's secret; `env:NAME` or `file:PATH` to read it on each node.
    pub client_secret: Secret<String>,
}

/// How long a worker keeps the tokens of credentials no task has used.
const TOKENS_IDLE: Duration = Duration::from_secs(30 * 60);

/// The tokens of every set of client credentials this process used.
static TOKENS: Shared<(String, String, String, Option<String>), Tokens<ClientCredentials>> =
    Shared::new(TOKENS_IDLE);

/// The shared tokens of `oauth` (asked for `scope`).
pub fn tokens(
    oauth: &OAuth,
    scope: Option<&str>,
    agent: Agent,
    retry: &Retry,
) -> Result<Lease<Tokens<ClientCredentials>>> {
    let key = (
        oauth.token_url.clone(),
        oauth.client_id.clone(),
        oauth.client_secret.expose().clone(),
        scope.map(str::to_owned),
    );
    TOKENS.get_or_try_init(key, || {
        Ok(Tokens::new(ClientCredentials {
            agent,
            token_url: oauth.token_url.clone(),
            authorization: Secret::new(basic_header(
                &form_encode(&oauth.client_id),
                &form_encode(oauth.client_secret.expose()),
            )),
            scope: scope.map(str::to_owned),
            retry: retry.clone(),
        }))
    })
}

/// The token endpoint, asked with the client's credentials in HTTP basic authentication (as
/// RFC 6749 asks every server to accept).
pub struct ClientCredentials {
    agent: Agent,
    token_url: String,
    /// `Basic <client id:secret>`.
    authorization: Secret<String>,
    scope: Option<String>,
    retry: Retry,
}

/// The token endpoint's answer (RFC 6749, section 5.1).
#[derive(Deserialize)]
struct Answer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl TokenProvider for ClientCredentials {
    fn fetch(&self) -> Result<Token> {
        let what = format!("POST {} (OAuth2 client credentials)", self.token_url);
        self.retry.run(&what, |_| self.fetch_once())
    }
}

impl ClientCredentials {
    fn fetch_once(&self) -> Result<Token, Failure> {
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        let mut response = self
            .agent
            .post(&self.token_url)
            .header("Authorization", self.authorization.expose().as_str())
            .header("Accept", "application/json")
            .send_form(form)
            .map_err(transport_failure)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(transport_failure)?;
        if !(200..300).contains(&status) {
            let error = format_err!("HTTP {status}{}", body_excerpt(&body));
            return Err(match status {
                429 | 500..=599 | 408 => match retry_after(&response) {
                    Some(wait) => Failure::retry_after(error, wait),
                    None => Failure::transient(error),
                },
                _ => Failure::permanent(error.context(
                    "the token endpoint refused the client credentials (check `tokenUrl`, \
                     `clientId`, `clientSecret` and `scope`)",
                )),
            });
        }
        let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
            Failure::permanent(format_err!(
                "the token endpoint's answer is not an OAuth2 token response (a JSON object \
                 with `access_token`)"
            ))
        })?;
        if let Some(kind) = &answer.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(Failure::permanent(format_err!(
                "the token endpoint gave a `{kind}` token; this source sends bearer tokens"
            )));
        }
        let token = Token::new(answer.access_token);
        Ok(match answer.expires_in {
            Some(seconds) => token.expiring_in(Duration::from_secs(seconds)),
            None => token,
        })
    }
}

/// `application/x-www-form-urlencoded` of a client id or secret, as RFC 6749 (2.3.1) asks
/// before they go into HTTP basic authentication.
fn form_encode(text: &str) -> String {
    percent_encode(text).replace("%20", "+")
}
