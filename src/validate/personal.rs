//! Personal numbers (phone, ID card numbers) in what the YAML side of the
//! content publishes: files as written, decoded YAML keys and values, and
//! `site.toml`.

use marked_yaml::Node;

use crate::config::PrivacyMode;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::LoadedYaml;
use crate::privacy;

/// Personal numbers in what a YAML block publishes, read after decoding
/// (escapes, line continuations, quoting): keys (always an error: a key
/// cannot be masked) and values (errors, or masked in the tree itself
/// when the site masks, so that every field, numbers included, sees only
/// the masked text). `seen` holds the lines the raw scan reported already.
/// Control characters that YAML escapes decode to are blanked in the tree
/// too, with a warning.
pub(super) fn privacy_values(
    y: &mut LoadedYaml,
    mode: PrivacyMode,
    seen: &std::collections::HashSet<usize>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let Some(map) = y.map.as_mut() else {
        return diags;
    };
    let offset = y.line_offset;
    let file = y.file.clone();
    let pos_of = |span: &marked_yaml::Span| {
        span.start()
            .map(|m| Pos::new(m.line() + offset, m.column(), 1))
    };
    // Depth-first over the tree without recursion (nesting is bounded by
    // load, but a loop costs nothing).
    let mut stack: Vec<&mut Node> = Vec::new();
    let mut keys: Vec<(String, Option<Pos>)> = Vec::new();
    for (k, v) in map.iter_mut() {
        keys.push((k.as_str().to_string(), pos_of(k.span())));
        stack.push(v);
    }
    while let Some(node) = stack.pop() {
        match node {
            Node::Mapping(m) => {
                for (k, v) in m.iter_mut() {
                    keys.push((k.as_str().to_string(), pos_of(k.span())));
                    stack.push(v);
                }
            }
            Node::Sequence(items) => stack.extend(items.iter_mut()),
            Node::Scalar(scalar) => {
                // The file's own control characters were blanked when it
                // was read; an escape (`"\r"`, `"\e"`, `"\0"`) decodes
                // to one only now. Blanked the same way, with a warning.
                if let Some(c) = scalar
                    .as_str()
                    .chars()
                    .find(|&c| crate::text::is_forbidden_char(c))
                {
                    diags.push(
                        Diagnostic::warning(
                            file.clone(),
                            pos_of(scalar.span()),
                            format!("转义写出的控制字符 U+{:04X} 已改为空格", u32::from(c)),
                        )
                        .with_hint("控制字符不能出现在网页、订阅源和日历中；换行请写 \\n，删除 \\r、\\e、\\0 等转义"),
                    );
                    let blanked = crate::text::blanked(scalar.as_str());
                    let coerce = scalar.may_coerce();
                    let mut replaced =
                        marked_yaml::types::MarkedScalarNode::new(*scalar.span(), blanked);
                    replaced.set_coerce(coerce);
                    *scalar = replaced;
                }
                // Values may be rendered as Markdown (place summaries).
                let findings = privacy::scan_markup(scalar.as_str());
                let Some(first) = findings.first() else {
                    continue;
                };
                let pos = pos_of(scalar.span());
                let line_seen = pos.is_some_and(|p| seen.contains(&p.line));
                match mode {
                    PrivacyMode::Error if !line_seen => diags.push(
                        Diagnostic::error(
                            file.clone(),
                            pos,
                            format!("发现疑似{}，记录是公开的", first.kind.label()),
                        )
                        .with_hint("删除该号码；如确需公开，可在 site.toml 设置 privacy = \"mask\" 打码发布"),
                    ),
                    PrivacyMode::Error => {}
                    PrivacyMode::Mask => {
                        if !line_seen {
                            diags.push(Diagnostic::warning(
                                file.clone(),
                                pos,
                                format!("发现疑似{}，已打码发布", first.kind.label()),
                            ));
                        }
                        let masked = privacy::mask_all(scalar.as_str()).into_owned();
                        let coerce = scalar.may_coerce();
                        let mut replaced =
                            marked_yaml::types::MarkedScalarNode::new(*scalar.span(), masked);
                        replaced.set_coerce(coerce);
                        *scalar = replaced;
                    }
                }
            }
        }
    }
    for (key, pos) in keys {
        if let Some(fd) = privacy::scan(&key).first() {
            diags.push(
                Diagnostic::error(
                    file.clone(),
                    pos,
                    format!("键名中含有疑似{}", fd.kind.label()),
                )
                .with_hint("键名无法打码；请改用不含号码的键名"),
            );
        }
    }
    diags
}

