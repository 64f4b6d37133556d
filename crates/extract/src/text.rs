//! Plain text and Markdown: title, front matter, and sections at headings.
//!
//! Markdown is not rendered; markup that would otherwise be indexed as words (link URLs,
//! emphasis markers, image syntax, HTML tags, template tags) is removed and the rest kept.

use std::sync::OnceLock;

use regex::Regex;

use crate::frontmatter::{split_front_matter, strip_template_tags};
use crate::model::{ExtractedDoc, Section};
use crate::normalize::normalize_text;

/// Extracts a plain-text file: the first non-empty line is the title, the whole text one section.
pub fn extract_text(bytes: &[u8]) -> ExtractedDoc {
    let raw = String::from_utf8_lossy(bytes);
    let title = raw
        .lines()
        .map(str::trim)
        .find(|l| l.chars().any(char::is_alphabetic))
        .map(|l| normalize_text(l).chars().take(200).collect())
        .unwrap_or_default();
    let text = normalize_text(&raw);
    ExtractedDoc {
        title,
        has_text: !text.is_empty(),
        sections: vec![Section {
            text,
            ..Section::default()
        }],
        ..ExtractedDoc::default()
    }
}

/// Extracts a Markdown file (with optional Jekyll/Hugo front matter) into sections split at
/// `#`, `##` and `###` headings, each anchored by the heading's slug as GitHub renders it.
pub fn extract_markdown(bytes: &[u8]) -> ExtractedDoc {
    let raw = String::from_utf8_lossy(bytes);
    let (front, body) = split_front_matter(&raw);
    let body = strip_template_tags(body);
    let mut doc = ExtractedDoc::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut current = Section::default();
    let mut buf = String::new();
    let mut in_fence = false;
    let mut used_anchors: Vec<String> = Vec::new();
    let mut first_h1: Option<String> = None;

    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        let heading = if in_fence { None } else { atx_heading(trimmed) };
        match heading {
            Some((level, text)) if level <= 3 => {
                flush(&mut sections, &mut current, &mut buf);
                let heading_text = normalize_text(&strip_inline_markup(text));
                if level == 1 && first_h1.is_none() {
                    first_h1 = Some(heading_text.clone());
                }
                let anchor = unique_slug(&heading_text, &mut used_anchors);
                buf.push_str(&heading_text);
                buf.push('\n');
                current = Section {
                    page: None,
                    anchor: (!anchor.is_empty()).then_some(anchor),
                    heading: Some(heading_text),
                    text: String::new(),
                };
            }
            Some((_, text)) => {
                buf.push_str(&strip_inline_markup(text));
                buf.push('\n');
            }
            None => {
                buf.push_str(&strip_inline_markup(line));
                buf.push('\n');
            }
        }
    }
    flush(&mut sections, &mut current, &mut buf);

    let front = front.unwrap_or_default();
    doc.title = front
        .title
        .clone()
        .map(|t| normalize_text(&t))
        .or(first_h1)
        .or_else(|| {
            sections.first().and_then(|s| {
                s.text
                    .split(['.', '\n'])
                    .next()
                    .map(|l| l.chars().take(120).collect())
            })
        })
        .unwrap_or_default();
    doc.date = front.date.clone();
    doc.description = front.description.clone().map(|d| normalize_text(&d));
    doc.language = front.lang.clone();
    doc.has_text = sections.iter().any(|s| !s.text.is_empty());
    doc.sections = sections;
    doc
}

fn flush(sections: &mut Vec<Section>, current: &mut Section, buf: &mut String) {
    let text = normalize_text(buf);
    buf.clear();
    if !text.is_empty() {
        let mut s = std::mem::take(current);
        s.text = text;
        sections.push(s);
    } else {
        *current = Section::default();
    }
}

fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &line[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// Removes inline Markdown syntax while keeping the words a reader sees.
fn strip_inline_markup(line: &str) -> String {
    static IMAGE: OnceLock<Regex> = OnceLock::new();
    static LINK: OnceLock<Regex> = OnceLock::new();
    static TAG: OnceLock<Regex> = OnceLock::new();
    static MARKS: OnceLock<Regex> = OnceLock::new();
    let image = IMAGE.get_or_init(|| Regex::new(r"!\[([^\]]*)\]\([^)]*\)").expect("static regex"));
    let link = LINK.get_or_init(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").expect("static regex"));
    let tag = TAG.get_or_init(|| Regex::new(r"</?[A-Za-z][^>]*>").expect("static regex"));
    let marks = MARKS.get_or_init(|| {
        Regex::new(r"(^\s*(>\s*)+)|(^\s*([-*+]|\d+[.)])\s+)|(\*\*|__|`|~~)|(^\s*[-*_]{3,}\s*$)|(^\s*\|)|(\|\s*$)")
            .expect("static regex")
    });
    let s = image.replace_all(line, "$1");
    let s = link.replace_all(&s, "$1");
    let s = tag.replace_all(&s, " ");
    let s = marks.replace_all(&s, " ");
    s.replace('|', " ")
}

/// GitHub's heading slug: lowercase, spaces to hyphens, punctuation dropped, numbered repeats.
fn unique_slug(heading: &str, used: &mut Vec<String>) -> String {
    let base: String = heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() => Some(c),
            ' ' | '-' => Some('-'),
            '_' => Some('_'),
            _ => None,
        })
        .collect();
    let mut slug = base.clone();
    let mut n = 1;
    while used.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    used.push(slug.clone());
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_sections_with_anchors() {
        let md = "# Water Shutoffs\n\nIntro text about **shutoff** moratoria.\n\n## Affordability programs\n\nSee [the guide](https://x.org/a).\n\n### Lead lines\n\nReplace `lead` pipes.\n\n## Affordability programs\n\nAgain.\n";
        let d = extract_markdown(md.as_bytes());
        assert_eq!(d.title, "Water Shutoffs");
        let anchors: Vec<_> = d
            .sections
            .iter()
            .map(|s| s.anchor.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            anchors,
            [
                "water-shutoffs",
                "affordability-programs",
                "lead-lines",
                "affordability-programs-1"
            ]
        );
        assert_eq!(
            d.sections[0].text,
            "Water Shutoffs Intro text about shutoff moratoria."
        );
        assert_eq!(d.sections[1].text, "Affordability programs See the guide.");
        assert!(d.sections.iter().all(|s| s.page.is_none()));
    }

    #[test]
    fn headings_inside_code_fences_are_text() {
        let d = extract_markdown(b"# T\n\n```\n# not a heading\n```\n");
        assert_eq!(d.sections.len(), 1);
        assert!(d.sections[0].text.contains("# not a heading"));
    }

    #[test]
    fn front_matter_gives_title_and_date() {
        let md = "---\ntitle: \"Parking Reform Update\"\ndate: 2021-09-14\nlayout: post\n---\n\n{% include callout.html %}\nCities dropped parking minimums {{ site.baseurl }}.\n";
        let d = extract_markdown(md.as_bytes());
        assert_eq!(d.title, "Parking Reform Update");
        assert_eq!(d.date.as_deref(), Some("2021-09-14"));
        let text = &d.sections[0].text;
        assert_eq!(text, "Cities dropped parking minimums .");
    }

    #[test]
    fn plain_text_title_is_first_line() {
        let d = extract_text(b"\n\nFOR IMMEDIATE RELEASE\nMayor announces plan.\n");
        assert_eq!(d.title, "FOR IMMEDIATE RELEASE");
        assert!(d.has_text);
        assert_eq!(
            d.sections[0].text,
            "FOR IMMEDIATE RELEASE Mayor announces plan."
        );
    }
}
