//! The records of a generated yishi site (`gen_corpus`) as a Zola site and
//! as a Hugo site, for `bench/run.sh` to build the same records with each
//! tool (issue 15). Each peer gets what a portal built with it would
//! publish: a page per record (title, kind, date, place, type or form,
//! body), the home page and one section per kind of record, paginated lists
//! by place, topic type and year (taxonomies, 20 per page, with each
//! record's summary), and the tool's default feeds.
//!
//! usage: peer_sites --site DIR [--zola OUT] [--hugo OUT]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Parser;
use walkdir::WalkDir;

#[derive(Parser)]
struct Args {
    /// A generated yishi site (its `site.toml` and `content/`).
    #[arg(long)]
    site: PathBuf,
    /// Write the Zola site here (emptied first).
    #[arg(long)]
    zola: Option<PathBuf>,
    /// Write the Hugo site here (emptied first).
    #[arg(long)]
    hugo: Option<PathBuf>,
}

/// One record, as both peers need it.
struct Record {
    /// `topics`, `sessions` or `outcomes`.
    kind: &'static str,
    /// `<place path joined by ->-<file stem>`: unique across the site.
    slug: String,
    title: String,
    /// `YYYY-MM-DD`.
    date: String,
    /// The place's full name (`杏花镇 · 燕子村`) and its town's (`杏花镇`).
    places: Vec<String>,
    /// Topic type or session form, if any.
    category: Option<String>,
    summary: String,
    body: String,
}

const KINDS: [(&str, &str); 3] = [
    ("topics", "议题"),
    ("sessions", "协商会议"),
    ("outcomes", "协商成果"),
];

fn place_names(content: &Path) -> Result<HashMap<PathBuf, String>, String> {
    let mut names = HashMap::new();
    for entry in WalkDir::new(content) {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_name() == "_place.yaml" {
            let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
            let node = marked_yaml::parse_yaml(0, &text).map_err(|e| e.to_string())?;
            let name = node
                .as_mapping()
                .and_then(|m| m.get_scalar("name"))
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            let dir = entry.path().parent().unwrap_or(content);
            names.insert(dir.strip_prefix(content).unwrap_or(dir).to_path_buf(), name);
        }
    }
    Ok(names)
}

fn read_records(site: &Path) -> Result<Vec<Record>, String> {
    let content = site.join("content");
    let names = place_names(&content)?;
    let mut records = Vec::new();
    for entry in WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let rel = path.strip_prefix(&content).map_err(|e| e.to_string())?;
        let folder = rel.parent().and_then(|p| p.file_name());
        let Some(&(kind, _)) = KINDS.iter().find(|(k, _)| folder.is_some_and(|f| f == *k)) else {
            continue;
        };
        let place_dir = rel.parent().and_then(Path::parent).unwrap_or(Path::new(""));
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let rest = text.strip_prefix("---\n").ok_or("no front matter")?;
        let end = rest.find("\n---\n").ok_or("unclosed front matter")?;
        let fm = marked_yaml::parse_yaml(0, &rest[..end])
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let fm = fm.as_mapping().ok_or("front matter is not a mapping")?;
        let body = rest[end + 5..].trim().to_string();
        let text_of = |k: &str| fm.get_scalar(k).map(|s| s.as_str().to_string());
        let date = ["proposed", "date", "decided"]
            .iter()
            .find_map(|k| text_of(k))
            .unwrap_or_default();
        let mut places = Vec::new();
        let mut dir = PathBuf::new();
        let mut full = Vec::new();
        for part in place_dir.components() {
            dir.push(part);
            if let Some(n) = names.get(&dir) {
                full.push(n.clone());
                places.push(full.join(" · "));
            }
        }
        places.reverse();
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let slug = place_dir
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .chain([stem.into_owned()])
            .collect::<Vec<_>>()
            .join("-");
        let summary = body
            .lines()
            .find(|l| !l.is_empty() && !l.starts_with(['#', '-', '|']))
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect();
        records.push(Record {
            kind,
            slug,
            title: text_of("title").unwrap_or_default(),
            date: date.chars().take(10).collect(),
            places,
            category: text_of("type").or_else(|| text_of("form")),
            summary,
            body,
        });
    }
    Ok(records)
}

