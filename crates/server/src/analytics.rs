//! Search analytics for staff: what people look for and what finds nothing.
//!
//! Each search is recorded as its normalized query, its filters, its result count and its
//! time — no address, agent or anything else about who asked. Events go through a bounded
//! channel to one writer thread that batches them into redb transactions, so a search never
//! waits on disk, and a burst beyond the channel's room is dropped (and counted) rather than
//! slowing searches down. The store survives restarts; events older than the retention are
//! pruned when it opens.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redb::{Database, ReadableDatabase, TableDefinition};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Microseconds since the epoch (made unique by the writer) → one JSON-encoded event.
const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("search_events");

/// Events waiting for the writer; past this, new ones are dropped.
const QUEUE: usize = 8192;
/// Events written per transaction at most.
const BATCH: usize = 1024;
/// Longest query kept, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// How long events are kept.
pub const RETENTION_DAYS: u64 = 400;
/// Entries per list in a stats report.
const TOP: usize = 25;

#[derive(Debug, Error)]
pub enum AnalyticsError {
    #[error("analytics store {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("analytics store: {0}")]
    Store(String),
}

fn store_err(e: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::Store(e.to_string())
}

/// One search, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unix seconds.
    pub t: u64,
    /// Normalized query (lower case, single spaces); empty for browsing.
    pub q: String,
    /// `dimension:value` of every filter, sorted.
    pub filters: Vec<String>,
    pub results: u64,
    pub took_ms: f64,
}

impl Event {
    pub fn new(query: &str, filters: Vec<String>, results: u64, took_ms: f64) -> Event {
        let mut filters: Vec<String> = filters.into_iter().map(|f| normalize(&f)).collect();
        filters.sort();
        filters.dedup();
        Event {
            t: now_secs(),
            q: normalize(query),
            filters,
            results,
            took_ms: (took_ms * 100.0).round() / 100.0,
        }
    }
}

