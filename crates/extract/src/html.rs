//! HTML pages: metadata (title, description, canonical URL, language, date, author) and the
//! main content split into sections at `h1`–`h3`.
//!
//! The approach is the one measured in `shared/research/extraction.md`: parse with
//! `scraper` (html5ever), drop boilerplate explicitly (scripts, styles, `nav`, page
//! `header`/`footer`, `aside`, forms, ARIA landmarks other than `main`, icon-font glyphs,
//! and cookie/newsletter/share/breadcrumb/menu/sidebar blocks named by class or id), then
//! read `main` / `[role=main]` / `article` (the largest), or failing that the block that
//! holds most of the page's non-link text. A separator is emitted at every block-level
//! element so words in adjacent blocks are never glued ("Sierra Leone" + heading
//! "Data Sharing" never becomes "LeoneData").
//!
//! Jekyll/Hugo sources saved as `.html` (front matter + template tags) are read too: the
//! front matter gives title, date and description, and template tags are stripped before
//! parsing. `{{ ... }}` placeholders of client-side templates are dropped from the text.
//!
//! Sections split at `h1`–`h3` (plus `<p class="e-h2">`-style headings of Word/InDesign
//! exports); a heading inside a link (a teaser card) or longer than 200 characters (a
//! styled lede) does not open a section, and a column `<aside>` holding only a heading is
//! kept as that section's label.
//!
//! Every traversal is iterative, so deeply nested markup cannot overflow the stack; markup
//! nested deeper than 512 levels is flattened before parsing (html5ever's time grows with
//! the square of the depth); and the whole extraction runs under `catch_unwind` as a last
//! line of defence.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use crate::error::{ExtractError, Result};
use crate::frontmatter::{
    normalize_date, primary_language_subtag, split_front_matter, strip_template_tags, FrontMatter,
};
use crate::model::{ExtractedDoc, Section};
use crate::normalize::{collapse_whitespace, normalize_text};

/// Extracts an HTML page (or a Jekyll/Hugo HTML source with front matter).
///
/// Fails only for input that is clearly binary (NUL bytes near the start) or if the
/// extractor panicked; everything else, however malformed, yields a document (possibly
/// with `has_text == false`).
pub fn extract_html(bytes: &[u8]) -> Result<ExtractedDoc> {
    if looks_binary(bytes) {
        return Err(ExtractError::Html("binary data, not an HTML page".into()));
    }
    match std::panic::catch_unwind(|| extract_inner(bytes)) {
        Ok(doc) => Ok(doc),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ExtractError::Panic(format!("HTML extractor: {msg}")))
        }
    }
}

fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !utf16 && head.contains(&0)
}

fn extract_inner(bytes: &[u8]) -> ExtractedDoc {
    let mut warnings = Vec::new();
    let raw = decode(bytes, &mut warnings);
    let (front, markup) = split_front_matter(&raw);
    let markup: Cow<str> = if front.is_some() {
        Cow::Owned(strip_template_tags(markup))
    } else {
        Cow::Borrowed(markup)
    };
    let front = front.unwrap_or_default();
    let markup = match limit_nesting(&markup, MAX_DEPTH) {
        Some(flattened) => {
            warnings.push(format!(
                "markup nested deeper than {MAX_DEPTH} levels; deeper tags ignored"
            ));
            Cow::Owned(flattened)
        }
        None => markup,
    };
    let html = Html::parse_document(&markup);
    let page = Page::new(&html);
    page.into_doc(&front, warnings)
}

// ---------------------------------------------------------------------------------------
// Nesting limit

/// Deeper than any real page (they stay under ~100 levels).
const MAX_DEPTH: usize = 512;

