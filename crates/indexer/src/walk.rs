//! Finding the files of a corpus: a folder walked recursively, or a single file.
//!
//! Hidden files and folders are skipped, symbolic links are not followed (a corpus must
//! not reach outside itself), and files of unknown formats are ignored.

use std::path::{Path, PathBuf};

use polsearch_extract::Format;
use walkdir::WalkDir;

use crate::error::{IndexerError, Result};

/// A file to index.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Absolute or caller-relative path to read.
    pub abs: PathBuf,
    /// Path relative to the corpus root, with `/` separators: the stable document id.
    pub rel: String,
    pub format: Format,
}

/// Lists the files under `corpus` (or `corpus` itself if it is a file), sorted by path.
/// `exclude` (typically the index directory) is never entered.
pub fn corpus_files(corpus: &Path, exclude: Option<&Path>) -> Result<Vec<CorpusFile>> {
    let meta = std::fs::metadata(corpus)
        .map_err(|e| IndexerError::CorpusMissing(format!("{}: {e}", corpus.display())))?;
    if meta.is_file() {
        let format = Format::from_path(corpus).ok_or_else(|| {
            IndexerError::Walk(format!("{}: not a supported file type", corpus.display()))
        })?;
        let rel = corpus
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![CorpusFile {
            abs: corpus.to_path_buf(),
            rel,
            format,
        }]);
    }
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut out = Vec::new();
    let walker = WalkDir::new(corpus)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    let walker = walker.filter_entry(|e| {
        let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
        let excluded = exclude
            .as_ref()
            .is_some_and(|x| e.path().canonicalize().map(|p| &p == x).unwrap_or(false));
        !hidden && !excluded
    });
    for entry in walker {
        let entry = entry.map_err(|e| IndexerError::Walk(e.to_string()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(format) = Format::from_path(entry.path()) else {
            continue;
        };
        let rel = relative_id(corpus, entry.path());
        out.push(CorpusFile {
            abs: entry.path().to_path_buf(),
            rel,
            format,
        });
    }
    Ok(out)
}

/// The corpus-relative path with `/` separators.
pub fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_supported_files_sorted_skipping_hidden_and_excluded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("pdf")).expect("mkdir");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::create_dir_all(root.join("idx")).expect("mkdir");
        for p in [
            "pdf/b.pdf",
            "a.md",
            "notes.docx",
            ".git/x.md",
            "idx/y.md",
            "c.HTML",
        ] {
            std::fs::write(root.join(p), b"x").expect("write");
        }
        let files = corpus_files(root, Some(&root.join("idx"))).expect("walk");
        let rels: Vec<_> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.md", "c.HTML", "pdf/b.pdf"]);
    }

    #[test]
    fn missing_corpus_is_an_error() {
        assert!(matches!(
            corpus_files(Path::new("/no/such/dir"), None),
            Err(IndexerError::CorpusMissing(_))
        ));
    }
}
