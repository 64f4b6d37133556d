//! The worker's side: the limits it puts on itself, and the files it is asked to read.
//!
//! **Limits.** The worker limits itself rather than the parent limiting it between fork and
//! exec: a `pre_exec` hook forces a `fork` of the whole indexing process, whose page tables
//! are copied and whose every page then faults once more on its next write; without one the
//! standard library spawns with `posix_spawn`, a vfork (measured on ../shared/corpus: 2
//! CPU-s and 330,000 page faults less per index run, BENCHMARKS.md). But an address-space
//! cap set after start-up would not bound the memory the allocator reserved before it
//! (mimalloc reserves its arena at the first allocation, and a 1 MiB cap then let a whole
//! document through). So the worker applies its limits and replaces itself with a fresh
//! image of the binary, which starts under them, exactly as it would have after a
//! `pre_exec`.
//!
//! **Requests.** A serving worker reads requests on stdin and answers each with one line of
//! JSON ([`WorkerReply`]) on stdout, until stdin closes. Each file is read on a thread of its
//! own, and pdf_oxide's process-wide caches are emptied first (in
//! [`pdf::extract_pdf`]), so what a file yields does not depend on the files read before it.

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use polsearch_extract::{pdf, PdfEngine};

use super::{WorkerReply, WORKER_LIMITS_FAILED};

/// Set in the environment of the image the worker re-executes under its limits.
const LIMITED_ENV: &str = "POLSEARCH_WORKER_LIMITED";
/// Stack of the thread a file is read on: what the main thread gets by default on Linux,
/// which is what a worker reading one file on its main thread had.
const EXTRACT_STACK: usize = 8 * 1024 * 1024;
/// Longest path a request may name.
const MAX_PATH_BYTES: usize = 64 * 1024;

/// What a worker allows itself (see the module docs for why it is not the parent that sets
/// these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerLimits {
    /// `RLIMIT_AS` in bytes; 0 for none.
    pub memory: u64,
    /// CPU seconds one file may take (`RLIMIT_CPU`, moved on for each file a serving worker
    /// reads).
    pub cpu_seconds: u64,
    /// The process that started the worker: the worker dies with it, and does not start if
    /// it is already gone.
    pub parent: u32,
}

impl WorkerLimits {
    /// The limits for a worker the current process starts with this wall-clock limit.
    pub fn for_timeout(memory: u64, timeout: Duration) -> WorkerLimits {
        WorkerLimits {
            memory,
            // CPU seconds well past the wall-clock limit: a backstop if the parent dies.
            cpu_seconds: timeout.as_secs().saturating_mul(2).max(10),
            parent: std::process::id(),
        }
    }

    /// The worker's command-line flags that carry these limits.
    pub fn to_args(self) -> [String; 6] {
        [
            "--memory-limit".into(),
            self.memory.to_string(),
            "--cpu-limit".into(),
            self.cpu_seconds.to_string(),
            "--parent".into(),
            self.parent.to_string(),
        ]
    }

    /// Puts the limits on this process; `cpu_now`: the CPU limit too (a serving worker
    /// moves it on per file instead). Fails when the parent is already gone.
    fn apply(self, cpu_now: bool) -> Result<(), String> {
        // A worker dies with its parent: without this, a server or indexer killed with
        // SIGKILL leaves its workers running (up to the CPU limit) for a run that no longer
        // exists. The parent may have died before the prctl: then the worker has been
        // re-parented and must not start.
        #[cfg(target_os = "linux")]
        {
            // SAFETY: prctl and getppid only read or set this process's own attributes.
            let reparented = unsafe {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                i64::from(libc::getppid()) != i64::from(self.parent)
            };
            if reparented {
                return Err("the indexing process is gone".into());
            }
        }
        if self.memory > 0 {
            set_limit(libc::RLIMIT_AS, self.memory, self.memory)?;
        }
        if cpu_now {
            set_limit(
                libc::RLIMIT_CPU,
                self.cpu_seconds,
                self.cpu_seconds.saturating_add(5),
            )?;
        }
        set_limit(libc::RLIMIT_CORE, 0, 0)
    }

