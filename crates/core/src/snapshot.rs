//! Backups: a consistent copy of an index as one tar file, taken while the index is being
//! searched and even written, and its restoration into an empty folder.
//!
//! Consistency comes from tantivy's own protocol: committed segment files are never
//! modified, a commit only adds files and atomically replaces `meta.json`, and files are
//! deleted only by garbage collection, which takes the meta lock first. So the snapshot
//! holds the meta lock, reads `meta.json` once, and copies exactly the files that version
//! names; commits may go on meanwhile, and the copy is the index as of that `meta.json`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, META_LOCK};

use crate::error::{CoreError, Result};
use crate::store::Store;

const META_FILE: &str = "meta.json";

fn io_err(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Snapshot(format!("{what}: {e}"))
}

/// What a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSummary {
    pub files: usize,
    pub bytes: u64,
    pub segments: usize,
}

/// Writes a tar archive of the committed state of the index in `dir` (opened as `store`)
/// to `out`. Files are copied byte for byte from `dir`: tantivy's own reads strip the
/// footer that each file carries.
pub fn snapshot(store: &Store, dir_path: &Path, out: impl Write) -> Result<SnapshotSummary> {
    let dir = store.index.directory();
    // Held until the copy is done: no segment file can be garbage collected under us.
    let _lock = dir
        .acquire_lock(&META_LOCK)
        .map_err(|e| io_err("locking the index against garbage collection", e))?;
    let meta_bytes = dir
        .atomic_read(Path::new(META_FILE))
        .map_err(|e| io_err("reading meta.json", e))?;
    let segments = segment_files(&meta_bytes)?;
    let mut files: Vec<PathBuf> = segments.iter().flatten().cloned().collect();
    files.sort();
    files.dedup();
    let mut tar = tar::Builder::new(out);
    let mut bytes = 0u64;
    let mut copied = 0usize;
    for path in &files {
        // A segment may lack optional components (no positions): only what exists.
        let data = match std::fs::read(dir_path.join(path)) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&format!("reading {}", path.display()), e)),
        };
        append(&mut tar, path, &data)?;
        bytes += data.len() as u64;
        copied += 1;
    }
    // meta.json last: an archive cut short lacks it and cannot be mistaken for an index.
    append(&mut tar, Path::new(META_FILE), &meta_bytes)?;
    tar.finish().map_err(|e| io_err("writing the archive", e))?;
    Ok(SnapshotSummary {
        files: copied + 1,
        bytes: bytes + meta_bytes.len() as u64,
        segments: segments.len(),
    })
}

/// Component files of a segment, as tantivy names them (`{id}.idx`, `{id}.{opstamp}.del`).
const COMPONENTS: &[&str] = &["idx", "pos", "term", "store", "fast", "fieldnorm"];

/// The files of every segment that this `meta.json` names.
fn segment_files(meta_json: &[u8]) -> Result<Vec<Vec<PathBuf>>> {
    let meta: serde_json::Value =
        serde_json::from_slice(meta_json).map_err(|e| io_err("parsing meta.json", e))?;
    let segments = meta["segments"]
        .as_array()
        .ok_or_else(|| CoreError::Snapshot("meta.json lists no segments".into()))?;
    segments
        .iter()
        .map(|seg| {
            let id: String = seg["segment_id"]
                .as_str()
                .ok_or_else(|| CoreError::Snapshot("a segment without an id".into()))?
                .chars()
                .filter(|c| *c != '-')
                .collect();
            let mut files: Vec<PathBuf> = COMPONENTS
                .iter()
                .map(|ext| PathBuf::from(format!("{id}.{ext}")))
                .collect();
            if let Some(op) = seg["deletes"]["opstamp"].as_u64() {
                files.push(PathBuf::from(format!("{id}.{op}.del")));
            }
            Ok(files)
        })
        .collect()
}

fn append(tar: &mut tar::Builder<impl Write>, path: &Path, data: &[u8]) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, path, data)
        .map_err(|e| io_err(&format!("archiving {}", path.display()), e))
}

/// Unpacks a snapshot into `dir`, which must be missing or empty, and checks that the
/// result opens as an index.
pub fn restore(archive: impl Read, dir: &Path) -> Result<Store> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| io_err("reading the target", e))?;
        if entries.next().is_some() {
            return Err(CoreError::Snapshot(format!(
                "{} is not empty; restore into a new folder",
                dir.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| io_err("creating the target", e))?;
    let mut tar = tar::Archive::new(archive);
    let mut saw_meta = false;
    for entry in tar
        .entries()
        .map_err(|e| io_err("reading the archive", e))?
    {
        let mut entry = entry.map_err(|e| io_err("reading the archive", e))?;
        let path = entry
            .path()
            .map_err(|e| io_err("reading the archive", e))?
            .into_owned();
        // Only plain file names: nothing may land outside the target folder.
        let name = match (path.file_name(), path.components().count()) {
            (Some(n), 1) => n.to_owned(),
            _ => {
                return Err(CoreError::Snapshot(format!(
                    "unexpected entry {} in the archive",
                    path.display()
                )))
            }
        };
        saw_meta |= name == META_FILE;
        entry
            .unpack(dir.join(&name))
            .map_err(|e| io_err(&format!("unpacking {}", path.display()), e))?;
    }
    if !saw_meta {
        return Err(CoreError::Snapshot(
            "the archive has no meta.json: not a complete polsearch snapshot".into(),
        ));
    }
    let store = Store::open(dir)?;
    // Opening a reader opens every segment file: a missing one fails here, not later.
    store.index.reader()?;
    Ok(store)
}
