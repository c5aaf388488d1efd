//! Hostile content: what a clerk's paste or a careless theme must not be
//! able to do to a build, a feed, a calendar or the terminal.

use crate::common::*;

const WASTE_TALK: &str = "content/alpha/west/sessions/2026-waste-talk.md";
const PARKING_MEETING: &str = "content/beta/garden/sessions/2024-parking-meeting.md";

fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n' && c != '\r') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Every file under `public/` whose name ends in `ext`.
fn outputs(site: &TempSite, ext: &str) -> Vec<(String, String)> {
    files_in(&site.path("public"))
        .into_iter()
        .filter(|(name, _)| name.ends_with(ext))
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn control_characters_are_blanked_with_a_warning() {
    let site = TempSite::new("valid");
    site.write(
        WASTE_TALK,
        "---\ntitle: \"垃圾\u{b}分类\u{1b}]0;pwned\u{7}恳谈会\"\ntopic: 2026-waste\ndate: 2026-12-05 19:00\nform: public-talk\nlocation: 西村\u{0}文化礼堂\n---\n欢迎\u{1b}[31m村民\u{b}参加\u{c}。\n",
    );
    let run = site.build(&[]);
    run.assert_success();
    // A warning with file and line; nothing obeyed by the terminal.
    assert!(run.stderr.contains("已删除控制字符"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("content/alpha/west/sessions/2026-waste-talk.md:2:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(":8:"), "{}", run.stderr);
    assert!(
        !run.stderr
            .chars()
            .chain(run.stdout.chars())
            .any(is_forbidden),
        "{:?}",
        run.stderr
    );
    // Every feed is well-formed XML and readable as Atom.
    let feeds = outputs(&site, ".xml");
    assert!(feeds.iter().any(|(n, _)| n.ends_with("feed.xml")));
    for (name, text) in &feeds {
        let mut reader = quick_xml::Reader::from_str(text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name} is not well-formed: {e}"),
            }
        }
        if name.ends_with("feed.xml") {
            atom_syndication::Feed::read_from(text.as_bytes())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let calendar = site.read("public/calendar.ics").replace("\r\n ", "");
    assert!(calendar.contains("LOCATION:西村 文化礼堂"), "{calendar}");
    for (name, text) in outputs(&site, ".ics")
        .into_iter()
        .chain(outputs(&site, ".html"))
        .chain(outputs(&site, ".json"))
        .chain(outputs(&site, ".csv"))
    {
        assert!(
            !text.chars().any(|c| is_forbidden(c) && c != '\r'),
            "{name}: {text:?}"
        );
    }
    let page = site.page("alpha/west/sessions/2026-waste-talk/");
    assert!(page.contains("垃圾 分类 ]0;pwned 恳谈会"), "{page}");
}

#[test]
fn control_characters_in_a_place_file_are_an_error() {
    let site = TempSite::new("valid");
    let place = site.read("content/alpha/_place.yaml");
    site.write(
        "content/alpha/_place.yaml",
        &place.replacen("name:", "# \u{1b}[2J\nname:", 1),
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("控制字符"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/alpha/_place.yaml:1:3"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.chars().any(is_forbidden), "{:?}", run.stderr);
}

#[test]
fn errors_do_not_echo_escape_sequences() {
    let site = TempSite::new("valid");
    site.edit(
        WASTE_TALK,
        "form: public-talk",
        "form: \"x\\e]0;pwned\\a\\e[2J\"",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The escapes decode to control characters, blanked with a warning
    // before any field reads the value.
    assert!(
        run.stderr.contains("转义写出的控制字符 U+001B 已改为空格"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`x ]0;pwned  [2J`"), "{}", run.stderr);
    assert!(!run.stderr.chars().any(is_forbidden), "{:?}", run.stderr);
}

#[test]
fn attachment_names_with_hash_or_question_mark_are_encoded() {
    let site = TempSite::new("valid");
    let dir = "content/beta/garden/sessions/files";
    site.write_bytes(&format!("{dir}/方案 #2?.pdf"), b"%PDF-1.4\n");
    site.edit(
        PARKING_MEETING,
        "attachments: [files/plan.pdf]",
        "attachments: [files/plan.pdf, \"files/方案 #2?.pdf\"]",
    );
    site.build(&[]).assert_success();
    let page = site.page("beta/garden/sessions/2024-parking-meeting/");
    assert!(
        page.contains("sessions/files/%E6%96%B9%E6%A1%88%20%232%3F.pdf\""),
        "{page}"
    );
    assert!(page.contains("方案 #2?.pdf"), "{page}");
    assert!(site
        .path("public/beta/garden/sessions/files/方案 #2?.pdf")
        .is_file());
}

#[test]
fn attachment_path_with_a_backslash_fails_check_with_its_line() {
    let site = TempSite::new("valid");
    site.edit(
        PARKING_MEETING,
        "attachments: [files/plan.pdf]",
        "attachments: ['files\\plan.pdf']",
    );
    let run = site.run(&["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("反斜杠"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{PARKING_MEETING}:6:")),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn attachment_file_names_that_cannot_be_published_fail_check() {
    use std::os::unix::ffi::OsStrExt;
    let dir = "content/beta/garden/sessions/files";
    // A backslash in the name on disk.
    let site = TempSite::new("valid");
    site.write_bytes(&format!("{dir}/a\\b.pdf"), b"x");
    let run = site.run(&["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{dir}/a\\b.pdf")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("反斜杠"), "{}", run.stderr);
    // Two names that are not UTF-8 would both be published as `�.pdf`.
    let site = TempSite::new("valid");
    for name in [&b"\xff.pdf"[..], &b"\xfe.pdf"[..]] {
        let path = site.path(dir).join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, b"x").unwrap();
    }
    let run = site.run(&["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("UTF-8"), "{}", run.stderr);
}

#[test]
fn active_attachments_are_refused_with_a_hint() {
    for name in ["page.html", "map.SVG", "x.xhtml", "feed.xml", "old.Htm"] {
        let site = TempSite::new("valid");
        site.write_bytes(
            &format!("content/beta/garden/sessions/files/{name}"),
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        );
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(name), "{}", run.stderr);
        assert!(run.stderr.contains(".zip"), "{}", run.stderr);
        assert!(!site.path("public").exists());
    }
    // Ordinary documents still go through.
    let site = TempSite::new("valid");
    site.write_bytes("content/beta/garden/sessions/files/表.xlsx", b"x");
    site.build(&[]).assert_success();
}

/// The valid site with the built-in theme on disk, `edits` written over it.
fn site_with_theme(edits: &[(&str, &str)]) -> TempSite {
    let site = TempSite::new("valid");
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &site.path("themes/default"),
    );
    for (file, text) in edits {
        site.write(&format!("themes/default/templates/{file}"), text);
    }
    site
}

#[test]
fn recursive_include_is_a_template_error() {
    let site = site_with_theme(&[(
        "partials/counts.html",
        "{% if true %}{% include \"partials/counts.html\" %}{% endif %}",
    )]);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("模板递归包含"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("themes/default/templates/partials/counts.html"),
        "{}",
        run.stderr
    );
    // Through another template, and a page that extends its includer.
    let site = site_with_theme(&[
        ("partials/a.html", "{% include \"partials/b.html\" %}"),
        ("partials/b.html", "{% include \"404.html\" %}"),
        ("404.html", "{% extends \"base.html\" %}{% block main %}{% include \"partials/a.html\" %}{% endblock %}"),
    ]);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("模板递归包含"), "{}", run.stderr);
}

#[test]
fn recursive_macro_is_a_template_error() {
    let site = site_with_theme(&[
        (
            "macros.html",
            "{% macro down(n) %}{{ n }}{{ self::down(n=n + 1) }}{% endmacro down %}",
        ),
        (
            "404.html",
            "{% import \"macros.html\" as m %}<p>{{ m::down(n=1) }}</p>",
        ),
    ]);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("宏递归调用"), "{}", run.stderr);
    assert!(
        run.stderr.contains("themes/default/templates/macros.html"),
        "{}",
        run.stderr
    );
}

#[test]
fn huge_range_is_a_template_error() {
    // Tera's own `range(end=2e8)` fills memory; past the bound it is an
    // error naming the template (2,000,000 keeps the old behaviour cheap).
    let site = site_with_theme(&[(
        "404.html",
        "<p>{% for i in range(end=2000000) %}{% endfor %}</p>",
    )]);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("range"), "{}", run.stderr);
    assert!(run.stderr.contains("templates/404.html"), "{}", run.stderr);
    // Small ranges still work.
    let site = site_with_theme(&[(
        "404.html",
        "<p>{% for i in range(start=1, end=10, step_by=3) %}{{ i }},{% endfor %}</p>",
    )]);
    site.build(&[]).assert_success();
    assert!(site.page("404.html").contains("<p>1,4,7,</p>"));
}

#[test]
fn remote_images_are_dropped_however_written() {
    let site = TempSite::new("valid");
    site.edit(
        WASTE_TALK,
        "欢迎村民参加。",
        "欢迎村民参加。\n\n<img src=\"HTTPS://evil.example/a.png\"> <img src=\"  https://evil.example/b.png\"> <img src=\"/\\evil.example/c.png\"> <img src=\"\\\\evil.example/d.png\">\n\n![e](HtTp://evil.example/e.png) ![本地](files/map.png)\n",
    );
    site.build(&[]).assert_success();
    let page = site.page("alpha/west/sessions/2026-waste-talk/");
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains("src=\"files/map.png\""), "{page}");
}

#[test]
fn deeply_nested_body_builds_as_text_with_a_warning() {
    // 100,000 unclosed `<div>` lines: quadratic in the HTML parser (minutes).
    let site = TempSite::new("valid");
    let body = format!(
        "开头的文字。\n\n{}结尾的文字。\n",
        "<div>\n".repeat(100_000)
    );
    site.edit(WASTE_TALK, "欢迎村民参加。", &body);
    let started = std::time::Instant::now();
    let run = site.build(&[]);
    run.assert_success();
    let took = started.elapsed();
    // A few seconds in a debug build, minutes if the nesting reached the
    // HTML parser: the bound leaves room for a busy machine.
    assert!(took.as_secs() < 60, "took {took:?}");
    assert!(run.stderr.contains("嵌套超过 512 层"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{WASTE_TALK}:8:1")),
        "{}",
        run.stderr
    );
    let page = site.page("alpha/west/sessions/2026-waste-talk/");
    assert!(
        page.contains("结尾的文字。"),
        "{}",
        &page[..2000.min(page.len())]
    );
    assert!(page.matches("<div").count() < 100, "nesting kept");
    assert!(page.len() < 200_000, "{} bytes", page.len());
}
