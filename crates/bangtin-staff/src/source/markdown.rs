//! The Markdown officers write, reduced to the plain text a board lays out, with
//! `pulldown-cmark` (linear time, no recursion on nesting) reading it.
//!
//! What is kept (module docs of `source`): each line stays a line, a blank line separates
//! paragraphs; list items become `• ` (nested `  • `, numbered ones keep their number);
//! emphasis and code markers go; `[text](url)` becomes `text (url)`, `<https://…>` and bare
//! URLs stay as typed; headings, quotes and rules lose their marks. HTML and pictures are
//! errors, with their line.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

/// Officers' text reduced: the title, the body, and the problems found.
pub(super) struct Reduced {
    /// The first line's "# " heading (0-based line within the text), when asked for.
    pub(super) title: Option<(usize, String)>,
    pub(super) body: String,
    /// (1-based line within the text, message)
    pub(super) errors: Vec<(usize, String)>,
}

/// Leading whitespace beyond three columns makes an indented code block in CommonMark; an
/// officer who indents a paragraph with a tab means a paragraph. Bare URLs are not Markdown
/// to CommonMark, so their `_` and `*` would become emphasis: they are escaped here.
fn prepare(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        let indent: usize = line[..line.len() - trimmed.len()]
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        out.extend(std::iter::repeat_n(' ', indent.min(3)));
        if fenced {
            out.push_str(trimmed);
        } else {
            escape_bare_urls(trimmed, &mut out);
        }
    }
    out
}

