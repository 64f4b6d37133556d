//! The text extracted from each PDF, kept beside the index so that a change to the taxonomy
//! or to enrichment re-tags every document without extracting its PDF again.
//!
//! Extraction is most of an indexing run (a worker process per PDF, seconds for a long
//! plan); enrichment is milliseconds. Editors who change `topics.toml` should see the facets
//! follow at enrichment speed. Entries live in `INDEX/extracted/`, one zstd-compressed JSON
//! file per PDF content, named `{content hash}.{EXTRACT_VERSION}.json.zst`: a file renamed or
//! copied shares its entry, and a new extractor version simply misses. The cache is never the
//! only copy of anything (the PDFs are), so every failure to read or write it is a miss, and
//! snapshots leave it out.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use polsearch_extract::ExtractedDoc;

/// Changes whenever PDF extraction changes what a file yields; part of every cache entry's
/// name and of every record's pipeline fingerprint.
pub const EXTRACT_VERSION: &str = "extract-1";

const SUFFIX: &str = ".json.zst";
/// Fast and still about 5× smaller than the JSON: the cache is written once per new PDF.
const LEVEL: i32 = 3;

/// The `extracted/` folder of one index.
#[derive(Debug, Clone)]
pub struct ExtractCache {
    dir: PathBuf,
}

impl ExtractCache {
    pub fn new(index_dir: &Path) -> ExtractCache {
        ExtractCache {
            dir: index_dir.join("extracted"),
        }
    }

    fn entry(&self, content: &str) -> PathBuf {
        self.dir
            .join(format!("{content}.{EXTRACT_VERSION}{SUFFIX}"))
    }

    /// The document extracted earlier from a file whose bytes hash to `content`, if any.
    pub fn load(&self, content: &str) -> Option<ExtractedDoc> {
        let file = std::fs::File::open(self.entry(content)).ok()?;
        let decoder = zstd::Decoder::new(file).ok()?;
        match serde_json::from_reader(std::io::BufReader::new(decoder)) {
            Ok(doc) => Some(doc),
            Err(e) => {
                tracing::debug!(content, error = %e, "unreadable extraction cache entry");
                None
            }
        }
    }

    /// Keeps `doc` for the content hash `content`. Written to a temporary file and renamed,
    /// so a run killed mid-write leaves no half entry to be read later.
    pub fn store(&self, content: &str, doc: &ExtractedDoc) {
        if let Err(e) = self.try_store(content, doc) {
            tracing::warn!(content, error = %e, dir = %self.dir.display(),
                "could not keep extracted text; a taxonomy change will re-extract this PDF");
        }
    }

    fn try_store(&self, content: &str, doc: &ExtractedDoc) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        {
            let mut encoder = zstd::Encoder::new(tmp.as_file_mut(), LEVEL)?;
            serde_json::to_writer(&mut encoder, doc).map_err(std::io::Error::other)?;
            encoder.finish()?.flush()?;
        }
        tmp.persist(self.entry(content)).map_err(|e| e.error)?;
        Ok(())
    }

    /// Deletes every entry whose content is not in `keep` (PDFs since changed or removed,
    /// and entries of older extractor versions). Returns how many were deleted.
    pub fn retain(&self, keep: &HashSet<String>) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let current = format!(".{EXTRACT_VERSION}{SUFFIX}");
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let wanted = name
                .strip_suffix(&current)
                .is_some_and(|content| keep.contains(content));
            if !wanted && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polsearch_extract::Section;

    fn doc() -> ExtractedDoc {
        ExtractedDoc {
            title: "Lead Service Line Replacement".into(),
            page_count: Some(2),
            has_text: true,
            sections: vec![Section {
                page: Some(2),
                text: "Replace every lead service line by 2030.".into(),
                ..Section::default()
            }],
            ..ExtractedDoc::default()
        }
    }

    #[test]
    fn keeps_and_returns_a_document() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = ExtractCache::new(dir.path());
        assert!(cache.load("abc").is_none());
        cache.store("abc", &doc());
        assert_eq!(cache.load("abc"), Some(doc()));
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = ExtractCache::new(dir.path());
        cache.store("abc", &doc());
        let path = cache.entry("abc");
        let bytes = std::fs::read(&path).expect("entry");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
        assert!(cache.load("abc").is_none());
    }

    #[test]
    fn retain_drops_other_contents_and_old_versions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = ExtractCache::new(dir.path());
        cache.store("keep", &doc());
        cache.store("gone", &doc());
        let old = dir.path().join("extracted/keep.extract-0.json.zst");
        std::fs::write(&old, b"x").expect("old entry");
        let keep: HashSet<String> = ["keep".to_string()].into();
        assert_eq!(cache.retain(&keep), 2);
        assert!(cache.load("keep").is_some());
        assert!(cache.load("gone").is_none());
        assert!(!old.exists());
    }
}
