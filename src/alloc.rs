//! The process's memory allocator: mimalloc, and how the server tunes it.
//!
//! Measured against glibc's malloc (BENCHMARKS.md, "Memory and the allocator"): glibc keeps
//! memory freed by one thread in that thread's arena, and a server re-indexing after every
//! upload (new writer and extraction threads each time) grew from under 100 MB to about
//! 500 MB while it answered searches; capping glibc's arenas bounded that but cut cached
//! throughput by more than half. mimalloc returns freed pages to the system itself.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same position in its v2 and v3 option lists;
/// libmimalloc-sys names the options on either side of it but not this one).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For a long-running server: give freed pages back at once rather than after mimalloc's
/// default delay (one second), which under a stream of uploads kept about 100 MB more
/// resident.
pub fn purge_freed_memory_at_once() {
    // SAFETY: mi_option_set only stores an option value; any thread may call it.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_where_we_set_it() {
        // The mimalloc built here (v3) defaults the purge delay to 1,000 ms; another value
        // means the option list moved and `MI_OPTION_PURGE_DELAY` names another option.
        // SAFETY: mi_option_get only reads an option value.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            1000
        );
    }
}
