//! iCalendar files (RFC 5545) of the announced sessions, for residents to
//! subscribe to: one for the whole site and one per place.
//!
//! Decisions:
//!
//! - Times are written in UTC (`…Z`), converted from the site's zone, so no
//!   `VTIMEZONE` is needed and every client agrees on the instant. A session
//!   without a time is an all-day event (`VALUE=DATE`).
//! - A timed session without `end` has no `DTEND`: no end is invented (RFC
//!   5545 then reads the event as ending when it starts; calendar apps show
//!   the start time). An `end` not after the start is left out the same
//!   way. An all-day session ends at the end of its `end` day, if any, else
//!   at the end of its day (`DTEND` is then the next day, as the format
//!   requires for a one-day event).
//! - `UID` is `<record id>@<host>`: stable across builds and base paths.
//! - `DTSTAMP` is the reference date at 00:00 UTC, never the wall clock, so
//!   builds are reproducible; with `METHOD:PUBLISH` it states when this
//!   copy of the calendar was made.
//! - Folding (75 octets, never inside a UTF-8 character) and escaping of
//!   text values are the `icalendar` crate's; the tests check both.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use icalendar::{Calendar as ICalendar, Component, Event, EventLike, Property};

use super::common::{id_host, localize, string_or};
use super::Ctx;
use crate::route::{self, Route};

/// One calendar to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Output-relative file: `calendar.ics`, `shezhu/calendar.ics`.
    pub path: String,
    pub title: String,
    /// Upcoming sessions in scope, soonest first.
    pub sessions: Vec<usize>,
}

/// The whole site's calendar and one per place except the top level, also
/// for places with nothing announced (an empty calendar is valid and keeps
/// a subscription working).
pub fn calendars(ctx: &Ctx) -> Vec<Calendar> {
    let g = ctx.graph;
    let site_title = &ctx.config.title;
    let mut out = vec![Calendar {
        path: Route::Home.calendar(),
        title: site_title.clone(),
        sessions: g.upcoming.clone(),
    }];
    for (p, place) in g.site.places.iter().enumerate().skip(1) {
        out.push(Calendar {
            path: route::of_place(place).calendar(),
            title: format!("{site_title} · {}", ctx.place_full_name(p)),
            sessions: g.upcoming_by_place[p].clone(),
        });
    }
    out
}

/// A local time in the site's zone, in UTC.
fn utc(ctx: &Ctx, local: NaiveDateTime) -> DateTime<Utc> {
    localize(ctx.config.timezone, local).with_timezone(&Utc)
}

/// The calendar document (UTF-8, CRLF line ends, folded).
pub fn ics(ctx: &Ctx, cal: &Calendar) -> String {
    let g = ctx.graph;
    let vocab = &ctx.config.vocabularies;
    let host = id_host(&ctx.config.base_url);
    let stamp = g.as_of.and_time(NaiveTime::MIN).and_utc();

    let mut out = ICalendar::empty();
    out.append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//yishi//NONSGML yishi//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        // The crate escapes the values of the text properties it knows
        // (RFC 5545's and `X-…`), not RFC 7986's `NAME`: that one would go
        // out raw, and a line break in a place name would start a
        // property of its own.
        .append_property(Property::new("NAME", escape_text(&cal.title)))
        .append_property(Property::new("X-WR-CALNAME", cal.title.as_str()));
    if let Some(d) = &ctx.config.description {
        out.description(d);
    }

    for &i in &cal.sessions {
        let r = &g.site.records[i];
        let Some(s) = r.session() else { continue };
        let url = ctx.urls.absolute(&ctx.record_path(i));
        let topics: Vec<&str> = s
            .topics
            .iter()
            .map(|&t| g.site.records[t].title.as_str())
            .collect();
        let summary = string_or(ctx, "calendar_summary", "{form}: {topics}")
            .replace("{form}", &vocab.session_forms.get(s.form).name)
            .replace(
                "{topics}",
                &topics.join(string_or(ctx, "list_separator", ", ")),
            );
        let description = if r.plain_summary.trim().is_empty() {
            url.clone()
        } else {
            format!("{}\n\n{url}", r.plain_summary)
        };

        let mut event = Event::new();
        event
            .uid(&format!("{}@{host}", r.id))
            .timestamp(stamp)
            .summary(&summary)
            .description(&description)
            .url(&url);
        if s.date.has_time {
            let start = utc(ctx, s.date.local);
            event.starts(start);
            let end = s
                .end
                .map(|e| {
                    if e.has_time {
                        utc(ctx, e.local)
                    } else {
                        // A bare end day: the session runs to its end.
                        utc(ctx, (e.day() + Duration::days(1)).and_time(NaiveTime::MIN))
                    }
                })
                .filter(|e| *e > start);
            if let Some(end) = end {
                event.ends(end);
            }
        } else {
            let first = s.date.day();
            let last = s
                .end
                .map(|e| e.day())
                .filter(|d| *d >= first)
                .unwrap_or(first);
            // DTEND of an all-day event is exclusive: the day after.
            event.starts(first).ends(last + Duration::days(1));
        }
        if let Some(loc) = s.location.as_deref().filter(|l| !l.trim().is_empty()) {
            event.location(loc);
        }
        out.push(event.done());
    }
    printable(out.to_string())
}

