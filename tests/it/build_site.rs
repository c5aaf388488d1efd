//! Whole-tool tests of `yishi build` on the `valid` fixture site: every URL
//! of the content model exists, each index holds exactly its records,
//! pagination, sub-path links, drafts, status and the reference date.

use crate::common::*;

const BASE: &str = "/xieshang/";

fn built() -> TempSite {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    site
}

fn link(path: &str) -> String {
    format!("{BASE}{path}")
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn every_url_of_the_contract_exists() {
    let site = built();
    let pages = [
        "",
        "alpha/",
        "alpha/east/",
        "alpha/west/",
        "beta/",
        "beta/garden/",
        "alpha/topics/2016-bridge/",
        "alpha/sessions/2016-bridge-council/",
        "alpha/sessions/2016-bridge-hearing/",
        "alpha/outcomes/2016-bridge-decision/",
        "alpha/east/topics/2020-road/",
        "alpha/east/outcomes/2020-road-decision/",
        "alpha/east/topics/2021-budget/",
        "alpha/east/sessions/2021-budget-meeting/",
        "alpha/west/topics/2026-waste/",
        "alpha/west/sessions/2026-waste-talk/",
        "alpha/west/topics/2019-land/",
        "beta/garden/topics/2024-parking/",
        "beta/garden/sessions/2024-parking-meeting/",
        "beta/garden/outcomes/2024-parking-result/",
        "types/",
        "types/project-construction/",
        "types/annual-budget/",
        "years/",
        "years/2016/",
        "years/2016/page/2/",
        "years/2026/",
        "forms/",
        "forms/public-hearing/",
        "forms/deliberation-council/",
        "alpha/page/2/",
        "404.html",
        "css/style.css",
        "beta/garden/sessions/files/plan.pdf",
    ];
    for p in pages {
        assert!(site.has_page(p), "missing {p}");
    }
    // Every vocabulary entry has its list page, even when empty.
    for slug in ["public-affairs", "volunteer-service", "other"] {
        assert!(site.has_page(&format!("types/{slug}/")), "types/{slug}/");
    }
    assert!(!site.has_page("content/README.md"));
}

#[test]
fn topic_shows_its_chain_in_date_order() {
    let site = built();
    let html = site.page("alpha/topics/2016-bridge/");
    let order = [
        "提出议题",
        "事先公示",
        "便民桥选址议事会",
        "便民桥建设方案听证会",
        "便民桥建设决定",
        "开工",
        "通车",
    ];
    let chain = html.split("class=\"chain\"").nth(1).unwrap();
    let mut last = 0;
    for item in order {
        let at = chain
            .find(item)
            .unwrap_or_else(|| panic!("{item} not in chain"));
        assert!(at > last, "{item} out of order");
        last = at;
    }
    // The session list is oldest first too.
    let sessions = html.split("id=\"h-sessions\"").nth(1).unwrap();
    let links = card_links(sessions.split("id=\"h-outcome\"").next().unwrap());
    assert_eq!(
        links,
        [
            link("alpha/sessions/2016-bridge-council/"),
            link("alpha/sessions/2016-bridge-hearing/")
        ]
    );
    // Sessions and outcomes link back to their topic.
    for p in [
        "alpha/sessions/2016-bridge-hearing/",
        "alpha/outcomes/2016-bridge-decision/",
    ] {
        assert!(
            site.page(p).contains(&link("alpha/topics/2016-bridge/")),
            "{p}"
        );
    }
}

#[test]
fn each_index_holds_exactly_its_records() {
    let site = built();
    let r = |ids: &[&str]| -> Vec<String> { sorted(ids.iter().map(|s| link(s)).collect()) };
    let east = r(&[
        "alpha/topics/2016-bridge/",
        "alpha/east/topics/2020-road/",
        "alpha/east/outcomes/2020-road-decision/",
        "alpha/east/topics/2021-budget/",
        "alpha/east/sessions/2021-budget-meeting/",
    ]);
    assert_eq!(sorted(all_card_links(&site, BASE, "alpha/east/")), east);
    let west = r(&[
        "alpha/topics/2016-bridge/",
        "alpha/west/topics/2026-waste/",
        "alpha/west/sessions/2026-waste-talk/",
        "alpha/west/topics/2019-land/",
    ]);
    assert_eq!(sorted(all_card_links(&site, BASE, "alpha/west/")), west);
    let alpha = all_card_links(&site, BASE, "alpha/");
    assert_eq!(alpha.len(), 11, "{alpha:?}");
    assert!(!alpha.iter().any(|l| l.contains("beta")));
    let garden = r(&[
        "beta/garden/topics/2024-parking/",
        "beta/garden/sessions/2024-parking-meeting/",
        "beta/garden/outcomes/2024-parking-result/",
    ]);
    assert_eq!(sorted(all_card_links(&site, BASE, "beta/garden/")), garden);
    assert_eq!(sorted(all_card_links(&site, BASE, "beta/")), garden);

    assert_eq!(
        sorted(all_card_links(&site, BASE, "types/project-construction/")),
        r(&["alpha/topics/2016-bridge/", "alpha/east/topics/2020-road/"])
    );
    assert_eq!(
        sorted(all_card_links(&site, BASE, "years/2016/")),
        r(&[
            "alpha/topics/2016-bridge/",
            "alpha/sessions/2016-bridge-council/",
            "alpha/sessions/2016-bridge-hearing/",
            "alpha/outcomes/2016-bridge-decision/",
        ])
    );
    assert_eq!(
        sorted(all_card_links(&site, BASE, "years/2020/")),
        r(&[
            "alpha/east/topics/2020-road/",
            "alpha/east/outcomes/2020-road-decision/"
        ])
    );
    assert_eq!(
        sorted(all_card_links(&site, BASE, "forms/deliberation-council/")),
        r(&[
            "alpha/sessions/2016-bridge-council/",
            "beta/garden/sessions/2024-parking-meeting/"
        ])
    );
    assert!(card_links(&site.page("types/volunteer-service/")).is_empty());
}

#[test]
fn lists_are_newest_first_and_paginated() {
    let site = built();
    // alpha/east has 5 records at page size 2: three pages.
    let p1 = site.page("alpha/east/");
    let p2 = site.page("alpha/east/page/2/");
    let p3 = site.page("alpha/east/page/3/");
    assert!(!site.has_page("alpha/east/page/4/"));
    assert!(!site.has_page("alpha/east/page/1/"));
    assert_eq!(card_links(&p1).len(), 2);
    assert_eq!(card_links(&p2).len(), 2);
    assert_eq!(card_links(&p3).len(), 1);
    assert!(!p1.contains("rel=\"prev\""));
    assert!(p1.contains(&format!(
        "rel=\"next\" href=\"{}\"",
        link("alpha/east/page/2/")
    )));
    assert!(p2.contains(&format!("rel=\"prev\" href=\"{}\"", link("alpha/east/"))));
    assert!(p2.contains(&format!(
        "rel=\"next\" href=\"{}\"",
        link("alpha/east/page/3/")
    )));
    assert!(!p3.contains("rel=\"next\""));
    // Newest first: 2021 session (01-20) before 2021 topic (01-10).
    let all = all_card_links(&site, BASE, "alpha/east/");
    assert_eq!(all[0], link("alpha/east/sessions/2021-budget-meeting/"));
    assert_eq!(all[1], link("alpha/east/topics/2021-budget/"));
    assert_eq!(all.last().unwrap(), &link("alpha/topics/2016-bridge/"));
}

#[test]
fn every_internal_link_is_under_the_sub_path() {
    let site = built();
    for entry in walkdir::WalkDir::new(site.path("public")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap();
                if url.starts_with('#') || url.starts_with("https://example.org/xieshang/") {
                    continue;
                }
                assert!(url.starts_with(BASE), "{url} in {}", entry.path().display());
            }
        }
        assert!(html.contains("<link rel=\"canonical\" href=\"https://example.org/xieshang/"));
    }
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let site = TempSite::new("valid");
    site.build(&["--base-url", "http://localhost:8080"])
        .assert_success();
    let home = site.page("");
    assert!(home.contains("href=\"/alpha/\""), "{home}");
    assert!(!home.contains("/xieshang/"));
    let bad = site.build(&["--base-url", "not a url"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn drafts_are_absent_unless_asked_for() {
    let site = built();
    assert!(!site.has_page("alpha/west/topics/2025-draft/"));
    assert!(!all_card_links(&site, BASE, "types/other/")
        .iter()
        .any(|l| l.contains("draft")));
    assert!(!site.has_page("years/2025/"));
    site.build(&["--drafts"]).assert_success();
    assert!(site.has_page("alpha/west/topics/2025-draft/"));
    assert!(site.has_page("years/2025/"));
}

fn status_of(site: &TempSite, page: &str) -> String {
    let html = site.page(page);
    let at = html.find("<h1>").unwrap();
    let after = &html[at..];
    after
        .split("class=\"status status-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn derived_status_and_flags() {
    let site = built();
    assert_eq!(status_of(&site, "alpha/topics/2016-bridge/"), "done");
    assert_eq!(
        status_of(&site, "alpha/east/topics/2020-road/"),
        "implementing"
    );
    assert_eq!(
        status_of(&site, "alpha/east/topics/2021-budget/"),
        "consulting"
    );
    assert_eq!(
        status_of(&site, "alpha/west/topics/2026-waste/"),
        "collecting"
    );
    assert_eq!(
        status_of(&site, "alpha/west/topics/2019-land/"),
        "withdrawn"
    );
    assert_eq!(
        status_of(&site, "beta/garden/topics/2024-parking/"),
        "decided"
    );
    // Overdue: 2020-road's deadline 2021-06-30 passed, not done.
    assert!(site
        .page("alpha/east/topics/2020-road/")
        .contains("status-overdue"));
    assert!(!site
        .page("alpha/topics/2016-bridge/")
        .contains("class=\"status status-overdue\""));
    // Upcoming session on the home page and on its village page.
    let home = site.page("");
    let upcoming = home.split("id=\"h-upcoming\"").nth(1).unwrap();
    let upcoming = upcoming.split("</section>").next().unwrap();
    assert_eq!(
        card_links(upcoming),
        [link("alpha/west/sessions/2026-waste-talk/")]
    );
    assert!(site.page("alpha/west/").contains("id=\"h-upcoming\""));
}

#[test]
fn reference_date_moves_upcoming_and_status() {
    let site = TempSite::new("valid");
    site.run(&["build", "--as-of", "2027-01-01"])
        .assert_success();
    assert_eq!(
        status_of(&site, "alpha/west/topics/2026-waste/"),
        "consulting"
    );
    let home = site.page("");
    let upcoming = home.split("id=\"h-upcoming\"").nth(1).unwrap();
    assert!(card_links(upcoming.split("</section>").next().unwrap()).is_empty());
    // The deadline day itself is not overdue.
    site.run(&["build", "--as-of", "2021-06-30"])
        .assert_success();
    assert!(!site
        .page("alpha/east/topics/2020-road/")
        .contains("status-overdue"));
    site.run(&["build", "--as-of", "2021-07-01"])
        .assert_success();
    assert!(site
        .page("alpha/east/topics/2020-road/")
        .contains("status-overdue"));
}

#[test]
fn source_date_epoch_sets_the_reference_date() {
    let site = TempSite::new("valid");
    // 2027-01-01T00:00:00Z is 08:00 in Shanghai on the same day.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["build", "--root"])
        .arg(site.root())
        .env("SOURCE_DATE_EPOCH", "1798761600")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        status_of(&site, "alpha/west/topics/2026-waste/"),
        "consulting"
    );
    assert!(site.page("").contains("2027-01-01"));
}

#[test]
fn builds_are_reproducible() {
    let a = built();
    let b = built();
    assert_eq!(files_in(&a.path("public")), files_in(&b.path("public")));
}

#[test]
fn raw_html_is_sanitized_and_tables_kept() {
    let site = built();
    let html = site.page("beta/garden/sessions/2024-parking-meeting/");
    // No script but the theme's larger-text switch.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/xieshang/js/textsize.js\" defer></script>")
            .count(),
        "{html}"
    );
    assert!(!html.contains("alert("));
    assert!(site
        .page("alpha/topics/2016-bridge/")
        .contains("<td>镇财政</td>"));
}

#[test]
fn session_page_shows_vote_participants_and_attachments() {
    let site = built();
    let html = site.page("alpha/sessions/2016-bridge-hearing/");
    // The tally as a line of text beside the topic, not a wide table.
    assert!(
        html.contains("赞成 <strong>20</strong></span> <span class=\"tally-against\">反对 <strong>3</strong></span> <span class=\"tally-abstain\">弃权 <strong>2</strong>"),
        "{html}"
    );
    assert!(html.contains("2016-04-10T19:30"));
    assert!(html.contains("村(居)民代表"));
    let per_topic = site.page("alpha/east/sessions/2021-budget-meeting/");
    assert!(
        per_topic.contains(
            "赞成 <strong>25</strong></span> <span class=\"tally-against\">反对 <strong>5</strong>"
        ),
        "{per_topic}"
    );
    let att = site.page("beta/garden/sessions/2024-parking-meeting/");
    assert!(att.contains(&format!(
        "href=\"{}\"",
        link("beta/garden/sessions/files/plan.pdf")
    )));
}

#[test]
fn related_topics_are_shown_both_ways() {
    let site = built();
    assert!(site
        .page("alpha/east/topics/2020-road/")
        .contains(&link("beta/garden/topics/2024-parking/")));
    assert!(site
        .page("beta/garden/topics/2024-parking/")
        .contains(&link("alpha/east/topics/2020-road/")));
}

#[test]
fn english_ui_is_shipped() {
    let site = TempSite::new("valid");
    site.edit(
        "site.toml",
        "page_size = 2",
        "page_size = 2\nlanguage = \"en\"",
    );
    site.build(&[]).assert_success();
    let home = site.page("");
    assert!(home.contains("<html lang=\"en\">"));
    assert!(home.contains("Upcoming sessions"));
}

#[test]
fn summary_line_and_exit_code() {
    let site = TempSite::new("valid");
    let run = site.build(&[]);
    run.assert_success();
    assert!(run.stdout.contains("个页面"), "{}", run.stdout);
    assert!(run.stdout.contains("14 条记录"), "{}", run.stdout);
    let quiet = site.build(&["--quiet"]);
    quiet.assert_success();
    assert!(quiet.stdout.is_empty());
}

#[test]
fn usage_and_io_errors_exit_2() {
    let site = TempSite::new("valid");
    assert_eq!(site.run(&["build", "--as-of", "2026-13-01"]).code, 2);
    assert_eq!(site.run(&["build", "--no-such-flag"]).code, 2);
    site.remove("site.toml");
    let run = site.build(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("site.toml"));
    let site = TempSite::new("valid");
    let run = site.build(&["--output", "content"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(site.path("content/alpha/_place.yaml").exists());
}

#[test]
fn check_validates_without_writing() {
    let site = TempSite::new("valid");
    let run = site.run(&["check", "--as-of", AS_OF]);
    run.assert_success();
    assert!(!site.path("public").exists());
}

#[test]
fn site_without_themes_folder_uses_the_built_in_theme() {
    let site = built();
    assert!(!site.path("themes").exists());
    assert!(site.page("css/style.css").contains("system-ui"));
}

#[test]
fn bom_and_crlf_records_are_accepted() {
    let site = TempSite::new("valid");
    let text = site
        .read("content/alpha/east/topics/2020-road.md")
        .replace('\n', "\r\n");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(text.as_bytes());
    site.write_bytes("content/alpha/east/topics/2020-road.md", &bytes);
    site.build(&[]).assert_success();
    let page = site.page("alpha/east/topics/2020-road/");
    assert!(page.contains("<h1>东村道路硬化</h1>"), "{page}");
}

#[test]
fn hidden_files_and_editor_backups_are_skipped() {
    let site = TempSite::new("valid");
    let broken = "not a record at all";
    site.write("content/alpha/east/topics/2020-road.md~", broken);
    site.write("content/alpha/east/topics/.2020-road.md.swp", broken);
    site.write("content/alpha/east/topics/#2020-road.md#", broken);
    site.write("content/alpha/.hidden/_place.yaml", broken);
    site.write("content/alpha/east/README.md", "clerk notes");
    let run = site.build(&[]);
    run.assert_success();
    assert!(!run.stderr.contains("2020-road.md~"), "{}", run.stderr);
    // A stray file where records live is skipped with a warning.
    site.write("content/alpha/east/topics/notes.docx", "x");
    let run = site.build(&[]);
    run.assert_success();
    assert!(run.stderr.contains("notes.docx"), "{}", run.stderr);
    assert!(run.stderr.contains("已跳过"), "{}", run.stderr);
}

/// Shared links preview well, search engines find every page, and each
/// place offers its feed, calendar and data.
#[test]
fn discovery_and_follow_links() {
    let site = built();
    let road = site.page("alpha/east/topics/2020-road/");
    let canonical = "https://example.org/xieshang/alpha/east/topics/2020-road/";
    assert!(road.contains(&format!("<link rel=\"canonical\" href=\"{canonical}\">")));
    assert!(road.contains(&format!(
        "<meta property=\"og:url\" content=\"{canonical}\">"
    )));
    assert!(
        road.contains("<meta property=\"og:title\" content=\"东村道路硬化\">"),
        "{road}"
    );
    assert!(road.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(road.contains("<meta name=\"description\" content=\""));
    assert!(road.contains("<meta property=\"og:description\" content=\""));

    let east = site.page("alpha/east/");
    for href in [
        "alpha/east/feed.xml",
        "alpha/east/calendar.ics",
        "data/alpha/east/topics.csv",
        "data/alpha/east/records.json",
    ] {
        assert!(east.contains(&format!("href=\"{}\"", link(href))), "{href}");
        assert!(site.path(&format!("public/{href}")).is_file(), "{href}");
    }
    assert!(east.contains(&format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"测试协商平台 · 甲镇 · 东村\" href=\"{}\">",
        link("alpha/east/feed.xml")
    )), "{east}");

    let robots = std::fs::read_to_string(site.path("public/robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/xieshang/sitemap.xml"));
    let sitemap = std::fs::read_to_string(site.path("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("<loc>{canonical}</loc>")));
    assert!(sitemap.contains("<loc>https://example.org/xieshang/search/</loc>"));
    assert!(!sitemap.contains("404.html"));
    assert!(!sitemap.contains("draft"), "drafts are not listed");
}

#[test]
fn markup_in_titles_and_summaries_is_escaped_in_every_list() {
    let site = TempSite::new("valid");
    site.write(
        "content/alpha/east/topics/2021-budget.md",
        "---\ntitle: \"<script>alert(1)</script>预算 & <b>加粗</b>\"\ntype: annual-budget\nproposed: 2021-01-10\nsummary: \"<img src=x onerror=alert(2)>摘要\"\n---\n年度预算草案。\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The record's own page, its village's list, its type's and year's
    // lists, and the page of the session that discusses it (a card).
    for page in [
        "alpha/east/topics/2021-budget/",
        "alpha/east/",
        "types/annual-budget/",
        "years/2021/",
        "alpha/east/sessions/2021-budget-meeting/",
    ] {
        let html = site.page(page);
        assert!(
            html.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt;预算 &amp; &lt;b&gt;加粗&lt;/b&gt;"
            ),
            "{page}: title not shown escaped"
        );
        assert!(!html.contains("<script>alert"), "{page}");
        assert!(!html.contains("<b>加粗"), "{page}");
        assert!(!html.contains("<img src=x"), "{page}");
    }
}

#[test]
fn folding_ui_strings_into_templates_changes_no_page() {
    // The built-in theme, whose `{{ t.… }}` and `{{ site.… }}` are folded.
    let folded = built();
    // The same theme on disk, plus a template that binds `t`: that turns
    // folding off for the whole theme (see `fold.rs`).
    let site = TempSite::new("valid");
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &site.path("themes/default"),
    );
    site.write("themes/default/templates/unused.html", "{% set t = 1 %}");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let a = files_in(&folded.path("public"));
    let b = files_in(&site.path("public"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let pages = a.keys().filter(|k| k.ends_with(".html")).count();
    assert!(pages > 20, "{pages}");
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs");
    }
}

/// Every page names the theme's icon, which the build publishes, so a
/// browser does not ask for a missing `/favicon.ico`.
#[test]
fn pages_link_the_published_favicon() {
    let site = built();
    let icon = site.read("public/favicon.svg");
    assert!(
        icon.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{icon}"
    );
    // Nothing a browser would fetch or run.
    for active in ["<script", "href", "url(", "<text", "<image", "on"] {
        let attr_or_tag = icon.replace("viewBox", "");
        assert!(
            !attr_or_tag.contains(&format!(" {active}"))
                && !attr_or_tag.contains(&format!("<{active}")),
            "{active} in {icon}"
        );
    }
    let link = format!("<link rel=\"icon\" href=\"{BASE}favicon.svg\" type=\"image/svg+xml\">");
    for page in [
        "",
        "alpha/",
        "alpha/topics/2016-bridge/",
        "search/",
        "data/",
    ] {
        let html = site.page(page);
        assert!(html.contains(&link), "{page}: no icon link");
    }
}

/// The `href`s of the links inside the first `<nav class="{class}"` of a page.
fn nav_links(html: &str, class: &str) -> Vec<String> {
    let start = html
        .find(&format!("<nav class=\"{class}\""))
        .unwrap_or_else(|| panic!("no {class} nav"));
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    nav.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn lists_have_numbered_pages_with_a_window() {
    let site = TempSite::new("valid");
    // alpha holds 11 records: at one per page, 11 pages.
    site.edit("site.toml", "page_size = 2", "page_size = 1");
    site.build(&[]).assert_success();
    assert!(site.has_page("alpha/page/11/"));
    assert!(!site.has_page("alpha/page/12/"));
    let p6 = site.page("alpha/page/6/");
    let nav = &p6[p6.find("<nav class=\"pagination\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(nav.contains("aria-label=\"分页\""), "{nav}");
    // 1 … 4 5 [6] 7 8 … 11, between previous and next.
    let numbers: Vec<String> = [1, 4, 5, 6, 7, 8, 11]
        .iter()
        .map(|&k| {
            link(&if k == 1 {
                "alpha/".to_string()
            } else {
                format!("alpha/page/{k}/")
            })
        })
        .collect();
    let mut expected = vec![link("alpha/page/5/")];
    expected.extend(numbers);
    expected.push(link("alpha/page/7/"));
    assert_eq!(nav_links(&p6, "pagination"), expected);
    assert_eq!(nav.matches('…').count(), 2, "{nav}");
    assert_eq!(nav.matches("aria-current=\"page\"").count(), 1);
    assert!(nav.contains(&format!(
        "href=\"{}\" aria-current=\"page\"",
        link("alpha/page/6/")
    )));
    assert!(!nav.contains(">2<") && !nav.contains(">10<"), "{nav}");
    // Near the ends a one-page gap shows the page instead: 1 2 3 4 5 … 11.
    let p3 = site.page("alpha/page/3/");
    let links = nav_links(&p3, "pagination");
    assert!(links.contains(&link("alpha/page/2/")) && links.contains(&link("alpha/page/5/")));
    assert!(!links.contains(&link("alpha/page/6/")));
    // Type, year and form lists have them too.
    let year = site.page("years/2016/");
    assert!(year.contains("aria-current=\"page\""), "{year}");
}

#[test]
fn place_pages_jump_to_each_year() {
    let site = TempSite::new("valid");
    site.edit("site.toml", "page_size = 2", "page_size = 1");
    site.build(&[]).assert_success();
    for page in ["alpha/", "alpha/page/4/"] {
        let html = site.page(page);
        let jumps = nav_links(&html, "year-jump");
        // alpha has records of 2026, 2021, 2020, 2019 and 2016, newest first.
        let years: Vec<&str> = jumps
            .iter()
            .map(|u| &u[u.find("#y").unwrap() + 2..])
            .collect();
        assert_eq!(years, ["2026", "2021", "2020", "2019", "2016"], "{page}");
        for url in &jumps {
            let (path, year) = url.split_once("#y").unwrap();
            let path = path.strip_prefix(BASE).unwrap();
            let target = site.page(path);
            assert!(target.contains(&format!("id=\"y{year}\"")), "{url}");
            // The year starts there: the page before shows none of it.
            let n: usize = path
                .strip_prefix("alpha/page/")
                .map_or(1, |r| r.trim_end_matches('/').parse().unwrap());
            if n > 1 {
                let before = if n == 2 {
                    "alpha/".to_string()
                } else {
                    format!("alpha/page/{}/", n - 1)
                };
                assert!(
                    !site.page(&before).contains(&format!("id=\"y{year}\"")),
                    "{url}"
                );
            } else {
                assert_eq!(year, "2026");
            }
        }
    }
}
