//! Walks a corpus, extracts each file (PDFs in isolated worker processes), enriches it
//! (language, topics, year) and writes the index incrementally. The only writer of an index.
//!
//! Entry point: [`run::run`] with [`run::IndexOptions`]; the binary's hidden worker
//! subcommand calls [`isolate::worker_serve`] (or [`isolate::worker_main`] for one file).

pub mod analyze;
pub mod cache;
pub mod dates;
pub mod doctype;
pub mod enrich;
pub mod error;
pub mod isolate;
pub mod language;
pub mod passages;
pub mod places;
pub mod run;
pub mod topics;
pub mod walk;

pub use analyze::{analyze_file, analyze_files, Analysis};
pub use enrich::Enrichment;
pub use error::{IndexerError, Result};
pub use isolate::{Isolation, WorkerCommand, WorkerPool};
pub use run::{run, Failure, IndexOptions, NoProgress, Progress, Summary};
pub use topics::Taxonomy;
