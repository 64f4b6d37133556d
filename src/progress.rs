//! The progress bar of `polsearch index`: drawn on a terminal, plain log lines otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use polsearch_indexer::Progress;

pub struct Bar {
    bar: Option<ProgressBar>,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Bar {
    /// A bar when stderr is a terminal and `enabled`; otherwise periodic log lines.
    pub fn new(enabled: bool) -> Bar {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed}  {wide_msg}")
            {
                b.set_style(style);
            }
            b
        });
        Bar {
            bar,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
        }
    }
}

impl Progress for Bar {
    fn begin(&self, files: usize) {
        self.total.store(files, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.set_length(files as u64);
        }
        tracing::info!(files, "indexing started");
    }

    fn file_done(&self, path: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(b) => {
                b.set_position(done as u64);
                b.set_message(path.to_string());
            }
            None => {
                let total = self.total.load(Ordering::Relaxed);
                if done.is_multiple_of(25) || done == total {
                    tracing::info!(done, total, "files processed");
                }
            }
        }
    }

    fn end(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
