//! Publication date from what the document prints, before file metadata.
//!
//! PDF metadata dates are often wrong for a reader's purposes: a 1978 ordinance scanned in
//! 2025 says 2025, a plan re-exported a year later says the later year. So for a PDF, in this
//! order:
//!
//! 1. a date the first pages print next to a cue ("Adopted May 12, 2003", "Date: June 17,
//!    2015", "Updated July 16, 2023", "Meeting of ...");
//! 2. in a short PDF (12 pages or fewer), the last adoption date it prints ("Approved and
//!    adopted ... this 12th day of May, 2003"), where legal records say when they passed;
//! 3. a date the file is named by (`2018-08-13-minutes.pdf`, `1998-ord-61.pdf`): records are
//!    filed under the date of what they record;
//! 4. the first date on the cover (the start of page 1: "Climate Action Plan May 2019");
//! 5. a copyright notice with one year in the first pages ("Copyright © 2011 by ...");
//! 6. the PDF's metadata (creation, else modification date);
//! 7. estimates for documents that print no date at all: the latest date a cited source was
//!    "accessed", else the latest year the text mentions at least twice other than as a
//!    target ("by 2030"), or the latest `/YYYY/MM/` in a web page's link URLs if later.
//!
//! For a web page the extractor's date (meta tags, JSON-LD, a dated byline, a "Last updated"
//! label or a copyright notice printed anywhere on the page) comes first, then
//! steps 1–4 on the page's text. Dates are read as `Month D, YYYY`, `D Month YYYY`,
//! `Month YYYY`, `YYYY-MM-DD`, `M/D/YYYY`, seasons (`Fall 2020`) and Spanish `D de mes de
//! YYYY`; years outside 1900..=next year are ignored.

use std::sync::OnceLock;

use polsearch_extract::{Section, SourceKind};
use regex::Regex;

/// What date inference looks at.
pub struct DateInput<'a> {
    pub kind: SourceKind,
    /// Corpus-relative path; only its file name is used.
    pub path: &'a str,
    /// The extractor's date: PDF metadata, or an HTML page's meta/JSON-LD/byline date.
    pub extracted: Option<&'a str>,
    /// A web page's latest link date (`/2018/01/` in a linked URL), an estimate's lower bound.
    pub linked: Option<&'a str>,
    pub sections: &'a [Section],
}

/// A date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateGuess {
    pub date: String,
    pub source: String,
}

/// Records of at most this many pages are searched at their end for an adoption date.
const MAX_RECORD_PAGES: usize = 12;
/// How much of the first pages is searched for a cued date.
const CUE_CHARS: usize = 3000;
/// The cover: the start of page 1, or all of it when it is this short.
const COVER_CHARS: usize = 400;
const SHORT_COVER: usize = 800;

