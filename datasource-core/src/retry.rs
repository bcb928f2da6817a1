//! [`Retry`]: calling something that fails now and then (a server, a database) again, after
//! waits that grow exponentially with full jitter, honouring the wait a server asks for.
//!
//! A source takes the policy as options with `#[option(flatten)] retry: Retry` (`maxRetries`,
//! `retryWait`, `maxRetryWait`) and wraps each call in [`Retry::run`], saying for each error
//! whether it is worth another try ([`Failure`]). Every retry is logged (target
//! `datasource::retry`, level WARN) with the error that caused it, and the final error says how
//! many tries were made.

use std::fmt;
use std::time::Duration;

use crate::Result;

/// How a call that failed is tried again: options a source includes with
/// `#[option(flatten)]`.
///
/// The wait before retry `n` (from 1) is drawn uniformly from zero to
/// `min(maxRetryWait, retryWait × 2^(n-1))` ("full jitter": tasks that failed together do not
/// retry together). A server's own wait (HTTP `Retry-After`) is taken instead, up to
/// `maxRetryWait`.
#[derive(Debug, Clone, PartialEq, Eq, datasource_macros::Options)]
#[option(crate = "crate")]
pub struct Retry {
    /// How many times a call that failed is tried again (0: never).
    #[option(default = 5, range = 0..=100)]
    pub max_retries: u32,
    /// The longest wait before the first retry; it doubles with each further retry.
    #[option(default = Duration::from_millis(200))]
    pub retry_wait: Duration,
    /// The longest wait between two tries, a server's `Retry-After` included.
    #[option(default = Duration::from_secs(30))]
    pub max_retry_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_retries: 5,
            retry_wait: Duration::from_millis(200),
            max_retry_wait: Duration::from_secs(30),
        }
    }
}

/// Why one try failed, as the caller of [`Retry::run`] judges it.
#[derive(Debug)]
pub enum Failure {
    /// Worth another try (a dropped connection, HTTP 429 or 5xx, a timeout), after `wait` when
    /// the server said how long (`Retry-After`), else after the policy's backoff.
    Transient {
        /// What went wrong; the error returned (with the number of tries) if none is left.
        error: crate::Error,
        /// How long the server asked to wait before the next try (`None`: the backoff's).
        wait: Option<Duration>,
    },
    /// Trying again cannot help (bad credentials, a malformed request): fails at once.
    Permanent(crate::Error),
}

impl Failure {
    /// A failure worth another try, after the policy's backoff.
    pub fn transient(error: impl Into<crate::Error>) -> Self {
        Failure::Transient {
            error: error.into(),
            wait: None,
        }
    }

    /// A failure worth another try after the wait the server asked for.
    pub fn retry_after(error: impl Into<crate::Error>, wait: Duration) -> Self {
        Failure::Transient {
            error: error.into(),
            wait: Some(wait),
        }
    }

    /// A failure that trying again cannot mend.
    pub fn permanent(error: impl Into<crate::Error>) -> Self {
        Failure::Permanent(error.into())
    }
}

/// What [`Retry::run`] fails with when the last try failed: the tries made, then the last
/// error's chain.
#[derive(Debug)]
struct GaveUp {
    what: String,
    tries: u32,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tries {
            1 => write!(f, "{} failed", self.what),
            tries => write!(f, "{} failed {tries} times", self.what),
        }
    }
}

impl Retry {
    /// A policy that never retries.
    pub fn never() -> Self {
        Retry {
            max_retries: 0,
            ..Retry::default()
        }
    }

    /// Calls `call` (given the number of the try, from 1) until it succeeds, fails
    /// permanently, or has failed `max_retries + 1` times; sleeps between tries. `what` names
    /// the call in logs and in the error ("GET /items?page=3").
    ///
    /// ```
    /// use std::time::Duration;
    /// use datasource_core::retry::{Failure, Retry};
    ///
    /// let policy = Retry { max_retries: 3, retry_wait: Duration::from_millis(1), ..Retry::default() };
    /// let value = policy.run("flaky call", |attempt| {
    ///     if attempt < 3 { Err(Failure::transient(std::io::Error::other("reset"))) } else { Ok(attempt) }
    /// });
    /// assert_eq!(value.unwrap(), 3);
    ///
    /// let error = policy.run("bad call", |_| -> Result<(), _> {
    ///     Err(Failure::transient(std::io::Error::other("reset")))
    /// });
    /// assert_eq!(format!("{:#}", error.unwrap_err()), "bad call failed 4 times: reset");
    /// ```
    pub fn run<T>(&self, what: &str, mut call: impl FnMut(u32) -> Result<T, Failure>) -> Result<T> {
        let mut attempt = 1;
        loop {
            match call(attempt) {
                Ok(value) => return Ok(value),
                Err(failure) => std::thread::sleep(self.after_failure(what, attempt, failure)?),
            }
            attempt += 1;
        }
    }

    /// [`run`](Self::run) for async calls (feature `async`): the waits are the runtime's
    /// timers, not a blocked thread.
    #[cfg(feature = "async")]
    pub async fn run_async<T, F, C>(&self, what: &str, mut call: C) -> Result<T>
    where
        C: FnMut(u32) -> F,
        F: std::future::Future<Output = Result<T, Failure>>,
    {
        let mut attempt = 1;
        loop {
            match call(attempt).await {
                Ok(value) => return Ok(value),
                Err(failure) => {
                    tokio::time::sleep(self.after_failure(what, attempt, failure)?).await
                }
            }
            attempt += 1;
        }
    }

