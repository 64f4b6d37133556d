//! Topic tagging: assigns the facet topics people filter on ("water", "housing/adu", ...) from a
//! taxonomy of weighted phrases kept in `config/topics.toml`, so editors can change it without
//! recompiling. [`Taxonomy::fingerprint`] hashes the taxonomy text: store it with each tagged
//! document and re-tag documents whose fingerprint differs from the current one.
//!
//! # Matching
//!
//! Title and body text are normalized the same way as the phrases: lowercased, accents and PDF
//! ligatures folded (`política` = `politica`, `ﬂood` = `flood`), words hyphenated across a line
//! break rejoined (`transpor-\ntation`), apostrophes dropped (`mayor's` = `mayors`), every other
//! non-alphanumeric character treated as a word break, and plurals folded (`rates` = `rate`,
//! `cities` = `city`). A phrase matches a run of whole words, across any whitespace or
//! punctuation, so `parking` never matches inside `sparking`. A word ending in `*` in a phrase is a
//! prefix (`evict*` matches `eviction`, `evicted`). All phrases are found in one pass over the words
//! (a hash lookup of each word, then a comparison of the few phrases starting with it), and
//! overlapping phrases all count: `drinking water` counts for both `drinking water` and `water`.
//! Phrases never span two sections.
//!
//! # Scoring
//!
//! For every node `n` (a topic, or a subtopic), with phrases `P(n)` (a topic's phrases include
//! those of its subtopics), weights `w_p`, sign `s_p` (+1, or −1 for `negative` phrases):
//!
//! ```text
//! K        = (L + L0) / 1000
//! body(n)  = Σ_{p ∈ P(n)} s_p · w_p · min(c_p, D · K)^α     c_p = matches of p in the sections
//! title(n) = Σ_{p ∈ P(n), p in the title} s_p · w_p          (each phrase once)
//! score(n) = max(0, body(n) / K^α  +  T · title(n))
//! ```
//!
//! with `L` the number of words in the sections and, from `[settings]`, `L0 = length_prior_words`,
//! `α = count_exponent`, `D = max_phrase_density`, `T = title_weight`. Since
//! `c^α / K^α = (c per 1000 words)^α`, the body part is a sum of damped phrase *densities*: a
//! 260-page plan that mentions water 40 times scores far lower than a 2-page brief that mentions it
//! 10 times, and a text repeated twice scores the same. `α < 1` makes many different phrases of a
//! topic count for more than one phrase repeated; `D` stops one phrase from swamping everything
//! (a phrase counts at most `D` times per 1000 words); `L0` keeps a 30-word snippet with one
//! mention from looking dense. The title part is not length-normalized, so a title phrase counts
//! the same in a memo and in a 260-page plan.
//!
//! Assignment: topics with `score ≥ threshold` and `score ≥ relative_cutoff × best score`,
//! strongest first (ties in file order), at most `max_topics`. When no topic reaches `threshold`
//! (short or image-only documents), `fallback_threshold` stands in for it. A subtopic is assigned
//! only under an assigned topic, when its own score reaches `subtopic_threshold`, at most
//! `max_subtopics` per topic.
//!
//! A topic may also list document `types` (see `doctype.rs`) whose documents always get it
//! ([`Taxonomy::apply_type`]): the shipped file gives every meeting record and budget
//! `governance`. With the shipped file, `polsearch eval-labels` on the 136 hand-labeled corpus
//! documents measures topic micro-F1 0.83 (P 0.82, R 0.84) through the real pipeline
//! (BENCHMARKS.md).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The taxonomy shipped with the program.
const BUILTIN_TOML: &str = include_str!("../../../config/topics.toml");

/// Errors loading or validating a taxonomy.
#[derive(Debug, thiserror::Error)]
pub enum TopicsError {
    #[error("cannot read topic taxonomy {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("topic taxonomy is not valid: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("topic taxonomy defines no topics")]
    NoTopics,
    #[error("topic slug {slug:?} is not lowercase letters, digits and '-'")]
    BadSlug { slug: String },
    #[error("topic {path:?} is defined twice")]
    DuplicateSlug { path: String },
    #[error("topic {path:?} has an empty label")]
    EmptyLabel { path: String },
    #[error("topic {path:?}: phrase {phrase:?} has no words")]
    EmptyPhrase { path: String, phrase: String },
    #[error(
        "topic {path:?}: phrase {phrase:?} has weight {weight}; weights must be finite and > 0"
    )]
    BadWeight {
        path: String,
        phrase: String,
        weight: f32,
    },
    #[error(
        "topic {topic:?}: phrase {phrase:?} is listed more than once in the topic or its subtopics"
    )]
    DuplicatePhrase { topic: String, phrase: String },
    #[error("setting {name}: {reason}")]
    BadSetting { name: &'static str, reason: String },
}

