//! Dates and times as clerks write them (`YYYY-MM-DD`, with an optional time
//! and offset), and the reference date for derived status.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// A session's start or end: its local day and time in the site's zone, and
/// the instant it denotes (for ordering and for "end before start").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Local date and time in the site's zone; midnight when no time given.
    pub local: NaiveDateTime,
    pub has_time: bool,
    /// The offset the clerk wrote (or the site zone's), used for a bare `end`.
    pub offset: FixedOffset,
}

impl Moment {
    pub fn day(&self) -> NaiveDate {
        self.local.date()
    }

    /// The absolute instant, for comparisons across offsets.
    pub fn instant(&self, tz: Tz) -> DateTime<FixedOffset> {
        let local = tz
            .from_local_datetime(&self.local)
            .earliest()
            .unwrap_or_else(|| tz.from_utc_datetime(&self.local));
        local.fixed_offset()
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(format!("`{s}` 不是 YYYY-MM-DD 格式的日期"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` 不是真实存在的日期"))
}

/// `HH:MM` or `HH:MM:SS`.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    let s = s.trim();
    let ok_shape = |n: usize| {
        s.len() == n
            && s.bytes().enumerate().all(|(i, c)| {
                if i % 3 == 2 {
                    c == b':'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    let fmt = if ok_shape(5) {
        "%H:%M"
    } else if ok_shape(8) {
        "%H:%M:%S"
    } else {
        return Err(format!("`{s}` 不是 HH:MM 格式的时间"));
    };
    NaiveTime::parse_from_str(s, fmt).map_err(|_| format!("`{s}` 不是有效的时间"))
}

/// A date, or a date with a time: `2026-07-15`, `2026-07-15 19:30[:00]`,
/// `2026-07-15T19:30[:00]`, optionally (T form only) with `Z` or `+08:00`.
pub fn parse_moment(s: &str, tz: Tz) -> Result<Moment, String> {
    let s = s.trim();
    let bad = || {
        format!("`{s}` 不是有效的日期或时间（写作 2026-07-15、2026-07-15 19:30 或 2026-07-15T19:30+08:00）")
    };
    if s.len() == 10 {
        let day = parse_date(s)?;
        let local = day.and_time(NaiveTime::MIN);
        return Ok(Moment {
            local,
            has_time: false,
            offset: zone_offset(tz, local),
        });
    }
    // The date and the separator are ASCII: a longer character there (a
    // Chinese one) is a wrong value, not a place to cut the text.
    if s.len() < 16 || !s.is_char_boundary(10) || !s.is_char_boundary(11) {
        return Err(bad());
    }
    let (day, sep, rest) = (&s[..10], &s[10..11], &s[11..]);
    let day = parse_date(day).map_err(|_| bad())?;
    match sep {
        " " => {
            let time = parse_time(rest).map_err(|_| bad())?;
            let local = day.and_time(time);
            Ok(Moment {
                local,
                has_time: true,
                offset: zone_offset(tz, local),
            })
        }
        "T" => {
            let split = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
            let time = parse_time(&rest[..split]).map_err(|_| bad())?;
            let naive = day.and_time(time);
            let offset_text = &rest[split..];
            if offset_text.is_empty() {
                return Ok(Moment {
                    local: naive,
                    has_time: true,
                    offset: zone_offset(tz, naive),
                });
            }
            let offset = parse_offset(offset_text).ok_or_else(bad)?;
            let instant = offset
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(bad)?;
            Ok(Moment {
                local: instant.with_timezone(&tz).naive_local(),
                has_time: true,
                offset,
            })
        }
        _ => Err(bad()),
    }
}

/// A session's `end`: a bare time on the start's day (in the start's
/// offset), or a full date-time.
pub fn parse_end(s: &str, start: &Moment, tz: Tz) -> Result<Moment, String> {
    if let Ok(time) = parse_time(s) {
        // The start's local day in the offset the clerk used.
        let start_instant = start.instant(tz);
        let day = start_instant.with_timezone(&start.offset).date_naive();
        let instant = start
            .offset
            .from_local_datetime(&day.and_time(time))
            .single()
            .ok_or_else(|| format!("`{s}` 不是有效的时间"))?;
        return Ok(Moment {
            local: instant.with_timezone(&tz).naive_local(),
            has_time: true,
            offset: start.offset,
        });
    }
    parse_moment(s, tz).map_err(|_| {
        format!(
            "`{}` 不是有效的结束时间（写作 21:30 或完整的 2026-07-16 12:00）",
            s.trim()
        )
    })
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn zone_offset(tz: Tz, local: NaiveDateTime) -> FixedOffset {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|d| d.fixed_offset().timezone())
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

/// The reference date for "overdue" and "upcoming": the `--as-of` date if
/// given, else the day of `SOURCE_DATE_EPOCH` if set (reproducible builds),
/// else today, each in the site's zone.
pub fn reference_date(as_of: Option<NaiveDate>, tz: Tz) -> Result<NaiveDate, String> {
    if let Some(d) = as_of {
        return Ok(d);
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH 的值 `{epoch}` 不是整数秒"))?;
        let utc = DateTime::from_timestamp(secs, 0)
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH 的值 `{epoch}` 超出范围"))?;
        return Ok(utc.with_timezone(&tz).date_naive());
    }
    Ok(chrono::Utc::now().with_timezone(&tz).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;
    const TZ: Tz = chrono_tz::Asia::Shanghai;

    // Found by the fuzz target `record` (fuzz/): a session date with a
    // Chinese character across byte 10 or 11 panicked.
    #[test]
    fn moments_with_wide_characters_are_refused_not_cut() {
        for s in [
            "2027-0三期会所二楼",
            "2027-07-1五 19:30",
            "2027-07-15三19:30",
            "2027-07-15 一九:三〇",
        ] {
            let e = parse_moment(s, TZ).unwrap_err();
            assert!(e.contains("不是有效的日期或时间"), "{s}: {e}");
        }
    }

    #[test]
    fn dates_must_be_real() {
        assert!(parse_date("2016-02-29").is_ok());
        assert!(parse_date("2015-02-29").is_err());
        assert!(parse_date("2016-2-9").is_err());
        assert!(parse_date("2016/02/09").is_err());
    }

    #[test]
    fn moment_forms() {
        let m = parse_moment("2026-07-15 19:30", TZ).unwrap();
        assert_eq!(m.local.to_string(), "2026-07-15 19:30:00");
        let m = parse_moment("2026-07-15T19:30:05", TZ).unwrap();
        assert_eq!(m.local.to_string(), "2026-07-15 19:30:05");
        assert!(!parse_moment("2026-07-15", TZ).unwrap().has_time);
        assert!(parse_moment("2026-07-15 19:30+08:00", TZ).is_err());
        assert!(parse_moment("2026-07-15 25:00", TZ).is_err());
    }

    #[test]
    fn offset_converts_to_site_zone_day() {
        // 20:00 UTC on the 15th is 04:00 on the 16th in Shanghai.
        let m = parse_moment("2026-07-15T20:00Z", TZ).unwrap();
        assert_eq!(m.day().to_string(), "2026-07-16");
        assert_eq!(m.local.to_string(), "2026-07-16 04:00:00");
    }

    #[test]
    fn bare_end_time_is_on_the_start_day() {
        let start = parse_moment("2026-07-15 19:30", TZ).unwrap();
        let end = parse_end("21:00", &start, TZ).unwrap();
        assert_eq!(end.local.to_string(), "2026-07-15 21:00:00");
        let early = parse_end("18:00", &start, TZ).unwrap();
        assert!(early.instant(TZ) < start.instant(TZ));
    }

    #[test]
    fn bare_end_uses_the_start_offset() {
        let start = parse_moment("2026-07-15T10:00+00:00", TZ).unwrap();
        let end = parse_end("12:00", &start, TZ).unwrap();
        assert_eq!(end.local.to_string(), "2026-07-15 20:00:00");
    }

    #[test]
    fn as_of_wins_over_epoch() {
        let d = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
        assert_eq!(reference_date(Some(d), TZ).unwrap(), d);
    }
}
