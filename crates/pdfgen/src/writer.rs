//! PDF assembly with lopdf: the catalog and page tree, the two fonts with their
//! encoding, widths and /ToUnicode CMap, each page's content stream and the optional
//! Info dictionary. Object numbers follow a fixed order so the output is deterministic.

use lopdf::xref::XrefType;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use crate::encoding::{differences, to_unicode_cmap, widths, Face, FIRST_CODE, LAST_CODE};
use crate::layout::{Item, LaidOutPage, PAGE_HEIGHT, PAGE_WIDTH, SHAPE_GRAY};
use crate::PdfDoc;

/// Builds the whole file.
pub(crate) fn write(doc: &PdfDoc, pages: &[LaidOutPage]) -> Vec<u8> {
    let mut pdf = Document::with_version("1.7");
    pdf.reference_table.cross_reference_type = XrefType::CrossReferenceTable;

    let catalog_id = pdf.new_object_id();
    let pages_id = pdf.new_object_id();
    let cmap_id = pdf.add_object(compressed(Dictionary::new(), to_unicode_cmap()));
    let regular_id = pdf.add_object(font(Face::Regular, cmap_id));
    let bold_id = pdf.add_object(font(Face::Bold, cmap_id));
    let text_resources_id = pdf.add_object(dictionary! {
        "Font" => dictionary! {
            Face::Regular.resource_name() => regular_id,
            Face::Bold.resource_name() => bold_id,
        },
    });
    let plain_resources_id = pdf.add_object(Dictionary::new());

    let blank = [LaidOutPage::default()];
    let pages = if pages.is_empty() { &blank[..] } else { pages };
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        let content_id = pdf.add_object(compressed(Dictionary::new(), content(page)));
        let resources_id = if page.has_text() {
            text_resources_id
        } else {
            plain_resources_id
        };
        let page_id = pdf.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Resources" => resources_id,
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    pdf.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "MediaBox" => vec![0.into(), 0.into(), (PAGE_WIDTH as i64).into(), (PAGE_HEIGHT as i64).into()],
        }),
    );
    pdf.objects.insert(
        catalog_id,
        Object::Dictionary(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        }),
    );
    pdf.trailer.set("Root", catalog_id);
    if let Some(info) = info(doc) {
        let info_id = pdf.add_object(info);
        pdf.trailer.set("Info", info_id);
    }

    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .expect("writing a PDF to memory does not fail");
    out
}

/// A stream, Flate-compressed when that makes it smaller. Compression goes through
/// miniz_oxide directly so the bytes do not depend on which flate2 backend the build uses.
fn compressed(mut dict: Dictionary, content: Vec<u8>) -> Stream {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&content, 9);
    if packed.len() < content.len() {
        dict.set("Filter", "FlateDecode");
        Stream::new(dict, packed)
    } else {
        Stream::new(dict, content)
    }
}

/// A standard 14 font dictionary: WinAnsiEncoding with the ligature /Differences, the
/// metrics of every code, and the shared /ToUnicode CMap.
fn font(face: Face, cmap_id: ObjectId) -> Dictionary {
    let mut diffs: Vec<Object> = Vec::new();
    for (code, name) in differences() {
        diffs.push(i64::from(code).into());
        diffs.push(Object::Name(name.as_bytes().to_vec()));
    }
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => face.base_font(),
        "Encoding" => dictionary! {
            "Type" => "Encoding",
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => diffs,
        },
        "FirstChar" => i64::from(FIRST_CODE),
        "LastChar" => i64::from(LAST_CODE),
        "Widths" => widths(face).into_iter().map(Object::Integer).collect::<Vec<_>>(),
        "ToUnicode" => cmap_id,
    }
}

/// The page's content stream: rectangles outside text objects, each run of text lines in
/// one BT/ET, one `Tj` per line positioned with `Tm`.
fn content(page: &LaidOutPage) -> Vec<u8> {
    let mut out = String::new();
    let mut in_text = false;
    let mut font: Option<(Face, f64)> = None;
    for item in &page.items {
        match item {
            Item::Rect { x, y, w, h } => {
                if in_text {
                    out.push_str("ET\n");
                    in_text = false;
                }
                out.push_str(&format!(
                    "q {} g {} {} {} {} re f Q\n",
                    num(SHAPE_GRAY),
                    num(*x),
                    num(*y),
                    num(*w),
                    num(*h)
                ));
            }
            Item::Text {
                face,
                size,
                x,
                y,
                codes,
            } => {
                if !in_text {
                    out.push_str("BT\n");
                    in_text = true;
                    font = None;
                }
                if font != Some((*face, *size)) {
                    out.push_str(&format!("/{} {} Tf\n", face.resource_name(), num(*size)));
                    font = Some((*face, *size));
                }
                out.push_str(&format!("1 0 0 1 {} {} Tm\n", num(*x), num(*y)));
                out.push_str(&literal(codes));
                out.push_str(" Tj\n");
            }
        }
    }
    if in_text {
        out.push_str("ET\n");
    }
    out.into_bytes()
}

/// A number with at most two decimals and no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A PDF literal string of font codes, kept 7-bit: delimiters escaped, other bytes
/// outside printable ASCII as octal escapes.
fn literal(codes: &[u8]) -> String {
    let mut out = String::with_capacity(codes.len() + 2);
    out.push('(');
    for &b in codes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push(')');
    out
}

/// The Info dictionary, when any of its fields is set.
fn info(doc: &PdfDoc) -> Option<Dictionary> {
    let fields = [
        ("Title", &doc.info_title),
        ("Author", &doc.author),
        ("CreationDate", &doc.creation_date),
    ];
    let mut dict = Dictionary::new();
    for (key, value) in fields {
        if let Some(value) = value {
            dict.set(key, text_string(value));
        }
    }
    (!dict.is_empty()).then_some(dict)
}

/// A PDF text string: a literal string when the text is ASCII, else UTF-16BE with a BOM.
fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(72.0), "72");
        assert_eq!(num(708.8), "708.8");
        assert_eq!(num(0.826), "0.83");
        assert_eq!(num(-0.001), "0");
    }

    #[test]
    fn literal_strings_escape_delimiters_and_high_bytes() {
        assert_eq!(literal(b"a(b)\\c"), "(a\\(b\\)\\\\c)");
        assert_eq!(literal(&[0x81, b'x', 0xF1]), "(\\201x\\361)");
    }
}
