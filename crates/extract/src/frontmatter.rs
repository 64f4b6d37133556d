//! Static-site source conventions shared by the Markdown and HTML extractors: the YAML
//! (`---`) or TOML (`+++`) front-matter block at the top of Jekyll/Hugo sources, template
//! tags (Liquid `{% %}`/`{{ }}`, Hugo shortcodes, Vue placeholders) that must never be
//! indexed as words, and the normalization of the many ways a date is written into
//! `YYYY-MM-DD` / `YYYY-MM` / `YYYY`.
//!
//! Front matter is parsed by hand (no YAML crate): only the flat `key: value`,
//! `key: [a, b]`, `key:` + `- item` lists and `>`/`|` block scalars that sites use for
//! titles, dates, descriptions and tags. Anything else is skipped, never an error.

use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

/// What a front-matter block says about its page. Values are unquoted but not otherwise
/// normalized, except `date` (see [`normalize_date`]) and `lang` (primary subtag, lowercased).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    /// Normalized `YYYY-MM-DD` / `YYYY-MM` / `YYYY`; `None` if absent or not a plausible date.
    pub date: Option<String>,
    /// `description`, else `summary` / `excerpt`.
    pub description: Option<String>,
    /// `tags`, `categories` and `keywords`, in that order, without duplicates.
    pub tags: Vec<String>,
    /// `lang` / `language` / `locale`: the primary subtag, lowercased ("en-US" gives "en").
    pub lang: Option<String>,
    /// `subtitle` (Jekyll themes often split a page title into title and subtitle).
    pub subtitle: Option<String>,
    /// `author` (or the first of `authors`).
    pub author: Option<String>,
}

/// Splits a leading front-matter block off `text`.
///
/// The block must open on the very first line (after an optional BOM) with `---` (YAML) or
/// `+++` (TOML) and close with the same marker (YAML may also close with `...`). Returns the
/// parsed block and the text after its closing line; `(None, text)` when there is no
/// well-formed block.
pub fn split_front_matter(text: &str) -> (Option<FrontMatter>, &str) {
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let (first, mut rest) = split_line(body);
    let marker = first.trim_end();
    let toml = match marker {
        "---" => false,
        "+++" => true,
        _ => return (None, text),
    };
    let mut block: Vec<&str> = Vec::new();
    loop {
        if rest.is_empty() {
            return (None, text);
        }
        let (line, after) = split_line(rest);
        let t = line.trim_end();
        if t == marker || (!toml && t == "...") {
            rest = after;
            break;
        }
        block.push(line);
        rest = after;
    }
    let pairs = if toml {
        parse_toml(&block)
    } else {
        parse_yaml(&block)
    };
    // A `---` line followed later by another `---` is also how a Markdown file can start
    // with two horizontal rules; only accept the block if it looks like key/value data.
    let looks_like_data = block.iter().all(|l| {
        let t = l.trim();
        t.is_empty()
            || t.starts_with('#')
            || t.starts_with('-')
            || (toml && t.starts_with('['))
            || l.starts_with([' ', '\t'])
            || key_of(t, toml).is_some()
    });
    if !looks_like_data {
        return (None, text);
    }
    (Some(front_matter_from(pairs)), rest)
}

/// Returns the first line (without its line ending) and the rest after it.
fn split_line(s: &str) -> (&str, &str) {
    match s.find('\n') {
        Some(i) => (s[..i].strip_suffix('\r').unwrap_or(&s[..i]), &s[i + 1..]),
        None => (s, ""),
    }
}

/// The key of a `key: value` (YAML) or `key = value` (TOML) line, if it is one.
fn key_of(line: &str, toml: bool) -> Option<&str> {
    let sep = if toml { '=' } else { ':' };
    let i = line.find(sep)?;
    let key = line[..i].trim();
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '@'));
    // In YAML the separator must be followed by whitespace or end the line (not "http://").
    let after_ok = toml || line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']);
    (ok && after_ok).then_some(key)
}

/// A front-matter value: a scalar or a list.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Scalar(String),
    List(Vec<String>),
}

