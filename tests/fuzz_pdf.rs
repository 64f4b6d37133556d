//! Fuzzing the PDF extractor's entry point (issue 8): byte-level mutants of the sample
//! corpus's PDFs go through extraction exactly as an index run does it — a worker process
//! of the real binary with its time and memory limits, pdf_oxide first, then lopdf — and
//! every one must come back as a document with numbered pages and clean text, or as a
//! failure with a reason. Never a panic or a hang in the caller.
//!
//! Mutations are placed by fractions of the file's length, so that shrinking finds a short
//! description of a failing mutant. CI runs a fixed set of cases;
//! `PROPTEST_RNG_SEED=$RANDOM PROPTEST_CASES=2000 cargo test --test fuzz_pdf` hunts for
//! more. Failing inputs are kept in `fuzz_pdf.proptest-regressions`.

use std::path::PathBuf;
use std::time::Duration;

use polsearch_indexer::{analyze, Isolation, WorkerCommand, WorkerPool};
use proptest::prelude::*;

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    let defaults = ProptestConfig::default();
    // Fixed unless PROPTEST_RNG_SEED names one, so CI checks the same cases every run.
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        defaults.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(20_261_202)
    };
    ProptestConfig {
        cases,
        // Each case starts worker processes; a few dozen shrinking steps find the core.
        max_shrink_iters: 64,
        rng_seed,
        ..defaults
    }
}

/// The PDFs of a folder, sorted by name.
fn pdfs_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "pdf"));
    paths.sort();
    paths
}

/// The project's own PDFs (`corpus/pdf`), the bases of the first target's mutants.
fn sample_pdfs() -> Vec<PathBuf> {
    let pdfs = pdfs_in(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/pdf"));
    assert!(
        pdfs.len() >= 10,
        "the sample corpus has {} PDFs",
        pdfs.len()
    );
    pdfs
}

/// The real policy PDFs of ../shared/corpus, when it is there: long plans, scans and
/// meeting packets, where the parsers' rarer paths are.
fn shared_pdfs() -> Option<Vec<PathBuf>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pdf");
    let pdfs = pdfs_in(&dir);
    if pdfs.is_empty() {
        println!("skipped: {} is absent", dir.display());
        return None;
    }
    Some(pdfs)
}

/// Extracts a mutant of `base` the way an index run does and checks what comes back.
fn check_mutant(base: &std::path::Path, edits: &[Edit]) -> Result<(), TestCaseError> {
    let bytes = mutate(&std::fs::read(base).expect("read base PDF"), edits);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mutant.pdf");
    std::fs::write(&path, &bytes).expect("write mutant");
    match analyze::extract_file(workers(), &path) {
        Ok((_, doc)) => {
            let pages: Vec<u32> = doc.sections.iter().filter_map(|s| s.page).collect();
            prop_assert_eq!(pages.len(), doc.sections.len(), "every section is a page");
            let expected: Vec<u32> = (1..=pages.len() as u32).collect();
            prop_assert_eq!(&pages, &expected, "pages numbered in order");
            for s in &doc.sections {
                prop_assert!(
                    !s.text.chars().any(|c| c.is_control() && c != '\n'),
                    "control characters in page {:?}: {:?}",
                    s.page,
                    s.text
                );
                prop_assert!(s.text.trim() == s.text, "untrimmed page text");
            }
            prop_assert!(
                !doc.title.chars().any(char::is_control),
                "title {:?}",
                doc.title
            );
        }
        Err(reason) => prop_assert!(!reason.trim().is_empty(), "a failure without a reason"),
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Edit {
    /// Flip one bit at a fraction of the length.
    Flip(f64, u8),
    /// Cut the file at a fraction of its length.
    Truncate(f64),
    /// Remove a run of bytes.
    Delete(f64, usize),
    /// Copy a run of bytes to another place.
    Duplicate(f64, usize, f64),
    /// Overwrite a run with one byte value (0x00, 0xFF, '(' or '<' are favourites).
    Fill(f64, usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0f64..1.0;
    prop_oneof![
        4 => (at.clone(), 0u8..8).prop_map(|(p, b)| Edit::Flip(p, b)),
        1 => (0.05f64..1.0).prop_map(Edit::Truncate),
        2 => (at.clone(), 1usize..4096).prop_map(|(p, n)| Edit::Delete(p, n)),
        2 => (at.clone(), 1usize..4096, at.clone()).prop_map(|(p, n, q)| Edit::Duplicate(p, n, q)),
        2 => (at, 1usize..512, prop::sample::select(vec![0u8, 0xFF, b'(', b'<', b'[', b'0']))
            .prop_map(|(p, n, b)| Edit::Fill(p, n, b)),
    ]
}

fn pos(bytes: &[u8], frac: f64) -> usize {
    ((bytes.len() as f64 * frac) as usize).min(bytes.len())
}

fn mutate(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = base.to_vec();
    for e in edits {
        if b.is_empty() {
            break;
        }
        match *e {
            Edit::Flip(p, bit) => {
                let i = pos(&b, p).min(b.len() - 1);
                b[i] ^= 1 << bit;
            }
            Edit::Truncate(p) => b.truncate(pos(&b, p).max(1)),
            Edit::Delete(p, n) => {
                let i = pos(&b, p);
                let j = (i + n).min(b.len());
                b.drain(i..j);
            }
            Edit::Duplicate(p, n, q) => {
                let i = pos(&b, p);
                let run: Vec<u8> = b[i..(i + n).min(b.len())].to_vec();
                let at = pos(&b, q);
                b.splice(at..at, run);
            }
            Edit::Fill(p, n, v) => {
                let i = pos(&b, p);
                let j = (i + n).min(b.len());
                b[i..j].fill(v);
            }
        }
    }
    b
}

/// Workers shared by every case of a test binary, as an index run shares them among its
/// files: mutants then also meet workers that have read other mutants before.
fn workers() -> &'static WorkerPool {
    static WORKERS: std::sync::OnceLock<WorkerPool> = std::sync::OnceLock::new();
    WORKERS.get_or_init(|| WorkerPool::new(&isolation()))
}

fn isolation() -> Isolation {
    Isolation::Subprocess {
        worker: WorkerCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_polsearch")),
            args: vec!["extract-worker".into()],
        },
        timeout: Duration::from_secs(10),
        memory_limit: 1024 * 1024 * 1024,
    }
}

proptest! {
    #![proptest_config(config(40))]

    #[test]
    fn mutated_sample_pdfs_extract_cleanly_or_fail_with_a_reason(
        base in 0usize..1000,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let pdfs = sample_pdfs();
        check_mutant(&pdfs[base % pdfs.len()], &edits)?;
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn mutated_real_pdfs_extract_cleanly_or_fail_with_a_reason(
        base in 0usize..10_000,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        if let Some(pdfs) = shared_pdfs() {
            check_mutant(&pdfs[base % pdfs.len()], &edits)?;
        }
    }
}
