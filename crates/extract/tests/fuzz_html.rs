//! Fuzzing the HTML extractor (issue 8, part 4) and, on arbitrary bytes, the other in-process
//! extractors (Markdown, text, JSON Lines): property tests over random bytes and over
//! generated markup — deep nesting, huge attributes, broken entities, invalid UTF-8,
//! `script`/`style`/`template` with content, `meta` tags, JSON-LD, front matter.
//!
//! Properties beyond "no panic" (a caught panic counts as a failure too):
//! - only binary input (a NUL in the first 4 KiB) is refused;
//! - nothing inside `script`, `style`, `noscript`, `template` or `svg` reaches the title,
//!   the description, a heading or a section's text;
//! - every piece of text is normalized (no control characters, no U+FFFD, no runs of
//!   whitespace, trimmed) and no section is empty;
//! - anchors are usable fragment ids (no whitespace);
//! - extraction is deterministic: the same bytes give the same document;
//! - time stays bounded on pathological nesting.
//!
//! CI runs a few hundred cases; `PROPTEST_CASES=20000 cargo test -p polsearch-extract
//! --test fuzz_html` runs longer. Failing inputs are kept in `fuzz_html.proptest-regressions`.

use std::time::{Duration, Instant};

use polsearch_extract::html::extract_html;
use polsearch_extract::{jsonl, text, ExtractError, ExtractedDoc};
use proptest::prelude::*;

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    // A fixed seed unless PROPTEST_RNG_SEED names one: CI then checks the same cases every
    // run (a new finding never fails an unrelated change), and a longer hunt for new
    // inputs is `PROPTEST_RNG_SEED=$RANDOM PROPTEST_CASES=20000 cargo test ...`.
    let defaults = ProptestConfig::default();
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        defaults.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(20_261_202)
    };
    ProptestConfig {
        cases,
        max_shrink_iters: 1024,
        rng_seed,
        ..defaults
    }
}

/// Text that must never reach the output: it only ever appears inside hidden elements.
const HIDDEN: &str = "zqxhiddenmarker";

/// A generated piece of markup.
#[derive(Debug, Clone)]
enum Node {
    Text(String),
    /// Raw bytes, possibly invalid UTF-8.
    Bytes(Vec<u8>),
    Element {
        tag: &'static str,
        attrs: Vec<(String, String)>,
        children: Vec<Node>,
        /// Leave the end tag out (browsers and html5ever close it themselves).
        unclosed: bool,
    },
    /// An element whose content is never shown, holding the hidden marker.
    Hidden(&'static str, String),
}

const TAGS: &[&str] = &[
    "div",
    "p",
    "span",
    "a",
    "main",
    "article",
    "section",
    "header",
    "footer",
    "nav",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "ul",
    "li",
    "table",
    "tr",
    "td",
    "b",
    "i",
    "em",
    "strong",
    "br",
    "img",
    "pre",
    "blockquote",
    "figure",
    "form",
    "details",
    "summary",
    "font",
    "center",
    "body",
    "html",
    "head",
    "frameset",
    "select",
    "option",
    "label",
    "custom-el",
    "dl",
    "dt",
    "dd",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z ]{0,40}",
        prop::sample::select(vec![
            "&amp;",
            "&amp",
            "&lt;",
            "&gt",
            "&#0;",
            "&#x0;",
            "&#xFFFFFFFF;",
            "&#99999999999;",
            "&#xD800;",
            "&nbsp;",
            "&notanentity;",
            "&",
            "&#",
            "&#x;",
            "<",
            ">",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "{{ x }}",
            "{% if %}",
            "\u{0}",
            "\u{1b}",
            "\u{ad}",
            "\u{fffd}",
            "\u{feff}",
            "\u{202e}",
            "ﬁ",
            "e\u{301}",
            "水",
            "🚰",
            "\r\n",
            "\t",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

fn attr() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(vec![
            "class",
            "id",
            "role",
            "hidden",
            "aria-hidden",
            "name",
            "href",
            "lang",
            "style",
            "data-x",
            "itemprop",
            "content",
            "x\"y",
            "",
        ])
        .prop_map(str::to_string),
        prop_oneof![
            prop::sample::select(vec![
                "",
                "main",
                "nav",
                "menu",
                "sidebar",
                "cookie-banner",
                "share",
                "footer",
                "breadcrumb",
                "sr-only",
                "material-icons",
                "fa fa-home",
                "navigation",
                "banner",
                "true",
                "e-h2",
                "Heading-1",
                "top",
                "a b",
                "{{ id }}",
                "\"",
                "'",
                "&quot;",
                "es",
            ])
            .prop_map(str::to_string),
            // a huge attribute value
            (1usize..70_000).prop_map(|n| "x".repeat(n)),
            any::<String>(),
        ],
    )
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        4 => text().prop_map(Node::Text),
        1 => prop::collection::vec(any::<u8>(), 0..16).prop_map(Node::Bytes),
        1 => (
            prop::sample::select(vec!["script", "style", "noscript", "template", "svg", "textarea"]),
            "[a-z ;=(){}]{0,30}",
        )
            .prop_map(|(t, s)| Node::Hidden(t, s)),
    ];
    leaf.prop_recursive(6, 200, 8, |inner| {
        (
            prop::sample::select(TAGS),
            prop::collection::vec(attr(), 0..3),
            prop::collection::vec(inner, 0..8),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(tag, attrs, children, unclosed)| Node::Element {
                tag,
                attrs,
                children,
                unclosed,
            })
    })
}

