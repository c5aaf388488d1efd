//! Typed access to the fields of one YAML mapping, reporting each problem
//! with its position, and the parsers of the values they hold.

use chrono::NaiveDate;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::Node;

use crate::config::PrivacyMode;
use crate::date::parse_date;
use crate::diagnostic::{Diagnostic, Pos};
use crate::load::LoadedYaml;
use crate::model::Ref;
use crate::privacy;
use crate::vocab::{suggest, Vocabulary};

/// Typed access to one YAML mapping, reporting problems with positions.
pub(super) struct Fields<'a> {
    file: &'a str,
    pub(super) map: Option<&'a MarkedMappingNode>,
    line_offset: usize,
    pub(super) privacy: PrivacyMode,
    pub(super) diags: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(y: &'a LoadedYaml, privacy: PrivacyMode) -> Fields<'a> {
        Fields {
            file: &y.file,
            map: y.map.as_ref(),
            line_offset: y.line_offset,
            privacy,
            diags: Vec::new(),
        }
    }

    pub(super) fn sub(&self, map: &'a MarkedMappingNode) -> Fields<'a> {
        Fields {
            file: self.file,
            map: Some(map),
            line_offset: self.line_offset,
            privacy: self.privacy,
            diags: Vec::new(),
        }
    }

    pub(super) fn error(&mut self, pos: Option<Pos>, message: String, hint: Option<String>) {
        self.diags
            .push(Diagnostic::error(self.file, pos, message).with_hint_opt(hint));
    }

    pub(super) fn missing(&mut self, key: &str, hint: &str) {
        // The front matter's first line (the opening `---`).
        let pos = Some(Pos::new(self.line_offset.max(1), 1, 3));
        self.error(pos, format!("缺少必填字段 `{key}`"), Some(hint.to_string()));
    }

    fn marker_pos(&self, m: Option<&marked_yaml::Marker>, len: usize) -> Option<Pos> {
        m.map(|m| Pos::new(m.line() + self.line_offset, m.column(), len))
    }

    pub(super) fn scalar_pos(&self, s: &MarkedScalarNode) -> Option<Pos> {
        self.marker_pos(s.span().start(), s.as_str().chars().count().max(1))
    }

    pub(super) fn node_pos(&self, n: &Node) -> Option<Pos> {
        match n {
            Node::Scalar(s) => self.scalar_pos(s),
            other => self.marker_pos(other.span().start(), 1),
        }
    }

    fn entry(&self, key: &str) -> Option<(&'a MarkedScalarNode, &'a Node)> {
        self.map?.iter().find(|(k, _)| k.as_str() == key)
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    pub(super) fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entry(key).and_then(|(k, _)| self.scalar_pos(k))
    }

    pub(super) fn value_pos(&self, key: &str) -> Option<Pos> {
        self.entry(key).and_then(|(_, v)| self.node_pos(v))
    }

    pub(super) fn node(&self, key: &str) -> Option<(&'a Node, Option<Pos>)> {
        self.entry(key).map(|(k, v)| (v, self.scalar_pos(k)))
    }

    pub(super) fn check_keys(&mut self, allowed: &[&str], allow_x: bool) {
        let Some(map) = self.map else { return };
        for (k, _) in map.iter() {
            let key = k.as_str();
            if allowed.contains(&key) || (allow_x && key.starts_with("x_")) {
                continue;
            }
            let hint = match suggest(key, allowed.iter().copied()) {
                Some(s) => format!("是不是 `{s}`？"),
                None if allow_x => {
                    format!("可用的字段：{}；自定义字段请以 x_ 开头", allowed.join("、"))
                }
                None => format!("可用的字段：{}", allowed.join("、")),
            };
            let pos = self.scalar_pos(k);
            self.error(pos, format!("未知的字段 `{key}`"), Some(hint));
        }
    }

    /// Run `parse` on a scalar value, reporting its error at the value.
    pub(super) fn with_scalar<T>(
        &mut self,
        key: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.entry(key) {
            None => {
                if required {
                    self.missing(key, &format!("在 YAML 信息块中加上 `{key}: …`"));
                }
                None
            }
            Some((_, Node::Scalar(s))) => match parse(s.as_str()) {
                Ok(v) => Some(v),
                Err(msg) => {
                    let pos = self.scalar_pos(s);
                    self.error(pos, format!("`{key}`：{msg}"), None);
                    None
                }
            },
            Some((_, other)) => {
                let pos = self.node_pos(other);
                self.error(pos, format!("`{key}` 应为单个值，而不是列表或对照表"), None);
                None
            }
        }
    }

    pub(super) fn string_at(&mut self, key: &str, required: bool) -> Option<(String, Option<Pos>)> {
        let pos = self.value_pos(key);
        self.with_scalar(key, required, |s| {
            let s = s.trim();
            if s.is_empty() {
                Err("不能为空".to_string())
            } else {
                Ok(s.to_string())
            }
        })
        .map(|s| (s, pos))
    }

    pub(super) fn string(&mut self, key: &str, required: bool) -> Option<String> {
        self.string_at(key, required).map(|(s, _)| s)
    }

    pub(super) fn masked(&self, s: String) -> String {
        match self.privacy {
            PrivacyMode::Mask => privacy::mask_all(&s).into_owned(),
            PrivacyMode::Error => s,
        }
    }

    pub(super) fn date(&mut self, key: &str, required: bool) -> Option<NaiveDate> {
        self.with_scalar(key, required, parse_date)
    }

    pub(super) fn boolean(&mut self, key: &str) -> Option<bool> {
        self.with_scalar(key, false, |s| match s.trim() {
            "true" | "True" | "TRUE" => Ok(true),
            "false" | "False" | "FALSE" => Ok(false),
            other => Err(format!(
                "`{other}` 不是 true 或 false（YAML 1.2 中 yes/no 是文字）"
            )),
        })
    }

    pub(super) fn count(&mut self, key: &str) -> Option<u64> {
        self.with_scalar(key, false, parse_count)
    }

    pub(super) fn count_node(&mut self, n: &Node) -> Option<u64> {
        let pos = self.node_pos(n);
        match n.as_scalar().map(|s| parse_count(s.as_str())) {
            Some(Ok(c)) => Some(c),
            Some(Err(msg)) => {
                self.error(pos, msg, None);
                None
            }
            None => {
                self.error(pos, "应为人数（整数）".into(), None);
                None
            }
        }
    }

    pub(super) fn integer(&mut self, key: &str) -> Option<i64> {
        self.with_scalar(key, false, |s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("`{}` 不是整数", s.trim()))
        })
    }

    pub(super) fn amount(&mut self, key: &str) -> Option<f64> {
        self.with_scalar(key, false, parse_amount)
    }

    pub(super) fn term(&mut self, key: &str, vocab: &Vocabulary, required: bool) -> Option<usize> {
        let (word, pos) = self.string_at(key, required)?;
        match vocab.find(&word) {
            Some(i) => Some(i),
            None => {
                let what = match vocab.key {
                    "topic_types" => "议题类型",
                    "session_forms" => "协商形式",
                    "participant_groups" => "参会群体",
                    "results" => "协商结果",
                    _ => "进展状态",
                };
                let hint = vocab_hint(vocab, &word);
                self.error(pos, format!("未知的{what} `{word}`"), Some(hint));
                None
            }
        }
    }

    /// A list of strings; a single string counts as a list of one.
    pub(super) fn string_list(&mut self, key: &str) -> Vec<(String, Option<Pos>)> {
        let Some((node, _)) = self.node(key) else {
            return Vec::new();
        };
        let items: Vec<&Node> = match node {
            Node::Sequence(seq) => seq.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Node::Scalar(s) if !s.as_str().trim().is_empty() => {
                    out.push((s.as_str().trim().to_string(), self.scalar_pos(s)))
                }
                other => {
                    let pos = self.node_pos(other);
                    self.error(pos, format!("`{key}` 的每一项应为一段文字"), None);
                }
            }
        }
        out
    }

    pub(super) fn refs(&mut self, key: &str) -> Vec<Ref> {
        self.string_list(key)
            .into_iter()
            .map(|(text, pos)| Ref { text, pos })
            .collect()
    }

    /// `x_` keys as JSON for templates (scalars stay text).
    pub(super) fn extra(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::new();
        if let Some(map) = self.map {
            for (k, v) in map.iter() {
                if k.as_str().starts_with("x_") {
                    out.insert(k.as_str().to_string(), self.to_json(v));
                }
            }
        }
        out
    }

    fn to_json(&self, n: &Node) -> serde_json::Value {
        match n {
            Node::Scalar(s) => serde_json::Value::String(self.masked(s.as_str().to_string())),
            Node::Sequence(seq) => seq.iter().map(|i| self.to_json(i)).collect(),
            Node::Mapping(m) => m
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), self.to_json(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

pub(super) fn vocab_hint(v: &Vocabulary, word: &str) -> String {
    match v.suggest(word) {
        Some(s) => format!("是不是 `{s}`？"),
        None => format!("可用的值：{}", v.listing()),
    }
}

fn parse_count(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("`{}` 不是人数（非负整数）", s.trim()))
}

/// A non-negative number of yuan with at most two decimals.
fn parse_amount(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(s.contains('.') && frac.is_empty());
    if !ok {
        return Err(format!(
            "`{s}` 不是金额：应为以元为单位的非负数，最多两位小数（如 860000 或 12500.50）"
        ));
    }
    s.parse::<f64>().map_err(|_| format!("`{s}` 不是金额"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("860000").unwrap(), 860000.0);
        assert_eq!(parse_amount("12500.5").unwrap(), 12500.5);
        assert!(parse_amount("1.234").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("1e5").is_err());
        assert!(parse_amount("12.").is_err());
    }
}
