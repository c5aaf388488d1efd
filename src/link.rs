//! Stage 3: the site graph. Derived status, the chain of each topic, and
//! every index (per place, topic type, year, session form), each built in
//! one pass over the records and sorted once.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use crate::model::*;
use crate::vocab::Vocabularies;

/// The linked site: the validated [`Site`] plus everything derived from it.
#[derive(Debug, Clone)]
pub struct Graph {
    pub site: Site,
    /// The reference date for overdue and upcoming.
    pub as_of: NaiveDate,
    /// Per record: the derived status (topics only).
    pub status: Vec<Option<TopicStatus>>,
    /// Per record: overdue flag (topics only).
    pub overdue: Vec<bool>,
    /// Per record: an outcome decided after the reference date. It is
    /// published, marked, and does not count yet (see [`Graph::counts`]).
    pub later: Vec<bool>,
    /// Per topic record: its outcome.
    pub outcome_of: Vec<Option<usize>>,
    /// Per topic record: its sessions, oldest first.
    pub sessions_of: Vec<Vec<usize>>,
    /// Sessions dated on or after the reference date, soonest first.
    pub upcoming: Vec<usize>,
    /// Per record: whether it is an upcoming session (dated on or after the
    /// reference date). Every page, feed and data file asks this, not the
    /// date.
    pub is_upcoming: Vec<bool>,
    /// Per place: the upcoming sessions of its index, soonest first.
    pub upcoming_by_place: Vec<Vec<usize>>,
    /// Every record, newest first.
    pub latest: Vec<usize>,
    /// Per place: the records of its index, newest first.
    pub by_place: Vec<Vec<usize>>,
    /// Per topic type (vocabulary index): its topics, newest first.
    pub by_type: Vec<Vec<usize>>,
    /// Per year: the records dated in it, newest first.
    pub by_year: BTreeMap<i32, Vec<usize>>,
    /// Per session form (vocabulary index): its sessions, newest first.
    pub by_form: Vec<Vec<usize>>,
}

/// One step of a topic's chain (see [`Graph::chain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Proposed,
    Notice,
    /// A session that discussed the topic (record index).
    Session(usize),
    /// The outcome (record index).
    Outcome(usize),
    /// Progress report `k` of the outcome (record index).
    Progress(usize, usize),
    /// The outcome's deadline, passed with the matter not done.
    DeadlineMissed(NaiveDate),
    Withdrawn(NaiveDate),
}

/// The instant used to order records: a session's start, else its day.
pub fn sort_moment(r: &Record) -> NaiveDateTime {
    match &r.data {
        RecordBody::Session(s) => s.date.local,
        _ => r.date().and_time(chrono::NaiveTime::MIN),
    }
}

/// Sort record indexes newest first (ties by id, for stable output).
fn newest_first(site: &Site, list: &mut [usize]) {
    list.sort_by(|&a, &b| {
        let (ra, rb) = (&site.records[a], &site.records[b]);
        sort_moment(rb)
            .cmp(&sort_moment(ra))
            .then_with(|| ra.id.cmp(&rb.id))
    });
}

impl Graph {
    pub fn link(site: Site, vocab: &Vocabularies, as_of: NaiveDate) -> Graph {
        let n = site.records.len();
        let mut outcome_of = vec![None; n];
        let mut sessions_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, r) in site.records.iter().enumerate() {
            match &r.data {
                RecordBody::Session(s) => {
                    for &t in &s.topics {
                        sessions_of[t].push(i);
                    }
                }
                RecordBody::Outcome(o) => {
                    if let Some(t) = o.topic {
                        outcome_of[t] = Some(i);
                    }
                }
                RecordBody::Topic(_) => {}
            }
        }
        sessions_of.par_iter_mut().for_each(|list| {
            list.sort_by_key(|&s| (sort_moment(&site.records[s]), s));
        });

