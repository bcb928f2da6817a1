//! The SDK's tokio runtime: one multi-thread runtime per Python worker process.
//!
//! Created on first use, not at import: PySpark forks its workers from a daemon, and a
//! runtime's threads do not survive a fork (a child that finds its parent's runtime builds its
//! own; the parent's is left alone, its threads exist only there). Its worker threads are as
//! many as the CPUs Spark gave the task that first used it (`spark.task.cpus`, at least two:
//! the work is I/O), or as the machine has outside a task. The glue shuts it down when the
//! Python interpreter exits.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::runtime::{Handle, Runtime};

/// The runtime and the process that built it.
struct Owned {
    pid: u32,
    runtime: Runtime,
}

static RUNTIME: Mutex<Option<Owned>> = Mutex::new(None);

/// Worker threads for the runtime when it is built; 0 until a task says.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// The fewest worker threads: the runtime waits on I/O, one thread would serialise it.
const MIN_THREADS: usize = 2;

/// How long [`shutdown`] waits for tasks still running (a connection closing politely).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// Says how many CPUs the running task has (the glue calls it with `TaskContext.cpus()`):
/// the runtime, when it is built, gets as many worker threads (at least two). No effect once
/// the runtime exists.
pub fn size_for_task(cpus: u32) {
    let _ = THREADS.compare_exchange(0, cpus as usize, Ordering::Relaxed, Ordering::Relaxed);
}

/// A handle to the SDK's runtime, building it on first use: spawn onto it, or enter it where
/// a library wants a runtime in context.
pub fn handle() -> Handle {
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if slot.as_ref().is_some_and(|owned| owned.pid != pid) {
        // Built before a fork: its threads live in the parent only, and dropping it here would
        // wait for them. Leave it.
        std::mem::forget(slot.take());
    }
    let owned = slot.get_or_insert_with(|| Owned {
        pid,
        runtime: build(),
    });
    owned.runtime.handle().clone()
}

fn build() -> Runtime {
    let threads = match THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(MIN_THREADS, usize::from),
        cpus => cpus,
    }
    .max(MIN_THREADS);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("datasource-async")
        .enable_all()
        .build()
        // Building fails only when the OS refuses threads or an I/O driver: nothing a source
        // could do about it, and nothing async can run.
        .unwrap_or_else(|error| panic!("could not start the SDK's async runtime: {error}"))
}

/// Runs `future` to completion on the calling thread, with the SDK's runtime in context (its
/// I/O, timers and `spawn`). What the async capability traits do for each hook; call it
/// yourself from a sync hook that needs one async call. A panic inside it unwinds here, as in
/// sync code (the glue turns it into the hook's error).
///
/// From code already running on a runtime (inside async code) it moves the thread out of the
/// runtime's pool first, which only a multi-thread runtime allows.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let handle = handle();
    if Handle::try_current().is_ok() {
        return tokio::task::block_in_place(|| handle.block_on(future));
    }
    handle.block_on(future)
}

/// Shuts the runtime down, waiting briefly for its tasks: the glue calls it at the
/// interpreter's exit. A later use builds a new one.
pub fn shutdown() {
    let taken = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    if let Some(owned) = taken {
        if owned.pid == std::process::id() {
            owned.runtime.shutdown_timeout(SHUTDOWN_WAIT);
        } else {
            std::mem::forget(owned);
        }
    }
}