impl Value {
    fn first(&self) -> Option<String> {
        match self {
            Value::Scalar(s) => Some(s.clone()),
            Value::List(v) => v.first().cloned(),
        }
        .filter(|s| !s.trim().is_empty())
    }

    fn items(&self) -> Vec<String> {
        match self {
            Value::Scalar(s) if s.contains(',') => s
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            Value::Scalar(s) => vec![s.clone()]
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect(),
            Value::List(v) => v.clone(),
        }
    }
}

fn parse_yaml(lines: &[&str]) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        // Only top-level keys: indented lines belong to the previous key's nested data.
        if line.starts_with([' ', '\t'])
            || line.trim().is_empty()
            || line.trim_start().starts_with('#')
        {
            continue;
        }
        let Some(key) = key_of(line.trim_end(), false) else {
            continue;
        };
        let key = key.to_lowercase();
        let colon = line.find(':').unwrap_or(line.len());
        let raw = strip_yaml_comment(line[(colon + 1).min(line.len())..].trim());
        if raw.is_empty() {
            // A `- item` list, or a nested map we skip, on the following indented lines.
            let mut items = Vec::new();
            while i < lines.len() {
                let l = lines[i];
                let t = l.trim();
                if t.is_empty() {
                    i += 1;
                    continue;
                }
                let indented = l.starts_with([' ', '\t']);
                if let Some(item) = t
                    .strip_prefix('-')
                    .filter(|r| r.is_empty() || r.starts_with(' '))
                {
                    items.push(unquote(strip_yaml_comment(item.trim())));
                    i += 1;
                } else if indented {
                    i += 1;
                } else {
                    break;
                }
            }
            items.retain(|s| !s.is_empty());
            out.push((key, Value::List(items)));
        } else if raw.starts_with('[') {
            let inner = raw.trim_start_matches('[').trim_end_matches(']');
            let items = split_inline_list(inner);
            out.push((key, Value::List(items)));
        } else if matches!(raw.chars().next(), Some('>' | '|'))
            && raw[1..]
                .chars()
                .all(|c| matches!(c, '-' | '+') || c.is_ascii_digit())
        {
            let folded = raw.starts_with('>');
            let mut parts = Vec::new();
            while i < lines.len()
                && (lines[i].starts_with([' ', '\t']) || lines[i].trim().is_empty())
            {
                parts.push(lines[i].trim());
                i += 1;
            }
            while parts.last().is_some_and(|p| p.is_empty()) {
                parts.pop();
            }
            let joined = if folded {
                parts.join(" ")
            } else {
                parts.join("\n")
            };
            out.push((key, Value::Scalar(joined.trim().to_string())));
        } else {
            // A plain or quoted scalar, possibly continued on indented lines.
            let mut value = raw.to_string();
            while i < lines.len()
                && lines[i].starts_with([' ', '\t'])
                && !lines[i].trim().is_empty()
            {
                value.push(' ');
                value.push_str(lines[i].trim());
                i += 1;
            }
            out.push((key, Value::Scalar(unquote(&value))));
        }
    }
    out
}

fn parse_toml(lines: &[&str]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut in_table = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        i += 1;
        if line.starts_with('[') {
            // `[params]` and other tables: keys below are nested, not page fields.
            in_table = true;
            continue;
        }
        if in_table || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(key) = key_of(line, true) else {
            continue;
        };
        let key = key.to_lowercase();
        let eq = line.find('=').unwrap_or(line.len());
        let mut raw = line[(eq + 1).min(line.len())..].trim().to_string();
        if raw.starts_with('[') {
            while !raw.contains(']') && i < lines.len() {
                raw.push(' ');
                raw.push_str(lines[i].trim());
                i += 1;
            }
            let inner = raw.trim_start_matches('[');
            let inner = inner.split(']').next().unwrap_or("");
            out.push((key, Value::List(split_inline_list(inner))));
        } else if let Some(stripped) = raw.strip_prefix("\"\"\"") {
            let mut value = stripped.to_string();
            while !value.contains("\"\"\"") && i < lines.len() {
                value.push(' ');
                value.push_str(lines[i].trim());
                i += 1;
            }
            let value = value
                .split("\"\"\"")
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            out.push((key, Value::Scalar(value)));
        } else {
            let value = if raw.starts_with(['"', '\'']) {
                raw.clone()
            } else {
                strip_toml_comment(&raw)
            };
            out.push((key, Value::Scalar(unquote(value.trim()))));
        }
    }
    out
}

