//! The theme's templates as a Tera instance: autoescaping with the five
//! characters that matter, UI strings and settings folded in (`fold.rs`),
//! the card batch template, `range` bounded, recursion refused, and Tera's
//! errors as diagnostics that name the theme file and line.

use std::collections::HashMap;

use serde_json::Value;
use tera::Tera;

use super::cards::{CARD_BATCH, CARD_END};
use super::{ctx_err, TemplateError};
use crate::diagnostic::{Diagnostic, Pos};
use crate::theme::Theme;

/// The templates of `theme`, ready to render, with `t` (UI strings) and
/// `site` (settings) folded into their text where they are used plainly.
/// Also says whether the theme has a card template (`partials/card.html`).
pub(super) fn build(theme: &Theme, t: &Value, site: &Value) -> Result<(Tera, bool), TemplateError> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    // Every page template is `.html`, and Tera escapes by the page's
    // template: folded text is escaped in every template.
    let fold = !crate::fold::shadows(&theme.templates);
    let sources: Vec<(&str, std::borrow::Cow<str>)> = theme
        .templates
        .iter()
        .map(|(n, src)| {
            let src = if fold {
                crate::fold::fold(src, t, site, true, escape_html).into()
            } else {
                std::borrow::Cow::Borrowed(src.as_str())
            };
            (n.as_str(), src)
        })
        .collect();
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_ref()))) {
        return Err(TemplateError(template_diagnostic(theme, &e)));
    }
    let card_template = theme
        .templates
        .iter()
        .any(|(n, _)| n == "partials/card.html");
    if card_template {
        let batch = format!(
            "{{% for r in cards %}}{{% include \"partials/card.html\" %}}{CARD_END}{{% endfor %}}"
        );
        if let Err(e) = tera.add_raw_template(CARD_BATCH, &batch) {
            return Err(TemplateError(template_diagnostic(theme, &e)));
        }
    }
    if let Some(d) = recursion_in(&tera, theme) {
        return Err(TemplateError(d));
    }
    tera.register_function("range", bounded_range);
    Ok((tera, card_template))
}

/// HTML escaping for templates: the five characters that matter, and no
/// more (Tera's default also escapes `/`, which makes every URL unreadable).
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    let mut plain = 0;
    // The five characters are ASCII, so byte positions are char boundaries;
    // runs between them are copied whole.
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&input[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&input[plain..]);
    out
}

pub(super) fn load_strings(theme: &Theme, language: &str) -> Result<Value, TemplateError> {
    let file = format!("{}/i18n/{language}.toml", theme.origin);
    let Some((_, text)) = theme.i18n.iter().find(|(l, _)| l == language) else {
        return Err(TemplateError(
            Diagnostic::error(file, None, format!("主题缺少界面语言 `{language}` 的文字"))
                .with_hint("在主题的 i18n/ 中添加该语言的 .toml 文件，或改用 zh-CN"),
        ));
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let pos = e
            .span()
            .map(|s| Pos::of_offset(text, s.start, s.len().max(1)));
        TemplateError(Diagnostic::error(
            file.clone(),
            pos,
            format!("界面文字文件有误：{}", e.message()),
        ))
    })?;
    serde_json::to_value(table).map_err(ctx_err)
}

/// The most numbers `range` gives a theme: Tera's own would fill memory
/// with `range(end=2e8)` and abort the build.
pub const MAX_RANGE: usize = 100_000;

/// Tera's `range` (`start`, `end`, `step_by`), refusing more than
/// [`MAX_RANGE`] numbers.
fn bounded_range(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let number = |key: &str, default: Option<usize>| -> tera::Result<usize> {
        match args.get(key) {
            Some(v) => v.as_u64().map(|n| n as usize).ok_or_else(|| {
                tera::Error::msg(format!("`range` 的 `{key}` 应为非负整数，而不是 {v}"))
            }),
            None => default.ok_or_else(|| tera::Error::msg(format!("`range` 缺少 `{key}` 参数"))),
        }
    };
    let start = number("start", Some(0))?;
    let end = number("end", None)?;
    let step = number("step_by", Some(1))?.max(1);
    let count = end.saturating_sub(start).div_ceil(step);
    if count > MAX_RANGE {
        return Err(tera::Error::msg(format!(
            "`range` 最多给出 {MAX_RANGE} 个数，这里要 {count} 个"
        )));
    }
    Ok(Value::Array(
        (start..end).step_by(step).map(Value::from).collect(),
    ))
}

