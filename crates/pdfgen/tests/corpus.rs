//! Checks on the shipped sample PDFs in `corpus/pdf`, read back with pdf_oxide and lopdf:
//! the properties other tests and search fixtures rely on (which page a term is on, which
//! pages have no text, which document has no Info title).

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/pdf")
}

fn open(name: &str) -> pdf_oxide::PdfDocument {
    let path = corpus_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    pdf_oxide::PdfDocument::from_bytes(bytes).unwrap()
}

fn pages(name: &str) -> Vec<String> {
    let doc = open(name);
    (0..doc.page_count().unwrap())
        .map(|i| doc.extract_text(i).unwrap())
        .collect()
}

fn info_title(name: &str) -> Option<Vec<u8>> {
    let doc = lopdf::Document::load(corpus_dir().join(name)).unwrap();
    let info = doc.trailer.get(b"Info").ok()?.as_reference().ok()?;
    let title = doc.get_dictionary(info).ok()?.get(b"Title").ok()?;
    Some(title.as_str().ok()?.to_vec())
}

/// 1-based numbers of the pages whose lowercased, whitespace-collapsed text contains `needle`.
fn pages_with(pages: &[String], needle: &str) -> Vec<usize> {
    pages
        .iter()
        .enumerate()
        .filter(|(_, text)| {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            flat.to_lowercase().contains(needle)
        })
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn corpus_has_enough_documents_and_pages() {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    names.sort();
    assert!(names.len() >= 16, "{names:?}");
    let total: usize = names.iter().map(|n| open(n).page_count().unwrap()).sum();
    assert!(total >= 120, "{total} pages");
}

#[test]
fn runoff_brief_names_stormwater_and_green_infrastructure_on_page_3_only() {
    let pages = pages("rain-where-it-falls-brief.pdf");
    assert_eq!(pages_with(&pages, "stormwater"), vec![3]);
    assert_eq!(pages_with(&pages, "green infrastructure"), vec![3]);
}

#[test]
fn water_brief_mentions_the_moratorium() {
    let pages = pages("water-affordability-brief.pdf");
    assert_eq!(pages_with(&pages, "water shutoff moratorium"), vec![3]);
}

#[test]
fn heat_report_has_scanned_pages_without_text() {
    let pages = pages("extreme-heat-guide.pdf");
    assert_eq!(pages.len(), 12);
    let empty: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, t)| t.trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(empty, vec![6, 10]);
    assert!(!pages_with(&pages, "cooling centers").is_empty());
    assert!(!pages_with(&pages, "tree canopy").is_empty());
}

#[test]
fn preemption_brief_has_no_info_title_but_a_big_title_on_page_1() {
    assert_eq!(info_title("state-preemption-brief.pdf"), None);
    let pages = pages("state-preemption-brief.pdf");
    assert!(pages[0].contains("When the State Says No"), "{}", pages[0]);
    assert!(info_title("water-affordability-brief.pdf").is_some());
}

#[test]
fn briefing_book_spreads_topics_over_its_pages() {
    let pages = pages("summit-briefing-book-2024.pdf");
    assert!(pages.len() >= 60, "{} pages", pages.len());
    let resolution = pages_with(&pages, "resolution no. 2024-17");
    assert!(resolution.contains(&54), "{resolution:?}");
    assert!(pages_with(&pages, "vision zero").contains(&12));
    assert!(pages_with(&pages, "buprenorphine").contains(&18));
    assert!(pages_with(&pages, "civilian oversight").contains(&27));
    assert!(pages_with(&pages, "open data").contains(&38));
}

#[test]
fn spanish_documents_keep_their_accents() {
    let agua = pages("es-asequibilidad-agua.pdf").join("\n");
    assert!(agua.contains("¿Le cuesta pagar la factura del agua?"));
    let guia = pages("es-guia-servicios-inmigrantes.pdf").join("\n");
    assert!(guia.contains("¡Bienvenidos!"));
    assert!(guia.contains("identificación municipal") || guia.contains("Identificación municipal"));
}

#[test]
fn ligatures_come_back_as_ligature_code_points() {
    let rain = pages("rain-where-it-falls-brief.pdf").join("\n");
    assert!(
        rain.contains("\u{FB02}ood") || rain.contains("flood"),
        "{rain}"
    );
    let adu = pages("adu-housing-guide.pdf").join("\n");
    assert!(adu.contains("ADU") && adu.to_lowercase().contains("accessory dwelling unit"));
}