fn split_inline_list(inner: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, ',') => {
                items.push(unquote(cur.trim()));
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    items.push(unquote(cur.trim()));
    items.retain(|s| !s.is_empty());
    items
}

/// Drops a ` # comment` from an unquoted YAML value.
fn strip_yaml_comment(v: &str) -> &str {
    if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
        // Keep through the closing quote (`\"` escapes in double, `''` in single quotes).
        let bytes = v.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            let b = bytes[i];
            if q == '"' && b == b'\\' {
                i += 2;
                continue;
            }
            if b == q as u8 {
                if q == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return &v[..=i];
            }
            i += 1;
        }
        return v;
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end(),
        None => v,
    }
}

fn strip_toml_comment(v: &str) -> String {
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

/// Removes matching surrounding quotes, resolving `\"` in double quotes and `''` in single.
fn unquote(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let inner = &v[1..v.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push(' '),
                    Some('t') => out.push(' '),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        out
    } else if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.to_string()
    }
}

fn front_matter_from(pairs: Vec<(String, Value)>) -> FrontMatter {
    let get = |names: &[&str]| -> Option<String> {
        names.iter().find_map(|n| {
            pairs
                .iter()
                .find(|(k, _)| k == n)
                .and_then(|(_, v)| v.first())
        })
    };
    let mut tags: Vec<String> = Vec::new();
    for name in ["tags", "categories", "category", "keywords"] {
        for (_, v) in pairs.iter().filter(|(k, _)| k == name) {
            for t in v.items() {
                if !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                    tags.push(t);
                }
            }
        }
    }
    let lang = get(&["lang", "language", "locale"]).and_then(|l| primary_language_subtag(&l));
    FrontMatter {
        title: get(&["title"]),
        date: [
            "date",
            "published",
            "publishdate",
            "pubdate",
            "created",
            "date_published",
        ]
        .iter()
        .find_map(|n| get(&[n]).and_then(|d| normalize_date(&d))),
        description: get(&["description", "summary", "excerpt", "abstract"]),
        tags,
        lang,
        subtitle: get(&["subtitle", "sub_title", "subhead"]),
        author: get(&["author", "authors"]),
    }
}

/// The primary subtag of a BCP 47 language tag, lowercased ("en-US" and "en_us" give
/// "en"); `None` unless it is 2 or 3 ASCII letters.
pub fn primary_language_subtag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(primary)
}

/// Drops template syntax that would otherwise be indexed as words: Liquid/Jekyll/Jinja
/// `{% ... %}` tags (and everything between `{% comment %}` and `{% endcomment %}`),
/// `{{ ... }}` output tags and Vue/Angular placeholders, Hugo shortcodes `{{< ... >}}` and
/// `{{% ... %}}` (the content between paired shortcodes is kept), and `{# ... #}` comments.
///
/// An opening delimiter without a closing one within 2,000 bytes is kept as literal text.
pub fn strip_template_tags(text: &str) -> String {
    const MAX_TAG: usize = 2000;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_comment = false;
    while let Some(start) = rest.find('{') {
        let (before, from) = rest.split_at(start);
        if !in_comment {
            out.push_str(before);
        }
        let close = if from.starts_with("{{<") {
            Some(">}}")
        } else if from.starts_with("{{%") {
            Some("%}}")
        } else if from.starts_with("{{") {
            Some("}}")
        } else if from.starts_with("{%") {
            Some("%}")
        } else if from.starts_with("{#") {
            Some("#}")
        } else {
            None
        };
        let end = close.and_then(|c| {
            let window_end = floor_char_boundary(from, MAX_TAG.min(from.len()));
            let end = from[2..window_end].find(c).map(|i| 2 + i + c.len())?;
            // A template tag never holds markup: `{{A</h1><script>}}` is text and tags, and
            // taking it for one tag would drop the `<script>` and show what it hides.
            (!holds_markup(&from[2..end - c.len()])).then_some(end)
        });
        match end {
            Some(end) => {
                let tag = &from[..end];
                if let Some(inner) = tag.strip_prefix("{%") {
                    let name = inner
                        .trim_start_matches('-')
                        .split_whitespace()
                        .next()
                        .unwrap_or("");
                    if name == "comment" {
                        in_comment = true;
                    } else if name == "endcomment" {
                        in_comment = false;
                    }
                }
                rest = &from[end..];
            }
            None => {
                if !in_comment {
                    out.push('{');
                }
                rest = &from[1..];
            }
        }
    }
    if !in_comment {
        out.push_str(rest);
    }
    out
}

