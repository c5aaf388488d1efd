//! What a resident reads (issue 11): a topic's chain in the contract's
//! order, sessions without a status of their own, tallies where a matter
//! is decided, and a topic's state at a glance.

use crate::common::*;

/// The part of `html` from the element with `id` to the end of its section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[test]
fn on_one_day_a_meeting_comes_before_the_outcome_it_produced() {
    let site = TempSite::new("valid");
    // The hearing is on 2016-04-10 at 19:30; the decision now that day too.
    site.edit(
        "content/alpha/outcomes/2016-bridge-decision.md",
        "decided: 2016-05-01",
        "decided: 2016-04-10",
    );
    site.build(&[]).assert_success();
    let page = site.page("alpha/topics/2016-bridge/");
    let chain = section(&page, "h-chain");
    let hearing = chain.find("便民桥建设方案听证会").expect("the hearing");
    let outcome = chain.find("class=\"chain-outcome\"").expect("the outcome");
    assert!(
        hearing < outcome,
        "the outcome is listed before the meeting:\n{chain}"
    );
}

#[test]
fn a_session_has_no_status_of_its_own_and_lists_each_topics() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    // The meeting discussed a topic under consultation and one being
    // carried out (and overdue).
    let page = site.page("alpha/east/sessions/2021-budget-meeting/");
    let header = &page[page.find("<h1>").unwrap()..page.find("id=\"h-details\"").unwrap()];
    assert!(
        !header.contains("class=\"status"),
        "the session shows a status:\n{header}"
    );
    let topics = section(&page, "h-topics");
    assert!(topics.contains("status-consulting"), "{topics}");
    assert!(topics.contains("status-implementing"), "{topics}");
    // Each topic with the tally this session gave it.
    assert!(topics.contains("赞成 <strong>30</strong>"), "{topics}");
    assert!(topics.contains("反对 <strong>5</strong>"), "{topics}");
    // The breadcrumb ends with the place, not with one of the topics.
    let crumbs = &page[page.find("class=\"breadcrumbs").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    let last = &crumbs[crumbs.rfind("<li>").unwrap()..];
    assert!(
        last.contains(">东村</a>"),
        "the breadcrumb does not end with the place: {crumbs}"
    );
    assert!(
        !crumbs.contains("预算"),
        "a topic in the session's breadcrumb: {crumbs}"
    );
    // Its card in lists carries no status either.
    let east = site.page("alpha/east/");
    let card = &east[east
        .find("2021-budget-meeting/")
        .expect("the session's card")..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(
        !card.contains("class=\"status"),
        "the session's card shows a status: {card}"
    );
}

#[test]
fn topic_and_outcome_pages_show_the_tallies_that_decided() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let topic = site.page("alpha/topics/2016-bridge/");
    let tallies = section(&topic, "h-tallies");
    assert!(tallies.contains("便民桥建设方案听证会"), "{tallies}");
    assert!(tallies.contains("赞成 <strong>20</strong>"), "{tallies}");
    assert!(tallies.contains("反对 <strong>3</strong>"), "{tallies}");
    assert!(tallies.contains("弃权 <strong>2</strong>"), "{tallies}");
    let outcome = site.page("alpha/outcomes/2016-bridge-decision/");
    let tallies = section(&outcome, "h-tallies");
    assert!(tallies.contains("赞成 <strong>20</strong>"), "{tallies}");
    // A per-topic vote reaches only its own topic's page.
    let road = site.page("alpha/east/topics/2020-road/");
    let tallies = section(&road, "h-tallies");
    assert!(tallies.contains("赞成 <strong>25</strong>"), "{tallies}");
    assert!(!tallies.contains("赞成 <strong>30</strong>"), "{tallies}");
}

#[test]
fn a_topic_page_answers_where_it_stands_first() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let page = site.page("alpha/east/topics/2020-road/");
    let glance = section(&page, "h-glance");
    // Deadline 2021-06-30, reference date 2026-11-28: 1977 days late.
    assert!(glance.contains("已逾期 1977 天"), "{glance}");
    assert!(glance.contains("result-partly-adopted"), "{glance}");
    assert!(glance.contains("2021年6月30日"), "{glance}");
    assert!(glance.contains("最新进展"), "{glance}");
    // Who carries it out is on the topic's page, not only the outcome's.
    let bridge = site.page("alpha/topics/2016-bridge/");
    assert!(section(&bridge, "h-glance").contains("甲镇建设办"));
    // A place page starts with where its matters stand.
    let east = site.page("alpha/east/");
    assert!(
        east.find("id=\"h-status\"")
            < east
                .find("class=\"place-summary\"")
                .or(east.find("id=\"h-children\""))
                .or(east.find("id=\"h-records\""))
    );
    // Before the body text.
    assert!(page.find("id=\"h-glance\"") < page.find("id=\"h-body\""));
}

