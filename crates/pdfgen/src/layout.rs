//! Page layout: turns blocks into positioned lines and rectangles on US Letter pages,
//! wrapping words to the text width and continuing on a new page when one is full.

use crate::encoding::{encode, text_width, Face};
use crate::{Block, PdfPage};

/// US Letter width in points.
pub(crate) const PAGE_WIDTH: f64 = 612.0;
/// US Letter height in points.
pub(crate) const PAGE_HEIGHT: f64 = 792.0;
/// Left, right, top and bottom margin: one inch.
const MARGIN: f64 = 72.0;
/// Width of the text column.
const TEXT_WIDTH: f64 = PAGE_WIDTH - 2.0 * MARGIN;
/// Height of the rectangle a [`Block::Shape`] draws.
const SHAPE_HEIGHT: f64 = 216.0;
/// Gray level (0 black, 1 white) a [`Block::Shape`] is filled with.
pub(crate) const SHAPE_GRAY: f64 = 0.82;

/// One thing drawn on a page.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// A line of encoded text whose baseline starts at (x, y).
    Text {
        face: Face,
        size: f64,
        x: f64,
        y: f64,
        codes: Vec<u8>,
    },
    /// A filled rectangle with its lower-left corner at (x, y).
    Rect { x: f64, y: f64, w: f64, h: f64 },
}

/// What goes on one output page.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LaidOutPage {
    pub(crate) items: Vec<Item>,
}

impl LaidOutPage {
    /// Whether the page draws any text (and so needs fonts).
    pub(crate) fn has_text(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Text { .. }))
    }
}

/// How a kind of text block is set.
struct Style {
    face: Face,
    size: f64,
    leading: f64,
    space_before: f64,
    space_after: f64,
    /// Lines of following text that must fit under the block's last line, or it moves
    /// to the next page (keeps headings with what they head).
    keep_with_next: f64,
}

const TITLE: Style = Style {
    face: Face::Bold,
    size: 24.0,
    leading: 29.0,
    space_before: 14.0,
    space_after: 12.0,
    keep_with_next: 0.0,
};
const HEADING: Style = Style {
    face: Face::Bold,
    size: 14.0,
    leading: 17.0,
    space_before: 10.0,
    space_after: 4.0,
    keep_with_next: 2.0 * BODY.leading,
};
const BODY: Style = Style {
    face: Face::Regular,
    size: 11.0,
    leading: 14.0,
    space_before: 0.0,
    space_after: 8.0,
    keep_with_next: 0.0,
};
const LINE: Style = Style {
    space_after: 0.0,
    ..BODY
};

/// Lays out every page. Each input page starts a new output page; an input page whose
/// blocks do not fit continues on as many further output pages as it needs, and an input
/// page with no blocks gives one blank page.
pub(crate) fn layout(pages: &[PdfPage]) -> Vec<LaidOutPage> {
    let mut layout = Layout {
        pages: Vec::new(),
        y: 0.0,
        at_top: true,
    };
    for page in pages {
        layout.new_page();
        for block in &page.blocks {
            layout.block(block);
        }
    }
    layout.pages
}

struct Layout {
    pages: Vec<LaidOutPage>,
    /// Top of the free space left on the current page.
    y: f64,
    /// Nothing has been placed on the current page yet.
    at_top: bool,
}

impl Layout {
    fn new_page(&mut self) {
        self.pages.push(LaidOutPage::default());
        self.y = PAGE_HEIGHT - MARGIN;
        self.at_top = true;
    }

    fn room(&self) -> f64 {
        self.y - MARGIN
    }

