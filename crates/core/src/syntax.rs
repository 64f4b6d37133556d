//! The query language users type, read into a [`ParsedQuery`] before any tantivy query is
//! built: plain words, `"quoted phrases"`, `-exclusions` (also `NOT x`), `a OR b`, and the
//! fields `title:`, `topic:`, `type:`, `year:`, `lang:`.
//!
//! Reading never fails. Whatever is not valid syntax (an unknown field, an unclosed quote,
//! a stray parenthesis, a bad year) is read as plain words, so nothing a user typed is
//! silently dropped and no input produces an error.

/// A piece of text to match: one word (which the analyzer may still split, e.g. `covid-19`)
/// or a phrase whose words must appear in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextClause {
    pub text: String,
    pub phrase: bool,
    /// `title:` — match only the title.
    pub title_only: bool,
}

/// A query as the user meant it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Each group is a disjunction (`a OR b`); a plain word is a group of one. Documents
    /// that satisfy every group rank before those that satisfy only some.
    pub groups: Vec<Vec<TextClause>>,
    /// Text that must not appear.
    pub excluded: Vec<TextClause>,
    /// `topic:` values; a document must be under each.
    pub topics: Vec<String>,
    /// `type:` values; a document must have one of them.
    pub types: Vec<String>,
    /// `lang:` values; a document must be in one of them.
    pub languages: Vec<String>,
    /// `year:` ranges (inclusive); a document must fall in each.
    pub years: Vec<(u64, u64)>,
}

