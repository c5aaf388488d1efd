//! The values of each kind of page (`page` in its template): the home page,
//! place pages, lists by type, year and form, the overviews, the search and
//! open-data pages, and record pages (topic, session, outcome).

use chrono::Datelike;
use serde_json::{json, Value};

use super::Renderer;
use crate::link::Step;
use crate::markdown;
use crate::model::*;
use crate::route::{self, Route};

/// How many latest records the home page shows.
const HOME_LATEST: usize = 12;

impl Renderer<'_> {
    pub(super) fn home(&self) -> Value {
        let g = self.graph;
        let top = &g.site.places[0];
        let all: Vec<usize> = g.latest.clone();
        let towns: Vec<Value> = top
            .children
            .iter()
            .map(|&t| {
                let mut v = self.place_link(t);
                let villages: Vec<Value> = g.site.places[t]
                    .children
                    .iter()
                    .map(|&c| self.place_link(c))
                    .collect();
                v["villages"] = json!(villages);
                v["count"] = json!(g.by_place[t].len());
                v
            })
            .collect();
        let types: Vec<Value> = self
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .zip(&g.by_type)
            .filter(|(_, l)| !l.is_empty())
            .map(|(t, l)| json!({"label": t.name, "url": self.urls.route(&Route::Type(&t.slug)), "count": l.len()}))
            .collect();
        let years: Vec<Value> = g
            .by_year
            .iter()
            .rev()
            .map(|(y, l)| json!({"label": y.to_string(), "url": self.urls.route(&Route::Year(*y)), "count": l.len()}))
            .collect();
        let count_kind = |k: RecordKind| g.site.records.iter().filter(|r| r.kind == k).count();
        let mut page = json!({
            "title": self.config.title,
            "place": {
                "name": top.name,
                "summary_html": top.summary.as_deref().map(markdown::inline_to_html),
            },
            "follow": self.follow(0),
            "counts": self.status_counts(&all),
            "totals": {"topics": count_kind(RecordKind::Topic), "sessions": count_kind(RecordKind::Session), "outcomes": count_kind(RecordKind::Outcome)},
            "towns": towns,
            "types": types,
            "years": years,
        });
        // Moved in after: `json!` would copy them.
        page["upcoming"] = self.cards_of(&g.upcoming);
        page["latest"] = self.cards_of(&g.latest[..g.latest.len().min(HOME_LATEST)]);
        page
    }

    pub(super) fn place(&self, p: usize, n: usize) -> Value {
        let g = self.graph;
        let place = &g.site.places[p];
        let list = &g.by_place[p];
        let base = route::of_place(place).path();
        let (range, pagination) = self.pagination(&base, n, list.len());
        // Records of this page, grouped by year (the list is newest first).
        let mut years: Vec<Value> = Vec::new();
        let Value::Array(cards) = self.cards_of(&list[range.clone()]) else {
            unreachable!("cards_of gives an array")
        };
        for (&i, card) in list[range].iter().zip(cards) {
            let y = g.site.records[i].date().year();
            if years.last().and_then(|v| v["year"].as_i64()) != Some(y as i64) {
                years.push(json!({"year": y, "records": []}));
            }
            if let Some(Value::Array(records)) = years.last_mut().map(|v| &mut v["records"]) {
                records.push(card);
            }
        }
        let mut info = self.place_link(p);
        info["summary_html"] = json!(place.summary.as_deref().map(markdown::inline_to_html));
        info["population"] = json!(place.population);
        info["households"] = json!(place.households);
        info["code"] = json!(place.code);
        let mut page = json!({
            "title": place.name,
            "place": info,
            "breadcrumbs": self.breadcrumbs_place(p, false),
            "children": place.children.iter().map(|&c| {
                let mut v = self.place_link(c);
                v["count"] = json!(g.by_place[c].len());
                v
            }).collect::<Vec<_>>(),
            "counts": self.place_counts[p],
            "follow": self.follow(p),
            "feed": {"title": format!("{} · {}", self.config.title, self.place_name_path(p)), "url": self.urls.link(&route::of_place(place).feed())},
            "description": place.summary.as_deref().map(|s| markdown::truncate(&markdown::first_paragraph(s), 120)),
            "pagination": pagination,
        });
        page["upcoming"] = if n == 1 {
            self.cards_of(&g.upcoming_by_place[p])
        } else {
            json!([])
        };
        page["years"] = Value::Array(years);
        // The jump to each year: the page of this list where the year
        // starts and the anchor of its heading there.
        let size = self.config.page_size;
        page["year_jump"] = crate::plan::year_starts(&g.site, list)
            .into_iter()
            .map(|(y, at)| {
                let url = self.urls.link(&route::paged(&base, at / size + 1));
                json!({"year": y, "url": format!("{url}#y{y}")})
            })
            .collect();
        page
    }

    pub(super) fn list(
        &self,
        base: &str,
        n: usize,
        list: &[usize],
        title: &str,
        intro: &str,
        parent: (&str, &str),
    ) -> Value {
        let (range, pagination) = self.pagination(base, n, list.len());
        let mut page = json!({
            "title": title,
            "intro": intro,
            "breadcrumbs": [{"name": parent.0, "url": self.urls.link(parent.1)}],
            "pagination": pagination,
        });
        page["records"] = self.cards_of(&list[range]);
        page
    }

    /// `/search/`: the form, the filters' values and, for browsers without
    /// JavaScript, the browse indexes.
    pub(super) fn search_page(&self) -> Value {
        let f = crate::publish::search_facets(&self.publish_ctx());
        let named = |names: &[String]| -> Vec<Value> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| json!({"value": i, "name": n}))
                .collect()
        };
        // Places in the contract's order: a depth-first walk of the tree,
        // children in sibling order (`order`, then code, then slug). The
        // values stay the places' numbers, which the search index uses.
        let tree = &self.graph.site.places;
        let mut places: Vec<Value> = Vec::with_capacity(tree.len());
        let mut stack: Vec<usize> = tree[0].children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            let p = &f.places[i];
            places.push(json!({"value": i, "name": p.name, "depth": p.depth}));
            stack.extend(tree[i].children.iter().rev());
        }
        json!({
            "title": self.s("search"),
            "index_url": self.urls.route(&Route::Search),
            "script_url": self.urls.link(route::SEARCH_SCRIPT),
            "browse": [
                {"name": self.s("places"), "url": self.urls.route(&Route::Home)},
                {"name": self.s("types"), "url": self.urls.route(&Route::TypesIndex)},
                {"name": self.s("years"), "url": self.urls.route(&Route::YearsIndex)},
                {"name": self.s("forms"), "url": self.urls.route(&Route::FormsIndex)},
            ],
            "facets": {
                "places": places,
                "topic_types": named(&f.topic_types),
                "years": f.years.iter().enumerate().rev().map(|(i, y)| json!({"value": i, "name": y.to_string()})).collect::<Vec<_>>(),
                "statuses": named(&f.statuses),
            },
        })
    }

    /// `/data/`: what the open data files are, for the site and each place.
    pub(super) fn data_page(&self) -> Value {
        crate::publish::data::page_value(&self.publish_ctx(), &self.plan.lists.data_sets)
    }

    /// Subscribe and download links of a place (the top level: the site).
    pub(super) fn follow(&self, p: usize) -> Value {
        let place = &self.graph.site.places[p];
        let page = route::of_place(place);
        let data: Vec<Value> = crate::publish::data::DataFile::ALL
            .iter()
            .map(|f| {
                json!({
                    "label": self.s(f.label_key()),
                    "kind": f.format(),
                    "url": self.urls.link(&route::data_file(place, f.name())),
                })
            })
            .collect();
        json!({
            "feed_url": self.urls.link(&page.feed()),
            "calendar_url": self.urls.link(&page.calendar()),
            "data": data,
            "data_page": self.urls.route(&Route::DataIndex),
        })
    }

    pub(super) fn overview(&self, title: &str, intro: &str, items: Vec<Value>) -> Value {
        json!({"title": title, "intro": intro, "items": items})
    }

    pub(super) fn types_index(&self) -> Value {
        let items = self
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .zip(&self.graph.by_type)
            .map(|(t, l)| json!({"label": t.name, "url": self.urls.route(&Route::Type(&t.slug)), "count": l.len()}))
            .collect();
        self.overview(self.s("types"), self.s("type_list_intro"), items)
    }

    pub(super) fn years_index(&self) -> Value {
        let items = self
            .graph
            .by_year
            .iter()
            .rev()
            .map(|(y, l)| json!({"label": self.s("year_title").replace("{year}", &y.to_string()), "url": self.urls.route(&Route::Year(*y)), "count": l.len()}))
            .collect();
        self.overview(self.s("years"), self.s("year_list_intro"), items)
    }

    pub(super) fn forms_index(&self) -> Value {
        let items = self
            .config
            .vocabularies
            .session_forms
            .terms
            .iter()
            .zip(&self.graph.by_form)
            .map(|(t, l)| json!({"label": t.name, "url": self.urls.route(&Route::Form(&t.slug)), "count": l.len()}))
            .collect();
        self.overview(self.s("forms"), self.s("form_list_intro"), items)
    }

    pub(super) fn record(&self, i: usize, body: &str) -> Value {
        let g = self.graph;
        let r = &g.site.records[i];
        let mut crumbs = self.breadcrumbs_place(r.place, true);
        let mut common = json!({
            "title": r.title,
            "tags": r.tags,
            "summary": r.summary,
            "description": markdown::truncate(&r.plain_summary, 120),
            "extra": r.extra,
            "source": r.file,
            "print_url": self.urls.route(&Route::Print(&g.site.places[r.place], r)),
        });
        // Moved in: `json!` would copy them.
        common["card"] = Value::clone(&self.card(i));
        common["body_html"] = Value::String(markdown::to_html(body));
        let kind_data = match &r.data {
            RecordBody::Topic(t) => self.topic(i, t),
            RecordBody::Session(s) => self.session(i, s),
            RecordBody::Outcome(o) => self.outcome(i, o),
        };
        // An outcome sits under its topic; a session, which may discuss
        // several topics, under its place only.
        if let Some(t) = r.outcome().and_then(|o| o.topic) {
            crumbs.push(json!({"name": g.site.records[t].title, "url": self.record_url(t)}));
        }
        common["breadcrumbs"] = json!(crumbs);
        common[r.kind.dir()] = kind_data;
        common
    }

    pub(super) fn topic(&self, i: usize, t: &Topic) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let term = v.topic_types.get(t.topic_type);
        let outcome = g.outcome_of[i];
        let chain: Vec<Value> = g
            .chain(i)
            .into_iter()
            .map(|step| match step {
                Step::Proposed => json!({"kind": "proposed", "label": self.s("chain_proposed"), "date": self.date_value(t.proposed), "text": t.proposer}),
                Step::Notice => json!({"kind": "notice", "label": self.s("chain_notice"), "date": t.notice.map(|n| self.date_value(n)),
                    "until": t.notice_until.map(|u| self.date_value(u))}),
                Step::Session(s) => {
                    let rec = &g.site.records[s];
                    let sess = rec.session().expect("session");
                    json!({"kind": "session", "label": v.session_forms.get(sess.form).name,
                        "date": self.moment_value(&sess.date), "title": rec.title, "url": self.record_url(s), "upcoming": g.is_upcoming[s]})
                }
                Step::Outcome(o) => {
                    let rec = &g.site.records[o];
                    let oc = rec.outcome().expect("outcome");
                    json!({"kind": "outcome", "label": self.s("chain_outcome"),
                        "date": self.date_value(oc.decided), "title": rec.title, "url": self.record_url(o),
                        "text": v.results.get(oc.result).name})
                }
                Step::Progress(o, k) => {
                    let p = &g.site.records[o].outcome().expect("outcome").progress[k];
                    let st = v.progress_states.get(p.state);
                    json!({"kind": "progress", "label": st.name, "final": st.is_final,
                        "date": self.date_value(p.date), "text": p.note})
                }
                Step::DeadlineMissed(d) => json!({"kind": "overdue", "label": self.s("chain_deadline_missed"), "date": self.date_value(d)}),
                Step::Withdrawn(w) => json!({"kind": "withdrawn", "label": self.s("chain_withdrawn"), "date": self.date_value(w)}),
            })
            .collect();
        let mut v = json!({
            "type": {"label": term.name, "url": self.urls.route(&Route::Type(&term.slug))},
            "status": self.status_value(i),
            "overdue": g.overdue[i],
            "deadline": outcome.and_then(|o| g.site.records[o].outcome()).and_then(|o| o.deadline).map(|d| self.date_value(d)),
            "proposer": t.proposer,
            "proposed": self.date_value(t.proposed),
            "notice": t.notice.map(|d| self.date_value(d)),
            "notice_until": t.notice_until.map(|d| self.date_value(d)),
            "withdrawn": t.withdrawn.map(|d| self.date_value(d)),
            "amount": t.amount.map(|a| self.amount_text(a)),
            "villages": t.villages.iter().map(|&p| self.place_link(p)).collect::<Vec<_>>(),
            "chain": chain,
            "tallies": self.tallies(i),
            "glance": self.glance(i),
        });
        v["related"] = self.cards_of(&t.related);
        v["sessions"] = self.cards_of(&g.sessions_of[i]);
        v["outcome"] = match outcome {
            Some(o) => self.cards_of(&[o])[0].take(),
            None => Value::Null,
        };
        v
    }

    pub(super) fn session(&self, i: usize, s: &Session) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let r = &g.site.records[i];
        let form = v.session_forms.get(s.form);
        let tally = tally_value;
        let (vote, votes) = match &s.vote {
            Some(Vote::Single(t)) => (tally(t), Vec::new()),
            Some(Vote::PerTopic(per)) => (
                Value::Null,
                per.iter()
                    .filter_map(|(_, topic, t)| {
                        topic.map(|ti| {
                            let mut v = json!({"tally": tally(t)});
                            v["topic"] = Value::clone(&self.card(ti));
                            v
                        })
                    })
                    .collect(),
            ),
            None => (Value::Null, Vec::new()),
        };
        let place = &g.site.places[r.place];
        let attachments: Vec<Value> = s
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
                json!({"name": name, "url": self.urls.link(&path)})
            })
            .collect();
        let mut v = json!({
            "date": self.moment_value(&s.date),
            "end": s.end.map(|e| {
                if e.day() == s.date.day() { json!({"text": e.local.format("%H:%M").to_string(), "iso": e.local.format("%Y-%m-%dT%H:%M").to_string()}) }
                else { self.moment_value(&e) }
            }),
            "upcoming": g.is_upcoming[i],
            "form": {"label": form.name, "url": self.urls.route(&Route::Form(&form.slug))},
            "location": s.location,
            "participants": s.participants.iter().map(|(grp, n)| json!({"label": v.participant_groups.get(*grp).name, "count": n})).collect::<Vec<_>>(),
            "attendance": s.attendance,
            "vote": vote,
            "votes": votes,
            "attachments": attachments,
        });
        v["topics"] = self.cards_of(&s.topics);
        // Next to each topic discussed, the tally this session gave it.
        v["topic_tallies"] = s
            .topics
            .iter()
            .map(|&t| {
                g.tallies_of(t)
                    .into_iter()
                    .find(|(session, _)| *session == i)
                    .map_or(Value::Null, |(_, tally)| tally_value(tally))
            })
            .collect();
        v
    }

    /// The tallies of topic `t`, one per session that voted on it, oldest
    /// first: for its page and its outcome's.
    fn tallies(&self, t: usize) -> Value {
        let g = self.graph;
        let forms = &self.config.vocabularies.session_forms;
        g.tallies_of(t)
            .into_iter()
            .map(|(s, tally)| {
                let rec = &g.site.records[s];
                let session = rec.session().expect("a session");
                json!({
                    "title": rec.title,
                    "url": self.record_url(s),
                    "date": self.moment_value(&session.date),
                    "form": forms.get(session.form).name,
                    "tally": tally_value(tally),
                })
            })
            .collect()
    }

    /// A progress report as the outcome page and a topic's glance show it.
    fn progress_value(&self, p: &Progress) -> Value {
        let st = self.config.vocabularies.progress_states.get(p.state);
        json!({"date": self.date_value(p.date), "state": st.name, "final": st.is_final, "note": p.note})
    }

    /// What a topic page answers first: where the matter stands (and by
    /// how many days it is overdue), what was decided and by which vote,
    /// who carries it out by when, and what happened last.
    fn glance(&self, i: usize) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let outcome = g.outcome_of[i].and_then(|o| g.site.records[o].outcome().map(|oc| (o, oc)));
        let deciding = outcome
            .and_then(|(_, oc)| {
                // The vote of the last session the outcome names, else of
                // the last session that voted on the topic.
                let tallies = g.tallies_of(i);
                oc.sessions
                    .iter()
                    .rev()
                    .find_map(|s| tallies.iter().find(|(t, _)| t == s).copied())
                    .or_else(|| tallies.last().copied())
            })
            .map(|(_, tally)| tally_value(tally));
        let overdue_days = outcome
            .and_then(|(_, oc)| oc.deadline)
            .filter(|_| g.overdue[i])
            .map(|d| (g.as_of - d).num_days().to_string());
        json!({
            "overdue_days": overdue_days,
            "result": outcome.map(|(_, oc)| {
                let r = v.results.get(oc.result);
                json!({"slug": r.slug, "label": r.name})
            }),
            "decided": outcome.map(|(_, oc)| self.date_value(oc.decided)),
            "tally": deciding,
            "responsible": outcome.and_then(|(_, oc)| oc.responsible.clone()),
            "outcome_amount": outcome.and_then(|(_, oc)| oc.amount).map(|a| self.amount_text(a)),
            "latest": outcome.and_then(|(_, oc)| oc.progress.last()).map(|p| self.progress_value(p)),
        })
    }

    pub(super) fn outcome(&self, i: usize, o: &Outcome) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let result = v.results.get(o.result);
        let topic = o.topic;
        let mut v = json!({
            "decided": self.date_value(o.decided),
            "result": {"slug": result.slug, "label": result.name},
            "responsible": o.responsible,
            "deadline": o.deadline.map(|d| self.date_value(d)),
            "amount": o.amount.map(|a| self.amount_text(a)),
            "overdue": topic.is_some_and(|t| g.overdue[t]),
            "status": topic.map(|t| self.status_value(t)),
            "progress": o.progress.iter().map(|p| self.progress_value(p)).collect::<Vec<_>>(),
            "self_url": self.record_url(i),
            "tallies": topic.map(|t| self.tallies(t)),
        });
        v["topic"] = topic.map_or(Value::Null, |t| Value::clone(&self.card(t)));
        v["sessions"] = self.cards_of(&o.sessions);
        v
    }
}

/// A tally as pages show it: the three counts (any may be missing) and
/// their total.
fn tally_value(t: &Tally) -> Value {
    json!({"for": t.yes, "against": t.against, "abstain": t.abstain, "total": t.sum()})
}