    /// A serving worker's CPU limit for the next file: what it has used so far plus one
    /// file's allowance. The hard limit stays where it was, so that the next file can have
    /// its allowance too.
    fn allow_one_more_file(self) -> Result<(), String> {
        let used = cpu_seconds_used();
        let soft = used.saturating_add(self.cpu_seconds);
        let (_, hard) = get_limit(libc::RLIMIT_CPU)?;
        set_limit(libc::RLIMIT_CPU, soft, hard)
    }
}

#[cfg(target_os = "linux")]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(target_os = "linux"))]
type Resource = libc::c_int;

fn get_limit(resource: Resource) -> Result<(u64, u64), String> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass.
    if unsafe { libc::getrlimit(resource, &mut current) } != 0 {
        return Err(format!(
            "cannot read resource limit {resource}: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok((current.rlim_cur, current.rlim_max))
}

/// Lowers a limit to `soft`/`hard`, never above a hard limit the worker was started under
/// (an unprivileged process cannot raise it, and a lower one is already as strict).
fn set_limit(resource: Resource, soft: u64, hard: u64) -> Result<(), String> {
    let (_, current_hard) = get_limit(resource)?;
    let hard = hard.min(current_hard);
    let limit = libc::rlimit {
        rlim_cur: soft.min(hard),
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(format!(
            "cannot set resource limit {resource}: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// User and system CPU seconds this process has used, rounded up.
fn cpu_seconds_used() -> u64 {
    // SAFETY: getrusage writes into the zeroed struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let secs = usage.ru_utime.tv_sec as u64 + usage.ru_stime.tv_sec as u64;
    secs + 1
}

/// Applies `limits` and, in the image the parent started, re-executes the binary under
/// them. Returns in the image that does the work; `Err` when the limits could not be put in
/// place.
fn enter(limits: Option<WorkerLimits>, serving: bool) -> Result<(), String> {
    let Some(limits) = limits else {
        return Ok(());
    };
    // Applied again after the re-execution: the death signal and the limits survive
    // `execve`, and setting them twice changes nothing.
    limits.apply(!serving)?;
    if std::env::var_os(LIMITED_ENV).is_some() {
        return Ok(());
    }
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    // /proc/self/exe is this very image even if the file was replaced since it started.
    let exe = if cfg!(target_os = "linux") {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().map_err(|e| format!("cannot locate the worker binary: {e}"))?
    };
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(exe)
        .arg0(argv0)
        .args(args)
        .env(LIMITED_ENV, "1")
        .exec();
    Err(format!("cannot start under the limits: {error}"))
}

/// One file on the worker's command line: extract `path` with `engine` and write the reply
/// as JSON to stdout. Returns the process exit code (0 on success, 2 on an extraction
/// error, 3 when the reply could not be written, [`WORKER_LIMITS_FAILED`]).
pub fn worker_main(path: &Path, engine: PdfEngine, limits: Option<WorkerLimits>) -> i32 {
    if let Err(e) = enter(limits, false) {
        eprintln!("extract-worker: {e}");
        return WORKER_LIMITS_FAILED;
    }
    let reply = reply_for(path, engine);
    let code = if matches!(reply, WorkerReply::Ok(_)) {
        0
    } else {
        2
    };
    let mut out = std::io::stdout().lock();
    match write_reply(&mut out, &reply) {
        Ok(()) => code,
        Err(_) => 3,
    }
}

/// A serving worker: answers requests from stdin until it closes. Returns the exit code
/// (0 at the end of input, 3 when a request or reply could not be read or written,
/// [`WORKER_LIMITS_FAILED`]).
pub fn worker_serve(limits: Option<WorkerLimits>) -> i32 {
    if let Err(e) = enter(limits, true) {
        eprintln!("extract-worker: {e}");
        return WORKER_LIMITS_FAILED;
    }
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    loop {
        let (engine, path) = match read_request(&mut input) {
            Ok(Some(request)) => request,
            Ok(None) => return 0,
            Err(e) => {
                eprintln!("extract-worker: bad request: {e}");
                return 3;
            }
        };
        if let Some(limits) = limits {
            if let Err(e) = limits.allow_one_more_file() {
                eprintln!("extract-worker: {e}");
                return WORKER_LIMITS_FAILED;
            }
        }
        // pdf_oxide keeps per-thread state (an object-resolution stack a caught panic can
        // leave entries in, scratch buffers): a thread per file starts each from nothing.
        let reading = std::thread::Builder::new()
            .name("extract".into())
            .stack_size(EXTRACT_STACK)
            .spawn(move || reply_for(&path, engine));
        let reply = match reading {
            Ok(thread) => thread.join().unwrap_or_else(|p| {
                WorkerReply::Err(format!("extractor panicked: {}", pdf::panic_message(&p)))
            }),
            Err(e) => {
                eprintln!("extract-worker: cannot start a thread: {e}");
                return 3;
            }
        };
        if write_reply(&mut out, &reply).is_err() {
            return 3;
        }
    }
}

fn reply_for(path: &Path, engine: PdfEngine) -> WorkerReply {
    match std::fs::read(path) {
        Ok(bytes) => match pdf::extract_pdf(&bytes, engine) {
            Ok(doc) => WorkerReply::Ok(Box::new(doc)),
            Err(e) => WorkerReply::Err(e.to_string()),
        },
        Err(e) => WorkerReply::Err(format!("cannot read file: {e}")),
    }
}

/// One line of JSON (serde_json escapes every newline inside strings).
fn write_reply(out: &mut impl Write, reply: &WorkerReply) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, reply)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A request: `ENGINE LENGTH\n` and then the path's bytes, so that any path (not only UTF-8,
/// newlines included) gets through unchanged.
pub(crate) fn write_request(
    out: &mut impl Write,
    engine: PdfEngine,
    path: &Path,
) -> std::io::Result<()> {
    let bytes = path.as_os_str().as_bytes();
    writeln!(out, "{} {}", engine.as_str(), bytes.len())?;
    out.write_all(bytes)?;
    out.flush()
}

/// The next request, or `None` at the end of input.
fn read_request(input: &mut impl BufRead) -> std::io::Result<Option<(PdfEngine, PathBuf)>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut header = String::new();
    if input.read_line(&mut header)? == 0 {
        return Ok(None);
    }
    let (engine, len) = header
        .trim_end()
        .split_once(' ')
        .ok_or_else(|| bad("no length"))?;
    let engine = PdfEngine::parse(engine).ok_or_else(|| bad("unknown engine"))?;
    let len: usize = len.parse().map_err(|_| bad("bad length"))?;
    if len > MAX_PATH_BYTES {
        return Err(bad("path too long"));
    }
    let mut bytes = vec![0; len];
    input.read_exact(&mut bytes)?;
    Ok(Some((engine, PathBuf::from(OsString::from_vec(bytes)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_any_path_unchanged() {
        let odd = PathBuf::from(OsString::from_vec(b"dir/a b\nc\xff.pdf".to_vec()));
        let mut wire = Vec::new();
        write_request(&mut wire, PdfEngine::Lopdf, &odd).expect("write");
        write_request(&mut wire, PdfEngine::Oxide, Path::new("plain.pdf")).expect("write");
        let mut input = std::io::Cursor::new(wire);
        assert_eq!(
            read_request(&mut input).expect("read"),
            Some((PdfEngine::Lopdf, odd))
        );
        assert_eq!(
            read_request(&mut input).expect("read"),
            Some((PdfEngine::Oxide, PathBuf::from("plain.pdf")))
        );
        assert_eq!(read_request(&mut input).expect("read"), None);
    }

    #[test]
    fn malformed_requests_are_errors() {
        for wire in [
            &b"oxide\n"[..],
            b"pdfium 3\nabc",
            b"oxide x\n",
            b"oxide 9\nshort",
        ] {
            let mut input = std::io::Cursor::new(wire.to_vec());
            assert!(read_request(&mut input).is_err(), "{wire:?}");
        }
        let huge = format!("oxide {}\n", MAX_PATH_BYTES + 1);
        assert!(read_request(&mut std::io::Cursor::new(huge.into_bytes())).is_err());
    }

    #[test]
    fn a_limit_is_never_raised_above_the_hard_limit_in_force() {
        let (soft, hard) = get_limit(libc::RLIMIT_CORE).expect("read");
        // Asking for more than the hard limit lowers nothing and fails nothing.
        set_limit(libc::RLIMIT_CORE, u64::MAX, u64::MAX).expect("set");
        assert_eq!(get_limit(libc::RLIMIT_CORE).expect("read").1, hard);
        set_limit(libc::RLIMIT_CORE, soft, hard).expect("restore");
    }
}
