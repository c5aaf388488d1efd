//! `topics.csv`, `sessions.csv`, `outcomes.csv`: the columns of each kind
//! and the writer of their rows (see [`super`] for the format).

use std::fmt::{Display, Write as _};
use std::io::{self, Write};

use super::values::{Env, Iso, PlaceId, RecordUrl, Tail, Yuan};
use super::{DataSet, Followers, CSV_SEPARATOR};
use crate::model::{RecordBody, RecordKind, Tally, Vote};
use crate::publish::Ctx;

/// Column keys per kind, between the shared leading and trailing columns.
const LEADING: [&str; 5] = ["id", "url", "place_id", "place", "title"];
const TRAILING: [&str; 2] = ["tags", "summary"];
const TOPIC_COLUMNS: [&str; 13] = [
    "type",
    "status",
    "overdue",
    "proposed",
    "proposer",
    "notice",
    "notice_until",
    "withdrawn",
    "amount",
    "villages",
    "related",
    "sessions",
    "outcome",
];
const SESSION_COLUMNS: [&str; 11] = [
    "topics",
    "topic_titles",
    "date",
    "end",
    "upcoming",
    "form",
    "location",
    "participants",
    "attendance",
    "votes",
    "attachments",
];
const OUTCOME_COLUMNS: [&str; 11] = [
    "topic",
    "topic_title",
    "sessions",
    "decided",
    "result",
    "responsible",
    "deadline",
    "overdue",
    "amount",
    "latest_state",
    "progress",
];

/// The column keys of a kind's CSV file, in order.
pub fn csv_columns(kind: RecordKind) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        RecordKind::Topic => &TOPIC_COLUMNS,
        RecordKind::Session => &SESSION_COLUMNS,
        RecordKind::Outcome => &OUTCOME_COLUMNS,
    };
    LEADING
        .iter()
        .chain(own)
        .chain(TRAILING.iter())
        .copied()
        .collect()
}

/// Builds one row's cells into reused buffers: no allocation per record
/// once the buffers have grown.
struct Row {
    cells: Vec<String>,
    used: usize,
}

impl Row {
    fn new() -> Row {
        Row {
            cells: Vec::new(),
            used: 0,
        }
    }

    fn clear(&mut self) {
        self.used = 0;
    }

    /// A fresh empty cell to write into.
    fn cell(&mut self) -> &mut String {
        if self.used == self.cells.len() {
            self.cells.push(String::new());
        }
        let c = &mut self.cells[self.used];
        c.clear();
        self.used += 1;
        c
    }

    fn text(&mut self, s: &str) {
        self.cell().push_str(s);
    }

    fn display(&mut self, v: impl Display) {
        let c = self.cell();
        let _ = write!(c, "{v}");
    }

    fn opt(&mut self, v: Option<impl Display>) {
        let c = self.cell();
        if let Some(v) = v {
            let _ = write!(c, "{v}");
        }
    }

    /// Several values in one cell, joined with [`CSV_SEPARATOR`].
    fn joined<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut each: impl FnMut(&mut String, T),
    ) {
        let c = self.cell();
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                c.push_str(CSV_SEPARATOR);
            }
            each(c, item);
        }
    }

    /// The row's cells, each made safe to open in a spreadsheet (see
    /// [`neutralise_formula`]).
    fn cells(&mut self) -> &[String] {
        for cell in &mut self.cells[..self.used] {
            neutralise_formula(cell);
        }
        &self.cells[..self.used]
    }
}

/// Characters that make Excel, WPS or LibreOffice read a cell as a formula
/// (OWASP's list: `=`, `+`, `-`, `@`, tab, carriage return), and their
/// full-width forms, which an input method may turn into the same.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// CSV injection: a cell that starts like a formula gets a leading `'`, so
/// a spreadsheet shows it as text instead of evaluating it (OWASP's advice
/// for CSV exports). The JSON keeps the value as written; the data page and
/// the schema say so.
pub fn neutralise_formula(cell: &mut String) {
    if cell.starts_with(FORMULA_STARTS) {
        cell.insert(0, '\'');
    }
}