/// A TOML or YAML basic string (both accept JSON's escapes).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn fresh_dir(out: &Path) -> Result<(), String> {
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn taxonomies(r: &Record) -> [(&'static str, Vec<String>); 3] {
    [
        ("places", r.places.clone()),
        ("types", r.category.iter().cloned().collect()),
        ("years", vec![r.date.chars().take(4).collect()]),
    ]
}

/// Each record as `content/<kind>/<slug>.md`: front matter between
/// `fence` lines (TOML `+++` for Zola, YAML `---` for Hugo; `assign` is
/// ` =` or `:`), then the body.
fn write_records(out: &Path, records: &[Record], fence: &str, assign: &str) -> Result<(), String> {
    let toml = fence == "+++";
    for r in records {
        let mut text = format!(
            "{fence}\ntitle{assign} {}\ndate{assign} {}\ndescription{assign} {}\n",
            quoted(&r.title),
            r.date,
            quoted(&r.summary)
        );
        if toml {
            text.push_str("[taxonomies]\n");
        }
        for (name, values) in taxonomies(r) {
            let _ = writeln!(text, "{name}{assign} {}", list(&values));
        }
        let _ = write!(text, "{fence}\n{}\n", r.body);
        let path = out
            .join("content")
            .join(r.kind)
            .join(format!("{}.md", r.slug));
        write(&path, &text)?;
    }
    Ok(())
}

const ZOLA_BASE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock %}</title>
<meta name="description" content="{% block description %}{{ config.description }}{% endblock %}">
<link rel="alternate" type="application/atom+xml" title="{{ config.title }}" href="{{ get_url(path="atom.xml") }}">
<link rel="stylesheet" href="{{ get_url(path="style.css") }}">
</head>
<body>
<header><p><a href="{{ config.base_url }}">{{ config.title }}</a></p>
<nav><ul><li><a href="{{ get_url(path="@/topics/_index.md") }}">议题</a></li><li><a href="{{ get_url(path="@/sessions/_index.md") }}">协商会议</a></li><li><a href="{{ get_url(path="@/outcomes/_index.md") }}">协商成果</a></li><li><a href="{{ get_url(path="places") }}">地点</a></li><li><a href="{{ get_url(path="types") }}">类型</a></li><li><a href="{{ get_url(path="years") }}">年份</a></li></ul></nav></header>
<main>{% block content %}{% endblock %}</main>
<footer><p>{{ config.title }}</p></footer>
</body>
</html>
"#;

const ZOLA_CARDS: &str = r#"{% macro cards(pages) %}<ul>{% for p in pages %}<li><p><time datetime="{{ p.date }}">{{ p.date }}</time> {{ p.taxonomies.places | first }}</p><h2><a href="{{ p.permalink }}">{{ p.title }}</a></h2><p>{{ p.description }}</p></li>{% endfor %}</ul>{% endmacro %}
{% macro pager(paginator) %}<nav>{% if paginator.previous %}<a href="{{ paginator.previous }}">上一页</a>{% endif %} {{ paginator.current_index }} / {{ paginator.number_pagers }} {% if paginator.next %}<a href="{{ paginator.next }}">下一页</a>{% endif %}</nav>{% endmacro %}
"#;

const ZOLA_PAGE: &str = r#"{% extends "base.html" %}
{% block title %}{{ page.title }} - {{ config.title }}{% endblock %}
{% block description %}{{ page.description }}{% endblock %}
{% block content %}<article><p><time datetime="{{ page.date }}">{{ page.date }}</time>{% for p in page.taxonomies.places %} <a href="{{ get_taxonomy_url(kind="places", name=p) }}">{{ p }}</a>{% endfor %}{% for t in page.taxonomies.types %} <a href="{{ get_taxonomy_url(kind="types", name=t) }}">{{ t }}</a>{% endfor %}</p>
<h1>{{ page.title }}</h1>
{{ page.content | safe }}</article>{% endblock %}
"#;

const ZOLA_SECTION: &str = r#"{% extends "base.html" %}{% import "macros.html" as m %}
{% block content %}<h1>{{ section.title }}</h1>{{ m::cards(pages=paginator.pages) }}{{ m::pager(paginator=paginator) }}{% endblock %}
"#;

