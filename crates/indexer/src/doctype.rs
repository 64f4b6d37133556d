//! Document type (`guide`, `brief`, `report`, `plan`, `briefing-book`, `meeting-record`,
//! `budget`, `toolkit`, `presentation`, `article`, `other`) from structure and wording.
//!
//! Every rule that fires adds points to one type; the type with the most points wins, and each
//! rule that counted is kept as evidence (`polsearch inspect` shows them). The wording rules
//! look at the *head* of the document (title, file name and the first ~2,000 characters of
//! text, where a cover or a memo header says what the document is; words in the title or file
//! name count 1.5 times, and a web page's text is not read for them); the structure rules look
//! at the page count, the text per page (slides carry little), links per word (resource lists),
//! and for web pages at their length and headings. With no evidence a PDF is a `report` and a
//! web page an `article`, the commonest types of each.

use std::sync::OnceLock;

use polsearch_extract::{Section, SourceKind};
use regex::Regex;

/// The type slugs, in the order ties are broken.
pub const TYPES: [&str; 11] = [
    "meeting-record",
    "briefing-book",
    "budget",
    "plan",
    "toolkit",
    "guide",
    "brief",
    "presentation",
    "article",
    "report",
    "other",
];

/// What type inference looks at.
pub struct TypeInput<'a> {
    pub kind: SourceKind,
    pub title: &'a str,
    /// Corpus-relative path; only its file name is used.
    pub path: &'a str,
    pub page_count: Option<u32>,
    pub has_text: bool,
    pub sections: &'a [Section],
}

/// The inferred type and the rules that fired for it (`"plan +4: 'action plan' in the head"`).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeGuess {
    pub doc_type: String,
    pub evidence: Vec<String>,
}

struct Rule {
    doc_type: &'static str,
    points: f32,
    /// Where the pattern is looked for.
    scope: Scope,
    pattern: &'static str,
    why: &'static str,
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// Title and file name.
    Name,
    /// Title, file name and the first text.
    Head,
    /// The first 400 characters of text only (a memo or ordinance header).
    Top,
}

