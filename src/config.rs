//! `site.toml`: the site's settings and vocabularies.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::vocab::{Term, Vocabularies, Vocabulary};

/// UI languages the default theme ships strings for.
pub const LANGUAGES: [&str; 4] = ["zh-CN", "zh-TW", "zh-HK", "en"];

/// What to do with personal numbers found in records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyMode {
    /// Refuse to publish (the default).
    Error,
    /// Publish masked, with a warning.
    Mask,
}

/// The validated settings of a site.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    /// Absolute URL the output root is served at, always ending in `/`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub page_size: usize,
    pub privacy: PrivacyMode,
    /// Whether feed entries carry the record's whole body (`feed_content =
    /// "full"`) or, by default, its summary and the link.
    pub feed_full: bool,
    pub timezone: chrono_tz::Tz,
    pub description: Option<String>,
    pub license: Option<String>,
    pub vocabularies: Vocabularies,
    /// The free `[extra]` table, passed to templates as `site.extra`.
    pub extra: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Spanned<String>,
    base_url: Spanned<String>,
    language: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    page_size: Option<Spanned<i64>>,
    privacy: Option<Spanned<String>>,
    feed_content: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    description: Option<String>,
    license: Option<String>,
    #[serde(default)]
    vocabularies: RawVocabularies,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawVocabularies {
    topic_types: Option<Spanned<Vec<Term>>>,
    session_forms: Option<Spanned<Vec<Term>>>,
    participant_groups: Option<Spanned<Vec<Term>>>,
    results: Option<Spanned<Vec<Term>>>,
    progress_states: Option<Spanned<Vec<Term>>>,
}

/// The file name, relative to the site root, as shown in messages.
pub const FILE: &str = "site.toml";