/// Whether `s` has the start of an HTML tag, comment or declaration (`<` then a letter,
/// `/`, `!` or `?`); a comparison such as `{% if a < b %}` has a space after its `<`.
fn holds_markup(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')))
}

/// The largest index `<= i` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number (1-12) for an English or Spanish month name or abbreviation ("Sept.",
/// "sep", "September", "septiembre").
fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    if w == "sept" {
        return Some(9);
    }
    // Any prefix of at least 3 letters: "mar", "Sept", "Febr".
    if let Some(i) = MONTHS.iter().position(|m| m.starts_with(&w)) {
        return Some(i as u32 + 1);
    }
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    ES.iter()
        .position(|m| *m == w || (w == "setiembre" && *m == "septiembre"))
        .map(|i| i as u32 + 1)
}

fn date_regexes() -> &'static [Regex; 6] {
    static RES: OnceLock<[Regex; 6]> = OnceLock::new();
    RES.get_or_init(|| {
        let r = |p: &str| Regex::new(p).expect("static regex");
        [
            // 2021-09-14, 2021/9/14, 2021.09.14, optionally followed by a time.
            r(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[^0-9])"),
            // 09/14/2021 (US order; day first when the first number exceeds 12).
            r(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:$|[^0-9])"),
            // September 14, 2021 / Sept. 14 2021 / Sep 14th, 2021
            r(r"^(\p{L}{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:$|[^0-9])"),
            // 14 September 2021 / 14th Sept. 2021 / 14 de septiembre de 2021
            r(r"^(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(\p{L}{3,10})\.?,?\s+(?:de\s+)?(\d{4})(?:$|[^0-9])"),
            // June 2022 / June, 2022 / 2021-09 / junio de 2022
            r(r"^(?:(\p{L}{3,10})\.?,?\s+(?:de\s+)?(\d{4})|(\d{4})-(\d{1,2}))(?:$|[^0-9])"),
            // 2022
            r(r"^(\d{4})(?:$|[^0-9])"),
        ]
    })
}