/// Wording rules. Patterns are matched case-insensitively on text with runs of whitespace
/// collapsed; file names have `_`, `-` and `.` turned into spaces.
const RULES: &[Rule] = &[
    // Records of a meeting or a legislative act.
    Rule {
        doc_type: "meeting-record",
        points: 4.0,
        scope: Scope::Head,
        pattern: r"\b(meeting|council|commission|board|committee) minutes\b|\bminutes of the\b|\bminutes\b.{0,40}\b(meeting|council|session)\b",
        why: "minutes",
    },
    Rule {
        doc_type: "meeting-record",
        points: 4.0,
        scope: Scope::Top,
        pattern: r"\bordinance\s*(no\b|number\b|#)|^\W*(an )?ordinance\b|\ban ordinance (of|amending|adopting|that|to|establishing)\b",
        why: "an ordinance",
    },
    Rule {
        doc_type: "meeting-record",
        points: 4.0,
        scope: Scope::Top,
        pattern: r"^\W*resolution\b|\bresolution\s*(no\b|number\b|#)|\ba resolution (of|amending|adopting|to|establishing|authorizing)\b",
        why: "a resolution",
    },
    Rule {
        doc_type: "meeting-record",
        points: 4.0,
        scope: Scope::Head,
        pattern: r"\bfederal register\b|\blegal notice\b|\bnotice of (a )?public hearing\b|\bcity charter\b|\bhome rule charter\b",
        why: "a notice or charter",
    },
    Rule {
        doc_type: "meeting-record",
        points: 3.0,
        scope: Scope::Head,
        pattern: r"\bcall(ed)? to order\b.*\broll call\b|\broll call\b.*\bcall(ed)? to order\b",
        why: "call to order and roll call",
    },
    Rule {
        doc_type: "meeting-record",
        points: 3.0,
        scope: Scope::Name,
        pattern: r"\b(minutes|ordinance|ord|resolution|res|charter)\b",
        why: "file name names a record",
    },
    // Compilations for a meeting.
    Rule {
        doc_type: "briefing-book",
        points: 5.0,
        scope: Scope::Head,
        pattern: r"\bbriefing book\b|\bagenda packet\b|\bmeeting packet\b|\bboard packet\b|\bconference (materials|program)\b",
        why: "packet or briefing book",
    },
    Rule {
        doc_type: "briefing-book",
        points: 5.0,
        scope: Scope::Name,
        pattern: r"\bpacket\b|\bbriefing ?book\b",
        why: "file name says packet",
    },
    // Budgets.
    Rule {
        doc_type: "budget",
        points: 4.0,
        scope: Scope::Head,
        pattern: r"\b(operating|capital|adopted|proposed|recommended|annual|summary|city) budget\b|\bbudget (in brief|book|summary|document)\b",
        why: "a budget named",
    },
    Rule {
        doc_type: "budget",
        points: 3.0,
        scope: Scope::Name,
        pattern: r"\bbudget\b|\bdebt service\b|\bfte\b",
        why: "budget in the title or file name",
    },
    Rule {
        doc_type: "budget",
        points: 2.0,
        scope: Scope::Head,
        pattern: r"\bfiscal years? (20|19)\d\d\b|\bfy ?(20)?\d\d\b",
        why: "a fiscal year",
    },
    // Plans.
    Rule {
        doc_type: "plan",
        points: 3.0,
        scope: Scope::Head,
        pattern: r"\b(climate|energy|sustainability|resilience|resiliency|adaptation|mitigation|master|strategic|comprehensive|action|green|transportation|housing|implementation|work|general|area|neighborhood) ?plan\b|\bresilien(ce|cy) strategy\b|\bclimate (adaptation )?strateg(y|ies)\b",
        why: "a plan named",
    },
    Rule {
        doc_type: "plan",
        points: 2.0,
        scope: Scope::Name,
        pattern: r"\broad ?map\b|\bblueprint\b|\bplan\b",
        why: "plan or road map",
    },
    // Worksheets and forms.
    Rule {
        doc_type: "toolkit",
        points: 4.0,
        scope: Scope::Name,
        pattern: r"\b(worksheet|template|checklist|form|info ?sheet|exercise|scorecard|toolkit|tool kit)s?\b",
        why: "worksheet, template, checklist or form",
    },
    Rule {
        doc_type: "toolkit",
        points: 2.0,
        scope: Scope::Head,
        pattern: r"\bfill (in|out)\b|\bcheck (all|the box)\b|\byour answers?\b",
        why: "asks to be filled in",
    },
    Rule {
        doc_type: "toolkit",
        points: 2.0,
        scope: Scope::Name,
        pattern: r"\bexample\b",
        why: "an example to copy",
    },
    // Guidance.
    Rule {
        doc_type: "guide",
        points: 4.0,
        scope: Scope::Head,
        pattern: r"\b(guide|guidebook|guidance|handbook|manual|instructions|how to|getting started|quick start|best practices|primer|playbook)\b",
        why: "guide or instructions",
    },
    Rule {
        doc_type: "guide",
        points: 2.0,
        scope: Scope::Name,
        pattern: r"\b(workshop|resource|library|examples?)\b",
        why: "workshop or resource",
    },
    // Short pieces.
    Rule {
        doc_type: "brief",
        points: 3.0,
        scope: Scope::Head,
        pattern: r"\b(policy|issue|research|data) brief\b|\bfact ?sheet\b|\bwhite paper\b|\bmemo(randum)?\b",
        why: "brief, fact sheet or memo",
    },
    // Web articles and newsletters.
    Rule {
        doc_type: "article",
        points: 6.0,
        scope: Scope::Head,
        pattern: r"\bnewsletter\b|\bin this issue\b|\bpress release\b|\bblog post\b",
        why: "newsletter or press release",
    },
    // Research.
    Rule {
        doc_type: "report",
        points: 3.0,
        scope: Scope::Head,
        pattern: r"\b(quarterly|annual|progress|final|status|research|technical) report\b",
        why: "a periodic or final report",
    },
    Rule {
        doc_type: "report",
        points: 2.0,
        scope: Scope::Head,
        pattern: r"\b(report|case study|case studies|assessment|analysis|evaluation|findings|study|technical documentation|methodology|working paper|literature review|abstract)\b",
        why: "report, study or assessment",
    },
    // Supporting pages.
    Rule {
        doc_type: "other",
        points: 4.0,
        scope: Scope::Name,
        pattern: r"\b(peer reviews?|quotes|data methods|data depot|archive|publications|resource list|bibliography|test page)\b",
        why: "supporting page (reviews, quotes, data notes, lists)",
    },
];

