//! The state of the search page as it lives in its URL (`/?q=water&topic=housing&page=2`):
//! read leniently from the query string, and written back as links that add or remove one
//! filter, so every view of the page is a shareable address.

use polsearch_core::search::{MAX_OFFSET, MAX_PASSAGES};
use polsearch_core::syntax::MAX_QUERY_CHARS;
use polsearch_core::SearchRequest;

use crate::params::Params;

/// Results per page.
pub const PAGE_SIZE: usize = 10;

/// The last page reachable within the search offset limit.
pub const MAX_PAGE: usize = MAX_OFFSET / PAGE_SIZE + 1;

/// A facet dimension as it appears in page URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Topic,
    Type,
    Language,
    Place,
    Year,
}

impl Dim {
    pub const ALL: [Dim; 5] = [Dim::Topic, Dim::Type, Dim::Year, Dim::Language, Dim::Place];

    /// The facet's key in the API response, and the `data-facet` of its list.
    pub fn key(self) -> &'static str {
        match self {
            Dim::Topic => "topic",
            Dim::Type => "type",
            Dim::Language => "language",
            Dim::Place => "place",
            Dim::Year => "year",
        }
    }

    pub fn heading(self) -> &'static str {
        match self {
            Dim::Topic => "Topic",
            Dim::Type => "Document type",
            Dim::Language => "Language",
            Dim::Place => "Place",
            Dim::Year => "Year",
        }
    }
}

/// What the page shows: the query, the filters and the page number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    pub q: String,
    pub topics: Vec<String>,
    pub types: Vec<String>,
    pub languages: Vec<String>,
    pub places: Vec<String>,
    pub year_min: Option<u64>,
    pub year_max: Option<u64>,
    /// 1-based.
    pub page: usize,
}

