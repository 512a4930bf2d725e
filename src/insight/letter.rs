//! The access-log letter as PDF (pdf-writer): A4, the base-14 Helvetica fonts with
//! WinAnsi encoding (so æ, ø and å need no embedded font), text wrapped by Helvetica's
//! character widths, the table's heading repeated on every page and "Side x af y" at the
//! foot. Content streams are not compressed: the letter is small, and its text can be
//! checked in the bytes.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// What the letter says, in the reader's language.
pub struct Letter {
    pub sender: String,
    pub date_line: String,
    pub to_line: String,
    pub subject: String,
    pub before: Vec<String>,
    pub headings: [String; 4],
    pub rows: Vec<[String; 4]>,
    pub empty: String,
    pub after: Vec<String>,
    pub greeting: String,
    /// "Side {} af {}".
    pub page_label: String,
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BOTTOM: f32 = 64.0;
const BODY: f32 = 10.5;
const SMALL: f32 = 8.5;
/// Column widths of the table; together the width between the margins.
const COLUMNS: [f32; 4] = [92.0, 120.0, 95.0, 176.0];

/// The byte for `c` in WinAnsiEncoding (Windows-1252), '?' where it has none.
pub fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '\t' | '\n' | '\r' => b' ',
        _ => b'?',
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// Helvetica's advance width of `c` in thousandths of the font size (the AFM metrics,
/// grouped; close enough to wrap lines without running over).
fn advance(c: char, bold: bool) -> f32 {
    let base: f32 = match c {
        'i' | 'j' | 'l' | '\'' | '|' | '.' | ',' | ':' | ';' | '!' => 222.0,
        ' ' | 'f' | 't' | 'I' | '[' | ']' | '(' | ')' | '/' | '-' => 278.0,
        'r' => 333.0,
        'm' | 'M' => 833.0,
        'w' | 'W' | 'æ' | 'Æ' => 889.0,
        'A'..='Z' | 'Ø' | 'Å' | '@' | '%' => 722.0,
        '–' => 556.0,
        '—' => 1000.0,
        _ => 556.0,
    };
    if bold { base * 1.05 } else { base }
}

fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    text.chars().map(|c| advance(c, bold)).sum::<f32>() * size / 1000.0
}

/// `text` broken into lines no wider than `width`; a word longer than a line is cut.
pub fn wrap(text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, bold) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = String::new();
        for c in word.chars() {
            rest.push(c);
            if text_width(&rest, size, bold) > width && rest.chars().count() > 1 {
                let last = rest.pop().unwrap_or(' ');
                lines.push(std::mem::take(&mut rest));
                rest.push(last);
            }
        }
        line = rest;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// One piece of text placed on a page.
struct Placed {
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    text: String,
}

/// A rule under the table's heading.
struct Rule {
    y: f32,
}

#[derive(Default)]
struct PageOps {
    texts: Vec<Placed>,
    rules: Vec<Rule>,
}

struct Layout {
    pages: Vec<PageOps>,
    y: f32,
    /// The table's heading, repeated after a page break.
    headings: [String; 4],
}

impl Layout {
    fn new(headings: [String; 4]) -> Layout {
        Layout {
            pages: vec![PageOps::default()],
            y: HEIGHT - MARGIN,
            headings,
        }
    }

    fn page(&mut self) -> &mut PageOps {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(PageOps::default());
        self.y = HEIGHT - MARGIN;
    }

    /// Room for `height` more points on this page, else a new page.
    fn room(&mut self, height: f32) -> bool {
        if self.y - height < BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool) {
        let lead = size * 1.35;
        for line in wrap(text, WIDTH - 2.0 * MARGIN, size, bold) {
            self.room(lead);
            self.y -= lead;
            let y = self.y;
            self.page().texts.push(Placed {
                x: MARGIN,
                y,
                size,
                bold,
                text: line,
            });
        }
        self.y -= size * 0.8;
    }

    fn row(&mut self, cells: &[String; 4], bold: bool) {
        let lead = SMALL * 1.3;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(COLUMNS)
            .map(|(cell, width)| wrap(cell, width - 6.0, SMALL, bold))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let height = lines as f32 * lead + 4.0;
        if self.room(height) && !bold {
            // The heading again at the top of each page the table continues on.
            return self.row_after_break(cells);
        }
        let top = self.y;
        let mut x = MARGIN;
        for (column, lines) in wrapped.into_iter().enumerate() {
            for (i, line) in lines.into_iter().enumerate() {
                let y = top - lead * (i as f32 + 1.0);
                self.page().texts.push(Placed {
                    x,
                    y,
                    size: SMALL,
                    bold,
                    text: line,
                });
            }
            x += COLUMNS[column];
        }
        self.y = top - height;
        if bold {
            let y = self.y + 2.0;
            self.page().rules.push(Rule { y });
        }
    }

    fn row_after_break(&mut self, cells: &[String; 4]) {
        let headings = self.headings.clone();
        self.row(&headings, true);
        self.row(cells, false);
    }
}

