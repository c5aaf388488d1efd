//! `yishi init`: a new site, ready to build. Asks for what it needs on a
//! terminal (or takes it from flags; without a terminal it asks nothing and
//! uses flags and defaults), then writes `site.toml` with every key
//! explained in a comment, the first town and village, one example record
//! of each kind (made with `yishi new`), `.gitignore` for the output and a
//! README for clerks.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::scaffold::{self, NewKind, NewRecord};

/// What `init` is told; anything `None` is asked (on a terminal) or
/// defaulted.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub language: Option<String>,
    pub town: Option<String>,
    pub town_slug: Option<String>,
    pub town_code: Option<String>,
    pub village: Option<String>,
    pub village_slug: Option<String>,
    pub village_code: Option<String>,
    /// Write into a folder that is not empty.
    pub force: bool,
}

/// A place name's slug suggestion: the pinyin of the name without the
/// level word at its end (鹤塘镇 → `he-tang`, 下湖村 → `xia-hu`).
pub fn place_slug(name: &str) -> String {
    let mut base = name.trim();
    for suffix in ["街道", "社区", "镇", "乡", "村", "居委会"] {
        if let Some(b) = base.strip_suffix(suffix).filter(|b| !b.is_empty()) {
            base = b;
            break;
        }
    }
    scaffold::slug_of(base)
}

/// Asks on the terminal: the question and a default; an empty answer takes
/// the default.
struct Asker {
    interactive: bool,
}

impl Asker {
    fn ask(&self, question: &str, given: Option<String>, default: &str) -> String {
        if let Some(g) = given {
            return g;
        }
        if !self.interactive {
            return default.to_string();
        }
        let shown = if default.is_empty() {
            String::new()
        } else {
            format!("（直接回车：{default}）")
        };
        eprint!("{question}{shown}：");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) == 0 {
            return default.to_string();
        }
        match line.trim() {
            "" => default.to_string(),
            answer => answer.to_string(),
        }
    }
}

/// The `site.toml` of a new site.
fn site_toml(title: &str, base_url: &str, language: &str) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        r#"#:schema ./.vscode/schemas/site.schema.json
# 站点设置。每一项的说明都在它上面；以 # 开头的行是说明或未启用的设置。
# （第一行让编辑器的 TOML 扩展按 yishi 的规则提示和检查本文件。）

# 网站名称（必填），显示在每个页面的顶部和浏览器标签上
title = {title}

# 网站的完整网址（必填），以 / 结尾；网站放在子路径下时写上子路径，如 "https://example.org/xieshang/"
base_url = {base_url}

# 界面语言："zh-CN"（简体，默认）、"zh-TW"（繁体，台湾用语）、"zh-HK"（繁体，香港用语）或 "en"
language = {language}

# 时区：决定“今天”是哪一天，以及会议时间如何写入日历
timezone = "Asia/Shanghai"

# 列表每页显示多少条记录
page_size = 20

# 发现身份证号、手机号等个人号码时：
#   "error"（默认）不生成网站，先改正；"mask" 打上星号后照常发布，并给出警告
privacy = "error"

# 订阅（Atom）条目的内容：
#   "summary"（默认）只有摘要和链接；"full" 附上全文（订阅文件会大很多）
feed_content = "summary"

# 网站简介，用于搜索引擎和分享链接时的摘要
# description = "本镇各村协商议题、协商过程与协商成果的公开平台"

# 公开数据的许可协议，显示在数据下载页
# license = "CC BY 4.0"

# 网站外观（主题）：默认使用内置主题；自己的主题放在 themes/主题名/ 中
# theme = "default"

# 可选：改写或增补各类词表（议题类型、协商形式、参加人员类别、协商结果、进展状态）。
# 不写就使用内置的词表（来自试点方案的用语）。写法示例：
# [vocabularies]
# topic_types = [
#   {{ slug = "public-affairs", name = "公共事务" }},
#   {{ slug = "other", name = "其他" }},
# ]

# 可选：模板中可用的其他信息（site.extra）
[extra]
# contact = "镇党政办公室"
"#,
        title = q(title),
        base_url = q(base_url),
        language = q(language),
    )
}