        let (status, overdue): (Vec<_>, Vec<_>) = site
            .records
            .par_iter()
            .enumerate()
            .map(|(i, r)| match r.topic() {
                Some(t) => {
                    // Only an outcome decided by the reference date counts.
                    let outcome = outcome_of[i]
                        .and_then(|o| site.records[o].outcome())
                        .filter(|o| o.decided <= as_of);
                    let st = derive_status(t, outcome, &sessions_of[i], &site, vocab, as_of);
                    let late = st != TopicStatus::Withdrawn
                        && st != TopicStatus::Done
                        && outcome.and_then(|o| o.deadline).is_some_and(|d| d < as_of);
                    (Some(st), late)
                }
                None => (None, false),
            })
            .unzip();

        let later: Vec<bool> = site
            .records
            .iter()
            .map(|r| r.outcome().is_some_and(|o| o.decided > as_of))
            .collect();

        let is_upcoming: Vec<bool> = site
            .records
            .iter()
            .map(|r| r.session().is_some_and(|s| s.date.day() >= as_of))
            .collect();
        let mut upcoming: Vec<usize> = (0..n).filter(|&i| is_upcoming[i]).collect();
        upcoming.sort_by_key(|&i| (sort_moment(&site.records[i]), i));

        let mut latest: Vec<usize> = (0..n).collect();
        newest_first(&site, &mut latest);

        // Every index is filled in `latest` order, so it is sorted already.
        let mut by_place: Vec<Vec<usize>> = vec![Vec::new(); site.places.len()];
        let mut by_type: Vec<Vec<usize>> = vec![Vec::new(); vocab.topic_types.terms.len()];
        let mut by_form: Vec<Vec<usize>> = vec![Vec::new(); vocab.session_forms.terms.len()];
        let mut by_year: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        use chrono::Datelike;
        for &i in &latest {
            let r = &site.records[i];
            let mut p = Some(r.place);
            while let Some(pi) = p {
                by_place[pi].push(i);
                p = site.places[pi].parent;
            }
            match &r.data {
                RecordBody::Topic(t) => {
                    by_type[t.topic_type].push(i);
                    for &v in &t.villages {
                        if by_place[v].last() != Some(&i) {
                            by_place[v].push(i);
                        }
                    }
                }
                RecordBody::Session(s) => by_form[s.form].push(i),
                RecordBody::Outcome(_) => {}
            }
            by_year.entry(r.date().year()).or_default().push(i);
        }

        let mut upcoming_by_place: Vec<Vec<usize>> = vec![Vec::new(); site.places.len()];
        for &i in &upcoming {
            let mut p = Some(site.records[i].place);
            while let Some(pi) = p {
                upcoming_by_place[pi].push(i);
                p = site.places[pi].parent;
            }
        }

