//! Decoding a record file, blanking control characters, splitting the
//! front matter and loading its YAML with positions (`text.rs`,
//! `load.rs`), in memory.
//!
//! Invariants: decoded text has no carriage return and is the input when
//! the input was plain UTF-8; a decoding error points at the first bad
//! byte; blanking keeps every character's line and column and leaves no
//! forbidden character; the split gives back the file's own parts and the
//! body's true first line; every position (diagnostics, YAML nodes) is
//! inside the file, and a plain key's position is where the key is
//! written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marked_yaml::Node;
use yishi::text::{blank_control_chars, decode_text, is_forbidden_char, split_front_matter};

fn check_pos(lines: &[&str], line: usize, col: usize, what: &str, text: &str) {
    assert!(
        line >= 1 && line <= lines.len() && col >= 1,
        "{what} at {line}:{col} outside the file\ntext: {text:?}"
    );
    let width = lines[line - 1].chars().count();
    assert!(
        col <= width + 1,
        "{what} at {line}:{col} past the end of its line ({width})\ntext: {text:?}"
    );
}

fn check_node(node: &Node, lines: &[&str], text: &str) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(m) = n.span().start() {
            check_pos(lines, m.line(), m.column(), "YAML node", text);
        }
        match n {
            Node::Mapping(map) => {
                for (k, v) in map.iter() {
                    if let Some(m) = k.span().start() {
                        check_pos(lines, m.line(), m.column(), "YAML key", text);
                        let at: String = lines[m.line() - 1].chars().skip(m.column() - 1).collect();
                        // A plain key may run over lines (folded): its
                        // first character is where it starts.
                        let first = k.as_str().chars().next();
                        // A key over several lines (a complex `?` key with a
                        // block scalar) is reported at one of its tokens;
                        // only one-line keys are held to their first
                        // character.
                        let one_line = !k.as_str().contains('\n');
                        assert!(
                            !one_line ||
                            // Quoted, complex (`?`), anchored or tagged keys,
                            // and block scalars (`|`, `>`) start with their
                            // indicator.
                            at.starts_with(['"', '\'', '?', '&', '!', '|', '>'])
                                || first.is_none_or(|c| at.starts_with(c)),
                            "key {:?} reported at {}:{} where the text is {at:?}\ntext: {text:?}",
                            k.as_str(),
                            m.line(),
                            m.column()
                        );
                    }
                    stack.push(v);
                }
            }
            Node::Sequence(items) => stack.extend(items.iter()),
            Node::Scalar(_) => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = match decode_text(data) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.offset <= data.len());
            assert!(e.pos.line >= 1 && e.pos.col >= 1);
            if !e.utf16 {
                let bom = if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    3
                } else {
                    0
                };
                assert!(std::str::from_utf8(&data[bom..e.offset]).is_ok());
                assert!(std::str::from_utf8(&data[e.offset..]).is_err());
                let prefix = std::str::from_utf8(&data[bom..e.offset]).unwrap();
                assert_eq!(e.pos.line, prefix.matches('\n').count() + 1);
            }
            return;
        }
    };
    assert!(!text.contains('\r'));
    if let Ok(s) = std::str::from_utf8(data) {
        if !s.contains('\r') && !s.starts_with('\u{feff}') {
            assert_eq!(text, s);
        }
    }

    let mut blanked = text.clone();
    let found = blank_control_chars(&mut blanked);
    assert_eq!(blanked.chars().count(), text.chars().count());
    assert_eq!(blanked.matches('\n').count(), text.matches('\n').count());
    assert!(!blanked.chars().any(is_forbidden_char));
    assert_eq!(found.is_empty(), blanked == text);
    let lines: Vec<&str> = text.split('\n').collect();
    for (pos, c) in &found {
        assert!(is_forbidden_char(*c));
        check_pos(&lines, pos.line, pos.col, "control character", &text);
        assert_eq!(lines[pos.line - 1].chars().nth(pos.col - 1), Some(*c));
    }
    let text = blanked;
    let lines: Vec<&str> = text.split('\n').collect();

    if let Ok((front, front_line, body, body_line)) = split_front_matter(&text) {
        assert_eq!(front_line, 1);
        let first = text.split_inclusive('\n').next().unwrap();
        assert_eq!(first.trim_end(), "---");
        assert!(text[first.len()..].starts_with(&front));
        assert!(text.ends_with(&body));
        let head = &text[..text.len() - body.len()];
        let closing = head[first.len() + front.len()..].trim_end();
        assert_eq!(closing, "---", "closing fence of {text:?}");
        if !body.is_empty() {
            assert_eq!(body_line, head.matches('\n').count() + 1, "{text:?}");
        }
    }

    let (map, body, body_line, diags) = yishi::load::parse_record_text("t.md", &text);
    assert!(text.ends_with(&body));
    assert!(body_line >= 1);
    for d in &diags {
        if let Some(p) = d.pos {
            check_pos(&lines, p.line, p.col, &d.message, &text);
        }
        for (_, p) in &d.also {
            if let Some(p) = p {
                check_pos(&lines, p.line, p.col, &d.message, &text);
            }
        }
    }
    if let Some(map) = map {
        // Marker lines are those of the YAML text: one more gives the
        // file's (the opening fence).
        let front_lines: Vec<&str> = lines.iter().skip(1).copied().collect();
        if !front_lines.is_empty() && !map.is_empty() {
            check_node(&Node::Mapping(map), &front_lines, &text);
        }
    }
});