    fn push(&mut self, item: Item) {
        self.pages
            .last_mut()
            .expect("layout starts with a page")
            .items
            .push(item);
        self.at_top = false;
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Title(text) => self.text(&TITLE, wrap(text, &TITLE)),
            Block::Heading(text) => self.text(&HEADING, wrap(text, &HEADING)),
            Block::Paragraph(text) => self.text(&BODY, wrap(text, &BODY)),
            Block::Line(text) => self.text(&LINE, vec![encode(text)]),
            Block::Shape => self.shape(),
        }
    }

    fn text(&mut self, style: &Style, lines: Vec<Vec<u8>>) {
        if lines.is_empty() {
            return;
        }
        if !self.at_top {
            self.y -= style.space_before;
        }
        let count = lines.len();
        for (i, codes) in lines.into_iter().enumerate() {
            let mut needed = style.leading;
            if i + 1 == count {
                needed += style.keep_with_next;
            }
            if self.room() < needed && !self.at_top {
                self.new_page();
            }
            // The baseline sits a fifth of the leading above the bottom of the line's slot.
            let baseline = self.y - style.leading * 0.8;
            self.push(Item::Text {
                face: style.face,
                size: style.size,
                x: MARGIN,
                y: baseline,
                codes,
            });
            self.y -= style.leading;
        }
        self.y -= style.space_after;
    }

    fn shape(&mut self) {
        if !self.at_top {
            self.y -= 6.0;
        }
        if self.room() < SHAPE_HEIGHT && !self.at_top {
            self.new_page();
        }
        self.push(Item::Rect {
            x: MARGIN,
            y: self.y - SHAPE_HEIGHT,
            w: TEXT_WIDTH,
            h: SHAPE_HEIGHT,
        });
        self.y -= SHAPE_HEIGHT + 12.0;
    }
}

/// Greedy word wrap to the text width. Words are never split: one wider than the column
/// gets a line of its own and runs into the right margin.
fn wrap(text: &str, style: &Style) -> Vec<Vec<u8>> {
    let space = text_width(b" ", style.face, style.size);
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_width = 0.0;
    for word in text.split_whitespace() {
        let codes = encode(word);
        let width = text_width(&codes, style.face, style.size);
        if !line.is_empty() && line_width + space + width > TEXT_WIDTH {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if !line.is_empty() {
            line.push(b' ');
            line_width += space;
        }
        line.extend_from_slice(&codes);
        line_width += width;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(words: usize) -> Block {
        Block::Paragraph(vec!["policy"; words].join(" "))
    }

    #[test]
    fn paragraphs_wrap_within_the_column() {
        let lines = wrap(&vec!["affordability"; 60].join(" "), &BODY);
        assert!(lines.len() > 5);
        for line in &lines {
            assert!(text_width(line, Face::Regular, 11.0) <= TEXT_WIDTH);
        }
        let words: usize = lines.iter().map(|l| l.split(|&b| b == b' ').count()).sum();
        assert_eq!(words, 60);
    }

    #[test]
    fn lines_are_never_wrapped() {
        let text = vec!["word"; 200].join(" ");
        let pages = layout(&[PdfPage {
            blocks: vec![Block::Line(text)],
        }]);
        assert_eq!(pages[0].items.len(), 1);
    }

    #[test]
    fn overflowing_text_continues_on_a_new_page() {
        let pages = layout(&[PdfPage {
            blocks: (0..40).map(|_| para(80)).collect(),
        }]);
        assert!(pages.len() > 3, "{} pages", pages.len());
        for page in &pages {
            for item in &page.items {
                if let Item::Text { y, .. } = item {
                    assert!(*y >= MARGIN && *y <= PAGE_HEIGHT - MARGIN, "baseline {y}");
                }
            }
        }
    }

    #[test]
    fn empty_and_shape_only_pages_have_no_text() {
        let pages = layout(&[
            PdfPage { blocks: vec![] },
            PdfPage {
                blocks: vec![Block::Shape, Block::Shape],
            },
        ]);
        assert_eq!(pages.len(), 2);
        assert!(!pages[0].has_text() && pages[0].items.is_empty());
        assert!(!pages[1].has_text());
        assert_eq!(pages[1].items.len(), 2);
    }

    #[test]
    fn a_heading_is_kept_with_the_text_after_it() {
        let mut layout = Layout {
            pages: Vec::new(),
            y: 0.0,
            at_top: true,
        };
        layout.new_page();
        layout.block(&para(5));
        // Room for the heading and one body line, not two.
        layout.y = MARGIN + HEADING.space_before + HEADING.leading + BODY.leading + 1.0;
        layout.block(&Block::Heading("Next section".into()));
        assert_eq!(layout.pages.len(), 2);
        assert!(layout.pages[1].has_text());
    }
}