        Graph {
            site,
            upcoming_by_place,
            as_of,
            status,
            overdue,
            later,
            outcome_of,
            sessions_of,
            upcoming,
            is_upcoming,
            latest,
            by_place,
            by_type,
            by_year,
            by_form,
        }
    }

    /// The steps of topic `i`'s chain, in the order its page shows them
    /// (the contract's "A topic page shows its whole chain"): by day; on one
    /// day proposal, notice, sessions, outcome, progress, missed deadline,
    /// withdrawal, whatever time a meeting carries (a meeting comes before
    /// the outcome it produced); sessions on one day by start time; equal
    /// steps in the order of the records (progress as filed).
    /// Whether something dated `d` counts in a status: it happened by the
    /// reference date. Later outcomes, progress reports and withdrawals are
    /// published, marked, and wait for their day.
    pub fn counts(&self, d: NaiveDate) -> bool {
        d <= self.as_of
    }

    /// Warnings about records dated after the reference date: they are
    /// published but do not count in any status yet (the content model's
    /// "state as of the reference date").
    pub fn later_warnings(&self) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::Diagnostic;
        let as_of = self.as_of;
        let hint = "若日期写错了，请改正；若确实是以后的日期，到那天重新生成即可";
        let mut out = Vec::new();
        for r in &self.site.records {
            match &r.data {
                RecordBody::Outcome(o) => {
                    if o.decided > as_of {
                        out.push(
                            Diagnostic::warning(
                                &r.file,
                                o.decided_pos,
                                format!(
                                    "决策日期 {} 晚于基准日期 {as_of}：成果照常发布并注明，但议题状态暂不计入它",
                                    o.decided
                                ),
                            )
                            .with_hint(hint),
                        );
                    }
                    for p in o.progress.iter().filter(|p| p.date > as_of) {
                        out.push(
                            Diagnostic::warning(
                                &r.file,
                                p.pos,
                                format!(
                                    "进展日期 {} 晚于基准日期 {as_of}：照常发布并注明，但议题状态暂不计入它",
                                    p.date
                                ),
                            )
                            .with_hint(hint),
                        );
                    }
                }
                RecordBody::Topic(t) => {
                    if let Some(w) = t.withdrawn.filter(|&w| w > as_of) {
                        out.push(
                            Diagnostic::warning(
                                &r.file,
                                t.withdrawn_pos,
                                format!(
                                    "撤回日期 {w} 晚于基准日期 {as_of}：照常发布并注明，但议题在那天之前仍按未撤回计"
                                ),
                            )
                            .with_hint(hint),
                        );
                    }
                }
                RecordBody::Session(_) => {}
            }
        }
        out
    }

    /// Warnings about timelines that cannot be right (they are published
    /// as written): an outcome decided before its topic was proposed or
    /// before a session it cites; a vote recorded for a session still to
    /// come; a vote on a topic taken inside its notice period (公示期),
    /// which is there for objections before a decision.
    pub fn timeline_warnings(&self) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::Diagnostic;
        let records = &self.site.records;
        let mut out = Vec::new();
        for (i, r) in records.iter().enumerate() {
            match &r.data {
                RecordBody::Outcome(o) => {
                    let Some(t) = o.topic.and_then(|t| records[t].topic()) else {
                        continue;
                    };
                    if o.decided < t.proposed {
                        out.push(
                            Diagnostic::warning(
                                &r.file,
                                o.decided_pos,
                                format!("决策日期 {} 早于议题的提出日期 {}", o.decided, t.proposed),
                            )
                            .with_hint("请核对两个日期：先提出议题，再协商、决策"),
                        );
                    }
                    for &s in &o.sessions {
                        let Some(day) = records[s].session().map(|x| x.date.day()) else {
                            continue;
                        };
                        if o.decided < day {
                            out.push(
                                Diagnostic::warning(
                                    &r.file,
                                    o.decided_pos,
                                    format!(
                                        "决策日期 {} 早于它所依据的会议「{}」（{day}）",
                                        o.decided, records[s].title
                                    ),
                                )
                                .with_hint(
                                    "请核对日期，或从 sessions 中去掉不是作出这项决策的会议",
                                ),
                            );
                        }
                    }
                }
                RecordBody::Session(s) => {
                    let day = s.date.day();
                    if s.vote.is_some() && day > self.as_of {
                        out.push(
                            Diagnostic::warning(
                                &r.file,
                                s.vote_pos,
                                format!(
                                    "会议日期 {day} 晚于基准日期 {}，却已写了表决结果",
                                    self.as_of
                                ),
                            )
                            .with_hint("会议开过之后再填写 vote；若会议日期写错了，请改正"),
                        );
                    }
                    for &t in &s.topics {
                        let Some(topic) = records[t].topic() else {
                            continue;
                        };
                        let (Some(from), Some(until)) = (topic.notice, topic.notice_until) else {
                            continue;
                        };
                        let voted = self.tallies_of(t).iter().any(|&(x, _)| x == i);
                        if voted && from <= day && day <= until {
                            out.push(
                                Diagnostic::warning(
                                    &r.file,
                                    s.date_pos,
                                    format!(
                                        "这次会议（{day}）就「{}」表决，却在它的公示期内（{from} 至 {until}）",
                                        records[t].title
                                    ),
                                )
                                .with_hint("公示期是留给群众提出异议的，表决应在公示期满之后；请核对会议日期或公示日期"),
                            );
                        }
                    }
                }
                RecordBody::Topic(_) => {}
            }
        }
        out
    }

    pub fn chain(&self, i: usize) -> Vec<Step> {
        let Some(t) = self.site.records[i].topic() else {
            return Vec::new();
        };
        let at = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
        let mut steps: Vec<(NaiveDateTime, u8, Step)> = vec![(at(t.proposed), 0, Step::Proposed)];
        if let Some(n) = t.notice {
            steps.push((at(n), 1, Step::Notice));
        }
        for &s in &self.sessions_of[i] {
            if let Some(session) = self.site.records[s].session() {
                steps.push((session.date.local, 2, Step::Session(s)));
            }
        }
        if let Some(o) = self.outcome_of[i] {
            if let Some(outcome) = self.site.records[o].outcome() {
                steps.push((at(outcome.decided), 3, Step::Outcome(o)));
                for (k, p) in outcome.progress.iter().enumerate() {
                    steps.push((at(p.date), 4, Step::Progress(o, k)));
                }
                if let (true, Some(d)) = (self.overdue[i], outcome.deadline) {
                    steps.push((at(d), 5, Step::DeadlineMissed(d)));
                }
            }
        }
        if let Some(w) = t.withdrawn {
            steps.push((at(w), 6, Step::Withdrawn(w)));
        }
        // Stable: equal steps keep the order they were pushed in.
        steps.sort_by_key(|s| (s.0.date(), s.1, s.0.time()));
        steps.into_iter().map(|s| s.2).collect()
    }

    /// The tallies of topic `i`: for each session that voted on it, oldest
    /// first, the session and the topic's tally (a per-topic vote's entry
    /// for it, or a session's single vote, which covers every topic the
    /// session discussed).
    pub fn tallies_of(&self, i: usize) -> Vec<(usize, &Tally)> {
        self.sessions_of[i]
            .iter()
            .filter_map(|&s| {
                let tally = match &self.site.records[s].session()?.vote {
                    Some(Vote::Single(t)) => t,
                    Some(Vote::PerTopic(per)) => per
                        .iter()
                        .find(|(_, topic, _)| *topic == Some(i))
                        .map(|e| &e.2)?,
                    None => return None,
                };
                Some((s, tally))
            })
            .collect()
    }

    /// Topic status counts over a list of records (non-topics are ignored).
    pub fn status_counts(&self, records: &[usize]) -> Vec<(TopicStatus, usize)> {
        let mut counts = [0usize; 6];
        for &i in records {
            if let Some(s) = self.status[i] {
                counts[s as usize] += 1;
            }
        }
        TopicStatus::ALL
            .iter()
            .map(|&s| (s, counts[s as usize]))
            .collect()
    }

    /// Overdue topics among a list of records.
    pub fn overdue_count(&self, records: &[usize]) -> usize {
        records.iter().filter(|&&i| self.overdue[i]).count()
    }

    /// The topics a record belongs to: itself, a session's topics, an
    /// outcome's topic.
    pub fn topics_of(&self, i: usize) -> Vec<usize> {
        match &self.site.records[i].data {
            RecordBody::Topic(_) => vec![i],
            RecordBody::Session(s) => s.topics.clone(),
            RecordBody::Outcome(o) => o.topic.into_iter().collect(),
        }
    }
}

