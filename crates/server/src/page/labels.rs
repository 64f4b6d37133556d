//! Names people read in place of the slugs and codes the index stores: topic labels from
//! the taxonomy, document types, language names.

use std::collections::HashMap;

/// Display names for facet values.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    /// Topic or subtopic slug (`water`, `water/affordability`) → label.
    pub topics: HashMap<String, String>,
}

impl Labels {
    pub fn topic(&self, slug: &str) -> String {
        match self.topics.get(slug) {
            Some(l) => l.clone(),
            None => humanize(slug.rsplit('/').next().unwrap_or(slug)),
        }
    }

    /// A facet value of dimension `dim` as people read it.
    pub fn value(&self, dim: &str, value: &str) -> String {
        match dim {
            "topic" => self.topic(value),
            "type" => humanize(value),
            "language" => language_name(value).to_string(),
            _ => value.to_string(),
        }
    }
}

/// `briefing-book` → `Briefing book`.
pub fn humanize(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The languages the indexer detects (its allowlist), named in English.
pub fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "es" => "Spanish",
        "vi" => "Vietnamese",
        "fr" => "French",
        "pt" => "Portuguese",
        "zh" => "Chinese",
        "ko" => "Korean",
        "tl" => "Tagalog",
        "ar" => "Arabic",
        "ru" => "Russian",
        "de" => "German",
        "it" => "Italian",
        "ja" => "Japanese",
        "hi" => "Hindi",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_read_as_words() {
        let mut l = Labels::default();
        l.topics.insert("water".into(), "Water".into());
        assert_eq!(l.value("topic", "water"), "Water");
        assert_eq!(l.value("topic", "water/lead-lines"), "Lead lines");
        assert_eq!(l.value("type", "briefing-book"), "Briefing book");
        assert_eq!(l.value("language", "es"), "Spanish");
        assert_eq!(l.value("language", "xx"), "xx");
        assert_eq!(l.value("place", "Austin, TX"), "Austin, TX");
    }
}