/// Infers the publication date of one document.
pub fn infer(input: &DateInput<'_>) -> Option<DateGuess> {
    let extracted = input.extracted.map(|d| DateGuess {
        date: d.to_string(),
        source: match input.kind {
            SourceKind::Pdf => "PDF metadata".to_string(),
            _ => "the page's metadata or byline".to_string(),
        },
    });
    if input.kind != SourceKind::Pdf && input.kind != SourceKind::Text {
        if let Some(g) = extracted {
            return Some(g);
        }
    }
    let head = first_text(input.sections, 2, CUE_CHARS);
    if let Some((date, cue)) = cued_date(&head) {
        return Some(DateGuess {
            date,
            source: format!("printed: \"{cue}\""),
        });
    }
    let record_end = if input.kind == SourceKind::Pdf {
        adoption_date(input.sections)
    } else {
        None
    };
    if let Some((date, cue)) = record_end {
        return Some(DateGuess {
            date,
            source: format!("printed at the end: \"{cue}\""),
        });
    }
    if let Some(date) = file_name_date(input.path) {
        return Some(DateGuess {
            date,
            source: "the file name".to_string(),
        });
    }
    let page1 = input.sections.first().map_or("", |s| s.text.as_str());
    let cover = if page1.len() <= SHORT_COVER {
        page1
    } else {
        prefix(page1, COVER_CHARS)
    };
    if let Some(found) = find_dates(cover).into_iter().next() {
        return Some(DateGuess {
            date: found.date,
            source: format!(
                "printed on the cover: \"{}\"",
                &cover[found.start..found.end]
            ),
        });
    }
    if input.kind == SourceKind::Pdf {
        if let Some((year, shown)) = copyright_year(input.sections) {
            return Some(DateGuess {
                date: year,
                source: format!("printed: \"{shown}\""),
            });
        }
    }
    if extracted.is_some() {
        return extracted;
    }
    if let Some(date) = latest_access_date(input.sections) {
        return Some(DateGuess {
            date,
            source: "estimated: the latest date a source was accessed".to_string(),
        });
    }
    // Both are lower bounds of the date (a text postdates what it reports on and links
    // to): the later one is the tighter.
    let linked = input
        .linked
        .and_then(|d| d.get(..4)?.parse::<u32>().ok())
        .filter(|&y| plausible_year(y) && y <= current_year());
    match (latest_repeated_year(input.sections), linked) {
        (Some(text), Some(link)) if link > text => Some(linked_guess(link)),
        (None, Some(link)) => Some(linked_guess(link)),
        (text, _) => text.map(|y| DateGuess {
            date: y.to_string(),
            source: "estimated: the latest year the text mentions repeatedly".to_string(),
        }),
    }
}

fn linked_guess(year: u32) -> DateGuess {
    DateGuess {
        date: year.to_string(),
        source: "estimated: the latest date in the paths of the page's links".to_string(),
    }
}

/// Pages of a PDF's front matter, where a copyright notice dates the edition.
const FRONT_PAGES: usize = 4;

/// The year of a copyright notice in the front matter ("Copyright © 2011 by the University
/// of Michigan", "© 2019 Urban Institute"): the edition's year, which metadata of a file
/// exported later does not know. A range ("© 2009–2016") is a publisher's, not a date.
fn copyright_year(sections: &[Section]) -> Option<(String, String)> {
    static NOTICE: OnceLock<Regex> = OnceLock::new();
    let notice = regex(
        &NOTICE,
        r"(?i)(?:copyright\s*(?:©|\(c\))?|©)\s*((?:19|20)\d\d)\b(\s*[-–—]\s*(?:19|20)?\d\d)?",
    );
    let pages = sections
        .iter()
        .take_while(|s| s.page.is_none_or(|p| p as usize <= FRONT_PAGES))
        .take(FRONT_PAGES * 8);
    for s in pages {
        for c in notice.captures_iter(&s.text) {
            let year: u32 = c[1].parse().ok()?;
            if c.get(2).is_none() && plausible_year(year) && year <= current_year() {
                return Some((
                    year.to_string(),
                    c[0].split_whitespace().collect::<Vec<_>>().join(" "),
                ));
            }
        }
    }
    None
}

/// A text is written after the sources it cites were "accessed"/"retrieved".
fn latest_access_date(sections: &[Section]) -> Option<String> {
    static ACCESS: OnceLock<Regex> = OnceLock::new();
    let cue = regex(
        &ACCESS,
        r"(?i)\b(accessed|retrieved|last visited|viewed)\b(?:\s+(?:on|at))?\s*:?\s*",
    );
    let mut best: Option<String> = None;
    for s in sections {
        for m in cue.find_iter(&s.text) {
            let after = prefix(&s.text[m.end()..], 30);
            if let Some(f) = find_dates(after).into_iter().find(|f| f.start == 0) {
                if best.as_ref().is_none_or(|b| f.date[..4] > b[..4]) {
                    best = Some(f.date);
                }
            }
        }
    }
    best.map(|d| d[..4].to_string())
}

