//! What several targets share: the check that HTML is safe to publish.
#![allow(dead_code)]

/// Elements that must never reach a page (scripts, styles, frames,
/// embedded objects, forms, and elements that change how the rest of the
/// page is parsed).
const FORBIDDEN_ELEMENTS: [&str; 21] = [
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "template",
    "noscript",
    "plaintext",
];

/// Attributes that carry URLs a browser loads or follows.
const URL_ATTRIBUTES: [&str; 8] = [
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "poster",
    "background",
    "longdesc",
];

/// One start tag found in serialized HTML: its name and attributes
/// (values with character references decoded).
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// The start tags of `html` as a browser reads serialized HTML whose text
/// has `<` escaped (the output of html5ever's serializer and of
/// pulldown-cmark): a `<` followed by a letter opens a tag; comments are
/// skipped. Attribute values may be quoted with `"` or `'`, or bare.
pub fn start_tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        if b[i..].starts_with(b"!--") {
            i = match html[i + 3..].find("-->") {
                Some(p) => i + 3 + p + 3,
                None => b.len(),
            };
            continue;
        }
        if i >= b.len() || !b[i].is_ascii_alphabetic() {
            continue; // an end tag, `<!doctype>`, or text
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0C | b'/' | b'>') {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0C | b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len()
                && !matches!(
                    b[i],
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0C | b'/' | b'>' | b'='
                )
            {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = html[i + 1..].find(q as char).map_or(b.len(), |p| i + 1 + p);
                        value = decode(&html[i + 1..end]);
                        i = end + 1;
                    }
                    _ => {
                        let v = i;
                        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\n' | b'>') {
                            i += 1;
                        }
                        value = decode(&html[v..i]);
                    }
                }
            }
            attributes.push((attr, value));
        }
        tags.push(Tag { name, attributes });
    }
    tags
}

/// Character references decoded as a browser would in an attribute value
/// (the named ones a serializer writes, and numeric ones).
fn decode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => {
                    let n = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(dec) = name.strip_prefix('#') {
                        dec.parse().ok()
                    } else {
                        None
                    };
                    n.and_then(char::from_u32)
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme of a URL as a browser resolves it (leading and trailing
/// spaces and controls trimmed, tabs and line breaks removed anywhere), if
/// it has one, lowercased.
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find(':')?;
    let candidate = &cleaned[..colon];
    let mut chars = candidate.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| candidate.to_ascii_lowercase())
}

/// Whether a browser would load an image at `src` from the page's own
/// host: no scheme, and not a network path (`//host`, `\\host`).
fn same_site(src: &str) -> bool {
    let cleaned: String = src
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let base = url::Url::parse("http://site.invalid/a/b/").unwrap();
    match base.join(&cleaned) {
        Ok(u) => u.host_str() == Some("site.invalid") && u.scheme() == "http",
        Err(_) => false,
    }
}

/// Panics, with the HTML, when `html` could run a script, load a style or
/// frame, or load an image from another host: the promises of
/// `markdown::sanitize` (and so of `to_html`).
pub fn assert_safe_html(html: &str, source: &str) {
    for tag in start_tags(html) {
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&tag.name.as_str()),
            "<{}> in sanitized HTML\nsource: {source:?}\nhtml: {html:?}",
            tag.name
        );
        for (attr, value) in &tag.attributes {
            assert!(
                !attr.starts_with("on"),
                "event handler {attr} in sanitized HTML\nsource: {source:?}\nhtml: {html:?}"
            );
            // pulldown-cmark aligns table cells with a fixed style.
            let alignment = matches!(tag.name.as_str(), "th" | "td")
                && matches!(
                    value.as_str(),
                    "text-align: left" | "text-align: center" | "text-align: right"
                );
            assert!(
                !matches!(attr.as_str(), "style" | "srcdoc" | "srcset" | "formaction")
                    || (attr == "style" && alignment),
                "attribute {attr} in sanitized HTML\nsource: {source:?}\nhtml: {html:?}"
            );
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                let s = scheme(value);
                assert!(
                    !matches!(
                        s.as_deref(),
                        Some("javascript" | "vbscript" | "data" | "file")
                    ),
                    "{attr}={value:?} in sanitized HTML\nsource: {source:?}\nhtml: {html:?}"
                );
            }
            if tag.name == "img" && attr == "src" {
                assert!(
                    same_site(value),
                    "image from another host {value:?}\nsource: {source:?}\nhtml: {html:?}"
                );
            }
        }
    }
    // (`<script` inside a quoted attribute value is inert text; a real
    // script element is caught above as a start tag.)
}
