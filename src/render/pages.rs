//! The values of each kind of page (`page` in its template): the home page,
//! place pages, lists by type, year and form, the overviews, the search and
//! open-data pages, and record pages (topic, session, outcome). Their
//! structs, the theme contract, are in `context/`.

use chrono::Datelike;

use super::context::*;
use super::Renderer;
use crate::link::Step;
use crate::markdown;
use crate::model::{Outcome, Progress, RecordBody, RecordKind, Session, Tally, Topic, Vote};
use crate::route::{self, Route};

/// How many latest records the home page shows.
const HOME_LATEST: usize = 12;

impl Renderer<'_> {
    pub(super) fn home(&self) -> HomePage {
        let g = self.graph;
        let top = &g.site.places[0];
        let towns = top
            .children
            .iter()
            .map(|&t| Town {
                place: self.place_link(t),
                villages: g.site.places[t]
                    .children
                    .iter()
                    .map(|&c| self.place_link(c))
                    .collect(),
                count: g.by_place[t].len(),
            })
            .collect();
        let types = self
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .zip(&g.by_type)
            .filter(|(_, l)| !l.is_empty())
            .map(|(t, l)| CountLink {
                label: t.name.clone(),
                url: self.urls.route(&Route::Type(&t.slug)),
                count: l.len(),
            })
            .collect();
        let years = g
            .by_year
            .iter()
            .rev()
            .map(|(y, l)| CountLink {
                label: y.to_string(),
                url: self.urls.route(&Route::Year(*y)),
                count: l.len(),
            })
            .collect();
        let count_kind = |k: RecordKind| g.site.records.iter().filter(|r| r.kind == k).count();
        HomePage {
            title: self.config.title.clone(),
            place: HomePlace {
                name: top.name.clone(),
                summary_html: top.summary.as_deref().map(markdown::inline_to_html),
            },
            follow: self.follow(0),
            counts: self.status_counts(&g.latest),
            totals: Totals {
                topics: count_kind(RecordKind::Topic),
                sessions: count_kind(RecordKind::Session),
                outcomes: count_kind(RecordKind::Outcome),
            },
            towns,
            types,
            years,
            upcoming: self.cards_of(&g.upcoming),
            latest: self.cards_of(&g.latest[..g.latest.len().min(HOME_LATEST)]),
        }
    }

    pub(super) fn place(&self, p: usize, n: usize) -> PlacePage {
        let g = self.graph;
        let place = &g.site.places[p];
        let list = &g.by_place[p];
        let base = route::of_place(place).path();
        let (range, pagination) = self.pagination(&base, n, list.len());
        // Records of this page, grouped by year (the list is newest first).
        let mut years: Vec<YearGroup> = Vec::new();
        let cards = self.cards_of(&list[range.clone()]);
        for (&i, card) in list[range].iter().zip(cards) {
            let year = g.site.records[i].date().year();
            match years.last_mut() {
                Some(group) if group.year == year => group.records.push(card),
                _ => years.push(YearGroup {
                    year,
                    records: vec![card],
                }),
            }
        }
        // The jump to each year: the page of this list where the year
        // starts and the anchor of its heading there.
        let size = self.config.page_size;
        let year_jump = crate::plan::year_starts(&g.site, list)
            .into_iter()
            .map(|(year, at)| {
                let url = self.urls.link(&route::paged(&base, at / size + 1));
                YearJump {
                    year,
                    url: format!("{url}#y{year}"),
                }
            })
            .collect();
        PlacePage {
            title: place.name.clone(),
            place: PlaceInfo {
                link: self.place_link(p),
                summary_html: place.summary.as_deref().map(markdown::inline_to_html),
                population: place.population,
                households: place.households,
                code: place.code.clone(),
            },
            breadcrumbs: self.breadcrumbs_place(p, false),
            children: place
                .children
                .iter()
                .map(|&c| PlaceCount {
                    place: self.place_link(c),
                    count: g.by_place[c].len(),
                })
                .collect(),
            counts: self.place_counts[p].clone(),
            follow: self.follow(p),
            feed: Feed {
                title: format!("{} · {}", self.config.title, self.place_name_path(p)),
                url: self.urls.link(&route::of_place(place).feed()),
            },
            description: place
                .summary
                .as_deref()
                .map(|s| markdown::truncate(&markdown::first_paragraph(s), 120)),
            pagination,
            upcoming: if n == 1 {
                self.cards_of(&g.upcoming_by_place[p])
            } else {
                Vec::new()
            },
            years,
            year_jump,
        }
    }

    /// Page `n` of `list`, whose money `money` holds once computed.
    pub(super) fn list(
        &self,
        base: &str,
        n: usize,
        (list, money): (&[usize], &std::sync::OnceLock<MoneyTotals>),
        title: &str,
        intro: &str,
        parent: (&str, &str),
    ) -> ListPage {
        let (range, pagination) = self.pagination(base, n, list.len());
        ListPage {
            title: title.to_string(),
            intro: intro.to_string(),
            breadcrumbs: vec![Link {
                name: parent.0.to_string(),
                url: self.urls.link(parent.1),
            }],
            pagination,
            records: self.cards_of(&list[range]),
            money: money.get_or_init(|| self.money_totals(list)).clone(),
            feed: None,
        }
    }

    /// `/search/`: the form, the filters' values and, for browsers without
    /// JavaScript, the browse indexes.
    pub(super) fn search_page(&self) -> SearchPage {
        let f = crate::publish::search_facets(&self.publish_ctx());
        let named = |names: &[String]| -> Vec<FacetOption> {
            names
                .iter()
                .enumerate()
                .map(|(value, name)| FacetOption {
                    value,
                    name: name.clone(),
                })
                .collect()
        };
        // Places in the contract's order: a depth-first walk of the tree,
        // children in sibling order (`order`, then code, then slug). The
        // values stay the places' numbers, which the search index uses.
        let tree = &self.graph.site.places;
        let mut places = Vec::with_capacity(tree.len());
        let mut stack: Vec<usize> = tree[0].children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            let p = &f.places[i];
            places.push(PlaceOption {
                value: i,
                name: p.name.clone(),
                depth: p.depth,
            });
            stack.extend(tree[i].children.iter().rev());
        }
        let browse = |key: &str, route: Route| Link {
            name: self.s(key).to_string(),
            url: self.urls.route(&route),
        };
        SearchPage {
            title: self.s("search").to_string(),
            index_url: self.urls.route(&Route::Search),
            script_url: self.urls.link(route::SEARCH_SCRIPT),
            strings: self.search_strings(),
            browse: vec![
                browse("places", Route::Home),
                browse("types", Route::TypesIndex),
                browse("years", Route::YearsIndex),
                browse("forms", Route::FormsIndex),
            ],
            facets: SearchFacets {
                places,
                topic_types: named(&f.topic_types),
                years: f
                    .years
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(value, y)| FacetOption {
                        value,
                        name: y.to_string(),
                    })
                    .collect(),
                statuses: named(&f.statuses),
            },
        }
    }

    /// The strings `search.js` writes, keyed without their `search_` prefix.
    fn search_strings(&self) -> String {
        let mut m = serde_json::Map::new();
        for key in crate::search::SCRIPT_STRINGS {
            let name = key.strip_prefix("search_").unwrap_or(key);
            m.insert(name.to_string(), self.s(key).into());
        }
        serde_json::Value::Object(m).to_string()
    }

    /// `/data/`: what the open data files are, for the site and each place.
    pub(super) fn data_page(&self) -> DataPage {
        crate::publish::data::page_value(&self.publish_ctx(), &self.plan.lists.data_sets)
    }

    /// Subscribe and download links of a place (the top level: the site).
    pub(super) fn follow(&self, p: usize) -> Follow {
        let place = &self.graph.site.places[p];
        let page = route::of_place(place);
        Follow {
            feed_url: self.urls.link(&page.feed()),
            calendar_url: self.urls.link(&page.calendar()),
            data: crate::publish::data::DataFile::ALL
                .iter()
                .map(|f| FileLink {
                    label: self.s(f.label_key()).to_string(),
                    kind: f.format(),
                    url: self.urls.link(&route::data_file(place, f.name())),
                })
                .collect(),
            data_page: self.urls.route(&Route::DataIndex),
        }
    }

    pub(super) fn types_index(&self) -> OverviewPage {
        let items = self
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .zip(&self.graph.by_type)
            .map(|(t, l)| CountLink {
                label: t.name.clone(),
                url: self.urls.route(&Route::Type(&t.slug)),
                count: l.len(),
            })
            .collect();
        self.overview("types", "type_list_intro", items)
    }

    pub(super) fn years_index(&self) -> OverviewPage {
        let items = self
            .graph
            .by_year
            .iter()
            .rev()
            .map(|(y, l)| CountLink {
                label: self.s("year_title").replace("{year}", &y.to_string()),
                url: self.urls.route(&Route::Year(*y)),
                count: l.len(),
            })
            .collect();
        self.overview("years", "year_list_intro", items)
    }

    pub(super) fn forms_index(&self) -> OverviewPage {
        let items = self
            .config
            .vocabularies
            .session_forms
            .terms
            .iter()
            .zip(&self.graph.by_form)
            .map(|(t, l)| CountLink {
                label: t.name.clone(),
                url: self.urls.route(&Route::Form(&t.slug)),
                count: l.len(),
            })
            .collect();
        self.overview("forms", "form_list_intro", items)
    }

    /// An overview whose title and intro are the UI strings `title` and
    /// `intro`.
    fn overview(&self, title: &str, intro: &str, items: Vec<CountLink>) -> OverviewPage {
        OverviewPage {
            title: self.s(title).to_string(),
            intro: self.s(intro).to_string(),
            items,
        }
    }

    pub(super) fn record(&self, i: usize, body: &str) -> RecordPage {
        let g = self.graph;
        let r = &g.site.records[i];
        let mut breadcrumbs = self.breadcrumbs_place(r.place, true);
        // An outcome sits under its topic; a session, which may discuss
        // several topics, under its place only.
        if let Some(t) = r.outcome().and_then(|o| o.topic) {
            breadcrumbs.push(Link {
                name: g.site.records[t].title.clone(),
                url: self.record_url(t),
            });
        }
        RecordPage {
            title: r.title.clone(),
            tags: r.tags.clone(),
            summary: r.summary.clone(),
            description: markdown::truncate(&r.plain_summary, 120),
            extra: r.extra.clone(),
            source: r.file.clone(),
            print_url: self.urls.route(&Route::Print(&g.site.places[r.place], r)),
            card: self.card(i),
            body_html: markdown::to_html(body),
            breadcrumbs,
            kind_values: self.kind_values(i),
        }
    }

    /// What record `i`'s kind adds to its page and its print page.
    pub(super) fn kind_values(&self, i: usize) -> KindValues {
        match &self.graph.site.records[i].data {
            RecordBody::Topic(t) => KindValues {
                topics: Some(self.topic(i, t)),
                ..KindValues::default()
            },
            RecordBody::Session(s) => KindValues {
                sessions: Some(self.session(i, s)),
                ..KindValues::default()
            },
            RecordBody::Outcome(o) => KindValues {
                outcomes: Some(self.outcome(i, o)),
                ..KindValues::default()
            },
        }
    }

    fn topic(&self, i: usize, t: &Topic) -> TopicValues {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let term = v.topic_types.get(t.topic_type);
        let outcome = g.outcome_of[i];
        let chain = g
            .chain(i)
            .into_iter()
            .map(|step| match step {
                Step::Proposed => ChainStep::Proposed {
                    label: self.s("chain_proposed").to_string(),
                    date: self.date_value(t.proposed),
                    text: t.proposer.clone(),
                },
                Step::Notice => ChainStep::Notice {
                    label: self.s("chain_notice").to_string(),
                    date: t.notice.map(|n| self.date_value(n)),
                    until: t.notice_until.map(|u| self.date_value(u)),
                },
                Step::Session(s) => {
                    let rec = &g.site.records[s];
                    let sess = rec.session().expect("session");
                    ChainStep::Session {
                        label: v.session_forms.get(sess.form).name.clone(),
                        date: self.moment_value(&sess.date),
                        title: rec.title.clone(),
                        url: self.record_url(s),
                        upcoming: g.is_upcoming[s],
                    }
                }
                Step::Outcome(o) => {
                    let rec = &g.site.records[o];
                    let oc = rec.outcome().expect("outcome");
                    ChainStep::Outcome {
                        label: self.s("chain_outcome").to_string(),
                        date: self.date_value(oc.decided),
                        title: rec.title.clone(),
                        url: self.record_url(o),
                        text: v.results.get(oc.result).name.clone(),
                        later: g.later[o],
                    }
                }
                Step::Progress(o, k) => {
                    let p = &g.site.records[o].outcome().expect("outcome").progress[k];
                    let st = v.progress_states.get(p.state);
                    ChainStep::Progress {
                        label: st.name.clone(),
                        is_final: st.is_final,
                        date: self.date_value(p.date),
                        text: p.note.clone(),
                        later: !g.counts(p.date),
                    }
                }
                Step::DeadlineMissed(d) => ChainStep::Overdue {
                    label: self.s("chain_deadline_missed").to_string(),
                    date: self.date_value(d),
                },
                Step::Withdrawn(w) => ChainStep::Withdrawn {
                    label: self.s("chain_withdrawn").to_string(),
                    date: self.date_value(w),
                    later: !g.counts(w),
                },
            })
            .collect();
        TopicValues {
            topic_type: LabelLink {
                label: term.name.clone(),
                url: self.urls.route(&Route::Type(&term.slug)),
            },
            status: self.status_value(i),
            overdue: g.overdue[i],
            deadline: outcome
                .and_then(|o| g.site.records[o].outcome())
                .and_then(|o| o.deadline)
                .map(|d| self.date_value(d)),
            proposer: t.proposer.clone(),
            proposed: self.date_value(t.proposed),
            notice: t.notice.map(|d| self.date_value(d)),
            notice_until: t.notice_until.map(|d| self.date_value(d)),
            withdrawn: t.withdrawn.map(|d| self.date_value(d)),
            amount: t.amount.map(|a| self.amount_text(a)),
            villages: t.villages.iter().map(|&p| self.place_link(p)).collect(),
            chain,
            tallies: self.tallies(i),
            glance: self.glance(i),
            related: self.cards_of(&t.related),
            sessions: self.cards_of(&g.sessions_of[i]),
            outcome: outcome.and_then(|o| self.cards_of(&[o]).pop()),
        }
    }

    fn session(&self, i: usize, s: &Session) -> SessionValues {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let r = &g.site.records[i];
        let form = v.session_forms.get(s.form);
        let (vote, votes) = match &s.vote {
            Some(Vote::Single(t)) => (Some(vote_tally(t)), Vec::new()),
            Some(Vote::PerTopic(per)) => (
                None,
                per.iter()
                    .filter_map(|(_, topic, t)| {
                        topic.map(|ti| TopicVote {
                            tally: vote_tally(t),
                            topic: self.card(ti),
                        })
                    })
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        let place = &g.site.places[r.place];
        let attachments = s
            .attachments
            .iter()
            .map(|a| {
                let name = a.rsplit('/').next().unwrap_or(a);
                // A name may hold `#`, `?`, `%` or spaces: escape each segment.
                let encoded: Vec<String> = a
                    .split('/')
                    .map(|seg| {
                        percent_encoding::utf8_percent_encode(seg, crate::publish::data::SEGMENT)
                            .to_string()
                    })
                    .collect();
                let path = route::attachment(place, r.kind, &encoded.join("/"));
                Link {
                    name: name.to_string(),
                    url: self.urls.link(&path),
                }
            })
            .collect();
        SessionValues {
            date: self.moment_value(&s.date),
            end: s.end.map(|e| {
                if e.day() == s.date.day() {
                    SessionEnd::SameDay(TimeOfDay {
                        text: e.local.format("%H:%M").to_string(),
                        iso: e.local.format("%Y-%m-%dT%H:%M").to_string(),
                    })
                } else {
                    SessionEnd::Later(self.moment_value(&e))
                }
            }),
            upcoming: g.is_upcoming[i],
            form: LabelLink {
                label: form.name.clone(),
                url: self.urls.route(&Route::Form(&form.slug)),
            },
            location: s.location.clone(),
            participants: s
                .participants
                .iter()
                .map(|&(grp, count)| Participants {
                    label: v.participant_groups.get(grp).name.clone(),
                    count,
                })
                .collect(),
            attendance: s.attendance,
            vote,
            votes,
            attachments,
            topics: self.cards_of(&s.topics),
            // Next to each topic discussed, the tally this session gave it.
            topic_tallies: s
                .topics
                .iter()
                .map(|&t| {
                    g.tallies_of(t)
                        .into_iter()
                        .find(|(session, _)| *session == i)
                        .map(|(_, tally)| vote_tally(tally))
                })
                .collect(),
        }
    }

    /// The tallies of topic `t`, one per session that voted on it, oldest
    /// first: for its page and its outcome's.
    fn tallies(&self, t: usize) -> Vec<SessionTally> {
        let g = self.graph;
        let forms = &self.config.vocabularies.session_forms;
        g.tallies_of(t)
            .into_iter()
            .map(|(s, tally)| {
                let rec = &g.site.records[s];
                let session = rec.session().expect("a session");
                SessionTally {
                    title: rec.title.clone(),
                    url: self.record_url(s),
                    date: self.moment_value(&session.date),
                    form: forms.get(session.form).name.clone(),
                    tally: vote_tally(tally),
                }
            })
            .collect()
    }

    /// A progress report as the outcome page and a topic's glance show it.
    fn progress_report(&self, p: &Progress) -> ProgressReport {
        let st = self.config.vocabularies.progress_states.get(p.state);
        ProgressReport {
            date: self.date_value(p.date),
            state: st.name.clone(),
            is_final: st.is_final,
            note: p.note.clone(),
            later: !self.graph.counts(p.date),
        }
    }

    /// What a topic page answers first: where the matter stands (and by
    /// how many days it is overdue), what was decided and by which vote,
    /// who carries it out by when, and what happened last.
    fn glance(&self, i: usize) -> Glance {
        let g = self.graph;
        let v = &self.config.vocabularies;
        // Where the matter stands as of the reference date: a later outcome
        // or report is not there yet.
        let outcome = g.outcome_of[i]
            .and_then(|o| g.site.records[o].outcome())
            .filter(|oc| g.counts(oc.decided));
        let deciding = outcome
            .and_then(|oc| {
                // The vote of the last session the outcome names, else of
                // the last session that voted on the topic.
                let tallies = g.tallies_of(i);
                oc.sessions
                    .iter()
                    .rev()
                    .find_map(|s| tallies.iter().find(|(t, _)| t == s).copied())
                    .or_else(|| tallies.last().copied())
            })
            .map(|(_, tally)| vote_tally(tally));
        let overdue_days = outcome
            .and_then(|oc| oc.deadline)
            .filter(|_| g.overdue[i])
            .map(|d| (g.as_of - d).num_days().to_string());
        Glance {
            overdue_days,
            result: outcome.map(|oc| {
                let r = v.results.get(oc.result);
                SlugLabel {
                    slug: r.slug.clone(),
                    label: r.name.clone(),
                }
            }),
            decided: outcome.map(|oc| self.date_value(oc.decided)),
            tally: deciding,
            responsible: outcome.and_then(|oc| oc.responsible.clone()),
            outcome_amount: outcome
                .and_then(|oc| oc.amount)
                .map(|a| self.amount_text(a)),
            latest: outcome
                .and_then(|oc| oc.progress.iter().rfind(|p| g.counts(p.date)))
                .map(|p| self.progress_report(p)),
        }
    }

    fn outcome(&self, i: usize, o: &Outcome) -> OutcomeValues {
        let g = self.graph;
        let result = self.config.vocabularies.results.get(o.result);
        let topic = o.topic;
        OutcomeValues {
            decided: self.date_value(o.decided),
            result: SlugLabel {
                slug: result.slug.clone(),
                label: result.name.clone(),
            },
            responsible: o.responsible.clone(),
            deadline: o.deadline.map(|d| self.date_value(d)),
            amount: o.amount.map(|a| self.amount_text(a)),
            overdue: topic.is_some_and(|t| g.overdue[t]),
            later: g.later[i],
            status: topic.and_then(|t| self.status_value(t)),
            progress: o.progress.iter().map(|p| self.progress_report(p)).collect(),
            self_url: self.record_url(i),
            tallies: topic.map(|t| self.tallies(t)),
            topic: topic.map(|t| self.card(t)),
            sessions: self.cards_of(&o.sessions),
        }
    }
}

/// A tally as pages show it: the three counts (any may be missing) and
/// their total.
fn vote_tally(t: &Tally) -> VoteTally {
    VoteTally {
        yes: t.yes,
        against: t.against,
        abstain: t.abstain,
        total: t.sum(),
    }
}
