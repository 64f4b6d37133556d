//! PDF extraction on fixtures the project makes with its own generator: page texts,
//! ligatures, hyphenated line breaks, pages without text, titles from metadata or the cover.

use polsearch_extract::pdf::extract_pdf;
use polsearch_extract::PdfEngine;
use polsearch_pdfgen::{Block, PdfDoc, PdfPage};

fn page(blocks: Vec<Block>) -> PdfPage {
    PdfPage { blocks }
}

fn two_page_brief() -> Vec<u8> {
    let mut doc = PdfDoc::new();
    doc.info_title = Some("Green Infrastructure Brief".into());
    doc.author = Some("Mayors Policy Network".into());
    doc.creation_date = Some("D:20210315120000Z".into());
    doc.pages = vec![
        page(vec![
            Block::Title("Stormwater and the City".into()),
            Block::Paragraph("Cities are rethinking the ﬁnancial case for managing runoﬀ.".into()),
            Block::Line("Bioswales and rain gardens are green infra-".into()),
            Block::Line("structure that reduces combined sewer overflows.".into()),
        ]),
        page(vec![
            Block::Heading("Water Shutoff Protections".into()),
            Block::Paragraph(
                "A moratorium on water shutoffs protects households during a crisis.".into(),
            ),
        ]),
        page(vec![Block::Shape]),
    ];
    doc.to_bytes()
}

#[test]
fn pages_come_back_in_order_with_clean_text() {
    let d = extract_pdf(&two_page_brief(), PdfEngine::Oxide).expect("extracts");
    assert_eq!(d.page_count, Some(3));
    assert_eq!(d.sections.len(), 3);
    assert_eq!(
        d.sections.iter().map(|s| s.page).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    let p1 = &d.sections[0].text;
    assert!(p1.contains("financial"), "ligature expanded: {p1}");
    assert!(
        p1.contains("green infrastructure that reduces"),
        "hyphen joined: {p1}"
    );
    assert!(
        p1.contains("Cities are rethinking the financial case"),
        "no glued words: {p1}"
    );
    assert!(
        d.sections[1].text.contains("moratorium on water shutoffs"),
        "{}",
        d.sections[1].text
    );
    assert_eq!(d.sections[2].text, "", "a page of shapes has no text");
    assert!(d.has_text);
}

#[test]
fn metadata_title_author_and_date() {
    let d = extract_pdf(&two_page_brief(), PdfEngine::Oxide).expect("extracts");
    assert_eq!(d.title, "Green Infrastructure Brief");
    assert_eq!(d.author.as_deref(), Some("Mayors Policy Network"));
    assert_eq!(d.date.as_deref(), Some("2021-03-15"));
}

#[test]
fn title_falls_back_to_the_largest_text_on_the_cover() {
    let mut doc = PdfDoc::new();
    doc.pages = vec![page(vec![
        Block::Paragraph("Published March 2021".into()),
        Block::Title("Parking Reform for Growing Cities".into()),
        Block::Paragraph("Minimum parking requirements raise the cost of housing.".into()),
    ])];
    let d = extract_pdf(&doc.to_bytes(), PdfEngine::Oxide).expect("extracts");
    assert_eq!(d.title, "Parking Reform for Growing Cities");
}

#[test]
fn a_pdf_without_text_is_flagged_not_failed() {
    let mut doc = PdfDoc::new();
    doc.info_title = Some("Scanned Zoning Map".into());
    doc.pages = vec![page(vec![Block::Shape]), page(vec![Block::Shape])];
    let d = extract_pdf(&doc.to_bytes(), PdfEngine::Oxide).expect("extracts");
    assert!(!d.has_text);
    assert_eq!(d.title, "Scanned Zoning Map");
    assert_eq!(d.page_count, Some(2));
    assert!(d.warnings.iter().any(|w| w.contains("no text layer")));
}

#[test]
fn lopdf_fallback_reads_the_same_pages() {
    let d = extract_pdf(&two_page_brief(), PdfEngine::Lopdf).expect("extracts");
    assert_eq!(d.page_count, Some(3));
    assert!(
        d.sections[1].text.contains("water shutoffs"),
        "{}",
        d.sections[1].text
    );
    assert_eq!(d.title, "Green Infrastructure Brief");
}

#[test]
fn truncated_pdf_is_an_error_or_partial_never_a_panic() {
    let bytes = two_page_brief();
    for cut in [10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 20] {
        for engine in [PdfEngine::Oxide, PdfEngine::Lopdf] {
            let _ = extract_pdf(&bytes[..cut], engine);
        }
    }
}
