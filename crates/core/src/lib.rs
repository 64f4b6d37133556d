//! The polsearch index: schema, analyzers, queries, ranking, facets and snippets.
//!
//! This crate knows nothing of HTTP, JSON APIs or tokio, and nothing of how files are
//! read: the indexer hands it [`record::DocRecord`]s, the CLI and server call
//! [`search::search`].

pub mod analyzers;
pub mod documents;
pub mod error;
pub mod eval;
pub(crate) mod facet_count;
pub mod glossary;
pub mod highlight;
pub mod links;
pub mod memo;
pub mod query;
pub mod record;
pub mod schema;
pub mod search;
pub mod sideways;
pub mod snapshot;
pub mod snippet;
pub mod spelling;
pub mod stemming;
pub mod stopwords;
pub mod store;
pub mod suggest;
pub mod syntax;
pub mod typos;

pub use error::{CoreError, Result};
pub use record::{DocRecord, PassageRecord};
pub use search::{search, FacetCount, Facets, Hit, PassageHit, SearchRequest, SearchResponse};
pub use store::Store;
pub use suggest::{Suggester, Suggestion};
pub use tantivy;