/// html5ever scans the stack of open elements for most start tags, so parsing time grows
/// with the square of the nesting depth (50,000 nested `div`s take tens of seconds). When a
/// cheap scan of the tags estimates a depth above `max`, returns the markup with every tag
/// deeper than `max` replaced by a space (text kept); `None` when the markup is fine.
fn limit_nesting(markup: &str, max: usize) -> Option<String> {
    let b = markup.as_bytes();
    let mut depth = 0usize;
    let mut exceeded = false;
    let mut out: Option<String> = None;
    let mut copied = 0usize; // markup[..copied] is already in `out`
    let mut i = 0usize;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let start = i;
        if b[i..].starts_with(b"<!--") {
            i = find_from(b, i + 4, b"-->").map_or(b.len(), |j| j + 3);
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let name_at = if closing { i + 2 } else { i + 1 };
        if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let mut j = name_at;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        let name = markup[name_at..j].to_ascii_lowercase();
        let end = find_from(b, j, b">").map_or(b.len(), |e| e + 1);
        i = end;
        let void = matches!(
            name.as_str(),
            "area"
                | "base"
                | "br"
                | "col"
                | "embed"
                | "hr"
                | "img"
                | "input"
                | "link"
                | "meta"
                | "param"
                | "source"
                | "track"
                | "wbr"
                | "p"
                | "li"
                | "dt"
                | "dd"
                | "tr"
                | "td"
                | "th"
                | "option"
                | "optgroup"
                | "rb"
                | "rt"
                | "rp"
                | "thead"
                | "tbody"
                | "tfoot"
        );
        let self_closing = end >= 2 && b[end - 2] == b'/';
        if void || self_closing {
            continue;
        }
        let omit = if closing {
            let omit = depth > max;
            depth = depth.saturating_sub(1);
            omit
        } else {
            depth += 1;
            depth > max
        };
        if omit {
            exceeded = true;
            let o = out.get_or_insert_with(|| String::with_capacity(markup.len()));
            o.push_str(&markup[copied..start]);
            o.push(' ');
            copied = end;
        }
        if !closing
            && matches!(
                name.as_str(),
                "script" | "style" | "textarea" | "title" | "xmp"
            )
        {
            // Raw text: skip to the matching end tag without reading tags inside.
            let mut k = i;
            i = b.len();
            while let Some(at) = find_from(b, k, b"</") {
                let tail = &b[at + 2..];
                if tail.len() >= name.len()
                    && tail[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                {
                    i = at;
                    break;
                }
                k = at + 2;
            }
        }
    }
    if !exceeded {
        return None;
    }
    let mut o = out.unwrap_or_default();
    o.push_str(&markup[copied..]);
    Some(o)
}

fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

// ---------------------------------------------------------------------------------------
// Decoding

/// Decodes the bytes: UTF-8 (BOM stripped), UTF-16 with a BOM, or windows-1252 when the
/// page declares a Latin-1 family charset and is not valid UTF-8; otherwise lossy UTF-8.
fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    static CHARSET: OnceLock<Regex> = OnceLock::new();
    let re = CHARSET.get_or_init(|| {
        Regex::new(r#"charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"#).expect("static regex")
    });
    let latin = re.captures(&head).is_some_and(|c| {
        matches!(
            &c[1],
            "windows-1252"
                | "cp1252"
                | "iso-8859-1"
                | "iso8859-1"
                | "latin1"
                | "latin-1"
                | "l1"
                | "us-ascii"
                | "ascii"
                | "iso-8859-15"
                | "x-cp1252"
        )
    });
    if latin {
        warnings.push("decoded as windows-1252 (declared Latin-1 charset)".into());
        bytes.iter().map(|&b| cp1252(b)).collect()
    } else {
        warnings.push("invalid UTF-8 replaced".into());
        String::from_utf8_lossy(bytes).into_owned()
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{FFFD}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{FFFD}',
        '\u{017D}', '\u{FFFD}', '\u{FFFD}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
        '\u{0153}', '\u{FFFD}', '\u{017E}', '\u{0178}',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

// ---------------------------------------------------------------------------------------
// Tree helpers

/// A stable identity for an element while the tree is alive (its address in the arena).
fn key(el: ElementRef<'_>) -> usize {
    let node: &Node = std::ops::Deref::deref(&el).value();
    node as *const Node as usize
}

enum Ev<'a> {
    Open(ElementRef<'a>),
    Close(ElementRef<'a>),
    Text(&'a str),
}

/// Iterative depth-first walk of `root`'s subtree. `f(Open)` decides whether to descend
/// into an element; `Close` is sent only for elements that were descended into.
fn walk<'a>(root: ElementRef<'a>, mut f: impl FnMut(Ev<'a>) -> bool) {
    let root_id = root.id();
    let mut node = *root;
    loop {
        let mut descend = false;
        match node.value() {
            Node::Element(_) => {
                if let Some(el) = ElementRef::wrap(node) {
                    descend = f(Ev::Open(el));
                }
            }
            Node::Text(t) => {
                f(Ev::Text(&t.text));
            }
            _ => {}
        }
        if descend {
            if let Some(child) = node.first_child() {
                node = child;
                continue;
            }
        }
        let mut close_this = descend;
        loop {
            if close_this {
                if let Some(el) = ElementRef::wrap(node) {
                    f(Ev::Close(el));
                }
            }
            if node.id() == root_id {
                return;
            }
            if let Some(sibling) = node.next_sibling() {
                node = sibling;
                break;
            }
            match node.parent() {
                Some(parent) => {
                    node = parent;
                    close_this = true;
                }
                None => return,
            }
        }
    }
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

fn name(el: ElementRef<'_>) -> &str {
    el.value().name()
}

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "br"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "img"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "option"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "iframe"
            | "video"
            | "audio"
            | "canvas"
            | "object"
            | "picture"
            | "textarea"
            | "select"
            | "button"
            | "label"
            | "input"
    )
}

fn is_heading(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3")
}

/// Elements whose whole subtree is never content.
fn strong_drop(el: ElementRef<'_>) -> bool {
    let e = el.value();
    let tag = e.name();
    if matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "nav"
            | "footer"
            | "form"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "object"
            | "embed"
            | "canvas"
            | "dialog"
            | "head"
            | "link"
            | "meta"
            | "map"
            | "audio"
            | "video"
    ) {
        return true;
    }
    if tag == "aside" {
        // A column holding only a heading is a section label in a two-column layout
        // ("Summary" | text), not complementary content.
        let mut children = el.child_elements().peekable();
        let label_only = children.peek().is_some()
            && children.all(|c| matches!(name(c), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"));
        return !label_only;
    }
    if tag == "header" {
        // A page banner; but an article's own header (title, byline) is content, and so
        // is a "hero" header carrying an introductory paragraph.
        let has_prose = el.select(&sel("p")).any(|p| {
            p.text()
                .flat_map(str::chars)
                .filter(|c| c.is_alphanumeric())
                .count()
                >= 150
        });
        return !has_prose
            && !el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(name(a), "article" | "main"));
    }
    if let Some(role) = e.attr("role") {
        let role = role.trim().to_ascii_lowercase();
        if matches!(
            role.as_str(),
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "search"
                | "dialog"
                | "alertdialog"
                | "menu"
                | "menubar"
                | "toolbar"
        ) {
            return true;
        }
    }
    if e.attr("aria-hidden")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || e.attr("hidden").is_some()
    {
        return true;
    }
    e.classes().any(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("material-icons")
            || c.starts_with("material-symbols")
            || c.starts_with("glyphicon")
            || matches!(
                c.as_str(),
                "sr-only" | "visually-hidden" | "screen-reader-text" | "skip-link" | "skiplink"
            )
            || (matches!(tag, "i" | "span")
                && (matches!(c.as_str(), "fa" | "fas" | "far" | "fab" | "fal" | "icon")
                    || c.starts_with("fa-")
                    || c.starts_with("icon-")
                    || c.ends_with("-icon")))
    })
}

/// Boilerplate by class/id words; dropped only when the block is a minor part of the page.
fn weak_drop(el: ElementRef<'_>) -> bool {
    let e = el.value();
    if matches!(e.name(), "html" | "body" | "main" | "article") {
        return false;
    }
    const PARTS: &[&str] = &[
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "submenu",
        "megamenu",
        "breadcrumb",
        "breadcrumbs",
        "sidebar",
        "footer",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "share",
        "sharing",
        "sharethis",
        "addthis",
        "social",
        "skip",
        "toolbar",
        "masthead",
        "topbar",
        "pagination",
        "pager",
        "advert",
        "advertisement",
        "ads",
        "sponsor",
        "popup",
        "disqus",
        "widget",
        "related",
        "recommended",
        "readnext",
    ];
    const SUBSTRINGS: &[&str] = &[
        "cookie",
        "consent",
        "newsletter",
        "breadcrumb",
        "sidebar",
        "navbar",
        "skiplink",
    ];
    let matches_token = |token: &str| {
        let t = token.to_ascii_lowercase();
        SUBSTRINGS.iter().any(|s| t.contains(s)) || t.split(['-', '_']).any(|p| PARTS.contains(&p))
    };
    e.classes().any(matches_token) || e.id().is_some_and(matches_token)
}

// ---------------------------------------------------------------------------------------
// The page

struct Page<'a> {
    html: &'a Html,
    body: Option<ElementRef<'a>>,
    /// Elements whose subtree is dropped.
    dropped: HashSet<usize>,
    /// Alphanumeric characters in each kept element's subtree: (all, inside links).
    sizes: HashMap<usize, (usize, usize)>,
    meta: HashMap<String, String>,
}

impl<'a> Page<'a> {
    fn new(html: &'a Html) -> Self {
        let root = html.tree.root().children().find_map(ElementRef::wrap);
        let body = html.select(&sel("body")).next().or(root);
        let mut page = Page {
            html,
            body,
            dropped: HashSet::new(),
            sizes: HashMap::new(),
            meta: HashMap::new(),
        };
        page.read_meta();
        page.mark_boilerplate();
        page
    }

    fn read_meta(&mut self) {
        for m in self.html.select(&sel("meta")) {
            let e = m.value();
            let Some(content) = e.attr("content").map(str::trim).filter(|c| !c.is_empty()) else {
                continue;
            };
            for attr in ["property", "name", "itemprop", "http-equiv"] {
                if let Some(k) = e.attr(attr) {
                    self.meta
                        .entry(k.trim().to_ascii_lowercase())
                        .or_insert_with(|| content.to_string());
                }
            }
        }
    }

    fn meta(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .find_map(|k| self.meta.get(*k).map(String::as_str))
    }

    fn mark_boilerplate(&mut self) {
        for node in self.html.tree.nodes() {
            if let Some(el) = ElementRef::wrap(node) {
                if strong_drop(el) {
                    self.dropped.insert(key(el));
                }
            }
        }
        let Some(body) = self.body else { return };
        self.compute_sizes(body);
        let total = self.size(body).0.max(1);
        // Ancestors of main/article are never dropped by class: they hold the content.
        let mut protected = HashSet::new();
        for c in body.select(&sel("main, [role=main], article")) {
            protected.insert(key(c));
            for a in c.ancestors().filter_map(ElementRef::wrap) {
                protected.insert(key(a));
            }
        }
        let mut weak = Vec::new();
        walk(body, |ev| match ev {
            Ev::Open(el) => {
                let k = key(el);
                if self.dropped.contains(&k) {
                    return false;
                }
                if !protected.contains(&k) && weak_drop(el) && self.size(el).0 * 10 < total * 4 {
                    weak.push(k);
                    return false;
                }
                true
            }
            _ => false,
        });
        if !weak.is_empty() {
            self.dropped.extend(weak);
            self.sizes.clear();
            self.compute_sizes(body);
        }
    }

    fn compute_sizes(&mut self, root: ElementRef<'a>) {
        let mut stack: Vec<(usize, usize, usize, bool)> = Vec::new();
        let dropped = &self.dropped;
        let sizes = &mut self.sizes;
        let mut link_depth = 0usize;
        walk(root, |ev| {
            match ev {
                Ev::Open(el) => {
                    let k = key(el);
                    if dropped.contains(&k) {
                        return false;
                    }
                    let is_link = name(el) == "a";
                    if is_link {
                        link_depth += 1;
                    }
                    stack.push((k, 0, 0, is_link));
                    return true;
                }
                Ev::Text(t) => {
                    let n = t.chars().filter(|c| c.is_alphanumeric()).count();
                    if let Some(top) = stack.last_mut() {
                        top.1 += n;
                        if link_depth > 0 {
                            top.2 += n;
                        }
                    }
                }
                Ev::Close(_) => {
                    if let Some((k, all, link, is_link)) = stack.pop() {
                        if is_link {
                            link_depth = link_depth.saturating_sub(1);
                        }
                        sizes.insert(k, (all, link));
                        if let Some(top) = stack.last_mut() {
                            top.1 += all;
                            top.2 += link;
                        }
                    }
                }
            }
            false
        });
    }

    fn size(&self, el: ElementRef<'_>) -> (usize, usize) {
        self.sizes.get(&key(el)).copied().unwrap_or((0, 0))
    }

    fn is_dropped(&self, el: ElementRef<'_>) -> bool {
        self.dropped.contains(&key(el))
            || el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| self.dropped.contains(&key(a)))
    }

    /// The element holding the main content, and a warning when it was found by density.
    fn main_content(&self) -> (Option<ElementRef<'a>>, Option<String>) {
        let Some(body) = self.body else {
            return (None, None);
        };
        let total = self.size(body).0;
        let best = body
            .select(&sel("main, [role=main], article"))
            .filter(|c| !self.is_dropped(*c))
            .max_by_key(|c| self.size(*c).0);
        if let Some(best) = best {
            let n = self.size(best).0;
            // A main element holding a sliver of a long page is a layout accident.
            if (n * 4 >= total || total < 2000) && (n > 0 || total == 0) {
                return (Some(best), None);
            }
            let (densest, _) = self.densest(body);
            let pct = n * 100 / total.max(1);
            return (
                Some(densest),
                Some(format!(
                    "<{}> holds only {pct}% of the page text; used the densest block",
                    name(best)
                )),
            );
        }
        let (densest, descended) = self.densest(body);
        let how = if descended {
            "used the densest block"
        } else {
            "used the whole body"
        };
        (
            Some(densest),
            Some(format!("no main content element; {how}")),
        )
    }

    /// Descends from `root` while one child block holds at least 70% of the non-link text.
    fn densest(&self, root: ElementRef<'a>) -> (ElementRef<'a>, bool) {
        let nonlink = |el: ElementRef<'_>| {
            let (all, link) = self.size(el);
            all.saturating_sub(link)
        };
        let mut cur = root;
        let mut descended = false;
        loop {
            let total = nonlink(cur);
            if total == 0 {
                break;
            }
            let best = cur
                .child_elements()
                .filter(|c| !self.dropped.contains(&key(*c)))
                .max_by_key(|c| nonlink(*c));
            match best {
                Some(b)
                    if nonlink(b) * 10 >= total * 7
                        && is_block(name(b))
                        && !is_heading(name(b)) =>
                {
                    cur = b;
                    descended = true;
                }
                _ => break,
            }
        }
        (cur, descended)
    }

    fn title_element(&self) -> Option<String> {
        self.html
            .select(&sel("title"))
            .find(|t| {
                !t.ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| matches!(name(a), "svg" | "math"))
            })
            .map(|t| clean_text(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    }

    /// Text of an element, skipping dropped descendants, with block separators.
    fn text_of(&self, el: ElementRef<'_>) -> String {
        let mut out = String::new();
        walk(el, |ev| match ev {
            Ev::Open(e) => {
                if self.dropped.contains(&key(e)) {
                    return false;
                }
                if is_block(name(e)) {
                    out.push(' ');
                }
                true
            }
            Ev::Text(t) => {
                out.push_str(t);
                false
            }
            Ev::Close(e) => {
                if is_block(name(e)) {
                    out.push(' ');
                }
                false
            }
        });
        clean_text(&out)
    }

    /// The first non-empty h1 in `within` (kept content only), or with `within == None`
    /// anywhere in the body outside navigation, footers and scripts: a page-level
    /// `<header>` is dropped from the text but its h1 still names the page.
    fn first_h1(&self, within: Option<ElementRef<'a>>) -> Option<String> {
        match within {
            Some(scope) => scope
                .select(&sel("h1"))
                .filter(|h| !self.is_dropped(*h))
                .map(|h| self.text_of(h))
                .find(|t| !t.is_empty()),
            None => self
                .body?
                .select(&sel("h1"))
                .filter(|h| {
                    !h.ancestors().filter_map(ElementRef::wrap).any(|a| {
                        matches!(
                            name(a),
                            "nav"
                                | "footer"
                                | "aside"
                                | "script"
                                | "template"
                                | "noscript"
                                | "form"
                        )
                    })
                })
                // `text_of` skips the h1's own dropped descendants (a `<script>` or an
                // icon glyph inside it); found by `tests/fuzz_html.rs`, where the raw
                // `text()` put a script's source into the title.
                .map(|h| self.text_of(h))
                .find(|t| !t.is_empty()),
        }
    }

    /// Whether `el` opens a section: an h1–h3 that is not a teaser card's title inside a
    /// link, or a short paragraph styled as a heading by a Word/InDesign export
    /// (`<p class="e-h2">`, `<p class="Heading-1">`).
    fn opens_section(&self, el: ElementRef<'_>) -> bool {
        let tag = name(el);
        let inside_link = || {
            el.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| name(a) == "a")
        };
        if is_heading(tag) {
            return !inside_link();
        }
        if !matches!(tag, "p" | "div") || self.size(el).0 > 200 {
            return false;
        }
        static STYLED: OnceLock<Regex> = OnceLock::new();
        let re = STYLED.get_or_init(|| {
            Regex::new(r"^(?:[a-z]{1,3}[-_])?h[1-3]$|^(?:para[-_]?)?heading[-_]?[1-3]$")
                .expect("static regex")
        });
        el.value()
            .classes()
            .any(|c| re.is_match(&c.to_ascii_lowercase()))
            && el.child_elements().all(|c| !is_block(name(c)))
            && !inside_link()
    }

    /// Splits `root` into sections at h1–h3 (and styled heading paragraphs).
    fn sections(&self, root: ElementRef<'a>) -> Vec<Section> {
        let mut b = SectionBuilder::default();
        walk(root, |ev| match ev {
            Ev::Open(el) => {
                if self.dropped.contains(&key(el)) {
                    return false;
                }
                let tag = name(el);
                if is_block(tag) {
                    b.push(" ");
                }
                if b.heading.is_none() && self.opens_section(el) {
                    b.heading = Some((key(el), b.buf.len(), anchor_for(el), String::new()));
                }
                true
            }
            Ev::Text(t) => {
                b.push(t);
                false
            }
            Ev::Close(el) => {
                let tag = name(el);
                if is_block(tag) {
                    b.push(" ");
                }
                if b.heading.as_ref().is_some_and(|h| h.0 == key(el)) {
                    b.end_heading();
                }
                false
            }
        });
        b.finish()
    }
}

