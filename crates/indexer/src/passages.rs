//! Cutting pages and sections into passages of bounded size.
//!
//! A passage is what a result points at and what a snippet is drawn from. Most PDF pages
//! and HTML sections fit in one; a dense page or a long section is cut at sentence ends
//! so that no passage dominates by sheer length and snippets stay near their match.

use polsearch_core::PassageRecord;
use polsearch_extract::Section;

/// Passages longer than this are split.
pub const MAX_PASSAGE_CHARS: usize = 2400;

/// Turns sections into passages, dropping empty ones and splitting long ones.
pub fn passages_from_sections(sections: &[Section]) -> Vec<PassageRecord> {
    let mut out = Vec::new();
    for s in sections {
        if s.text.trim().is_empty() {
            continue;
        }
        for chunk in split_text(&s.text, MAX_PASSAGE_CHARS) {
            out.push(PassageRecord {
                page: s.page.map(u64::from),
                anchor: s.anchor.clone(),
                heading: s.heading.clone(),
                text: chunk.to_string(),
            });
        }
    }
    out
}

/// Splits `text` into pieces of at most about `max` bytes, preferring sentence ends, then
/// spaces; never inside a character.
pub fn split_text(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.len() > max {
        let window_end = floor_boundary(rest, max);
        let window = &rest[..window_end];
        // Prefer a sentence end in the second half of the window, then any space.
        let half = floor_boundary(window, max / 2);
        let cut = window[half..]
            .rfind(". ")
            .map(|i| half + i + 1)
            .or_else(|| window.rfind(' '))
            .filter(|&i| i > 0)
            .unwrap_or(window_end);
        out.push(rest[..cut].trim());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn floor_boundary(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_passage() {
        assert_eq!(split_text("One. Two.", 100), ["One. Two."]);
    }

    #[test]
    fn long_text_splits_at_sentences_within_bound() {
        let text = "Sentence number one is here. ".repeat(200);
        let parts = split_text(&text, 500);
        assert!(parts.len() > 5);
        for p in &parts {
            assert!(p.len() <= 500, "{} bytes", p.len());
            assert!(p.ends_with('.'), "{p:?}");
        }
        let rejoined: String = parts.join(" ");
        assert_eq!(
            rejoined.split_whitespace().count(),
            text.split_whitespace().count()
        );
    }

    #[test]
    fn multibyte_text_never_panics() {
        for max in 300..340 {
            for text in ["ñandú ".repeat(1000), "ñ".repeat(2000), "Ωx. ".repeat(700)] {
                let parts = split_text(&text, max);
                assert!(parts.iter().all(|p| p.len() <= max), "max {max}");
                assert_eq!(parts.concat().replace(' ', ""), text.replace(' ', ""));
            }
        }
    }

    #[test]
    fn empty_sections_dropped_pages_kept() {
        let sections = vec![
            Section {
                page: Some(1),
                text: "Cover".into(),
                ..Section::default()
            },
            Section {
                page: Some(2),
                text: "".into(),
                ..Section::default()
            },
            Section {
                page: Some(3),
                text: "Body".into(),
                ..Section::default()
            },
        ];
        let p = passages_from_sections(&sections);
        assert_eq!(
            p.iter().map(|p| p.page).collect::<Vec<_>>(),
            [Some(1), Some(3)]
        );
    }
}
