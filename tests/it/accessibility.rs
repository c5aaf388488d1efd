//! WCAG 2.1 AA: axe-core in headless Chromium over a sample of every kind of
//! page of the demo site and of the fixture site, at phone and desktop
//! widths (`tests/tools/a11y.mjs`). `.ci/run` installs Chromium and the npm
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
            "/hetang/topics/2018-canal-dredging/print/",
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
            "/alpha/topics/2016-bridge/print/",
            "/alpha/east/sessions/2021-budget-meeting/print/",
            "/alpha/outcomes/2016-bridge-decision/print/",
        ],
    );
}