/// Lower case, control characters dropped, whitespace collapsed, cut to a bounded length:
/// "Water  Shutoffs" and "water shutoffs" are one query.
pub fn normalize(q: &str) -> String {
    q.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

enum Msg {
    Event(Event),
    /// Answered once everything sent before it is committed.
    Flush(mpsc::Sender<()>),
}

/// The analytics store: cheap to clone, recording never blocks.
#[derive(Clone)]
pub struct Analytics {
    db: Arc<Database>,
    writer: Arc<Writer>,
    dropped: Arc<AtomicU64>,
}

/// The writer thread's channel; when the last handle goes, the channel closes and the
/// thread is joined, so every queued event is committed and the file is closed.
struct Writer {
    tx: Option<SyncSender<Msg>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    fn send(&self, m: Msg) -> Result<(), TrySendError<Msg>> {
        match &self.tx {
            Some(tx) => tx.try_send(m),
            None => Err(TrySendError::Disconnected(m)),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Analytics {
    /// Opens (or creates) the store at `path` and starts its writer thread.
    pub fn open(path: &Path) -> Result<Analytics, AnalyticsError> {
        let open_err = |reason: String| AnalyticsError::Open {
            path: path.display().to_string(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let db = Arc::new(Database::create(path).map_err(|e| open_err(e.to_string()))?);
        prune(&db, now_secs().saturating_sub(RETENTION_DAYS * 86_400))?;
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let writer_db = db.clone();
        let thread = std::thread::Builder::new()
            .name("analytics-writer".into())
            .spawn(move || write_loop(&writer_db, rx))
            .map_err(|e| open_err(e.to_string()))?;
        Ok(Analytics {
            db,
            writer: Arc::new(Writer {
                tx: Some(tx),
                thread: Some(thread),
            }),
            dropped: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Queues one event; drops it when the writer is too far behind.
    pub fn record(&self, e: Event) {
        match self.writer.send(Msg::Event(e)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Events dropped since start because the writer was behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Waits (up to a few seconds) until every event recorded so far is committed.
    pub fn flush(&self) {
        let (tx, rx) = mpsc::channel();
        let sent = match &self.writer.tx {
            // Blocking send: a flush must not be dropped when the queue is full.
            Some(w) => w.send(Msg::Flush(tx)).is_ok(),
            None => false,
        };
        if sent {
            let _ = rx.recv_timeout(Duration::from_secs(5));
        }
    }

    /// The events of the last `days` days, oldest first.
    pub fn events_since(&self, days: u64) -> Result<Vec<Event>, AnalyticsError> {
        let from = now_secs().saturating_sub(days.saturating_mul(86_400));
        let txn = self.db.begin_read().map_err(store_err)?;
        let table = match txn.open_table(EVENTS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(store_err(e)),
        };
        let mut out = Vec::new();
        for row in table
            .range(from.saturating_mul(1_000_000)..)
            .map_err(store_err)?
        {
            let (_, v) = row.map_err(store_err)?;
            // An entry that no longer parses (an older format) is skipped, not fatal.
            if let Ok(e) = serde_json::from_slice::<Event>(v.value()) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// The report `GET /api/stats` and `/admin/stats` show.
    pub fn stats(&self, days: u64) -> Result<Stats, AnalyticsError> {
        self.flush();
        Ok(Stats::from_events(days, &self.events_since(days)?))
    }
}

fn write_loop(db: &Database, rx: Receiver<Msg>) {
    let mut last_key = 0u64;
    while let Ok(first) = rx.recv() {
        let mut events = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Msg::Event(e) => events.push(e),
                Msg::Flush(ack) => flushes.push(ack),
            }
            if events.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !events.is_empty() {
            if let Err(e) = write_batch(db, &events, &mut last_key) {
                tracing::warn!(error = %e, lost = events.len(), "analytics events not stored");
            }
        }
        for ack in flushes {
            let _ = ack.send(());
        }
    }
}

fn write_batch(db: &Database, events: &[Event], last_key: &mut u64) -> Result<(), AnalyticsError> {
    let txn = db.begin_write().map_err(store_err)?;
    {
        let mut table = txn.open_table(EVENTS).map_err(store_err)?;
        for e in events {
            let micros = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros() as u64)
                .unwrap_or(0);
            // Keys only order events; two in the same microsecond must not collide.
            let key = micros.max(*last_key + 1);
            *last_key = key;
            let bytes = serde_json::to_vec(e).map_err(store_err)?;
            table.insert(key, bytes.as_slice()).map_err(store_err)?;
        }
    }
    txn.commit().map_err(store_err)
}

fn prune(db: &Database, before_secs: u64) -> Result<(), AnalyticsError> {
    let txn = db.begin_write().map_err(store_err)?;
    {
        let mut table = txn.open_table(EVENTS).map_err(store_err)?;
        table
            .retain_in(..before_secs.saturating_mul(1_000_000), |_, _| false)
            .map_err(store_err)?;
    }
    txn.commit().map_err(store_err)
}

/// A query and how it fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryStat {
    pub query: String,
    pub count: u64,
    /// Mean number of results.
    pub avg_results: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilterStat {
    /// `dimension:value`.
    pub filter: String,
    pub count: u64,
}

/// What staff read: the most frequent queries, those that found nothing, the filters used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub days: u64,
    pub searches: u64,
    pub zero_result_searches: u64,
    pub top_queries: Vec<QueryStat>,
    pub zero_result_queries: Vec<QueryStat>,
    pub top_filters: Vec<FilterStat>,
}

impl Stats {
    pub fn from_events(days: u64, events: &[Event]) -> Stats {
        let mut queries: HashMap<&str, (u64, u64)> = HashMap::new();
        let mut zero: HashMap<&str, u64> = HashMap::new();
        let mut filters: HashMap<&str, u64> = HashMap::new();
        for e in events {
            if !e.q.is_empty() {
                let q = queries.entry(&e.q).or_default();
                q.0 += 1;
                q.1 += e.results;
                if e.results == 0 {
                    *zero.entry(&e.q).or_default() += 1;
                }
            }
            for f in &e.filters {
                *filters.entry(f).or_default() += 1;
            }
        }
        let mut top_queries: Vec<QueryStat> = queries
            .iter()
            .map(|(q, (n, sum))| QueryStat {
                query: q.to_string(),
                count: *n,
                avg_results: (*sum as f64 / *n as f64 * 10.0).round() / 10.0,
            })
            .collect();
        top_queries.sort_by(|a, b| b.count.cmp(&a.count).then(a.query.cmp(&b.query)));
        top_queries.truncate(TOP);
        let mut zero_result_queries: Vec<QueryStat> = zero
            .iter()
            .map(|(q, n)| QueryStat {
                query: q.to_string(),
                count: *n,
                avg_results: 0.0,
            })
            .collect();
        zero_result_queries.sort_by(|a, b| b.count.cmp(&a.count).then(a.query.cmp(&b.query)));
        zero_result_queries.truncate(TOP);
        let mut top_filters: Vec<FilterStat> = filters
            .iter()
            .map(|(f, n)| FilterStat {
                filter: f.to_string(),
                count: *n,
            })
            .collect();
        top_filters.sort_by(|a, b| b.count.cmp(&a.count).then(a.filter.cmp(&b.filter)));
        top_filters.truncate(TOP);
        Stats {
            days,
            searches: events.len() as u64,
            zero_result_searches: events.iter().filter(|e| e.results == 0).count() as u64,
            top_queries,
            zero_result_queries,
            top_filters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening_and_aggregate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("analytics.redb");
        {
            let a = Analytics::open(&path).expect("open");
            for (q, n) in [
                ("Water  Shutoffs", 4),
                ("water shutoffs", 2),
                ("zoning for tiny homes", 0),
                ("", 30),
            ] {
                a.record(Event::new(q, vec!["topic:water".into()], n, 1.5));
            }
            a.flush();
        }
        // redb allows one open handle per file: reopening proves the data is on disk.
        let a = Analytics::open(&path).expect("reopen");
        let s = a.stats(30).expect("stats");
        assert_eq!(s.searches, 4);
        assert_eq!(s.zero_result_searches, 1);
        assert_eq!(s.top_queries[0].query, "water shutoffs");
        assert_eq!(s.top_queries[0].count, 2);
        assert_eq!(s.top_queries[0].avg_results, 3.0);
        assert_eq!(s.zero_result_queries.len(), 1);
        assert_eq!(s.zero_result_queries[0].query, "zoning for tiny homes");
        assert_eq!(s.top_filters[0].filter, "topic:water");
        assert_eq!(s.top_filters[0].count, 4);
        // Browsing (an empty query) counts as a search but not as a query.
        assert!(s.top_queries.iter().all(|q| !q.query.is_empty()));
    }

    #[test]
    fn normalization_merges_spellings_of_one_query() {
        assert_eq!(normalize("  Water\tSHUTOFFS\u{0}\n"), "water shutoffs");
        assert_eq!(normalize(&"x".repeat(500)).len(), MAX_QUERY_CHARS);
    }
}
