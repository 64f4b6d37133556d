//! Language of a document, detected once per document with whatlang.
//!
//! Detection runs on a sample of the text (not the title: too short to be reliable) with
//! an allowlist of languages a US city library actually holds, which lifts accuracy on
//! short texts a lot. With too little text, the language the source states wins, then
//! English.

use std::sync::OnceLock;

use whatlang::{Detector, Lang};

/// Below this many words detection is a guess; the stated language or English wins.
const MIN_WORDS: usize = 20;
/// Enough text to be sure; detecting on more only costs time.
const SAMPLE_BYTES: usize = 4096;

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| {
        Detector::with_allowlist(vec![
            Lang::Eng,
            Lang::Spa,
            Lang::Vie,
            Lang::Fra,
            Lang::Por,
            Lang::Cmn,
            Lang::Kor,
            Lang::Tgl,
            Lang::Ara,
            Lang::Rus,
            Lang::Deu,
            Lang::Ita,
            Lang::Jpn,
            Lang::Hin,
        ])
    })
}

/// ISO 639-1 code for the languages on the allowlist.
fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Eng => "en",
        Lang::Spa => "es",
        Lang::Vie => "vi",
        Lang::Fra => "fr",
        Lang::Por => "pt",
        Lang::Cmn => "zh",
        Lang::Kor => "ko",
        Lang::Tgl => "tl",
        Lang::Ara => "ar",
        Lang::Rus => "ru",
        Lang::Deu => "de",
        Lang::Ita => "it",
        Lang::Jpn => "ja",
        Lang::Hin => "hi",
        _ => "und",
    }
}

/// Detects the language of `texts` (a document's sections in order); `stated` is what the
/// file declares, used when there is too little text to tell.
pub fn detect<'a>(texts: impl IntoIterator<Item = &'a str>, stated: Option<&str>) -> String {
    let mut sample = String::new();
    for t in texts {
        if sample.len() >= SAMPLE_BYTES {
            break;
        }
        if !sample.is_empty() {
            sample.push(' ');
        }
        let room = SAMPLE_BYTES - sample.len().min(SAMPLE_BYTES);
        let cut = floor_char_boundary(t, room);
        sample.push_str(&t[..cut]);
    }
    let stated = stated
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| s.len() == 2);
    if sample.split_whitespace().count() < MIN_WORDS {
        return stated.unwrap_or_else(|| "en".to_string());
    }
    match detector().detect(&sample) {
        Some(info) => iso639_1(info.lang()).to_string(),
        None => stated.unwrap_or_else(|| "en".to_string()),
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_spanish() {
        let en = "The city council adopted a water affordability program that caps bills at a share of household income and ends shutoffs for families enrolled in assistance.";
        let es = "El ayuntamiento aprobó un programa de asequibilidad del agua que limita las facturas a una parte del ingreso del hogar y suspende los cortes de servicio para las familias inscritas.";
        assert_eq!(detect([en], None), "en");
        assert_eq!(detect([es], Some("en")), "es");
    }

    #[test]
    fn short_text_uses_stated_language() {
        assert_eq!(detect(["Agua potable"], Some("es")), "es");
        assert_eq!(detect(["Water"], None), "en");
    }
}
