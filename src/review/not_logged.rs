//! Grants whose use CloudTrail cannot show: the review never proposes removing them. What they are is data
//! (`service-maps/facts/not-logged.json`, with its sources), not code.

use crate::glob::wildcard_match;
use std::sync::OnceLock;

/// A class of calls CloudTrail does not show.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unlogged {
    pub what: String,
    /// Data events: observable once any of them was seen in the window. Otherwise never logged.
    pub data_event: bool,
    pub patterns: Vec<String>,
}

#[derive(serde::Deserialize)]
struct File {
    #[serde(rename = "_doc")]
    _doc: String,
    classes: Vec<Unlogged>,
}

/// Every class, in the file's order.
pub fn unlogged() -> &'static [Unlogged] {
    static CLASSES: OnceLock<Vec<Unlogged>> = OnceLock::new();
    CLASSES.get_or_init(|| {
        // Embedded and checked by a test: a broken file fails it loudly.
        serde_json::from_str::<File>(include_str!("../../service-maps/facts/not-logged.json"))
            .map(|f| f.classes)
            .unwrap_or_default()
    })
}

pub fn matches_any(patterns: &[String], action: &str) -> bool {
    patterns.iter().any(|p| wildcard_match(p, action, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::catalogue::Registry;

    /// The file parses, and every pattern names actions of the catalogue.
    #[test]
    fn the_classes_are_data_that_parses() {
        let classes = unlogged();
        assert!(classes.len() >= 7);
        for class in classes {
            for pattern in &class.patterns {
                let known = Registry::embedded().expand(pattern);
                assert!(known.is_ok(), "{pattern} matches no action");
            }
        }
    }
}
