//! The privacy scanner and masking (`privacy.rs`).
//!
//! Invariants: findings are in order, do not overlap, lie inside the text
//! on character boundaries and hold at least one digit; masking leaves
//! nothing for the scanner to find, is idempotent, and leaves a text
//! without findings as it was; with `YISHI_FUZZ_RENDERED=1`, a masked
//! Markdown body, rendered and read as plain text, shows no personal
//! number either (a known gap on contrived input, see fuzz/known/privacy/).
#![no_main]

use libfuzzer_sys::fuzz_target;
use yishi::{markdown, privacy};

fn check_findings(text: &str, findings: &[privacy::Finding], what: &str) {
    let mut last = 0;
    for f in findings {
        let r = f.range.clone();
        assert!(
            r.start >= last && r.start < r.end && r.end <= text.len(),
            "{what}: bad range {r:?} in {text:?}"
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{what}: range {r:?} not on character boundaries in {text:?}"
        );
        assert!(
            text[r.clone()]
                .chars()
                .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '&'),
            "{what}: finding {:?} without a digit in {text:?}",
            &text[r.clone()]
        );
        last = r.end;
    }
}

fn rendered_oracle() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("YISHI_FUZZ_RENDERED").is_some_and(|v| v == "1"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;

    let plain = privacy::scan(text);
    check_findings(text, &plain, "scan");
    let markup = privacy::scan_markup(text);
    check_findings(text, &markup, "scan_markup");

    let masked = privacy::mask(text);
    if plain.is_empty() {
        assert_eq!(masked, text, "mask changed a text without findings");
    }
    let left = privacy::scan(&masked);
    assert!(
        left.is_empty(),
        "mask left {:?}\ntext: {text:?}\nmasked: {masked:?}",
        left
    );
    assert_eq!(
        privacy::mask(&masked),
        masked,
        "mask is not idempotent\ntext: {text:?}"
    );

    let all = privacy::mask_all(text);
    let left = privacy::scan_markup(&all);
    assert!(
        left.is_empty(),
        "mask_all left {left:?}\ntext: {text:?}\nmasked: {all:?}"
    );
    assert_eq!(
        privacy::mask_all(&all),
        all,
        "mask_all is not idempotent\ntext: {text:?}"
    );

    let body = privacy::mask_markup(text);
    if markup.is_empty() {
        assert_eq!(body, text, "mask_markup changed a text without findings");
    }
    let left = privacy::scan_markup(&body);
    assert!(
        left.is_empty(),
        "mask_markup left {left:?}\ntext: {text:?}\nmasked: {body:?}"
    );
    assert_eq!(
        privacy::mask_markup(&body),
        body,
        "mask_markup is not idempotent\ntext: {text:?}"
    );
    // What a reader of the page sees: the body rendered by the real
    // Markdown parser. The scanner also reads the body as that parser
    // renders it (privacy::Read::Rendered), which fixed the first inputs
    // this found; contrived inputs (NUL bytes, stray backticks and comments
    // together) still show a number here (fuzz/known/privacy/), so this
    // oracle is on only with YISHI_FUZZ_RENDERED=1, off in CI.
    if rendered_oracle() && body.len() < 16 * 1024 {
        let seen = markdown::plain_text(&body);
        let left = privacy::scan(&seen);
        assert!(
            left.is_empty(),
            "a masked body shows {left:?}\ntext: {text:?}\nmasked: {body:?}\nshown: {seen:?}"
        );
    }

    for f in &plain {
        let number = &text[f.range.clone()];
        let m = privacy::mask_number(f.kind, number);
        assert!(
            m.contains('*'),
            "mask_number({number:?}) hides nothing: {m:?}"
        );
    }
});