// ---------------------------------------------------------------------------------------------
// File format
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    settings: Settings,
    #[serde(default, rename = "topic")]
    topics: Vec<RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    slug: String,
    label: String,
    #[serde(default)]
    phrases: BTreeMap<String, f32>,
    #[serde(default)]
    negative: BTreeMap<String, f32>,
    /// Document types (see `doctype.rs`) that always get this topic.
    #[serde(default)]
    types: Vec<String>,
    #[serde(default, rename = "sub")]
    subs: Vec<RawSub>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSub {
    slug: String,
    label: String,
    #[serde(default)]
    phrases: BTreeMap<String, f32>,
    #[serde(default)]
    negative: BTreeMap<String, f32>,
}

/// The `[settings]` knobs; see the module documentation for the formula.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    threshold: f32,
    title_weight: f32,
    length_prior_words: f32,
    count_exponent: f32,
    relative_cutoff: f32,
    max_topics: usize,
    max_phrase_density: f32,
    fallback_threshold: f32,
    subtopic_threshold: f32,
    max_subtopics: usize,
}

impl Default for Settings {
    fn default() -> Self {
        // The values shipped in config/topics.toml.
        Settings {
            threshold: 10.0,
            title_weight: 3.0,
            length_prior_words: 1000.0,
            count_exponent: 0.7,
            relative_cutoff: 0.25,
            max_topics: 4,
            max_phrase_density: 8.0,
            fallback_threshold: 2.0,
            subtopic_threshold: 5.0,
            max_subtopics: 3,
        }
    }
}

impl Settings {
    fn validate(&self) -> Result<(), TopicsError> {
        fn bad(name: &'static str, reason: &str) -> Result<(), TopicsError> {
            Err(TopicsError::BadSetting {
                name,
                reason: reason.to_string(),
            })
        }
        let positive = [
            ("threshold", self.threshold),
            ("length_prior_words", self.length_prior_words),
            ("subtopic_threshold", self.subtopic_threshold),
            ("max_phrase_density", self.max_phrase_density),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return bad(name, "must be a number > 0");
            }
        }
        if !(self.title_weight.is_finite() && self.title_weight >= 0.0) {
            return bad("title_weight", "must be a number >= 0");
        }
        if !(self.count_exponent > 0.0 && self.count_exponent <= 1.0) {
            return bad("count_exponent", "must be in (0, 1]");
        }
        if !(0.0..=1.0).contains(&self.relative_cutoff) {
            return bad("relative_cutoff", "must be in [0, 1]");
        }
        if !(self.fallback_threshold.is_finite()
            && self.fallback_threshold >= 0.0
            && self.fallback_threshold <= self.threshold)
        {
            return bad("fallback_threshold", "must be in [0, threshold]");
        }
        if self.max_topics == 0 {
            return bad("max_topics", "must be >= 1");
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled taxonomy
// ---------------------------------------------------------------------------------------------

/// One word of a phrase: exact (after normalization) or a prefix (`evict*`).
#[derive(Debug, Clone)]
struct Word {
    text: String,
    prefix: bool,
}

impl Word {
    fn matches(&self, token: &str) -> bool {
        if self.prefix {
            token.starts_with(&self.text)
        } else {
            token == self.text
        }
    }
}

#[derive(Debug, Clone)]
struct Phrase {
    /// The phrase as written in the taxonomy (lowercased), as reported in [`TopicTags::fired`].
    display: String,
    words: Vec<Word>,
}

#[derive(Debug, Clone)]
struct Node {
    /// `slug` or `parent/child`.
    path: String,
    label: String,
    /// Subtopic node indices (empty for subtopics).
    children: Vec<usize>,
    /// Phrases of this node itself: (phrase index, signed weight).
    own: Vec<(usize, f32)>,
    /// Phrases that score this node: `own` plus, for a topic, its subtopics' phrases.
    scoring: Vec<(usize, f32)>,
}

/// A compiled topic taxonomy; build with [`Taxonomy::builtin`], [`Taxonomy::load`] or
/// [`Taxonomy::from_toml_str`], then call [`Taxonomy::tag`] per document.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    settings: Settings,
    nodes: Vec<Node>,
    /// Indices of top-level nodes, in file order.
    top: Vec<usize>,
    phrases: Vec<Phrase>,
    /// Phrases by exact first word.
    by_first: HashMap<String, Vec<usize>>,
    /// Phrases whose first word is a prefix, by that prefix.
    by_prefix: HashMap<String, Vec<usize>>,
    /// Distinct prefix lengths (bytes) present in `by_prefix`, ascending.
    prefix_lens: Vec<usize>,
    /// Document type → top-level slugs that documents of that type always get.
    by_type: BTreeMap<String, Vec<String>>,
    fingerprint: String,
}

/// The topics assigned to one document, with the evidence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicTags {
    /// Assigned top-level slugs, strongest first.
    pub topics: Vec<String>,
    /// Assigned `parent/child` paths, grouped by parent in `topics` order, strongest first.
    pub subtopics: Vec<String>,
    /// Every top-level slug with a non-zero score, and its score.
    pub scores: BTreeMap<String, f32>,
    /// For each topic or subtopic (`slug` or `parent/child`) with a matching phrase of its own:
    /// (phrase, matches in title and sections), most frequent first. Negative phrases appear
    /// with a leading `-`. A topic's score also counts its subtopics' phrases, listed under the
    /// subtopic's key.
    pub fired: BTreeMap<String, Vec<(String, u32)>>,
}