const ZOLA_TAXONOMY_LIST: &str = r#"{% extends "base.html" %}
{% block content %}<h1>{{ taxonomy.name }}</h1><ul>{% for t in terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a> ({{ t.page_count }})</li>{% endfor %}</ul>{% endblock %}
"#;

const ZOLA_TAXONOMY_SINGLE: &str = r#"{% extends "base.html" %}{% import "macros.html" as m %}
{% block content %}<h1>{{ term.name }}</h1>{{ m::cards(pages=paginator.pages) }}{{ m::pager(paginator=paginator) }}{% endblock %}
"#;

fn write_zola(out: &Path, title: &str, records: &[Record]) -> Result<(), String> {
    fresh_dir(out)?;
    let config = format!(
        "base_url = \"https://example.org\"\ntitle = {}\ndescription = \"生成的测试数据\"\n\
         default_language = \"zh\"\ncompile_sass = false\nbuild_search_index = false\n\
         generate_feeds = true\n\
         taxonomies = [\n  {{ name = \"places\", paginate_by = 20 }},\n  \
         {{ name = \"types\", paginate_by = 20 }},\n  {{ name = \"years\", paginate_by = 20 }},\n]\n\
         ",
        quoted(title)
    );
    write(&out.join("config.toml"), &config)?;
    write(&out.join("static/style.css"), STYLE)?;
    for (name, text) in [
        ("base.html", ZOLA_BASE),
        ("macros.html", ZOLA_CARDS),
        ("page.html", ZOLA_PAGE),
        ("section.html", ZOLA_SECTION),
        ("index.html", ZOLA_SECTION),
        ("taxonomy_list.html", ZOLA_TAXONOMY_LIST),
        ("taxonomy_single.html", ZOLA_TAXONOMY_SINGLE),
    ] {
        write(&out.join("templates").join(name), text)?;
    }
    let section = |title: &str| {
        format!(
            "+++\ntitle = {}\nsort_by = \"date\"\npaginate_by = 20\n+++\n",
            quoted(title)
        )
    };
    write(&out.join("content/_index.md"), &section(title))?;
    for (kind, label) in KINDS {
        write(
            &out.join("content").join(kind).join("_index.md"),
            &section(label),
        )?;
    }
    write_records(out, records, "+++", " =")?;
    Ok(())
}

const HUGO_BASE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} - {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" title="{{ site.Title }}" href="{{ .RelPermalink }}">{{ end }}
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<header><p><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></p>
<nav><ul><li><a href="{{ "topics/" | relURL }}">议题</a></li><li><a href="{{ "sessions/" | relURL }}">协商会议</a></li><li><a href="{{ "outcomes/" | relURL }}">协商成果</a></li><li><a href="{{ "places/" | relURL }}">地点</a></li><li><a href="{{ "types/" | relURL }}">类型</a></li><li><a href="{{ "years/" | relURL }}">年份</a></li></ul></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Title }}</p></footer>
</body>
</html>
"#;

const HUGO_PAGE: &str = r#"{{ define "main" }}<article><p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time>{{ range .GetTerms "places" }} <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}{{ range .GetTerms "types" }} <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<h1>{{ .Title }}</h1>
{{ .Content }}</article>{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>{{ if eq .Kind "taxonomy" }}<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ else }}{{ $pages := .RegularPagesRecursive.ByDate.Reverse }}{{ $pager := .Paginate $pages }}<ul>{{ range $pager.Pages }}<li><p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time> {{ index .Params.places 0 }}</p><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Description }}</p></li>{{ end }}</ul><nav>{{ with $pager.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }} {{ $pager.PageNumber }} / {{ $pager.TotalPages }} {{ with $pager.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}</nav>{{ end }}{{ end }}
"#;

fn write_hugo(out: &Path, title: &str, records: &[Record]) -> Result<(), String> {
    fresh_dir(out)?;
    let config = format!(
        "baseURL = \"https://example.org/\"\ntitle = {}\nlanguageCode = \"zh-CN\"\n\
         defaultContentLanguage = \"zh\"\nhasCJKLanguage = true\n\
         disableKinds = [\"sitemap\", \"robotsTXT\", \"404\"]\n\
         [params]\ndescription = \"生成的测试数据\"\n\
         [pagination]\npagerSize = 20\n[services.rss]\nlimit = 50\n\
         [taxonomies]\nplace = \"places\"\ntype = \"types\"\nyear = \"years\"\n",
        quoted(title)
    );
    write(&out.join("hugo.toml"), &config)?;
    write(&out.join("static/style.css"), STYLE)?;
    for (name, text) in [
        ("baseof.html", HUGO_BASE),
        ("page.html", HUGO_PAGE),
        ("list.html", HUGO_LIST),
    ] {
        write(&out.join("layouts").join(name), text)?;
    }
    for (kind, label) in KINDS {
        write(
            &out.join("content").join(kind).join("_index.md"),
            &format!("---\ntitle: {}\n---\n", quoted(label)),
        )?;
    }
    write_records(out, records, "---", ":")?;
    Ok(())
}

const STYLE: &str = "body{font-family:sans-serif;max-width:46rem;margin:0 auto;padding:0 1rem;line-height:1.7}\
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}table{border-collapse:collapse}\
td,th{border:1px solid #999;padding:.2rem .4rem}\n";

fn run(args: &Args) -> Result<(), String> {
    let site_toml = std::fs::read_to_string(args.site.join("site.toml"))
        .map_err(|e| format!("{}: {e}", args.site.display()))?;
    let title = site_toml
        .lines()
        .find_map(|l| l.strip_prefix("title = "))
        .map(|t| t.trim_matches('"').to_string())
        .unwrap_or_else(|| "yishi".into());
    let records = read_records(&args.site)?;
    if let Some(out) = &args.zola {
        write_zola(out, &title, &records)?;
    }
    if let Some(out) = &args.hugo {
        write_hugo(out, &title, &records)?;
    }
    println!("{} records", records.len());
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run(&Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peer_sites: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
