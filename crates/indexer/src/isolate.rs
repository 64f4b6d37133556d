//! Running PDF extraction in a child process with a wall-clock limit and a memory cap.
//!
//! A PDF parser can overflow its stack, allocate without bound or loop forever on a
//! damaged file; none of that can be caught inside a process. So the parent runs the
//! worker (the `polsearch` binary itself, given a hidden subcommand) per document: the
//! worker writes the extracted document as JSON to a file the parent gave it, and the
//! parent kills it when the time is up. `RLIMIT_AS` makes runaway allocation fail inside
//! the child instead of exhausting the machine.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use polsearch_extract::{pdf, ExtractedDoc, PdfEngine};
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

/// How to start a worker: the program and the arguments before the worker's own.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

/// Where PDF extraction runs.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In a child process (the default for the binary).
    Subprocess {
        worker: WorkerCommand,
        timeout: Duration,
        memory_limit: u64,
    },
    /// In this process: only for tests of trusted fixtures.
    InProcess,
}

impl Isolation {
    /// The limits a failure happened under: a file that failed under some limits is tried
    /// again when they change.
    pub fn limits(&self) -> String {
        match self {
            Isolation::Subprocess {
                timeout,
                memory_limit,
                ..
            } => format!("{}s-{}B", timeout.as_secs(), memory_limit),
            Isolation::InProcess => "in-process".to_string(),
        }
    }
}

/// Why a PDF yielded no text, split by whether the same bytes would fail again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfFailure {
    /// The file: the parser's error, a crash or a limit the file ran into.
    File(String),
    /// This machine: no worker could be started or heard from, the file could not be read.
    Machine(String),
}

impl std::fmt::Display for PdfFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfFailure::File(r) | PdfFailure::Machine(r) => f.write_str(r),
        }
    }
}

/// The worker's answer, written as JSON.
#[derive(Debug, Serialize, Deserialize)]
pub enum WorkerReply {
    Ok(Box<ExtractedDoc>),
    Err(String),
}

/// Extracts `path` with `engine`, isolated as configured. `Err` carries the reason.
pub fn extract_pdf(
    isolation: &Isolation,
    path: &Path,
    engine: PdfEngine,
) -> Result<ExtractedDoc, PdfFailure> {
    match isolation {
        Isolation::InProcess => {
            let bytes = std::fs::read(path)
                .map_err(|e| PdfFailure::Machine(format!("cannot read file: {e}")))?;
            pdf::extract_pdf(&bytes, engine).map_err(|e| PdfFailure::File(e.to_string()))
        }
        Isolation::Subprocess {
            worker,
            timeout,
            memory_limit,
        } => run_worker_process(worker, path, engine, *timeout, *memory_limit),
    }
}

fn run_worker_process(
    worker: &WorkerCommand,
    path: &Path,
    engine: PdfEngine,
    timeout: Duration,
    memory_limit: u64,
) -> Result<ExtractedDoc, PdfFailure> {
    let machine = PdfFailure::Machine;
    let out =
        tempfile_in_tmp().map_err(|e| machine(format!("cannot create worker output file: {e}")))?;
    let err =
        tempfile_in_tmp().map_err(|e| machine(format!("cannot create worker log file: {e}")))?;
    let mut cmd = Command::new(&worker.program);
    cmd.args(&worker.args)
        .arg("--engine")
        .arg(engine.as_str())
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.reopen().map_err(machine)?))
        .stderr(Stdio::from(err.reopen().map_err(machine)?))
        // Keep the worker's own logging quiet; the parent reports.
        .env("RUST_LOG", "off")
        .env("RUST_BACKTRACE", "0");
    limit_resources(&mut cmd, memory_limit, timeout);
    let mut child = cmd
        .spawn()
        .map_err(|e| machine(format!("cannot start extraction worker: {e}")))?;
    let status = match child
        .wait_timeout(timeout)
        .map_err(|e| machine(format!("waiting for worker: {e}")))?
    {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfFailure::File(format!(
                "timed out after {} s",
                timeout.as_secs()
            )));
        }
    };
    let mut reply = String::new();
    out.reopen()
        .map_err(machine)?
        .read_to_string(&mut reply)
        .map_err(|e| machine(format!("reading worker output: {e}")))?;
    if status.success() || status.code() == Some(2) {
        return match serde_json::from_str::<WorkerReply>(&reply) {
            Ok(WorkerReply::Ok(doc)) => Ok(*doc),
            Ok(WorkerReply::Err(e)) => Err(PdfFailure::File(e)),
            Err(e) => Err(PdfFailure::File(format!("worker reply unreadable: {e}"))),
        };
    }
    Err(PdfFailure::File(describe_crash(status, &tail_of(&err))))
}

