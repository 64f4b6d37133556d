//! `polsearch bench-corpus`: a synthetic corpus of any size, for measuring how indexing and
//! queries grow with the library (10k, 100k, 1M passages).
//!
//! Its text is the project's own sample corpus (`corpus/`) cut into sentences and dealt out
//! again: each synthetic document draws most of its sentences from one source document, so
//! topics, languages and vocabulary stay as coherent as a real library's, and the rest from
//! other sources of the same language. Nothing outside the sample corpus is used. Output is
//! JSON Lines with `pages` (one page a passage), in shards so the indexer reads them in
//! parallel. The same seed gives the same corpus.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Serialize;

#[derive(Debug, Args)]
pub struct BenchCorpusArgs {
    /// The sample corpus whose sentences are recombined.
    #[arg(long, default_value = "corpus")]
    pub from: PathBuf,
    /// How many passages (pages) to write in all.
    #[arg(long)]
    pub passages: u64,
    /// Folder for the shards (`part-00000.jsonl`, ...); must be empty or absent.
    #[arg(long)]
    pub out: PathBuf,
    /// Average pages a synthetic document has (lengths vary from 1 to 4× this).
    #[arg(long, default_value_t = 10)]
    pub pages_per_doc: u32,
    /// Documents per shard file.
    #[arg(long, default_value_t = 2000)]
    pub shard_docs: u64,
    /// Target characters per page (a typical report page holds 1,000 to 2,000).
    #[arg(long, default_value_t = 1400)]
    pub page_chars: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub pipeline: crate::cli::PipelineArgs,
}

/// One source document of the sample corpus, as sentences.
struct Source {
    title: String,
    language: String,
    sentences: Vec<String>,
}

#[derive(Serialize)]
struct Record<'a> {
    id: String,
    title: String,
    date: String,
    language: &'a str,
    pages: Vec<String>,
}

pub fn bench_corpus(a: BenchCorpusArgs) -> Result<ExitCode> {
    if a.passages == 0 {
        bail!("--passages must be at least 1");
    }
    if a.out.exists()
        && std::fs::read_dir(&a.out)
            .with_context(|| a.out.display().to_string())?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty; name a new folder for the synthetic corpus",
            a.out.display()
        );
    }
    let sources = read_sources(&a)?;
    let total_sentences: usize = sources.iter().map(|s| s.sentences.len()).sum();
    eprintln!(
        "{} source documents, {total_sentences} sentences from {}",
        sources.len(),
        a.from.display()
    );
    std::fs::create_dir_all(&a.out).with_context(|| a.out.display().to_string())?;

    let mut by_language: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        by_language.entry(s.language.as_str()).or_default().push(i);
    }
    let mut rng = fastrand::Rng::with_seed(a.seed);
    let mut written = 0u64;
    let mut docs = 0u64;
    let mut shard: Option<BufWriter<std::fs::File>> = None;
    while written < a.passages {
        if docs.is_multiple_of(a.shard_docs.max(1)) {
            if let Some(mut w) = shard.take() {
                w.flush()?;
            }
            let path = a
                .out
                .join(format!("part-{:05}.jsonl", docs / a.shard_docs.max(1)));
            let f = std::fs::File::create(&path).with_context(|| path.display().to_string())?;
            shard = Some(BufWriter::new(f));
        }
        let src_i = rng.usize(..sources.len());
        let src = &sources[src_i];
        let kin = &by_language[src.language.as_str()];
        let mean = u64::from(a.pages_per_doc.max(1));
        // Lengths skewed like a library's: many short pieces, some long reports.
        let want = 1 + (rng.f64() * rng.f64() * (4 * mean) as f64) as u64;
        let n_pages = want.min(a.passages - written);
        let pages: Vec<String> = (0..n_pages)
            .map(|_| page(&mut rng, &sources, src_i, kin, a.page_chars))
            .collect();
        let record = Record {
            id: format!("synth-{docs:07}"),
            title: title(&mut rng, src),
            date: format!("{}-{:02}-01", 2005 + rng.u32(..20), 1 + rng.u32(..12)),
            language: &src.language,
            pages,
        };
        if let Some(w) = shard.as_mut() {
            serde_json::to_writer(&mut *w, &record)?;
            w.write_all(b"\n")?;
        }
        written += n_pages;
        docs += 1;
    }
    if let Some(mut w) = shard.take() {
        w.flush()?;
    }
    println!(
        "{}",
        serde_json::json!({"documents": docs, "passages": written,
            "shards": docs.div_ceil(a.shard_docs.max(1)), "out": a.out})
    );
    Ok(ExitCode::SUCCESS)
}

/// A page of about `chars` characters: three sentences in four from the document's own
/// source, the others from any source in its language.
fn page(
    rng: &mut fastrand::Rng,
    sources: &[Source],
    own: usize,
    kin: &[usize],
    chars: usize,
) -> String {
    let mut out = String::with_capacity(chars + 400);
    while out.len() < chars {
        let from = if rng.u8(..4) == 0 {
            &sources[kin[rng.usize(..kin.len())]]
        } else {
            &sources[own]
        };
        let s = &from.sentences[rng.usize(..from.sentences.len())];
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// The source's title after a few words of one of its sentences, so titles differ but
/// still say what the document is about.
fn title(rng: &mut fastrand::Rng, src: &Source) -> String {
    let s = &src.sentences[rng.usize(..src.sentences.len())];
    let words: Vec<&str> = s.split_whitespace().take(3 + rng.usize(..5)).collect();
    let lead = words
        .join(" ")
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    format!("{}: {lead}", src.title)
}

fn read_sources(a: &BenchCorpusArgs) -> Result<Vec<Source>> {
    let workers = polsearch_indexer::WorkerPool::new(&crate::cli::pdf_isolation(&a.pipeline)?);
    // The files an index run of the folder would read, in its order.
    let files = polsearch_indexer::walk::corpus_files(&a.from, None)?;
    let mut sources = Vec::new();
    for file in files {
        let path = file.abs;
        let Ok((_, doc)) = polsearch_indexer::analyze::extract_file(&workers, &path) else {
            continue;
        };
        let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
        let language = polsearch_indexer::language::detect(texts.iter().copied(), None);
        let sentences: Vec<String> = texts.iter().flat_map(|t| sentences(t)).collect();
        if sentences.len() < 5 {
            continue;
        }
        let title = if doc.title.trim().is_empty() {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            doc.title.trim().to_string()
        };
        sources.push(Source {
            title,
            language,
            sentences,
        });
    }
    if sources.is_empty() {
        bail!(
            "no document in {} has five or more sentences to recombine",
            a.from.display()
        );
    }
    Ok(sources)
}

/// Sentences of 5 to 80 words: a stop followed by a space and a capital letter ends one.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for w in chars.windows(3) {
        let [(i, c), (_, sp), (_, next)] = [w[0], w[1], w[2]];
        if matches!(c, '.' | '?' | '!') && sp == ' ' && next.is_uppercase() {
            push_sentence(&mut out, &text[start..=i]);
            start = i + 2;
        }
    }
    push_sentence(&mut out, &text[start.min(text.len())..]);
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    let words = s.split_whitespace().count();
    if (5..=80).contains(&words) && s.ends_with(['.', '?', '!']) {
        out.push(s.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_end_at_stops_before_capitals() {
        let t = "Cities cut parking minimums in 2019. Housing starts rose by a third. e.g. not here. Too short. What did the city council decide about it?";
        assert_eq!(
            sentences(t),
            [
                "Cities cut parking minimums in 2019.",
                "Housing starts rose by a third. e.g. not here.",
                "What did the city council decide about it?"
            ]
        );
    }
}
