//! Opening and creating the on-disk index, with the analyzers registered and the schema checked.

use std::path::Path;
use std::sync::Arc;

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::analyzers;
use crate::error::{CoreError, Result};
use crate::facet_count::FacetMaps;
use crate::glossary::Glossary;
use crate::schema::Fields;

/// Bytes of stored records compressed together. A search reads a dozen or more stored
/// passages of about 2 KB each, scattered over the library, and every read decompresses its
/// whole block: 4 KB blocks instead of tantivy's 16 KB made in-process searches about a
/// tenth faster for a fifth more store on disk (BENCHMARKS.md). Settings live in the
/// index's own metadata, so an index built with other blocks still opens.
const DOCSTORE_BLOCK_BYTES: usize = 4096;

/// Decompressed store blocks a reader keeps (tantivy keeps 100). With 4 KB blocks, 100
/// held 400 KB: the real corpus's searches (about 40 stored records each, scattered over
/// some 4,000 blocks) then decompressed almost every read, and under load that was a tenth
/// of the server's CPU. 4,096 blocks bound the cache near 20 MB whatever the library's size
/// (BENCHMARKS.md).
const DOCSTORE_CACHE_BLOCKS: usize = 4096;

fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..Default::default()
    }
}

/// An open index, its field handles, and the glossary queries are widened with.
#[derive(Clone)]
pub struct Store {
    pub index: Index,
    pub fields: Fields,
    /// Acronyms and synonyms (the built-in copy unless the caller sets another).
    pub glossary: Arc<Glossary>,
    /// Facet ordinal mappings of the index's segments, built once (see `facet_count`).
    pub(crate) facet_maps: Arc<FacetMaps>,
}

impl Store {
    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    pub fn open_or_create(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::OpenDir {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let mmap = MmapDirectory::open(dir).map_err(|e| CoreError::OpenDir {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let fields = Fields::build();
        let index = Index::builder()
            .schema(fields.schema.clone())
            .settings(settings())
            .open_or_create(mmap)
            .map_err(|e| match e {
                tantivy::TantivyError::SchemaError(msg) => CoreError::SchemaMismatch {
                    path: dir.display().to_string(),
                    found: msg,
                    expected: crate::schema::SCHEMA_VERSION.to_string(),
                },
                other => CoreError::Tantivy(other),
            })?;
        analyzers::register(&index);
        Ok(Store {
            index,
            fields,
            glossary: Arc::new(Glossary::builtin()),
            facet_maps: Arc::default(),
        })
    }

    /// Opens an existing index; an empty or missing directory is an error, not a new index.
    pub fn open(dir: &Path) -> Result<Store> {
        if !dir.join("meta.json").exists() {
            return Err(CoreError::OpenDir {
                path: dir.display().to_string(),
                reason: "no index here (run `polsearch index` first)".into(),
            });
        }
        let index = Index::open_in_dir(dir).map_err(|e| CoreError::OpenDir {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let fields =
            Fields::from_schema(&index.schema()).ok_or_else(|| CoreError::SchemaMismatch {
                path: dir.display().to_string(),
                found: "an older or foreign schema".into(),
                expected: crate::schema::SCHEMA_VERSION.to_string(),
            })?;
        analyzers::register(&index);
        Ok(Store {
            index,
            fields,
            glossary: Arc::new(Glossary::builtin()),
            facet_maps: Arc::default(),
        })
    }

    /// An in-memory index, for tests.
    pub fn in_memory() -> Store {
        let fields = Fields::build();
        let index = Index::builder()
            .schema(fields.schema.clone())
            .settings(settings())
            .create_in_ram()
            .expect("an in-memory index with a valid schema");
        analyzers::register(&index);
        Store {
            index,
            fields,
            glossary: Arc::new(Glossary::builtin()),
            facet_maps: Arc::default(),
        }
    }

    /// A reader that picks up new commits by itself shortly after they happen.
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .doc_store_cache_num_blocks(DOCSTORE_CACHE_BLOCKS)
            .try_into()?)
    }
}
