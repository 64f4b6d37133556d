//! The search page's HTML (maud, which escapes every interpolated value): the search form,
//! facet lists as links, results with their passages, pagination, and the no-results help.
//!
//! The class names and ids here are a contract with `assets/page.css`, `assets/page.js` and
//! the browser tests in `tests/browser/`.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use polsearch_core::{FacetCount, Hit, SearchResponse};

use super::labels::Labels;
use super::query::{Dim, PageQuery, PAGE_SIZE};

/// Facet values listed per dimension (years by year, the others by count).
const FACET_VALUES_SHOWN: usize = 12;

/// What the page needs besides the search response.
pub struct View<'a> {
    pub query: &'a PageQuery,
    pub resp: &'a SearchResponse,
    pub labels: &'a Labels,
    /// A corrected query to offer when the search found little.
    pub did_you_mean: Option<String>,
    /// The site name in the header and title.
    pub site_name: &'a str,
}

/// The whole page.
pub fn page(v: &View) -> Markup {
    let title = if v.query.q.trim().is_empty() {
        v.site_name.to_string()
    } else {
        format!("{} — {}", v.query.q.trim(), v.site_name)
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&title, true))
            body {
                a class="skip-link" href="#results" { "Skip to results" }
                (site_header(v.site_name, "Search guides, briefs and reports from member cities"))
                main id="main" class="wrap" {
                    (search_form(v.query))
                    (layout(v))
                }
                footer class="site-footer" {
                    div class="wrap" {
                        p {
                            "Every result links to the page of the document that says it. "
                            a href="/api/openapi.json" { "Search API" }
                        }
                    }
                }
            }
        }
    }
}

/// The `<head>` every page of the server shares; `script` adds the page's enhancement.
pub fn head(title: &str, script: bool) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href="/assets/page.css";
            @if script {
                script src="/assets/page.js" defer {}
            }
        }
    }
}

/// The bar at the top of every page.
pub fn site_header(site_name: &str, tagline: &str) -> Markup {
    html! {
        header class="site-header" {
            div class="wrap" {
                a class="brand" href="/" { (site_name) }
                span class="tagline" { (tagline) }
            }
        }
    }
}

fn search_form(q: &PageQuery) -> Markup {
    html! {
        form class="search-form" role="search" action="/" method="get" {
            label for="q" class="search-label" { "Search the policy library" }
            div class="search-row" {
                input type="search" id="q" name="q" value=(q.q) autocomplete="off"
                    placeholder="e.g. water shutoffs, parking minimums";
                button type="submit" { "Search" }
            }
            // Filters ride along, so a new query searches within them.
            @for (k, v) in q.filter_params() {
                input type="hidden" name=(k) value=(v);
            }
        }
    }
}

/// Facets and results: the part `page.js` swaps in place (`&fragment=1`).
pub fn layout(v: &View) -> Markup {
    html! {
        div class="layout" {
            (facets(v))
            (results(v))
        }
    }
}

fn facet_values(resp: &SearchResponse, dim: Dim) -> Vec<&FacetCount> {
    let f = &resp.facets;
    let list = match dim {
        Dim::Topic => &f.topic,
        Dim::Type => &f.doc_type,
        Dim::Language => &f.language,
        Dim::Place => &f.place,
        Dim::Year => &f.year,
    };
    let mut values: Vec<&FacetCount> = list.iter().filter(|c| c.count > 0).collect();
    if dim == Dim::Year {
        values.sort_by(|a, b| b.value.cmp(&a.value));
    }
    values
}