/// A template that includes itself or a macro that calls itself, directly
/// or through others, as an error naming the template. Tera 1 has no limit
/// on the depth of includes and macro calls: such a theme would overflow
/// the stack (and abort) on the first page that uses it, even when a
/// condition was meant to end the recursion. So recursion is refused when
/// the theme is loaded, over-approximating: every include and call counts,
/// whichever branch it is in, and an extended template counts as called.
fn recursion_in(tera: &Tera, theme: &Theme) -> Option<Diagnostic> {
    use tera::ast::Node;
    // Nodes: a template `a.html`, or a macro `a.html::m` of the file `a.html`.
    let mut edges: HashMap<String, Vec<String>> = HashMap::new();
    let mut names: Vec<&str> = tera.get_template_names().collect();
    names.sort_unstable();
    for name in &names {
        let Ok(tpl) = tera.get_template(name) else {
            continue;
        };
        let mut out = Vec::new();
        if let Some(parent) = &tpl.parent {
            out.push(parent.clone());
        }
        calls_in(tera, name, &tpl.ast, &mut out);
        edges.insert(name.to_string(), out);
        for (m, def) in &tpl.macros {
            let mut out = Vec::new();
            calls_in(tera, name, &def.body, &mut out);
            edges.insert(format!("{name}::{m}"), out);
        }
    }
    // Depth-first search for a cycle, in a stable order.
    let mut keys: Vec<&String> = edges.keys().collect();
    keys.sort_unstable();
    let mut done: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for start in keys {
        if done.contains(start.as_str()) {
            continue;
        }
        let mut path: Vec<&str> = vec![start.as_str()];
        let mut next: Vec<usize> = vec![0];
        while let Some(&i) = next.last() {
            let node = *path.last().unwrap();
            let targets = edges.get(node).map(Vec::as_slice).unwrap_or_default();
            if i >= targets.len() {
                done.insert(node);
                path.pop();
                next.pop();
                continue;
            }
            *next.last_mut().unwrap() += 1;
            let to = targets[i].as_str();
            if let Some(at) = path.iter().position(|p| *p == to) {
                let mut cycle: Vec<&str> = path[at..].to_vec();
                cycle.push(to);
                let file = to.split("::").next().unwrap_or(to);
                let what = if to.contains("::") {
                    "宏递归调用"
                } else {
                    "模板递归包含"
                };
                return Some(
                    Diagnostic::error(
                        theme.template_path(file),
                        None,
                        format!("{what}：{}", cycle.join(" → ")),
                    )
                    .with_hint("模板不能（直接或经其他模板）包含自身，宏也不能调用自身：递归没有深度限制，会使生成崩溃；请改为用循环展开"),
                );
            }
            if !done.contains(to) && edges.contains_key(to) {
                path.push(to);
                next.push(0);
            }
        }
    }
    fn calls_in(tera: &Tera, file: &str, nodes: &[Node], out: &mut Vec<String>) {
        for node in nodes {
            match node {
                Node::Include(_, names, _) => out.extend(names.iter().cloned()),
                Node::VariableBlock(_, e) => expr_calls(tera, file, e, out),
                Node::Set(_, set) => expr_calls(tera, file, &set.value, out),
                Node::FilterSection(_, fs, _) => {
                    fn_calls(tera, file, &fs.filter, out);
                    calls_in(tera, file, &fs.body, out);
                }
                Node::Block(_, b, _) => calls_in(tera, file, &b.body, out),
                Node::Forloop(_, f, _) => {
                    expr_calls(tera, file, &f.container, out);
                    calls_in(tera, file, &f.body, out);
                    if let Some(empty) = &f.empty_body {
                        calls_in(tera, file, empty, out);
                    }
                }
                Node::If(i, _) => {
                    for (_, cond, body) in &i.conditions {
                        expr_calls(tera, file, cond, out);
                        calls_in(tera, file, body, out);
                    }
                    if let Some((_, body)) = &i.otherwise {
                        calls_in(tera, file, body, out);
                    }
                }
                _ => {}
            }
        }
    }
    fn fn_calls(tera: &Tera, file: &str, f: &tera::ast::FunctionCall, out: &mut Vec<String>) {
        for e in f.args.values() {
            expr_calls(tera, file, e, out);
        }
    }
    fn expr_calls(tera: &Tera, file: &str, e: &tera::ast::Expr, out: &mut Vec<String>) {
        for f in &e.filters {
            fn_calls(tera, file, f, out);
        }
        val_calls(tera, file, &e.val, out);
    }
    fn val_calls(tera: &Tera, file: &str, v: &tera::ast::ExprVal, out: &mut Vec<String>) {
        use tera::ast::ExprVal;
        match v {
            ExprVal::MacroCall(mc) => {
                let target = if mc.namespace == "self" {
                    Some(file.to_string())
                } else {
                    tera.get_template(file).ok().and_then(|t| {
                        t.imported_macro_files
                            .iter()
                            .find(|(_, ns)| *ns == mc.namespace)
                            .map(|(f, _)| f.clone())
                    })
                };
                if let Some(t) = target {
                    out.push(format!("{t}::{}", mc.name));
                }
                for a in mc.args.values() {
                    expr_calls(tera, file, a, out);
                }
            }
            ExprVal::FunctionCall(f) => fn_calls(tera, file, f, out),
            ExprVal::Math(m) => {
                expr_calls(tera, file, &m.lhs, out);
                expr_calls(tera, file, &m.rhs, out);
            }
            ExprVal::Logic(l) => {
                expr_calls(tera, file, &l.lhs, out);
                expr_calls(tera, file, &l.rhs, out);
            }
            ExprVal::In(i) => {
                expr_calls(tera, file, &i.lhs, out);
                expr_calls(tera, file, &i.rhs, out);
            }
            ExprVal::Test(t) => {
                for a in &t.args {
                    expr_calls(tera, file, a, out);
                }
            }
            ExprVal::Array(items) => {
                for a in items {
                    expr_calls(tera, file, a, out);
                }
            }
            ExprVal::StringConcat(c) => {
                for v in &c.values {
                    val_calls(tera, file, v, out);
                }
            }
            _ => {}
        }
    }
    None
}