impl Taxonomy {
    /// Parses and validates a taxonomy in the `config/topics.toml` format.
    pub fn from_toml_str(s: &str) -> Result<Taxonomy, TopicsError> {
        let raw: RawFile = toml::from_str(s)?;
        raw.settings.validate()?;
        if raw.topics.is_empty() {
            return Err(TopicsError::NoTopics);
        }
        let mut b = Builder::default();
        let mut top = Vec::with_capacity(raw.topics.len());
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in &raw.topics {
            for ty in &t.types {
                by_type
                    .entry(ty.trim().to_string())
                    .or_default()
                    .push(t.slug.clone());
            }
            check_slug(&t.slug)?;
            let ti = b.node(t.slug.clone(), &t.label)?;
            top.push(ti);
            b.terms(ti, &t.phrases, &t.negative)?;
            for s in &t.subs {
                check_slug(&s.slug)?;
                let si = b.node(format!("{}/{}", t.slug, s.slug), &s.label)?;
                b.nodes[ti].children.push(si);
                b.terms(si, &s.phrases, &s.negative)?;
            }
            // Roll subtopic phrases up into the topic; one phrase may score a topic only once.
            let mut scoring = b.nodes[ti].own.clone();
            for &si in &b.nodes[ti].children {
                scoring.extend(b.nodes[si].own.iter().copied());
            }
            let mut seen: Vec<usize> = scoring.iter().map(|&(p, _)| p).collect();
            seen.sort_unstable();
            if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
                return Err(TopicsError::DuplicatePhrase {
                    topic: t.slug.clone(),
                    phrase: b.phrases[w[0]].display.clone(),
                });
            }
            b.nodes[ti].scoring = scoring;
        }
        let Builder {
            mut nodes, phrases, ..
        } = b;
        for n in nodes.iter_mut() {
            if n.children.is_empty() && n.scoring.is_empty() {
                n.scoring = n.own.clone();
            }
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in phrases.iter().enumerate() {
            // `Builder::phrase` guarantees at least one word.
            let Some(first) = p.words.first() else {
                continue;
            };
            let map = if first.prefix {
                &mut by_prefix
            } else {
                &mut by_first
            };
            map.entry(first.text.clone()).or_default().push(i);
        }
        let mut prefix_lens: Vec<usize> = by_prefix.keys().map(String::len).collect();
        prefix_lens.sort_unstable();
        prefix_lens.dedup();
        Ok(Taxonomy {
            settings: raw.settings,
            nodes,
            top,
            phrases,
            by_first,
            by_prefix,
            prefix_lens,
            by_type,
            fingerprint: blake3::hash(s.as_bytes()).to_hex().to_string(),
        })
    }

