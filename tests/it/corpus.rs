//! The real CloudTrail corpus (`tests/data/real/`, copied from public sources with provenance).

use super::support::root;
use policygen::event::Record;
use policygen::mapper::{Mapper, Outcome};
use std::collections::BTreeMap;

fn corpus() -> String {
    std::fs::read_to_string(root().join("tests/data/real/records.jsonl"))
        .expect("corpus is present")
}

#[test]
fn every_real_record_parses() {
    let text = corpus();
    let mut count = 0;
    for (line, raw) in text.lines().enumerate() {
        let parsed: Result<Record, _> = serde_json::from_str(raw);
        assert!(parsed.is_ok(), "line {}: {:?}", line + 1, parsed.err());
        count += 1;
    }
    assert_eq!(count, 860);
}

/// The share of distinct API-call pairs the maps know. Pairs the corpus invented (hand-edited rule
/// fixtures naming operations that do not exist) are listed in `tests/data/real/not-real-operations.txt`.
#[test]
fn real_corpus_mapping_coverage() {
    let text = corpus();
    let invented: Vec<String> =
        std::fs::read_to_string(root().join("tests/data/real/not-real-operations.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
    let mapper = Mapper::default();
    let mut outcomes: BTreeMap<String, bool> = BTreeMap::new();
    for raw in text.lines() {
        let Ok(record) = serde_json::from_str::<Record>(raw) else {
            continue;
        };
        if !record.is_api_call() || record.source().is_empty() {
            continue;
        }
        let call = format!("{} {}", record.source(), record.name());
        let mapped = !matches!(mapper.map_record(&record).outcome, Outcome::Unmapped(_));
        *outcomes.entry(call).or_insert(false) |= mapped;
    }
    let real: Vec<(&String, &bool)> = outcomes
        .iter()
        .filter(|(c, _)| !invented.contains(c))
        .collect();
    let unmapped: Vec<&&String> = real.iter().filter(|(_, m)| !**m).map(|(c, _)| c).collect();
    let share = (real.len() - unmapped.len()) as f64 / real.len() as f64;
    assert!(
        share >= 0.99,
        "{:.1}% of {} real pairs mapped; unmapped: {unmapped:?}",
        share * 100.0,
        real.len()
    );
}
