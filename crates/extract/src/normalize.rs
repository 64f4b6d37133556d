//! Text normalization shared by every extractor, so the index sees one form of text.
//!
//! Order matters: soft hyphens and private-use glyphs go first so that NFKC and the
//! hyphen join see the letters a reader sees; whitespace collapses last.

use std::sync::OnceLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// Normalizes extracted text for indexing and display.
///
/// - NFKC, which expands ligatures (U+FB01 "ﬁ" becomes "fi") and compatibility forms;
/// - drops private-use code points (icon-font bullets), U+FFFD and control characters;
/// - removes soft hyphens (U+00AD, and the U+0002 some PDF tools emit for them);
/// - joins a word hyphenated across a line break when the continuation is lowercase
///   ("infra-\nstructure" becomes "infrastructure"; "Jan-\nFeb" is kept);
/// - collapses all whitespace runs to one space and trims.
pub fn normalize_text(raw: &str) -> String {
    let cleaned = strip_invisible(raw);
    let composed: String = cleaned.nfkc().collect();
    let joined = join_hyphenated_breaks(&composed);
    collapse_whitespace(&joined)
}

/// Like [`normalize_text`] but keeps line breaks (runs of blank lines become one `\n`),
/// for callers that still need line structure (title detection, headings).
pub fn normalize_keep_lines(raw: &str) -> String {
    let cleaned = strip_invisible(raw);
    let composed: String = cleaned.nfkc().collect();
    let joined = join_hyphenated_breaks(&composed);
    joined
        .lines()
        .map(collapse_whitespace)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_invisible(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '\u{00AD}' | '\u{0002}' => None,
            '\n' | '\t' | '\r' => Some(c),
            '\u{000B}' | '\u{000C}' => Some('\n'),
            c if c.is_control() => None,
            '\u{FFFD}' | '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' => None,
            '\u{E000}'..='\u{F8FF}' => None,
            '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}' => None,
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
                Some(' ')
            }
            '\u{2028}' | '\u{2029}' => Some('\n'),
            c => Some(c),
        })
        .collect()
}

fn join_hyphenated_breaks(text: &str) -> String {
    static HYPHEN_BREAK: OnceLock<Regex> = OnceLock::new();
    let re = HYPHEN_BREAK.get_or_init(|| {
        // A letter, a hyphen at the end of a line, then a lowercase letter on the next.
        Regex::new(r"(\p{L})[-\u{2010}][ \t]*\r?\n[ \t]*(\p{Ll})").expect("static regex")
    });
    re.replace_all(text, "$1$2").into_owned()
}

/// Collapses every whitespace run to a single space and trims the ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ligatures_expand() {
        assert_eq!(
            normalize_text("ﬁnancial ﬂood e\u{FB00}ort"),
            "financial flood effort"
        );
    }

    #[test]
    fn hyphenated_line_break_joins_only_before_lowercase() {
        assert_eq!(
            normalize_text("green infra-\nstructure"),
            "green infrastructure"
        );
        assert_eq!(normalize_text("Jan-\nFeb report"), "Jan- Feb report");
        assert_eq!(normalize_text("long-term plan"), "long-term plan");
    }

    #[test]
    fn junk_characters_dropped() {
        assert_eq!(
            normalize_text("\u{F0B7} bullet\u{FFFD} one\u{0007}\u{00AD}two"),
            "bullet onetwo"
        );
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(normalize_text("  a\t\tb \n\n c  "), "a b c");
        assert_eq!(normalize_keep_lines("a  b\n\n\n c\n"), "a b\nc");
    }

    #[test]
    fn spanish_accents_survive() {
        assert_eq!(
            normalize_text("agua potable y saneamiento: ¿cuánto?"),
            "agua potable y saneamiento: ¿cuánto?"
        );
    }
}
