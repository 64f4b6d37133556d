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
//!
//! The cache also remembers PDFs that failed (`{content hash}.{EXTRACT_VERSION}.failed.json`:
//! the reason and the worker limits it failed under), so that a file that loops or bombs
//! costs a worker once, not in every run (and every upload's re-index) after. Changed bytes,
//! other limits or a new extractor version try again.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use polsearch_extract::ExtractedDoc;
use serde::{Deserialize, Serialize};

/// Changes whenever PDF extraction changes what a file yields; part of every cache entry's
/// name and of every record's pipeline fingerprint.
pub const EXTRACT_VERSION: &str = "extract-2";

const SUFFIX: &str = ".json.zst";
const FAILED_SUFFIX: &str = ".failed.json";
/// Fast and still about 5× smaller than the JSON: the cache is written once per new PDF.
const LEVEL: i32 = 3;

/// A PDF that failed: why, and under which worker limits.
#[derive(Serialize, Deserialize)]
struct RememberedFailure {
    limits: String,
    error: String,
}

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

    fn failure_entry(&self, content: &str) -> PathBuf {
        self.dir
            .join(format!("{content}.{EXTRACT_VERSION}{FAILED_SUFFIX}"))
    }

    /// Why the file whose bytes hash to `content` failed before under these `limits`.
    pub fn load_failure(&self, content: &str, limits: &str) -> Option<String> {
        let bytes = std::fs::read(self.failure_entry(content)).ok()?;
        let failed: RememberedFailure = serde_json::from_slice(&bytes).ok()?;
        (failed.limits == limits).then_some(failed.error)
    }

    /// Remembers that the file whose bytes hash to `content` failed under `limits`.
    pub fn store_failure(&self, content: &str, limits: &str, error: &str) {
        let failed = RememberedFailure {
            limits: limits.to_string(),
            error: error.to_string(),
        };
        let written = std::fs::create_dir_all(&self.dir).and_then(|()| {
            let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
            serde_json::to_writer(tmp.as_file_mut(), &failed).map_err(std::io::Error::other)?;
            tmp.persist(self.failure_entry(content))
                .map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = written {
            tracing::warn!(content, error = %e, "could not remember a failed PDF; it will be tried again");
        }
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

    /// Deletes every entry (text or failure) whose content is not in `keep` (PDFs since
    /// changed or removed, and entries of older extractor versions). Returns how many were
    /// deleted.
    pub fn retain(&self, keep: &HashSet<String>) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let current = [
            format!(".{EXTRACT_VERSION}{SUFFIX}"),
            format!(".{EXTRACT_VERSION}{FAILED_SUFFIX}"),
        ];
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let wanted = current.iter().any(|suffix| {
                name.strip_suffix(suffix.as_str())
                    .is_some_and(|content| keep.contains(content))
            });
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
    fn a_failure_is_remembered_under_its_limits_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = ExtractCache::new(dir.path());
        assert_eq!(cache.load_failure("abc", "30s-2GB"), None);
        cache.store_failure("abc", "30s-2GB", "timed out after 30 s");
        assert_eq!(
            cache.load_failure("abc", "30s-2GB").as_deref(),
            Some("timed out after 30 s")
        );
        assert_eq!(cache.load_failure("abc", "60s-2GB"), None, "other limits");
        assert_eq!(cache.load_failure("abd", "30s-2GB"), None, "other bytes");
        assert!(cache.load("abc").is_none(), "a failure is not a document");
        let keep: HashSet<String> = ["abc".to_string()].into();
        assert_eq!(cache.retain(&keep), 0);
        assert!(cache.load_failure("abc", "30s-2GB").is_some());
        assert_eq!(cache.retain(&HashSet::new()), 1);
        assert_eq!(cache.load_failure("abc", "30s-2GB"), None);
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
