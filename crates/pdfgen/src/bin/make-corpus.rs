//! `make-corpus`: builds the sample PDFs of the shipped corpus.
//!
//! Reads every `crates/pdfgen/corpus-src/*.toml` and writes `corpus/pdf/<stem>.pdf` at the
//! workspace root (or, with two arguments, `make-corpus SRC_DIR OUT_DIR`). The output is
//! deterministic, so regenerating gives identical bytes.
//!
//! Source format, one file per PDF:
//!
//! ```toml
//! title = "Info dictionary title"        # optional; omit for a PDF with no Info title
//! author = "Mayors Policy Network"       # optional
//! created = "D:20210315120000Z"          # optional PDF date string
//!
//! [[page]]
//! text = '''
//! # A title line (24 pt bold)
//! ## A heading (14 pt bold)
//! Paragraph text, which may run over several source lines;
//! a blank line or a marked line ends it.
//! | A single line, written exactly as is (never wrapped)
//! [shape]
//! '''
//! ```
//!
//! `[shape]` alone on a line draws a gray rectangle with no text; a page of shapes only has
//! no text layer. A page whose blocks overflow continues on extra pages, which the tool
//! reports, so the source pages and the PDF's pages can be kept one to one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use polsearch_pdfgen::{Block, PdfDoc, PdfPage};
use serde::Deserialize;

/// One source file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    title: Option<String>,
    author: Option<String>,
    created: Option<String>,
    #[serde(default)]
    page: Vec<SourcePage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcePage {
    #[serde(default)]
    text: String,
}

/// Parses a page's marked-up text into blocks.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for raw in text.lines() {
        let line = raw.trim();
        let block = if let Some(rest) = line.strip_prefix("## ") {
            Some(Block::Heading(rest.trim().to_string()))
        } else if let Some(rest) = line.strip_prefix("# ") {
            Some(Block::Title(rest.trim().to_string()))
        } else if let Some(rest) = line.strip_prefix("| ") {
            Some(Block::Line(rest.to_string()))
        } else if line == "[shape]" {
            Some(Block::Shape)
        } else {
            None
        };
        match block {
            Some(block) => {
                flush(&mut paragraph, &mut blocks);
                blocks.push(block);
            }
            None if line.is_empty() => flush(&mut paragraph, &mut blocks),
            None => paragraph.push(line),
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn document(source: Source) -> PdfDoc {
    PdfDoc {
        info_title: source.title,
        author: source.author,
        creation_date: source.created,
        pages: source
            .page
            .iter()
            .map(|p| PdfPage {
                blocks: blocks(&p.text),
            })
            .collect(),
    }
}

fn run(src_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(src_dir)
        .map_err(|e| format!("{}: {e}", src_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    sources.sort();
    if sources.is_empty() {
        return Err(format!("no *.toml in {}", src_dir.display()));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut total = 0;
    for path in &sources {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let source: Source =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc = document(source);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("{}: bad file name", path.display()))?;
        let out = out_dir.join(format!("{stem}.pdf"));
        doc.write_to(&out)
            .map_err(|e| format!("{}: {e}", out.display()))?;
        let pages = doc.page_count();
        total += pages;
        let overflow = if pages > doc.pages.len() {
            format!(
                " (WARNING: {} source pages overflowed to {pages})",
                doc.pages.len()
            )
        } else {
            String::new()
        };
        println!("{:>3} pages  {}{overflow}", pages, out.display());
    }
    println!("{total} pages in {} PDFs", sources.len());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (src_dir, out_dir) = match args.as_slice() {
        [] => {
            let krate = Path::new(env!("CARGO_MANIFEST_DIR"));
            let workspace = krate
                .parent()
                .and_then(Path::parent)
                .expect("the crate sits at crates/pdfgen in the workspace");
            (krate.join("corpus-src"), workspace.join("corpus/pdf"))
        }
        [src, out] => (PathBuf::from(src), PathBuf::from(out)),
        _ => {
            eprintln!("usage: make-corpus [SRC_DIR OUT_DIR]");
            return ExitCode::from(2);
        }
    };
    match run(&src_dir, &out_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make-corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_blocks() {
        let text = "# Title\n## Heading\nOne paragraph\nover two lines.\n\nSecond.\n| infra-\n| structure\n[shape]\n";
        assert_eq!(
            blocks(text),
            vec![
                Block::Title("Title".into()),
                Block::Heading("Heading".into()),
                Block::Paragraph("One paragraph over two lines.".into()),
                Block::Paragraph("Second.".into()),
                Block::Line("infra-".into()),
                Block::Line("structure".into()),
                Block::Shape,
            ]
        );
    }

    /// Every source parses, fits its pages, and matches the committed PDF byte for byte
    /// (so a changed source or writer without a regenerated corpus fails here).
    #[test]
    fn every_corpus_source_parses_and_its_pdf_is_up_to_date() {
        let krate = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out_dir = krate.join("../../corpus/pdf");
        let mut count = 0;
        for entry in std::fs::read_dir(krate.join("corpus-src")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                count += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                let source: Source =
                    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let doc = document(source);
                assert!(!doc.pages.is_empty(), "{}", path.display());
                assert_eq!(
                    doc.page_count(),
                    doc.pages.len(),
                    "{} overflows",
                    path.display()
                );
                let stem = path.file_stem().unwrap().to_str().unwrap();
                let pdf = out_dir.join(format!("{stem}.pdf"));
                let committed = std::fs::read(&pdf).unwrap_or_else(|e| {
                    panic!(
                        "{}: {e}; run `cargo run -p polsearch-pdfgen --bin make-corpus`",
                        pdf.display()
                    )
                });
                assert!(
                    committed == doc.to_bytes(),
                    "{} is stale; run `cargo run -p polsearch-pdfgen --bin make-corpus`",
                    pdf.display()
                );
            }
        }
        assert!(count >= 16, "{count} sources");
    }
}