fn compiled() -> &'static Vec<Regex> {
    static R: OnceLock<Vec<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        RULES
            .iter()
            .map(|r| match Regex::new(&format!("(?is){}", r.pattern)) {
                Ok(re) => re,
                Err(e) => panic!("doctype rule {:?} does not compile: {e}", r.why),
            })
            .collect()
    })
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| match Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => panic!("doctype pattern does not compile: {e}"),
    })
}

/// Weight of a wording rule matched in the title or file name rather than the text.
const NAME_FACTOR: f32 = 1.5;

/// Characters of text read as the document's head.
const HEAD_CHARS: usize = 2000;

/// Infers the type of one document.
pub fn infer(input: &TypeInput<'_>) -> TypeGuess {
    let file = input.path.rsplit('/').next().unwrap_or(input.path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let name = format!(
        "{} {}",
        collapse(input.title),
        stem.replace(['_', '-', '.'], " ")
    );
    let mut text_head = String::new();
    for s in input.sections {
        if text_head.len() >= HEAD_CHARS {
            break;
        }
        text_head.push_str(&s.text);
        text_head.push(' ');
    }
    let text_head = collapse(&truncate(&text_head, HEAD_CHARS));
    let top = truncate(&text_head, 400);

    let mut score = Scores::default();
    let pages = input.page_count.unwrap_or(0);
    let pdf = input.kind == SourceKind::Pdf;
    let html = input.kind == SourceKind::Html;
    let chars: usize = input.sections.iter().map(|s| s.text.len()).sum();
    let words: usize = input
        .sections
        .iter()
        .map(|s| s.text.split_whitespace().count())
        .sum();

    for (rule, regex) in RULES.iter().zip(compiled()) {
        // What a document calls itself in its title or file name counts half again as much
        // as the same words in its text. A web page's text says little about its type.
        let found = match rule.scope {
            Scope::Name => regex.find(&name).map(|m| (m, NAME_FACTOR)),
            Scope::Head => regex.find(&name).map(|m| (m, NAME_FACTOR)).or_else(|| {
                if html {
                    None
                } else {
                    regex.find(&text_head).map(|m| (m, 1.0))
                }
            }),
            Scope::Top => regex.find(&top).map(|m| (m, 1.0)),
        };
        if let Some((m, factor)) = found {
            let mut points = rule.points * factor;
            // A "plan" of a few pages is a template or a memo about a plan, not a plan.
            if rule.doc_type == "plan" && pdf && pages < 10 {
                points /= 2.0;
            }
            // A memo of many pages is a technical report.
            if rule.doc_type == "brief" && pdf && pages > 10 {
                score.add("report", 2.0, format!("long memo ({pages} pages)"));
                continue;
            }
            let found: String = m.as_str().chars().take(40).collect();
            score.add(
                rule.doc_type,
                points,
                format!("{} ('{}')", rule.why, found.trim()),
            );
        }
    }

    // Structure.
    if pdf {
        score.add("report", 1.5, "a PDF".into());
        if input.has_text && (1..=8).contains(&pages) {
            score.add("brief", 2.2, format!("short ({pages} pages)"));
        }
        if pages >= 6 && input.has_text {
            let mut per_page: Vec<usize> = input.sections.iter().map(|s| s.text.len()).collect();
            per_page.sort_unstable();
            let median = per_page[per_page.len() / 2];
            if median < 600 {
                score.add(
                    "presentation",
                    4.0,
                    format!("slide-like pages (median {median} characters)"),
                );
            }
        }
        // A meeting agenda followed by many pages of attachments is a packet.
        static AGENDA: OnceLock<Regex> = OnceLock::new();
        if pages >= 15
            && re(&AGENDA, r"(?i)\b(agenda|orden del d[ií]a)\b")
                .is_match(&truncate(&text_head, 800))
        {
            score.add(
                "briefing-book",
                5.0,
                format!("an agenda opening {pages} pages"),
            );
        }
        if !input.has_text && starts_with_date(stem) {
            score.add(
                "meeting-record",
                2.0,
                "scanned, file named by date (a municipal record)".into(),
            );
        }
    }
    if html || input.kind == SourceKind::Markdown {
        score.add("article", 2.0, "a web page".into());
        if chars < 400 {
            score.add(
                "other",
                8.0,
                format!("almost no content ({chars} characters)"),
            );
        }
        let report_heading = input.sections.iter().any(|s| {
            s.heading.as_deref().is_some_and(|h| {
                let h = h.to_lowercase();
                h.contains("executive summary")
                    || h.contains("table of contents")
                    || h.contains("takeaways")
                    || h.contains("context and background")
            })
        });
        if report_heading && chars >= 15_000 {
            score.add(
                "report",
                4.0,
                "long page with report headings (summary, takeaways, contents)".into(),
            );
        }
    }
    // Lists of links: resource lists and directories.
    static URL: OnceLock<Regex> = OnceLock::new();
    let urls = input
        .sections
        .iter()
        .map(|s| re(&URL, r"https?://|www\.").find_iter(&s.text).count())
        .sum::<usize>();
    if urls >= 15 && urls * 40 >= words {
        score.add(
            "other",
            4.0,
            format!("a list of links ({urls} links in {words} words)"),
        );
    }
    // How the document refers to itself.
    static SELF_PLAN: OnceLock<Regex> = OnceLock::new();
    static SELF_REPORT: OnceLock<Regex> = OnceLock::new();
    let count = |cell: &'static OnceLock<Regex>, p: &str| -> usize {
        input
            .sections
            .iter()
            .map(|s| re(cell, p).find_iter(&s.text).count())
            .sum()
    };
    let plan_refs = count(&SELF_PLAN, r"(?i)\b(this|the) (action )?plan\b");
    let report_refs = count(
        &SELF_REPORT,
        r"(?i)\b(this|the) (report|study|assessment)\b",
    );
    if pages >= 10 && plan_refs >= 5 && plan_refs > 2 * report_refs {
        score.add(
            "plan",
            3.0,
            format!("calls itself a plan ({plan_refs} times)"),
        );
    }
    if report_refs >= 3 && report_refs > plan_refs {
        score.add(
            "report",
            1.5,
            format!("calls itself a report or study ({report_refs} times)"),
        );
    }
    score.best()
}

