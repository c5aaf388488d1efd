//! The rendered view of Markdown source: which characters a reader sees
//! once raw HTML, emphasis, code and escape marks are read as Markdown
//! reads them (see `privacy::Read`).

/// The characters of Markdown/HTML source that render as text: tags and
/// comments dropped, numeric character references decoded, emphasis, code
/// and escape marks dropped (with `paired_only`, only the marks that pair
/// up, see `Read::Paired`). Each with its range in the source.
pub(super) fn strip_markup(text: &str, paired_only: bool) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(text.len());
    let ends = HtmlEnds::of(text);
    let paired = if paired_only {
        paired_runs(text)
    } else {
        std::collections::HashSet::new()
    };
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        match c {
            // Only what Markdown reads as raw HTML is hidden; anything else
            // starting with `<` (an unclosed comment, `<a 138<b>`) is shown
            // as text, and so read on.
            '<' => match html_len(rest, i, &ends) {
                Some(n) => i += n,
                None => {
                    out.push((c, i, i + 1));
                    i += 1;
                }
            },
            '&' if rest.starts_with("&#") => match char_reference(rest) {
                Some((decoded, used)) => {
                    out.push((decoded, i, i + used));
                    i += used;
                }
                None => {
                    out.push((c, i, i + 1));
                    i += 1;
                }
            },
            // HTML shows a run of spaces, tabs and one line break as one
            // space (`138\n1234  5678` reads as `138 1234 5678`); a blank
            // line ends the paragraph.
            ' ' | '\t' | '\n' | '\r' => {
                let run = rest
                    .bytes()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    .count();
                let ws = &rest.as_bytes()[..run];
                let breaks = ws
                    .iter()
                    .enumerate()
                    .filter(|&(k, &b)| b == b'\n' || (b == b'\r' && ws.get(k + 1) != Some(&b'\n')))
                    .count();
                out.push((if breaks >= 2 { '\n' } else { ' ' }, i, i + run));
                i += run;
            }
            '*' | '_' | '~' | '`' | '\\' if !paired_only => i += 1,
            '\\' => match rest[1..].chars().next() {
                // An escape: the backslash goes, the character shows.
                Some(n) if n.is_ascii_punctuation() => {
                    out.push((n, i + 1, i + 2));
                    i += 2;
                }
                _ => {
                    out.push((c, i, i + 1));
                    i += 1;
                }
            },
            '*' | '_' | '~' | '`' => {
                let run = rest.bytes().take_while(|&b| b == c as u8).count();
                if !paired.contains(&i) {
                    out.extend((i..i + run).map(|j| (c, j, j + 1)));
                }
                i += run;
            }
            _ => {
                out.push((c, i, i + len));
                i += len;
            }
        }
    }
    out
}

/// Where the runs of emphasis and code marks (`*`, `_`, `~`, `` ` ``) that
/// pair up start: each run pairs with the next run of the same mark and
/// length. Escaped marks are no run.
fn paired_runs(text: &str) -> std::collections::HashSet<usize> {
    let b = text.as_bytes();
    let mut open: std::collections::HashMap<(u8, usize), usize> = std::collections::HashMap::new();
    let mut paired = std::collections::HashSet::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            m @ (b'*' | b'_' | b'~' | b'`') => {
                let run = b[i..].iter().take_while(|&&x| x == m).count();
                match open.remove(&(m, run)) {
                    Some(start) => {
                        paired.insert(start);
                        paired.insert(i);
                    }
                    None => {
                        open.insert((m, run), i);
                    }
                }
                i += run;
            }
            _ => i += 1,
        }
    }
    paired
}

/// Where the last of each closing mark of raw HTML starts in a text:
/// past it, nothing of that kind can close, so that looking ahead for one
/// (from every `<`) is skipped and reading stays linear.
struct HtmlEnds {
    gt: Option<usize>,
    comment: Option<usize>,
    instruction: Option<usize>,
    cdata: Option<usize>,
}

impl HtmlEnds {
    fn of(text: &str) -> HtmlEnds {
        HtmlEnds {
            gt: text.rfind('>'),
            comment: text.rfind("-->"),
            instruction: text.rfind("?>"),
            cdata: text.rfind("]]>"),
        }
    }
}

