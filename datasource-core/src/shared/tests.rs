use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::*;
use crate::format_err;

static BUILT: AtomicUsize = AtomicUsize::new(0);
static CLOSED: AtomicUsize = AtomicUsize::new(0);

/// A client that counts its builds and closes.
#[derive(Debug)]
struct Client(String);

fn close(_: Client) {
    CLOSED.fetch_add(1, Ordering::SeqCst);
}

fn leaked(idle: Duration) -> &'static Shared<String, Client> {
    Box::leak(Box::new(Shared::with_close(idle, close)))
}

fn build(key: &str) -> Result<Client> {
    BUILT.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(20));
    Ok(Client(key.to_owned()))
}

#[test]
fn each_key_is_built_once_even_by_concurrent_users_and_closed_once_idle() {
    let cache = leaked(Duration::from_millis(200));
    let (built, closed) = (BUILT.load(Ordering::SeqCst), CLOSED.load(Ordering::SeqCst));
    let users: Vec<_> = (0..8)
        .map(|user| {
            std::thread::spawn(move || {
                let key = if user % 2 == 0 { "a" } else { "b" };
                let lease = cache
                    .get_or_try_init(key.to_owned(), || build(key))
                    .unwrap();
                assert_eq!(lease.0, key);
                std::thread::sleep(Duration::from_millis(10));
            })
        })
        .collect();
    for user in users {
        user.join().unwrap();
    }
    assert_eq!(BUILT.load(Ordering::SeqCst) - built, 2, "one build per key");
    assert_eq!(cache.len(), 2);

    // A lease alive keeps its client past the idle time; the other is closed.
    let kept = cache
        .get_or_try_init("a".to_owned(), || build("a"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(cache.len(), 1, "the idle client is closed by the sweeper");
    assert_eq!(CLOSED.load(Ordering::SeqCst) - closed, 1);
    assert_eq!(kept.0, "a");
    drop(kept);
    std::thread::sleep(Duration::from_millis(500));
    assert!(cache.is_empty());
    assert_eq!(CLOSED.load(Ordering::SeqCst) - closed, 2);

    // A closed client is built again when asked for.
    let again = cache
        .get_or_try_init("a".to_owned(), || build("a"))
        .unwrap();
    assert_eq!(again.0, "a");
    assert_eq!(BUILT.load(Ordering::SeqCst) - built, 3);
}

#[test]
fn a_failed_build_is_not_kept() {
    let cache: &'static Shared<u32, u32> =
        Box::leak(Box::new(Shared::new(Duration::from_secs(60))));
    let failed = cache.get_or_try_init(1, || Err(format_err!("server down")));
    assert_eq!(failed.unwrap_err().to_string(), "server down");
    assert!(cache.is_empty());
    assert_eq!(*cache.get_or_try_init(1, || Ok(7)).unwrap(), 7);
    let copy = cache.get_or_try_init(1, || Ok(8)).unwrap();
    assert_eq!(*copy, 7);
    assert!(Arc::strong_count(&copy.value) >= 2);
}

#[cfg(feature = "async")]
#[test]
fn async_builds_are_one_per_key_too() {
    let cache: &'static Shared<u32, u32> =
        Box::leak(Box::new(Shared::new(Duration::from_secs(60))));
    let builds = Arc::new(AtomicUsize::new(0));
    let got = crate::runtime::block_on(async {
        let users = (0..6).map(|_| {
            let builds = builds.clone();
            crate::runtime::handle().spawn(async move {
                let lease = cache
                    .get_or_try_init_async(5, async {
                        builds.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(50)
                    })
                    .await
                    .unwrap();
                *lease
            })
        });
        let mut got = Vec::new();
        for user in users.collect::<Vec<_>>() {
            got.push(user.await.unwrap());
        }
        got
    });
    assert_eq!(got, [50; 6]);
    assert_eq!(builds.load(Ordering::SeqCst), 1);
}
