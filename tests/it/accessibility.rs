//! WCAG 2.1 AA: axe-core in headless Chromium over a sample of every kind of
//! page of the demo site and of the fixture site, at 320 and 390 px, at
//! 1280 px and at 200% zoom of it (`tests/tools/a11y.mjs`). `.ci/run` installs Chromium and the npm
//! tools; without them the test is skipped locally and fails in CI.

use std::path::Path;
use std::process::Command;

use crate::common::*;

fn tools_ready() -> bool {
    browser_tools_ready(&["axe-core", "playwright-core"])
}

fn check(dir: &Path, pages: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/a11y.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(dir)
        .args(pages)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "accessibility violations:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains(" 0 violations"), "{report}");
}

#[test]
fn demo_site_meets_wcag_21_aa() {
    if !tools_ready() {
        return;
    }
    let site = demo_site();
    site.build(&[]).assert_success();
    check(
        &site.path("public"),
        &[
            "/",
            "/hetang/",
            "/hetang/page/2/",
            "/hetang/xiahu/",
            "/hetang/topics/2018-canal-dredging/",
            "/hetang/topics/2018-canal-dredging/print.html",
            "/hetang/lijiaqiao/sessions/2019-budget-meeting/",
            "/hetang/xiahu/sessions/2020-fish-pond-hearing/",
            "/types/",
            "/types/project-construction/",
            "/years/",
            "/years/2026/",
            "/forms/public-hearing/",
            "/search/",
            "/data/",
            "/404.html",
        ],
    );
}

#[test]
fn fixture_site_meets_wcag_21_aa() {
    if !tools_ready() {
        return;
    }
    let site = TempSite::new("valid");
    site.build(&["--base-url", "http://127.0.0.1/"])
        .assert_success();
    check(
        &site.path("public"),
        &[
            "/",
            "/alpha/east/page/2/",
            "/alpha/topics/2016-bridge/",
            "/alpha/east/sessions/2021-budget-meeting/",
            "/alpha/outcomes/2016-bridge-decision/",
            "/alpha/east/outcomes/2020-road-decision/",
            "/alpha/topics/2016-bridge/print.html",
            "/alpha/east/sessions/2021-budget-meeting/print.html",
            "/alpha/outcomes/2016-bridge-decision/print.html",
        ],
    );
}

/// No page scrolls sideways on a 320 px phone (`tests/tools/overflow.mjs`):
/// every kind of page of the fixture site, with a place of a long name (the
/// search filter and the data page list it), and a record with a long code
/// line, a wide table and a long URL.
#[test]
fn no_page_is_wider_than_a_phone() {
    if !tools_ready() {
        return;
    }
    let site = TempSite::new("valid");
    site.write(
        "content/beta/long/_place.yaml",
        "name: 第十二居民小组暨老城区东片棚户区改造安置点临时联合议事协商委员会\nkind: community\n",
    );
    let row = |cell: &str| format!("| {} |\n", [cell; 9].join(" | "));
    let table = format!(
        "{}{}{}",
        row("表头列名称"),
        row("---"),
        row("一二三四五六七八九十")
    );
    site.write(
        "content/beta/long/topics/2024-wide.md",
        &format!(
            "---\ntitle: 很宽的内容\ntype: 项目建设\nproposed: 2024-03-01\n---\n\
             说明见 https://example.org/a/very/long/path/that/does/not/break/anywhere/at/all/in/a/narrow/window.html\n\n\
             ```\nlet a_very_long_line_of_code = [\"no break here\", \"none here either\", \"and it goes on and on and on\"];\n```\n\n{table}"
        ),
    );
    site.build(&["--base-url", "http://127.0.0.1/"])
        .assert_success();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/overflow.mjs");
    let pages = [
        "/",
        "/alpha/",
        "/alpha/east/page/2/",
        "/alpha/topics/2016-bridge/",
        "/alpha/east/sessions/2021-budget-meeting/",
        "/alpha/outcomes/2016-bridge-decision/",
        "/beta/long/",
        "/beta/long/topics/2024-wide/",
        "/beta/long/topics/2024-wide/print.html",
        "/alpha/east/sessions/2021-budget-meeting/print.html",
        "/types/",
        "/years/",
        "/years/2016/",
        "/forms/",
        "/forms/public-hearing/",
        "/search/",
        "/data/",
        "/404.html",
    ];
    let out = Command::new("node")
        .arg(script)
        .arg(site.path("public"))
        .args(pages)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pages wider than a phone:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains(" 0 too wide"), "{report}");
}
