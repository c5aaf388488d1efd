//! Stage 3: the site graph. Derived status, the chain of each topic, and
//! every index (per place, topic type, year, session form), each built in
//! one pass over the records and sorted once.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use crate::model::*;
use crate::vocab::Vocabularies;

/// The linked site: the validated [`Site`] plus everything derived from it.
#[derive(Debug)]
pub struct Graph {
    pub site: Site,
    /// The reference date for overdue and upcoming.
    pub as_of: NaiveDate,
    /// Per record: the derived status (topics only).
    pub status: Vec<Option<TopicStatus>>,
    /// Per record: overdue flag (topics only).
    pub overdue: Vec<bool>,
    /// Per topic record: its outcome.
    pub outcome_of: Vec<Option<usize>>,
    /// Per topic record: its sessions, oldest first.
    pub sessions_of: Vec<Vec<usize>>,
    /// Sessions dated on or after the reference date, soonest first.
    pub upcoming: Vec<usize>,
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
                    let outcome = outcome_of[i].and_then(|o| site.records[o].outcome());
                    let st = derive_status(t, outcome, &sessions_of[i], &site, vocab, as_of);
                    let late = st != TopicStatus::Withdrawn
                        && st != TopicStatus::Done
                        && outcome.and_then(|o| o.deadline).is_some_and(|d| d < as_of);
                    (Some(st), late)
                }
                None => (None, false),
            })
            .unzip();

        let mut upcoming: Vec<usize> = site
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.session().is_some_and(|s| s.date.day() >= as_of))
            .map(|(i, _)| i)
            .collect();
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

        Graph {
            site,
            as_of,
            status,
            overdue,
            outcome_of,
            sessions_of,
            upcoming,
            latest,
            by_place,
            by_type,
            by_year,
            by_form,
        }
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
    if topic.withdrawn.is_some() {
        return TopicStatus::Withdrawn;
    }
    if let Some(o) = outcome {
        return match o.progress.last() {
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
