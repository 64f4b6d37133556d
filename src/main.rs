//! The `polsearch` command line: `index`, `search`, `serve`, `passages`, `eval`, `bench`,
//! `snapshot`, `restore`, `inspect`, `eval-labels`, and the hidden PDF worker.

mod alloc;
mod bench;
mod cli;
mod eval;
mod eval_labels;
mod inspect;
mod output;
mod progress;
mod serve;
mod synth;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    // The worker writes JSON on stdout and must stay silent otherwise.
    if !matches!(args.command, cli::Command::ExtractWorker(_)) {
        init_tracing(args.verbose);
    }
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("polsearch: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_tracing(verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if verbose { "info,tantivy=warn" } else { "warn" };
    let filter =
        EnvFilter::try_from_env("POLSEARCH_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
