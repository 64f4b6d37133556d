//! Running PDF extraction in child processes with a wall-clock limit and a memory cap.
//!
//! A PDF parser can overflow its stack, allocate without bound or loop forever on a
//! damaged file; none of that can be caught inside a process. So PDFs are read by workers:
//! the `polsearch` binary itself, given a hidden subcommand. `RLIMIT_AS` makes runaway
//! allocation fail inside a worker instead of exhausting the machine, and the parent kills
//! a worker whose file takes longer than the time limit.
//!
//! - [`pool`]: the parent's side. A [`WorkerPool`] keeps its idle workers for the length
//!   of a run (as many as files were read at once), so a run pays for starting a worker
//!   once per extraction thread rather than once per PDF; a file is only ever blamed for a
//!   crash by a worker that had read nothing else.
//! - [`worker`]: the child's side. It puts its limits on itself and answers requests.

pub mod pool;
pub mod worker;

use std::path::PathBuf;
use std::time::Duration;

use polsearch_extract::ExtractedDoc;
use serde::{Deserialize, Serialize};

pub use pool::WorkerPool;
pub use worker::{worker_main, worker_serve, WorkerLimits};

/// How to start a worker: the program and the arguments before the worker's own.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

/// Where PDF extraction runs.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In child processes (the default for the binary).
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

/// The worker's exit code when it could not put its limits on itself: a fault of this
/// machine, not of the file, so the file is not remembered as failed.
pub(crate) const WORKER_LIMITS_FAILED: i32 = 4;

/// The worker's answer to one file, written as one line of JSON.
#[derive(Debug, Serialize, Deserialize)]
pub enum WorkerReply {
    Ok(Box<ExtractedDoc>),
    Err(String),
}