fn render(n: &Node, out: &mut Vec<u8>) {
    match n {
        Node::Text(t) => out.extend_from_slice(t.as_bytes()),
        Node::Bytes(b) => out.extend_from_slice(b),
        Node::Hidden(tag, content) => {
            // Inside raw-text elements the content must not contain their end tag, which
            // the generator's alphabet guarantees. The leading `>` ends a tag that text
            // before it may have opened (`<A` + `<script>` is one tag named `a<script`,
            // whose content a browser shows): the element must really be a `<{tag}>`.
            out.extend_from_slice(
                format!("><{tag}>{content} {HIDDEN} {content}</{tag}>").as_bytes(),
            )
        }
        Node::Element {
            tag,
            attrs,
            children,
            unclosed,
        } => {
            out.push(b'<');
            out.extend_from_slice(tag.as_bytes());
            for (k, v) in attrs {
                out.extend_from_slice(format!(" {k}=\"{}\"", v.replace('"', "&quot;")).as_bytes());
            }
            out.push(b'>');
            for c in children {
                render(c, out);
            }
            if !unclosed {
                out.extend_from_slice(format!("</{tag}>").as_bytes());
            }
        }
    }
}

/// A whole page around generated body content: an optional front matter, a head with meta
/// tags and JSON-LD, and the body.
fn page() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(node(), 0..6),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::bool::ANY,
        prop::sample::select(vec![
            "",
            "utf-8",
            "windows-1252",
            "iso-8859-1",
            "shift_jis",
            "\"",
        ]),
        prop::bool::weighted(0.1),
        prop::sample::select(vec![
            "",
            r#"{"@type":"Article","headline":"JSON-LD headline","datePublished":"2020-02-03"}"#,
            r#"[{"@graph":[{"@type":"NewsArticle","author":{"name":["A","B"]}}]}]"#,
            r#"{"headline":"#,
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ]),
    )
        .prop_map(|(body, title, desc, lang, charset, front, ld)| {
            let mut out = Vec::new();
            if front {
                out.extend_from_slice(
                    b"---\ntitle: Front {{ site.title }}\ndate: 2019-13-45\n---\n",
                );
            }
            out.extend_from_slice(b"<!DOCTYPE html><html");
            if lang {
                out.extend_from_slice(b" lang=\"es-MX\"");
            }
            out.extend_from_slice(format!("><head><meta charset=\"{charset}\">").as_bytes());
            if let Some(t) = title {
                out.extend_from_slice(b"<title>");
                out.extend_from_slice(t.as_bytes());
                out.extend_from_slice(b"</title>");
            }
            if let Some(d) = desc {
                out.extend_from_slice(
                    format!(
                        "<meta name=\"description\" content=\"{}\">",
                        d.replace('"', "&quot;")
                    )
                    .as_bytes(),
                );
            }
            out.extend_from_slice(b"<meta property=\"og:title\" content=\"\">");
            if !ld.is_empty() {
                out.extend_from_slice(b"<script type=\"application/ld+json\">");
                out.extend_from_slice(ld.as_bytes());
                out.extend_from_slice(b"</script>");
            }
            out.extend_from_slice(b"</head><body>");
            for n in &body {
                render(n, &mut out);
            }
            out.extend_from_slice(b"</body></html>");
            out
        })
}

fn normalized(what: &str, s: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !s.chars().any(|c| c.is_control() || c == '\u{fffd}'),
        "{what} keeps a control character or U+FFFD: {s:?}"
    );
    prop_assert!(!s.contains("  "), "{what} has a run of spaces: {s:?}");
    prop_assert_eq!(s.trim(), s, "{} is not trimmed", what);
    Ok(())
}

/// The input as text, for failure messages (proptest prints bytes as a list of numbers).
fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(3000).collect()
}