    /// Reads and parses a taxonomy file.
    pub fn load(path: &Path) -> Result<Taxonomy, TopicsError> {
        let text = std::fs::read_to_string(path).map_err(|source| TopicsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Taxonomy::from_toml_str(&text)
    }

    /// The taxonomy compiled into the program (`config/topics.toml`; a unit test checks it parses).
    pub fn builtin() -> Taxonomy {
        match Taxonomy::from_toml_str(BUILTIN_TOML) {
            Ok(t) => t,
            Err(e) => panic!("built-in config/topics.toml is invalid: {e}"),
        }
    }

    /// Hex BLAKE3 of the taxonomy source text: documents tagged with a different fingerprint are
    /// re-tagged.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// `(slug, label)` of the top-level topics, in file order.
    pub fn top_level(&self) -> Vec<(String, String)> {
        self.top
            .iter()
            .map(|&i| (self.nodes[i].path.clone(), self.nodes[i].label.clone()))
            .collect()
    }

    /// `(parent/child, label)` of every subtopic, in file order.
    pub fn subtopics(&self) -> Vec<(String, String)> {
        self.top
            .iter()
            .flat_map(|&t| self.nodes[t].children.iter())
            .map(|&i| (self.nodes[i].path.clone(), self.nodes[i].label.clone()))
            .collect()
    }

    /// Tags one document from its title and its text sections (pages, chapters, ...).
    pub fn tag(&self, title: &str, sections: &[&str]) -> TopicTags {
        let mut body = vec![0u32; self.phrases.len()];
        let mut in_title = vec![0u32; self.phrases.len()];
        let mut tokens = Tokens::default();
        let mut words = 0usize;
        for s in sections {
            tokens.fill(s, true);
            words += tokens.len();
            self.count(&tokens, &mut body);
        }
        tokens.fill(title, true);
        self.count(&tokens, &mut in_title);

        let st = &self.settings;
        let alpha = st.count_exponent;
        let kwords = (words as f32 + st.length_prior_words) / 1000.0;
        let norm = kwords.powf(alpha);
        let max_count = st.max_phrase_density * kwords;
        let score = |node: &Node| -> f32 {
            let mut b = 0.0f32;
            let mut t = 0.0f32;
            for &(p, w) in &node.scoring {
                if body[p] > 0 {
                    b += w * (body[p] as f32).min(max_count).powf(alpha);
                }
                if in_title[p] > 0 {
                    t += w;
                }
            }
            (b / norm + st.title_weight * t).max(0.0)
        };

        let mut out = TopicTags::default();
        let mut ranked: Vec<(usize, f32)> = Vec::new();
        for &ti in &self.top {
            let s = score(&self.nodes[ti]);
            if s > 0.0 {
                out.scores.insert(self.nodes[ti].path.clone(), s);
                ranked.push((ti, s));
            }
        }
        // Strongest first; ties keep file order (stable sort).
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let best = ranked.first().map_or(0.0, |r| r.1);
        // Weak evidence everywhere (little text): the fallback threshold stands in for threshold.
        let bar = if best >= st.threshold {
            st.threshold
        } else {
            st.fallback_threshold
        };
        let chosen: Vec<usize> = ranked
            .iter()
            .filter(|&&(_, s)| s > 0.0 && s >= bar && s >= st.relative_cutoff * best)
            .map(|&(i, _)| i)
            .take(st.max_topics)
            .collect();
        for &ti in &chosen {
            out.topics.push(self.nodes[ti].path.clone());
            let mut subs: Vec<(usize, f32)> = self.nodes[ti]
                .children
                .iter()
                .map(|&si| (si, score(&self.nodes[si])))
                .filter(|&(_, s)| s >= st.subtopic_threshold)
                .collect();
            subs.sort_by(|a, b| b.1.total_cmp(&a.1));
            out.subtopics.extend(
                subs.iter()
                    .take(st.max_subtopics)
                    .map(|&(si, _)| self.nodes[si].path.clone()),
            );
        }

        for node in &self.nodes {
            let mut hits: Vec<(String, u32)> = node
                .own
                .iter()
                .filter_map(|&(p, w)| {
                    let n = body[p] + in_title[p];
                    (n > 0).then(|| {
                        let d = &self.phrases[p].display;
                        (if w < 0.0 { format!("-{d}") } else { d.clone() }, n)
                    })
                })
                .collect();
            if !hits.is_empty() {
                hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                out.fired.insert(node.path.clone(), hits);
            }
        }
        out
    }

    /// Adds the topics the taxonomy gives every document of type `doc_type` (a topic's
    /// `types` list) to `tags`, after the topics its text earned, keeping at most `max_topics`;
    /// the reason shows in `fired` as `(type: ...)`.
    pub fn apply_type(&self, tags: &mut TopicTags, doc_type: &str) {
        let Some(slugs) = self.by_type.get(doc_type) else {
            return;
        };
        for slug in slugs {
            if tags.topics.iter().any(|t| t == slug) {
                continue;
            }
            if tags.topics.len() >= self.settings.max_topics {
                if let Some(dropped) = tags.topics.pop() {
                    let prefix = format!("{dropped}/");
                    tags.subtopics.retain(|s| !s.starts_with(&prefix));
                }
            }
            tags.topics.push(slug.clone());
            tags.fired
                .entry(slug.clone())
                .or_default()
                .insert(0, (format!("(type: {doc_type})"), 1));
        }
    }

    /// Adds the matches of every phrase in `tokens` to `counts` (indexed by phrase).
    fn count(&self, tokens: &Tokens, counts: &mut [u32]) {
        let n = tokens.len();
        for i in 0..n {
            let tok = tokens.get(i);
            if let Some(cands) = self.by_first.get(tok) {
                for &p in cands {
                    if self.rest_matches(p, tokens, i) {
                        counts[p] += 1;
                    }
                }
            }
            for &len in &self.prefix_lens {
                if len > tok.len() {
                    break;
                }
                if !tok.is_char_boundary(len) {
                    continue;
                }
                if let Some(cands) = self.by_prefix.get(&tok[..len]) {
                    for &p in cands {
                        if self.rest_matches(p, tokens, i) {
                            counts[p] += 1;
                        }
                    }
                }
            }
        }
    }

    /// Whether words 2.. of phrase `p` match the tokens after position `i`.
    fn rest_matches(&self, p: usize, tokens: &Tokens, i: usize) -> bool {
        let words = &self.phrases[p].words;
        if i + words.len() > tokens.len() {
            return false;
        }
        words
            .iter()
            .enumerate()
            .skip(1)
            .all(|(k, w)| w.matches(tokens.get(i + k)))
    }
}

fn check_slug(slug: &str) -> Result<(), TopicsError> {
    let ok = !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(TopicsError::BadSlug {
            slug: slug.to_string(),
        })
    }
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    phrases: Vec<Phrase>,
    phrase_ids: HashMap<String, usize>,
}

