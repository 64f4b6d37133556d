//! Highlighted snippets: HTML-escaped document text with `<mark>` around matched terms.
//!
//! Document text is never trusted as markup: every character from the document is escaped,
//! and the only tags in a snippet are the `<mark>` elements added here.

/// Escapes text for inclusion in HTML element content or a quoted attribute.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A fragment as escaped HTML with `<mark>` around `marks` (byte ranges in `frag`), an
/// ellipsis after it and, when it does not open its text, before it.
pub fn marked(frag: &str, cut_before: bool, marks: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(frag.len() + 32);
    let mut at = 0;
    for r in marks {
        if r.start < at || r.end > frag.len() {
            continue;
        }
        out.push_str(&escape_html(&frag[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&frag[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape_html(&frag[at..]));
    ellipsize(cut_before, out)
}

fn ellipsize(cut_before: bool, s: String) -> String {
    if cut_before {
        format!("…{s}…")
    } else {
        format!("{s}…")
    }
}

/// The opening of a text, escaped, cut at a word boundary, for passages with no match.
pub fn lead(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return escape_html(text);
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max_chars / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", escape_html(&cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn lead_cuts_at_word() {
        assert_eq!(lead("alpha beta gamma delta", 13), "alpha beta…");
        assert_eq!(lead("a<b", 10), "a&lt;b");
    }
}