/// Personal numbers in `site.toml`, whose settings appear on every page:
/// always an error (nothing there is masked), read both as written and
/// decoded (escapes).
pub fn privacy_of_site_toml(text: &str, diags: &mut Diagnostics) {
    let file = crate::config::FILE;
    let raw = privacy::scan(text);
    for fd in &raw {
        diags.push(
            Diagnostic::error(
                file,
                Some(Pos::of_offset(text, fd.range.start, fd.range.len())),
                format!("site.toml 中有疑似{}", fd.kind.label()),
            )
            .with_hint("site.toml 的内容会出现在网站的每一页，无法打码；请删除该号码"),
        );
    }
    if !raw.is_empty() {
        return;
    }
    let Ok(value) = text.parse::<toml::Table>() else {
        return;
    };
    let mut stack: Vec<(&str, &toml::Value)> = value.iter().map(|(k, v)| (k.as_str(), v)).collect();
    while let Some((key, v)) = stack.pop() {
        let mut hits = privacy::scan(key);
        match v {
            toml::Value::String(s) => hits.extend(privacy::scan(s)),
            toml::Value::Array(items) => stack.extend(items.iter().map(|i| (key, i))),
            toml::Value::Table(t) => stack.extend(t.iter().map(|(k, v)| (k.as_str(), v))),
            _ => {}
        }
        if let Some(fd) = hits.first() {
            diags.push(
                Diagnostic::error(
                    file,
                    None,
                    format!(
                        "site.toml 的 `{key}` 中有疑似{}（写成了转义字符）",
                        fd.kind.label()
                    ),
                )
                .with_hint("site.toml 的内容会出现在网站的每一页，无法打码；请删除该号码"),
            );
            return;
        }
    }
}

/// Personal numbers anywhere in a file as written (comments too), read as a
/// reader sees them (full-width, grouped, `0086`, zero-width characters);
/// in its last `body_len` bytes (a record's Markdown body) also those that
/// markup splits. Errors, or warnings when the site masks them; with the
/// lines reported.
pub(super) fn privacy_in_file(
    y: &LoadedYaml,
    body_len: usize,
    mode: PrivacyMode,
) -> (Vec<Diagnostic>, std::collections::HashSet<usize>) {
    let text = &y.text;
    let body_start = text.len().saturating_sub(body_len);
    let mut found = privacy::scan(&text[..body_start]);
    if body_len > 0 {
        found.extend(
            privacy::scan_markup(&text[body_start..])
                .into_iter()
                .map(|mut fd| {
                    fd.range = fd.range.start + body_start..fd.range.end + body_start;
                    fd
                }),
        );
    }
    found.sort_by_key(|fd| fd.range.start);
    let mut lines = std::collections::HashSet::new();
    let mut positions = Positions::new(text);
    let total = found.len();
    let mut diags: Vec<Diagnostic> = found
        .into_iter()
        .enumerate()
        .filter_map(|(n, fd)| {
            let pos = positions.of(fd.range.start, fd.range.len());
            lines.insert(pos.line);
            // Every line is noted (for `privacy_values`); only the first
            // few are reported, so that a pasted roster of thousands of
            // numbers gives a readable message in bounded time.
            if n >= MAX_REPORTED {
                return None;
            }
            Some(match mode {
                PrivacyMode::Error => Diagnostic::error(
                    y.file.as_str(),
                    Some(pos),
                    format!("发现疑似{}，记录是公开的", fd.kind.label()),
                )
                .with_hint(
                    "删除该号码；如确需公开，可在 site.toml 设置 privacy = \"mask\" 打码发布",
                ),
                PrivacyMode::Mask => Diagnostic::warning(
                    y.file.as_str(),
                    Some(pos),
                    format!("发现疑似{}，已打码发布", fd.kind.label()),
                ),
            })
        })
        .collect();
    if total > MAX_REPORTED {
        let more = format!("另有 {} 处疑似个人号码", total - MAX_REPORTED);
        diags.push(match mode {
            PrivacyMode::Error => Diagnostic::error(y.file.as_str(), None, more)
                .with_hint("逐一删除；或在 site.toml 设置 privacy = \"mask\" 打码发布"),
            PrivacyMode::Mask => Diagnostic::warning(y.file.as_str(), None, more + "，已打码发布"),
        });
    }
    (diags, lines)
}

/// The most personal numbers reported one by one in a file.
const MAX_REPORTED: usize = 50;

/// Positions of ascending byte offsets in one text, found in one pass
/// ([`Pos::of_offset`] counts from the start each time: quadratic for a
/// file with thousands of findings).
struct Positions<'a> {
    text: &'a str,
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Positions<'a> {
        Positions {
            text,
            at: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The position of byte `offset` (not before the last one asked).
    fn of(&mut self, offset: usize, len: usize) -> Pos {
        let offset = offset.min(self.text.len()).max(self.at);
        for (i, b) in self.text.as_bytes()[self.at..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.at + i + 1;
            }
        }
        self.at = offset;
        let col = self.text[self.line_start..offset].chars().count() + 1;
        Pos::new(self.line, col, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_one_pass_agree_with_of_offset() {
        let text = "a: 1\n标题: 议事\n\n第三行 x\n";
        let mut p = Positions::new(text);
        for (at, _) in text.char_indices() {
            assert_eq!(p.of(at, 1), Pos::of_offset(text, at, 1), "{at}");
        }
    }
}