impl ParsedQuery {
    /// True when the query has nothing to match text against (empty, or only filters and
    /// exclusions): results are then listed newest first.
    pub fn is_browse(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every positive clause, for highlighting and passage search.
    pub fn positive_clauses(&self) -> impl Iterator<Item = &TextClause> {
        self.groups.iter().flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(String),
    Field(String, String, bool),
    Or,
    Not,
}

/// Longest query text read; the rest is ignored so a pasted book cannot cost unbounded work.
pub const MAX_QUERY_CHARS: usize = 20_000;

/// Reads what the user typed.
pub fn parse(input: &str) -> ParsedQuery {
    let input: String = input
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let tokens = tokenize(&input);
    let mut q = ParsedQuery::default();
    let mut negate_next = false;
    let mut join_next = false;
    for tok in tokens {
        match tok {
            Token::Or => {
                // `OR` at the start, or twice in a row, joins nothing: ignore it.
                join_next = !q.groups.is_empty();
                negate_next = false;
            }
            Token::Not => negate_next = true,
            Token::Field(field, value, quoted) => {
                let negated = std::mem::take(&mut negate_next);
                let joined = std::mem::take(&mut join_next);
                if !apply_field(&mut q, &field, &value, quoted, negated, joined) {
                    // Unknown field or bad value: the words themselves.
                    for w in [field, value] {
                        push_clause(&mut q, word(w), negated, false);
                    }
                }
            }
            Token::Word(w) => {
                let negated = std::mem::take(&mut negate_next);
                let joined = std::mem::take(&mut join_next);
                push_clause(&mut q, word(w), negated, joined);
            }
            Token::Phrase(p) => {
                let negated = std::mem::take(&mut negate_next);
                let joined = std::mem::take(&mut join_next);
                push_clause(
                    &mut q,
                    TextClause {
                        text: p,
                        phrase: true,
                        title_only: false,
                    },
                    negated,
                    joined,
                );
            }
        }
    }
    q
}

fn word(text: String) -> TextClause {
    TextClause {
        text,
        phrase: false,
        title_only: false,
    }
}

fn push_clause(q: &mut ParsedQuery, c: TextClause, negated: bool, joined: bool) {
    if c.text.trim().is_empty() {
        return;
    }
    if negated {
        q.excluded.push(c);
    } else if joined {
        match q.groups.last_mut() {
            Some(g) => g.push(c),
            None => q.groups.push(vec![c]),
        }
    } else {
        q.groups.push(vec![c]);
    }
}

/// Applies a `field:value` token; false when the field is unknown or the value unusable.
fn apply_field(
    q: &mut ParsedQuery,
    field: &str,
    value: &str,
    quoted: bool,
    negated: bool,
    joined: bool,
) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    match field.to_lowercase().as_str() {
        "title" => {
            let c = TextClause {
                text: value.to_string(),
                phrase: quoted,
                title_only: true,
            };
            push_clause(q, c, negated, joined);
            true
        }
        // Negated filters are rare and their meaning ("not this topic") is easy to get wrong
        // for multi-topic documents; read them as words instead.
        _ if negated => false,
        "topic" | "topics" => {
            q.topics.push(value.trim_matches('/').to_lowercase());
            true
        }
        "type" => {
            q.types.push(value.to_lowercase());
            true
        }
        "lang" | "language" => {
            q.languages.push(value.to_lowercase());
            true
        }
        "year" => match parse_years(value) {
            Some(r) => {
                q.years.push(r);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// `2020`, `2018..2022`, `2018-2022`, `>=2020`, `<2015`.
fn parse_years(v: &str) -> Option<(u64, u64)> {
    let year = |s: &str| -> Option<u64> {
        let s = s.trim();
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some(rest) = v.strip_prefix(">=") {
        return Some((year(rest)?, 9999));
    }
    if let Some(rest) = v.strip_prefix('>') {
        // `>9999` would be the empty range 10000..=9999: read it as words, like `<0000`.
        let from = year(rest)? + 1;
        return (from <= 9999).then_some((from, 9999));
    }
    if let Some(rest) = v.strip_prefix("<=") {
        return Some((0, year(rest)?));
    }
    if let Some(rest) = v.strip_prefix('<') {
        return Some((0, year(rest)?.checked_sub(1)?));
    }
    for sep in ["..", "-", "–"] {
        if let Some((a, b)) = v.split_once(sep) {
            let (a, b) = (year(a)?, year(b)?);
            return (a <= b).then_some((a, b));
        }
    }
    year(v).map(|y| (y, y))
}

const FIELDS: [&str; 7] = [
    "title", "topic", "topics", "type", "year", "lang", "language",
];

fn tokenize(s: &str) -> Vec<Token> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '(' || c == ')' {
            i += 1;
            continue;
        }
        if c == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() && chars[i + 1] != '-' {
            out.push(Token::Not);
            i += 1;
            continue;
        }
        if c == '"' || c == '“' || c == '”' {
            let start = i + 1;
            let end = (start..chars.len()).find(|&j| matches!(chars[j], '"' | '“' | '”'));
            match end {
                Some(e) => {
                    let text: String = chars[start..e].iter().collect();
                    if !text.trim().is_empty() {
                        out.push(Token::Phrase(text));
                    }
                    i = e + 1;
                }
                // An unclosed quote: the rest is plain words.
                None => i = start,
            }
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '"' | '(' | ')') {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        match raw.as_str() {
            "OR" | "|" | "||" => {
                out.push(Token::Or);
                continue;
            }
            "AND" | "&&" | "+" => continue,
            // Dashes alone are punctuation, not exclusions of nothing.
            _ if raw.chars().all(|c| c == '-') => continue,
            "NOT" => {
                out.push(Token::Not);
                continue;
            }
            _ => {}
        }
        let raw = raw.strip_prefix('+').unwrap_or(&raw).to_string();
        if let Some((field, value)) = raw.split_once(':') {
            if FIELDS.contains(&field.to_lowercase().as_str()) {
                if value.is_empty() && i < chars.len() && chars[i] == '"' {
                    let vstart = i + 1;
                    if let Some(e) = (vstart..chars.len()).find(|&j| chars[j] == '"') {
                        let v: String = chars[vstart..e].iter().collect();
                        out.push(Token::Field(field.to_string(), v, true));
                        i = e + 1;
                        continue;
                    }
                }
                out.push(Token::Field(field.to_string(), value.to_string(), false));
                continue;
            }
        }
        if !raw.is_empty() {
            out.push(Token::Word(raw));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &ParsedQuery) -> Vec<Vec<String>> {
        q.groups
            .iter()
            .map(|g| g.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    #[test]
    fn plain_words_are_one_group_each() {
        let q = parse("water shutoffs");
        assert_eq!(words(&q), [["water"], ["shutoffs"]]);
        assert!(q.excluded.is_empty());
    }

    #[test]
    fn phrases_exclusions_and_or() {
        let q = parse(r#""lead service lines" -florida housing OR homes NOT rent"#);
        assert_eq!(
            words(&q),
            vec![vec!["lead service lines"], vec!["housing", "homes"]]
        );
        assert!(q.groups[0][0].phrase);
        let ex: Vec<_> = q.excluded.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(ex, ["florida", "rent"]);
    }

    #[test]
    fn fields_become_filters() {
        let q = parse("topic:water type:report year:2018..2021 lang:ES title:heat shutoffs");
        assert_eq!(q.topics, ["water"]);
        assert_eq!(q.types, ["report"]);
        assert_eq!(q.languages, ["es"]);
        assert_eq!(q.years, [(2018, 2021)]);
        assert_eq!(words(&q), [["heat"], ["shutoffs"]]);
        assert!(q.groups[0][0].title_only);
        let q = parse(r#"title:"climate action" year:>=2020"#);
        assert!(q.groups[0][0].phrase && q.groups[0][0].title_only);
        assert_eq!(q.years, [(2020, 9999)]);
    }

    #[test]
    fn malformed_syntax_falls_back_to_words() {
        let q = parse(r#"foo:bar year:soon "unclosed quote ((( OR -"#);
        assert_eq!(
            words(&q),
            [["foo:bar"], ["year"], ["soon"], ["unclosed"], ["quote"]]
        );
        assert!(q.excluded.is_empty());
        assert!(parse("OR OR -").is_browse());
        assert!(parse("").is_browse());
        assert!(parse("topic:water").is_browse());
    }

    /// Found by `tests/fuzz_query.rs`: `year:>9999` gave the inverted range 10000..=9999.
    #[test]
    fn open_year_ranges_past_the_ends_are_words() {
        assert!(parse("year:>9999").years.is_empty());
        assert!(parse("year:<0000").years.is_empty());
        assert_eq!(parse("year:>9998").years, [(9999, 9999)]);
        assert_eq!(words(&parse("year:>9999")), [["year"], [">9999"]]);
    }

    #[test]
    fn hyphenated_words_are_not_exclusions() {
        let q = parse("covid-19 e-bikes -- x");
        assert_eq!(words(&q), [["covid-19"], ["e-bikes"], ["x"]]);
    }

    #[test]
    fn control_characters_and_huge_input_are_tolerated() {
        let q = parse("water\u{0}\u{7}shutoffs");
        assert_eq!(words(&q), [["water"], ["shutoffs"]]);
        let long = "policy ".repeat(10_000);
        assert!(parse(&long).groups.len() <= MAX_QUERY_CHARS / 7 + 1);
    }
}
