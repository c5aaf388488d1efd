//! How values look on a page: dates, times, amounts, places, statuses,
//! pagination and breadcrumbs, in the site's language.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::context::{
    DateValue, Link, Moment, MoneyTotals, PageNumber, Pagination, PlaceLink, SlugLabel,
    StatusCount, StatusCounts,
};
use super::Renderer;
use crate::route::{self, Route};

/// Money in yuan for people, exactly as written (to the fen): in Chinese
/// `12.5万元` or `3.2亿元` only where that is the same amount (a whole
/// number of hundreds, or of millions, of yuan), else `12,345.67元` with
/// the digits grouped; in English `CNY 12,500.50`.
pub fn format_amount(yuan: f64, language: &str) -> String {
    // The amount in fen, exactly (`amount` has at most two decimals).
    let fen = (yuan * 100.0).round() as u64;
    let grouped = |whole: u64| {
        let digits = whole.to_string();
        let mut out = String::new();
        for (k, c) in digits.chars().enumerate() {
            if k > 0 && (digits.len() - k) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    // `n / 10^places` without trailing zeros.
    let scaled = |n: u64, places: u32| {
        let unit = 10u64.pow(places);
        let (whole, frac) = (n / unit, n % unit);
        if frac == 0 {
            whole.to_string()
        } else {
            let f = format!("{frac:0width$}", width = places as usize);
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    };
    let (whole, cents) = (fen / 100, fen % 100);
    let exact = if cents == 0 {
        grouped(whole)
    } else {
        format!("{}.{cents:02}", grouped(whole))
    };
    if language.starts_with("zh") {
        // 万元 with at most two decimals: whole hundreds of yuan; 亿元 the
        // same for whole millions.
        if whole >= 100_000_000 && fen % 100_000_000 == 0 {
            format!("{}亿元", scaled(fen / 100_000_000, 2))
        } else if whole >= 10_000 && fen % 10_000 == 0 {
            format!("{}万元", scaled(fen / 10_000, 2))
        } else {
            format!("{exact}元")
        }
    } else {
        format!("CNY {exact}")
    }
}

impl Renderer<'_> {
    pub(super) fn s<'a>(&'a self, key: &'a str) -> &'a str {
        self.t.get(key).and_then(Value::as_str).unwrap_or(key)
    }

    pub(super) fn sub(&self, table: &str, key: &str) -> String {
        self.t
            .get(table)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string()
    }

    pub(super) fn date_text(&self, d: NaiveDate) -> String {
        if self.config.language.starts_with("zh") {
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        } else {
            d.format("%-d %b %Y").to_string()
        }
    }

    pub(super) fn date_value(&self, d: NaiveDate) -> DateValue {
        DateValue {
            iso: d.to_string(),
            text: self.date_text(d),
        }
    }

    pub(super) fn moment_value(&self, m: &crate::date::Moment) -> Moment {
        let day = m.day();
        let (iso, text) = if m.has_time {
            (
                m.local.format("%Y-%m-%dT%H:%M").to_string(),
                format!("{} {}", self.date_text(day), m.local.format("%H:%M")),
            )
        } else {
            (day.to_string(), self.date_text(day))
        };
        Moment {
            iso,
            text,
            time: m.has_time.then(|| m.local.format("%H:%M").to_string()),
        }
    }

    pub(super) fn amount_text(&self, yuan: f64) -> String {
        format_amount(yuan, &self.config.language)
    }

    pub(super) fn place_name_path(&self, p: usize) -> String {
        // "社渚镇 · 南山村": the place and its town, for cards.
        let places = &self.graph.site.places;
        let place = &places[p];
        match place.parent {
            Some(parent) if places[parent].depth() >= 1 => {
                format!("{} · {}", places[parent].name, place.name)
            }
            _ => place.name.clone(),
        }
    }

    pub(super) fn place_link(&self, p: usize) -> PlaceLink {
        let place = &self.graph.site.places[p];
        PlaceLink {
            name: place.name.clone(),
            full_name: self.place_name_path(p),
            url: self.urls.route(&route::of_place(place)),
            kind: place.kind.map(|k| k.slug()),
            kind_label: place.kind.map(|k| self.sub("place_kind", k.slug())),
        }
    }

    pub(super) fn record_url(&self, i: usize) -> String {
        let r = &self.graph.site.records[i];
        self.urls
            .route(&Route::Record(&self.graph.site.places[r.place], r))
    }

    /// Record `i`'s status: a topic's (none for other records).
    pub(super) fn status_value(&self, i: usize) -> Option<SlugLabel> {
        self.graph.status[i].map(|s| SlugLabel {
            slug: s.slug().to_string(),
            label: self.sub("status", s.slug()),
        })
    }

    pub(super) fn status_counts(&self, list: &[usize]) -> StatusCounts {
        StatusCounts {
            statuses: self
                .graph
                .status_counts(list)
                .into_iter()
                .map(|(s, count)| StatusCount {
                    slug: s.slug().to_string(),
                    label: self.sub("status", s.slug()),
                    count,
                })
                .collect(),
            overdue: self.graph.overdue_count(list),
            topics: list
                .iter()
                .filter(|&&i| self.graph.status[i].is_some())
                .count(),
            money: self.money_totals(list),
        }
    }

    /// The sums of `amount` over the topics of `list` (in fen, so nothing
    /// is lost to rounding): their own, and their outcomes' where the
    /// outcome counts by the reference date.
    pub(super) fn money_totals(&self, list: &[usize]) -> MoneyTotals {
        let g = self.graph;
        let fen = |yuan: f64| (yuan * 100.0).round() as u64;
        let (mut stake, mut stake_n, mut approved, mut approved_n) = (0u64, 0, 0u64, 0);
        for &i in list {
            let Some(t) = g.site.records[i].topic() else {
                continue;
            };
            if let Some(a) = t.amount {
                stake += fen(a);
                stake_n += 1;
            }
            let outcome = g.outcome_of[i]
                .and_then(|o| g.site.records[o].outcome())
                .filter(|o| g.counts(o.decided));
            if let Some(a) = outcome.and_then(|o| o.amount) {
                approved += fen(a);
                approved_n += 1;
            }
        }
        let shown = |n: usize, total: u64| (n > 0).then(|| self.amount_text(total as f64 / 100.0));
        MoneyTotals {
            at_stake: shown(stake_n, stake),
            at_stake_topics: stake_n,
            approved: shown(approved_n, approved),
            approved_topics: approved_n,
        }
    }

    /// Pagination of a list at `base` (output path), page `n`.
    pub(super) fn pagination(
        &self,
        base: &str,
        n: usize,
        total: usize,
    ) -> (std::ops::Range<usize>, Pagination) {
        let size = self.config.page_size;
        let pages = total.div_ceil(size).max(1);
        let start = (n - 1) * size;
        let range = start..(start + size).min(total);
        let link = |k: usize| self.urls.link(&route::paged(base, k));
        let value = Pagination {
            current: n,
            total_pages: pages,
            total_items: total,
            prev_url: (n > 1).then(|| link(n - 1)),
            next_url: (n < pages).then(|| link(n + 1)),
            first_url: link(1),
            last_url: link(pages),
            pages: page_numbers(n, pages)
                .into_iter()
                .map(|k| match k {
                    Some(k) => PageNumber::Page {
                        number: k,
                        url: link(k),
                        current: k == n,
                    },
                    None => PageNumber::Gap { gap: true },
                })
                .collect(),
        };
        (range, value)
    }

    pub(super) fn breadcrumbs_place(&self, p: usize, include_self: bool) -> Vec<Link> {
        let places = &self.graph.site.places;
        let mut chain = Vec::new();
        let mut cur = if include_self {
            Some(p)
        } else {
            places[p].parent
        };
        while let Some(c) = cur {
            if c != 0 {
                chain.push(Link {
                    name: places[c].name.clone(),
                    url: self.urls.route(&route::of_place(&places[c])),
                });
            }
            cur = places[c].parent;
        }
        chain.reverse();
        chain
    }
}

/// Pages on either side of the current one that numbered pagination shows.
const PAGE_WINDOW: usize = 2;

/// The page numbers a list of `pages` pages shows on page `n`: the first,
/// the last and a window around `n`; `None` stands for the pages left out
/// (an ellipsis). A gap of one page shows that page instead.
pub(super) fn page_numbers(n: usize, pages: usize) -> Vec<Option<usize>> {
    let lo = n.saturating_sub(PAGE_WINDOW).max(1);
    let hi = (n + PAGE_WINDOW).min(pages);
    let mut out = Vec::new();
    let push_run = |from: usize, to: usize, out: &mut Vec<Option<usize>>| {
        out.extend((from..=to).map(Some));
    };
    // Start: page 1, then a gap unless it would hide a single page.
    if lo > 1 {
        out.push(Some(1));
        if lo > 3 {
            out.push(None);
        } else {
            push_run(2, lo - 1, &mut out);
        }
    }
    push_run(lo, hi, &mut out);
    if hi < pages {
        if hi + 2 < pages {
            out.push(None);
        } else {
            push_run(hi + 1, pages - 1, &mut out);
        }
        out.push(Some(pages));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_window() {
        let show = |n, pages| -> String {
            page_numbers(n, pages)
                .iter()
                .map(|k| k.map_or("…".to_string(), |k| k.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(show(1, 1), "1");
        assert_eq!(show(6, 52), "1 … 4 5 6 7 8 … 52");
        assert_eq!(show(1, 52), "1 2 3 … 52");
        assert_eq!(show(52, 52), "1 … 50 51 52");
        assert_eq!(show(4, 9), "1 2 3 4 5 6 … 9");
        assert_eq!(show(5, 7), "1 2 3 4 5 6 7");
        assert_eq!(show(3, 3), "1 2 3");
    }

    #[test]
    pub(super) fn amounts_for_people() {
        assert_eq!(format_amount(125000.0, "zh-CN"), "12.5万元");
        assert_eq!(format_amount(860.0, "zh-CN"), "860元");
        assert_eq!(format_amount(320000000.0, "zh-CN"), "3.2亿元");
        // Exactly as written: no rounding into 万元.
        assert_eq!(format_amount(12345.67, "zh-CN"), "12,345.67元");
        assert_eq!(format_amount(1580000.0, "zh-CN"), "158万元");
        assert_eq!(format_amount(30500.0, "zh-CN"), "3.05万元");
        assert_eq!(format_amount(123456789.0, "zh-CN"), "123,456,789元");
        assert_eq!(format_amount(250000000.0, "zh-CN"), "2.5亿元");
        assert_eq!(format_amount(0.5, "zh-CN"), "0.50元");
        assert_eq!(format_amount(12500.5, "en"), "CNY 12,500.50");
        assert_eq!(format_amount(1234567.0, "en"), "CNY 1,234,567");
    }
}