impl SiteConfig {
    /// Read and check `site.toml` in `root`. Every problem is reported.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostics> {
        let mut diags = Diagnostics::new();
        let bytes = match std::fs::read(root.join(FILE)) {
            Ok(b) => b,
            Err(e) => {
                diags.push(
                    Diagnostic::error(FILE, None, format!("无法读取站点配置：{e}"))
                        .with_hint("在站点根目录创建 site.toml，至少写上 title 和 base_url"),
                );
                return Err(diags);
            }
        };
        let text = match crate::text::decode_text(&bytes) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d.into_diagnostic(FILE));
                return Err(diags);
            }
        };
        let cfg = Self::parse(&text, &mut diags);
        match cfg {
            Some(c) if !diags.has_errors() => Ok(c),
            _ => Err(diags),
        }
    }

    /// Parse the text of `site.toml`, reporting problems into `diags`.
    pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<SiteConfig> {
        let at = |span: std::ops::Range<usize>| {
            Some(Pos::of_offset(
                text,
                span.start,
                text[span.clone()].chars().count(),
            ))
        };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let pos = e.span().and_then(&at);
                let msg = e.message().to_string();
                let hint = if msg.contains("unknown field") {
                    Some("site.toml 只接受 title、base_url、language、theme、page_size、privacy、feed_content、timezone、description、license、[vocabularies] 和 [extra]；自定义设置请放在 [extra] 下".to_string())
                } else if msg.contains("missing field") {
                    Some("title 和 base_url 是必填项".to_string())
                } else {
                    None
                };
                diags.push(
                    Diagnostic::error(FILE, pos, format!("site.toml 有误：{msg}"))
                        .with_hint_opt(hint),
                );
                return None;
            }
        };

        let mut base_url = raw.base_url.get_ref().trim().to_string();
        match url::Url::parse(&base_url) {
            // A path starting with `//` would make every internal link
            // (`//x/…`) name another host; after a query or fragment, the
            // `/` added below and every link would not be in the path.
            Ok(u)
                if (u.scheme() == "http" || u.scheme() == "https")
                    && !u.path().starts_with("//")
                    && u.query().is_none()
                    && u.fragment().is_none() =>
            {
                if !base_url.ends_with('/') {
                    base_url.push('/');
                }
            }
            _ => diags.push(
                Diagnostic::error(
                    FILE,
                    at(raw.base_url.span()),
                    format!("base_url `{base_url}` 不是有效的网址"),
                )
                .with_hint("写成完整网址，例如 \"https://example.org/xieshang/\""),
            ),
        }

        let language = match raw.language {
            None => "zh-CN".to_string(),
            Some(l) if LANGUAGES.contains(&l.get_ref().as_str()) => l.into_inner(),
            Some(l) => {
                diags.push(
                    Diagnostic::error(
                        FILE,
                        at(l.span()),
                        format!("不支持的界面语言 `{}`", l.get_ref()),
                    )
                    .with_hint(
                        "language 可选 \"zh-CN\"（默认，简体）、\"zh-TW\"（繁体，台湾用语）、\"zh-HK\"（繁体，香港用语）或 \"en\"",
                    ),
                );
                "zh-CN".to_string()
            }
        };

        let page_size = match raw.page_size {
            None => 20,
            Some(p) if (1..=1000).contains(p.get_ref()) => *p.get_ref() as usize,
            Some(p) => {
                diags.push(
                    Diagnostic::error(FILE, at(p.span()), "page_size 须在 1 到 1000 之间")
                        .with_hint("常用 20"),
                );
                20
            }
        };

        let privacy = match raw.privacy.as_ref().map(|p| p.get_ref().as_str()) {
            None | Some("error") => PrivacyMode::Error,
            Some("mask") => PrivacyMode::Mask,
            Some(other) => {
                diags.push(
                    Diagnostic::error(
                        FILE,
                        at(raw.privacy.as_ref().unwrap().span()),
                        format!("privacy 的值 `{other}` 无效"),
                    )
                    .with_hint(
                        "可选 \"error\"（发现个人号码即报错，默认）或 \"mask\"（打码发布并警告）",
                    ),
                );
                PrivacyMode::Error
            }
        };

        let feed_full = match raw.feed_content.as_ref().map(|p| p.get_ref().as_str()) {
            None | Some("summary") => false,
            Some("full") => true,
            Some(other) => {
                diags.push(
                    Diagnostic::error(
                        FILE,
                        at(raw.feed_content.as_ref().unwrap().span()),
                        format!("feed_content 的值 `{other}` 无效"),
                    )
                    .with_hint(
                        "可选 \"summary\"（订阅条目只有摘要和链接，默认）或 \"full\"（附上全文）",
                    ),
                );
                false
            }
        };

        let timezone = match &raw.timezone {
            None => chrono_tz::Asia::Shanghai,
            Some(tz) => match tz.get_ref().parse::<chrono_tz::Tz>() {
                Ok(z) => z,
                Err(_) => {
                    diags.push(
                        Diagnostic::error(
                            FILE,
                            at(tz.span()),
                            format!("未知的时区 `{}`", tz.get_ref()),
                        )
                        .with_hint("使用 IANA 时区名，例如 \"Asia/Shanghai\""),
                    );
                    chrono_tz::Asia::Shanghai
                }
            },
        };

        let theme = match raw.theme {
            None => "default".to_string(),
            Some(t) if is_slug(t.get_ref()) => t.into_inner(),
            Some(t) => {
                diags.push(
                    Diagnostic::error(FILE, at(t.span()), format!("主题名 `{}` 无效", t.get_ref()))
                        .with_hint("主题名是 themes/ 下的文件夹名，只含小写字母、数字和连字符"),
                );
                "default".to_string()
            }
        };

        let mut vocabularies = Vocabularies::default();
        let rv = raw.vocabularies;
        let slots: [(Option<Spanned<Vec<Term>>>, &mut Vocabulary); 5] = [
            (rv.topic_types, &mut vocabularies.topic_types),
            (rv.session_forms, &mut vocabularies.session_forms),
            (rv.participant_groups, &mut vocabularies.participant_groups),
            (rv.results, &mut vocabularies.results),
            (rv.progress_states, &mut vocabularies.progress_states),
        ];
        for (given, slot) in slots {
            let Some(given) = given else { continue };
            let pos = at(given.span());
            let terms = given.into_inner();
            check_terms(slot.key, &terms, pos, diags);
            *slot = Vocabulary::new(slot.key, terms);
        }

        let extra = serde_json::to_value(&raw.extra).unwrap_or(serde_json::Value::Null);
        let mut config = SiteConfig {
            title: raw.title.into_inner(),
            base_url,
            language,
            theme,
            page_size,
            privacy,
            feed_full,
            timezone,
            description: raw.description,
            license: raw.license,
            vocabularies,
            extra,
        };
        if config.blank_control_chars() {
            diags.push(Diagnostic::warning(
                FILE,
                None,
                "site.toml 的文字中有控制字符（例如转义写成的 \\u001b 或 \\r），已替换为空格"
                    .to_string(),
            ));
        }
        Some(config)
    }

    /// Turn control characters that TOML escapes put in the site's texts
    /// (`"\u001b"`, `"\r"`) into spaces, as record texts are: feeds,
    /// calendars and terminals must not receive them. Whether any was found.
    fn blank_control_chars(&mut self) -> bool {
        fn blank(s: &mut String) -> bool {
            if !s.chars().any(crate::text::is_forbidden_char) {
                return false;
            }
            *s = crate::text::blanked(s);
            true
        }
        fn blank_value(v: &mut serde_json::Value) -> bool {
            match v {
                serde_json::Value::String(s) => blank(s),
                serde_json::Value::Array(items) => items
                    .iter_mut()
                    .fold(false, |found, v| blank_value(v) | found),
                serde_json::Value::Object(map) => map
                    .values_mut()
                    .fold(false, |found, v| blank_value(v) | found),
                _ => false,
            }
        }
        let mut found = blank(&mut self.title);
        for s in [&mut self.description, &mut self.license]
            .into_iter()
            .flatten()
        {
            found |= blank(s);
        }
        for vocabulary in self.vocabularies.all_mut() {
            for term in &mut vocabulary.terms {
                found |= blank(&mut term.name);
                for alias in &mut term.aliases {
                    found |= blank(alias);
                }
            }
        }
        found | blank_value(&mut self.extra)
    }

    /// The path part of `base_url` (`/xieshang/`), the prefix of every
    /// internal link.
    pub fn base_path(&self) -> String {
        url::Url::parse(&self.base_url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".to_string())
    }
}