/// A Tera error as a diagnostic naming the template file and line.
///
/// Tera reports the line of syntax errors; for errors while rendering it
/// names the template and the missing variable or filter, and the line is
/// found by looking for that name in the template's source.
pub(super) fn template_diagnostic(theme: &Theme, e: &tera::Error) -> Diagnostic {
    use std::error::Error as _;
    let mut chain = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let full = chain.join("\n");
    let quoted: Vec<String> = full
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    let template = quoted
        .iter()
        .find(|q| theme.templates.iter().any(|(n, _)| n == *q))
        .cloned();
    let sources: HashMap<&str, &str> = theme
        .templates
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    // Syntax errors carry ` --> line:col`.
    let mut pos = full.split("-->").nth(1).and_then(|rest| {
        let rest = rest.trim_start();
        let (l, c) = rest.split_once(':')?;
        let c: String = c.chars().take_while(|ch| ch.is_ascii_digit()).collect();
        Some(Pos::new(l.trim().parse().ok()?, c.parse().ok()?, 1))
    });
    if pos.is_none() {
        let names: Vec<&str> = full.split('`').skip(1).step_by(2).collect();
        if let Some(src) = template.as_deref().and_then(|t| sources.get(t)) {
            pos = names.iter().find_map(|name| {
                let at = src.find(name)?;
                Some(Pos::of_offset(src, at, name.chars().count()))
            });
        }
    }
    let file = template
        .map(|t| theme.template_path(&t))
        .unwrap_or_else(|| format!("{}/templates", theme.origin));
    let message = chain
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("：");
    Diagnostic::error(file, pos, format!("模板错误：{message}"))
        .with_hint("检查模板中的变量名、过滤器和标签是否拼写正确、是否成对闭合")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_names_template_and_line() {
        let theme = Theme {
            name: "t".into(),
            origin: "themes/t".into(),
            templates: vec![("a.html".into(), "<p>\n{{ x }\n</p>".into())],
            static_files: Vec::new(),
            i18n: Vec::new(),
        };
        let mut tera = Tera::default();
        let e = tera
            .add_raw_templates(vec![("a.html", "<p>\n{{ x }\n</p>")])
            .unwrap_err();
        let d = template_diagnostic(&theme, &e);
        assert_eq!(d.file, "themes/t/templates/a.html");
        assert_eq!(d.pos.map(|p| p.line), Some(2), "{d:?}");
    }

    #[test]
    fn render_error_finds_line_of_missing_variable() {
        let src = "<p>\n\n{{ page.nope.deeper }}\n</p>";
        let theme = Theme {
            name: "t".into(),
            origin: "themes/t".into(),
            templates: vec![("a.html".into(), src.into())],
            static_files: Vec::new(),
            i18n: Vec::new(),
        };
        let mut tera = Tera::default();
        tera.add_raw_templates(vec![("a.html", src)]).unwrap();
        let e = tera.render("a.html", &tera::Context::new()).unwrap_err();
        let d = template_diagnostic(&theme, &e);
        assert_eq!(d.file, "themes/t/templates/a.html");
        assert_eq!(d.pos.map(|p| p.line), Some(3), "{d:?}");
    }
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn escapes_the_five_characters_only() {
        assert_eq!(
            super::escape_html("甲<b>\"乙\" & '丙'/路</b>"),
            "甲&lt;b&gt;&quot;乙&quot; &amp; &#39;丙&#39;/路&lt;/b&gt;"
        );
        assert_eq!(super::escape_html(""), "");
        assert_eq!(super::escape_html("纯文本"), "纯文本");
    }
}
