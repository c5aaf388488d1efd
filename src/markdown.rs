//! Markdown bodies to safe HTML.
//!
//! CommonMark with tables, footnotes and strikethrough (pulldown-cmark);
//! headings get ids for anchors; the resulting HTML, including any raw HTML
//! a clerk pasted, goes through an allowlist sanitizer (ammonia) so that no
//! script, style, frame, event handler or `javascript:` URL reaches a page,
//! and no image is loaded from another host.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class"])
            .add_tag_attributes("td", ["align", "colspan", "rowspan"])
            .add_tag_attributes("th", ["align", "colspan", "rowspan", "scope"])
            .add_tags(["caption", "figure", "figcaption", "section"])
            .link_rel(Some("noopener"))
            .attribute_filter(|element, attribute, value| {
                // Images must come from the site itself (intranet, USB stick).
                if element == "img" && attribute == "src" && !is_same_site(value) {
                    None
                } else {
                    Some(value.into())
                }
            });
        b
    })
}

/// The deepest nesting of elements a body's HTML may reach. HTML parsers
/// look through the open elements for every tag they read, so the time to
/// sanitize grows with the square of the depth; browsers stop nesting at
/// 512 too. Deeper HTML is shown as text (see [`to_html`]).
pub const MAX_NESTING: usize = 512;

/// Elements that never contain others, or that the HTML parser closes when
/// a sibling starts (`<li><li>` are siblings): they do not add depth.
const FLAT: [&str; 22] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option",
];

/// The deepest nesting of elements in `html`, as an HTML parser would
/// build it (an upper bound: end tags that close several elements at once
/// are counted as one). Linear in the length of `html`.
pub fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(lt) = bytes[i..].iter().position(|&b| b == b'<') {
        i += lt + 1;
        let rest = &bytes[i..];
        if rest.starts_with(b"!--") {
            i += find(&rest[3..], b"-->").map_or(rest.len(), |p| p + 6);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = usize::from(closing);
        let name_len = rest[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - name_start);
        if name_len == 0 || !rest[name_start].is_ascii_alphabetic() {
            continue; // text, `<!doctype>`, `<?…>`
        }
        let name = std::str::from_utf8(&rest[name_start..name_start + name_len])
            .unwrap_or_default()
            .to_ascii_lowercase();
        i += name_start + name_len;
        if FLAT.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether a browser would load `src` from the site itself: the URL is
/// resolved the way a browser does (surrounding spaces and control
/// characters trimmed, tabs and newlines removed, `\\` read as `/`,
/// schemes in any case) against a page of a made-up host; anything that
/// leaves that host, or has a scheme of its own, is not the site.
fn is_same_site(src: &str) -> bool {
    static BASE: OnceLock<url::Url> = OnceLock::new();
    let base = BASE.get_or_init(|| url::Url::parse("http://site.invalid/a/b/").expect("base URL"));
    match base.join(src) {
        Ok(u) => {
            u.scheme() == "http"
                && u.host_str() == Some("site.invalid")
                && u.port().is_none()
                && u.username().is_empty()
                && u.password().is_none()
        }
        Err(_) => false,
    }
}

/// Sanitize an HTML fragment with the site's allowlist.
pub fn sanitize(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// A heading id from its text: letters (Chinese included) and digits kept,
/// ASCII lowercased, runs of anything else turned into one `-`.
pub fn heading_id(text: &str) -> String {
    let mut id = String::new();
    let mut dash = false;
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            if dash && !id.is_empty() {
                id.push('-');
            }
            dash = false;
            // Lower case can add a mark that is not alphanumeric
            // (`İ` → `i` + U+0307): only letters and digits go in.
            id.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        } else {
            dash = true;
        }
    }
    if id.is_empty() {
        id.push_str("section");
    }
    id
}

/// The events of a body with an id on every heading (unique within the
/// body), streamed: only a heading's own events are held at once, so a
/// body of a million lines is never a million events in memory. Notes
/// whether the body needs the sanitizer.
struct HeadingIds<'a, I: Iterator<Item = Event<'a>>> {
    inner: I,
    /// The events of the heading just read, after its start.
    pending: std::collections::VecDeque<Event<'a>>,
    used: HashMap<String, usize>,
    reserved: HashSet<String>,
    /// Raw HTML, a link or an image was seen.
    needs_sanitizer: bool,
}

impl<'a, I: Iterator<Item = Event<'a>>> HeadingIds<'a, I> {
    fn note(&mut self, e: &Event) {
        // Without raw HTML or links, pulldown-cmark's output is already
        // safe (it escapes all text); the sanitizer is only needed
        // otherwise, and it is the slowest part of rendering a body.
        self.needs_sanitizer |= matches!(
            e,
            Event::Html(_)
                | Event::InlineHtml(_)
                | Event::Start(Tag::Link { .. })
                | Event::Start(Tag::Image { .. })
        );
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for HeadingIds<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.pending.pop_front() {
            return Some(e);
        }
        let e = self.inner.next()?;
        self.note(&e);
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = e
        else {
            return Some(e);
        };
        let mut text = String::new();
        while let Some(inner) = self.inner.next() {
            self.note(&inner);
            let end = matches!(inner, Event::End(TagEnd::Heading(_)));
            if let Event::Text(t) | Event::Code(t) = &inner {
                text.push_str(t);
            }
            self.pending.push_back(inner);
            if end {
                break;
            }
        }
        let base = id
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| heading_id(&text));
        let n = self.used.entry(base.clone()).or_insert(0);
        let mut unique = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        while !self.reserved.insert(unique.clone()) {
            unique.push('-');
        }
        Some(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(unique)),
            classes,
            attrs,
        }))
    }
}

