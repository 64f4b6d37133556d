//! The parent's side: workers kept for the length of a run, a file at a time each.
//!
//! Starting a worker per PDF cost a fresh process every time: loading the binary, the
//! allocator faulting in (and the kernel zeroing) all its memory anew, static regexes
//! compiled again. Measured on ../shared/corpus: the same 147 PDFs took 11.0–11.2 CPU-s in
//! 147 processes and 9.1–9.5 in one (BENCHMARKS.md). So a [`WorkerPool`] keeps idle workers
//! and hands each file to one, starting a worker only when none is idle.
//!
//! Isolation is kept where it matters: a worker that crashes, runs out of memory or time
//! costs the file it was reading, and is replaced. A file is only ever blamed for a crash
//! by a worker that had read nothing else: when a worker that had read other files dies,
//! the file is tried once more in a fresh one. (A timeout is the file's own: it is not
//! tried again.) Workers are retired after [`RETIRE_AFTER`] files, which bounds what one
//! process can accumulate.
//!
//! A worker dies with the *thread* that started it (Linux ties the death signal to the
//! thread), and an idle worker may next serve another thread. A pool lives within one run,
//! whose extraction threads outlive it; should a starting thread end first anyway, its
//! worker's death looks like a crash and the file is read again by a fresh worker.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

use polsearch_extract::{pdf, ExtractedDoc, PdfEngine};
use wait_timeout::ChildExt;

use super::worker::{write_request, WorkerLimits};
use super::{Isolation, PdfFailure, WorkerCommand, WorkerReply, WORKER_LIMITS_FAILED};

/// Files a worker reads before it is replaced.
pub const RETIRE_AFTER: usize = 64;
/// How long a retiring worker gets to exit on its own before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// PDF extraction as configured by an [`Isolation`]: in worker processes kept for as long
/// as the pool lives, or in this process.
pub struct WorkerPool {
    isolation: Isolation,
    idle: Mutex<Vec<Worker>>,
}

