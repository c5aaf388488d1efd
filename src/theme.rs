//! Themes: templates, static files and UI strings, from `themes/<name>/` or,
//! for `default` when the site has no such folder, from the copy built into
//! the binary.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::diagnostic::Diagnostic;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A file of a theme, from disk or embedded.
#[derive(Debug, Clone)]
pub enum ThemeFile {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

impl ThemeFile {
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            ThemeFile::Disk(p) => std::fs::read(p),
            ThemeFile::Embedded(b) => Ok(b.to_vec()),
        }
    }
}

/// Everything a theme provides, by relative path (`/`-separated).
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// Where it came from, for messages (`themes/default` or `(built in)`).
    pub origin: String,
    /// Template name (path under `templates/`) and source.
    pub templates: Vec<(String, String)>,
    /// Path under `static/` and the file.
    pub static_files: Vec<(String, ThemeFile)>,
    /// UI strings per language (file stem under `i18n/`).
    pub i18n: Vec<(String, String)>,
}

impl Theme {
    /// Find the theme `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            return Self::from_disk(root, name, &dir);
        }
        if name == "default" {
            return Ok(Self::embedded());
        }
        Err(Diagnostic::error(
            crate::config::FILE,
            None,
            format!("找不到主题 `{name}`（themes/{name}/ 不存在）"),
        )
        .with_hint("删除 site.toml 中的 theme 以使用内置的 default 主题，或创建该主题文件夹"))
    }

    fn from_disk(root: &Path, name: &str, dir: &Path) -> Result<Theme, Diagnostic> {
        let origin = crate::text::display_path(root, dir);
        let mut theme = Theme {
            name: name.to_string(),
            origin: origin.clone(),
            templates: Vec::new(),
            static_files: Vec::new(),
            i18n: Vec::new(),
        };
        let walk = |sub: &str| -> Vec<(String, PathBuf)> {
            let base = dir.join(sub);
            walkdir::WalkDir::new(&base)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| (crate::text::display_path(&base, e.path()), e.into_path()))
                .collect()
        };
        for (rel, path) in walk("templates") {
            let bytes = std::fs::read(&path).map_err(|e| {
                Diagnostic::error(
                    format!("{origin}/templates/{rel}"),
                    None,
                    format!("无法读取模板：{e}"),
                )
            })?;
            let text = crate::text::decode_text(&bytes)
                .map_err(|e| e.into_diagnostic(&format!("{origin}/templates/{rel}")))?;
            theme.templates.push((rel, text));
        }
        for (rel, path) in walk("static") {
            theme.static_files.push((rel, ThemeFile::Disk(path)));
        }
        for (rel, path) in walk("i18n") {
            if let Some(lang) = rel.strip_suffix(".toml") {
                let bytes = std::fs::read(&path).map_err(|e| {
                    Diagnostic::error(
                        format!("{origin}/i18n/{rel}"),
                        None,
                        format!("无法读取：{e}"),
                    )
                })?;
                let text = crate::text::decode_text(&bytes)
                    .map_err(|e| e.into_diagnostic(&format!("{origin}/i18n/{rel}")))?;
                theme.i18n.push((lang.to_string(), text));
            }
        }
        Ok(theme)
    }

    /// The default theme as built into the binary.
    pub fn embedded() -> Theme {
        let mut theme = Theme {
            name: "default".into(),
            origin: "（内置 default 主题）".into(),
            templates: Vec::new(),
            static_files: Vec::new(),
            i18n: Vec::new(),
        };
        fn files(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
            out.extend(dir.files());
            for d in dir.dirs() {
                files(d, out);
            }
        }
        let mut all = Vec::new();
        files(&DEFAULT_THEME, &mut all);
        for f in all {
            let path = f.path().to_string_lossy().replace('\\', "/");
            if let Some(rel) = path.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(f.contents()).into_owned();
                theme.templates.push((rel.to_string(), text));
            } else if let Some(rel) = path.strip_prefix("static/") {
                theme
                    .static_files
                    .push((rel.to_string(), ThemeFile::Embedded(f.contents())));
            } else if let Some(rel) = path.strip_prefix("i18n/") {
                if let Some(lang) = rel.strip_suffix(".toml") {
                    let text = String::from_utf8_lossy(f.contents()).into_owned();
                    theme.i18n.push((lang.to_string(), text));
                }
            }
        }
        theme.templates.sort();
        theme.static_files.sort_by(|a, b| a.0.cmp(&b.0));
        theme
    }

    /// Names at the top of `static/`: they cannot be place slugs.
    pub fn reserved_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .static_files
            .iter()
            .map(|(rel, _)| rel.split('/').next().unwrap_or(rel).to_string())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The path shown for a template in messages.
    pub fn template_path(&self, name: &str) -> String {
        format!("{}/templates/{name}", self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Every string of a strings file by dotted key (`status.done`), with
    /// its `{placeholders}` in order of appearance, sorted.
    fn keys(text: &str) -> BTreeMap<String, Vec<String>> {
        fn walk(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, Vec<String>>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, v) in t {
                        let key = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        walk(&key, v, out);
                    }
                }
                toml::Value::String(s) => {
                    let mut holes: Vec<String> = s
                        .split('{')
                        .skip(1)
                        .filter_map(|rest| rest.split_once('}').map(|(h, _)| h.to_string()))
                        .collect();
                    holes.sort();
                    out.insert(prefix.to_string(), holes);
                }
                other => panic!("{prefix}: not a string: {other:?}"),
            }
        }
        let value: toml::Value = toml::from_str(text).expect("strings file parses");
        let mut out = BTreeMap::new();
        walk("", &value, &mut out);
        out
    }

    #[test]
    fn every_language_has_exactly_the_keys_and_placeholders_of_zh_cn() {
        let theme = Theme::embedded();
        let strings = |lang: &str| {
            let (_, text) = theme
                .i18n
                .iter()
                .find(|(l, _)| l == lang)
                .unwrap_or_else(|| panic!("no i18n/{lang}.toml in the default theme"));
            keys(text)
        };
        let reference = strings("zh-CN");
        assert!(reference.len() > 100, "{}", reference.len());
        for lang in crate::config::LANGUAGES {
            let other = strings(lang);
            let missing: Vec<_> = reference
                .keys()
                .filter(|k| !other.contains_key(*k))
                .collect();
            let extra: Vec<_> = other
                .keys()
                .filter(|k| !reference.contains_key(*k))
                .collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}.toml: missing {missing:?}, extra {extra:?}"
            );
            for (key, holes) in &reference {
                assert_eq!(&other[key], holes, "{lang}.toml: placeholders of `{key}`");
            }
            let lang_attr = toml::from_str::<toml::Value>(
                &theme.i18n.iter().find(|(l, _)| l == lang).unwrap().1,
            )
            .unwrap()["lang_attr"]
                .as_str()
                .map(str::to_string);
            assert_eq!(lang_attr.as_deref(), Some(lang), "{lang}.toml: lang_attr");
        }
        assert_eq!(theme.i18n.len(), crate::config::LANGUAGES.len());
    }

    #[test]
    fn traditional_strings_are_traditional() {
        let theme = Theme::embedded();
        for lang in ["zh-TW", "zh-HK"] {
            let text = &theme.i18n.iter().find(|(l, _)| l == lang).unwrap().1;
            // Characters whose Simplified form differs, as they appear in
            // zh-CN.toml: none may be left in a Traditional file.
            for c in "议题会协过这记录数据网页关现开发选区镇乡县门们还时间结赞对弃权".chars()
            {
                let line = text
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .find(|l| l.contains(c));
                assert!(line.is_none(), "{lang}.toml: Simplified `{c}` in {line:?}");
            }
            assert!(text.contains("議題") && text.contains("協商會議"), "{lang}");
        }
    }
}
