//! Hostile content: what a clerk's paste or a careless theme must not be
//! able to do to a build, a feed, a calendar or the terminal.

mod common;

use common::*;

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
    run.ok();
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
        !run.stderr.chars().chain(run.stdout.chars()).any(is_forbidden),
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
    assert!(run.stderr.contains("content/alpha/_place.yaml:1:3"), "{}", run.stderr);
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
    assert!(run.stderr.contains("\\u{1b}"), "{}", run.stderr);
    assert!(!run.stderr.chars().any(is_forbidden), "{:?}", run.stderr);
}
