//! Markdown bodies and the HTML sanitizer (`markdown.rs`).
//!
//! Invariants: the HTML of `to_html`, `inline_to_html` and `sanitize`
//! (the input read as raw HTML) has no script, style, frame or form
//! element, no event handler or style attribute, no `javascript:`,
//! `vbscript:`, `data:` or `file:` URL and no image from another host,
//! also when sanitized again; heading ids are made of letters, digits and
//! single dashes; plain text has no blank or untrimmed line; the summary
//! found in a prefix of the body is that of the whole body; truncation
//! keeps at most `max` characters and an ellipsis.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use yishi::markdown;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let md: &str = &text;

    let html = markdown::to_html(md);
    common::assert_safe_html(&html, md);
    let inline = markdown::inline_to_html(md);
    common::assert_safe_html(&inline, md);

    let clean = markdown::sanitize(md);
    common::assert_safe_html(&clean, md);
    // What a browser parses from the sanitized HTML, sanitized again, is
    // still safe (sanitizing is not quite idempotent: html5ever
    // re-serializes what it parsed, so only safety is compared).
    let again = markdown::sanitize(&clean);
    common::assert_safe_html(&again, md);

    let id = markdown::heading_id(md);
    assert!(!id.is_empty());
    assert!(
        id.chars().all(|c| c.is_alphanumeric() || c == '-'),
        "heading id {id:?}"
    );
    assert!(
        !id.starts_with('-') && !id.ends_with('-') && !id.contains("--"),
        "heading id {id:?}"
    );

    let plain = markdown::plain_text(md);
    for line in plain.lines() {
        assert!(
            !line.is_empty() && line.trim() == line,
            "plain text line {line:?}"
        );
    }

    // The summary is looked for in prefixes of the body; with `]:`
    // anywhere the whole body is read. An HTML comment holding `]:`,
    // after a blank line at the end, changes no earlier block, so both
    // ways must find the same first paragraph.
    if !md.contains("]:") && !md.contains("<!--") && md.len() < 64 * 1024 {
        let whole = format!("{md}\n\n<!-- ]: -->\n");
        assert_eq!(
            markdown::first_paragraph(md),
            markdown::first_paragraph(&whole),
            "first paragraph of a prefix differs\nsource: {md:?}"
        );
    }

    let _ = markdown::too_deep(md);
    let depth = markdown::nesting_depth(md);
    assert!(depth <= md.len());

    let max = data.first().map_or(0, |&b| usize::from(b) % 64);
    let cut = markdown::truncate(md, max);
    let n = cut.chars().count();
    assert!(
        n <= max + 1 && (n == md.chars().count() || cut.ends_with('…')),
        "truncate({max}) gave {cut:?}"
    );
});