impl WorkerPool {
    pub fn new(isolation: &Isolation) -> WorkerPool {
        WorkerPool {
            isolation: isolation.clone(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Extracts `path` with `engine`. `Err` carries the reason.
    pub fn extract(&self, path: &Path, engine: PdfEngine) -> Result<ExtractedDoc, PdfFailure> {
        let Isolation::Subprocess {
            worker: command,
            timeout,
            memory_limit,
        } = &self.isolation
        else {
            let bytes = std::fs::read(path)
                .map_err(|e| PdfFailure::Machine(format!("cannot read file: {e}")))?;
            return pdf::extract_pdf(&bytes, engine).map_err(|e| PdfFailure::File(e.to_string()));
        };
        let start = || Worker::start(command, WorkerLimits::for_timeout(*memory_limit, *timeout));
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let (mut worker, mut fresh) = match idle {
            Some(worker) => (worker, false),
            None => (start()?, true),
        };
        loop {
            match worker.read(path, engine, *timeout) {
                Ok((reply, worker)) => {
                    self.keep(worker);
                    return reply;
                }
                Err(lost) if fresh || lost.timed_out => return Err(lost.failure),
                Err(_) => (worker, fresh) = (start()?, true),
            }
        }
    }

    fn keep(&self, worker: Worker) {
        if worker.files >= RETIRE_AFTER {
            worker.retire();
            return;
        }
        match self.idle.lock() {
            Ok(mut idle) => idle.push(worker),
            Err(_) => worker.retire(),
        }
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        let idle = match self.idle.get_mut() {
            Ok(idle) => std::mem::take(idle),
            Err(poisoned) => std::mem::take(poisoned.into_inner()),
        };
        for worker in idle {
            worker.retire();
        }
    }
}

/// A worker that died (or was killed) while reading a file.
struct Lost {
    failure: PdfFailure,
    timed_out: bool,
}

/// One worker process and the ends of its pipes.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// Reply lines, read off the worker's stdout by a thread of their own so that waiting
    /// for one can time out. Closed when the worker's stdout closes.
    replies: Receiver<Vec<u8>>,
    /// The worker's stderr, for the last words of one that crashed.
    stderr: tempfile::NamedTempFile,
    /// Files it has read.
    files: usize,
}

impl Worker {
    fn start(command: &WorkerCommand, limits: WorkerLimits) -> Result<Worker, PdfFailure> {
        let machine = PdfFailure::Machine;
        let stderr = tempfile::NamedTempFile::new()
            .map_err(|e| machine(format!("cannot create worker log file: {e}")))?;
        let log = stderr
            .reopen()
            .map_err(|e| machine(format!("reopening worker log file: {e}")))?;
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .arg("--serve")
            .args(limits.to_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            // Keep the worker's own logging quiet; the parent reports.
            .env("RUST_LOG", "off")
            .env("RUST_BACKTRACE", "0")
            .spawn()
            .map_err(|e| machine(format!("cannot start extraction worker: {e}")))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(machine("extraction worker without pipes".into()));
        };
        let (lines, replies) = mpsc::sync_channel(1);
        let reading = std::thread::Builder::new()
            .name("worker-replies".into())
            .spawn(move || {
                let mut stdout = BufReader::new(stdout);
                loop {
                    let mut line = Vec::new();
                    match stdout.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {
                            if lines.send(line).is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        if let Err(e) = reading {
            let _ = child.kill();
            let _ = child.wait();
            return Err(machine(format!("cannot start a reply reader: {e}")));
        }
        Ok(Worker {
            child,
            stdin,
            replies,
            stderr,
            files: 0,
        })
    }

    /// Has the worker read one file. `Ok` with the worker back when it answered (whatever
    /// the answer); `Err` when it died or was killed on the way.
    fn read(
        mut self,
        path: &Path,
        engine: PdfEngine,
        timeout: Duration,
    ) -> Result<(Result<ExtractedDoc, PdfFailure>, Worker), Lost> {
        let log_start = self.stderr.as_file().metadata().map_or(0, |m| m.len());
        self.files += 1;
        if write_request(&mut self.stdin, engine, path).is_err() {
            // The worker is gone (a broken pipe): what it says of why is in its status.
            return Err(self.died(log_start));
        }
        match self.replies.recv_timeout(timeout) {
            Ok(line) => match serde_json::from_slice::<WorkerReply>(&line) {
                Ok(WorkerReply::Ok(doc)) => Ok((Ok(*doc), self)),
                Ok(WorkerReply::Err(e)) => Ok((Err(PdfFailure::File(e)), self)),
                Err(e) => {
                    self.kill();
                    Err(Lost {
                        failure: PdfFailure::File(format!("worker reply unreadable: {e}")),
                        timed_out: false,
                    })
                }
            },
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                Err(Lost {
                    failure: PdfFailure::File(format!("timed out after {} s", timeout.as_secs())),
                    timed_out: true,
                })
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.died(log_start)),
        }
    }

    /// Why the worker is gone, from its exit status and what it wrote to stderr since
    /// `log_start`.
    fn died(mut self, log_start: u64) -> Lost {
        // Its stdout is closed, so it has exited or is about to; a worker that merely
        // closed its pipes is stopped.
        let status = match self.child.wait_timeout(EXIT_GRACE) {
            Ok(Some(status)) => Some(status),
            _ => {
                self.kill();
                None
            }
        };
        let tail = log_tail(self.stderr.as_file_mut(), log_start);
        let failure = match status {
            Some(s) if s.code() == Some(WORKER_LIMITS_FAILED) => PdfFailure::Machine(format!(
                "the extraction worker could not limit itself: {tail}"
            )),
            Some(s) => PdfFailure::File(describe_crash(s, &tail)),
            None => PdfFailure::File("the extraction worker stopped answering".into()),
        };
        Lost {
            failure,
            timed_out: false,
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Closes the worker's input, which ends it, and reaps it.
    fn retire(self) {
        let Worker {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        if !matches!(child.wait_timeout(EXIT_GRACE), Ok(Some(_))) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The last two non-empty lines written to `log` from `start` on, at most 300 characters.
fn log_tail(log: &mut File, start: u64) -> String {
    let mut s = String::new();
    if log.seek(SeekFrom::Start(start)).is_ok() {
        let _ = log.read_to_string(&mut s);
    }
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(2)..].join(" | ");
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A stand-in worker speaking the request protocol in sh: it answers every request with
    /// an error naming the path and how many requests it has read, and dies on the paths
    /// the tests name (so what the pool does about each case shows in the answers).
    const FAKE_WORKER: &str = r#"
n=0
while IFS=' ' read -r engine len; do
  path=$(dd bs=1 count="$len" 2>/dev/null)
  n=$((n + 1))
  case "$path" in
    *always-crash*) echo "boom at $path" >&2; kill -SEGV $$ ;;
    *crash*) if [ "$n" -gt 1 ]; then kill -SEGV $$; fi ;;
    *hang*) sleep 30 ;;
  esac
  printf '{"Err":"%s %s, request %s"}
' "$engine" "$path" "$n"
done
"#;

    fn fake_pool(timeout: Duration) -> WorkerPool {
        WorkerPool::new(&Isolation::Subprocess {
            worker: WorkerCommand {
                program: "sh".into(),
                args: vec!["-c".into(), FAKE_WORKER.into(), "sh".into()],
            },
            timeout,
            memory_limit: 0,
        })
    }

    fn answer(pool: &WorkerPool, path: &str) -> PdfFailure {
        match pool.extract(Path::new(path), PdfEngine::Oxide) {
            Ok(doc) => panic!("the fake worker never extracts, got {doc:?}"),
            Err(e) => e,
        }
    }

    fn file(reason: &str) -> PdfFailure {
        PdfFailure::File(reason.into())
    }

    #[test]
    fn one_worker_reads_file_after_file() {
        let pool = fake_pool(Duration::from_secs(20));
        assert_eq!(answer(&pool, "a.pdf"), file("oxide a.pdf, request 1"));
        assert_eq!(answer(&pool, "b c.pdf"), file("oxide b c.pdf, request 2"));
        let lopdf = pool.extract(Path::new("d.pdf"), PdfEngine::Lopdf);
        assert_eq!(lopdf.err(), Some(file("lopdf d.pdf, request 3")));
    }

    #[test]
    fn a_crash_in_a_worker_that_read_other_files_is_tried_again_in_a_fresh_one() {
        let pool = fake_pool(Duration::from_secs(20));
        assert_eq!(answer(&pool, "a.pdf"), file("oxide a.pdf, request 1"));
        // The worker that had read a.pdf dies on crash.pdf; a fresh one reads it.
        assert_eq!(
            answer(&pool, "crash.pdf"),
            file("oxide crash.pdf, request 1")
        );
        assert_eq!(answer(&pool, "b.pdf"), file("oxide b.pdf, request 2"));
    }

    #[test]
    fn a_crash_in_a_fresh_worker_is_the_files_with_the_workers_last_words() {
        let pool = fake_pool(Duration::from_secs(20));
        assert_eq!(answer(&pool, "a.pdf"), file("oxide a.pdf, request 1"));
        let PdfFailure::File(reason) = answer(&pool, "always-crash.pdf") else {
            panic!("a crash is the file's failure");
        };
        assert!(reason.starts_with("crashed (SIGSEGV"), "{reason}");
        assert!(reason.ends_with("boom at always-crash.pdf"), "{reason}");
        assert_eq!(answer(&pool, "b.pdf"), file("oxide b.pdf, request 1"));
    }

    #[test]
    fn a_timeout_is_the_files_and_its_worker_is_replaced() {
        let pool = fake_pool(Duration::from_secs(1));
        assert_eq!(answer(&pool, "a.pdf"), file("oxide a.pdf, request 1"));
        assert_eq!(answer(&pool, "hang.pdf"), file("timed out after 1 s"));
        assert_eq!(answer(&pool, "b.pdf"), file("oxide b.pdf, request 1"));
    }

    #[test]
    fn workers_retire_after_their_share_of_files() {
        let pool = fake_pool(Duration::from_secs(20));
        for n in 1..=RETIRE_AFTER {
            assert_eq!(
                answer(&pool, "a.pdf"),
                file(&format!("oxide a.pdf, request {n}"))
            );
        }
        assert_eq!(answer(&pool, "a.pdf"), file("oxide a.pdf, request 1"));
    }

    #[test]
    fn a_worker_that_cannot_start_is_the_machines_fault() {
        let pool = WorkerPool::new(&Isolation::Subprocess {
            worker: WorkerCommand {
                program: "/nonexistent/polsearch".into(),
                args: Vec::new(),
            },
            timeout: Duration::from_secs(5),
            memory_limit: 0,
        });
        assert!(matches!(answer(&pool, "a.pdf"), PdfFailure::Machine(_)));
    }

    #[test]
    fn the_log_tail_is_what_was_written_since_the_request() {
        let mut log = tempfile::tempfile().expect("temp");
        writeln!(log, "earlier file's caught panic\n\nthird line").expect("write");
        let start = log.stream_position().expect("pos");
        writeln!(log, "one\n\ntwo\nthree").expect("write");
        assert_eq!(log_tail(&mut log, start), "two | three");
        let end = log.stream_position().expect("pos");
        assert_eq!(log_tail(&mut log, end), "");
    }
}
