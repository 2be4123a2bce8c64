//! Synchronisation primitives, swapped for `loom`'s models under `cfg(loom)`.
//!
//! Every atomic and lock of the crate comes from here, so the loom tests check
//! the real code paths rather than a copy of them.

#[cfg(loom)]
pub(crate) use loom::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

/// Locks `mutex`, recovering the data if a previous holder panicked.
///
/// The crate never runs user code while holding a lock, so a poisoned lock can
/// only come from a bug of ours; the guarded data stays consistent because
/// every critical section writes it in a single step at its end.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