/// A temp file with two handles (ours and the child's), removed when dropped.
struct TempOut {
    file: tempfile::NamedTempFile,
}

impl TempOut {
    fn reopen(&self) -> Result<File, String> {
        self.file
            .reopen()
            .map_err(|e| format!("reopening temp file: {e}"))
    }
}

fn tempfile_in_tmp() -> std::io::Result<TempOut> {
    Ok(TempOut {
        file: tempfile::NamedTempFile::new()?,
    })
}

fn tail_of(err: &TempOut) -> String {
    let mut s = String::new();
    if let Ok(mut f) = err.reopen() {
        let _ = f.read_to_string(&mut s);
    }
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines
        .iter()
        .rev()
        .take(2)
        .rev()
        .copied()
        .collect::<Vec<_>>()
        .join(" | ");
    tail.chars().take(300).collect()
}

fn describe_crash(status: std::process::ExitStatus, stderr_tail: &str) -> String {
    use std::os::unix::process::ExitStatusExt;
    let what = match status.signal() {
        Some(libc::SIGKILL) => "killed (SIGKILL: memory or CPU limit)".to_string(),
        Some(libc::SIGSEGV) => "crashed (SIGSEGV: likely stack overflow)".to_string(),
        Some(libc::SIGABRT) => "aborted (SIGABRT: likely allocation failure)".to_string(),
        Some(libc::SIGXCPU) => "stopped at the CPU time limit".to_string(),
        Some(sig) => format!("killed by signal {sig}"),
        None => format!("worker exited with status {}", status.code().unwrap_or(-1)),
    };
    if stderr_tail.is_empty() {
        what
    } else {
        format!("{what}: {stderr_tail}")
    }
}

fn limit_resources(cmd: &mut Command, memory_limit: u64, timeout: Duration) {
    use std::os::unix::process::CommandExt;
    // CPU seconds well past the wall-clock limit: a backstop if the parent dies.
    let cpu = timeout.as_secs().saturating_mul(2).max(10);
    #[cfg(target_os = "linux")]
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: setrlimit, prctl and getppid are async-signal-safe and only touch the
    // child's own state.
    unsafe {
        cmd.pre_exec(move || {
            // A worker dies with its parent: without this, a server or indexer killed with
            // SIGKILL leaves its workers running (up to the CPU limit) for a run that no
            // longer exists. The signal follows the thread that spawned the worker, which
            // is the one waiting for it, so it never fires early. The parent may have died
            // before the prctl: then the worker has been re-parented and must not start.
            #[cfg(target_os = "linux")]
            {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                if libc::getppid() != parent {
                    return Err(std::io::Error::other("the indexing process is gone"));
                }
            }
            let mem = libc::rlimit {
                rlim_cur: memory_limit as libc::rlim_t,
                rlim_max: memory_limit as libc::rlim_t,
            };
            let cpu = libc::rlimit {
                rlim_cur: cpu as libc::rlim_t,
                rlim_max: cpu as libc::rlim_t + 5,
            };
            let core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if memory_limit > 0 {
                libc::setrlimit(libc::RLIMIT_AS, &mem);
            }
            libc::setrlimit(libc::RLIMIT_CPU, &cpu);
            libc::setrlimit(libc::RLIMIT_CORE, &core);
            Ok(())
        });
    }
}

/// The worker side: extract `path` with `engine` and write the reply as JSON to stdout.
/// Returns the process exit code (0 on success, 2 on an extraction error).
pub fn worker_main(path: &Path, engine: PdfEngine) -> i32 {
    let reply = match std::fs::read(path) {
        Ok(bytes) => match pdf::extract_pdf(&bytes, engine) {
            Ok(doc) => WorkerReply::Ok(Box::new(doc)),
            Err(e) => WorkerReply::Err(e.to_string()),
        },
        Err(e) => WorkerReply::Err(format!("cannot read file: {e}")),
    };
    let code = if matches!(reply, WorkerReply::Ok(_)) {
        0
    } else {
        2
    };
    match serde_json::to_string(&reply) {
        Ok(json) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out
                .write_all(json.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return 3;
            }
            code
        }
        Err(_) => 3,
    }
}
