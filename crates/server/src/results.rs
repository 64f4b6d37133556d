//! Recent search answers, kept so that a repeated search costs a lookup.
//!
//! A website's search box sends the same popular queries, and the same prefixes typed
//! letter by letter, over and over. Answers are kept as the JSON bytes sent, keyed by the
//! index they were computed on (its segments and their deletions: a reader reload that
//! changed nothing keeps them) and the whole request, so a commit (an upload, a deletion,
//! a re-index) makes every older answer unreachable at once; the least recently used go
//! first when the cache is full.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use lru::LruCache;

/// One answer as it was sent, with what the analytics record of a search.
pub struct Answer {
    pub body: Bytes,
    pub total: u64,
    pub took_ms: f64,
}

/// The index an answer came from, and the request, written out.
type Key = String;

pub struct ResultCache {
    /// `None` when caching is turned off.
    entries: Option<Mutex<LruCache<Key, Arc<Answer>>>>,
}

impl ResultCache {
    /// A cache of at most `capacity` answers; 0 keeps none.
    pub fn new(capacity: usize) -> ResultCache {
        ResultCache {
            entries: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<Answer>> {
        let mut entries = self.entries.as_ref()?.lock().ok()?;
        entries.get(key).cloned()
    }

    pub fn put(&self, key: Key, answer: Arc<Answer>) {
        if let Some(Ok(mut entries)) = self.entries.as_ref().map(Mutex::lock) {
            entries.put(key, answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(s: &'static str) -> Arc<Answer> {
        Arc::new(Answer {
            body: Bytes::from_static(s.as_bytes()),
            total: 1,
            took_ms: 0.5,
        })
    }

    #[test]
    fn the_least_recently_used_answers_go_first() {
        let c = ResultCache::new(2);
        c.put("q=water".into(), answer("a"));
        assert_eq!(
            c.get("q=water").map(|a| a.body.clone()),
            Some(Bytes::from("a"))
        );
        c.put("q=heat".into(), answer("b"));
        c.get("q=water");
        c.put("q=parking".into(), answer("c"));
        assert!(
            c.get("q=heat").is_none(),
            "the least recently used went first"
        );
        assert!(c.get("q=water").is_some());
        let off = ResultCache::new(0);
        off.put("q=water".into(), answer("a"));
        assert!(off.get("q=water").is_none());
    }
}