impl Builder {
    fn node(&mut self, path: String, label: &str) -> Result<usize, TopicsError> {
        if self.nodes.iter().any(|n| n.path == path) {
            return Err(TopicsError::DuplicateSlug { path });
        }
        if label.trim().is_empty() {
            return Err(TopicsError::EmptyLabel { path });
        }
        self.nodes.push(Node {
            path,
            label: label.trim().to_string(),
            children: Vec::new(),
            own: Vec::new(),
            scoring: Vec::new(),
        });
        Ok(self.nodes.len() - 1)
    }

    fn terms(
        &mut self,
        node: usize,
        phrases: &BTreeMap<String, f32>,
        negative: &BTreeMap<String, f32>,
    ) -> Result<(), TopicsError> {
        for (list, sign) in [(phrases, 1.0f32), (negative, -1.0f32)] {
            for (text, &weight) in list {
                if !(weight.is_finite() && weight > 0.0) {
                    return Err(TopicsError::BadWeight {
                        path: self.nodes[node].path.clone(),
                        phrase: text.clone(),
                        weight,
                    });
                }
                let p = self.phrase(node, text)?;
                if self.nodes[node].own.iter().any(|&(q, _)| q == p) {
                    return Err(TopicsError::DuplicatePhrase {
                        topic: self.nodes[node].path.clone(),
                        phrase: text.clone(),
                    });
                }
                self.nodes[node].own.push((p, sign * weight));
            }
        }
        Ok(())
    }