/// The properties every extracted HTML document has.
fn check_doc(bytes: &[u8], doc: &ExtractedDoc) -> Result<(), TestCaseError> {
    let mut texts: Vec<(&str, &str)> = vec![("title", doc.title.as_str())];
    if let Some(d) = &doc.description {
        texts.push(("description", d));
    }
    for s in &doc.sections {
        prop_assert!(!s.text.is_empty(), "empty section");
        prop_assert!(s.page.is_none());
        texts.push(("section text", &s.text));
        if let Some(h) = &s.heading {
            texts.push(("heading", h));
        }
        if let Some(a) = &s.anchor {
            prop_assert!(
                !a.is_empty() && !a.contains(char::is_whitespace),
                "anchor {a:?}"
            );
        }
    }
    for (what, t) in &texts {
        prop_assert!(
            !t.contains(HIDDEN),
            "{what} shows hidden content: {t:?}\ninput: {}",
            shown(bytes)
        );
        normalized(what, t)?;
    }
    let has_text = doc.sections.iter().any(|s| !s.text.is_empty());
    prop_assert!(!doc.has_text || has_text, "has_text without text");
    // Same bytes, same document (no dependence on hash-map order or addresses).
    let again = extract_html(bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(doc, &again, "extraction is not deterministic");
    Ok(())
}

fn extract_ok(bytes: &[u8]) -> Result<ExtractedDoc, TestCaseError> {
    let started = Instant::now();
    let r = extract_html(bytes);
    let took = started.elapsed();
    prop_assert!(
        took < Duration::from_secs(10),
        "{} bytes took {took:?}",
        bytes.len()
    );
    match r {
        Ok(doc) => Ok(doc),
        Err(ExtractError::Panic(m)) => Err(TestCaseError::fail(format!("caught panic: {m}"))),
        Err(e) => {
            let head = &bytes[..bytes.len().min(4096)];
            prop_assert!(head.contains(&0), "refused non-binary input: {e}");
            Err(TestCaseError::reject("binary input"))
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn arbitrary_bytes_extract_or_are_refused_as_binary(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(doc) = extract_html(&bytes) {
            check_doc(&bytes, &doc)?;
        } else {
            prop_assert!(bytes[..bytes.len().min(4096)].contains(&0), "refused non-binary input");
        }
    }

    #[test]
    fn generated_pages_never_show_hidden_content(bytes in page()) {
        let doc = extract_ok(&bytes)?;
        check_doc(&bytes, &doc)?;
    }

    /// The same content with the bytes cut anywhere: a truncated download still extracts.
    #[test]
    fn truncated_pages_extract(bytes in page(), cut in any::<prop::sample::Index>()) {
        let bytes = &bytes[..cut.index(bytes.len() + 1)];
        if let Ok(doc) = extract_ok(bytes) {
            check_doc(bytes, &doc)?;
        }
    }

    /// Markdown, text and JSON Lines take arbitrary bytes too (uploads are checked to be
    /// UTF-8, corpus files are not).
    #[test]
    fn other_extractors_take_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048), s in any::<String>()) {
        for input in [bytes.as_slice(), s.as_bytes()] {
            let md = text::extract_markdown(input);
            for sec in &md.sections {
                normalized("markdown section", &sec.text)?;
            }
            let _ = text::extract_text(input);
            let _ = jsonl::extract_jsonl(input);
        }
        let lines = format!("{s}\n{{\"id\":\"a\",\"title\":{s:?},\"text\":{s:?}}}\n{{\"id\":\n");
        let _ = jsonl::extract_jsonl(lines.as_bytes());
        let md = format!("---\n{s}\n---\n# {s}\n\n{s}\n");
        let _ = text::extract_markdown(md.as_bytes());
    }
}

proptest! {
    #![proptest_config(config(8))]

    /// Deep nesting of any tag mix stays fast: markup deeper than the extractor's limit is
    /// flattened before parsing, and no pass is quadratic in depth.
    #[test]
    fn deep_nesting_stays_fast(
        tags in prop::collection::vec(prop::sample::select(TAGS), 1..6),
        depth in 500usize..20_000,
        body_paragraphs in 0usize..2000,
    ) {
        let mut html = String::from("<html><body>");
        for i in 0..depth {
            html.push_str(&format!("<{}>", tags[i % tags.len()]));
        }
        for i in 0..body_paragraphs {
            html.push_str(&format!("<p>Paragraph {i} about water shutoffs.</p>"));
        }
        for i in (0..depth).rev() {
            html.push_str(&format!("</{}>", tags[i % tags.len()]));
        }
        let started = Instant::now();
        let doc = extract_ok(html.as_bytes())?;
        let took = started.elapsed();
        prop_assert!(took < Duration::from_secs(10), "depth {depth}: {took:?}");
        check_doc(html.as_bytes(), &doc)?;
    }
}

/// Found by `generated_pages_never_show_hidden_content`: a page without `<title>` took its
/// title from the first `h1`'s raw text, script source included.
#[test]
fn a_script_inside_the_h1_stays_out_of_the_title() {
    let html = b"<html><body><h1>Heat <div><script>var hiddenCode = 1;</script></div>Plan<style>.x{}</style></h1><p>Cooling centers open.</p></body></html>";
    let doc = extract_html(html).expect("extracts");
    assert_eq!(doc.title, "Heat Plan");
    for s in &doc.sections {
        assert!(!s.text.contains("hiddenCode"), "{s:?}");
        assert!(
            !s.heading.as_deref().unwrap_or("").contains("hiddenCode"),
            "{s:?}"
        );
    }
}