/// Render a Markdown body to sanitized HTML.
pub fn to_html(markdown: &str) -> String {
    let mut events = HeadingIds {
        inner: Parser::new_ext(markdown, options()),
        pending: std::collections::VecDeque::new(),
        used: HashMap::new(),
        reserved: HashSet::new(),
        needs_sanitizer: false,
    };
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    let needs_sanitizer = events.needs_sanitizer;
    // Each level takes at least `<x>` in the HTML.
    if html.len() > MAX_NESTING * 3 && nesting_depth(&html) > MAX_NESTING {
        return as_text(markdown);
    }
    if needs_sanitizer {
        sanitize(&html)
    } else {
        html
    }
}

/// A body nested too deeply (see [`MAX_NESTING`]) as its plain text, one
/// paragraph a line, escaped.
fn as_text(markdown: &str) -> String {
    let text = plain_text(markdown);
    let mut html = String::with_capacity(text.len() + text.len() / 4);
    for line in text.lines() {
        html.push_str("<p>");
        html.push_str(&escape_text(line));
        html.push_str("</p>\n");
    }
    html
}

/// `text` with `&`, `<`, `>` and `"` escaped for HTML.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a body's HTML nests deeper than [`MAX_NESTING`], so that it is
/// published as plain text (for a warning when records are checked).
pub fn too_deep(markdown: &str) -> bool {
    // Every level takes a character of the Markdown (`<`, `>`, a list
    // marker); lists nest by indentation, a few levels a line.
    if markdown.len() <= MAX_NESTING {
        return false;
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    nesting_depth(&html) > MAX_NESTING
}

/// The first paragraph of a body as plain text, for the default summary.
///
/// Looked for in a growing prefix that ends at a blank line: how the lines
/// before a blank line divide into blocks does not depend on what comes
/// after it, except where a list turns loose later (its items then become
/// paragraphs; the prefix shows no paragraph there and grows) and for link
/// reference and footnote definitions (with `]:` anywhere, the whole body
/// is read). Bodies are long; their first paragraph comes early.
pub fn first_paragraph(markdown: &str) -> String {
    if !markdown.contains("]:") {
        let mut want = 256;
        while want < markdown.len() {
            // Bytes: `want` need not fall on a character boundary.
            let blank = markdown.as_bytes()[want..]
                .windows(2)
                .position(|w| w == b"\n\n");
            let Some(cut) = blank.map(|i| want + i + 2) else {
                break;
            };
            if let Some(p) = paragraph_in(&markdown[..cut]) {
                return p;
            }
            want = cut * 4;
        }
    }
    paragraph_in(markdown).unwrap_or_default()
}

/// The first paragraph of `markdown` as plain text, if it has one.
fn paragraph_in(markdown: &str) -> Option<String> {
    let mut text = String::new();
    let mut inside = false;
    let mut skip_raw = false; // inside a raw <script> or <style>
    for e in Parser::new_ext(markdown, options()) {
        match e {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => return Some(text.trim().to_string()),
            Event::Html(h) | Event::InlineHtml(h) => {
                let mut dropped = String::new();
                strip_tags(&h, &mut dropped, &mut skip_raw);
            }
            Event::Text(t) | Event::Code(t) if inside && !skip_raw => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    None
}

/// The readable text of a body, for the search index: the text of
/// paragraphs, headings, list items and table cells, separated by newlines
/// or spaces; inline code and code blocks kept; link targets, footnote
/// labels and HTML tags dropped (text between tags kept, except inside
/// `script` and `style`).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut skip_raw = false; // inside a raw <script> or <style>
    for e in Parser::new_ext(markdown, options()) {
        match e {
            Event::Text(t) | Event::Code(t) if !skip_raw => out.push_str(&t),
            Event::Html(h) | Event::InlineHtml(h) => strip_tags(&h, &mut out, &mut skip_raw),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::HtmlBlock,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    // Tidy: trim every line, no empty lines.
    let mut tidy = String::with_capacity(out.len());
    for line in out.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !tidy.is_empty() {
            tidy.push('\n');
        }
        tidy.push_str(line);
    }
    tidy
}

/// Append the text of an HTML fragment without its tags (and without the
/// content of `script` and `style` elements, tracked across fragments).
fn strip_tags(html: &str, out: &mut String, skip_raw: &mut bool) {
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(lt) => {
                if !*skip_raw {
                    out.push_str(&rest[..lt]);
                }
                let tag = &rest[lt..];
                let end = tag.find('>').map_or(tag.len(), |p| p + 1);
                let name: String = tag[1..end]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if name == "script" || name == "style" {
                    *skip_raw = !tag.starts_with("</");
                } else if !*skip_raw
                    && matches!(
                        name.as_str(),
                        "br" | "p" | "div" | "td" | "th" | "li" | "tr"
                    )
                {
                    out.push(' ');
                }
                rest = &tag[end..];
            }
            None => {
                if !*skip_raw {
                    out.push_str(rest);
                }
                break;
            }
        }
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}

/// Plain text (a summary, a place's summary) rendered as Markdown inline.
pub fn inline_to_html(markdown: &str) -> String {
    to_html(markdown)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzzer: `İ` lower-cased is `i` and a combining dot.
    #[test]
    fn heading_ids_are_letters_digits_and_dashes() {
        assert_eq!(heading_id("İstanbul 会议"), "istanbul-会议");
        assert_eq!(heading_id("  --  "), "section");
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~旧~~ 新[^1]\n\n[^1]: 注释\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>旧</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = to_html("## 补偿标准\n\n## 补偿标准\n\n## Vote Result 2016\n");
        assert!(html.contains(r#"<h2 id="补偿标准">"#), "{html}");
        assert!(html.contains(r#"<h2 id="补偿标准-1">"#), "{html}");
        assert!(html.contains(r#"<h2 id="vote-result-2016">"#), "{html}");
    }

    #[test]
    fn raw_html_is_sanitized() {
        let html = to_html(
            "<table style=\"color:red\" onclick=\"x()\"><tr><td>保留</td></tr></table>\n\n<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\">链接</a> <iframe src=\"x\"></iframe><style>p{}</style>\n",
        );
        assert!(html.contains("<td>保留</td>"), "{html}");
        for bad in [
            "script",
            "onclick",
            "style",
            "javascript:",
            "iframe",
            "alert",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn plain_markdown_skips_the_sanitizer_but_stays_escaped() {
        let html = to_html("## 标题\n\n<不是标签> & 1 < 2\n\n| a |\n|---|\n| x |\n");
        assert!(html.contains("&lt;不是标签&gt; &amp; 1 &lt; 2"), "{html}");
        let linked = to_html("[点我](javascript:alert(1))");
        assert!(!linked.contains("javascript:"), "{linked}");
    }

    #[test]
    fn remote_images_are_dropped_local_kept() {
        let html = to_html("![a](https://cdn.example.com/x.png) ![b](files/map.png)");
        assert!(!html.contains("cdn.example.com"), "{html}");
        assert!(html.contains("files/map.png"), "{html}");
    }

    #[test]
    fn first_paragraph_of_a_prefix_is_that_of_the_whole_body() {
        // Long bodies, so that the prefix search applies, whose first
        // paragraph comes late or depends on what follows.
        let filler = "| 项目 | 金额 |\n|---|---|\n| 道路 | 100 |\n\n".repeat(40);
        let cases = [
            // A list that turns loose after the first cut: its item is the
            // first paragraph.
            format!("- 第一项\n{}\n- 第二项\n\n正文。", "\n".repeat(1100)),
            format!("- 甲\n- 乙\n\n{filler}- 丙\n\n- 丁\n\n段落。"),
            // A fence that spans blank lines.
            format!("```\n{filler}\n```\n\n围栏之后的段落。"),
            // An HTML comment that spans blank lines.
            format!("<!--\n{filler}-->\n\n注释之后的段落。"),
            // A paragraph far into the body.
            format!("{filler}## 标题\n\n远处的段落。\n\n再一段。"),
            // A reference defined at the end.
            format!("见[规划][1]。\n\n{filler}[1]: https://example.org/"),
            format!("{filler}没有空行结尾的段落"),
            "短正文。".to_string(),
            String::new(),
        ];
        for body in &cases {
            let whole = paragraph_in(body).unwrap_or_default();
            assert_eq!(first_paragraph(body), whole, "{body:.60}");
        }
        assert_eq!(first_paragraph(&cases[0]), "第一项");
        assert_eq!(first_paragraph(&cases[2]), "围栏之后的段落。");
        assert_eq!(first_paragraph(&cases[5]), "见规划。");
    }

    #[test]
    fn summary_is_plain_first_paragraph() {
        assert_eq!(
            first_paragraph("## 标题\n\n第一段**加粗**\n文字。\n\n第二段"),
            "第一段加粗 文字。"
        );
        assert_eq!(truncate("一二三四五", 3), "一二三…");
    }

    #[test]
    fn plain_text_keeps_readable_text_only() {
        let md = "## 标题\n\n第一段**加粗**，`代码`和[链接](https://x.example/路径)。\n\n- 项目一\n- 项目二\n\n| 列 | 值 |\n|---|---|\n| 甲 | 1 |\n\n<div class=\"x\">块内<b>文字</b></div>\n\n<script>alert(1)</script>\n\n脚注[^1]\n\n[^1]: 注释内容\n\n```\ncode block\n```\n";
        let t = plain_text(md);
        for want in [
            "标题",
            "第一段加粗，代码和链接。",
            "项目一",
            "项目二",
            "列 值",
            "甲 1",
            "块内文字",
            "注释内容",
            "code block",
        ] {
            assert!(t.contains(want), "{want} not in {t:?}");
        }
        for bad in ["<", ">", "**", "https", "alert", "script", "|", "#"] {
            assert!(!t.contains(bad), "{bad} in {t:?}");
        }
        assert!(
            t.lines().all(|l| !l.trim().is_empty() && l == l.trim()),
            "{t:?}"
        );
        assert_eq!(plain_text("一\n二"), "一 二");
        // Inline raw HTML: a script's text is never text.
        let inline = "讨论方案。<script>alert(\"x\")</script>其后";
        assert_eq!(plain_text(inline), "讨论方案。其后");
        assert_eq!(first_paragraph(inline), "讨论方案。其后");
    }

    #[test]
    fn remote_images_are_dropped_however_written() {
        let hostile = [
            "HTTPS://evil.example/a.png",
            "Http://evil.example/a.png",
            "  https://evil.example/a.png",
            "\thttps://evil.example/a.png",
            "/\\evil.example/a.png",
            "\\\\evil.example/a.png",
            "\\/evil.example/a.png",
            "//evil.example/a.png",
            "ht\ttps://evil.example/a.png",
            "ftp://evil.example/a.png",
        ];
        for src in hostile {
            let html = to_html(&format!("<img src=\"{src}\" alt=\"x\">"));
            assert!(!html.contains("evil.example"), "{src:?}: {html}");
            let html = sanitize(&format!("<p><img src=\"{src}\"></p>"));
            assert!(!html.contains("evil.example"), "{src:?}: {html}");
        }
        for src in [
            "files/map.png",
            "/files/map.png",
            "../files/a.png",
            "地图.png",
        ] {
            let html = sanitize(&format!("<img src=\"{src}\">"));
            assert!(html.contains(&format!("src=\"{src}\"")), "{src:?}: {html}");
        }
    }

    #[test]
    fn deep_nesting_is_bounded_and_linear() {
        // 100,000 unclosed `<div>` lines took minutes (quadratic in the
        // depth of open elements in the HTML parser).
        let body = "<div>\n".repeat(100_000);
        let started = std::time::Instant::now();
        let html = to_html(&body);
        let took = started.elapsed();
        assert!(
            nesting_depth(&html) <= MAX_NESTING,
            "depth {}",
            nesting_depth(&html)
        );
        assert!(html.len() < body.len() * 4, "{} bytes", html.len());
        assert!(took.as_secs() < 20, "took {took:?}");
        // Closed elements and ordinary nesting are kept as they are.
        let ok = "<div><div><p>段落</p></div></div>\n";
        assert!(to_html(ok).contains("<div><div><p>段落</p></div></div>"));
        let quotes = format!("{}深\n", "> ".repeat(100_000));
        let started = std::time::Instant::now();
        let html = to_html(&quotes);
        assert!(nesting_depth(&html) <= MAX_NESTING);
        assert!(html.contains("深"));
        assert!(started.elapsed().as_secs() < 20);
    }
}
