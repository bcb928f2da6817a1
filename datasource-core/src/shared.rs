//! [`Shared`]: clients built once per worker process and reused by every task.
//!
//! PySpark reuses its Python workers across tasks, micro-batches and queries, but rebuilds the
//! source from its options in each task: a connection pool, an HTTP client or an authenticated
//! session kept on the source would be built again every time. Keep it in a `static`
//! [`Shared`] instead, under a key made of what identifies it (the options it was built from):
//! the first task of a worker builds it, every later one with the same key gets it back, and
//! once nobody has used it for the idle time it is closed.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::Result;

/// A per-process cache of clients (pools, sessions), each built once per key, shared by
/// concurrent users, and closed after it has been idle (no [`Lease`] of it alive) for the
/// cache's idle time.
///
/// ```
/// use std::time::Duration;
/// use datasource_core::shared::Shared;
///
/// struct Client { url: String }
///
/// static CLIENTS: Shared<String, Client> = Shared::new(Duration::from_secs(300));
///
/// fn client(url: &str) -> datasource_core::Result<datasource_core::shared::Lease<Client>> {
///     CLIENTS.get_or_try_init(url.to_owned(), || Ok(Client { url: url.to_owned() }))
/// }
///
/// let first = client("https://api.example")?;
/// let again = client("https://api.example")?;
/// assert!(std::ptr::eq(&*first, &*again)); // built once
/// # Ok::<(), datasource_core::Error>(())
/// ```
///
/// A key holds what tells two clients apart (the URL, the user, the credentials as given):
/// options that change nothing about the client (a table name, a batch size) should stay out
/// of it, so that every query of the worker shares one. After a fork (PySpark forks its
/// workers from a daemon) the child starts empty: the parent's clients and their sockets are
/// left to the parent.
pub struct Shared<K, V> {
    idle: Duration,
    close: fn(V),
    state: Mutex<State<K, V>>,
    sweeping: AtomicBool,
}

struct State<K, V> {
    pid: u32,
    entries: BTreeMap<K, Arc<Slot<V>>>,
}

/// One key's client: built under its own lock (one build at a time per key, other keys not
/// held up), and when its last lease ended.
struct Slot<V> {
    value: Mutex<Option<Arc<V>>>,
    #[cfg(feature = "async")]
    building: tokio::sync::Mutex<()>,
    leases: Mutex<Leases>,
}

#[derive(Clone, Copy)]
struct Leases {
    alive: usize,
    last_ended: Instant,
}

/// A client of a [`Shared`] cache in use: derefs to it; while any lease of it is alive it is
/// not closed.
pub struct Lease<V> {
    value: Arc<V>,
    slot: Arc<Slot<V>>,
}

impl<K: Ord + Clone + Send + 'static, V: Send + Sync + 'static> Shared<K, V> {
    /// An empty cache whose clients are closed (dropped) after `idle` without a lease.
    pub const fn new(idle: Duration) -> Self {
        Self::with_close(idle, drop)
    }

    /// An empty cache whose clients are closed by `close` after `idle` without a lease (a
    /// client with a shutdown of its own: a session to log out of).
    pub const fn with_close(idle: Duration, close: fn(V)) -> Self {
        Shared {
            idle,
            close,
            state: Mutex::new(State {
                pid: 0,
                entries: BTreeMap::new(),
            }),
            sweeping: AtomicBool::new(false),
        }
    }

    /// The client of `key`, built by `build` if this process has none (or closed it): only one
    /// build runs per key at a time, and a failed build is not kept (the next call tries
    /// again).
    pub fn get_or_try_init(
        &'static self,
        key: K,
        build: impl FnOnce() -> Result<V>,
    ) -> Result<Lease<V>> {
        let slot = self.slot(key);
        let mut value = lock(&slot.value);
        if let Some(value) = value.as_ref() {
            return Ok(Lease::new(value.clone(), slot.clone()));
        }
        let built = Arc::new(build()?);
        *value = Some(built.clone());
        drop(value);
        self.start_sweeping();
        Ok(Lease::new(built, slot))
    }