#[derive(Default)]
struct SectionBuilder {
    sections: Vec<Section>,
    anchor: Option<String>,
    heading_text: Option<String>,
    buf: String,
    /// The open heading: its key, where it starts in `buf`, its anchor and its text so far.
    heading: Option<(usize, usize, Option<String>, String)>,
}

impl SectionBuilder {
    fn push(&mut self, text: &str) {
        // Source line breaks are not rendered breaks: never let normalization join
        // "data-\ndriven" as a hyphenated line break.
        let text = text.replace(['\n', '\r', '\t'], " ");
        self.buf.push_str(&text);
        if let Some(h) = self.heading.as_mut() {
            h.3.push_str(&text);
        }
    }

    fn end_heading(&mut self) {
        let Some((_, start, anchor, text)) = self.heading.take() else {
            return;
        };
        let heading = clean_text(&text);
        // A "heading" of several sentences is a styled lede, not a section title.
        if heading.is_empty()
            || heading.chars().count() > 200
            || start > self.buf.len()
            || !self.buf.is_char_boundary(start)
        {
            return;
        }
        let rest = self.buf.split_off(start);
        self.flush();
        self.buf = rest;
        self.heading_text = Some(heading);
        self.anchor = anchor;
    }

    fn flush(&mut self) {
        let text = clean_text(&self.buf);
        self.buf.clear();
        let heading = self.heading_text.take();
        let anchor = self.anchor.take();
        if !text.is_empty() {
            self.sections.push(Section {
                page: None,
                anchor,
                heading,
                text,
            });
        }
    }

    fn finish(mut self) -> Vec<Section> {
        self.heading = None;
        self.flush();
        self.sections
    }
}

/// Normalized text without template placeholders.
fn clean_text(raw: &str) -> String {
    let text = if raw.contains('{') {
        strip_template_tags(raw)
    } else {
        raw.to_string()
    };
    normalize_text(&text)
}

