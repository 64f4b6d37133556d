//! Links a result carries: where the original file is served and how to land on a page or
//! section of it. Routes are relative to the server root, so they work behind any host name.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but unreserved characters is escaped, `/` included: ids are corpus paths and
/// must stay one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An id as one URL path segment.
pub fn encode_id(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// Where the original file of document `id` is served.
pub fn file_url(id: &str) -> String {
    format!("/documents/{}/file", encode_id(id))
}

/// Where the document's metadata is served.
pub fn document_api_url(id: &str) -> String {
    format!("/api/documents/{}", encode_id(id))
}

/// The link for a document as a whole: its canonical web address when it has one, else the
/// served file. Records from a JSON Lines file have no file of their own to serve.
pub fn document_url(id: &str, url: Option<&str>, source: &str) -> Option<String> {
    match url {
        Some(u) if !u.is_empty() => Some(u.to_string()),
        _ if source == "jsonl" => None,
        _ => Some(file_url(id)),
    }
}

/// The deep link to a passage: the PDF page (`#page=N`, which PDF viewers honour) or the
/// section anchor on the document's page.
pub fn passage_url(
    id: &str,
    url: Option<&str>,
    source: &str,
    page: Option<u64>,
    anchor: Option<&str>,
) -> Option<String> {
    if let Some(p) = page {
        return Some(format!("{}#page={p}", file_url(id)));
    }
    let base = document_url(id, url, source)?;
    match anchor {
        Some(a) if !a.is_empty() => {
            let base = base.split('#').next().unwrap_or(&base).to_string();
            Some(format!("{base}#{}", utf8_percent_encode(a, SEGMENT)))
        }
        _ => Some(base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_slashes_stay_one_segment() {
        assert_eq!(
            file_url("pdf/water guide.pdf"),
            "/documents/pdf%2Fwater%20guide.pdf/file"
        );
    }

    #[test]
    fn pages_link_into_the_file_and_sections_into_the_page() {
        assert_eq!(
            passage_url("a.pdf", None, "pdf", Some(4), None).as_deref(),
            Some("/documents/a.pdf/file#page=4")
        );
        assert_eq!(
            passage_url(
                "h.html",
                Some("https://x.org/p"),
                "html",
                None,
                Some("rates")
            )
            .as_deref(),
            Some("https://x.org/p#rates")
        );
        assert_eq!(passage_url("r-1", None, "jsonl", None, Some("a")), None);
    }
}
