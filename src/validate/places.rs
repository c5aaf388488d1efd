//! Places: each folder of `content/` with its `_place.yaml`, checked and
//! linked to its parent and its children.

use std::collections::HashMap;

use super::fields::Fields;
use super::personal::{privacy_in_file, privacy_values};
use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::Loaded;
use crate::model::{Place, PlaceKind};
use crate::privacy;

pub(super) fn validate_places(
    loaded: &Loaded,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::with_capacity(loaded.places.len());
    let mut by_path: HashMap<Vec<String>, usize> = HashMap::new();
    for lp in &loaded.places {
        let depth = lp.path.len();
        let parent = if depth == 0 {
            None
        } else {
            by_path.get(&lp.path[..depth - 1]).copied()
        };
        let mut place = Place {
            path: lp.path.clone(),
            name: lp.path.last().cloned().unwrap_or_default(),
            kind: None,
            summary: None,
            population: None,
            households: None,
            order: None,
            code: None,
            parent,
            children: Vec::new(),
            file: lp
                .file
                .as_ref()
                .map(|f| f.file.clone())
                .unwrap_or_else(|| format!("{}/_place.yaml", lp.dir)),
        };
        for segment in &lp.path {
            if let Some(fd) = privacy::scan(segment).first() {
                diags.push(
                    Diagnostic::error(
                        lp.dir.clone(),
                        None,
                        format!("文件夹名中含有疑似{}", fd.kind.label()),
                    )
                    .with_hint("文件夹名会出现在网址中，无法打码；请改名"),
                );
            }
        }
        let mut masked_yaml = None;
        let mut place_privacy = Vec::new();
        if let Some(y) = &lp.file {
            let (raw, seen) = privacy_in_file(y, 0, config.privacy);
            place_privacy = raw;
            let mut copy = y.clone();
            let values = privacy_values(&mut copy, config.privacy, &seen);
            if !values.is_empty() || !place_privacy.is_empty() {
                place_privacy.extend(values);
                masked_yaml = Some(copy);
            }
        }
        if let Some(y) = masked_yaml.as_ref().or(lp.file.as_ref()) {
            let mut f = Fields::new(y, config.privacy);
            if f.map.is_some() {
                f.check_keys(&crate::fields::keys(crate::fields::PLACE), false);
                if let Some(name) = f.string("name", true) {
                    place.name = name;
                }
                if let Some((kind_text, pos)) = f.string_at("kind", true) {
                    match PlaceKind::parse(&kind_text) {
                        Some(k) if PlaceKind::allowed_at(depth).contains(&k) => {
                            place.kind = Some(k)
                        }
                        Some(_) => f.error(
                            pos,
                            format!("这一层的地点不能是 `{kind_text}`"),
                            Some(depth_hint(depth)),
                        ),
                        None => f.error(
                            pos,
                            format!("未知的地点类型 `{kind_text}`"),
                            Some(depth_hint(depth)),
                        ),
                    }
                }
                place.summary = f.string("summary", false).map(|s| f.masked(s));
                place.population = f.count("population");
                place.households = f.count("households");
                place.order = f.integer("order");
                if let Some((code, pos)) = f.string_at("code", false) {
                    if code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) {
                        place.code = Some(code);
                    } else {
                        f.error(
                            pos,
                            format!("区划代码 `{code}` 应为 12 位数字"),
                            Some("统计用区划代码共 12 位，如 \"320481104000\"".into()),
                        );
                    }
                }
                if let (Some(code), Some(pi)) = (&place.code, parent) {
                    let parent_place: &Place = &places[pi];
                    if let (Some(pc), true) = (&parent_place.code, depth == 2) {
                        if code[..9] != pc[..9] {
                            let pos = f.value_pos("code");
                            f.error(
                                pos,
                                format!("村（社区）的区划代码 `{code}` 应以所属镇（街道）代码的前 9 位 `{}` 开头", &pc[..9]),
                                Some(format!("检查 {} 中的 code", parent_place.file)),
                            );
                        }
                    }
                }
            }
            diags.extend(f.diags);
        }
        diags.extend(place_privacy);
        by_path.insert(lp.path.clone(), places.len());
        places.push(place);
    }
    // Children, sorted by order, then code, then slug.
    for i in 0..places.len() {
        if let Some(p) = places[i].parent {
            places[p].children.push(i);
        }
    }
    for i in 0..places.len() {
        let mut kids = std::mem::take(&mut places[i].children);
        kids.sort_by(|&a, &b| {
            let (pa, pb) = (&places[a], &places[b]);
            (pa.order.is_none(), pa.order, &pa.code, pa.path.last()).cmp(&(
                pb.order.is_none(),
                pb.order,
                &pb.code,
                pb.path.last(),
            ))
        });
        places[i].children = kids;
    }
    places
}

fn depth_hint(depth: usize) -> String {
    match depth {
        0 => "content/_place.yaml 描述市县本身：kind 写 city、county、district（或 市、县、区）",
        1 => "镇一级的 kind 写 town、street、district（或 镇、街道、区）",
        _ => "村一级的 kind 写 village、community（或 村、社区）",
    }
    .to_string()
}
