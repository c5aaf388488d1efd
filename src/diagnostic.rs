//! Problems found in a site, as data.
//!
//! Every stage reports what is wrong as [`Diagnostic`] values instead of
//! failing on the first problem, so that a clerk sees all mistakes of a build
//! at once. Rendering to the terminal (with the source line and a caret) is
//! done by `codespan-reporting` in [`render`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

/// How bad a problem is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

pub use crate::text::Pos;

/// One problem in one file (or folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the clerk: relative to the site root, `/`-separated.
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
    pub hint: Option<String>,
    /// Further places involved (the other file of a duplicate id…).
    pub also: Vec<(String, Option<Pos>)>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            pos,
            message: message.into(),
            hint: None,
            also: Vec::new(),
        }
    }

    pub fn warning(file: impl Into<String>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    pub fn also_at(mut self, file: impl Into<String>, pos: Option<Pos>) -> Self {
        self.also.push((file.into(), pos));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or the file alone when no single line applies.
    pub fn location(&self) -> String {
        location(&self.file, self.pos)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        write!(
            f,
            "{}: {}: {}",
            printable(&self.location()),
            label,
            printable(&self.message)
        )?;
        if let Some(h) = &self.hint {
            write!(f, "（提示：{}）", printable(h))?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// One JSON object (one line) for tools: `file`, `line`, `column`,
    /// `end_line`, `end_column` (1-based, the end exclusive; null when no
    /// single place applies), `severity` (`error` or `warning`), `code`
    /// (null until rules have codes), `message`, `hint` (null without one).
    pub fn to_json(&self) -> String {
        let (line, col, end) = match self.pos {
            Some(p) => (Some(p.line), Some(p.col), Some(p.col + p.len.max(1))),
            None => (None, None, None),
        };
        serde_json::json!({
            "file": self.file,
            "line": line,
            "column": col,
            "end_line": line,
            "end_column": end,
            "severity": match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            "code": serde_json::Value::Null,
            "message": self.message,
            "hint": self.hint,
        })
        .to_string()
    }

    /// A GitHub Actions workflow command (`::error file=…,line=…::message`),
    /// which shows the problem on the line of the pull request's diff.
    pub fn to_github(&self) -> String {
        // Values escaped as the runner reads them: `%`, CR and LF in the
        // message; also `:` and `,` in properties.
        fn data(s: &str) -> String {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        }
        fn property(s: &str) -> String {
            data(s).replace(':', "%3A").replace(',', "%2C")
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![format!("file={}", property(&self.file))];
        if let Some(p) = self.pos {
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.col));
            props.push(format!("endColumn={}", p.col + p.len.max(1)));
        }
        props.push("title=yishi".to_string());
        let mut message = self.message.clone();
        if let Some(h) = &self.hint {
            message.push_str("\n提示：");
            message.push_str(h);
        }
        format!("::{level} {}::{}", props.join(","), data(&message))
    }
}

/// A growing list of problems, shared by the stages of one build.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Problems in a stable order: by file, then position, then message.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.file, a.pos, &a.message, a.severity).cmp(&(&b.file, b.pos, &b.message, b.severity))
        });
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// Byte range in `text` of the characters a [`Pos`] marks.
fn byte_range(text: &str, pos: Pos) -> Option<std::ops::Range<usize>> {
    let mut line_start = 0;
    for _ in 1..pos.line {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let mut chars = line.char_indices().map(|(i, _)| line_start + i);
    let start = chars.nth(pos.col.saturating_sub(1)).unwrap_or(line_end);
    let end = line[start - line_start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .nth(pos.len.max(1))
        .unwrap_or(line_end);
    Some(start..end.max(start))
}

/// Text of `diagnostics` for a person: each with its location, the source
/// line and a caret under the offending text, and the hint. `root` is the
/// site root the diagnostics' paths are relative to.
pub fn render(diagnostics: &[Diagnostic], root: &Path) -> String {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<String, Option<usize>> = HashMap::new();
    let mut file_id = |files: &mut SimpleFiles<String, String>, name: &str| -> Option<usize> {
        *ids.entry(name.to_string()).or_insert_with(|| {
            let bytes = std::fs::read(root.join(name)).ok()?;
            let mut text = crate::text::decode_text(&bytes).ok()?;
            // Shown on a terminal: no escape sequence of the file's own.
            crate::text::blank_control_chars(&mut text);
            Some(files.add(printable(name).into_owned(), text))
        })
    };
    let config = term::Config::default();
    let mut out = String::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => codespan_reporting::diagnostic::Severity::Error,
            Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
        };
        let mut notes = Vec::new();
        let mut labels = Vec::new();
        let places = std::iter::once((d.file.as_str(), d.pos))
            .chain(d.also.iter().map(|(f, p)| (f.as_str(), *p)));
        for (i, (file, pos)) in places.enumerate() {
            let labelled = pos.and_then(|pos| {
                let id = file_id(&mut files, file)?;
                let range = byte_range(files.get(id).ok()?.source(), pos)?;
                Some(if i == 0 {
                    Label::primary(id, range)
                } else {
                    Label::secondary(id, range)
                })
            });
            match labelled {
                Some(l) => labels.push(l),
                None => notes.push(format!("位置：{}", printable(&location(file, pos)))),
            }
        }
        if let Some(h) = &d.hint {
            notes.push(format!("提示：{}", printable(h)));
        }
        let cs = CsDiagnostic::new(severity)
            .with_message(printable(&d.message))
            .with_labels(labels)
            .with_notes(notes);
        match term::emit_into_string(&config, &files, &cs) {
            Ok(text) => out.push_str(&text),
            Err(_) => {
                out.push_str(&d.to_string());
                out.push('\n');
            }
        }
    }
    out
}