/// The derived status rule of the content model; first match wins.
fn derive_status(
    topic: &Topic,
    outcome: Option<&Outcome>,
    sessions: &[usize],
    site: &Site,
    vocab: &Vocabularies,
    as_of: NaiveDate,
) -> TopicStatus {
    if topic.withdrawn.is_some_and(|w| w <= as_of) {
        return TopicStatus::Withdrawn;
    }
    if let Some(o) = outcome {
        // The last report dated by the reference date (reports are oldest
        // first).
        return match o.progress.iter().rfind(|p| p.date <= as_of) {
            Some(p) if vocab.progress_states.get(p.state).is_final => TopicStatus::Done,
            Some(_) => TopicStatus::Implementing,
            None => TopicStatus::Decided,
        };
    }
    let held = sessions.iter().any(|&s| {
        site.records[s]
            .session()
            .is_some_and(|s| s.date.day() <= as_of)
    });
    if held {
        TopicStatus::Consulting
    } else {
        TopicStatus::Collecting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_moment;

    fn day(s: &str) -> NaiveDate {
        crate::date::parse_date(s).unwrap()
    }

    fn record(id: &str, data: RecordBody) -> Record {
        Record {
            id: id.into(),
            slug: id.into(),
            place: 1,
            kind: match data {
                RecordBody::Topic(_) => RecordKind::Topic,
                RecordBody::Session(_) => RecordKind::Session,
                RecordBody::Outcome(_) => RecordKind::Outcome,
            },
            file: String::new(),
            source_hash: 0,
            title: id.into(),
            draft: false,
            tags: Vec::new(),
            summary: None,
            plain_summary: "".into(),
            body: crate::model::Body::Text("".into()),
            extra: Default::default(),
            data,
        }
    }

    fn topic(proposed: &str, withdrawn: Option<&str>) -> RecordBody {
        RecordBody::Topic(Topic {
            topic_type: 0,
            proposed: day(proposed),
            proposer: None,
            notice: None,
            notice_until: None,
            withdrawn: withdrawn.map(day),
            withdrawn_pos: None,
            amount: None,
            villages_ref: Vec::new(),
            related_ref: Vec::new(),
            villages: Vec::new(),
            related: Vec::new(),
        })
    }

    fn session(topic: usize, date: &str) -> RecordBody {
        RecordBody::Session(Session {
            topics_ref: Vec::new(),
            topics: vec![topic],
            date: parse_moment(date, chrono_tz::Asia::Shanghai).unwrap(),
            date_pos: None,
            end: None,
            form: 0,
            location: None,
            participants: Vec::new(),
            attendance: None,
            vote: None,
            vote_pos: None,
            attachments: Vec::new(),
        })
    }

    fn outcome(topic: usize, deadline: Option<&str>, states: &[usize]) -> RecordBody {
        RecordBody::Outcome(Outcome {
            topic_ref: Ref {
                text: String::new(),
                pos: None,
            },
            topic: Some(topic),
            sessions_ref: Vec::new(),
            sessions: Vec::new(),
            decided: day("2020-01-01"),
            decided_pos: None,
            result: 0,
            responsible: None,
            deadline: deadline.map(day),
            amount: None,
            progress: states
                .iter()
                .map(|&s| Progress {
                    date: day("2020-02-01"),
                    state: s,
                    note: None,
                    pos: None,
                })
                .collect(),
        })
    }

    fn site(records: Vec<Record>) -> Site {
        let place = |path: Vec<String>, parent| Place {
            path,
            name: "p".into(),
            kind: None,
            summary: None,
            population: None,
            households: None,
            order: None,
            code: None,
            parent,
            children: Vec::new(),
            file: String::new(),
        };
        Site {
            places: vec![place(vec![], None), place(vec!["a".into()], Some(0))],
            records: records.into_iter().map(std::sync::Arc::new).collect(),
            attachments: Vec::new(),
        }
    }

    fn link(records: Vec<Record>, as_of: &str) -> Graph {
        Graph::link(site(records), &Vocabularies::default(), day(as_of))
    }

    // Progress state indexes in the default vocabulary.
    const STARTED: usize = 0;
    const DONE: usize = 2;
    const STOPPED: usize = 3;

    #[test]
    fn on_one_day_a_meeting_comes_before_the_outcome_it_produced() {
        let g = link(
            vec![
                record("t", topic("2020-01-01", None)),
                // decided 2020-01-01, the day of both meetings
                record("o", outcome(0, None, &[])),
                record("late", session(0, "2020-01-01 19:30")),
                record("early", session(0, "2020-01-01 08:00")),
            ],
            "2020-05-01",
        );
        assert_eq!(
            g.chain(0),
            vec![
                Step::Proposed,
                Step::Session(3),
                Step::Session(2),
                Step::Outcome(1),
            ]
        );
    }

    #[test]
    fn a_topics_chain_is_in_date_order_and_sessions_know_if_upcoming() {
        let g = link(
            vec![
                record("t", topic("2019-12-01", None)),
                record("o", outcome(0, None, &[STARTED, DONE])),
                record("s", session(0, "2019-12-20 19:30")),
                record("later", session(0, "2020-06-01")),
            ],
            "2020-05-01",
        );
        assert_eq!(
            g.chain(0),
            vec![
                Step::Proposed,
                Step::Session(2),
                Step::Outcome(1),
                Step::Progress(1, 0),
                Step::Progress(1, 1),
                Step::Session(3),
            ]
        );
        assert!(g.chain(1).is_empty(), "only a topic has a chain");
        assert_eq!(g.is_upcoming, vec![false, false, false, true]);
    }

    #[test]
    fn status_rules_first_match_wins() {
        let g = link(
            vec![
                record("a", topic("2020-01-01", None)),
                record("b", topic("2020-01-01", None)),
                record("b-s", session(1, "2020-03-01")),
                record("c", topic("2020-01-01", None)),
                record("c-s", session(3, "2020-06-01 19:00")),
                record("d", topic("2020-01-01", None)),
                record("d-o", outcome(5, None, &[])),
                record("e", topic("2020-01-01", None)),
                record("e-o", outcome(7, None, &[STARTED])),
                record("f", topic("2020-01-01", None)),
                record("f-o", outcome(9, None, &[STARTED, STOPPED])),
                record("g", topic("2020-01-01", Some("2020-02-01"))),
                record("g-o", outcome(11, None, &[DONE])),
            ],
            "2020-05-01",
        );
        let st = |i: usize| g.status[i].unwrap();
        assert_eq!(st(0), TopicStatus::Collecting);
        assert_eq!(st(1), TopicStatus::Consulting);
        assert_eq!(st(3), TopicStatus::Collecting, "only an upcoming session");
        assert_eq!(st(5), TopicStatus::Decided);
        assert_eq!(st(7), TopicStatus::Implementing);
        assert_eq!(st(9), TopicStatus::Done, "stopped is final");
        assert_eq!(
            st(11),
            TopicStatus::Withdrawn,
            "withdrawn wins over an outcome"
        );
        assert_eq!(g.upcoming, vec![4]);
    }

    /// The contract's "state as of the reference date": one topic's life,
    /// built at seven reference dates.
    #[test]
    fn status_is_the_state_as_of_the_reference_date() {
        let records = || {
            let mut o = outcome(0, Some("2020-06-30"), &[STARTED, DONE]);
            if let RecordBody::Outcome(o) = &mut o {
                o.decided = day("2020-04-01");
                o.progress[0].date = day("2020-05-01");
                o.progress[1].date = day("2020-08-01");
            }
            vec![
                record("a", topic("2020-01-01", None)),
                record("a-s", session(0, "2020-03-01 19:00")),
                record("a-o", o),
                record("w", topic("2020-01-01", Some("2020-06-01"))),
            ]
        };
        use TopicStatus::*;
        for (as_of, status, overdue, later, warnings, withdrawn) in [
            ("2020-02-01", Collecting, false, true, 4, false),
            ("2020-03-15", Consulting, false, true, 4, false),
            ("2020-04-01", Decided, false, false, 3, false),
            ("2020-05-15", Implementing, false, false, 2, false),
            ("2020-06-01", Implementing, false, false, 1, true),
            ("2020-07-15", Implementing, true, false, 1, true),
            ("2020-08-15", Done, false, false, 0, true),
        ] {
            let g = link(records(), as_of);
            assert_eq!(g.status[0], Some(status), "as of {as_of}");
            assert_eq!(g.overdue[0], overdue, "as of {as_of}");
            assert_eq!(g.later[2], later, "as of {as_of}");
            assert_eq!(g.later_warnings().len(), warnings, "as of {as_of}");
            assert_eq!(g.status[3] == Some(Withdrawn), withdrawn, "as of {as_of}");
            // Later records are still in the chain (published, marked).
            assert_eq!(g.chain(0).len(), 5 + usize::from(overdue), "as of {as_of}");
        }
    }

    #[test]
    fn timelines_that_cannot_be_right_are_warned_about() {
        let mut t = topic("2020-03-01", None);
        if let RecordBody::Topic(t) = &mut t {
            t.notice = Some(day("2020-03-05"));
            t.notice_until = Some(day("2020-03-15"));
        }
        let voted = |date: &str| {
            let mut s = session(0, date);
            if let RecordBody::Session(s) = &mut s {
                s.vote = Some(Vote::Single(Tally::default()));
            }
            s
        };
        let mut o = outcome(0, None, &[]);
        if let RecordBody::Outcome(o) = &mut o {
            o.decided = day("2020-02-01");
            o.sessions = vec![1];
        }
        let g = link(
            vec![
                record("a", t),
                // Votes inside the notice period.
                record("a-s1", voted("2020-03-10 19:00")),
                // A vote for a session still to come.
                record("a-s2", voted("2020-06-10 19:00")),
                // Decided before the topic and before the session it cites.
                record("a-o", o),
                // Fine: a session without a vote inside the notice period.
                record("a-s3", session(0, "2020-03-12 19:00")),
            ],
            "2020-05-01",
        );
        let mut messages: Vec<String> = g
            .timeline_warnings()
            .into_iter()
            .map(|d| d.message)
            .collect();
        messages.sort();
        assert_eq!(messages.len(), 4, "{messages:#?}");
        assert!(
            messages[0].starts_with("会议日期 2020-06-10 晚于基准日期"),
            "{messages:#?}"
        );
        assert!(
            messages[1].starts_with("决策日期 2020-02-01 早于它所依据的会议"),
            "{messages:#?}"
        );
        assert!(
            messages[2].starts_with("决策日期 2020-02-01 早于议题的提出日期"),
            "{messages:#?}"
        );
        assert!(
            messages[3].contains("公示期内（2020-03-05 至 2020-03-15）"),
            "{messages:#?}"
        );
    }

    #[test]
    fn session_on_the_reference_date_is_upcoming_and_held() {
        let g = link(
            vec![
                record("a", topic("2020-01-01", None)),
                record("a-s", session(0, "2020-05-01 19:00")),
            ],
            "2020-05-01",
        );
        assert_eq!(g.status[0], Some(TopicStatus::Consulting));
        assert_eq!(g.upcoming, vec![1]);
    }

    #[test]
    fn overdue_only_after_the_deadline_and_not_when_done() {
        let records = || {
            vec![
                record("a", topic("2020-01-01", None)),
                record("a-o", outcome(0, Some("2020-06-30"), &[STARTED])),
                record("b", topic("2020-01-01", None)),
                record("b-o", outcome(2, Some("2020-06-30"), &[DONE])),
            ]
        };
        let on_deadline = link(records(), "2020-06-30");
        assert!(!on_deadline.overdue[0]);
        let after = link(records(), "2020-07-01");
        assert!(after.overdue[0]);
        assert!(!after.overdue[2], "done is never overdue");
    }

    #[test]
    fn indexes_are_newest_first_and_include_ancestors() {
        let g = link(
            vec![
                record("old", topic("2016-01-01", None)),
                record("new", topic("2020-01-01", None)),
            ],
            "2020-05-01",
        );
        assert_eq!(g.by_place[1], vec![1, 0]);
        assert_eq!(g.by_place[0], vec![1, 0]);
        assert_eq!(g.by_year[&2016], vec![0]);
        assert_eq!(g.by_type[0], vec![1, 0]);
    }
}
