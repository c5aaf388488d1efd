//! Helpers shared by the feeds and the calendars.

use atom_syndication::FixedDateTime;
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::Ctx;

/// The host that mints the site's tag URIs (see `TAG_YEAR` in `feeds.rs`).
/// Only the host: entry ids stay the same when the site moves to another
/// path or port, or from http to https.
pub(super) fn id_host(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".into())
}

/// `local` (a time in the site's zone) as an instant with its offset.
pub(super) fn localize(tz: Tz, local: NaiveDateTime) -> FixedDateTime {
    tz.from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&local))
        .fixed_offset()
}

/// A top-level UI string, or `default` when the theme predates the key (a
/// theme copied into a site keeps the strings it was copied with).
pub(super) fn string_or<'a>(ctx: &Ctx<'a>, key: &str, default: &'a str) -> &'a str {
    ctx.strings
        .get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or(default)
}
