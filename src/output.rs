//! What the CLI prints: the index summary and search results, for people and as JSON.

use polsearch_core::SearchResponse;
use polsearch_indexer::Summary;
use serde_json::Value;

pub fn print_summary(s: &Summary) {
    println!("{}", summary_line(s));
    for f in &s.failed {
        let again = if f.remembered {
            " (as in an earlier run; --retry-failed tries again)"
        } else {
            ""
        };
        println!("  failed: {}: {}{again}", f.path, f.error);
    }
}

/// The summary in one line.
pub fn summary_line(s: &Summary) -> String {
    format!(
        "{} files seen: {} documents indexed{}, {} unchanged, {} removed, {} failed; {} pages, {} passages in {:.1} s",
        s.files_seen,
        s.indexed,
        if s.retagged > 0 {
            format!(" ({} PDFs re-tagged from cached text)", s.retagged)
        } else {
            String::new()
        },
        s.unchanged,
        s.removed,
        s.failed.len(),
        s.pages,
        s.passages,
        s.seconds
    )
}

/// The `--json` shape: exactly what `GET /api/search` returns.
pub fn search_json(r: &SearchResponse) -> serde_json::Result<Value> {
    serde_json::to_value(r)
}

pub fn print_results(r: &SearchResponse) {
    println!("{} documents match", r.total);
    for (i, h) in r.hits.iter().enumerate() {
        let year = h.year.map(|y| format!(" ({y})")).unwrap_or_default();
        println!("\n{}. {}{}  [score {:.2}]", i + 1, h.title, year, h.score);
        println!("   {}   topics: {}", h.path, h.topics.join(", "));
        for p in &h.passages {
            let place = match (p.page, &p.anchor) {
                (Some(n), _) => format!("p. {n}"),
                (None, Some(a)) => format!("#{a}"),
                (None, None) => "text".to_string(),
            };
            println!("   {place}: {}", terminal_snippet(&p.snippet));
        }
    }
}

/// Memo-mode passages, each with its citation line first.
pub fn print_passages(r: &polsearch_core::memo::MemoResponse) {
    println!("{} passages match; the best {}:", r.total, r.passages.len());
    for (i, p) in r.passages.iter().enumerate() {
        println!("\n{}. {}", i + 1, p.citation);
        println!("   {}", terminal_snippet(&p.snippet));
        if let Some(u) = &p.url {
            println!("   {u}");
        }
    }
}

/// Snippets are HTML; on a terminal, marks become bold and entities plain characters.
fn terminal_snippet(html: &str) -> String {
    html.replace("<mark>", "\x1b[1m")
        .replace("</mark>", "\x1b[0m")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