/// The latest year mentioned at least twice other than as a target ("by 2030", "until
/// 2020"): a document is rarely older than the years it reports on. A last resort.
fn latest_repeated_year(sections: &[Section]) -> Option<u32> {
    static YEAR: OnceLock<Regex> = OnceLock::new();
    static FUTURE: OnceLock<Regex> = OnceLock::new();
    let year = regex(&YEAR, r"\b(19|20)\d\d\b");
    let future = regex(
        &FUTURE,
        r"(?i)\b(by|until|till|through|thru|projected|forecast|target|goal|before|fy|fiscal year)\W{0,3}$",
    );
    let mut counts: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
    for s in sections {
        for m in year.find_iter(&s.text) {
            if future.is_match(tail_before(&s.text, m.start(), 16)) {
                continue;
            }
            if let Ok(y) = m.as_str().parse::<u32>() {
                if plausible_year(y) && y <= current_year() {
                    *counts.entry(y).or_default() += 1;
                }
            }
        }
    }
    counts.iter().rev().find(|(_, &n)| n >= 2).map(|(&y, _)| y)
}

/// The first `max_sections` sections' text, up to `max_chars` from each.
fn first_text(sections: &[Section], max_sections: usize, max_chars: usize) -> String {
    let mut out = String::new();
    for s in sections.iter().take(max_sections) {
        out.push_str(prefix(&s.text, max_chars));
        out.push('\n');
    }
    out
}

/// Up to `n` bytes of `text` before byte `pos` (a char boundary), starting on a char boundary.
fn tail_before(text: &str, pos: usize, n: usize) -> &str {
    let mut from = pos.saturating_sub(n);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..pos]
}

fn prefix(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| match Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => panic!("date pattern does not compile: {e}"),
    })
}

/// The first date that follows a cue word closely, with the cue and date as printed.
fn cued_date(text: &str) -> Option<(String, String)> {
    static CUE: OnceLock<Regex> = OnceLock::new();
    let cue = regex(
        &CUE,
        r"(?i)\b(adopted|approved|dated|date|published|issued|prepared|effective|passed|released|revised|updated|enacted|meeting of|held on|fecha|publicado)\b",
    );
    cued_date_with(text, cue)
}

/// The adoption date a short legal record prints after its text ("Approved and adopted ...
/// this 12th day of May, 2003"): the last one in the record.
fn adoption_date(sections: &[Section]) -> Option<(String, String)> {
    if sections.is_empty() || sections.len() > MAX_RECORD_PAGES {
        return None;
    }
    static CUE: OnceLock<Regex> = OnceLock::new();
    let cue = regex(&CUE, r"(?i)\b(adopted|approved|passed|enacted)\b");
    let mut found = None;
    for s in sections {
        if let Some(last) = cued_dates(&s.text, cue).pop() {
            found = Some(last);
        }
    }
    found
}

fn cued_date_with(text: &str, cue: &Regex) -> Option<(String, String)> {
    cued_dates(text, cue).into_iter().next()
}

/// Every date in `text` that a cue labels, in order, with the cue and date as printed.
fn cued_dates(text: &str, cue: &Regex) -> Vec<(String, String)> {
    static GAP: OnceLock<Regex> = OnceLock::new();
    let gap = regex(
        &GAP,
        r"^[\s:,.\-–]*(?:(?i:on|in|as of|at|this))?[\s:,]*$|^\s+(?i:by|at)\s+(?:(?i:the)\s+)?[A-Z][A-Za-z ]{0,40}?\s+(?i:on|in|this)(?:\s+(?i:the))?\s+$",
    );
    let mut out = Vec::new();
    for d in find_dates(text) {
        // The cue must come shortly before the date, on the same line.
        let before = tail_before(text, d.start, 48);
        if before.contains('\n') {
            continue;
        }
        if let Some(m) = cue.find_iter(before).last() {
            // Only a label's own date: "Adopted: May 2, 2003", "Date: June 17, 2015",
            // "Approved by the City Council on ...", not "adopted the plan in 1996".
            if gap.is_match(&before[m.end()..]) {
                let shown = format!("{}{}", &before[m.start()..], &text[d.start..d.end]);
                out.push((
                    d.date,
                    shown.split_whitespace().collect::<Vec<_>>().join(" "),
                ));
            }
        }
    }
    out
}

