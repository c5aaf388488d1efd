//! What the `/data/` page shows of the data sets.

use super::SCHEMA_PATH;
use super::{DataFile, DataSet};
use crate::model::Place;
use crate::publish::Ctx;
use crate::render::context::{DataPage, DataSetRow, FileLink};

/// The context of the `/data/` page (`data.html`), with root-relative
/// links: see [`DataPage`].
pub fn page_value(ctx: &Ctx, sets: &[DataSet]) -> DataPage {
    let places = &ctx.graph.site.places;
    DataPage {
        title: ctx.string("data_title").to_string(),
        license: ctx.config.license.clone(),
        schema_url: ctx.urls.link(SCHEMA_PATH),
        sets: sets
            .iter()
            .map(|set| DataSetRow {
                name: set.title.clone(),
                depth: places.get(set.place).map_or(0, Place::depth),
                count: set.records.len(),
                files: DataFile::ALL
                    .iter()
                    .map(|f| FileLink {
                        label: ctx.string(f.label_key()).to_string(),
                        kind: f.format(),
                        url: ctx.urls.link(&format!("{}{}", set.dir, f.name())),
                    })
                    .collect(),
            })
            .collect(),
    }
}