/// Normalizes a written date to `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
///
/// Accepts ISO dates and timestamps ("2021-09-14", "2021-09-14T10:00:00-04:00": the date
/// as written, no time-zone shift), US numeric dates ("09/14/2021"), "September 14, 2021",
/// "Sept. 14, 2021", "Tuesday, September 14th, 2021", "14 September 2021", "June 2022",
/// "2021-09" and a bare year. Text after a recognized date is ignored. Returns `None` for
/// anything else, for impossible days, and for years outside 1900..=2100.
pub fn normalize_date(s: &str) -> Option<String> {
    let mut s = s.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    // Leading "on", weekday names ("Tuesday, ", "Tue ").
    for _ in 0..2 {
        if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("on ")) {
            s = s[3..].trim_start();
            continue;
        }
        let first: String = s.chars().take_while(|c| c.is_alphabetic()).collect();
        let fl = first.to_lowercase();
        let weekdays = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        if fl.len() >= 3
            && weekdays.iter().any(|w| w.starts_with(&fl) || fl == *w)
            && month_number(&fl).is_none()
        {
            s = s[first.len()..]
                .trim_start_matches(['.', ',', ' '])
                .trim_start();
            continue;
        }
        break;
    }
    let res = date_regexes();
    let ymd = |y: &str, m: u32, d: u32| -> Option<String> {
        let y: i32 = y.parse().ok()?;
        if !(1900..=2100).contains(&y) {
            return None;
        }
        NaiveDate::from_ymd_opt(y, m, d)?;
        Some(format!("{y:04}-{m:02}-{d:02}"))
    };
    let ym = |y: &str, m: u32| -> Option<String> {
        let y: i32 = y.parse().ok()?;
        ((1900..=2100).contains(&y) && (1..=12).contains(&m)).then(|| format!("{y:04}-{m:02}"))
    };
    if let Some(c) = res[0].captures(s) {
        return ymd(&c[1], c[2].parse().ok()?, c[3].parse().ok()?);
    }
    if let Some(c) = res[1].captures(s) {
        let a: u32 = c[1].parse().ok()?;
        let b: u32 = c[2].parse().ok()?;
        let (m, d) = if a > 12 { (b, a) } else { (a, b) };
        return ymd(&c[3], m, d);
    }
    if let Some(c) = res[2].captures(s) {
        if let Some(m) = month_number(&c[1]) {
            return ymd(&c[3], m, c[2].parse().ok()?);
        }
    }
    if let Some(c) = res[3].captures(s) {
        if let Some(m) = month_number(&c[2]) {
            return ymd(&c[3], m, c[1].parse().ok()?);
        }
    }
    if let Some(c) = res[4].captures(s) {
        if let (Some(name), Some(y)) = (c.get(1), c.get(2)) {
            return month_number(name.as_str()).and_then(|m| ym(y.as_str(), m));
        }
        if let (Some(y), Some(m)) = (c.get(3), c.get(4)) {
            return ym(y.as_str(), m.as_str().parse().ok()?);
        }
    }
    if let Some(c) = res[5].captures(s) {
        let y: i32 = c[1].parse().ok()?;
        return (1900..=2100).contains(&y).then(|| format!("{y:04}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_parsed_and_split() {
        let src = "---\nlayout: post\ntitle: \"Parking: Reform \\\"Update\\\"\"\ndate: 2021-09-14 10:00:00 -0400\ndescription: >\n  Cities dropped\n  parking minimums.\ntags: [parking, 'land use']\ncategories:\n  - transportation\n  - housing\nlang: en-US\nsubtitle: A note\n---\n<p>Body</p>\n";
        let (fm, rest) = split_front_matter(src);
        let fm = fm.expect("front matter");
        assert_eq!(fm.title.as_deref(), Some("Parking: Reform \"Update\""));
        assert_eq!(fm.date.as_deref(), Some("2021-09-14"));
        assert_eq!(
            fm.description.as_deref(),
            Some("Cities dropped parking minimums.")
        );
        assert_eq!(
            fm.tags,
            vec!["parking", "land use", "transportation", "housing"]
        );
        assert_eq!(fm.lang.as_deref(), Some("en"));
        assert_eq!(fm.subtitle.as_deref(), Some("A note"));
        assert_eq!(rest, "<p>Body</p>\n");
    }

    #[test]
    fn single_quotes_and_comments() {
        let (fm, rest) =
            split_front_matter("---\ntitle: 'Mayor''s Plan' # the title\nauthor: Jane Doe\n---\nx");
        let fm = fm.unwrap();
        assert_eq!(fm.title.as_deref(), Some("Mayor's Plan"));
        assert_eq!(fm.author.as_deref(), Some("Jane Doe"));
        assert_eq!(rest, "x");
    }

    #[test]
    fn toml_front_matter() {
        let src = "+++\ntitle = \"Heat Plan\"\ndate = 2022-06-04T09:00:00-05:00\ntags = [\"heat\", \"climate\"]\n[params]\ntitle = \"nested\"\n+++\nBody";
        let (fm, rest) = split_front_matter(src);
        let fm = fm.unwrap();
        assert_eq!(fm.title.as_deref(), Some("Heat Plan"));
        assert_eq!(fm.date.as_deref(), Some("2022-06-04"));
        assert_eq!(fm.tags, vec!["heat", "climate"]);
        assert_eq!(rest, "Body");
    }

    #[test]
    fn no_or_unclosed_front_matter() {
        assert_eq!(
            split_front_matter("# Title\n---\n"),
            (None, "# Title\n---\n")
        );
        assert_eq!(
            split_front_matter("---\ntitle: x\n"),
            (None, "---\ntitle: x\n")
        );
        assert_eq!(split_front_matter(""), (None, ""));
        // Two horizontal rules around prose are not front matter.
        let md = "---\nJust a paragraph of prose here.\n---\n";
        assert_eq!(split_front_matter(md).0, None);
        // Empty block is valid; CRLF and BOM tolerated.
        let (fm, rest) = split_front_matter("\u{FEFF}---\r\ntitle: T\r\n---\r\nrest");
        assert_eq!(fm.unwrap().title.as_deref(), Some("T"));
        assert_eq!(rest, "rest");
        let (fm, rest) = split_front_matter("---\n---\nrest");
        assert_eq!(fm, Some(FrontMatter::default()));
        assert_eq!(rest, "rest");
    }

    #[test]
    fn jekyll_date_and_bad_date() {
        let (fm, _) = split_front_matter("---\ndate: not a date\ntitle: x\n---\n");
        assert_eq!(fm.unwrap().date, None);
    }

    #[test]
    fn template_tags_stripped() {
        assert_eq!(
            strip_template_tags("a {% include x.html %}b {{ site.baseurl }}c {{< figure src=\"x\" >}}d {{% note %}}e{{% /note %}} f"),
            "a b c d e f"
        );
        assert_eq!(
            strip_template_tags("<img src=\"{{ \"/a.png\" | relative_url }}\"> {# c #}ok"),
            "<img src=\"\"> ok"
        );
        assert_eq!(
            strip_template_tags("x {% comment %} hidden {{ y }} {% endcomment %}y"),
            "x y"
        );
        // Unclosed delimiters and plain braces are kept.
        assert_eq!(
            strip_template_tags("f(x) = {a, b} {{ open"),
            "f(x) = {a, b} {{ open"
        );
        assert_eq!(
            strip_template_tags("<h1>{{A</h1><script>}} x }}</script> {% if a < b %}y"),
            "<h1>{{A</h1><script>}} x }}</script> y"
        );
        assert_eq!(
            strip_template_tags("Vue {{ item.name }} ¿qué? {{ é"),
            "Vue  ¿qué? {{ é"
        );
        assert_eq!(strip_template_tags(""), "");
    }

    #[test]
    fn dates_normalize() {
        let cases = [
            ("2021-09-14", Some("2021-09-14")),
            ("2021-09-14T10:00:00-04:00", Some("2021-09-14")),
            ("2021-09-14T04:00:00.000Z", Some("2021-09-14")),
            ("2021-9-4", Some("2021-09-04")),
            ("September 14, 2021", Some("2021-09-14")),
            ("Sept. 14, 2021", Some("2021-09-14")),
            ("Sep 14th 2021", Some("2021-09-14")),
            ("Tuesday, September 14, 2021", Some("2021-09-14")),
            ("14 September 2021", Some("2021-09-14")),
            ("14 de septiembre de 2021", Some("2021-09-14")),
            ("June 2022", Some("2022-06")),
            ("June, 2022", Some("2022-06")),
            ("2022-06", Some("2022-06")),
            ("2022", Some("2022")),
            ("09/14/2021", Some("2021-09-14")),
            ("14/09/2021", Some("2021-09-14")),
            ("on March 3, 2020 at noon", Some("2020-03-03")),
            ("February 30, 2021", None),
            ("1850-01-01", None),
            ("2101", None),
            ("Maybe 5, 2021", None),
            ("", None),
            ("12345", None),
            ("draft", None),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_date(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn language_subtag() {
        assert_eq!(primary_language_subtag("en-US").as_deref(), Some("en"));
        assert_eq!(primary_language_subtag("ES").as_deref(), Some("es"));
        assert_eq!(primary_language_subtag("english"), None);
        assert_eq!(primary_language_subtag(""), None);
    }
}