/// A date at the start of the file name (after a `collection__` prefix): `2018-08-13-...`,
/// `20180813...`, `1998-ord...`.
fn file_name_date(path: &str) -> Option<String> {
    static NAME: OnceLock<Regex> = OnceLock::new();
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once("__").map_or(file, |(_, s)| s);
    let re = regex(
        &NAME,
        r"^((?:19|20)\d\d)(?:[-_]?([01]\d)(?:[-_]?([0-3]\d))?)?(?:[-_. ]|$)",
    );
    let c = re.captures(stem)?;
    let year: u32 = c[1].parse().ok()?;
    if !plausible_year(year) {
        return None;
    }
    let month = c.get(2).and_then(|m| m.as_str().parse::<u32>().ok());
    let day = c.get(3).and_then(|m| m.as_str().parse::<u32>().ok());
    format_date(year, month, day)
}

struct Found {
    start: usize,
    end: usize,
    date: String,
}

const MONTHS: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

fn month_number(s: &str) -> Option<u32> {
    let s = s.to_lowercase();
    let n = match s.get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return spanish_month(&s),
    };
    Some(n)
}

fn spanish_month(s: &str) -> Option<u32> {
    let names = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    names.iter().position(|n| *n == s).map(|i| i as u32 + 1)
}

fn current_year() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    1970 + (secs / 31_556_952) as u32
}

fn plausible_year(y: u32) -> bool {
    (1900..=current_year() + 1).contains(&y)
}

fn format_date(year: u32, month: Option<u32>, day: Option<u32>) -> Option<String> {
    if !plausible_year(year) {
        return None;
    }
    match (month, day) {
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            Some(format!("{year:04}-{m:02}-{d:02}"))
        }
        (Some(m), _) if (1..=12).contains(&m) => Some(format!("{year:04}-{m:02}")),
        (None, _) => Some(format!("{year:04}")),
        _ => None,
    }
}