#[test]
fn every_record_has_a_printable_notice_with_its_address_and_a_qr_code() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    for (page, id) in [
        ("alpha/topics/2016-bridge/", "alpha/2016-bridge"),
        (
            "alpha/sessions/2016-bridge-hearing/",
            "alpha/2016-bridge-hearing",
        ),
        (
            "alpha/outcomes/2016-bridge-decision/",
            "alpha/2016-bridge-decision",
        ),
    ] {
        let screen = site.page(page);
        let print_link = format!("href=\"/xieshang/{page}print.html\"");
        assert!(
            screen.contains(&print_link),
            "{page} does not link to its notice"
        );
        let print = site.page(&format!("{page}print.html"));
        assert!(
            print.contains(&format!("https://example.org/xieshang/{page}")),
            "{page}: no full address"
        );
        assert!(
            print.contains("<svg aria-hidden=\"true\""),
            "{page}: no QR code"
        );
        assert!(
            print.contains(&format!("<code>{id}</code>")),
            "{page}: no id"
        );
        let hash = print
            .split("<code>")
            .nth(2)
            .and_then(|s| s.split("</code>").next())
            .unwrap_or_default();
        assert!(
            hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{page}: no content hash, got {hash:?}"
        );
        // No script but the larger-text switch every page has.
        assert_eq!(
            print.matches("<script").count(),
            print.matches("js/textsize.js").count(),
            "{page}: a print page needs no script"
        );
    }
    // The decision and its vote are on the topic's notice.
    let notice = site.page("alpha/topics/2016-bridge/print.html");
    assert!(notice.contains("result-adopted") && notice.contains("赞成 <strong>20</strong>"));
    // Print pages repeat their record's page: the sitemap leaves them out.
    assert!(!site.page("sitemap.xml").contains("print.html"));
}

#[test]
fn text_is_large_by_default_and_a_switch_enlarges_it() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let css = site.page("css/style.css");
    // 18 px body text at the browser's default 16 px, and 1.5× with 大字.
    assert!(
        css.contains("html { font-size: 112.5%; }"),
        "no large default text"
    );
    assert!(
        css.contains("html.big-text { font-size: 168.75%; }"),
        "no 大字 size"
    );
    let home = site.page("");
    // The switch is hidden until its script shows it (pages work without).
    assert!(home.contains("<button type=\"button\" class=\"text-size\" data-text-size hidden"));
    assert!(home.contains("/xieshang/js/textsize.js\" defer"));
    let script = site.page("js/textsize.js");
    assert!(script.contains("localStorage") && script.contains("big-text"));
}

#[test]
fn results_are_told_apart_and_any_village_is_two_taps_from_home() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    // An outcome's card carries its result's own style (and sign, in CSS),
    // not the grey of every tag.
    let garden = site.page("beta/garden/");
    assert!(garden.contains("class=\"result result-"), "{garden}");
    let css = site.page("css/style.css");
    for result in ["adopted", "rejected", "partly-adopted", "deferred"] {
        assert!(
            css.contains(&format!(".result-{result}::before")),
            "no sign for {result}"
        );
    }
    // Home: a town opens (one tap) to links to its villages (a second).
    let home = site.page("");
    let picker = &home[home.find("class=\"place-picker\"").expect("a place picker")..];
    let picker = &picker[..picker.find("</section>").unwrap()];
    assert!(picker.contains("<details><summary>甲镇"), "{picker}");
    assert!(
        picker.contains("href=\"/xieshang/alpha/east/\""),
        "{picker}"
    );
    assert!(
        picker.contains("href=\"/xieshang/alpha/west/\""),
        "{picker}"
    );
    // Before the long lists.
    assert!(home.find("class=\"place-picker\"") < home.find("id=\"h-upcoming\""));
}