fn check_terms(key: &str, terms: &[Term], pos: Option<Pos>, diags: &mut Diagnostics) {
    if terms.is_empty() {
        diags.push(Diagnostic::error(FILE, pos, format!("词表 {key} 不能为空")));
    }
    let mut seen = std::collections::HashSet::new();
    for t in terms {
        if !is_slug(&t.slug) {
            diags.push(
                Diagnostic::error(FILE, pos, format!("词表 {key} 中的 slug `{}` 无效", t.slug))
                    .with_hint("slug 只含小写字母、数字和连字符，并以字母或数字开头"),
            );
        }
        if t.name.trim().is_empty() {
            diags.push(Diagnostic::error(
                FILE,
                pos,
                format!("词表 {key} 中 `{}` 缺少 name", t.slug),
            ));
        }
        for word in std::iter::once(&t.slug)
            .chain(std::iter::once(&t.name))
            .chain(&t.aliases)
        {
            if !seen.insert(word.clone()) && word != &t.name && word != &t.slug {
                diags.push(Diagnostic::error(
                    FILE,
                    pos,
                    format!("词表 {key} 中 `{word}` 出现了不止一次"),
                ));
            }
        }
    }
}

/// `[a-z0-9][a-z0-9-]*`: the form of place, record and term slugs.
pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<SiteConfig>, Vec<Diagnostic>) {
        let mut d = Diagnostics::new();
        let c = SiteConfig::parse(text, &mut d);
        (c, d.sorted())
    }

    // Found by the fuzz target `site_toml` (fuzz/): these base paths made
    // every internal link start with `//` (a link to another host), or
    // put links in the query or fragment.
    #[test]
    fn a_base_path_is_a_plain_path() {
        for bad in [
            "https:'//example.org/x/",
            "https://e.org//x/",
            "http://e.org//",
            "https:)/e.org81234#678",
            "https://e.org/x?a=1",
            "https://e.org/x/#top",
        ] {
            let (_, d) = parse(&format!("title = \"t\"\nbase_url = \"{bad}\"\n"));
            assert!(
                d.iter().any(|d| d.message.contains("base_url")),
                "{bad}: {d:?}"
            );
        }
    }

    #[test]
    fn control_characters_in_texts_become_spaces_with_a_warning() {
        let (c, d) = parse(
            "title = \"议事\\u001b[31m平台\"\nbase_url = \"https://example.org/\"\ndescription = \"a\\rb\"\n[extra]\ncontact = [\"x\\u0000y\"]\n",
        );
        let c = c.unwrap();
        assert_eq!(c.title, "议事 [31m平台");
        assert_eq!(c.description.as_deref(), Some("a b"));
        assert_eq!(c.extra["contact"][0], "x y");
        assert_eq!(d.len(), 1, "{d:?}");
        let (_, d) = parse("title = \"t\"\nbase_url = \"https://example.org/\"\n");
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn defaults_apply() {
        let (c, d) = parse("title = \"t\"\nbase_url = \"https://example.org/x\"\n");
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert_eq!(c.base_url, "https://example.org/x/");
        assert_eq!(c.base_path(), "/x/");
        assert_eq!(c.language, "zh-CN");
        assert_eq!(c.page_size, 20);
        assert_eq!(c.privacy, PrivacyMode::Error);
        assert_eq!(c.timezone, chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn traditional_chinese_languages_are_accepted() {
        for lang in ["zh-TW", "zh-HK"] {
            let (c, d) = parse(&format!(
                "title = \"t\"\nbase_url = \"https://e.org/\"\nlanguage = \"{lang}\"\n"
            ));
            assert!(d.is_empty(), "{lang}: {d:?}");
            assert_eq!(c.unwrap().language, lang);
        }
        let (_, d) =
            parse("title = \"t\"\nbase_url = \"https://e.org/\"\nlanguage = \"zh-Hant\"\n");
        assert_eq!(d.len(), 1);
        let hint = d[0].hint.as_deref().unwrap_or("");
        for lang in LANGUAGES {
            assert!(hint.contains(lang), "{hint}");
        }
    }

    #[test]
    fn unknown_key_has_line_and_column() {
        let (_, d) = parse("title = \"t\"\nbase_url = \"https://e.org/\"\npagesize = 3\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pos.map(|p| (p.line, p.col)), Some((3, 1)));
        assert!(d[0].message.contains("pagesize"), "{}", d[0].message);
    }

    #[test]
    fn bad_values_are_each_reported() {
        let (_, d) = parse(
            "title = \"t\"\nbase_url = \"nope\"\nlanguage = \"fr\"\npage_size = 0\nprivacy = \"hide\"\ntimezone = \"Mars/Base\"\n",
        );
        let lines: Vec<_> = d.iter().map(|d| d.pos.unwrap().line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6]);
    }

    #[test]
    fn vocabulary_replaces_default() {
        let (c, d) = parse(
            "title = \"t\"\nbase_url = \"https://e.org/\"\n[vocabularies]\ntopic_types = [{ slug = \"roads\", name = \"道路\" }]\n[extra]\nfoo = 1\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert_eq!(c.vocabularies.topic_types.terms.len(), 1);
        assert_eq!(c.extra["foo"], 1);
    }

    #[test]
    fn slug_rule() {
        assert!(is_slug("nanshan-cun"));
        assert!(is_slug("2016-road"));
        assert!(!is_slug("-a"));
        assert!(!is_slug("Nanshan"));
        assert!(!is_slug("南山"));
        assert!(!is_slug(""));
    }
}