/// The fragment id that leads to a heading: its `id`, the `id` of a `section` it opens, an
/// `<a name/id>` (or other element id) inside it, or an empty `<a name>` right before it.
fn anchor_for(h: ElementRef<'_>) -> Option<String> {
    let ok = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && !s.contains(char::is_whitespace) && !s.contains("{{"))
            .then(|| s.to_string())
    };
    if let Some(id) = h.value().id().and_then(ok) {
        return Some(id);
    }
    let headings = sel("h1, h2, h3");
    for a in h.ancestors().filter_map(ElementRef::wrap) {
        if matches!(name(a), "body" | "main" | "article") {
            break;
        }
        if name(a) == "section" {
            let first = a.select(&headings).next();
            if first.is_some_and(|f| f.id() == h.id()) {
                if let Some(id) = a.value().id().and_then(ok) {
                    return Some(id);
                }
            }
            break;
        }
    }
    for d in h.descendent_elements().skip(1) {
        let e = d.value();
        if let Some(id) = e.id().and_then(ok) {
            return Some(id);
        }
        if e.name() == "a" {
            if let Some(n) = e.attr("name").and_then(ok) {
                return Some(n);
            }
        }
    }
    let prev = h.prev_siblings().find(|n| match n.value() {
        Node::Text(t) => !t.trim().is_empty(),
        Node::Element(_) => true,
        _ => false,
    })?;
    let prev = ElementRef::wrap(prev)?;
    if name(prev) == "a" && prev.text().all(|t| t.trim().is_empty()) {
        return prev
            .value()
            .id()
            .or_else(|| prev.value().attr("name"))
            .and_then(ok);
    }
    None
}

// ---------------------------------------------------------------------------------------
// Metadata

/// Trims a site name from a page title: the segment equal to `site_name` when known, else
/// (when `generic`) a short last segment after " | ", " - ", " – ", " — ", " :: ", " · ".
fn trim_site_name(title: &str, site_name: Option<&str>, generic: bool) -> String {
    const SEPS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " // ", " ~ ",
    ];
    let Some((pos, sep)) = SEPS
        .iter()
        .filter_map(|s| title.rfind(s).map(|p| (p, *s)))
        .max_by_key(|(p, _)| *p)
    else {
        return title.to_string();
    };
    let head = title[..pos].trim();
    let tail = title[pos + sep.len()..].trim();
    let words = |s: &str| s.split_whitespace().count();
    let substantial = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).count() >= 4;
    if let Some(site) = site_name.map(str::trim).filter(|s| !s.is_empty()) {
        if tail.eq_ignore_ascii_case(site) && substantial(head) {
            return head.to_string();
        }
        // "Site | Page": keep the whole title unless the page part stands on its own.
        if let Some(first_sep) = SEPS
            .iter()
            .filter_map(|s| title.find(s).map(|p| (p, *s)))
            .min_by_key(|(p, _)| *p)
        {
            let (p, s) = first_sep;
            let first = title[..p].trim();
            let rest = title[p + s.len()..].trim();
            if first.eq_ignore_ascii_case(site) {
                return if words(rest) >= 2 && substantial(rest) {
                    rest.to_string()
                } else {
                    title.to_string()
                };
            }
        }
        if !generic {
            return title.to_string();
        }
    }
    if generic && substantial(head) && words(tail) <= 6 && tail.len() <= 60 {
        return head.to_string();
    }
    title.to_string()
}

/// True for titles that are file names or slugs ("case-study-canada", "report_v2.docx").
fn looks_like_slug(t: &str) -> bool {
    !t.contains(' ') && (t.contains('-') || t.contains('_') || t.contains('.'))
}

