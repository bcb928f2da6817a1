//! Panics in a source's code turned into errors, quietly.
//!
//! A panic in a source's code (on the thread Spark called, on a producer's thread, inside async
//! code on the SDK's runtime) must reach Python as the error of the hook that ran it, naming
//! the source, and nothing else: no `thread '...' panicked at` and backtrace on the worker's
//! stderr, printed by Rust's panic hook before anything catches it. [`catch`] marks the thread
//! while it runs its closure; the glue's panic hook stays quiet on a marked thread
//! ([`is_caught`]) and reports every other panic as before.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    /// How many [`catch`] calls this thread is inside.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f`, catching a panic: it comes back as `Err` with the panic's payload, and the panic
/// hook (the glue's) prints nothing for it.
pub fn catch<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    CATCHING.with(|depth| depth.set(depth.get() + 1));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|depth| depth.set(depth.get() - 1));
    outcome
}

/// Whether a panic on this thread now will be caught by [`catch`] (a panic hook stays quiet
/// for it).
pub fn is_caught() -> bool {
    CATCHING.with(Cell::get) > 0
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// A caught panic as an error: `panicked: <message>`.
pub fn to_error(payload: &(dyn std::any::Any + Send)) -> crate::Error {
    crate::format_err!("panicked: {}", message(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_becomes_its_message_and_the_mark_is_lifted() {
        assert!(!is_caught());
        let caught = catch(|| {
            assert!(is_caught());
            panic!("index {} out of range", 7)
        });
        let payload = caught.unwrap_err();
        assert_eq!(
            to_error(&*payload).to_string(),
            "panicked: index 7 out of range"
        );
        assert!(!is_caught());
        assert_eq!(catch(|| 5).unwrap(), 5);
    }
}
