//! Handing a thread's dead stack pages back to the system.
//!
//! A thread keeps every stack page it ever touched, and glibc gives an
//! exited thread's stack, still resident 16 KiB below where the thread
//! ended, to the next thread it starts. A TLS session starts on a fresh
//! thread after the handshake (see `session`), and that thread, given the
//! stack of an earlier handshake, held the handshake's 20 KiB for life
//! (docs/BENCHMARKS.md, "1000 idle users"); a session thread given the
//! stack of an ended session would hold that one's pages likewise. So
//! every session thread releases what lies below it when it starts: one
//! `madvise` per connection.

/// Releases the pages of the calling thread's stack below the current
/// frame (keeping a margin for the calls made from here), so that the
/// thread holds only what it touches from now on. Best effort: where the
/// stack's bounds cannot be read, nothing happens.
#[inline(never)]
pub(crate) fn release_unused() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: only pages strictly below this frame, less a margin that
    // covers the calls made here (and the red zone), are released; no live
    // data is below the stack pointer, and a released page reads as zeros
    // when the stack grows into it again. The attribute object is
    // initialised by pthread_getattr_np and destroyed once read.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return;
        }
        let mut low: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let got = libc::pthread_attr_getstack(&attr, &mut low, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        let page = match usize::try_from(libc::sysconf(libc::_SC_PAGESIZE)) {
            Ok(page) if page > 0 => page,
            _ => return,
        };
        let here = std::ptr::addr_of!(size) as usize;
        let low = low as usize;
        if got != 0 || here < low || here >= low + size {
            return;
        }
        let end = (here & !(page - 1)).saturating_sub(2 * page);
        if end > low {
            libc::madvise(low as *mut libc::c_void, end - low, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Touches about `bytes` of stack below the caller.
    #[inline(never)]
    fn go_deep(bytes: usize) -> u8 {
        let mut block = [0u8; 4096];
        block[0] = 1;
        let below = if bytes > 4096 {
            go_deep(bytes - 4096)
        } else {
            0
        };
        std::hint::black_box(&mut block)[4095].wrapping_add(below)
    }

    /// Resident pages of this thread's stack, from `mincore`.
    fn resident_stack_pages() -> usize {
        // SAFETY: as in `release_unused`; `mincore` only reports on the
        // range, which is this thread's mapped stack.
        unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            assert_eq!(libc::pthread_getattr_np(libc::pthread_self(), &mut attr), 0);
            let mut low: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            assert_eq!(libc::pthread_attr_getstack(&attr, &mut low, &mut size), 0);
            libc::pthread_attr_destroy(&mut attr);
            let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
            let mut flags = vec![0u8; size / page];
            assert_eq!(libc::mincore(low, size, flags.as_mut_ptr()), 0);
            flags.iter().filter(|f| **f & 1 == 1).count()
        }
    }

    // See: issue 10, "1000 idle users".
    #[test]
    fn pages_below_the_caller_are_released_and_the_stack_still_works() {
        let thread = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let before = resident_stack_pages();
                go_deep(256 * 1024);
                let deep = resident_stack_pages();
                release_unused();
                let after = resident_stack_pages();
                // The stack grows again as usual, from zeroed pages.
                assert_eq!(go_deep(64 * 1024), 0);
                (before, deep, after)
            })
            .unwrap();
        let (before, deep, after) = thread.join().unwrap();
        assert!(deep >= before + 60, "{before} -> {deep}");
        assert!(after <= before + 4, "{before} -> {deep} -> {after}");
    }
}
