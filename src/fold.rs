//! Constant folding of templates: `{{ t.key }}` and `{{ site.key }}` are
//! the same on every page of a build, so they are written into the template
//! text once, before Tera compiles it, instead of being looked up on each
//! of a hundred thousand pages (a dotted lookup in Tera allocates; the UI
//! strings were a sixth of the time spent rendering pages).
//!
//! Only what cannot change the output is folded:
//! - the plain form `{{ t.key }}` / `{{ site.key }}` (no filter, no
//!   whitespace control), outside `{% raw %}` blocks, comments and tags;
//! - of a value that is a string holding no newline and nothing Tera would
//!   read as template syntax;
//! - written escaped exactly as Tera would escape it (when `escape`);
//! - and nothing at all if any template binds `t` or `site` itself (a loop
//!   variable or `set` of that name would shadow the constant).
//!
//! A missing key is left alone, so that Tera reports it as before. Folded
//! text keeps every line where it was: error positions do not move.

use serde_json::Value;

/// Whether any template binds `t` or `site` (see the module docs).
pub fn shadows(sources: &[(String, String)]) -> bool {
    sources.iter().any(|(_, src)| {
        tags(src).any(|tag| {
            let words: Vec<&str> = tag
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            let binds = |w: &&str| *w == "t" || *w == "site";
            match words.first().copied() {
                // `for x in`, `for k, v in`: the names before `in`.
                Some("for") => words[1..].iter().take_while(|w| **w != "in").any(binds),
                Some("set" | "set_global") => words.get(1).is_some_and(binds),
                // Macro parameters.
                Some("macro") => words[2..].iter().any(binds),
                _ => false,
            }
        })
    })
}

/// The contents of the `{% … %}` tags of `src`.
fn tags(src: &str) -> impl Iterator<Item = &str> {
    src.split("{%")
        .skip(1)
        .filter_map(|rest| rest.split_once("%}").map(|(tag, _)| tag))
}

/// `src` with every foldable `{{ t.key }}` / `{{ site.key }}` replaced by
/// its value (escaped with `escape_fn` when `escape`).
pub fn fold(
    src: &str,
    t: &Value,
    site: &Value,
    escape: bool,
    escape_fn: fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let close = match rest.as_bytes().get(1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                out.push('{');
                rest = &rest[1..];
                continue;
            }
        };
        let Some(end) = rest[2..].find(close).map(|e| e + 2 + close.len()) else {
            // Unclosed: Tera reports it.
            out.push_str(rest);
            return out;
        };
        let (item, after) = rest.split_at(end);
        if close == "%}" && is_raw_start(item) {
            // Copy the raw block through its end tag untouched.
            let stop = raw_end(after).unwrap_or(after.len());
            out.push_str(item);
            out.push_str(&after[..stop]);
            rest = &after[stop..];
            continue;
        }
        match (close, constant(item, t, site)) {
            ("}}", Some(text)) if escape => out.push_str(&escape_fn(text)),
            ("}}", Some(text)) => out.push_str(text),
            _ => out.push_str(item),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn is_raw_start(tag: &str) -> bool {
    tag.trim_start_matches("{%")
        .trim_end_matches("%}")
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        == "raw"
}

/// Where the raw block that `after` is inside of ends (just past its
/// `{% endraw %}` tag).
fn raw_end(after: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(open) = after[from..].find("{%") {
        let start = from + open;
        let end = after[start..].find("%}")? + start + 2;
        let inner = after[start + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if inner == "endraw" {
            return Some(end);
        }
        from = end;
    }
    None
}

/// The value of `{{ t.key }}` / `{{ site.key }}` when it may be folded.
fn constant<'v>(item: &str, t: &'v Value, site: &'v Value) -> Option<&'v str> {
    let expr = item.strip_prefix("{{")?.strip_suffix("}}")?;
    // `{{-` / `-}}` trim whitespace around: not folded.
    if expr.starts_with('-') || expr.ends_with('-') {
        return None;
    }
    let (root, key) = expr.trim().split_once('.')?;
    let valid = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !valid(key) {
        return None;
    }
    let value = match root {
        "t" => t.get(key)?,
        "site" => site.get(key)?,
        _ => return None,
    };
    let text = value.as_str()?;
    let syntax = ["{{", "}}", "{%", "%}", "{#", "#}"];
    (!text.contains('\n') && !syntax.iter().any(|s| text.contains(s))).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn escape(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;")
    }

    fn folded(src: &str) -> String {
        let t =
            json!({"home": "首页", "amp": "甲 & <乙>", "n": 3, "brace": "{{ x }}", "nl": "a\nb"});
        let site = json!({"title": "示例站", "home_url": "/"});
        fold(src, &t, &site, true, escape)
    }

    #[test]
    fn folds_plain_strings_escaped() {
        assert_eq!(
            folded("<a href=\"{{ site.home_url }}\">{{ t.home }}</a> {{t.amp}}"),
            "<a href=\"/\">首页</a> 甲 &amp; &lt;乙>"
        );
        let t = json!({"amp": "甲 & 乙"});
        assert_eq!(
            fold("{{ t.amp }}", &t, &json!({}), false, escape),
            "甲 & 乙"
        );
    }

    #[test]
    fn leaves_what_it_cannot_fold() {
        for src in [
            "{{ t.missing }}",
            "{{ t.n }}",
            "{{ t.brace }}",
            "{{ t.nl }}",
            "{{ t.home | upper }}",
            "{{- t.home }}",
            "{{ t.home -}}",
            "{{ page.title }}",
            "{{ t['home'] }}",
            "{# {{ t.home }} #}",
            "{% if x %}{{ y }}{% endif %}",
            "{% raw %}{{ t.home }}{% endraw %}",
            "{%- raw -%} {{ t.home }} {%- endraw %}",
            "{{ t.home",
            "a { b } {",
        ] {
            assert_eq!(folded(src), src, "{src}");
        }
        assert_eq!(
            folded("{% raw %}{{ t.home }}{% endraw %}{{ t.home }}"),
            "{% raw %}{{ t.home }}{% endraw %}首页"
        );
    }

    #[test]
    fn keeps_lines() {
        let src = "a\n{{ t.home }}\n{{ nope }}\n";
        assert_eq!(folded(src).lines().count(), src.lines().count());
    }

    #[test]
    fn sees_templates_that_bind_t_or_site() {
        let named = |s: &str| vec![("a.html".to_string(), s.to_string())];
        for src in [
            "{% for t in page.tags %}{{ t }}{% endfor %}",
            "{% for k, site in x %}{% endfor %}",
            "{% set t = 1 %}",
            "{%- set_global site = 2 -%}",
            "{% macro card(r, t) %}{% endmacro %}",
        ] {
            assert!(shadows(&named(src)), "{src}");
        }
        for src in [
            "{% for tag in page.tags %}{{ t.home }}{% endfor %}",
            "{% set x = t.home %}",
            "{% if site.license %}{% endif %}",
            "{% macro card(r) %}{{ t.home }}{% endmacro %}",
        ] {
            assert!(!shadows(&named(src)), "{src}");
        }
    }
}