/// The length of the raw HTML at the start of `s` (which starts with `<`,
/// at byte `at` of the text), read as CommonMark reads inline HTML: an
/// open or closing tag (tag name, attributes with valid names and values),
/// a comment, a processing instruction, a declaration or a CDATA section,
/// none of them across a blank line. `None` when it is none of these:
/// Markdown then shows the `<` as text.
fn html_len(s: &str, at: usize, ends: &HtmlEnds) -> Option<usize> {
    let after = |end: Option<usize>| end.is_some_and(|e| e > at);
    let len = if let Some(rest) = s.strip_prefix("<!--") {
        if rest.starts_with('>') {
            Some(5)
        } else if rest.starts_with("->") {
            Some(6)
        } else if after(ends.comment) {
            rest.find("-->").map(|e| 4 + e + 3)
        } else {
            None
        }
    } else if let Some(rest) = s.strip_prefix("<![CDATA[") {
        after(ends.cdata)
            .then(|| rest.find("]]>").map(|e| 9 + e + 3))
            .flatten()
    } else if let Some(rest) = s.strip_prefix("<?") {
        after(ends.instruction)
            .then(|| rest.find("?>").map(|e| 2 + e + 2))
            .flatten()
    } else if let Some(rest) = s.strip_prefix("<!") {
        (rest.starts_with(|c: char| c.is_ascii_alphabetic()) && after(ends.gt))
            .then(|| rest.find('>').map(|e| 2 + e + 1))
            .flatten()
    } else if after(ends.gt) {
        tag_len(s.as_bytes())
    } else {
        None
    }?;
    // A blank line ends the paragraph, and so any inline HTML.
    let mut lines = s[..len].split('\n').skip(1);
    let blank = lines.any(|l| l.trim_matches([' ', '\t', '\r']).is_empty());
    (!blank).then_some(len)
}

/// The length of the open or closing tag at the start of `b`, if it is one
/// by CommonMark's rules.
fn tag_len(b: &[u8]) -> Option<usize> {
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0C);
    let skip_space = |mut i: usize| {
        while b.get(i).is_some_and(space) {
            i += 1;
        }
        i
    };
    let closing = b.get(1) == Some(&b'/');
    let mut i = 1 + usize::from(closing);
    if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        i += 1;
    }
    if closing {
        let j = skip_space(i);
        return (b.get(j) == Some(&b'>')).then_some(j + 1);
    }
    loop {
        let j = skip_space(i);
        match b.get(j) {
            Some(b'>') => return Some(j + 1),
            Some(b'/') => return (b.get(j + 1) == Some(&b'>')).then_some(j + 2),
            _ => {}
        }
        // An attribute: space, a name, and perhaps `=` and a value.
        if j == i
            || !b
                .get(j)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b':'))
        {
            return None;
        }
        i = j;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-'))
        {
            i += 1;
        }
        let eq = skip_space(i);
        if b.get(eq) != Some(&b'=') {
            continue;
        }
        let v = skip_space(eq + 1);
        match b.get(v) {
            Some(&q @ (b'"' | b'\'')) => {
                i = v + 1 + b[v + 1..].iter().position(|&c| c == q)? + 1;
            }
            Some(_) => {
                let n = b[v..]
                    .iter()
                    .take_while(|c| {
                        !space(c) && !matches!(c, b'"' | b'\'' | b'=' | b'<' | b'>' | b'`')
                    })
                    .count();
                if n == 0 {
                    return None;
                }
                i = v + n;
            }
            None => return None,
        }
    }
}

/// A numeric character reference at the start of `s` (`&#49;`, `&#x31;`):
/// the character and the bytes it took.
pub(super) fn char_reference(s: &str) -> Option<(char, usize)> {
    let body = s.strip_prefix("&#")?;
    let (hex, digits) = match body.strip_prefix(['x', 'X']) {
        Some(h) => (true, h),
        None => (false, body),
    };
    let end = digits.find(';')?;
    if end == 0 || end > 8 {
        return None;
    }
    let value = u32::from_str_radix(&digits[..end], if hex { 16 } else { 10 }).ok()?;
    let used = 2 + usize::from(hex) + end + 1;
    Some((char::from_u32(value)?, used))
}

/// The text a reader sees, as pulldown-cmark (the parser that renders the
/// page) reads the source: each character of a text or code event with its
/// range in the source (exact where the event's text is the source as
/// written; the event's whole range where escapes or entities changed it),
/// a space for a line break, a line break between blocks. Raw HTML shows
/// nothing. Inline marks (emphasis, strong, links) separate nothing, which
/// is how a number split by them reaches the reader whole.
pub(super) fn rendered(text: &str) -> Vec<(char, usize, usize)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let inline_start = |t: &Tag| {
        matches!(
            t,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        )
    };
    let inline_end = |t: &TagEnd| {
        matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
        )
    };
    let mut out = Vec::with_capacity(text.len());
    for (event, range) in Parser::new_ext(text, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Text(t) | Event::Code(t) => {
                let source = &text[range.clone()];
                if source == &*t {
                    out.extend(
                        t.char_indices()
                            .map(|(i, c)| (c, range.start + i, range.start + i + c.len_utf8())),
                    );
                } else {
                    out.extend(t.chars().map(|c| (c, range.start, range.end)));
                }
            }
            Event::SoftBreak | Event::HardBreak => out.push((' ', range.start, range.end)),
            Event::Start(tag) if !inline_start(&tag) => out.push(('\n', range.start, range.start)),
            Event::End(tag) if !inline_end(&tag) => out.push(('\n', range.end, range.end)),
            _ => {}
        }
    }
    out
}