    /// [`get_or_try_init`](Self::get_or_try_init) for a client built by async code (one build
    /// at a time per key, without blocking a runtime thread while another task builds it).
    #[cfg(feature = "async")]
    pub async fn get_or_try_init_async<F>(&'static self, key: K, build: F) -> Result<Lease<V>>
    where
        F: std::future::Future<Output = Result<V>>,
    {
        let slot = self.slot(key);
        let _building = slot.building.lock().await;
        if let Some(value) = lock(&slot.value).as_ref() {
            return Ok(Lease::new(value.clone(), slot.clone()));
        }
        let built = Arc::new(build.await?);
        *lock(&slot.value) = Some(built.clone());
        self.start_sweeping();
        Ok(Lease::new(built, slot.clone()))
    }

    /// How many clients the cache holds now.
    pub fn len(&self) -> usize {
        let state = self.state();
        state
            .entries
            .values()
            .filter(|slot| lock(&slot.value).is_some())
            .count()
    }

    /// Whether the cache holds no client.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes every client idle for longer than the idle time (a background thread does it
    /// too, while the cache holds any).
    pub fn sweep(&self) {
        let now = Instant::now();
        let mut expired = Vec::new();
        {
            let mut state = self.state();
            state.entries.retain(|_, slot| {
                // The value's lock first, as `get_or_try_init` takes them: no lease can start
                // between the check and the take.
                let mut value = lock(&slot.value);
                let leases = *lock(&slot.leases);
                let idle = leases.alive == 0 && now.duration_since(leases.last_ended) >= self.idle;
                if idle && let Some(value) = value.take() {
                    expired.push(value);
                }
                !idle
            });
        }
        // Closed outside the cache's lock: a slow close holds no one up.
        for value in expired {
            // Only the cache holds it: no lease is alive.
            if let Ok(value) = Arc::try_unwrap(value) {
                (self.close)(value);
            }
        }
    }

    fn slot(&self, key: K) -> Arc<Slot<V>> {
        let mut state = self.state();
        state
            .entries
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Slot {
                    value: Mutex::new(None),
                    #[cfg(feature = "async")]
                    building: tokio::sync::Mutex::new(()),
                    leases: Mutex::new(Leases {
                        alive: 0,
                        last_ended: Instant::now(),
                    }),
                })
            })
            .clone()
    }

    /// The cache's state, emptied in a process forked since it was filled.
    fn state(&self) -> MutexGuard<'_, State<K, V>> {
        let mut state = lock(&self.state);
        let pid = std::process::id();
        if state.pid != pid {
            // The parent's clients: their sockets are the parent's to close.
            std::mem::forget(std::mem::take(&mut state.entries));
            state.pid = pid;
            self.sweeping.store(false, Ordering::SeqCst);
        }
        state
    }

    /// A thread that sweeps while the cache holds clients (at a quarter of the idle time), and
    /// ends when it is empty.
    fn start_sweeping(&'static self) {
        if self.sweeping.swap(true, Ordering::SeqCst) {
            return;
        }
        let every = (self.idle / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
        let started = std::thread::Builder::new()
            .name("datasource-shared".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(every);
                    self.sweep();
                    let state = self.state();
                    if state.entries.is_empty() {
                        self.sweeping.store(false, Ordering::SeqCst);
                        return;
                    }
                }
            });
        if started.is_err() {
            // Swept at the next start instead.
            self.sweeping.store(false, Ordering::SeqCst);
        }
    }
}

impl<V> Lease<V> {
    fn new(value: Arc<V>, slot: Arc<Slot<V>>) -> Self {
        lock(&slot.leases).alive += 1;
        Lease { value, slot }
    }
}

impl<V> Deref for Lease<V> {
    type Target = V;

    fn deref(&self) -> &V {
        &self.value
    }
}

impl<V> Clone for Lease<V> {
    fn clone(&self) -> Self {
        Lease::new(self.value.clone(), self.slot.clone())
    }
}

impl<V> Drop for Lease<V> {
    fn drop(&mut self) {
        let mut leases = lock(&self.slot.leases);
        leases.alive -= 1;
        leases.last_ended = Instant::now();
    }
}

impl<V> fmt::Debug for Lease<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease").finish_non_exhaustive()
    }
}

impl<K, V> fmt::Debug for Shared<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
