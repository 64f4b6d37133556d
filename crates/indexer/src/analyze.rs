//! One file through the indexing pipeline without writing an index: extraction (PDFs in
//! isolated workers, exactly as [`crate::run`] does) and [`crate::enrich::enrich`]. What
//! `polsearch inspect` and `polsearch eval-labels` report comes from here.

use std::path::Path;

use polsearch_extract::{ExtractedDoc, Format, SourceKind};
use rayon::prelude::*;

use crate::enrich::{enrich, Enrichment};
use crate::isolate::{Isolation, WorkerPool};
use crate::run::{extract_in_process, extract_pdf_with_fallback};
use crate::topics::Taxonomy;

/// One page or section: where it is and how much text it has.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionInfo {
    pub page: Option<u32>,
    pub anchor: Option<String>,
    pub heading: Option<String>,
    pub chars: usize,
}

/// What the indexer extracted from one file and inferred about it.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub source: SourceKind,
    pub enrichment: Enrichment,
    pub page_count: Option<u32>,
    pub sections: Vec<SectionInfo>,
    pub has_text: bool,
    pub warnings: Vec<String>,
}

/// Extracts one PDF, HTML, Markdown or text file the way an index run does.
pub fn extract_file(
    workers: &WorkerPool,
    path: &Path,
) -> Result<(SourceKind, ExtractedDoc), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    let format = Format::sniff(path, &bytes[..bytes.len().min(1024)])
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| "not a file type polsearch reads".to_string())?;
    let doc = match format {
        Format::Pdf => {
            drop(bytes);
            extract_pdf_with_fallback(workers, path).map_err(|e| e.to_string())?
        }
        Format::Jsonl => {
            return Err(
                "a JSON Lines file holds many documents; inspect one of them as its own file"
                    .into(),
            )
        }
        other => extract_in_process(other, &bytes)?,
    };
    Ok((format.kind(), doc))
}

/// Extracts and enriches one file; `rel` is its corpus-relative path (as the index stores it).
pub fn analyze_file(
    workers: &WorkerPool,
    taxonomy: &Taxonomy,
    path: &Path,
    rel: &str,
) -> Result<Analysis, String> {
    let (kind, doc) = extract_file(workers, path)?;
    // As in an index run, a bug in enrichment costs this file only.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze_doc(rel, kind, &doc, taxonomy)
    }))
    .map_err(|p| {
        format!(
            "indexer panicked: {}",
            polsearch_extract::pdf::panic_message(&p)
        )
    })
}

/// Enriches an extracted document and summarizes its sections.
pub fn analyze_doc(
    rel: &str,
    kind: SourceKind,
    doc: &ExtractedDoc,
    taxonomy: &Taxonomy,
) -> Analysis {
    Analysis {
        source: kind,
        enrichment: enrich(rel, kind, doc, taxonomy),
        page_count: doc.page_count,
        sections: doc
            .sections
            .iter()
            .map(|s| SectionInfo {
                page: s.page,
                anchor: s.anchor.clone(),
                heading: s.heading.clone(),
                chars: s.text.chars().count(),
            })
            .collect(),
        has_text: doc.has_text,
        warnings: doc.warnings.clone(),
    }
}

/// [`analyze_file`] for many files on `threads` threads, results in input order.
pub fn analyze_files(
    isolation: &Isolation,
    taxonomy: &Taxonomy,
    files: &[(std::path::PathBuf, String)],
    threads: usize,
) -> Vec<Result<Analysis, String>> {
    let workers = WorkerPool::new(isolation);
    let run = || {
        files
            .par_iter()
            .map(|(abs, rel)| analyze_file(&workers, taxonomy, abs, rel))
            .collect()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => files
            .iter()
            .map(|(abs, rel)| analyze_file(&workers, taxonomy, abs, rel))
            .collect(),
    }
}