/// `text` with every control character written as an escape (`\u{1b}`),
/// so that what a file or a value holds (an ESC or OSC sequence) is shown
/// and never obeyed by the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(crate::text::is_forbidden_char) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if crate::text::is_forbidden_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out.into()
}

fn location(file: &str, pos: Option<Pos>) -> String {
    match pos {
        Some(p) => format!("{}:{}:{}", file, p.line, p.col),
        None => file.to_string(),
    }
}

// The clerk's message for a file that is not text lives with the other
// messages, not in the leaf module that decodes.
impl crate::text::DecodeError {
    pub fn into_diagnostic(self, file: &str) -> Diagnostic {
        if self.utf16 {
            return Diagnostic::error(file, Some(Pos::start()), "文件是 UTF-16 编码，无法读取")
                .with_hint("请在编辑器中把文件另存为 UTF-8 编码");
        }
        Diagnostic::error(
            file,
            Some(self.pos),
            format!(
                "文件不是 UTF-8 编码：第 {} 字节（从 0 数起）处不是有效的 UTF-8",
                self.offset
            ),
        )
        .with_hint("中文 Windows 常把文件存成 GBK 编码；请在编辑器中“另存为”UTF-8 编码后再生成")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn machine_formats_carry_every_field() {
        let d = super::Diagnostic::error(
            "content/a,b/topics/x.md",
            Some(super::Pos::new(4, 7, 3)),
            "日期无效：50%\n第二行",
        )
        .with_hint("写作 YYYY-MM-DD");
        let v: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
        assert_eq!(v["file"], "content/a,b/topics/x.md");
        assert_eq!(
            (v["line"].as_u64(), v["column"].as_u64()),
            (Some(4), Some(7))
        );
        assert_eq!(
            (v["end_line"].as_u64(), v["end_column"].as_u64()),
            (Some(4), Some(10))
        );
        assert_eq!(v["severity"], "error");
        assert_eq!(v["hint"], "写作 YYYY-MM-DD");
        assert!(v["code"].is_null());
        assert_eq!(
            d.to_github(),
            "::error file=content/a%2Cb/topics/x.md,line=4,col=7,endColumn=10,title=yishi::\
             日期无效：50%25%0A第二行%0A提示：写作 YYYY-MM-DD"
        );
        let w = super::Diagnostic::warning("content/x.md", None, "m");
        assert_eq!(w.to_github(), "::warning file=content/x.md,title=yishi::m");
        assert!(serde_json::from_str::<serde_json::Value>(&w.to_json()).unwrap()["line"].is_null());
    }

    use super::*;

    #[test]
    fn offset_to_line_and_char_column() {
        let text = "a: 1\n标题: 议事\n";
        let at = text.find("议事").unwrap();
        assert_eq!(Pos::of_offset(text, at, 2), Pos::new(2, 5, 2));
    }

    #[test]
    fn byte_range_counts_characters() {
        let text = "x\ntype: 项目建筑\n";
        let r = byte_range(text, Pos::new(2, 7, 4)).unwrap();
        assert_eq!(&text[r], "项目建筑");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let d = Diagnostic::error("a\u{1b}.md", None, "值 `\u{1b}]0;x\u{7}` 无效")
            .with_hint("\u{9b}31m");
        let text = d.to_string() + &render(&[d], Path::new("/nonexistent"));
        assert!(
            !text.chars().any(crate::text::is_forbidden_char),
            "{text:?}"
        );
        assert!(text.contains("\\u{1b}]0;x\\u{7}"), "{text}");
    }

    #[test]
    fn sorted_orders_by_file_and_line() {
        let mut ds = Diagnostics::new();
        ds.push(Diagnostic::error("b.md", Some(Pos::new(2, 1, 1)), "x"));
        ds.push(Diagnostic::error("a.md", Some(Pos::new(9, 1, 1)), "y"));
        ds.push(Diagnostic::error("a.md", Some(Pos::new(3, 1, 1)), "z"));
        let files: Vec<_> = ds.sorted().into_iter().map(|d| d.location()).collect();
        assert_eq!(files, ["a.md:3:1", "a.md:9:1", "b.md:2:1"]);
    }
}
