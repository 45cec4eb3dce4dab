//! The allocation guard: a global allocator that hands everything to the
//! system allocator but stops at a single allocation above a limit, so
//! that an array sized by a score range (or any other runaway size) becomes
//! a finding instead of taking the machine's memory.
//!
//! An allocator must not unwind, so an oversized request cannot be turned
//! into a panic; the worker process writes the finding and exits instead
//! (see [`crate::runner::oversized_allocation`]), and the supervisor starts
//! a fresh one.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Guard;

#[global_allocator]
static GLOBAL: Guard = Guard;

static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

thread_local! {
    /// Set while an oversized request is being reported, so that the
    /// report's own allocations pass straight through.
    static REPORTING: Cell<bool> = const { Cell::new(false) };
}

/// Single allocations above `bytes` are reported from now on.
pub fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

pub fn limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

#[inline]
fn check(size: usize) {
    if size > LIMIT.load(Ordering::Relaxed) {
        oversized(size);
    }
}

#[cold]
#[inline(never)]
fn oversized(size: usize) {
    let already = REPORTING.try_with(|r| r.replace(true)).unwrap_or(true);
    if already {
        return;
    }
    crate::runner::oversized_allocation(size);
    let _ = REPORTING.try_with(|r| r.set(false));
}

unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