fn facets(v: &View) -> Markup {
    let q = v.query;
    html! {
        aside class="facets" aria-label="Filters" {
            h2 class="facets-title" { "Filter results" }
            @for dim in Dim::ALL {
                @let values = facet_values(v.resp, dim);
                @if !values.is_empty() {
                    section class="facet" data-facet=(dim.key()) {
                        h3 class="facet-name" { (dim.heading()) }
                        ul class="facet-values" {
                            @for c in values.iter().take(FACET_VALUES_SHOWN) {
                                @let selected = q.is_selected(dim, &c.value);
                                li {
                                    a class=(if selected { "facet-value selected" } else { "facet-value" })
                                        data-value=(c.value)
                                        aria-current=[selected.then_some("true")]
                                        href=(q.toggled(dim, &c.value).url()) {
                                        span class="facet-label" { (v.labels.value(dim.key(), &c.value)) }
                                        " "
                                        span class="facet-count" { (c.count) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if q.has_filters() {
                a class="clear-filters" href=(q.unfiltered().url()) { "Clear all filters" }
            }
        }
    }
}

/// Every active filter as (label, link without it).
fn active_filters(v: &View) -> Vec<(String, String)> {
    let q = v.query;
    let mut out = Vec::new();
    for (dim, values) in [
        (Dim::Topic, &q.topics),
        (Dim::Type, &q.types),
        (Dim::Language, &q.languages),
        (Dim::Place, &q.places),
    ] {
        for value in values {
            out.push((
                format!("{}: {}", dim.heading(), v.labels.value(dim.key(), value)),
                q.toggled(dim, value).url(),
            ));
        }
    }
    if q.year_min.is_some() || q.year_max.is_some() {
        let label = match (q.year_min, q.year_max) {
            (Some(a), Some(b)) if a == b => format!("Year: {a}"),
            (Some(a), Some(b)) => format!("Years: {a}–{b}"),
            (Some(a), None) => format!("Years: {a} and later"),
            (None, Some(b)) => format!("Years: up to {b}"),
            (None, None) => String::new(),
        };
        let mut next = q.clone();
        (next.year_min, next.year_max, next.page) = (None, None, 1);
        out.push((label, next.url()));
    }
    out
}

fn results(v: &View) -> Markup {
    let q = v.query;
    let total = v.resp.total;
    let browse = q.q.trim().is_empty();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let filters = active_filters(v);
    html! {
        section class="results" id="results" tabindex="-1" aria-labelledby="result-count" {
            p class="result-count" id="result-count" role="status" {
                strong { (total) }
                @if total == 1 { " document" } @else { " documents" }
                @if !browse {
                    @if total == 1 { " matches " } @else { " match " }
                    q { (q.q.trim()) }
                } @else if !filters.is_empty() {
                    " with these filters, newest first"
                } @else {
                    " in the library, newest first"
                }
            }
            @if !filters.is_empty() {
                ul class="active-filters" {
                    @for (label, href) in &filters {
                        li {
                            a class="active-filter" href=(href) {
                                (label) " "
                                span aria-hidden="true" { "×" }
                                span class="visually-hidden" { " remove filter" }
                            }
                        }
                    }
                }
            }
            @if v.resp.hits.is_empty() {
                (no_results(v, &filters))
            } @else {
                @if let Some(fix) = &v.did_you_mean {
                    p class="did-you-mean" {
                        "Did you mean " a href=(q.with_query(fix).url()) { (fix) } "?"
                    }
                }
                ol class="result-list" start=((q.page - 1) * PAGE_SIZE + 1) {
                    @for hit in &v.resp.hits {
                        (result(v, hit))
                    }
                }
                @if pages > 1 {
                    nav class="pagination" aria-label="Result pages" {
                        @if q.page > 1 {
                            a rel="prev" href=(q.with_page(q.page - 1).url()) { "Previous" }
                        }
                        span class="page-status" { "Page " (q.page) " of " (pages) }
                        @if q.page < pages && q.page < super::query::MAX_PAGE {
                            a rel="next" href=(q.with_page(q.page + 1).url()) { "Next" }
                        }
                    }
                }
            }
        }
    }
}

fn result(v: &View, hit: &Hit) -> Markup {
    let href = hit
        .url
        .clone()
        .unwrap_or_else(|| polsearch_core::links::document_api_url(&hit.id));
    html! {
        li class="result" {
            h2 class="result-title" { a href=(href) { (hit.title) } }
            p class="result-meta" {
                @if let Some(t) = &hit.doc_type { span class="result-type" { (v.labels.value("type", t)) } }
                @if let Some(y) = hit.year { span class="result-year" { (y) } }
                span class="result-lang" { (v.labels.value("language", &hit.language)) }
                @if let Some(n) = hit.pages {
                    span class="result-pages" { (n) @if n == 1 { " page" } @else { " pages" } }
                }
            }
            @if !hit.topics.is_empty() {
                ul class="result-topics" aria-label="Topics" {
                    @for t in &hit.topics { li { (v.labels.topic(t)) } }
                }
            }
            @if hit.passages.is_empty() {
                @if let Some(s) = &hit.snippet {
                    p class="snippet" { (PreEscaped(s)) }
                }
            } @else {
                ul class="passages" {
                    @for p in &hit.passages {
                        li class="passage" {
                            @let label = passage_label(p.page, p.heading.as_deref());
                            @if let Some(u) = &p.url {
                                a class="passage-link" href=(u) { (label) }
                            } @else {
                                span class="passage-link" { (label) }
                            }
                            // Core escapes snippet text; its only markup is <mark>.
                            span class="snippet" { (PreEscaped(&p.snippet)) }
                        }
                    }
                }
            }
        }
    }
}

fn passage_label(page: Option<u64>, heading: Option<&str>) -> String {
    match (page, heading) {
        (Some(n), _) => format!("Page {n}"),
        (None, Some(h)) if !h.trim().is_empty() => {
            let h: String = h.trim().chars().take(60).collect();
            format!("Section: {h}")
        }
        _ => "Section".to_string(),
    }
}

fn no_results(v: &View, filters: &[(String, String)]) -> Markup {
    let q = v.query;
    let unquoted = q.q.replace('"', " ");
    html! {
        div class="no-results" id="no-results" {
            @if q.q.trim().is_empty() {
                p { "No documents have these filters." }
            } @else {
                p { "No documents match " q { (q.q.trim()) } "." }
            }
            @if let Some(fix) = &v.did_you_mean {
                p class="did-you-mean" {
                    "Did you mean " a href=(q.with_query(fix).url()) { (fix) } "?"
                }
            }
            ul class="broaden" {
                @for (label, href) in filters {
                    li { a href=(href) { "Search without the filter " (label) } }
                }
                @if q.q.contains('"') {
                    li {
                        a href=(q.with_query(&unquoted).url()) {
                            "Search for the words without the quotes"
                        }
                    }
                }
                li { a href="/" { "Browse all documents" } }
            }
        }
    }
}