/// "case-studies-2_US_New_York" gives "case studies 2 US New York" (extension dropped).
fn slug_to_words(t: &str) -> String {
    let stem = match t.rsplit_once('.') {
        Some((stem, ext))
            if (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => t,
    };
    collapse_whitespace(&stem.replace(['-', '_', '.'], " "))
}

/// Whether two titles share a word of four or more letters (case-insensitive).
fn share_a_word(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let wb = words(b);
    words(a).iter().any(|w| wb.contains(w))
}

#[derive(Default)]
struct JsonLd {
    published: Option<String>,
    created: Option<String>,
    modified: Option<String>,
    authors: Vec<String>,
    url: Option<String>,
}

fn read_json_ld(html: &Html) -> JsonLd {
    static DATE_KEY: OnceLock<Regex> = OnceLock::new();
    let date_key = DATE_KEY.get_or_init(|| {
        Regex::new(r#""(datePublished|dateCreated|dateModified)"\s*:\s*"([^"]{4,40})""#)
            .expect("static regex")
    });
    let mut out = JsonLd::default();
    for s in html.select(&sel("script")) {
        let ty = s
            .value()
            .attr("type")
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if ty != "application/ld+json" {
            continue;
        }
        let text: String = s.text().collect();
        let text = text
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim();
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => visit_json_ld(&v, &mut out, 0),
            Err(_) => {
                // Invalid JSON (trailing commas are common): read the dates by pattern.
                for c in date_key.captures_iter(text) {
                    let slot = match &c[1] {
                        "datePublished" => &mut out.published,
                        "dateCreated" => &mut out.created,
                        _ => &mut out.modified,
                    };
                    if slot.is_none() {
                        *slot = normalize_date(&c[2]);
                    }
                }
            }
        }
    }
    out
}

fn visit_json_ld(v: &serde_json::Value, out: &mut JsonLd, depth: usize) {
    use serde_json::Value;
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| visit_json_ld(i, out, depth + 1)),
        Value::Object(map) => {
            let date = |k: &str| map.get(k).and_then(Value::as_str).and_then(normalize_date);
            if out.published.is_none() {
                out.published = date("datePublished");
            }
            if out.created.is_none() {
                out.created = date("dateCreated");
            }
            if out.modified.is_none() {
                out.modified = date("dateModified");
            }
            let is_page_type = map.get("@type").is_some_and(|t| {
                let types: Vec<&str> = match t {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                types.iter().any(|t| {
                    t.contains("Article")
                        || t.contains("Page")
                        || t.contains("Report")
                        || *t == "CreativeWork"
                })
            });
            if is_page_type {
                if out.authors.is_empty() {
                    for k in ["author", "creator"] {
                        if let Some(a) = map.get(k) {
                            collect_names(a, &mut out.authors, 0);
                        }
                        if !out.authors.is_empty() {
                            break;
                        }
                    }
                }
                if out.url.is_none() {
                    out.url = map
                        .get("url")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                        .map(str::to_string);
                }
            }
            if let Some(g) = map.get("@graph") {
                visit_json_ld(g, out, depth + 1);
            }
            if let Some(m) = map.get("mainEntity") {
                visit_json_ld(m, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn collect_names(v: &serde_json::Value, out: &mut Vec<String>, depth: usize) {
    use serde_json::Value;
    if depth > 3 {
        return;
    }
    match v {
        Value::String(s) => {
            let n = normalize_text(s);
            if !n.is_empty() && !out.contains(&n) {
                out.push(n);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_names(x, out, depth + 1)),
        Value::Object(m) => {
            if let Some(n) = m.get("name") {
                collect_names(n, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// A date from a byline near the start of the text: "Published June 4, 2022",
/// "Posted on 2022-06-04". Returns (published, updated).
fn byline_dates(text: &str) -> (Option<String>, Option<String>) {
    static PUBLISHED: OnceLock<Regex> = OnceLock::new();
    static UPDATED: OnceLock<Regex> = OnceLock::new();
    let published = PUBLISHED.get_or_init(|| {
        Regex::new(r"(?i)\b(?:published|posted|released|issued|dated|draft|publicado|fecha)\b(?:\s+(?:on|el))?\s*:?\s*")
            .expect("static regex")
    });
    let updated = UPDATED.get_or_init(|| {
        Regex::new(r"(?i)\b(?:last\s+)?(?:updated|revised|modified|actualizado)\b(?:\s+(?:on|el))?\s*:?\s*")
            .expect("static regex")
    });
    let head: String = text.chars().take(400).collect();
    let find = |re: &Regex| {
        re.find_iter(&head).find_map(|m| {
            let after: String = head[m.end()..].chars().take(60).collect();
            normalize_date(&after).filter(|d| d.len() >= 7)
        })
    };
    (find(published), find(updated))
}

/// The latest `/YYYY/MM/` in the paths of links in `root` (news sites, upload folders).
fn latest_linked_date(root: ElementRef<'_>) -> Option<String> {
    static PATH_DATE: OnceLock<Regex> = OnceLock::new();
    let re = PATH_DATE.get_or_init(|| {
        Regex::new(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?:/|$)").expect("static regex")
    });
    root.select(&sel("a[href]"))
        .take(2000)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|href| {
            let c = re.captures(href)?;
            Some(format!("{}-{}", &c[1], &c[2]))
        })
        .max()
}

/// Most text nodes looked at for page-wide date labels: bounds the work on huge pages.
const MAX_LABEL_NODES: usize = 64;
/// A label is a short line of its own; longer text is prose that may cite other dates.
const MAX_LABEL_CHARS: usize = 240;

/// Dates a page prints as labels of their own anywhere in it, footer and banners included,
/// which the byline (start of the content only) misses. Returns (updated, copyright):
/// "Last updated on March 29, 2024" / "This page was last updated April 27, 2017" must
/// start their line, so a citation's "last updated April 8, 2013" does not count; a
/// copyright notice counts with a single year ("Copyright © Urban Institute February
/// 2016", "© 2019"), not a range, which is a site's, not a page's.
fn printed_labels(html: &Html) -> (Option<String>, Option<String>) {
    static UPDATED: OnceLock<Regex> = OnceLock::new();
    static COPYRIGHT: OnceLock<Regex> = OnceLock::new();
    let updated = UPDATED.get_or_init(|| {
        Regex::new(r"(?i)^(?:this (?:page|site|tool|feature|report) was\s+)?(?:last\s+)?updated(?:\s+on)?\s*:?\s*")
            .expect("static regex")
    });
    let copyright = COPYRIGHT.get_or_init(|| {
        Regex::new(r"(?i)(?:copyright\s*)?(?:©|\(c\))\s*(?:[^0-9©]{0,60}?\s)?((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?((?:19|20)\d\d)\b(\s*[-–]\s*(?:19|20)?\d\d)?|(?i:copyright)\s+((?:19|20)\d\d)\b(\s*[-–]\s*(?:19|20)?\d\d)?")
            .expect("static regex")
    });
    let (mut upd, mut copy) = (None, None);
    let mut seen = 0usize;
    for node in html.tree.nodes() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        let raw: &str = t;
        let trimmed = raw.trim_start();
        let starts = |w: &str| {
            trimmed
                .get(..w.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(w))
        };
        let maybe_update =
            starts("last up") || starts("updated") || starts("this ") && raw.contains("updated");
        let maybe_copyright = raw.contains('©') || raw.contains("opyright");
        if !(maybe_update || maybe_copyright) {
            continue;
        }
        seen += 1;
        if seen > MAX_LABEL_NODES {
            break;
        }
        // The label's words may be split over inline elements: read the parent's text.
        let line = node
            .parent()
            .and_then(ElementRef::wrap)
            .map(|p| collapse_whitespace(&p.text().take(16).collect::<String>()))
            .unwrap_or_else(|| collapse_whitespace(raw));
        if line.chars().count() > MAX_LABEL_CHARS {
            continue;
        }
        if upd.is_none() && maybe_update {
            if let Some(m) = updated.find(line.trim()) {
                let after: String = line.trim()[m.end()..].chars().take(60).collect();
                upd = normalize_date(&after).filter(|d| d.len() >= 7);
            }
        }
        if copy.is_none() && maybe_copyright {
            if let Some(c) = copyright.captures(&line) {
                let (month, range) = (c.get(1), c.get(3).or(c.get(5)));
                if let (Some(year), None) = (c.get(2).or(c.get(4)), range) {
                    let text = match month {
                        Some(m) => format!("{}{}", m.as_str(), year.as_str()),
                        None => year.as_str().to_string(),
                    };
                    copy = normalize_date(&text);
                }
            }
        }
        if upd.is_some() && copy.is_some() {
            break;
        }
    }
    (upd, copy)
}

impl<'a> Page<'a> {
    fn into_doc(self, front: &FrontMatter, mut warnings: Vec<String>) -> ExtractedDoc {
        let mut doc = ExtractedDoc::default();
        let (main, how) = self.main_content();
        if let Some(w) = how {
            warnings.push(w);
        }
        let sections = main.map(|m| self.sections(m)).unwrap_or_default();
        let json_ld = read_json_ld(self.html);
        let site_name = self
            .meta(&["og:site_name", "application-name"])
            .map(clean_text);
        let site_name = site_name.as_deref();

        // Title.
        let fm_title = front
            .title
            .as_deref()
            .map(clean_text)
            .filter(|t| !t.is_empty())
            .map(|t| {
                match front
                    .subtitle
                    .as_deref()
                    .map(clean_text)
                    .filter(|s| !s.is_empty())
                {
                    Some(sub) if !t.to_lowercase().contains(&sub.to_lowercase()) => {
                        format!("{t}: {sub}")
                    }
                    _ => t,
                }
            });
        let og_title = self
            .meta(&["og:title", "twitter:title"])
            .map(clean_text)
            .filter(|t| !t.is_empty())
            .map(|t| trim_site_name(&t, site_name, false));
        let title_el = self.title_element().filter(|t| !looks_like_slug(t));
        let h1 = if main == self.body {
            self.first_h1(None)
        } else {
            self.first_h1(main).or_else(|| self.first_h1(None))
        };
        let page_title = title_el
            .as_deref()
            .map(|t| trim_site_name(t, site_name, true));
        // When <title> is only the site's name plus a suffix ("Open Data's Impact - The
        // Govlab" on every case study), the main content's own h1 names the page.
        let page_title = match (page_title, title_el.as_deref(), &h1) {
            (Some(pt), Some(full), Some(h))
                if pt != *full && !contains_ci(full, h) && og_title.is_none() =>
            {
                let in_main =
                    main.is_some_and(|m| m.select(&sel("h1")).any(|x| !self.is_dropped(x)));
                if in_main && h.split_whitespace().count() >= 2 {
                    Some(self.h1_with_tagline(main).unwrap_or_else(|| h.clone()))
                } else {
                    Some(pt)
                }
            }
            (pt, _, _) => pt,
        };
        // og:title is usually the cleanest, but a longer <title> that contains it is more
        // complete, and one sharing no word with it means og:title was left over from a
        // copied template.
        let og_title = match (og_title, page_title.as_deref()) {
            (Some(og), Some(pt)) if pt.len() > og.len() && contains_ci(pt, &og) => {
                Some(pt.to_string())
            }
            (Some(og), Some(pt)) if !share_a_word(&og, pt) => Some(pt.to_string()),
            (og, _) => og,
        };
        doc.title = fm_title
            .or(og_title)
            .or(page_title)
            .or(h1)
            .or_else(|| {
                main.and_then(|m| {
                    m.select(&sel("h2, h3"))
                        .filter(|h| !self.is_dropped(*h))
                        .map(|h| self.text_of(h))
                        .find(|t| !t.is_empty())
                })
            })
            .or_else(|| {
                self.title_element().map(|t| {
                    if looks_like_slug(&t) {
                        slug_to_words(&t)
                    } else {
                        t
                    }
                })
            })
            .map(|t| truncate_chars(&t, 300))
            .unwrap_or_default();

        // Description, URL, language, author.
        doc.description = front
            .description
            .as_deref()
            .or_else(|| {
                self.meta(&[
                    "description",
                    "og:description",
                    "twitter:description",
                    "dc.description",
                ])
            })
            .map(clean_text)
            .filter(|d| !d.is_empty())
            .map(|d| truncate_chars(&d, 1000));
        doc.url = self
            .html
            .select(&sel("link[rel][href]"))
            .find(|l| {
                l.value().attr("rel").is_some_and(|r| {
                    r.split_whitespace()
                        .any(|t| t.eq_ignore_ascii_case("canonical"))
                })
            })
            .and_then(|l| l.value().attr("href"))
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty() && !h.contains("{{"))
            .or(json_ld.url.clone());
        let html_lang = self
            .html
            .tree
            .root()
            .children()
            .find_map(ElementRef::wrap)
            .and_then(|r| {
                r.value()
                    .attr("lang")
                    .or_else(|| r.value().attr("xml:lang"))
            })
            .and_then(primary_language_subtag);
        doc.language = front.lang.clone().or(html_lang).or_else(|| {
            self.meta(&["content-language", "og:locale", "language", "dc.language"])
                .and_then(primary_language_subtag)
        });
        doc.author = front
            .author
            .as_deref()
            .or_else(|| self.meta(&["author", "article:author", "dc.creator", "citation_author"]))
            .map(clean_text)
            .filter(|a| !a.is_empty() && !a.starts_with("http"))
            .or_else(|| (!json_ld.authors.is_empty()).then(|| json_ld.authors.join(", ")))
            .map(|a| truncate_chars(&a, 300));

        // Date.
        let meta_date = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| self.meta.get(*k).and_then(|v| normalize_date(v)))
        };
        let time_sel = sel("time");
        let time_date = || {
            main.into_iter()
                .flat_map(|m| m.select(&time_sel))
                .filter(|t| !self.is_dropped(*t))
                .find_map(|t| {
                    t.value()
                        .attr("datetime")
                        .and_then(normalize_date)
                        .or_else(|| {
                            normalize_date(&collapse_whitespace(&t.text().collect::<String>()))
                        })
                })
        };
        let lead: String = {
            let mut s = String::new();
            for sec in &sections {
                if s.len() > 600 {
                    break;
                }
                s.push_str(&sec.text);
                s.push(' ');
            }
            s
        };
        let (byline_pub, byline_upd) = byline_dates(&lead);
        let labels = printed_labels(self.html);
        doc.linked_date = main.or(self.body).and_then(latest_linked_date);
        doc.date = front
            .date
            .clone()
            .or_else(|| {
                meta_date(&[
                    "article:published_time",
                    "og:published_time",
                    "article:published",
                ])
            })
            .or(json_ld.published.clone())
            .or_else(|| labels.0.clone())
            .or(json_ld.created.clone())
            .or_else(time_date)
            .or_else(|| {
                meta_date(&[
                    "date",
                    "dc.date",
                    "dc.date.issued",
                    "dcterms.date",
                    "dcterms.issued",
                    "dcterms.created",
                    "dc.date.created",
                    "pubdate",
                    "publishdate",
                    "publish-date",
                    "publish_date",
                    "citation_publication_date",
                    "citation_date",
                    "parsely-pub-date",
                    "sailthru.date",
                    "datepublished",
                ])
            })
            .or(byline_pub)
            .or(byline_upd)
            .or_else(|| labels.1.clone())
            .or(json_ld.modified.clone())
            .or_else(|| {
                meta_date(&[
                    "article:modified_time",
                    "og:updated_time",
                    "last-modified",
                    "dcterms.modified",
                ])
            });

        doc.has_text = sections
            .iter()
            .any(|s| s.text.chars().any(char::is_alphanumeric));
        if !doc.has_text {
            warnings.push("no text in the page content".into());
        }
        doc.page_count = None;
        doc.sections = sections;
        doc.warnings = warnings;
        doc
    }

    /// "Title: Tagline" when the first h1 of `main` sits in an `hgroup` with a subheading.
    fn h1_with_tagline(&self, main: Option<ElementRef<'a>>) -> Option<String> {
        let h1 = main?.select(&sel("h1")).find(|h| !self.is_dropped(*h))?;
        let title = self.text_of(h1);
        if title.is_empty() {
            return None;
        }
        let parent = h1.parent().and_then(ElementRef::wrap)?;
        if name(parent) != "hgroup" {
            return Some(title);
        }
        let tagline = h1
            .next_siblings()
            .filter_map(ElementRef::wrap)
            .find(|e| matches!(name(*e), "h2" | "h3" | "p"))
            .map(|e| self.text_of(e))
            .filter(|t| !t.is_empty());
        Some(match tagline {
            Some(t) => format!("{title}: {t}"),
            None => title,
        })
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    let fold = |s: &str| s.to_lowercase().replace(['’', '‘'], "'");
    fold(haystack).contains(&fold(needle))
}

fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars()
            .take(max)
            .collect::<String>()
            .trim_end()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(src: &str) -> ExtractedDoc {
        extract_html(src.as_bytes()).expect("extracts")
    }

    fn all_text(d: &ExtractedDoc) -> String {
        d.sections
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fixture(name: &str) -> ExtractedDoc {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/html")
            .join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        extract_html(&bytes).expect("extracts")
    }

    fn headings(d: &ExtractedDoc) -> Vec<(Option<&str>, Option<&str>)> {
        d.sections
            .iter()
            .map(|s| (s.heading.as_deref(), s.anchor.as_deref()))
            .collect()
    }

    fn assert_absent(text: &str, words: &[&str]) {
        for w in words {
            assert!(!text.contains(w), "{w:?} should not be in {text:?}");
        }
    }

    #[test]
    fn fixture_with_main() {
        let d = fixture("with_main.html");
        assert_eq!(d.title, "Water Affordability Program");
        assert_eq!(
            d.description.as_deref(),
            Some("How Riverton caps water bills at 4% of household income.")
        );
        assert_eq!(
            d.url.as_deref(),
            Some("https://www.riverton.example.gov/water/affordability")
        );
        assert_eq!(d.language.as_deref(), Some("en"));
        assert_eq!(d.date.as_deref(), Some("2023-05-02"));
        assert!(d.has_text);
        assert_eq!(d.page_count, None);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let text = all_text(&d);
        assert_absent(
            &text,
            &[
                "cookies",
                "Accept",
                "Skip to",
                "City Council",
                "Services",
                "Copyright",
                "Privacy",
                "newsletter",
                "Subscribe",
                "Related news",
                "Share on",
                "Tweet",
                "file_download",
                "dataLayer",
                "gtag",
                "StyleSheetWords",
                "Home Services",
            ],
        );
        assert!(
            text.contains("Freetown, Sierra Leone\nData Sharing"),
            "{text}"
        );
        assert!(!text.contains("LeoneData"));
        assert!(text.contains("Homeowners on the municipal system"));
        assert!(text.contains("Tier Rate Lifeline $2.10"));
        assert_eq!(
            headings(&d),
            vec![
                (Some("Water Affordability Program"), None),
                (Some("Eligibility"), Some("eligibility")),
                (Some("How to apply"), Some("how-to-apply")),
                (Some("International partners"), Some("partners")),
                (Some("Data Sharing"), None),
            ]
        );
        assert!(d.sections[1]
            .text
            .starts_with("Eligibility Households earning"));
        assert_eq!(
            d.sections[2].text,
            "How to apply Apply online or at any library branch. Bring a recent bill. Application form"
        );
        assert!(d.sections.iter().all(|s| s.page.is_none()));
    }

    #[test]
    fn fixture_without_main_uses_densest_block() {
        let d = fixture("no_main.html");
        assert_eq!(d.title, "Complete Streets Policy Brief");
        assert_eq!(
            d.description.as_deref(),
            Some("A brief on adopting complete streets ordinances.")
        );
        assert_eq!(d.language.as_deref(), Some("en"));
        assert_eq!(d.url, None);
        assert_eq!(d.date, None);
        assert!(
            d.warnings.iter().any(|w| w.contains("densest block")),
            "{:?}",
            d.warnings
        );
        let text = all_text(&d);
        assert_absent(
            &text,
            &[
                "Member Cities",
                "Contact Us",
                "cookies",
                "Recent briefs",
                "Parking minimums",
                "About the network",
                "ScriptWordsHere",
                "_gaq",
            ],
        );
        assert!(text.contains("Clear vision and intent Applies to all projects"));
        assert_eq!(
            headings(&d),
            vec![
                (Some("Complete Streets Policy Brief"), None),
                (Some("Elements of a strong policy"), Some("elements")),
                (Some("Funding"), Some("funding")),
            ]
        );
    }

    #[test]
    fn fixture_jekyll_source() {
        let d = fixture("jekyll_source.html");
        assert_eq!(
            d.title,
            "Heat Emergency Response: How cities keep residents cool"
        );
        assert_eq!(d.date.as_deref(), Some("2019-07-22"));
        assert_eq!(
            d.description.as_deref(),
            Some("A summary of cooling-center and outreach policies from twelve member cities.")
        );
        let text = all_text(&d);
        assert_absent(
            &text,
            &[
                "{",
                "}",
                "layout",
                "CommentedOutWords",
                "relative_url",
                "page.title",
            ],
        );
        assert!(text.contains("above 105 degrees. See note."), "{text}");
        assert!(text.contains("Visit the outreach page."));
        assert_eq!(
            headings(&d),
            vec![(None, None), (Some("Outreach"), Some("outreach"))]
        );
    }

    #[test]
    fn fixture_json_ld_date() {
        let d = fixture("jsonld_date.html");
        // og:title "City Lab | Heat Action Plan 2023" with og:site_name "City Lab".
        assert_eq!(d.title, "Heat Action Plan 2023");
        assert_eq!(d.date.as_deref(), Some("2023-03-29"));
        assert_eq!(
            d.url.as_deref(),
            Some("https://citylab.example.org/plans/heat-2023")
        );
        assert_eq!(d.author.as_deref(), Some("Office of Sustainability"));
        let text = all_text(&d);
        assert_absent(
            &text,
            &["Home", "Plans", "Contact the Office", "schema.org"],
        );
        assert!(text.contains("cooling centers in every ward.\nTargets Thirty percent"));
        assert_eq!(
            headings(&d),
            vec![
                (Some("Heat Action Plan 2023"), None),
                (Some("Targets"), None)
            ]
        );
    }

    #[test]
    fn fixture_byline_date() {
        let d = fixture("byline_date.html");
        assert_eq!(d.title, "Mayors Back Lead Pipe Replacement");
        // "Posted on" wins over the earlier "Updated".
        assert_eq!(d.date.as_deref(), Some("2022-06-04"));
        assert_eq!(d.language, None);
        let text = all_text(&d);
        assert!(text.starts_with("Mayors Back Lead Pipe Replacement By Sam Ortiz"));
        assert!(text.contains("low-income neighborhoods."));
        assert_absent(&text, &["Blog home", "Tags", "Share", "newsletter"]);
    }

    #[test]
    fn fixture_spanish() {
        let d = fixture("spanish.html");
        assert_eq!(d.title, "Plan de Vivienda Asequible");
        assert_eq!(d.language.as_deref(), Some("es"));
        assert_eq!(d.date.as_deref(), Some("2021-09-14"));
        assert_eq!(
            d.description.as_deref(),
            Some("Cómo la ciudad amplía la vivienda asequible.")
        );
        let text = all_text(&d);
        assert!(
            text.contains("antes de 2030. familias ya se inscribieron."),
            "{text}"
        );
        assert_absent(
            &text,
            &["{{", "contador", "Inicio", "English", "Aviso de privacidad"],
        );
        assert_eq!(
            headings(&d),
            vec![
                (Some("Plan de Vivienda Asequible"), None),
                (Some("Requisitos"), Some("requisitos"))
            ]
        );
    }

    #[test]
    fn block_elements_never_glue_words() {
        let d = extract(
            "<body><div>Sierra Leone</div><h2>Data Sharing</h2><ul><li>one</li><li>two</li></ul>\
             <p>a<br>b</p><table><tr><td>x</td><td>y</td></tr></table><p>in<b>line</b> <i>kept</i></p></body>",
        );
        let text = all_text(&d);
        assert!(text.contains("Sierra Leone"));
        assert!(!text.contains("LeoneData"));
        assert!(text.contains("one two a b x y inline kept"), "{text}");
    }

    #[test]
    fn source_line_breaks_are_not_hyphenation() {
        let d = extract("<main><p>a data-\ndriven plan</p></main>");
        assert_eq!(all_text(&d), "a data- driven plan");
    }

    #[test]
    fn title_suffix_trimming() {
        assert_eq!(
            trim_site_name("Budget Office | City of Boston", None, true),
            "Budget Office"
        );
        assert_eq!(
            trim_site_name("Open Data's Impact - The Govlab", None, true),
            "Open Data's Impact"
        );
        assert_eq!(
            trim_site_name("Heat Plan – Riverton", None, true),
            "Heat Plan"
        );
        assert_eq!(trim_site_name("Our City :: Safety", None, true), "Our City");
        assert_eq!(trim_site_name("A | B", None, true), "A | B");
        assert_eq!(
            trim_site_name("No separator here", None, true),
            "No separator here"
        );
        assert_eq!(
            trim_site_name("The GovLab | About", Some("The GovLab"), true),
            "The GovLab | About"
        );
        assert_eq!(
            trim_site_name("The GovLab | Open Data Demand", Some("The GovLab"), false),
            "Open Data Demand"
        );
        assert_eq!(
            trim_site_name("Heat Plan | City Lab", Some("City Lab"), false),
            "Heat Plan"
        );
        assert_eq!(
            trim_site_name("Heat Plan - Phase 2", Some("City Lab"), false),
            "Heat Plan - Phase 2"
        );
    }

    #[test]
    fn title_fallbacks() {
        let d = extract(
            "<html><body><main><h1>Only <em>Heading</em></h1><p>x</p></main></body></html>",
        );
        assert_eq!(d.title, "Only Heading");
        let d = extract("<title>case-study-canada</title><p>text</p>");
        assert_eq!(d.title, "case study canada");
        // A generic site title loses to the page's own h1 (and its hgroup tagline).
        let d = extract(
            "<title>Open Data's Impact - The Govlab</title><main><hgroup><h1>Battling Ebola in Sierra Leone</h1>\
             <h2>Data Sharing to Improve Crisis Response</h2></hgroup><p>Text.</p></main>",
        );
        assert_eq!(
            d.title,
            "Battling Ebola in Sierra Leone: Data Sharing to Improve Crisis Response"
        );
        // og:title left over from another page (no shared word) loses to <title>.
        let d = extract(
            "<title>How to Change a Life</title><meta property=\"og:title\" content=\"Segregated Schools\"><p>x</p>",
        );
        assert_eq!(d.title, "How to Change a Life");
        let d = extract("<svg><title>icon</title></svg><p>Words</p>");
        assert_eq!(d.title, "");
    }

    #[test]
    fn sections_and_anchors() {
        let d = extract(
            "<main><p>Intro text.</p>\
             <section id=\"s1\"><h2>First</h2><p>one</p><h3>Sub</h3><p>two</p></section>\
             <h2><span id=\"inner\">Second</span></h2><p>three</p>\
             <a name=\"before\"></a><h2>Third</h2><p>four</p>\
             <h2></h2><p>five</p>\
             <a href=\"/x\"><h3>Teaser card</h3></a>\
             <aside><h3>Label</h3></aside><div><p>six</p></div>\
             <p class=\"e-h2\">Styled Heading</p><p>seven</p></main>",
        );
        assert_eq!(
            headings(&d),
            vec![
                (None, None),
                (Some("First"), Some("s1")),
                (Some("Sub"), None),
                (Some("Second"), Some("inner")),
                (Some("Third"), Some("before")),
                (Some("Label"), None),
                (Some("Styled Heading"), None),
            ]
        );
        assert_eq!(d.sections[0].text, "Intro text.");
        assert_eq!(d.sections[4].text, "Third four five Teaser card");
        assert_eq!(d.sections[5].text, "Label six");
    }

    #[test]
    fn dates_from_meta_time_and_byline() {
        let d = extract("<main><time datetime=\"2020-02-03T10:00\">Feb 3</time><p>x</p></main>");
        assert_eq!(d.date.as_deref(), Some("2020-02-03"));
        let d = extract("<meta name=\"DC.date\" content=\"March 5, 2019\"><main><p>x</p></main>");
        assert_eq!(d.date.as_deref(), Some("2019-03-05"));
        let d = extract("<main><p>Last updated: Sept. 14, 2021</p><p>Body</p></main>");
        assert_eq!(d.date.as_deref(), Some("2021-09-14"));
        let d = extract("<main><p>The council published 40 pages in 2019.</p></main>");
        assert_eq!(d.date, None);
        assert_eq!(
            byline_dates("By Jo · Published June 4, 2022 · Updated 2023-01-02"),
            (Some("2022-06-04".into()), Some("2023-01-02".into()))
        );
    }

    #[test]
    fn dates_printed_as_labels_anywhere_on_the_page() {
        // A footer's copyright with month and year, where nothing else dates the page.
        let d = extract("<main><p>Body text.</p></main><footer><span>Copyright © <a href=\"/\">Urban Institute</a> February 2016.</span></footer>");
        assert_eq!(d.date.as_deref(), Some("2016-02"));
        let d = extract(
            "<main><p>Body.</p></main><footer><p>Copyright &copy; 2019 City of Mesa</p></footer>",
        );
        assert_eq!(d.date.as_deref(), Some("2019"));
        // A site's range and a statute are not a page's date.
        let d = extract("<main><p>Body.</p></main><footer>© 2009–2024 Example Org</footer>");
        assert_eq!(d.date, None);
        let d = extract("<main><p>Under the Copyright Designs and Patents Act 1988.</p></main>");
        assert_eq!(d.date, None);
        // A banner's "last updated" beats the CMS record's creation date...
        let d = extract(
            r#"<script type="application/ld+json">{"dateCreated": "2019-03-14T04:00:00.000Z"}</script><main><p>Intro.</p><div>Last updated on March 29, 2024, with new survey data.</div></main>"#,
        );
        assert_eq!(d.date.as_deref(), Some("2024-03-29"));
        // ...but a citation that was "last updated" is not a label.
        let intro = "States spend differently on roads, schools and prisons. ".repeat(12);
        let d = extract(&format!("<main><p>{intro}</p><p>Wage Estimates, Bureau of Labor Statistics, last updated April 8, 2013.</p></main><footer>Copyright © Urban Institute January 2017.</footer>"));
        assert_eq!(d.date.as_deref(), Some("2017-01"));
    }

    #[test]
    fn the_latest_dated_link_path() {
        let d = extract(
            r#"<main><p>Quotes.</p><a href="https://x.org/wp-content/uploads/2018/01/comment.pdf">a</a><a href="/2016/12/post">b</a><a href="/2019/13/bad">c</a></main>"#,
        );
        assert_eq!(d.linked_date.as_deref(), Some("2018-01"));
        assert_eq!(d.date, None, "an estimate, not the page's date");
    }

    #[test]
    fn json_ld_graph_and_broken_json() {
        let d = extract(
            r#"<script type="application/ld+json">{"@graph":[{"@type":"WebPage","datePublished":"2018-11-15","author":{"name":"Ana"}}]}</script><p>x</p>"#,
        );
        assert_eq!(d.date.as_deref(), Some("2018-11-15"));
        assert_eq!(d.author.as_deref(), Some("Ana"));
        let d = extract(
            r#"<script type="application/ld+json">{"dateCreated": "2017-07-13T04:00:00.000Z",}</script><p>x</p>"#,
        );
        assert_eq!(d.date.as_deref(), Some("2017-07-13"));
    }

    #[test]
    fn windows_1252_declared_charset() {
        let mut bytes = b"<meta charset=\"windows-1252\"><p>caf".to_vec();
        bytes.extend_from_slice(&[0xE9, b' ', 0x93, b'q', 0x94, 0x96]);
        bytes.extend_from_slice(b"</p>");
        let d = extract_html(&bytes).unwrap();
        assert_eq!(all_text(&d), "café “q”–");
        assert!(d.warnings.iter().any(|w| w.contains("windows-1252")));
        // UTF-8 BOM and lossy fallback.
        let d = extract_html(b"\xEF\xBB\xBF<p>ok \xFF</p>").unwrap();
        assert_eq!(all_text(&d), "ok");
    }

    #[test]
    fn never_panics() {
        for input in [
            &b""[..],
            b"   ",
            b"<",
            b"<html",
            b"<<<>>>&&&;;",
            b"---\n",
            b"---\ntitle: x\n---\n",
            b"{{ {% {{< {# }}",
            b"<p>\xC3\x28\xA0\xA1</p>",
            b"<table><td><table><td><tr></table>",
            b"<h1><h2><h3>x</h1></h2>",
            b"<a><h2>x</a></h2>",
            b"<script>",
            b"<title></title><meta property=og:title content=''>",
        ] {
            let d = extract_html(input).expect("no error");
            assert!(d.sections.iter().all(|s| !s.text.is_empty()));
        }
        assert!(matches!(
            extract_html(b"%PDF-1.7\n\x00\x01\x02"),
            Err(ExtractError::Html(_))
        ));
        let garbage: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 1)
            .collect();
        extract_html(&garbage).expect("garbage is text");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 200_000;
        let mut s = String::from("<html><body>");
        for _ in 0..depth {
            s.push_str("<div><span>");
        }
        s.push_str("<h2 id=\"deep\">Deep</h2>words");
        let t = std::time::Instant::now();
        let d = extract(&s);
        assert!(all_text(&d).contains("Deep words"));
        assert!(
            d.warnings.iter().any(|w| w.contains("nested deeper")),
            "{:?}",
            d.warnings
        );
        assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
        assert_eq!(limit_nesting("<div><p>a<p>b</div><br><img src=x>", 2), None);
        assert_eq!(
            limit_nesting("<div><div><div>x</div></div></div>", 2).as_deref(),
            Some("<div><div> x </div></div>")
        );
        // Tags inside scripts and comments are not counted.
        assert_eq!(
            limit_nesting(
                "<script>\"<div><div><div>\"</script><!--<div><div><div>-->",
                2
            ),
            None
        );
        let d = extract(&"<ul><li>x".repeat(5000));
        assert!(d.has_text);
    }

    #[test]
    fn empty_pages_have_no_text() {
        let d = extract("<html><head><title>App</title></head><body><div id=\"root\"></div><script>x()</script></body></html>");
        assert_eq!(d.title, "App");
        assert!(!d.has_text);
        assert!(d.sections.is_empty());
    }

    fn corpus_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/html")
    }

    /// Runs over the real pages in /work/shared/corpus/html when present.
    #[test]
    fn real_pages() {
        let dir = corpus_dir();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!(
                "notice: {} not found; skipping the real-page check",
                dir.display()
            );
            return;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.retain(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"));
        paths.sort();
        if paths.is_empty() {
            println!("notice: no HTML files in {}", dir.display());
            return;
        }
        let mut good = 0;
        let mut words_per_page = Vec::new();
        for p in &paths {
            let bytes = std::fs::read(p).unwrap();
            let d = extract_html(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let words: usize = d
                .sections
                .iter()
                .map(|s| s.text.split_whitespace().count())
                .sum();
            words_per_page.push(words);
            if !d.title.is_empty() && d.has_text {
                good += 1;
            }
            let text = all_text(&d);
            for junk in ["{{", "{%", "gtag(", "dataLayer"] {
                assert!(!text.contains(junk), "{}: {junk:?} in text", p.display());
            }
            for icon in ["file_download", "arrow_forward", "keyboard_arrow_left"] {
                assert!(
                    !text.split_whitespace().any(|w| w == icon),
                    "{}: icon text {icon:?}",
                    p.display()
                );
            }
            println!(
                "{:>6} words {:>3} sections  {:<60}  {}",
                words,
                d.sections.len(),
                p.file_name().unwrap().to_string_lossy(),
                d.title
            );
        }
        words_per_page.sort_unstable();
        let n = paths.len();
        println!(
            "{good}/{n} pages with title and text; median {} words",
            words_per_page[n / 2]
        );
        assert!(
            good * 100 >= n * 95,
            "only {good}/{n} pages have a title and text"
        );
    }

    /// Scratch: `cargo test -p polsearch-extract html::tests::dump_corpus -- --ignored`
    /// writes every real page's extraction to /tmp/polsearch-html-dump/ for reading by eye.
    #[test]
    #[ignore]
    fn dump_corpus() {
        let dir = corpus_dir();
        let out = std::path::Path::new("/tmp/polsearch-html-dump");
        std::fs::create_dir_all(out).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in names {
            let d = extract_html(&std::fs::read(&p).unwrap()).unwrap();
            let mut s = format!(
                "title: {}\ndate: {:?}\ndesc: {:?}\nurl: {:?}\nlang: {:?}\nauthor: {:?}\nhas_text: {}\nwarnings: {:?}\n",
                d.title, d.date, d.description, d.url, d.language, d.author, d.has_text, d.warnings
            );
            for sec in &d.sections {
                s.push_str(&format!(
                    "\n### [{:?}] {:?}\n{}\n",
                    sec.anchor, sec.heading, sec.text
                ));
            }
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            std::fs::write(out.join(format!("{name}.txt")), s).unwrap();
        }
    }
}