/// Writes `topics.csv`, `sessions.csv` or `outcomes.csv` of `set` to `w`:
/// a byte-order mark, the header row, then one row per record of `kind`,
/// newest first.
pub fn write_csv(
    ctx: &Ctx,
    set: &DataSet,
    kind: RecordKind,
    followers: &mut Followers,
    w: &mut dyn Write,
) -> io::Result<()> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    w.write_all(BOM)?;
    // With followers, each row is flushed through `Tee` as it is written and
    // its bytes (in `row_bytes`) handed to them too.
    let row_bytes = std::cell::RefCell::new(Vec::new());
    let tee = Tee {
        w,
        copy: (!followers.is_empty()).then_some(&row_bytes),
    };
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(tee);
    let columns = csv_columns(kind);
    out.write_record(columns.iter().map(|k| ctx.label("data_columns", k)))?;
    if !followers.is_empty() {
        out.flush()?;
        let head = std::mem::take(&mut *row_bytes.borrow_mut());
        followers.heads(|_, bytes| {
            bytes.extend_from_slice(BOM);
            bytes.extend_from_slice(&head);
            Ok(())
        })?;
    }

    let base = ctx.urls.absolute("");
    let env = Env {
        ctx,
        base: &base,
        bodies: false,
    };
    let g = ctx.graph;
    let v = &ctx.config.vocabularies;
    let tz = ctx.config.timezone;
    let yes = ctx.string("data_yes");
    let no = ctx.string("data_no");
    let flag = |b: bool| if b { yes } else { no };
    let mut row = Row::new();
    for &i in &set.records {
        let r = env.record(i);
        if r.kind != kind {
            continue;
        }
        row.clear();
        row.text(&r.id);
        row.display(env.url(i));
        row.display(PlaceId(env.place(r.place)));
        row.text(&ctx.place_full_name(r.place));
        row.text(&r.title);
        match &r.data {
            RecordBody::Topic(t) => {
                row.text(&v.topic_types.get(t.topic_type).name);
                row.text(g.status[i].map_or("", |s| ctx.label("status", s.slug())));
                row.text(flag(g.overdue[i]));
                row.display(t.proposed);
                row.opt(t.proposer.as_deref());
                row.opt(t.notice);
                row.opt(t.notice_until);
                row.opt(t.withdrawn);
                row.opt(t.amount.map(Yuan));
                row.joined(&t.villages, |c, &p| c.push_str(&env.place(p).name));
                row.joined(&t.related, |c, &j| c.push_str(&env.record(j).id));
                row.joined(&g.sessions_of[i], |c, &j| c.push_str(&env.record(j).id));
                row.opt(g.outcome_of[i].map(|o| &env.record(o).id));
            }
            RecordBody::Session(s) => {
                row.joined(&s.topics, |c, &j| c.push_str(&env.record(j).id));
                row.joined(&s.topics, |c, &j| c.push_str(&env.record(j).title));
                row.display(Iso {
                    moment: &s.date,
                    tz,
                });
                row.opt(s.end.as_ref().map(|e| Iso { moment: e, tz }));
                row.text(flag(g.is_upcoming[i]));
                row.text(&v.session_forms.get(s.form).name);
                row.opt(s.location.as_deref());
                row.joined(&s.participants, |c, &(grp, n)| {
                    let _ = write!(c, "{} {n}", v.participant_groups.get(grp).name);
                });
                row.opt(s.attendance);
                let tally_text = |c: &mut String, t: &Tally| {
                    let parts = [
                        ("vote_for", t.yes),
                        ("vote_against", t.against),
                        ("vote_abstain", t.abstain),
                    ];
                    let mut first = true;
                    for (key, n) in parts {
                        if let Some(n) = n {
                            if !first {
                                c.push('，');
                            }
                            first = false;
                            let _ = write!(c, "{} {n}", ctx.string(key));
                        }
                    }
                };
                match &s.vote {
                    None => row.text(""),
                    Some(Vote::Single(t)) => tally_text(row.cell(), t),
                    Some(Vote::PerTopic(list)) => row.joined(list, |c, (reference, topic, t)| {
                        match topic {
                            Some(j) => c.push_str(&env.record(*j).id),
                            None => c.push_str(&reference.text),
                        }
                        c.push('：');
                        tally_text(c, t);
                    }),
                }
                row.joined(&s.attachments, |c, a| {
                    let _ = write!(
                        c,
                        "{}",
                        RecordUrl {
                            base: env.base,
                            place: env.place(r.place),
                            kind: r.kind,
                            tail: Tail::File(a),
                        }
                    );
                });
            }
            RecordBody::Outcome(o) => {
                row.opt(o.topic.map(|t| &env.record(t).id));
                row.opt(o.topic.map(|t| &env.record(t).title));
                row.joined(&o.sessions, |c, &j| c.push_str(&env.record(j).id));
                row.display(o.decided);
                row.text(&v.results.get(o.result).name);
                row.opt(o.responsible.as_deref());
                row.opt(o.deadline);
                row.text(flag(o.topic.is_some_and(|t| g.overdue[t])));
                row.opt(o.amount.map(Yuan));
                // The latest state as of the reference date.
                row.opt(
                    o.progress
                        .iter()
                        .rfind(|p| g.counts(p.date))
                        .map(|p| &v.progress_states.get(p.state).name),
                );
                row.joined(&o.progress, |c, p| {
                    let _ = write!(c, "{} {}", p.date, v.progress_states.get(p.state).name);
                    if let Some(note) = &p.note {
                        c.push('：');
                        c.push_str(note);
                    }
                });
            }
        }
        row.joined(&r.tags, |c, t| c.push_str(t));
        row.text(&r.plain_summary);
        out.write_record(row.cells())?;
        if !followers.is_empty() {
            out.flush()?;
            let mut bytes = row_bytes.borrow_mut();
            followers.record(i, &bytes, |_| b"");
            bytes.clear();
        }
    }
    out.flush()?;
    Ok(())
}

