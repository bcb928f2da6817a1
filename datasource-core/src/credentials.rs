//! Credentials fetched at run time: a [`TokenProvider`] (an OAuth2 token endpoint, a cloud's
//! security token service) and [`Tokens`], its tokens cached and refreshed before they expire.
//!
//! Keep the [`Tokens`] of a provider in a [`Shared`](crate::shared::Shared) cache, keyed by
//! what identifies the credentials: every task of a worker process then uses one token until
//! it is about to expire, and one fetch replaces it for all. Each token is registered for
//! masking as it is fetched ([`redact::register_secret`]): it never shows in an error or a log
//! record of the process.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::secret::Secret;
use crate::{Result, redact};

/// How long before its expiry a token is replaced, at most (and at most half its lifetime).
pub const REFRESH_AHEAD: Duration = Duration::from_secs(60);

/// A token as its provider gave it: the value, and how long it is valid from when it was
/// fetched (`None`: until refused).
#[derive(Debug, Clone)]
pub struct Token {
    /// The token itself.
    pub value: Secret<String>,
    /// How long it is valid, as the provider said (OAuth2's `expires_in`).
    pub expires_in: Option<Duration>,
}

impl Token {
    /// A token valid until refused.
    pub fn new(value: impl Into<String>) -> Self {
        Token {
            value: Secret::new(value.into()),
            expires_in: None,
        }
    }

    /// This token, valid for `lifetime` from now.
    pub fn expiring_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }
}

/// Fetches credentials at run time. Implement it for the token endpoint of an API; [`Tokens`]
/// decides when to call it.
pub trait TokenProvider: Send + Sync {
    /// A new token (a request to the token endpoint); called with no other fetch of the same
    /// [`Tokens`] running. Its error fails the call that needed the token: say what to check,
    /// never the secret.
    fn fetch(&self) -> Result<Token>;
}

/// A provider's current token, fetched on first use and again shortly before it expires
/// (refresh-ahead: a request never goes out with a token about to lapse), or when the API
/// refused it ([`refresh_after_rejection`](Tokens::refresh_after_rejection)).
pub struct Tokens<P> {
    provider: P,
    refresh_ahead: Duration,
    current: Mutex<Option<Current>>,
}

struct Current {
    value: Secret<String>,
    /// When to fetch the next one: ahead of its expiry.
    refresh_at: Option<Instant>,
}

impl<P: TokenProvider> Tokens<P> {
    /// Tokens of `provider`, refreshed [`REFRESH_AHEAD`] before they expire (at most half their
    /// lifetime before).
    pub fn new(provider: P) -> Self {
        Tokens {
            provider,
            refresh_ahead: REFRESH_AHEAD,
            current: Mutex::new(None),
        }
    }

    /// The same, refreshed `ahead` before expiry (at most half the lifetime before).
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// The provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// A token to send now: the current one, or a new one when there is none or it is due for
    /// refresh. Concurrent callers wait for one fetch.
    pub fn token(&self) -> Result<Secret<String>> {
        let mut current = self.lock();
        if let Some(token) = current.as_ref()
            && token.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(token.value.clone());
        }
        self.fetch_into(&mut current)
    }

    /// A token to send again after the API refused `rejected` (HTTP 401: revoked, expired
    /// early): a new one, unless another caller already replaced it.
    pub fn refresh_after_rejection(&self, rejected: &Secret<String>) -> Result<Secret<String>> {
        let mut current = self.lock();
        if let Some(token) = current.as_ref()
            && token.value != *rejected
        {
            return Ok(token.value.clone());
        }
        self.fetch_into(&mut current)
    }

    fn fetch_into(&self, current: &mut Option<Current>) -> Result<Secret<String>> {
        let fetched_at = Instant::now();
        let token = self.provider.fetch()?;
        redact::register_secret(token.value.expose());
        let refresh_at = token.expires_in.map(|lifetime| {
            let ahead = self.refresh_ahead.min(lifetime / 2);
            fetched_at + (lifetime - ahead)
        });
        let value = token.value.clone();
        *current = Some(Current {
            value: token.value,
            refresh_at,
        });
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<P> fmt::Debug for Tokens<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("refresh_ahead", &self.refresh_ahead)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// Numbered tokens, each valid for `lifetime`.
    struct Numbered {
        fetched: AtomicU32,
        lifetime: Option<Duration>,
    }

    impl TokenProvider for Numbered {
        fn fetch(&self) -> Result<Token> {
            let n = self.fetched.fetch_add(1, Ordering::SeqCst) + 1;
            let token = Token::new(format!("credentials-test-token-{n}"));
            Ok(match self.lifetime {
                Some(lifetime) => token.expiring_in(lifetime),
                None => token,
            })
        }
    }

    fn numbered(lifetime: Option<Duration>) -> Tokens<Numbered> {
        Tokens::new(Numbered {
            fetched: AtomicU32::new(0),
            lifetime,
        })
    }

    #[test]
    fn a_token_is_reused_until_due_then_replaced_ahead_of_expiry() {
        let tokens = numbered(Some(Duration::from_millis(200)));
        let first = tokens.token().unwrap();
        assert_eq!(first.expose(), "credentials-test-token-1");
        assert_eq!(tokens.token().unwrap(), first);
        // Half the lifetime is the most ahead it refreshes: after 100 ms, a new one.
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(tokens.token().unwrap().expose(), "credentials-test-token-2");
        assert_eq!(tokens.provider().fetched.load(Ordering::SeqCst), 2);
        // Fetched tokens are masked in the process's text.
        assert_eq!(redact::redact("sent credentials-test-token-2"), "sent ***");
    }

    #[test]
    fn a_rejected_token_is_replaced_once_for_every_caller() {
        let tokens = numbered(None);
        let first = tokens.token().unwrap();
        let second = tokens.refresh_after_rejection(&first).unwrap();
        assert_ne!(first, second);
        // Another caller that held the first one gets the replacement, not a third fetch.
        assert_eq!(tokens.refresh_after_rejection(&first).unwrap(), second);
        assert_eq!(tokens.provider().fetched.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn concurrent_callers_share_one_fetch() {
        let tokens: &'static Tokens<Numbered> = Box::leak(Box::new(numbered(None)));
        let callers: Vec<_> = (0..8)
            .map(|_| std::thread::spawn(|| tokens.token().unwrap()))
            .collect();
        for caller in callers {
            assert_eq!(caller.join().unwrap().expose(), "credentials-test-token-1");
        }
        assert_eq!(tokens.provider().fetched.load(Ordering::SeqCst), 1);
    }
}