impl PageQuery {
    /// Reads the page's parameters. A public page never refuses a URL: a value it cannot
    /// use (a page number that is not a number, a year out of range) is dropped, and an
    /// over-long query is cut at the API's limit.
    pub fn parse(p: &Params) -> PageQuery {
        let year = |name: &str| {
            p.get(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|y| *y <= 9999)
        };
        let mut year_min = year("year_min");
        let mut year_max = year("year_max");
        if let (Some(lo), Some(hi)) = (year_min, year_max) {
            if lo > hi {
                (year_min, year_max) = (Some(hi), Some(lo));
            }
        }
        let dedup = |mut v: Vec<String>| {
            let mut seen = std::collections::HashSet::new();
            v.retain(|x| seen.insert(x.clone()));
            v.truncate(20);
            v
        };
        PageQuery {
            q: p.get("q")
                .unwrap_or("")
                .chars()
                .take(MAX_QUERY_CHARS)
                .collect(),
            topics: dedup(p.all(&["topic"])),
            types: dedup(p.all(&["type"])),
            languages: dedup(p.all(&["lang", "language"])),
            places: dedup(p.all(&["place"])),
            year_min,
            year_max,
            page: p
                .get("page")
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(1)
                .min(MAX_PAGE),
        }
    }

    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.q.clone(),
            topics: self.topics.clone(),
            types: self.types.clone(),
            languages: self.languages.clone(),
            places: self.places.clone(),
            year_min: self.year_min,
            year_max: self.year_max,
            limit: PAGE_SIZE,
            offset: (self.page - 1) * PAGE_SIZE,
            passages: 3.min(MAX_PASSAGES),
        }
    }

    pub fn has_filters(&self) -> bool {
        !(self.topics.is_empty()
            && self.types.is_empty()
            && self.languages.is_empty()
            && self.places.is_empty()
            && self.year_min.is_none()
            && self.year_max.is_none())
    }

    fn values_mut(&mut self, dim: Dim) -> Option<&mut Vec<String>> {
        match dim {
            Dim::Topic => Some(&mut self.topics),
            Dim::Type => Some(&mut self.types),
            Dim::Language => Some(&mut self.languages),
            Dim::Place => Some(&mut self.places),
            Dim::Year => None,
        }
    }

    /// True when `value` of `dim` is selected (a year when it is the whole year range).
    pub fn is_selected(&self, dim: Dim, value: &str) -> bool {
        match dim {
            Dim::Topic => self.topics.iter().any(|v| v == value),
            Dim::Type => self.types.iter().any(|v| v == value),
            Dim::Language => self.languages.iter().any(|v| v == value),
            Dim::Place => self.places.iter().any(|v| v == value),
            Dim::Year => {
                let y = value.parse::<u64>().ok();
                y.is_some() && self.year_min == y && self.year_max == y
            }
        }
    }

    /// This view with `value` of `dim` selected, or deselected when it was; back to page 1.
    pub fn toggled(&self, dim: Dim, value: &str) -> PageQuery {
        let mut next = self.clone();
        next.page = 1;
        let selected = self.is_selected(dim, value);
        match next.values_mut(dim) {
            Some(values) => {
                if selected {
                    values.retain(|v| v != value);
                } else {
                    values.push(value.to_string());
                }
            }
            None => {
                if selected {
                    (next.year_min, next.year_max) = (None, None);
                } else {
                    let y = value.parse::<u64>().ok();
                    (next.year_min, next.year_max) = (y, y);
                }
            }
        }
        next
    }

    /// This view without any filter.
    pub fn unfiltered(&self) -> PageQuery {
        PageQuery {
            q: self.q.clone(),
            page: 1,
            ..PageQuery::default()
        }
    }

    pub fn with_page(&self, page: usize) -> PageQuery {
        PageQuery {
            page,
            ..self.clone()
        }
    }

    pub fn with_query(&self, q: &str) -> PageQuery {
        PageQuery {
            q: q.to_string(),
            page: 1,
            ..self.clone()
        }
    }

    /// The filters as (parameter, value) pairs, in a stable order.
    pub fn filter_params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        out.extend(self.topics.iter().map(|v| ("topic", v.clone())));
        out.extend(self.types.iter().map(|v| ("type", v.clone())));
        out.extend(self.languages.iter().map(|v| ("lang", v.clone())));
        out.extend(self.places.iter().map(|v| ("place", v.clone())));
        if let Some(y) = self.year_min {
            out.push(("year_min", y.to_string()));
        }
        if let Some(y) = self.year_max {
            out.push(("year_max", y.to_string()));
        }
        out
    }

    /// The page's address: `/` plus only the parameters that are set.
    pub fn url(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        for (k, v) in self.filter_params() {
            s.append_pair(k, &v);
        }
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        let qs = s.finish();
        if qs.is_empty() {
            "/".to_string()
        } else {
            format!("/?{qs}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(qs: &str) -> PageQuery {
        PageQuery::parse(&Params::parse(Some(qs)))
    }

    #[test]
    fn urls_round_trip_and_toggle_one_filter() {
        let p = parse("q=water+shutoffs&topic=water&lang=es&year_min=2020&year_max=2020&page=3");
        assert_eq!(parse(p.url().trim_start_matches("/?")), p);
        let t = p.toggled(Dim::Topic, "housing");
        assert_eq!(t.topics, ["water", "housing"]);
        assert_eq!(t.page, 1);
        assert_eq!(t.toggled(Dim::Topic, "water").topics, ["housing"]);
        assert!(p.is_selected(Dim::Year, "2020"));
        let y = p.toggled(Dim::Year, "2020");
        assert_eq!((y.year_min, y.year_max), (None, None));
        assert_eq!(p.unfiltered().url(), "/?q=water+shutoffs");
        assert_eq!(PageQuery::default().with_page(1).url(), "/");
    }

    #[test]
    fn unusable_values_are_dropped_not_refused() {
        let p = parse("q=x&page=abc&year_min=-4&year_max=99999&topic=&topic=water&topic=water");
        assert_eq!(p.page, 1);
        assert_eq!((p.year_min, p.year_max), (None, None));
        assert_eq!(p.topics, ["water"]);
        let p = parse("page=99999999999999999999999");
        assert_eq!(p.page, 1);
        assert_eq!(parse("page=5000000").page, MAX_PAGE);
        let p = parse("year_min=2022&year_max=2019");
        assert_eq!((p.year_min, p.year_max), (Some(2019), Some(2022)));
        assert!(p.request().offset <= MAX_OFFSET);
    }
}
