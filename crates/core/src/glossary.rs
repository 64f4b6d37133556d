//! The editable glossary of policy acronyms and synonyms (`config/glossary.toml`): a query
//! that says one form also searches the others, both ways ("ADU" finds "accessory dwelling
//! unit" and the reverse).
//!
//! A multi-word form typed as plain words is found as a run of the query's words and
//! replaced by one alternative group (the phrase, or any other form), so a document that
//! says only "ADU" still counts as having all the words. Acronyms that are also ordinary
//! words (`AMI`, `HOME`, `PILOT`) are listed as capitals-only and match only when typed in
//! capitals. Quoted phrases, `title:` clauses and OR groups are never widened.

use serde::Deserialize;

use crate::error::{CoreError, Result};
use crate::syntax::{ParsedQuery, TextClause};

/// The copy compiled into the program, used when no file is given or found.
pub const BUILTIN: &str = include_str!("../../../config/glossary.toml");

/// Longest form, in words, looked for in a query.
const MAX_FORM_WORDS: usize = 6;

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    term: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    forms: Vec<String>,
    #[serde(default)]
    capitals_only: Vec<String>,
}

#[derive(Debug, Clone)]
struct Form {
    /// Words as matched: lower case, final plural `s` removed (not for capitals-only forms).
    key: Vec<String>,
    /// As written, for the query.
    text: String,
    capitals_only: bool,
}

/// Sets of equivalent forms.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    sets: Vec<Vec<Form>>,
}

fn singular(w: &str) -> String {
    let w = w.to_lowercase();
    match w.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem.to_string(),
        _ => w,
    }
}

/// Words of a form or of a query span, as the glossary compares them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .map(singular)
        .collect()
}

impl Glossary {
    pub fn from_toml_str(s: &str) -> Result<Glossary> {
        let file: File =
            toml::from_str(s).map_err(|e| CoreError::InvalidRequest(format!("glossary: {e}")))?;
        let mut sets = Vec::new();
        for (n, e) in file.term.into_iter().enumerate() {
            let forms: Vec<Form> = e
                .forms
                .iter()
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
                .map(|f| {
                    let capitals_only = e.capitals_only.iter().any(|c| c.trim() == f);
                    Form {
                        key: if capitals_only {
                            vec![f.to_string()]
                        } else {
                            words(f)
                        },
                        text: f.to_string(),
                        capitals_only,
                    }
                })
                .collect();
            if forms.len() < 2 {
                return Err(CoreError::InvalidRequest(format!(
                    "glossary: term {} needs at least two forms",
                    n + 1
                )));
            }
            sets.push(forms);
        }
        Ok(Glossary { sets })
    }

    /// The built-in glossary.
    pub fn builtin() -> Glossary {
        Glossary::from_toml_str(BUILTIN).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The set and form matching `span` (the query's words as typed), if any.
    fn lookup(&self, span: &[&str]) -> Option<(usize, usize)> {
        let key: Vec<String> = span.iter().flat_map(|w| words(w)).collect();
        for (si, set) in self.sets.iter().enumerate() {
            for (fi, form) in set.iter().enumerate() {
                let hit = if form.capitals_only {
                    span.len() == 1 && span[0] == form.text
                } else {
                    form.key == key
                };
                if hit {
                    return Some((si, fi));
                }
            }
        }
        None
    }

    /// Widens `q`: each run of plain single-word groups that spells a form becomes one group
    /// holding that form and every other form of its set.
    pub fn widen(&self, q: &mut ParsedQuery) {
        if self.sets.is_empty() {
            return;
        }
        let plain = |g: &Vec<TextClause>| g.len() == 1 && !g[0].phrase && !g[0].title_only;
        let mut out: Vec<Vec<TextClause>> = Vec::with_capacity(q.groups.len());
        let mut i = 0;
        while i < q.groups.len() {
            let mut matched = None;
            // Longest run first: "community land trust" before "community".
            let max = MAX_FORM_WORDS.min(q.groups.len() - i);
            for len in (1..=max).rev() {
                let run = &q.groups[i..i + len];
                if !run.iter().all(plain) {
                    continue;
                }
                let span: Vec<&str> = run.iter().map(|g| g[0].text.as_str()).collect();
                if let Some(found) = self.lookup(&span) {
                    matched = Some((len, span.join(" "), found));
                    break;
                }
            }
            match matched {
                Some((len, typed, (si, fi))) => {
                    let mut group = vec![TextClause {
                        phrase: len > 1,
                        text: typed,
                        title_only: false,
                    }];
                    for (j, form) in self.sets[si].iter().enumerate() {
                        if j != fi {
                            group.push(TextClause {
                                phrase: form.text.contains([' ', '-']),
                                text: form.text.clone(),
                                title_only: false,
                            });
                        }
                    }
                    out.push(group);
                    i += len;
                }
                None => {
                    out.push(q.groups[i].clone());
                    i += 1;
                }
            }
        }
        q.groups = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn widened(q: &str) -> Vec<Vec<String>> {
        let mut p = parse(q);
        Glossary::builtin().widen(&mut p);
        p.groups
            .iter()
            .map(|g| g.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    #[test]
    fn builtin_glossary_loads() {
        let g = Glossary::builtin();
        assert!(g.len() >= 30, "{}", g.len());
    }

    #[test]
    fn acronyms_and_phrases_find_each_other() {
        let g = widened("ADU permits");
        assert!(
            g[0].contains(&"accessory dwelling unit".to_string()),
            "{g:?}"
        );
        assert_eq!(g[1], ["permits"]);
        // The plural phrase, typed as words, becomes one group with the acronym.
        let g = widened("accessory dwelling units in Portland");
        assert_eq!(g[0][0], "accessory dwelling units", "{g:?}");
        assert!(g[0].contains(&"ADU".to_string()), "{g:?}");
        assert_eq!(g.len(), 3, "{g:?}");
        let g = widened("community land trusts");
        assert!(g[0].contains(&"CLT".to_string()), "{g:?}");
    }

    #[test]
    fn collisions_need_capitals_and_quotes_are_left_alone() {
        assert_eq!(widened("home repair"), [["home"], ["repair"]]);
        assert!(widened("HOME funds")[0].len() > 1);
        assert_eq!(widened("pilot program"), [["pilot"], ["program"]]);
        assert!(widened("PILOT agreements")[0].contains(&"payment in lieu of taxes".to_string()));
        assert_eq!(widened("ami"), [["ami"]]);
        assert_eq!(widened("\"ADU\""), [["ADU"]]);
        assert_eq!(widened("title:ADU"), [["ADU"]]);
    }

    #[test]
    fn a_form_set_needs_two_forms() {
        assert!(Glossary::from_toml_str("[[term]]\nforms = [\"ADU\"]\n").is_err());
        assert!(Glossary::from_toml_str("nonsense = [").is_err());
        assert!(Glossary::from_toml_str("")
            .expect("empty is fine")
            .is_empty());
    }
}
