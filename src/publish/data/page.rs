//! What the `/data/` page shows of the data sets.

use super::SCHEMA_PATH;
use super::{DataFile, DataSet};
use crate::model::Place;
use crate::publish::Ctx;

/// The context of the `/data/` page (`data.html`): `title`, `intro`,
/// `license`, `schema_url`, and `sets`, each `{name, depth, count, files:
/// [{label, url, kind}]}` with root-relative links.
pub fn page_value(ctx: &Ctx, sets: &[DataSet]) -> serde_json::Value {
    let places = &ctx.graph.site.places;
    let sets: Vec<serde_json::Value> = sets
        .iter()
        .map(|set| {
            let files: Vec<serde_json::Value> = DataFile::ALL
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "label": ctx.string(f.label_key()),
                        "url": ctx.urls.link(&format!("{}{}", set.dir, f.name())),
                        "kind": f.format(),
                    })
                })
                .collect();
            serde_json::json!({
                "name": set.title,
                "depth": places.get(set.place).map_or(0, Place::depth),
                "count": set.records.len(),
                "files": files,
            })
        })
        .collect();
    serde_json::json!({
        "title": ctx.string("data_title"),
        "license": ctx.config.license,
        "schema_url": ctx.urls.link(SCHEMA_PATH),
        "sets": sets,
    })
}