#[derive(Default)]
struct Scores {
    points: [f32; TYPES.len()],
    evidence: Vec<(usize, f32, String)>,
}

impl Scores {
    fn add(&mut self, doc_type: &str, points: f32, why: String) {
        if let Some(i) = TYPES.iter().position(|t| *t == doc_type) {
            self.points[i] += points;
            self.evidence.push((i, points, why));
        }
    }

    fn best(self) -> TypeGuess {
        let mut best = TYPES.len() - 1;
        let mut best_points = 0.0f32;
        for (i, &p) in self.points.iter().enumerate() {
            if p > best_points {
                best = i;
                best_points = p;
            }
        }
        let evidence = self
            .evidence
            .iter()
            .filter(|(i, _, _)| *i == best)
            .map(|(_, p, why)| format!("+{p}: {why}"))
            .collect();
        TypeGuess {
            doc_type: TYPES[best].to_string(),
            evidence,
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// `1997-07-07-...` or `20180813...`: a file named by the date of what it records.
fn starts_with_date(stem: &str) -> bool {
    static DATE: OnceLock<Regex> = OnceLock::new();
    re(&DATE, r"(^|__)(19|20)\d\d[-_]?[01]\d[-_]?[0-3]\d").is_match(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(title: &str, path: &str, pages: &[&str]) -> TypeGuess {
        let sections: Vec<Section> = pages
            .iter()
            .enumerate()
            .map(|(i, t)| Section {
                page: Some(i as u32 + 1),
                text: t.to_string(),
                ..Section::default()
            })
            .collect();
        infer(&TypeInput {
            kind: SourceKind::Pdf,
            title,
            path,
            page_count: Some(pages.len() as u32),
            has_text: pages.iter().any(|p| !p.is_empty()),
            sections: &sections,
        })
    }

    const PROSE: &str = "The committee looked at local conditions and discussed how they compare with other places in the region over the past decade, noting several trends that deserve attention from officials and residents alike in the coming years. Members heard from neighbors about rents, bus service and the condition of parks, and asked staff to return with options. Several speakers described long waits for repairs and asked for clearer timelines. Staff described the current programs, their budgets and the number of households they reach, and answered questions about eligibility and outreach in languages other than English.";

    #[test]
    fn minutes_and_ordinances_are_meeting_records() {
        let g = pdf("", "council.pdf", &["Town Council Meeting Minutes March 3, 2020. The meeting was called to order at 7 pm. Roll call: all present."]);
        assert_eq!(g.doc_type, "meeting-record", "{g:?}");
        let g = pdf(
            "",
            "x.pdf",
            &["ORDINANCE NO. 12-2004 AN ORDINANCE AMENDING THE ZONING CODE"],
        );
        assert_eq!(g.doc_type, "meeting-record", "{g:?}");
    }

    #[test]
    fn packets_budgets_and_plans() {
        let long: Vec<&str> = std::iter::repeat_n(PROSE, 30).collect();
        let mut packet = long.clone();
        packet[0] = "Planning Board Agenda Packet, June 1, 2022";
        assert_eq!(pdf("", "a.pdf", &packet).doc_type, "briefing-book");
        let mut agenda = long.clone();
        agenda[0] = "Police Advisory Committee, Wednesday June 1, 2022. AGENDA 1. Public comment";
        assert_eq!(pdf("", "e.pdf", &agenda).doc_type, "briefing-book");
        let mut budget = long.clone();
        budget[0] = "The FY21 Adopted Operating Budget totals $1.2 billion.";
        assert_eq!(pdf("", "b.pdf", &budget).doc_type, "budget");
        let mut plan = long.clone();
        plan[0] = "Riverside Climate Action Plan, adopted 2021";
        assert_eq!(pdf("", "c.pdf", &plan).doc_type, "plan");
        assert_eq!(pdf("", "d.pdf", &long).doc_type, "report");
    }

    #[test]
    fn worksheets_guides_briefs_and_slides() {
        assert_eq!(
            pdf("Goals Worksheet", "w.pdf", &[PROSE]).doc_type,
            "toolkit"
        );
        assert_eq!(
            pdf("A Guide to Green Streets", "g.pdf", &[PROSE, PROSE]).doc_type,
            "guide"
        );
        assert_eq!(pdf("", "n.pdf", &[PROSE, PROSE, PROSE]).doc_type, "brief");
        let slides: Vec<&str> = std::iter::repeat_n("Key results: fewer crashes", 12).collect();
        assert_eq!(pdf("", "s.pdf", &slides).doc_type, "presentation");
    }

    #[test]
    fn web_pages() {
        let sections = vec![Section {
            heading: Some("A story".into()),
            text: PROSE.repeat(3),
            ..Section::default()
        }];
        let g = infer(&TypeInput {
            kind: SourceKind::Html,
            title: "How one city cut commute times",
            path: "html/story.html",
            page_count: None,
            has_text: true,
            sections: &sections,
        });
        assert_eq!(g.doc_type, "article", "{g:?}");
        let empty = vec![Section {
            text: "Loading…".into(),
            ..Section::default()
        }];
        let g = infer(&TypeInput {
            kind: SourceKind::Html,
            title: "Ideas",
            path: "html/ideas.html",
            page_count: None,
            has_text: true,
            sections: &empty,
        });
        assert_eq!(g.doc_type, "other", "{g:?}");
    }
}