/// Passes writes on to `w`, and copies them into `copy` when set. Its
/// `flush` does not flush `w` (the CSV writer flushes after every row when
/// rows are copied; the caller flushes the file once).
struct Tee<'a, 'w> {
    w: &'a mut (dyn Write + 'w),
    copy: Option<&'a std::cell::RefCell<Vec<u8>>>,
}

impl Write for Tee<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write_all(buf)?;
        if let Some(copy) = self.copy {
            copy.borrow_mut().extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_a_quote_and_nothing_else_changes() {
        for (input, want) in [
            (
                "=HYPERLINK(\"http://evil.example/\",\"点此\")",
                "'=HYPERLINK(\"http://evil.example/\",\"点此\")",
            ),
            ("+86 100", "'+86 100"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("＝1+1", "'＝1+1"),
            ("村口道路 = 拓宽", "村口道路 = 拓宽"),
            ("2026-07-15", "2026-07-15"),
            ("", ""),
        ] {
            let mut cell = input.to_string();
            neutralise_formula(&mut cell);
            assert_eq!(cell, want, "{input:?}");
        }
    }

    #[test]
    fn csv_columns_are_shared_then_own() {
        let t = csv_columns(RecordKind::Topic);
        assert_eq!(&t[..5], &LEADING);
        assert_eq!(t.last(), Some(&"summary"));
        assert!(t.contains(&"status"));
        let mut seen = std::collections::HashSet::new();
        for kind in RecordKind::ALL {
            seen.clear();
            for c in csv_columns(kind) {
                assert!(seen.insert(c), "{c} repeated in {kind:?}");
            }
        }
    }
}
