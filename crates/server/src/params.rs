//! Reading query strings: repeatable parameters, numbers checked and bounded, and every
//! problem reported as a 400 that names the parameter.

use polsearch_core::search::{MAX_OFFSET, MAX_PASSAGES};
use polsearch_core::syntax::MAX_QUERY_CHARS;
use polsearch_core::SearchRequest;

use crate::error::ApiError;

/// A query string as (name, value) pairs, in order, values percent-decoded (invalid UTF-8
/// becomes U+FFFD rather than an error).
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        Params(
            form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The last value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of any of `names` (a repeatable filter; `a,b` is not split,
    /// since place names contain commas).
    pub fn all(&self, names: &[&str]) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| names.contains(&k.as_str()) && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// An unsigned integer parameter within `min..=max`.
    pub fn number(&self, name: &str, min: u64, max: u64) -> Result<Option<u64>, ApiError> {
        let Some(v) = self.get(name).map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let n: u64 = v.parse().map_err(|_| {
            ApiError::bad_param(
                name,
                format!(
                    "{name} must be a whole number from {min} to {max}, got {:?}",
                    clip(v)
                ),
            )
        })?;
        if n < min || n > max {
            return Err(ApiError::bad_param(
                name,
                format!("{name} must be from {min} to {max}, got {n}"),
            ));
        }
        Ok(Some(n))
    }

    /// The text of `name`, at most `max_chars` characters.
    pub fn text(&self, name: &str, max_chars: usize) -> Result<String, ApiError> {
        let v = self.get(name).unwrap_or("");
        if v.chars().count() > max_chars {
            return Err(ApiError::bad_param(
                name,
                format!("{name} is longer than {max_chars} characters"),
            ));
        }
        Ok(v.to_string())
    }

    /// True when a flag parameter is set (`1`, `true`, `yes`).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "true" | "yes"))
    }
}

fn clip(v: &str) -> String {
    v.chars().take(40).collect()
}

/// Largest `limit` accepted; larger values are capped, as documented.
pub const MAX_LIMIT: u64 = polsearch_core::search::MAX_LIMIT as u64;

/// `GET /api/search` parameters as a search request.
pub fn search_request(p: &Params) -> Result<SearchRequest, ApiError> {
    let limit = match p.get("limit").map(str::trim) {
        Some(v) if !v.is_empty() => {
            let n: u64 = v.parse().map_err(|_| {
                ApiError::bad_param(
                    "limit",
                    format!(
                        "limit must be a whole number from 1 to {MAX_LIMIT}, got {:?}",
                        clip(v)
                    ),
                )
            })?;
            if n == 0 {
                return Err(ApiError::bad_param("limit", "limit must be at least 1"));
            }
            n.min(MAX_LIMIT) as usize
        }
        _ => 10,
    };
    let req = SearchRequest {
        query: p.text("q", MAX_QUERY_CHARS)?,
        topics: p.all(&["topic"]),
        types: p.all(&["type"]),
        languages: p.all(&["lang", "language"]),
        places: p.all(&["place"]),
        year_min: p.number("year_min", 0, 9999)?,
        year_max: p.number("year_max", 0, 9999)?,
        limit,
        offset: p.number("offset", 0, MAX_OFFSET as u64)?.unwrap_or(0) as usize,
        passages: p.number("passages", 0, MAX_PASSAGES as u64)?.unwrap_or(3) as usize,
    };
    if let (Some(lo), Some(hi)) = (req.year_min, req.year_max) {
        if lo > hi {
            return Err(ApiError::bad_param(
                "year_min",
                format!("year_min ({lo}) is after year_max ({hi})"),
            ));
        }
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_filters_and_defaults() {
        let p = Params::parse(Some(
            "q=water+shutoffs&topic=water&topic=housing&lang=es&place=Austin%2C+TX",
        ));
        let r = search_request(&p).expect("valid");
        assert_eq!(r.query, "water shutoffs");
        assert_eq!(r.topics, ["water", "housing"]);
        assert_eq!(r.languages, ["es"]);
        assert_eq!(r.places, ["Austin, TX"]);
        assert_eq!((r.limit, r.offset), (10, 0));
    }

    #[test]
    fn bad_numbers_name_the_parameter() {
        for (qs, param) in [
            ("limit=-1", "limit"),
            ("limit=0", "limit"),
            ("offset=-5", "offset"),
            ("offset=99999999999999999999999", "offset"),
            ("year_min=abc", "year_min"),
            ("year_min=2022&year_max=2020", "year_min"),
            ("passages=50", "passages"),
        ] {
            let e = search_request(&Params::parse(Some(qs))).expect_err(qs);
            assert_eq!(e.param.as_deref(), Some(param), "{qs}");
            assert_eq!(e.status.as_u16(), 400);
        }
    }

    #[test]
    fn huge_limit_is_capped_and_invalid_utf8_tolerated() {
        let r = search_request(&Params::parse(Some("limit=100000&q=%FF%FEwater"))).expect("valid");
        assert_eq!(r.limit, 100);
        assert!(r.query.ends_with("water"));
    }
}