/// The letter as PDF bytes.
pub fn render(letter: &Letter) -> Vec<u8> {
    let mut layout = Layout::new(letter.headings.clone());
    let l = &mut layout;
    l.paragraph(&letter.sender, 13.0, true);
    l.paragraph(&letter.date_line, BODY, false);
    l.paragraph(&letter.to_line, BODY, false);
    l.y -= 8.0;
    l.paragraph(&letter.subject, 12.0, true);
    for text in &letter.before {
        l.paragraph(text, BODY, false);
    }
    if letter.rows.is_empty() {
        l.paragraph(&letter.empty, BODY, false);
    } else {
        l.row(&letter.headings, true);
        for row in &letter.rows {
            l.row(row, false);
        }
        l.y -= 8.0;
    }
    for text in &letter.after {
        l.paragraph(text, BODY, false);
    }
    l.y -= 6.0;
    l.paragraph(&letter.greeting, BODY, false);
    l.paragraph(&letter.sender, BODY, false);
    write(&layout.pages, letter)
}

fn write(pages: &[PageOps], letter: &Letter) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&letter.subject))
        .producer(TextStr("Korps"));
    let total = pages.len();
    for (index, ops) in pages.iter().enumerate() {
        let id = page_ids[index];
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        resources.finish();
        page.finish();

        let mut content = Content::new();
        for rule in &ops.rules {
            content.set_line_width(0.6);
            content.move_to(MARGIN, rule.y);
            content.line_to(WIDTH - MARGIN, rule.y);
            content.stroke();
        }
        let footer = crate::i18n::fill(
            &letter.page_label,
            &[&(index + 1).to_string(), &total.to_string()],
        );
        let footer_x = WIDTH - MARGIN - text_width(&footer, SMALL, false);
        let footer = Placed {
            x: footer_x,
            y: BOTTOM - 30.0,
            size: SMALL,
            bold: false,
            text: footer,
        };
        let texts = ops.texts.iter().chain(std::iter::once(&footer));
        for placed in texts {
            let font = if placed.bold {
                Name(b"F2")
            } else {
                Name(b"F1")
            };
            let bytes = encode(&placed.text);
            content.begin_text();
            content.set_font(font, placed.size);
            content.next_line(placed.x, placed.y);
            content.show(Str(&bytes));
            content.end_text();
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(rows: usize) -> Letter {
        Letter {
            sender: "Aarhus Kommune".into(),
            date_line: "Dato: 03-12-2026".into(),
            to_line: "Til: Søren Ærø Åberg".into(),
            subject: "Svar på din anmodning om indsigt".into(),
            before: vec!["Du har bedt om indsigt (artikel 15).".into()],
            headings: [
                "Tidspunkt".into(),
                "Navn".into(),
                "Rolle".into(),
                "Hvad".into(),
            ],
            rows: (0..rows)
                .map(|i| {
                    [
                        format!("0{}-12-2026 10:00:00", i % 9 + 1),
                        "Karen Kødbøl".into(),
                        "Koordinator".into(),
                        format!("Borger vist nr. {i}"),
                    ]
                })
                .collect(),
            empty: "Ingen.".into(),
            after: vec!["Du kan klage til Datatilsynet.".into()],
            greeting: "Med venlig hilsen".into(),
            page_label: "Side {} af {}".into(),
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Whether the PDF shows `text`: as a literal string when it is ASCII, else as the
    /// hex string of its WinAnsi bytes (pdf-writer writes non-ASCII strings so).
    fn shows(pdf: &[u8], text: &str) -> bool {
        let hex: String = encode(text).iter().map(|b| format!("{b:02X}")).collect();
        contains(pdf, text.as_bytes()) || contains(pdf, hex.as_bytes())
    }

    #[test]
    fn danish_letters_are_single_winansi_bytes() {
        assert_eq!(encode("æøåÆØÅ"), vec![0xE6, 0xF8, 0xE5, 0xC6, 0xD8, 0xC5]);
        assert_eq!(encode("a–b…"), vec![b'a', 0x96, b'b', 0x85]);
        assert_eq!(encode("ł"), b"?".to_vec());
    }

    #[test]
    fn the_letter_is_a_pdf_with_its_text_and_pages_numbered() {
        let bytes = render(&letter(3));
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(shows(&bytes, "Til: Søren Ærø Åberg"));
        assert!(shows(&bytes, "Borger vist nr. 2"));
        assert!(!shows(&bytes, "Til: Soren"));
        assert!(contains(&bytes, b"/WinAnsiEncoding"));
        assert!(contains(&bytes, b"Side 1 af 1"));

        let long = render(&letter(200));
        assert!(contains(&long, b"Side 1 af "));
        assert!(contains(&long, b"Borger vist nr. 199"));
        assert!(
            !contains(&long, b"Side 1 af 1)"),
            "200 rows take several pages"
        );
    }

    #[test]
    fn long_text_wraps_within_the_width() {
        let lines = wrap(
            "Efter databeskyttelsesforordningens artikel 15 har du ret til indsigt",
            120.0,
            10.0,
            false,
        );
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(text_width(line, 10.0, false) <= 120.0, "{line}");
        }
    }
}
