//! The `claimflow` binary: parse arguments, run a command, map the outcome to
//! an exit code (0 clean, 1 something needs a person, 2 could not run).

use std::process::ExitCode;

use clap::Parser;

mod cli;

// The reconcile and build paths allocate millions of small strings across
// rayon threads; mimalloc's per-thread heaps cost less than glibc's malloc
// there (measured with scripts/bench-reconcile.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (the same in v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory committed for the run instead of returning it to the
/// OS soon after it is freed: a run is short, and with a 10 ms purge delay
/// (mimalloc v2's default) re-faulting and zeroing the same pages cost 4-7 s
/// of system time per million reconciled payments. The bundled v3 purges
/// after 1 s, which measures the same as never; setting it keeps that
/// independent of the version. Freed memory is reused, so peak RSS does not grow.
///
/// Every command keeps them. `build` builds claims on rayon threads and
/// frees them on another once written: with a 10 ms delay the pages freed
/// are zeroed again on the next fault, a sixth of a streamed build's CPU
/// time. `secondary` holds one batch of claims at a time, so the pages it
/// keeps are a batch's (100,000 COB claims: 6.0 s of CPU and 211-215 MiB
/// peak, against 8.1-8.3 s and 137-140 MiB with a 10 ms delay;
/// scripts/bench-secondary.sh). docs/performance.md gives the figures.
fn keep_freed_memory() {
    // An operator's own MIMALLOC_PURGE_DELAY (read by mimalloc) wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    let delay = -1;
    // SAFETY: mi_option_set only stores an integer in mimalloc's option
    // table; it is called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
}

/// `PR_SET_THP_DISABLE` in linux/prctl.h.
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: std::os::raw::c_int = 41;

#[cfg(target_os = "linux")]
extern "C" {
    /// glibc's `int prctl(int option, ...)`.
    fn prctl(option: std::os::raw::c_int, ...) -> std::os::raw::c_int;
}

/// Backs `reconcile`'s memory with ordinary 4 KiB pages, not transparent
/// huge pages. mimalloc asks for huge pages on its 1 GiB arenas
/// (`MADV_HUGEPAGE`, before `main` runs), and where the kernel compacts
/// memory on such a fault (`defrag` = `madvise`, the usual default) a
/// million payments cost 1.5-2 s more system time than they save in user
/// time (scripts/bench-reconcile.sh). The process-wide switch also covers
/// the arena mapped before `main`. An operator's own `MIMALLOC_ALLOW_THP`
/// wins; off Linux this does nothing.
fn small_pages(command: &cli::Command) {
    if !matches!(command, cli::Command::Reconcile(_))
        || std::env::var_os("MIMALLOC_ALLOW_THP").is_some()
    {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and only sets a
    // flag of this process; it touches no memory of ours. Its result is not
    // needed: on failure the run is as fast as before.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as std::os::raw::c_ulong,
            0 as std::os::raw::c_ulong,
            0 as std::os::raw::c_ulong,
            0 as std::os::raw::c_ulong,
        );
    }
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    keep_freed_memory();
    small_pages(&args.command);
    match cli::run(args) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(0);
            }
            eprintln!("claimflow: {}", chain(&err));
            ExitCode::from(2)
        }
    }
}

/// The error and every cause under it, joined by `: `. A cause whose text
/// the message already holds (an error that prints its own cause) is not
/// repeated.
fn chain(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for e in err.chain() {
        let part = e.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