    /// Normalizes a phrase as written in the file and returns its index.
    fn phrase(&mut self, node: usize, text: &str) -> Result<usize, TopicsError> {
        let mut words = Vec::new();
        let mut tokens = Tokens::default();
        for part in text.split_whitespace() {
            let (part, prefix) = match part.strip_suffix('*') {
                Some(p) => (p, true),
                None => (part, false),
            };
            // A prefix is matched against plural-folded words, so it is not folded itself.
            tokens.fill(part, !prefix);
            let n = tokens.len();
            for k in 0..n {
                words.push(Word {
                    text: tokens.get(k).to_string(),
                    prefix: prefix && k + 1 == n,
                });
            }
        }
        if words.is_empty() {
            return Err(TopicsError::EmptyPhrase {
                path: self.nodes[node].path.clone(),
                phrase: text.to_string(),
            });
        }
        // Phrases that normalize to the same words are one phrase.
        let key = words
            .iter()
            .map(|w| {
                if w.prefix {
                    format!("{}*", w.text)
                } else {
                    w.text.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(&i) = self.phrase_ids.get(&key) {
            return Ok(i);
        }
        self.phrases.push(Phrase {
            display: text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
            words,
        });
        let i = self.phrases.len() - 1;
        self.phrase_ids.insert(key, i);
        Ok(i)
    }
}

// ---------------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------------

/// Normalized words of a text, stored in one buffer.
#[derive(Default)]
struct Tokens {
    buf: String,
    spans: Vec<(usize, usize)>,
}

impl Tokens {
    fn len(&self) -> usize {
        self.spans.len()
    }

    fn get(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.buf[a..b]
    }

    /// Replaces the contents with the normalized words of `text` (see the module docs).
    fn fill(&mut self, text: &str, fold_plurals: bool) {
        self.buf.clear();
        self.spans.clear();
        let mut start: Option<usize> = None;
        let mut pos = 0;
        while let Some(c) = text[pos..].chars().next() {
            pos += c.len_utf8();
            match c {
                // Soft hyphen: invisible, joins.
                '\u{ad}' => continue,
                // Apostrophe inside a word: dropped ("mayor's" -> "mayors").
                '\'' | '\u{2019}' | '\u{02bc}' if start.is_some() => continue,
                // A hyphen ending a line inside a word: rejoin "transpor-\ntation".
                '-' | '\u{2010}' if start.is_some() => {
                    if let Some(skip) = line_break_hyphen(&text[pos..]) {
                        pos += skip;
                        continue;
                    }
                }
                _ => {}
            }
            let before = self.buf.len();
            if push_folded(c, &mut self.buf) {
                start.get_or_insert(before);
            } else if let Some(s) = start.take() {
                self.end_word(s, fold_plurals);
            }
        }
        if let Some(s) = start {
            self.end_word(s, fold_plurals);
        }
    }

    fn end_word(&mut self, start: usize, fold_plurals: bool) {
        if fold_plurals {
            fold_plural(&mut self.buf, start);
        }
        self.spans.push((start, self.buf.len()));
    }
}

/// If `rest` (the text after a hyphen) is a line break followed by a lowercase letter, the number
/// of bytes to skip to reach that letter.
fn line_break_hyphen(rest: &str) -> Option<usize> {
    let mut newline = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\n' if !newline => newline = true,
            ' ' | '\t' | '\r' | '\u{c}' => {}
            c if newline && c.is_lowercase() => return Some(i),
            _ => return None,
        }
    }
    None
}

/// English plural folding on the word `buf[start..]`: "cities" -> "city", "rates" -> "rate".
/// Leaves "ss", "us", "is" endings, short words and numbers alone.
fn fold_plural(buf: &mut String, start: usize) {
    let w = &buf[start..];
    let n = w.len();
    if w.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return;
    }
    if n > 4 && w.ends_with("ies") {
        buf.truncate(start + n - 3);
        buf.push('y');
    } else if n > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        buf.truncate(start + n - 1);
    }
}

/// Appends the lowercased, accent-folded form of `c` to `buf` if it is a word character and
/// returns true; returns false (appending nothing) for separators.
fn push_folded(c: char, buf: &mut String) -> bool {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            buf.push(c.to_ascii_lowercase());
            return true;
        }
        return false;
    }
    if let Some(s) = fold_special(c) {
        buf.push_str(s);
        return true;
    }
    if !c.is_alphanumeric() {
        return false;
    }
    for l in c.to_lowercase() {
        match fold_special(l) {
            Some(s) => buf.push_str(s),
            None => buf.push(l),
        }
    }
    true
}

