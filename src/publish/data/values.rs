//! The values both formats write: what a file's views borrow ([`Env`]),
//! absolute URLs of records and attachments, session times, amounts and
//! place ids, each written without allocating.

use std::fmt::{self, Display, Write as _};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Serialize, Serializer};

use crate::date::Moment;
use crate::model::{Place, Record, RecordKind};
use crate::publish::Ctx;

/// What every serialised view borrows: the context plus what is computed
/// once per file (the absolute base URL).
#[derive(Clone, Copy)]
pub(super) struct Env<'a> {
    pub(super) ctx: &'a Ctx<'a>,
    pub(super) base: &'a str,
    /// Whether records carry their body: only in the whole site's file, so
    /// that the bodies are published once, not again in every place's file.
    pub(super) bodies: bool,
}

impl<'a> Env<'a> {
    pub(super) fn record(&self, i: usize) -> &'a Record {
        &self.ctx.graph.site.records[i]
    }

    pub(super) fn place(&self, p: usize) -> &'a Place {
        &self.ctx.graph.site.places[p]
    }

    pub(super) fn url(&self, i: usize) -> RecordUrl<'a> {
        let r = self.record(i);
        RecordUrl {
            base: self.base,
            place: self.place(r.place),
            kind: r.kind,
            tail: Tail::Page(&r.slug),
        }
    }
}

/// Characters escaped in an attachment's path segment: everything but the
/// unreserved characters and the sub-delimiters allowed in a path.
pub(crate) const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

pub(super) enum Tail<'a> {
    /// The record page: `<slug>/`.
    Page(&'a str),
    /// An attachment, relative to the kind's folder: `files/<name>`.
    File(&'a str),
}

/// An absolute URL under the site's base, written without allocating.
pub(super) struct RecordUrl<'a> {
    pub(super) base: &'a str,
    pub(super) place: &'a Place,
    pub(super) kind: RecordKind,
    pub(super) tail: Tail<'a>,
}

impl Display for RecordUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base)?;
        for seg in &self.place.path {
            f.write_str(seg)?;
            f.write_char('/')?;
        }
        f.write_str(self.kind.dir())?;
        f.write_char('/')?;
        match self.tail {
            Tail::Page(slug) => {
                f.write_str(slug)?;
                f.write_char('/')
            }
            Tail::File(path) => {
                for (n, seg) in path.split('/').enumerate() {
                    if n > 0 {
                        f.write_char('/')?;
                    }
                    Display::fmt(&utf8_percent_encode(seg, SEGMENT), f)?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for RecordUrl<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A session's start or end: `2026-07-15` without a time, else the instant
/// in the site's time zone with its offset, `2026-07-15T19:30:00+08:00`.
pub(super) struct Iso<'a> {
    pub(super) moment: &'a Moment,
    pub(super) tz: chrono_tz::Tz,
}

impl Display for Iso<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.moment.has_time {
            let at = self.moment.instant(self.tz);
            Display::fmt(&at.format("%Y-%m-%dT%H:%M:%S%:z"), f)
        } else {
            Display::fmt(&self.moment.day(), f)
        }
    }
}

impl Serialize for Iso<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An amount in yuan: a whole number when it is one (`1250000`, not
/// `1250000.0`), else the shortest decimal (`12.5`).
#[derive(Clone, Copy)]
pub(super) struct Yuan(pub(super) f64);

impl Yuan {
    fn whole(self) -> Option<u64> {
        let a = self.0;
        (a.is_finite() && a >= 0.0 && a.fract() == 0.0 && a < 9.0e15).then_some(a as u64)
    }
}

impl Serialize for Yuan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(n) => s.serialize_u64(n),
            None => s.serialize_f64(self.0),
        }
    }
}

impl Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}", self.0),
        }
    }
}

/// `shezhu/nanshan`, written without joining.
pub(super) struct PlaceId<'a>(pub(super) &'a Place);

impl Display for PlaceId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, seg) in self.0.path.iter().enumerate() {
            if n > 0 {
                f.write_char('/')?;
            }
            f.write_str(seg)?;
        }
        Ok(())
    }
}

impl Serialize for PlaceId<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_numbers_when_they_can_be() {
        assert_eq!(
            serde_json::to_string(&Yuan(1_250_000.0)).unwrap(),
            "1250000"
        );
        assert_eq!(serde_json::to_string(&Yuan(12.5)).unwrap(), "12.5");
        assert_eq!(serde_json::to_string(&Yuan(0.07)).unwrap(), "0.07");
        assert_eq!(Yuan(3.0).to_string(), "3");
        assert_eq!(Yuan(1234.56).to_string(), "1234.56");
    }

    fn place(path: &[&str]) -> Place {
        Place {
            path: path.iter().map(|s| s.to_string()).collect(),
            name: "南山村".into(),
            kind: None,
            summary: None,
            population: None,
            households: None,
            order: None,
            code: None,
            parent: None,
            children: Vec::new(),
            file: String::new(),
        }
    }

    #[test]
    fn record_and_attachment_urls() {
        let p = place(&["shezhu", "nanshan"]);
        let url = |tail| {
            RecordUrl {
                base: "https://e.org/x/",
                place: &p,
                kind: RecordKind::Session,
                tail,
            }
            .to_string()
        };
        assert_eq!(
            url(Tail::Page("2016-road")),
            "https://e.org/x/shezhu/nanshan/sessions/2016-road/"
        );
        assert_eq!(
            url(Tail::File("files/会议 纪要#1.pdf")),
            "https://e.org/x/shezhu/nanshan/sessions/files/%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81%231.pdf"
        );
        let top = place(&[]);
        assert_eq!(PlaceId(&top).to_string(), "");
        assert_eq!(PlaceId(&p).to_string(), "shezhu/nanshan");
    }

    #[test]
    fn moments_carry_the_site_offset_when_timed() {
        let tz = chrono_tz::Asia::Shanghai;
        let iso = |s: &str| {
            let m = crate::date::parse_moment(s, tz).unwrap();
            Iso { moment: &m, tz }.to_string()
        };
        assert_eq!(iso("2026-07-15"), "2026-07-15");
        assert_eq!(iso("2026-07-15 19:30"), "2026-07-15T19:30:00+08:00");
        // Written in UTC: shown in the site's zone, on its local day.
        assert_eq!(iso("2026-07-15T20:00Z"), "2026-07-16T04:00:00+08:00");
    }
}
