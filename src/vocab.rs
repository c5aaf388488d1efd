//! Controlled vocabularies: topic types, session forms, participant groups,
//! results and progress states.
//!
//! A record may name a term by its slug, its name or an alias. A name written
//! `村(居)…` (or with full-width parentheses) also accepts `村…` and `居…`, so
//! that villages and urban communities can use their own word.

use serde::{Deserialize, Serialize};

/// One entry of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Progress states only: a final state ends implementation (done).
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

/// A list of terms with lookup by any accepted spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    /// Key in `site.toml`, e.g. `topic_types`: used in messages.
    pub key: &'static str,
    pub terms: Vec<Term>,
}

impl Vocabulary {
    pub fn new(key: &'static str, mut terms: Vec<Term>) -> Vocabulary {
        for t in &mut terms {
            let extra = village_community_aliases(&t.name);
            for a in extra {
                if !t.aliases.contains(&a) {
                    t.aliases.push(a);
                }
            }
        }
        Vocabulary { key, terms }
    }

    /// Index of the term `word` names (slug, name or alias).
    pub fn find(&self, word: &str) -> Option<usize> {
        let word = word.trim();
        self.terms
            .iter()
            .position(|t| t.slug == word || t.name == word || t.aliases.iter().any(|a| a == word))
    }

    pub fn get(&self, index: usize) -> &Term {
        &self.terms[index]
    }

    /// The closest accepted spelling to `word`, for "did you mean".
    pub fn suggest(&self, word: &str) -> Option<String> {
        let spellings = self.terms.iter().flat_map(|t| {
            std::iter::once(&t.slug)
                .chain(std::iter::once(&t.name))
                .chain(t.aliases.iter())
        });
        suggest(word, spellings.map(String::as_str))
    }

    /// The accepted words, for a hint listing them.
    pub fn listing(&self) -> String {
        self.terms
            .iter()
            .map(|t| format!("{}（{}）", t.name, t.slug))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// The candidate most similar to `word`, if it is similar enough to be a
/// plausible typo. Works on characters, so it suits Chinese and pinyin alike.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::normalized_levenshtein(word, c);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= 0.5).map(|(_, c)| c.to_string())
}

/// `村(居)民代表会议` → [`村民代表会议`, `居民代表会议`, `村（居）民代表会议`]:
/// either word alone, and the name with the other kind of parentheses.
fn village_community_aliases(name: &str) -> Vec<String> {
    for (pattern, other) in [("村(居)", "村（居）"), ("村（居）", "村(居)")] {
        if name.contains(pattern) {
            return vec![
                name.replace(pattern, "村"),
                name.replace(pattern, "居"),
                name.replace(pattern, other),
            ];
        }
    }
    Vec::new()
}

fn terms(list: &[(&str, &str)]) -> Vec<Term> {
    list.iter()
        .map(|(slug, name)| Term {
            slug: slug.to_string(),
            name: name.to_string(),
            aliases: Vec::new(),
            is_final: false,
        })
        .collect()
}

/// All five vocabularies of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabularies {
    pub topic_types: Vocabulary,
    pub session_forms: Vocabulary,
    pub participant_groups: Vocabulary,
    pub results: Vocabulary,
    pub progress_states: Vocabulary,
}

impl Vocabularies {
    /// Every vocabulary, to change in place.
    pub fn all_mut(&mut self) -> [&mut Vocabulary; 5] {
        [
            &mut self.topic_types,
            &mut self.session_forms,
            &mut self.participant_groups,
            &mut self.results,
            &mut self.progress_states,
        ]
    }
}

impl Default for Vocabularies {
    /// The defaults, in the plan's own terms.
    fn default() -> Self {
        let mut states = terms(&[
            ("started", "已启动"),
            ("in-progress", "推进中"),
            ("done", "已完成"),
            ("stopped", "已终止"),
        ]);
        states[2].is_final = true;
        states[3].is_final = true;
        Vocabularies {
            topic_types: Vocabulary::new(
                "topic_types",
                terms(&[
                    ("public-affairs", "公共事务"),
                    ("public-welfare", "公益事业"),
                    ("property-rights", "物业权益"),
                    ("volunteer-service", "志愿服务"),
                    ("development-planning", "发展规划"),
                    ("project-construction", "项目建设"),
                    ("land-contracting", "土地承包"),
                    ("demolition-compensation", "拆迁补偿"),
                    ("environmental-protection", "环境保护"),
                    ("annual-budget", "年度预决算"),
                    ("other", "其他"),
                ]),
            ),
            session_forms: Vocabulary::new(
                "session_forms",
                terms(&[
                    ("representatives-meeting", "村(居)民代表会议"),
                    ("deliberation-council", "村(居)民议事会"),
                    ("supervision-committee", "村务监督管理会"),
                    ("communication-meeting", "民主沟通会"),
                    ("major-affairs-review", "重大事务论证会"),
                    ("opinion-poll", "民意调查"),
                    ("public-talk", "民情恳谈"),
                    ("civil-consultation", "民事协商"),
                    ("public-hearing", "民主听证"),
                    ("other", "其他"),
                ]),
            ),
            participant_groups: Vocabulary::new(
                "participant_groups",
                terms(&[
                    ("resident-reps", "村(居)民代表"),
                    ("residents", "村(居)民"),
                    ("new-economic-orgs", "新经济组织"),
                    ("new-social-groups", "新社会群体"),
                    ("vulnerable-groups", "弱势群体"),
                    ("social-orgs", "社会组织"),
                    ("party-reps", "党代表"),
                    ("npc-deputies", "人大代表"),
                    ("cppcc-members", "政协委员"),
                    ("officials", "政府部门"),
                    ("other", "其他"),
                ]),
            ),
            results: Vocabulary::new(
                "results",
                terms(&[
                    ("adopted", "通过"),
                    ("partly-adopted", "部分采纳"),
                    ("rejected", "未通过"),
                    ("deferred", "暂缓"),
                ]),
            ),
            progress_states: Vocabulary::new("progress_states", states),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_slug_name_and_village_alias() {
        let v = Vocabularies::default();
        let f = &v.session_forms;
        let i = f.find("representatives-meeting").unwrap();
        assert_eq!(f.find("村(居)民代表会议"), Some(i));
        assert_eq!(f.find("村民代表会议"), Some(i));
        assert_eq!(f.find("居民代表会议"), Some(i));
        assert_eq!(f.find("市民代表会议"), None);
    }

    #[test]
    fn full_width_parentheses_give_aliases_too() {
        let v = Vocabulary::new("x", terms(&[("a", "村（居）民议事会")]));
        assert_eq!(v.find("居民议事会"), Some(0));
        assert_eq!(v.find("村(居)民议事会"), Some(0));
        let d = Vocabularies::default();
        assert!(d.session_forms.find("村（居）民议事会").is_some());
    }

    #[test]
    fn suggests_close_chinese_word() {
        let v = Vocabularies::default();
        assert_eq!(
            v.topic_types.suggest("项目建筑").as_deref(),
            Some("项目建设")
        );
        assert_eq!(v.topic_types.suggest("完全无关的词语"), None);
    }

    #[test]
    fn final_progress_states() {
        let v = Vocabularies::default();
        let finals: Vec<_> = v
            .progress_states
            .terms
            .iter()
            .filter(|t| t.is_final)
            .map(|t| t.slug.as_str())
            .collect();
        assert_eq!(finals, ["done", "stopped"]);
    }
}