/// Accented Latin letters and ligatures folded to plain ASCII (lowercase input, plus ligatures).
fn fold_special(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ﬅ' | 'ﬆ' => "st",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHUTOFF: &str = "Last year the water department shut off water service to 20,000 \
        households for unpaid water bills. Shutoffs hit low-income families hardest, and \
        advocates want the utility to tie water rates to income.";

    /// ~14 words per repetition, none of them a taxonomy phrase.
    fn filler(words: usize) -> String {
        let s = "The committee reviewed the annual report and discussed next steps for the item. ";
        s.repeat(words / 14 + 1)
    }

    #[test]
    fn document_types_can_bring_a_topic() {
        let t = match Taxonomy::from_toml_str(
            r#"
[settings]
max_topics = 1
[[topic]]
slug = "water"
label = "Water"
[topic.phrases]
"water" = 1
[[topic]]
slug = "governance"
label = "Governance"
types = ["budget"]
[topic.phrases]
"council" = 1
"#,
        ) {
            Ok(t) => t,
            Err(e) => panic!("test taxonomy: {e}"),
        };
        let mut tags = t.tag("Water", &["water water water water water"]);
        assert_eq!(tags.topics, ["water"]);
        t.apply_type(&mut tags, "report");
        assert_eq!(tags.topics, ["water"]);
        t.apply_type(&mut tags, "budget");
        // max_topics = 1: the type's topic replaces the weakest one.
        assert_eq!(tags.topics, ["governance"]);
        assert_eq!(tags.fired["governance"][0].0, "(type: budget)");
    }

    fn tiny(extra_settings: &str) -> Taxonomy {
        let src = format!(
            r#"
[settings]
threshold = 2
fallback_threshold = 1
subtopic_threshold = 1
{extra_settings}

[[topic]]
slug = "water"
label = "Water"
[topic.phrases]
"water" = 1
[topic.negative]
"water polo" = 1
[[topic.sub]]
slug = "affordability"
label = "Water affordability"
[topic.sub.phrases]
"shutoff" = 3
"evict*" = 1

[[topic]]
slug = "transportation"
label = "Transportation"
[topic.phrases]
"parking" = 3
"transportation" = 3
"vivienda asequible" = 3
"#
        );
        match Taxonomy::from_toml_str(&src) {
            Ok(t) => t,
            Err(e) => panic!("test taxonomy: {e}"),
        }
    }

    #[test]
    fn builtin_parses_and_lists_all_topics() {
        let t = Taxonomy::builtin();
        let slugs: Vec<String> = t.top_level().into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            slugs,
            [
                "water",
                "housing",
                "climate-energy",
                "environment",
                "immigration",
                "transportation",
                "economic-development",
                "equity",
                "public-safety",
                "health",
                "governance",
                "education",
                "food"
            ]
        );
        assert!(t.top_level().iter().all(|(_, label)| !label.is_empty()));
        let subs = t.subtopics();
        for (slug, _) in t.top_level() {
            let n = subs
                .iter()
                .filter(|(p, _)| p.starts_with(&format!("{slug}/")))
                .count();
            assert!((2..=5).contains(&n), "{slug} has {n} subtopics");
        }
        for path in [
            "water/affordability",
            "housing/adu",
            "transportation/parking",
        ] {
            assert!(subs.iter().any(|(p, _)| p == path), "missing {path}");
        }
        let fp = t.fingerprint();
        assert_eq!(fp.len(), 64);
        assert!(fp.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn fingerprint_follows_the_text() {
        let a = Taxonomy::from_toml_str(BUILTIN_TOML).map(|t| t.fingerprint());
        let b = Taxonomy::from_toml_str(&format!("{BUILTIN_TOML}\n# edited\n"))
            .map(|t| t.fingerprint());
        assert_eq!(a.as_ref().ok(), Some(&Taxonomy::builtin().fingerprint()));
        assert_ne!(a.ok(), b.ok());
    }

    #[test]
    fn water_shutoff_paragraph() {
        let tags = Taxonomy::builtin().tag("", &[SHUTOFF]);
        assert_eq!(
            tags.topics.first().map(String::as_str),
            Some("water"),
            "{tags:?}"
        );
        assert!(
            tags.subtopics.iter().any(|s| s == "water/affordability"),
            "{tags:?}"
        );
        assert!(tags.fired.contains_key("water/affordability"));
        assert!(tags.scores["water"] > 0.0);
    }

    #[test]
    fn parking_matches_whole_words_only() {
        let t = Taxonomy::builtin();
        let tags = t.tag("", &["The old wiring kept sparking near the kitchen."]);
        assert!(
            !tags.fired.contains_key("transportation/parking"),
            "{tags:?}"
        );
        assert!(!tags.scores.contains_key("transportation"));
        let tags = t.tag("", &["Parking: the city priced curb parking by block."]);
        assert!(tags.fired["transportation/parking"].contains(&("parking".to_string(), 2)));
    }

    #[test]
    fn passing_mention_in_a_long_document_is_not_tagged() {
        let t = Taxonomy::builtin();
        // ~260 pages of text with a water paragraph in it.
        let long = format!("{}{SHUTOFF}{}", filler(60_000), filler(60_000));
        let tags = t.tag("", &[&long]);
        assert!(
            tags.scores.get("water").copied().unwrap_or(0.0) < 1.0,
            "{tags:?}"
        );
        assert!(!tags.topics.contains(&"water".to_string()), "{tags:?}");
        // The same paragraph in a 2-page brief makes it a water document.
        let brief = format!("{}{SHUTOFF} {SHUTOFF}{}", filler(400), filler(400));
        let tags = t.tag("", &[&brief]);
        assert!(tags.topics.contains(&"water".to_string()), "{tags:?}");
    }

    #[test]
    fn title_weighting() {
        let t = Taxonomy::builtin();
        let body = filler(3_000);
        let plain = t.tag("Annual report", &[&body]);
        let titled = t.tag("Lead Service Line Replacement Program", &[&body]);
        assert!(plain.topics.is_empty(), "{plain:?}");
        assert_eq!(titled.topics, ["water"]);
        assert!(titled.subtopics.contains(&"water/lead-lines".to_string()));
        // A title phrase outweighs the same phrase once in the body.
        let in_body = t.tag("", &[&format!("{body} lead service line")]);
        assert!(titled.scores["water"] > 3.0 * in_body.scores["water"]);
        // Image-only document: the title alone.
        let scan = t.tag("Ordinance No. 80: Park Hours", &[]);
        assert!(scan.topics.contains(&"governance".to_string()), "{scan:?}");
        assert!(scan.topics.contains(&"environment".to_string()), "{scan:?}");
    }

    #[test]
    fn normalization() {
        let t = tiny("");
        // Accents, case, line-end hyphenation, punctuation between words.
        let tags = t.tag("", &["VIVIENDA ASEQUIBLE; transpor-\n  tation."]);
        assert_eq!(tags.fired["transportation"].len(), 2, "{tags:?}");
        let tags = t.tag("", &["Política de vivienda\nasequible"]);
        assert_eq!(
            tags.fired["transportation"],
            [("vivienda asequible".to_string(), 1)]
        );
        // Plurals and prefixes.
        let tags = t.tag("", &["Shutoffs and evictions; shutoff, evicted."]);
        assert_eq!(
            tags.fired["water/affordability"],
            [("evict*".to_string(), 2), ("shutoff".to_string(), 2)]
        );
        // PDF ligatures.
        assert!(Taxonomy::builtin()
            .tag("", &["ﬂooding"])
            .fired
            .contains_key("climate-energy/resilience"));
    }

    #[test]
    fn negative_phrases_subtract() {
        let t = tiny("");
        let plain = t.tag("", &["water water water"]);
        let polo = t.tag("", &["water water water polo"]);
        assert!(polo.scores["water"] < plain.scores["water"]);
        assert!(polo.fired["water"].contains(&("-water polo".to_string(), 1)));
    }

    #[test]
    fn subtopic_only_under_an_assigned_topic() {
        // One shutoff: the subtopic scores, but the topic is below the relative cutoff.
        let t = tiny("relative_cutoff = 0.9");
        let tags = t.tag(
            "",
            &["parking parking parking parking transportation shutoff"],
        );
        assert_eq!(tags.topics, ["transportation"], "{tags:?}");
        assert!(tags.subtopics.is_empty(), "{tags:?}");
        assert!(tags.fired.contains_key("water/affordability"));
    }

    #[test]
    fn topics_are_capped_and_ordered() {
        let t = tiny("max_topics = 1");
        let tags = t.tag(
            "",
            &["water shutoff parking parking parking transportation"],
        );
        assert_eq!(tags.topics, ["transportation"]);
        assert_eq!(tags.scores.len(), 2);
    }

    #[test]
    fn malformed_taxonomies_are_errors() {
        let cases = [
            "[[topic]\nslug = ",
            "[[topic]]\nslug = \"water\"\n",
            "",
            "[[topic]]\nslug = \"Water\"\nlabel = \"W\"\n",
            "[[topic]]\nslug = \"w\"\nlabel = \"W\"\n[[topic]]\nslug = \"w\"\nlabel = \"X\"\n",
            "[[topic]]\nslug = \"w\"\nlabel = \"W\"\n[topic.phrases]\n\"water\" = -1\n",
            "[[topic]]\nslug = \"w\"\nlabel = \"W\"\n[topic.phrases]\n\"water\" = \"high\"\n",
            "[[topic]]\nslug = \"w\"\nlabel = \"W\"\n[topic.phrases]\n\"--\" = 1\n",
            "[[topic]]\nslug = \"w\"\nlabel = \"W\"\n[topic.phrases]\n\"water\" = 1\n\"Water\" = 2\n",
            "[[topic]]\nslug = \"w\"\nlabel = \"W\"\n[topic.phrases]\n\"water\" = 1\n\
             [[topic.sub]]\nslug = \"s\"\nlabel = \"S\"\n[topic.sub.phrases]\n\"waters\" = 1\n",
            "[settings]\nthreshold = 0\n[[topic]]\nslug = \"w\"\nlabel = \"W\"\n",
            "[settings]\nthreshhold = 1\n[[topic]]\nslug = \"w\"\nlabel = \"W\"\n",
        ];
        for (i, c) in cases.iter().enumerate() {
            assert!(Taxonomy::from_toml_str(c).is_err(), "case {i} parsed: {c}");
        }
        assert!(matches!(
            Taxonomy::from_toml_str("[[topic]\n"),
            Err(TopicsError::Parse(_))
        ));
        let missing = Path::new("/nonexistent/polsearch/topics.toml");
        assert!(matches!(
            Taxonomy::load(missing),
            Err(TopicsError::Io { .. })
        ));
    }

    #[test]
    fn empty_input() {
        let tags = Taxonomy::builtin().tag("", &[]);
        assert_eq!(tags, TopicTags::default());
    }
}
