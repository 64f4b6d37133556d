//! Round trips: documents written by polsearch-pdfgen, parsed back with lopdf (structure,
//! Info) and pdf_oxide (text), the way the indexer will read them.

use polsearch_pdfgen::{Block, PdfDoc, PdfPage};

fn sample() -> PdfDoc {
    PdfDoc {
        info_title: Some("Water Affordability Brief".into()),
        author: Some("Mayors Policy Network".into()),
        creation_date: Some("D:20210315120000Z".into()),
        pages: vec![
            PdfPage {
                blocks: vec![
                    Block::Title("Keeping the Water On".into()),
                    Block::Heading("Why shutoffs matter".into()),
                    Block::Paragraph(
                        "Cities can adopt a water shutoff moratorium while \u{FB01}nancial \
                         assistance reaches households at risk of \u{FB02}ood damage and arrears."
                            .into(),
                    ),
                    Block::Line("Most utilities fund repairs to aging infra-".into()),
                    Block::Line("structure from rates alone.".into()),
                ],
            },
            PdfPage {
                blocks: vec![
                    Block::Heading("Resumen en español".into()),
                    Block::Paragraph(
                        "¿Qué es la asistencia? La ciudad ofrece ayuda con la factura de \
                         agua a los niños y las familias con ingresos bajos — “sin costo”."
                            .into(),
                    ),
                ],
            },
            PdfPage {
                blocks: vec![Block::Shape, Block::Shape],
            },
        ],
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn lopdf_reads_pages_and_info() {
    let bytes = sample().to_bytes();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let doc = lopdf::Document::load_mem(&bytes).expect("lopdf parses the output");
    assert_eq!(doc.get_pages().len(), 3);
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let title = info.get(b"Title").unwrap().as_str().unwrap();
    assert_eq!(title, b"Water Affordability Brief");
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20210315120000Z"
    );
}

#[test]
fn no_info_dictionary_without_info_fields() {
    let doc = PdfDoc {
        pages: vec![PdfPage {
            blocks: vec![Block::Title("Untitled in metadata".into())],
        }],
        ..PdfDoc::new()
    };
    let parsed = lopdf::Document::load_mem(&doc.to_bytes()).unwrap();
    assert!(parsed.trailer.get(b"Info").is_err());
}

#[test]
fn non_ascii_info_title_is_utf16() {
    let doc = PdfDoc {
        info_title: Some("Guía de servicios".into()),
        pages: vec![PdfPage::default()],
        ..PdfDoc::new()
    };
    let parsed = lopdf::Document::load_mem(&doc.to_bytes()).unwrap();
    let info_id = parsed.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let title = parsed
        .get_dictionary(info_id)
        .unwrap()
        .get(b"Title")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    assert_eq!(
        lopdf::decode_text_string(&lopdf::Object::string_literal(title)).unwrap(),
        "Guía de servicios"
    );
}

#[test]
fn pdf_oxide_extracts_words_in_order() {
    let doc = pdf_oxide::PdfDocument::from_bytes(sample().to_bytes()).unwrap();
    assert_eq!(doc.page_count().unwrap(), 3);

    let page1 = doc.extract_text(0).unwrap();
    let flat = squash(&page1);
    for phrase in [
        "Keeping the Water On",
        "Why shutoffs matter",
        "Cities can adopt a water shutoff moratorium while",
        "assistance reaches households at risk of",
    ] {
        assert!(flat.contains(phrase), "{phrase:?} not in {page1:?}");
    }
    // Two Line blocks break "infrastructure" across lines; pdf_oxide may rejoin the halves.
    assert!(
        flat.contains("to aging infra- structure from rates alone.")
            || flat.contains("to aging infrastructure from rates alone."),
        "{flat:?}"
    );
    let order: Vec<usize> = ["Keeping", "shutoffs", "moratorium", "arrears", "infra"]
        .iter()
        .map(|w| flat.find(w).unwrap_or_else(|| panic!("{w} missing")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "{order:?} in {flat:?}"
    );
    // The ligature comes back as the ligature code point, or already expanded.
    assert!(
        flat.contains("\u{FB01}nancial") || flat.contains("financial"),
        "{flat:?}"
    );
    assert!(
        flat.contains("\u{FB02}ood") || flat.contains("flood"),
        "{flat:?}"
    );
}

#[test]
fn pdf_oxide_keeps_spanish_accents_and_punctuation() {
    let doc = pdf_oxide::PdfDocument::from_bytes(sample().to_bytes()).unwrap();
    let page2 = squash(&doc.extract_text(1).unwrap());
    for phrase in [
        "Resumen en español",
        "¿Qué es la asistencia?",
        "los niños",
        "“sin costo”",
        "—",
    ] {
        assert!(page2.contains(phrase), "{phrase:?} not in {page2:?}");
    }
}

#[test]
fn shape_only_page_has_no_text() {
    let doc = pdf_oxide::PdfDocument::from_bytes(sample().to_bytes()).unwrap();
    assert_eq!(doc.extract_text(2).unwrap().trim(), "");
}

#[test]
fn output_is_deterministic() {
    assert_eq!(sample().to_bytes(), sample().to_bytes());
}

#[test]
fn long_text_continues_on_new_pages() {
    let words =
        "Participatory budgeting lets residents decide how to spend part of a capital budget.";
    let doc = PdfDoc {
        pages: vec![PdfPage {
            blocks: (0..120)
                .map(|_| Block::Paragraph(words.repeat(3)))
                .collect(),
        }],
        ..PdfDoc::new()
    };
    let pages = doc.page_count();
    assert!(pages > 1);
    let parsed = lopdf::Document::load_mem(&doc.to_bytes()).unwrap();
    assert_eq!(parsed.get_pages().len(), pages);
    let oxide = pdf_oxide::PdfDocument::from_bytes(doc.to_bytes()).unwrap();
    let last = oxide.extract_text(pages - 1).unwrap();
    assert!(last.contains("capital budget."), "{last:?}");
}

#[test]
fn empty_document_has_one_blank_page() {
    let doc = PdfDoc::new();
    assert_eq!(doc.page_count(), 1);
    let parsed = lopdf::Document::load_mem(&doc.to_bytes()).unwrap();
    assert_eq!(parsed.get_pages().len(), 1);
}