    /// What follows try `attempt` of `what` failing: the wait before the next try (logged), or
    /// the final error when the failure is permanent or the tries are used up.
    fn after_failure(&self, what: &str, attempt: u32, failure: Failure) -> Result<Duration> {
        let gave_up = |error: crate::Error| {
            error.context(GaveUp {
                what: what.to_owned(),
                tries: attempt,
            })
        };
        match failure {
            Failure::Permanent(error) => Err(gave_up(error)),
            Failure::Transient { error, .. } if attempt > self.max_retries => Err(gave_up(error)),
            Failure::Transient { error, wait } => {
                let wait = self.wait(attempt, wait);
                log::warn!(
                    target: "datasource::retry",
                    "{what} failed (try {attempt} of {}), retrying in {wait:?}: {error:#}",
                    self.max_retries + 1,
                );
                Ok(wait)
            }
        }
    }

    /// The wait before retry number `retry` (from 1): the server's, capped, or a random share
    /// of the exponential backoff.
    pub fn wait(&self, retry: u32, asked: Option<Duration>) -> Duration {
        match asked {
            Some(asked) => asked.min(self.max_retry_wait),
            None => {
                let ceiling = self.backoff_ceiling(retry);
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(fastrand::u64(0..=nanos))
            }
        }
    }

    /// The longest wait before retry `retry`: `retryWait × 2^(retry-1)`, at most `maxRetryWait`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        self.retry_wait
            .saturating_mul(doubling)
            .min(self.max_retry_wait)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::format_err;
    use crate::options::{Options, OptionsParser, RawOptions};

    fn quick(retries: u32) -> Retry {
        Retry {
            max_retries: retries,
            retry_wait: Duration::from_millis(1),
            max_retry_wait: Duration::from_millis(4),
        }
    }

    #[cfg(feature = "async")]
    #[test]
    fn async_calls_are_retried_as_sync_ones() {
        let calls = Cell::new(0);
        let value = crate::runtime::block_on(quick(5).run_async("call", |attempt| {
            calls.set(calls.get() + 1);
            async move {
                if attempt < 3 {
                    Err(Failure::transient(format_err!("reset")))
                } else {
                    Ok(attempt)
                }
            }
        }));
        assert_eq!(value.unwrap(), 3);
        assert_eq!(calls.get(), 3);
        let error = crate::runtime::block_on(quick(5).run_async("login", |_| async {
            Err::<(), _>(Failure::permanent(format_err!("bad password")))
        }));
        assert_eq!(
            format!("{:#}", error.unwrap_err()),
            "login failed: bad password"
        );
    }

    #[test]
    fn transient_failures_are_retried_until_success() {
        let calls = Cell::new(0);
        let value = quick(5).run("call", |attempt| {
            calls.set(calls.get() + 1);
            if attempt < 4 {
                Err(Failure::transient(format_err!("reset")))
            } else {
                Ok("done")
            }
        });
        assert_eq!(value.unwrap(), "done");
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn the_last_error_says_how_many_tries_were_made() {
        let calls = Cell::new(0);
        let error = quick(2)
            .run("GET /items", |_| -> Result<(), _> {
                calls.set(calls.get() + 1);
                Err(Failure::transient(format_err!("HTTP 503")))
            })
            .unwrap_err();
        assert_eq!(calls.get(), 3);
        assert_eq!(format!("{error:#}"), "GET /items failed 3 times: HTTP 503");
    }

    #[test]
    fn permanent_failures_are_not_retried() {
        let calls = Cell::new(0);
        let error = quick(5)
            .run("GET /items", |_| -> Result<(), _> {
                calls.set(calls.get() + 1);
                Err(Failure::permanent(format_err!("HTTP 401")))
            })
            .unwrap_err();
        assert_eq!(calls.get(), 1);
        assert_eq!(format!("{error:#}"), "GET /items failed: HTTP 401");
    }

    #[test]
    fn never_tries_once() {
        let calls = Cell::new(0);
        let _ = Retry::never().run("call", |_| -> Result<(), _> {
            calls.set(calls.get() + 1);
            Err(Failure::transient(format_err!("reset")))
        });
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_below_it() {
        let policy = Retry {
            max_retries: 10,
            retry_wait: Duration::from_millis(100),
            max_retry_wait: Duration::from_secs(1),
        };
        let ceilings: Vec<u128> = (1..=6)
            .map(|n| policy.backoff_ceiling(n).as_millis())
            .collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(policy.backoff_ceiling(u32::MAX), Duration::from_secs(1));
        let waits: Vec<Duration> = (0..200).map(|_| policy.wait(3, None)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(400)));
        // Jittered: not all the same (200 draws from 400 ms of nanoseconds).
        assert!(waits.iter().any(|w| *w != waits[0]));
    }

    #[test]
    fn a_servers_wait_is_honoured_up_to_the_cap() {
        let policy = quick(1);
        assert_eq!(
            policy.wait(1, Some(Duration::from_millis(3))),
            Duration::from_millis(3)
        );
        assert_eq!(
            policy.wait(1, Some(Duration::from_secs(60))),
            Duration::from_millis(4)
        );
    }

    #[test]
    fn the_policy_is_read_from_options() {
        let mut raw = RawOptions::new();
        raw.insert("maxRetries", "2");
        raw.insert("retryWait", "50ms");
        let mut parser = OptionsParser::new("test", Retry::specs(), &raw);
        let parsed = Retry::parse(&mut parser);
        let policy = parser.finish(parsed).unwrap();
        assert_eq!(policy.max_retries, 2);
        assert_eq!(policy.retry_wait, Duration::from_millis(50));
        assert_eq!(policy.max_retry_wait, Duration::from_secs(30));
        let names: Vec<&str> = Retry::specs().iter().map(|s| s.name).collect();
        assert_eq!(names, ["maxRetries", "retryWait", "maxRetryWait"]);
    }
}