/// A TEXT value escaped as RFC 5545 (3.3.11) says, for a property the
/// `icalendar` crate does not know to be text (`NAME`).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// `ics` with every character that may not be published (a carriage
/// return from `site.toml`, say: the crate escapes line feeds only) made a
/// space, except the CR of each CRLF line end. Records have none (they are
/// blanked when read); this keeps a stray one from starting a new line.
fn printable(ics: String) -> String {
    if !ics
        .char_indices()
        .any(|(i, c)| crate::text::is_forbidden_char(c) && !ics[i..].starts_with("\r\n"))
    {
        return ics;
    }
    ics.char_indices()
        .map(|(i, c)| {
            if crate::text::is_forbidden_char(c) && !ics[i..].starts_with("\r\n") {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use icalendar::{CalendarComponent, CalendarDateTime, DatePerhapsTime};

    use super::super::testing::{self, Site};
    use super::*;

    fn parse(text: &str) -> ICalendar {
        text.parse::<ICalendar>()
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn events(cal: &ICalendar) -> Vec<&Event> {
        cal.components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    /// The raw (unfolded) content line of `key` in `text`, e.g.
    /// `DTSTART;VALUE=DATE:20261205`.
    fn lines_of(text: &str, key: &str) -> Vec<String> {
        let unfolded = text.replace("\r\n ", "");
        unfolded
            .split("\r\n")
            .filter(|l| l.starts_with(&format!("{key}:")) || l.starts_with(&format!("{key};")))
            .map(str::to_string)
            .collect()
    }

    /// RFC 5545 rules a client relies on, on the text and on the parse.
    fn check_ics(site: &Site, cal: &Calendar, text: &str) -> ICalendar {
        let ctx = site.ctx();
        // Lines end in CRLF and are at most 75 octets, each valid UTF-8
        // on its own (no character cut by a fold).
        assert!(text.ends_with("\r\n"));
        for line in text.as_bytes().split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(
                line.len() <= 75,
                "{} octets: {:?}",
                line.len(),
                String::from_utf8_lossy(line)
            );
            assert!(
                std::str::from_utf8(line).is_ok(),
                "a fold splits a character"
            );
        }
        assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
        let parsed = parse(text);
        assert_eq!(parsed.get_name(), Some(cal.title.as_str()));
        let events = events(&parsed);
        assert_eq!(events.len(), cal.sessions.len(), "{}", cal.path);
        let mut uids = HashSet::new();
        for e in events {
            let uid = e.get_uid().expect("UID");
            assert!(uids.insert(uid.to_string()), "UID {uid} twice");
            assert!(e.get_timestamp().is_some(), "DTSTAMP");
            assert!(e.get_summary().is_some_and(|s| !s.is_empty()), "SUMMARY");
            let start = e.get_start().expect("DTSTART");
            let day = match start {
                DatePerhapsTime::Date(d) => d,
                DatePerhapsTime::DateTime(CalendarDateTime::Utc(dt)) => {
                    dt.with_timezone(&ctx.config.timezone).date_naive()
                }
                other => panic!("a time not in UTC: {other:?}"),
            };
            assert!(day >= ctx.graph.as_of, "only upcoming sessions: {uid}");
            // An end only where the record gives one (or the day of an
            // all-day event ends).
            if let Some(end) = e.get_end() {
                assert!(
                    match (&start, &end) {
                        (DatePerhapsTime::Date(a), DatePerhapsTime::Date(b)) => b > a,
                        (
                            DatePerhapsTime::DateTime(CalendarDateTime::Utc(a)),
                            DatePerhapsTime::DateTime(CalendarDateTime::Utc(b)),
                        ) => b > a,
                        _ => false,
                    },
                    "DTEND not after DTSTART: {uid}"
                );
            }
            let url = e.get_url().expect("URL");
            assert!(url.starts_with(&ctx.config.base_url), "{url}");
        }
        parsed
    }

    fn cal_at<'a>(cals: &'a [Calendar], path: &str) -> &'a Calendar {
        cals.iter().find(|c| c.path == path).unwrap()
    }

    #[test]
    fn every_calendar_parses_and_has_what_clients_need() {
        for site in [testing::fixture(), testing::demo()] {
            let ctx = site.ctx();
            let cals = calendars(&ctx);
            assert_eq!(cals.len(), ctx.graph.site.places.len());
            assert_eq!(cals[0].path, "calendar.ics");
            assert_eq!(cals[0].sessions, ctx.graph.upcoming);
            let mut nonempty = 0;
            for cal in &cals {
                let text = ics(&ctx, cal);
                check_ics(&site, cal, &text);
                nonempty += usize::from(!cal.sessions.is_empty());
            }
            assert!(nonempty > 0, "the sites announce sessions");
        }
    }

    #[test]
    fn a_timed_session_in_utc_without_an_invented_end() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let cals = calendars(&ctx);
        let cal = cal_at(&cals, "alpha/west/calendar.ics");
        assert_eq!(cal.title, "测试协商平台 · 甲镇 · 西村");
        let text = ics(&ctx, cal);
        check_ics(&site, cal, &text);
        assert_eq!(
            lines_of(&text, "UID"),
            ["UID:alpha/west/2026-waste-talk@example.org"]
        );
        // 19:00 in Shanghai is 11:00 UTC; no end written: no DTEND.
        assert_eq!(lines_of(&text, "DTSTART"), ["DTSTART:20261205T110000Z"]);
        assert!(lines_of(&text, "DTEND").is_empty(), "{text}");
        assert_eq!(lines_of(&text, "DTSTAMP"), ["DTSTAMP:20261128T000000Z"]);
        assert_eq!(
            lines_of(&text, "SUMMARY"),
            ["SUMMARY:民情恳谈：西村垃圾分类点设置"]
        );
        assert_eq!(lines_of(&text, "LOCATION"), ["LOCATION:西村文化礼堂"]);
        assert_eq!(
            lines_of(&text, "URL"),
            ["URL:https://example.org/xieshang/alpha/west/sessions/2026-waste-talk/"]
        );
        assert_eq!(
            lines_of(&text, "X-WR-CALNAME"),
            ["X-WR-CALNAME:测试协商平台 · 甲镇 · 西村"]
        );
        assert_eq!(lines_of(&text, "METHOD"), ["METHOD:PUBLISH"]);
        let parsed = parse(&text);
        let e = events(&parsed)[0];
        assert_eq!(
            e.get_description(),
            Some("欢迎村民参加。\n\nhttps://example.org/xieshang/alpha/west/sessions/2026-waste-talk/")
        );
        // The town's calendar has it too; the other town's does not.
        assert_eq!(cal_at(&cals, "alpha/calendar.ics").sessions, cal.sessions);
        assert!(cal_at(&cals, "beta/calendar.ics").sessions.is_empty());
    }

    #[test]
    fn an_empty_calendar_is_valid() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let cals = calendars(&ctx);
        let cal = cal_at(&cals, "beta/garden/calendar.ics");
        assert!(cal.sessions.is_empty());
        let text = ics(&ctx, cal);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.contains("VEVENT"));
        check_ics(&site, cal, &text);
    }

    #[test]
    fn written_end_and_all_day_sessions() {
        let session = "alpha/west/sessions/2026-waste-talk.md";
        let with_end = testing::edited_fixture(&[(
            session,
            "date: 2026-12-05 19:00",
            "date: 2026-12-05 19:00\nend: \"21:30\"",
        )]);
        let ctx = with_end.ctx();
        let text = ics(&ctx, &calendars(&ctx)[0]);
        assert_eq!(lines_of(&text, "DTEND"), ["DTEND:20261205T133000Z"]);

        let all_day =
            testing::edited_fixture(&[(session, "date: 2026-12-05 19:00", "date: 2026-12-05")]);
        let ctx = all_day.ctx();
        let cal = &calendars(&ctx)[0];
        let text = ics(&ctx, cal);
        check_ics(&all_day, cal, &text);
        assert_eq!(lines_of(&text, "DTSTART"), ["DTSTART;VALUE=DATE:20261205"]);
        assert_eq!(
            lines_of(&text, "DTEND"),
            ["DTEND;VALUE=DATE:20261206"],
            "exclusive end"
        );
    }

    #[test]
    fn long_chinese_lines_fold_on_characters_and_text_is_escaped() {
        let long = "村民代表会议在文化礼堂召开，讨论垃圾分类点设置; 议程,表决".repeat(8);
        let site = testing::edited_fixture(&[(
            "alpha/west/sessions/2026-waste-talk.md",
            "location: 西村文化礼堂",
            &format!("location: \"{long}\\\\备用\""),
        )]);
        let ctx = site.ctx();
        let cal = &calendars(&ctx)[0];
        let text = ics(&ctx, cal);
        let parsed = check_ics(&site, cal, &text);
        let location = lines_of(&text, "LOCATION").remove(0);
        assert!(location.len() > 300, "the line is folded: {location}");
        assert!(location.contains("\\,") && location.contains("\\;") && location.contains("\\\\"));
        // Unfolded and unescaped, the text is the clerk's.
        assert_eq!(
            events(&parsed)[0].get_location(),
            Some(format!("{long}\\备用").as_str())
        );
    }

    #[test]
    fn calendar_names_are_escaped_too() {
        let site = testing::edited_fixture(&[(
            "alpha/_place.yaml",
            "name: 甲镇",
            "name: \"甲;镇,\\\\\\nBEGIN:VEVENT\"",
        )]);
        let ctx = site.ctx();
        let all = calendars(&ctx);
        let cal = cal_at(&all, "alpha/calendar.ics");
        let text = ics(&ctx, cal);
        assert_eq!(
            lines_of(&text, "NAME"),
            ["NAME:测试协商平台 · 甲\\;镇\\,\\\\\\nBEGIN:VEVENT"]
        );
        assert_eq!(
            lines_of(&text, "X-WR-CALNAME")[0].strip_prefix("X-WR-CAL"),
            Some(lines_of(&text, "NAME")[0].as_str())
        );
        assert_eq!(text.matches("\r\nBEGIN:VEVENT\r\n").count(), 1, "{text}");
    }

    #[test]
    fn stray_control_characters_become_spaces() {
        let text = "BEGIN:VCALENDAR\r\nNAME:a\rb\u{1b}c\r\nEND:VCALENDAR\r\n".to_string();
        assert_eq!(
            printable(text),
            "BEGIN:VCALENDAR\r\nNAME:a b c\r\nEND:VCALENDAR\r\n"
        );
        let clean = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".to_string();
        assert_eq!(printable(clean.clone()), clean);
    }

    #[test]
    fn same_site_same_bytes() {
        let site = testing::fixture();
        let ctx = site.ctx();
        for cal in calendars(&ctx) {
            let a = ics(&ctx, &cal);
            assert_eq!(a, ics(&ctx, &cal));
            assert!(a.contains("DTSTAMP:20261128T000000Z") || cal.sessions.is_empty());
        }
    }
}