/// Every date printed in `text`, in order; where two readings overlap the longer wins.
fn find_dates(text: &str) -> Vec<Found> {
    static MDY: OnceLock<Regex> = OnceLock::new();
    static DMY: OnceLock<Regex> = OnceLock::new();
    static MY: OnceLock<Regex> = OnceLock::new();
    static ISO: OnceLock<Regex> = OnceLock::new();
    static US: OnceLock<Regex> = OnceLock::new();
    static SEASON: OnceLock<Regex> = OnceLock::new();
    static ES: OnceLock<Regex> = OnceLock::new();
    let mdy = regex(
        &MDY,
        &format!(r"(?i)\b{MONTHS}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b"),
    );
    let dmy = regex(
        &DMY,
        &format!(r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTHS}\.?,?\s+((?:19|20)\d\d)\b"),
    );
    let my = regex(&MY, &format!(r"(?i)\b{MONTHS}\.?\s*,?\s+((?:19|20)\d\d)\b"));
    // The legal form: "this 12th day of May, 2003", "the _____ day of April, 2025".
    static DAY_OF: OnceLock<Regex> = OnceLock::new();
    let day_of = regex(
        &DAY_OF,
        &format!(
            r"(?i)(?:\b(\d{{1,2}})(?:st|nd|rd|th)?\s*|_+\s*)day\s+of\s+{MONTHS}\s*,?\s+((?:19|20)\d\d)\b"
        ),
    );
    let iso = regex(&ISO, r"\b((?:19|20)\d\d)-([01]\d)-([0-3]\d)\b");
    let us = regex(&US, r"\b([01]?\d)/([0-3]?\d)/((?:19|20)\d\d)\b");
    let season = regex(
        &SEASON,
        r"(?i)\b(spring|summer|fall|autumn|winter)\s+((?:19|20)\d\d)\b",
    );
    let es = regex(
        &ES,
        r"(?i)\b(\d{1,2})\s+de\s+(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\s+(?:de\s+|del\s+)?((?:19|20)\d\d)\b",
    );
    let num = |s: &str| s.parse::<u32>().ok();
    let mut out: Vec<Found> = Vec::new();
    let mut push = |m: regex::Match<'_>, date: Option<String>| {
        if let Some(date) = date {
            out.push(Found {
                start: m.start(),
                end: m.end(),
                date,
            });
        }
    };
    for c in mdy.captures_iter(text) {
        let d = (|| format_date(num(&c[3])?, month_number(&c[1]), num(&c[2])))();
        push(c.get(0).expect("match"), d);
    }
    for c in dmy.captures_iter(text) {
        let d = (|| format_date(num(&c[3])?, month_number(&c[2]), num(&c[1])))();
        push(c.get(0).expect("match"), d);
    }
    for c in my.captures_iter(text) {
        let d = (|| format_date(num(&c[2])?, month_number(&c[1]), None))();
        push(c.get(0).expect("match"), d);
    }
    for c in iso.captures_iter(text) {
        let d = (|| format_date(num(&c[1])?, num(&c[2]), num(&c[3])))();
        push(c.get(0).expect("match"), d);
    }
    for c in us.captures_iter(text) {
        let d = (|| format_date(num(&c[3])?, num(&c[1]), num(&c[2])))();
        push(c.get(0).expect("match"), d);
    }
    for c in season.captures_iter(text) {
        let d = (|| format_date(num(&c[2])?, None, None))();
        push(c.get(0).expect("match"), d);
    }
    for c in day_of.captures_iter(text) {
        let day = c.get(1).and_then(|m| num(m.as_str()));
        let d = (|| format_date(num(&c[3])?, month_number(&c[2]), day))();
        push(c.get(0).expect("match"), d);
    }
    for c in es.captures_iter(text) {
        let d = (|| format_date(num(&c[3])?, spanish_month(&c[2].to_lowercase()), num(&c[1])))();
        push(c.get(0).expect("match"), d);
    }
    // Earliest first; at one position the longest reading; drop readings inside another.
    out.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Found> = Vec::new();
    for f in out {
        if kept.last().is_some_and(|k| f.start < k.end) {
            continue;
        }
        kept.push(f);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(path: &str, meta: Option<&str>, pages: &[&str]) -> Option<DateGuess> {
        let sections: Vec<Section> = pages
            .iter()
            .map(|t| Section {
                text: t.to_string(),
                ..Section::default()
            })
            .collect();
        infer(&DateInput {
            kind: SourceKind::Pdf,
            path,
            extracted: meta,
            linked: None,
            sections: &sections,
        })
    }

    fn date(g: Option<DateGuess>) -> Option<String> {
        g.map(|g| g.date)
    }

    #[test]
    fn reads_printed_dates() {
        let dates: Vec<String> = find_dates(
            "Sept. 18th, 2015 and 3 March 2020, May 2019, 2021-09-14, 7/6/2016, Fall 2020, 20 de noviembre de 2024",
        )
        .into_iter()
        .map(|f| f.date)
        .collect();
        assert_eq!(
            dates,
            [
                "2015-09-18",
                "2020-03-03",
                "2019-05",
                "2021-09-14",
                "2016-07-06",
                "2020",
                "2024-11-20"
            ]
        );
        assert!(find_dates("in 1850 and by 2150, item 2019").is_empty());
    }

    #[test]
    fn printed_date_beats_metadata() {
        let g = pdf(
            "pdf/x.pdf",
            Some("2025-01-02"),
            &["ORDINANCE NO. 12 AN ORDINANCE ... Adopted by the Council on March 3, 1998."],
        );
        assert_eq!(date(g), Some("1998-03-03".into()));
        let g = pdf(
            "pdf/plan.pdf",
            Some("2020-06-01"),
            &["Riverside Climate Action Plan May 2019"],
        );
        assert_eq!(date(g), Some("2019-05".into()));
    }

    #[test]
    fn a_copyright_notice_beats_metadata_but_not_a_range() {
        let cover = "GREEN BUILDING AND CLIMATE RESILIENCE Understanding impacts and preparing for changing conditions";
        let g = pdf(
            "pdf/gb.pdf",
            Some("2012-02-27"),
            &[
                cover,
                "Copyright © 2011 by the University of Michigan. All rights reserved.",
            ],
        );
        assert_eq!(date(g), Some("2011".into()));
        let g = pdf(
            "pdf/gb.pdf",
            Some("2012-02-27"),
            &[cover, "© 2009-2016 Publisher Inc. All rights reserved."],
        );
        assert_eq!(date(g), Some("2012-02-27".into()));
    }

    #[test]
    fn a_cue_in_prose_is_not_a_label() {
        let page = format!(
            "ORDINANCE 68. {} Metro adopted the functional plan in November 1996.",
            "The city amends its land development rules to comply with regional requirements. "
                .repeat(10)
        );
        let g = pdf("pdf/o.pdf", Some("2001-02-03"), &[&page]);
        assert_eq!(date(g), Some("2001-02-03".into()));
        let g = pdf(
            "pdf/p.pdf",
            None,
            &["Approved by the City Council on June 4, 2012"],
        );
        assert_eq!(date(g), Some("2012-06-04".into()));
    }

    #[test]
    fn reads_the_legal_day_of_form() {
        let g = pdf(
            "pdf/2019-res-1.pdf",
            Some("2019-05-13"),
            &[
                "RESOLUTION 41 A RESOLUTION AMENDING THE FEE SCHEDULE",
                "Section 5. Approved and adopted at the City Council meeting on the _____day of April , 2025",
            ],
        );
        assert_eq!(date(g), Some("2025-04".into()));
        let g = pdf("pdf/r.pdf", None, &["ADOPTED this 12th day of May, 2003."]);
        assert_eq!(date(g), Some("2003-05-12".into()));
    }

    #[test]
    fn file_name_date_beats_metadata_of_a_scan() {
        assert_eq!(
            date(pdf(
                "pdf/town__1978-06-12-ord-28.pdf",
                Some("2025-04-01"),
                &[""]
            )),
            Some("1978-06-12".into())
        );
        assert_eq!(
            date(pdf("pdf/1989-ord-54.pdf", Some("2025-04-01"), &[""])),
            Some("1989".into())
        );
        // A year at the end of the name is not a record date.
        assert_eq!(
            date(pdf("pdf/city-plan-2018.pdf", Some("2019-02"), &[""])),
            Some("2019-02".into())
        );
    }

    #[test]
    fn undated_text_is_estimated() {
        let g = pdf(
            "pdf/a.pdf",
            None,
            &[
                "A long study of 2012 and 2013 and 2013 again, goals for 2030 and by 2040.",
                "Source: city data, accessed May 4, 2014.",
            ],
        );
        assert_eq!(date(g), Some("2014".into()));
        let g = pdf(
            "pdf/b.pdf",
            None,
            &["Rents rose in 2012 and 2013; in 2013 they fell; target 2030, by 2030."],
        );
        assert_eq!(date(g), Some("2013".into()));
        assert_eq!(date(pdf("pdf/c.pdf", None, &["no years here"])), None);
    }

    #[test]
    fn web_pages_keep_their_metadata_date() {
        let sections = vec![Section {
            text: "Published May 3, 2010 and revised since.".into(),
            ..Section::default()
        }];
        let g = infer(&DateInput {
            kind: SourceKind::Html,
            path: "html/a.html",
            extracted: Some("2021-09-14"),
            linked: Some("2023-01"),
            sections: &sections,
        });
        assert_eq!(date(g), Some("2021-09-14".into()));
    }

    #[test]
    fn an_undated_page_is_no_older_than_what_it_links_to() {
        let web = |text: &str, linked: Option<&str>| {
            let sections = vec![Section {
                text: text.into(),
                ..Section::default()
            }];
            date(infer(&DateInput {
                kind: SourceKind::Html,
                path: "html/a.html",
                extracted: None,
                linked,
                sections: &sections,
            }))
        };
        assert_eq!(
            web("Quotes from experts.", Some("2018-01")),
            Some("2018".into())
        );
        let text = "Budgets of 2012 and 2013, and 2013 again.";
        assert_eq!(web(text, Some("2010-05")), Some("2013".into()));
        assert_eq!(web(text, Some("2015-05")), Some("2015".into()));
        assert_eq!(web(text, None), Some("2013".into()));
    }
}