/// VS Code settings: `_place.yaml` files checked against the place schema
/// by the YAML extension (`site.toml` names its schema in its first line,
/// which the TOML extension reads).
fn editor_settings() -> String {
    let v = serde_json::json!({
        "yaml.schemas": { "./.vscode/schemas/place.schema.json": "content/**/_place.yaml" },
        "evenBetterToml.schema.enabled": true
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Front-matter snippets for Markdown (type `yishi` and pick one), with
/// the vocabularies as choices.
fn snippets(v: &crate::vocab::Vocabularies) -> String {
    let choice = |voc: &crate::vocab::Vocabulary| {
        voc.terms
            .iter()
            .map(|t| t.slug.replace([',', '|'], ""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let today = "$CURRENT_YEAR-$CURRENT_MONTH-$CURRENT_DATE";
    let topic = vec![
        "---".to_string(),
        "title: ${1:议题标题}".into(),
        format!("type: ${{2|{}|}}", choice(&v.topic_types)),
        format!("proposed: ${{3:{today}}}"),
        "---".into(),
        "$0".into(),
    ];
    let session = vec![
        "---".to_string(),
        "title: ${1:会议名称}".into(),
        "topics: [${2:议题文件名}]".into(),
        format!("form: ${{3|{}|}}", choice(&v.session_forms)),
        format!("date: ${{4:{today}}} ${{5:19:30}}"),
        "---".into(),
        "$0".into(),
    ];
    let outcome = vec![
        "---".to_string(),
        "title: ${1:成果名称}".into(),
        "topic: ${2:议题文件名}".into(),
        format!("decided: ${{3:{today}}}"),
        format!("result: ${{4|{}|}}", choice(&v.results)),
        "---".into(),
        "$0".into(),
    ];
    let s = serde_json::json!({
        "yishi 议题 topic": { "scope": "markdown", "prefix": "yishi-topic", "body": topic, "description": "议题的必填项" },
        "yishi 会议 session": { "scope": "markdown", "prefix": "yishi-session", "body": session, "description": "协商会议的必填项" },
        "yishi 成果 outcome": { "scope": "markdown", "prefix": "yishi-outcome", "body": outcome, "description": "协商成果的必填项" }
    });
    serde_json::to_string_pretty(&s).unwrap_or_default() + "\n"
}

/// The README for clerks.
fn clerks_readme(title: &str, town: &str, village: &str, village_path: &str) -> String {
    format!(
        r#"# {title}

这个文件夹是网站的全部内容：每条议题、每次会议、每项协商成果都是 `content/` 中的一个文件。
网站由 yishi 生成。

## 日常操作

| 要做的事 | 命令 |
|---|---|
| 新建议题 | `yishi new topic {village_path} --title "议题标题"` |
| 新建会议（通知或纪要） | `yishi new session {village_path} --title "会议名称" --topic 议题文件名` |
| 新建协商成果 | `yishi new outcome {village_path} --title "成果名称" --topic 议题文件名` |
| 新建村（社区） | `yishi new place 镇的文件夹名/村的拼音 --title 村名` |
| 检查有没有写错 | `yishi check` |
| 边写边在浏览器里看 | `yishi serve --open` |
| 生成网站（在 public/ 中） | `yishi build` |
| 每次 git 提交前自动检查 | `yishi hook install`（只需运行一次） |

新建的文件里，必填的项目已经填好，可选的项目以 `#` 开头并写明了可以填什么：需要时去掉 `#` 再填写。

## 文件放在哪里

- `site.toml`：网站名称、网址等设置，每一项都有说明。
- `content/镇/_place.yaml`：镇的名称、区划代码等；`content/镇/村/_place.yaml`：村的。
- 每个地点下的 `topics/`（议题）、`sessions/`（会议）、`outcomes/`（协商成果）。

现在有 {town} 和 {village} 两个地点，以及标题以“【示例】”开头的三条示例记录：
照着它们写，写好自己的记录后把示例删掉。
"#
    )
}

/// Create a site in `dir`; returns the files written (relative to `dir`).
pub fn init(dir: &Path, opts: InitOptions) -> Result<Vec<PathBuf>, String> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if entries.next().is_some() && !opts.force {
            return Err(format!(
                "{} 不是空文件夹：换一个新文件夹，或加 --force 在其中建立网站（已有的文件不会被覆盖）",
                dir.display()
            ));
        }
    }
    if dir.join("site.toml").exists() {
        return Err(format!("{} 中已经有 site.toml", dir.display()));
    }
    let asker = Asker {
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let title = asker.ask("网站名称", opts.title, "基层协商民主公开平台");
    let base_url = asker.ask("网站网址", opts.base_url, "https://example.org/");
    let language = asker.ask(
        "界面语言（zh-CN、zh-TW、zh-HK 或 en）",
        opts.language,
        "zh-CN",
    );
    let town = asker.ask("第一个镇（街道）的名称", opts.town, "示例镇");
    let town_slug = asker.ask("镇的文件夹名（拼音）", opts.town_slug, &place_slug(&town));
    let town_code = asker.ask("镇的 12 位区划代码（不知道可直接回车）", opts.town_code, "");
    let village = asker.ask("第一个村（社区）的名称", opts.village, "示例村");
    let village_slug = asker.ask(
        "村的文件夹名（拼音）",
        opts.village_slug,
        &place_slug(&village),
    );
    let village_code = asker.ask(
        "村的 12 位区划代码（不知道可直接回车）",
        opts.village_code,
        "",
    );

    if !crate::config::LANGUAGES.contains(&language.as_str()) {
        return Err(format!(
            "界面语言 “{language}” 不可用：可选 {}",
            crate::config::LANGUAGES.join("、")
        ));
    }
    if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
        return Err(format!(
            "网址 “{base_url}” 应以 https:// 或 http:// 开头，如 https://example.org/"
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    let mut write = |rel: &str, text: &str| -> Result<(), String> {
        let path = dir.join(rel);
        if path.exists() {
            return Err(format!("{} 已经存在，没有覆盖", path.display()));
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(PathBuf::from(rel));
        Ok(())
    };
    write("site.toml", &site_toml(&title, &base_url, &language))?;
    write(
        ".gitignore",
        "# yishi 生成的网站（yishi build 的输出）\n/public/\n",
    )?;
    // Editor support (VS Code): the schemas, the settings that attach them
    // and a front-matter snippet for each record kind.
    std::fs::create_dir_all(dir.join(".vscode/schemas")).map_err(|e| e.to_string())?;
    let vocab = crate::vocab::Vocabularies::default();
    for (name, s) in crate::schema::schemas(&vocab) {
        let text = serde_json::to_string_pretty(&s).unwrap_or_default() + "\n";
        write(&format!(".vscode/schemas/{name}"), &text)?;
    }
    write(".vscode/settings.json", &editor_settings())?;
    write(".vscode/yishi.code-snippets", &snippets(&vocab))?;
    let village_path = format!("{town_slug}/{village_slug}");
    write(
        "README.md",
        &clerks_readme(&title, &town, &village, &village_path),
    )?;
    // The places and the example records, as `yishi new` makes them (so
    // they are checked the same way).
    let code = |c: String| Some(c).filter(|c| !c.is_empty());
    for (path, name, code) in [
        (town_slug.clone(), town.clone(), code(town_code)),
        (village_path.clone(), village.clone(), code(village_code)),
    ] {
        let rel = scaffold::create(
            dir,
            NewKind::Place,
            &NewRecord {
                place: path,
                title: Some(name),
                code,
                ..NewRecord::default()
            },
        )?;
        written.push(rel);
    }
    let topic = scaffold::create(
        dir,
        NewKind::Topic,
        &NewRecord {
            place: village_path.clone(),
            title: Some("【示例】村道路灯安装".into()),
            choice: Some("project-construction".into()),
            slug: Some("example-topic".into()),
            ..NewRecord::default()
        },
    )?;
    written.push(topic);
    for (kind, title, slug) in [
        (
            NewKind::Session,
            "【示例】路灯安装村民代表会议",
            "example-session",
        ),
        (NewKind::Outcome, "【示例】路灯安装决定", "example-outcome"),
    ] {
        let rel = scaffold::create(
            dir,
            kind,
            &NewRecord {
                place: village_path.clone(),
                title: Some(title.into()),
                topic: Some("example-topic".into()),
                slug: Some(slug.into()),
                ..NewRecord::default()
            },
        )?;
        written.push(rel);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_slugs_drop_the_level_word() {
        assert_eq!(place_slug("鹤塘镇"), "he-tang");
        assert_eq!(place_slug("下湖村"), "xia-hu");
        assert_eq!(place_slug("湖滨社区"), "hu-bin");
        assert_eq!(place_slug("镇"), "zhen");
    }

    #[test]
    fn the_site_toml_parses_and_quotes_what_it_is_given() {
        let text = site_toml("测\"试\"平台", "https://example.org/x/", "zh-CN");
        let v: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(v["title"].as_str(), Some("测\"试\"平台"));
        assert_eq!(v["page_size"].as_integer(), Some(20));
    }
}