/// Copies `line`, escaping Markdown punctuation inside bare `http(s)://` URLs.
fn escape_bare_urls(line: &str, out: &mut String) {
    let mut rest = line;
    while let Some(at) = rest.find("http") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let bare = (from.starts_with("http://") || from.starts_with("https://"))
            && !before.ends_with(['<', '(', '[', '/'])
            && !before.chars().last().is_some_and(char::is_alphanumeric);
        let end = if bare {
            from.find(char::is_whitespace).unwrap_or(from.len())
        } else {
            4
        };
        for c in from[..end].chars() {
            if bare && matches!(c, '_' | '*' | '~' | '`' | '[' | ']' | '<' | '>' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        rest = &from[end..];
    }
    out.push_str(rest);
}

/// The 0-based line of byte `at` in `text`.
fn line_at(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// Whether the source between two blocks holds a blank line. A block's range may take in
/// the blank lines after it: the gap is counted from its last visible character.
fn blank_between(text: &str, from: usize, to: usize) -> bool {
    let from = text.get(..from).map_or(from, |t| t.trim_end().len());
    let Some(gap) = text.get(from..to) else {
        return false;
    };
    // The first piece ends the last block's line, the last begins the next block's: the
    // lines between are the ones that count.
    let pieces: Vec<&str> = gap.split('\n').collect();
    pieces.len() > 2
        && pieces[1..pieces.len() - 1]
            .iter()
            .any(|l| l.trim().is_empty())
}

/// One block of the body: a paragraph, a whole list, a heading or a code block.
struct Block {
    text: String,
    start: usize,
    end: usize,
    /// Set off by a blank line whatever the source says (headings, code, after a rule).
    apart: bool,
}

/// Reduces the Markdown officers write to the plain text a board lays out.
pub(super) fn reduce_markdown(text: &str, take_title: bool) -> Reduced {
    let source = prepare(text);
    let mut out = Reduced {
        title: None,
        body: String::new(),
        errors: Vec::new(),
    };
    let mut blocks: Vec<Block> = Vec::new();
    let mut cur: Option<Block> = None;
    let mut title_line: Option<usize> = None;
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<(usize, String)> = Vec::new();
    let mut image: Option<(String, String)> = None;
    let mut after_rule = false;
    let open = |cur: &mut Option<Block>, start: usize, apart: bool, after_rule: &mut bool| {
        *cur = Some(Block {
            text: String::new(),
            start,
            end: start,
            apart: apart || std::mem::take(after_rule),
        });
    };
    for (event, range) in Parser::new_ext(&source, Options::ENABLE_STRIKETHROUGH).into_offset_iter()
    {
        let line = line_at(&source, range.start) + 1;
        match event {
            Event::Start(Tag::Paragraph) if lists.is_empty() => {
                open(&mut cur, range.start, false, &mut after_rule)
            }
            Event::Start(Tag::CodeBlock(_)) if lists.is_empty() => {
                open(&mut cur, range.start, true, &mut after_rule)
            }
            Event::Start(Tag::Heading { level, .. }) if lists.is_empty() => {
                if take_title && blocks.is_empty() && level as usize == 1 && out.title.is_none() {
                    title_line = Some(line - 1);
                }
                open(&mut cur, range.start, true, &mut after_rule)
            }
            Event::Start(Tag::List(start)) => {
                if lists.is_empty() {
                    open(&mut cur, range.start, false, &mut after_rule);
                }
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    if let Some(mut b) = cur.take() {
                        b.end = range.end;
                        blocks.push(b);
                    }
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::CodeBlock) if lists.is_empty() => {
                if let Some(mut b) = cur.take() {
                    b.end = range.end;
                    blocks.push(b);
                }
            }
            Event::End(TagEnd::Heading(_)) if lists.is_empty() => {
                if let Some(mut b) = cur.take() {
                    b.end = range.end;
                    match title_line.take() {
                        Some(at) => out.title = Some((at, b.text.trim().to_owned())),
                        None if b.text.trim().is_empty() => {}
                        None => blocks.push(b),
                    }
                }
            }
            Event::Start(Tag::Item) => {
                if let Some(b) = &mut cur {
                    if !b.text.is_empty() && !b.text.ends_with('\n') {
                        b.text.push('\n');
                    }
                    let nest = "  ".repeat(lists.len().saturating_sub(1));
                    match lists.last_mut() {
                        Some(Some(n)) => {
                            b.text.push_str(&format!("{nest}{n}. "));
                            *n += 1;
                        }
                        _ => b.text.push_str(&format!("{nest}• ")),
                    }
                }
            }
            Event::Start(Tag::Paragraph | Tag::CodeBlock(_)) => {
                // A second paragraph of a list item is a line of its own.
                if let Some(b) = &mut cur {
                    if !b.text.ends_with(['\n', ' ']) {
                        b.text.push('\n');
                    }
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let url = if matches!(link_type, LinkType::Email) {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                links.push((cur.as_ref().map_or(0, |b| b.text.len()), url));
            }
            Event::End(TagEnd::Link) => {
                if let (Some((at, url)), Some(b)) = (links.pop(), &mut cur) {
                    let label = b.text.split_off(at.min(b.text.len()));
                    let label = label.trim();
                    if label.is_empty() || label == url || url.is_empty() {
                        b.text.push_str(if url.is_empty() { label } else { &url });
                    } else {
                        b.text.push_str(&format!("{label} ({url})"));
                    }
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((String::new(), dest_url.to_string()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((alt, url)) = image.take() {
                    out.errors.push((
                        line,
                        format!(
                            "pictures inside the text are not shown (found ![{alt}]({url})); \
                             put the picture in the \"image\" key"
                        ),
                    ));
                    if let Some(b) = &mut cur {
                        b.text.push_str(&alt);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => match (&mut image, &mut cur) {
                (Some((alt, _)), _) => alt.push_str(&t),
                (None, Some(b)) => b.text.push_str(&t),
                (None, None) => {}
            },
            Event::SoftBreak | Event::HardBreak => {
                if let Some(b) = &mut cur {
                    b.text.push('\n');
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let tag = t.trim();
                if !tag.is_empty() {
                    out.errors.push((
                        line,
                        format!(
                            "HTML is not supported (found {tag}); write plain text: each line \
                             stays a line and a blank line starts a new paragraph"
                        ),
                    ));
                }
            }
            Event::Rule => after_rule = true,
            _ => {}
        }
    }
    let mut body = String::new();
    for (i, b) in blocks.iter().enumerate() {
        let lines: Vec<&str> = b.text.lines().map(str::trim_end).collect();
        let text = lines.join("\n");
        let text = text.trim_matches('\n');
        if text.is_empty() {
            continue;
        }
        if !body.is_empty() {
            let prev = &blocks[i - 1];
            let apart = b.apart || prev.apart || blank_between(&source, prev.end, b.start);
            body.push_str(if apart { "\n\n" } else { "\n" });
        }
        body.push_str(text);
    }
    out.body = body
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    out.errors.sort_by_key(|(line, _)| *line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_markdown_is_reduced_to_plain_text() {
        let text = "\
Para one line 1
line 2 with *em* and __strong__ and `co*de*` and ~~gone~~ and ***both***

* star item
+ plus item
  - nested item
1. numbered stays

> quoted **bold**
## Sub heading ##
Link [Cổng dịch vụ](https://dichvucong.gov.vn \"title\") and <https://a.vn/x_y_z> and https://b.vn/_p_ and snake_case_word and 5 * 3 = 15 and \\*literal\\*   
---
after rule


```
raw **kept**
```
[https://c.vn](https://c.vn) and **unclosed and a_b_ and [not a link]
";
        let r = reduce_markdown(text, false);
        assert_eq!(r.errors, vec![]);
        assert_eq!(r.title, None);
        assert_eq!(
            r.body,
            "Para one line 1\n\
             line 2 with em and strong and co*de* and gone and both\n\n\
             • star item\n• plus item\n  • nested item\n1. numbered stays\n\n\
             quoted bold\n\n\
             Sub heading\n\n\
             Link Cổng dịch vụ (https://dichvucong.gov.vn) and https://a.vn/x_y_z and \
             https://b.vn/_p_ and snake_case_word and 5 * 3 = 15 and *literal*\n\n\
             after rule\n\n\
             raw **kept**\n\n\
             https://c.vn and **unclosed and a_b_ and [not a link]"
        );
    }

    #[test]
    fn the_title_is_only_a_first_line_heading() {
        let r = reduce_markdown(
            "\n\n# **Tiêu đề** #\nNội dung\n# Không phải tiêu đề\n",
            true,
        );
        assert_eq!(r.title, Some((2, "Tiêu đề".to_owned())));
        assert_eq!(r.body, "Nội dung\n\nKhông phải tiêu đề");
        let r = reduce_markdown("Nội dung\n# Không phải tiêu đề\n", true);
        assert_eq!(r.title, None);
    }

    #[test]
    fn deep_nesting_and_long_lines_of_brackets_are_cheap() {
        // What made the hand-written reader quadratic or recursive: a line of brackets, and
        // links nested thousands deep. Both must come back at once, as text.
        let brackets = "[".repeat(200_000);
        let r = reduce_markdown(&brackets, false);
        assert_eq!(r.body.len(), brackets.len());
        let nested = format!("{}x{}", "[".repeat(5_000), "](u)".repeat(5_000));
        let r = reduce_markdown(&nested, false);
        assert!(r.body.contains('x'));
        let quotes = format!("{}deep", "> ".repeat(5_000));
        assert!(reduce_markdown(&quotes, false).body.ends_with("deep"));
    }

    #[test]
    fn officers_tabs_are_not_code_blocks_and_bare_urls_are_kept() {
        let r = reduce_markdown(
            "Nội dung:\n\tThôn 1\n\t\tThôn 2 https://x.vn/a_b_c\n",
            false,
        );
        assert_eq!(r.body, "Nội dung:\nThôn 1\nThôn 2 https://x.vn/a_b_c");
    }
}
