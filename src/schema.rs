//! `yishi schema`: JSON Schemas (draft 2020-12) of what clerks write —
//! topic, session and outcome front matter, `_place.yaml` and `site.toml` —
//! from the key tables the validator uses ([`crate::fields`]), with the
//! site's own vocabularies as enums (every accepted spelling: slug, name,
//! aliases). Editors (VS Code's YAML and TOML extensions) use them to
//! complete keys and values and to mark mistakes as the clerk types; the
//! validator stays the judge (`yishi check`).

use serde_json::{json, Map, Value};

use crate::fields::{self, Field, Ty, VocabKey};
use crate::vocab::{Vocabularies, Vocabulary};

/// The schemas, by file name: `topic.schema.json`, `session.schema.json`,
/// `outcome.schema.json`, `place.schema.json`, `site.schema.json`.
pub fn schemas(v: &Vocabularies) -> Vec<(&'static str, Value)> {
    let record = |kind: &[Field], title: &str| {
        let all: Vec<Field> = fields::SHARED.iter().chain(kind).copied().collect();
        let mut s = object(&all, v, title, true);
        let one_of = fields::required_one_of(kind);
        if !one_of.is_empty() {
            s["anyOf"] = Value::Array(one_of.iter().map(|k| json!({ "required": [k] })).collect());
        }
        s
    };
    vec![
        ("topic.schema.json", record(fields::TOPIC, "议题 topic")),
        (
            "session.schema.json",
            record(fields::SESSION, "协商会议 session"),
        ),
        (
            "outcome.schema.json",
            record(fields::OUTCOME, "协商成果 outcome"),
        ),
        (
            "place.schema.json",
            object(fields::PLACE, v, "地点 _place.yaml", false),
        ),
        (
            "site.schema.json",
            object(fields::SITE, v, "站点设置 site.toml", false),
        ),
    ]
}

/// An object schema: these keys, the required ones required, no other
/// (but `x_…` keys where `extra_x`).
fn object(fields: &[Field], v: &Vocabularies, title: &str, extra_x: bool) -> Value {
    let mut props = Map::new();
    for f in fields {
        let mut s = of(f.ty, v);
        s["description"] = Value::String(f.about.to_string());
        props.insert(f.key.to_string(), s);
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key)
        .collect();
    let mut s = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    });
    if extra_x {
        s["patternProperties"] = json!({ "^x_": { "description": "自定义字段，原样交给模板" } });
    }
    s
}

fn vocab(v: &Vocabularies, k: VocabKey) -> &Vocabulary {
    match k {
        VocabKey::TopicTypes => &v.topic_types,
        VocabKey::SessionForms => &v.session_forms,
        VocabKey::ParticipantGroups => &v.participant_groups,
        VocabKey::Results => &v.results,
        VocabKey::ProgressStates => &v.progress_states,
    }
}

/// Every accepted spelling of a vocabulary's terms.
fn spellings(voc: &Vocabulary) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in &voc.terms {
        for s in std::iter::once(&t.slug)
            .chain(std::iter::once(&t.name))
            .chain(&t.aliases)
        {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

const DATE: &str = r"^\d{4}-\d{2}-\d{2}$";
const MOMENT: &str = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$";
const END: &str =
    r"^(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?|\d{1,2}:\d{2}(:\d{2})?)$";

fn of(ty: Ty, v: &Vocabularies) -> Value {
    let tally = json!({
        "type": "object",
        "properties": {
            "for": { "type": "integer", "minimum": 0 },
            "against": { "type": "integer", "minimum": 0 },
            "abstain": { "type": "integer", "minimum": 0 }
        },
        "additionalProperties": false
    });
    match ty {
        Ty::Text => json!({ "type": "string" }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Date => json!({ "type": "string", "pattern": DATE }),
        Ty::Moment => json!({ "type": "string", "pattern": MOMENT }),
        Ty::End => json!({ "type": "string", "pattern": END }),
        Ty::Ref => json!({ "type": "string", "minLength": 1 }),
        Ty::Refs | Ty::Strings => json!({
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } }
            ]
        }),
        Ty::Vocab(k) => json!({ "enum": spellings(vocab(v, k)) }),
        Ty::Amount => json!({ "type": "number", "minimum": 0 }),
        Ty::Count => json!({ "type": "integer", "minimum": 0 }),
        Ty::Positive => json!({ "type": "integer", "minimum": 1 }),
        Ty::Integer => json!({ "type": "integer" }),
        Ty::Progress => json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "date": { "type": "string", "pattern": DATE },
                    "state": { "enum": spellings(&v.progress_states) },
                    "note": { "type": "string" }
                },
                "required": ["date", "state"],
                "additionalProperties": false
            }
        }),
        Ty::Participants => json!({
            "type": "object",
            "propertyNames": { "enum": spellings(&v.participant_groups) },
            "additionalProperties": { "type": "integer", "minimum": 0 }
        }),
        Ty::Vote => json!({
            "anyOf": [
                tally,
                {
                    "type": "object",
                    "propertyNames": { "not": { "enum": ["for", "against", "abstain"] } },
                    "additionalProperties": tally
                }
            ]
        }),
        Ty::PlaceKind => json!({
            "enum": ["city", "county", "district", "town", "street", "village", "community",
                     "市", "县", "区", "镇", "街道", "村", "社区"]
        }),
        Ty::Code => json!({
            "anyOf": [
                { "type": "string", "pattern": r"^\d{12}$" },
                { "type": "integer", "minimum": 100000000000_u64, "maximum": 999999999999_u64 }
            ]
        }),
        Ty::Table => json!({ "type": "object" }),
        Ty::OneOf(list) => json!({ "enum": list }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_name_every_key_and_the_site_vocabularies() {
        let v = Vocabularies::default();
        let all = schemas(&v);
        assert_eq!(all.len(), 5);
        for (name, s) in &all {
            assert!(jsonschema::meta::is_valid(s), "{name}");
        }
        let topic = &all[0].1;
        assert_eq!(topic["required"], json!(["title", "type", "proposed"]));
        let types = topic["properties"]["type"]["enum"].as_array().unwrap();
        assert!(types.contains(&json!("annual-budget")) && types.contains(&json!("年度预决算")));
        let session = &all[1].1;
        assert_eq!(
            session["anyOf"],
            json!([{ "required": ["topic"] }, { "required": ["topics"] }])
        );
    }
}
