//! Text to font codes and back: the single-byte encoding shared by both fonts
//! (WinAnsiEncoding plus the /fi and /fl ligature glyphs), glyph widths for line
//! breaking, and the /ToUnicode CMap that tells text extractors what each code means.

use crate::glyphs::GLYPHS;

/// The first code with a glyph; lower codes are never written.
pub(crate) const FIRST_CODE: u8 = 32;
/// The last code of the encoding.
pub(crate) const LAST_CODE: u8 = 255;
/// Code of the /fi ligature glyph (U+FB01), undefined in plain WinAnsiEncoding.
pub(crate) const FI_CODE: u8 = 129;
/// Code of the /fl ligature glyph (U+FB02), undefined in plain WinAnsiEncoding.
pub(crate) const FL_CODE: u8 = 141;
/// Code written for a character the fonts cannot show: `?`.
const REPLACEMENT: u8 = b'?';

/// Which of the two fonts a run of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

impl Face {
    /// Resource name of the font in each page's /Font dictionary.
    pub(crate) fn resource_name(self) -> &'static str {
        match self {
            Face::Regular => "F1",
            Face::Bold => "F2",
        }
    }

    /// The standard 14 font this face is.
    pub(crate) fn base_font(self) -> &'static str {
        match self {
            Face::Regular => "Helvetica",
            Face::Bold => "Helvetica-Bold",
        }
    }
}

/// The code for one character.
///
/// ASCII and every character of Windows-1252 map to their WinAnsiEncoding code, U+FB01 and
/// U+FB02 to the ligature codes, tabs and line breaks to a space, and the Unicode hyphen
/// variants and minus sign to `-`. Anything else becomes `?`.
pub(crate) fn encode_char(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\t' | '\n' | '\r' => b' ',
        '\u{2010}' | '\u{2011}' | '\u{2212}' => b'-',
        _ => GLYPHS
            .iter()
            .enumerate()
            .skip(usize::from(b'~' - FIRST_CODE) + 1)
            .find(|(_, glyph)| matches!(glyph, Some((_, u, _, _)) if *u == c))
            .map_or(REPLACEMENT, |(i, _)| FIRST_CODE + i as u8),
    }
}

/// The codes for a string, one byte per character (see [`encode_char`]).
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().map(encode_char).collect()
}

/// Advance width of one code in 1/1000 em; 0 for a code with no glyph.
pub(crate) fn code_width(code: u8, face: Face) -> u16 {
    code.checked_sub(FIRST_CODE)
        .and_then(|i| GLYPHS[usize::from(i)])
        .map_or(0, |(_, _, regular, bold)| match face {
            Face::Regular => regular,
            Face::Bold => bold,
        })
}

/// Width in points of a run of codes set at `size` points.
pub(crate) fn text_width(codes: &[u8], face: Face, size: f64) -> f64 {
    let units: u32 = codes.iter().map(|&c| u32::from(code_width(c, face))).sum();
    f64::from(units) * size / 1000.0
}

/// The font's /Widths array, codes [`FIRST_CODE`]..=[`LAST_CODE`].
pub(crate) fn widths(face: Face) -> Vec<i64> {
    (FIRST_CODE..=LAST_CODE)
        .map(|c| i64::from(code_width(c, face)))
        .collect()
}

/// The /Differences entries laid over WinAnsiEncoding: (code, glyph name).
pub(crate) fn differences() -> [(u8, &'static str); 2] {
    [(FI_CODE, "fi"), (FL_CODE, "fl")]
}

/// The /ToUnicode CMap shared by both fonts: every code with a glyph maps to its Unicode
/// value, the ligature codes to U+FB01 and U+FB02.
pub(crate) fn to_unicode_cmap() -> Vec<u8> {
    let entries: Vec<(u8, char)> = (FIRST_CODE..=LAST_CODE)
        .filter_map(|c| GLYPHS[usize::from(c - FIRST_CODE)].map(|(_, u, _, _)| (c, u)))
        .collect();
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n\
         12 dict begin\n\
         begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n\
         /CMapType 2 def\n\
         1 begincodespacerange\n\
         <00> <FF>\n\
         endcodespacerange\n",
    );
    // A bfchar section holds at most 100 mappings.
    for chunk in entries.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (code, u) in chunk {
            let mut units = [0u16; 2];
            let hex: String = u
                .encode_utf16(&mut units)
                .iter()
                .map(|unit| format!("{unit:04X}"))
                .collect();
            out.push_str(&format!("<{code:02X}> <{hex}>\n"));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str(
        "endcmap\n\
         CMapName currentdict /CMap defineresource pop\n\
         end\n\
         end\n",
    );
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_latin1_and_cp1252_characters_round_trip_through_the_table() {
        for c in "Año ¿Qué? ¡Sí! pingüino “quoted” ‘single’ – — € ñÑ".chars()
        {
            let code = encode_char(c);
            let glyph = GLYPHS[usize::from(code - FIRST_CODE)].expect("code has a glyph");
            assert_eq!(glyph.1, c, "{c:?} should map to its own glyph");
        }
    }

    #[test]
    fn ligatures_get_their_own_codes() {
        assert_eq!(encode("\u{FB01}\u{FB02}"), vec![FI_CODE, FL_CODE]);
        assert_eq!(code_width(FI_CODE, Face::Regular), 500);
        assert_eq!(code_width(FL_CODE, Face::Bold), 611);
    }

    #[test]
    fn unknown_characters_become_question_marks() {
        assert_eq!(encode("a\u{4E2D}b"), b"a?b".to_vec());
        assert_eq!(encode("x\u{2011}y\tz"), b"x-y z".to_vec());
    }

    #[test]
    fn cmap_lists_every_code_with_a_glyph() {
        let cmap = String::from_utf8(to_unicode_cmap()).unwrap();
        assert!(cmap.contains("<81> <FB01>"));
        assert!(cmap.contains("<8D> <FB02>"));
        assert!(cmap.contains("<F1> <00F1>"));
        assert!(cmap.contains("<93> <201C>"));
        assert!(!cmap.contains("<7F>"));
    }

    #[test]
    fn widths_cover_the_code_range() {
        let w = widths(Face::Regular);
        assert_eq!(w.len(), 224);
        assert_eq!(w[0], 278); // space
        assert_eq!(w[usize::from(b'W' - FIRST_CODE)], 944);
    }
}
