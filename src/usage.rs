//! The usage set: distinct `(action, resource, region, facts)` with their evidence. The only structure that
//! grows with the input, and it grows with distinct usage, not with the number of events.

use crate::mapper::EntryRef;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UsageKey {
    pub action: String,
    pub resource: String,
    pub region: String,
    pub facts: BTreeMap<String, String>,
}

/// What shows that an action was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
    /// The earliest event (by time, then eventID): deterministic whatever order the files are read in.
    pub sample_event_id: String,
    #[serde(serialize_with = "entries_as_strings")]
    pub entries: BTreeSet<EntryRef>,
}

fn entries_as_strings<S: serde::Serializer>(
    entries: &BTreeSet<EntryRef>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(entries.iter().map(ToString::to_string))
}

impl Evidence {
    pub fn new(time: &str, event_id: &str, entry: Option<&EntryRef>) -> Evidence {
        Evidence {
            count: 1,
            first_seen: time.to_string(),
            last_seen: time.to_string(),
            sample_event_id: event_id.to_string(),
            entries: entry.cloned().into_iter().collect(),
        }
    }

    pub fn merge(&mut self, other: &Evidence) {
        self.count += other.count;
        if (other.first_seen.as_str(), other.sample_event_id.as_str())
            < (self.first_seen.as_str(), self.sample_event_id.as_str())
        {
            self.sample_event_id.clone_from(&other.sample_event_id);
        }
        if other.first_seen < self.first_seen {
            self.first_seen.clone_from(&other.first_seen);
        }
        if other.last_seen > self.last_seen {
            self.last_seen.clone_from(&other.last_seen);
        }
        self.entries.extend(other.entries.iter().cloned());
    }
}

/// A call the principal was denied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeniedKey {
    /// The action named by the error message, or `eventSource eventName` when it names none.
    pub action: String,
    pub error_code: String,
}

#[derive(Debug, Default, Clone)]
pub struct UsageSet {
    pub used: BTreeMap<UsageKey, Evidence>,
    pub denied: BTreeMap<DeniedKey, Evidence>,
}

impl UsageSet {
    pub fn add(&mut self, key: UsageKey, evidence: Evidence) {
        match self.used.get_mut(&key) {
            Some(existing) => existing.merge(&evidence),
            None => {
                self.used.insert(key, evidence);
            }
        }
    }

    pub fn add_denied(&mut self, key: DeniedKey, evidence: Evidence) {
        match self.denied.get_mut(&key) {
            Some(existing) => existing.merge(&evidence),
            None => {
                self.denied.insert(key, evidence);
            }
        }
    }

    pub fn merge(&mut self, other: UsageSet) {
        for (key, evidence) in other.used {
            self.add(key, evidence);
        }
        for (key, evidence) in other.denied {
            self.add_denied(key, evidence);
        }
    }

    /// Evidence per action, over every resource and region.
    pub fn by_action(&self) -> BTreeMap<&str, Evidence> {
        let mut out: BTreeMap<&str, Evidence> = BTreeMap::new();
        for (key, evidence) in &self.used {
            match out.get_mut(key.action.as_str()) {
                Some(existing) => existing.merge(evidence),
                None => {
                    out.insert(&key.action, evidence.clone());
                }
            }
        }
        out
    }
}
