//! Generated HTML is valid (checked by the v.Nu validator) and loads
//! nothing from other hosts.
//!
//! The validator is a Java program from the `vnu-jar` npm package; `.ci/run`
//! installs it and sets `YISHI_VNU_JAR`. Without it the validation test is
//! skipped locally but fails in CI, so a missing install cannot pass quietly.

use std::path::Path;
use std::process::Command;

use crate::common::*;

fn vnu_jar() -> Option<String> {
    match std::env::var("YISHI_VNU_JAR") {
        Ok(p) if Path::new(&p).is_file() => Some(p),
        _ if std::env::var_os("CI").is_some() => {
            panic!("YISHI_VNU_JAR is not set in CI: .ci/run must install the validator")
        }
        _ => {
            eprintln!("skipped: set YISHI_VNU_JAR to the v.Nu validator (see .ci/run)");
            None
        }
    }
}

fn validate(dir: &Path) {
    let Some(jar) = vnu_jar() else { return };
    let out = Command::new("java")
        .args(["-jar", &jar, "--skip-non-html", "--format", "gnu"])
        .arg(dir)
        .output()
        .expect("java runs");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "HTML validation failed:\n{report}"
    );
}

#[test]
fn fixture_site_is_valid_html() {
    let site = TempSite::new("valid");
    site.build(&["--drafts"]).assert_success();
    validate(&site.path("public"));
}

#[test]
fn demo_site_is_valid_html() {
    let site = demo_site();
    site.build(&[]).assert_success();
    validate(&site.path("public"));
}

#[test]
fn english_site_is_valid_html() {
    let site = TempSite::new("valid");
    site.edit(
        "site.toml",
        "page_size = 2",
        "page_size = 2\nlanguage = \"en\"",
    );
    site.build(&[]).assert_success();
    validate(&site.path("public"));
}

/// Nothing is loaded from another host: scripts, styles, images and frames
/// all come from the site itself (it must work on an intranet).
#[test]
fn pages_load_nothing_from_other_hosts() {
    let site = demo_site();
    site.build(&[]).assert_success();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(site.path("public")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(entry.path()).unwrap();
        for part in html.split("src=\"").skip(1) {
            let url = part.split('"').next().unwrap();
            assert!(
                url.starts_with('/'),
                "remote src {url} in {}",
                entry.path().display()
            );
        }
        for tag in html.split("<link ").skip(1) {
            let tag = tag.split('>').next().unwrap();
            if tag.contains("rel=\"stylesheet\"") || tag.contains("rel=\"preload\"") {
                let href = tag
                    .split("href=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                assert!(href.starts_with('/'), "remote stylesheet {href}");
            }
        }
        assert!(!html.contains("@import"), "{}", entry.path().display());
    }
    assert!(pages > 200, "only {pages} pages");
    let css = site.read("public/css/style.css");
    assert!(!css.contains("url("), "the stylesheet loads something");
}
