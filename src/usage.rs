//! The usage set: distinct `(action, resource, region, facts)` with their evidence. The only structure that
//! grows with the input, and it grows with distinct usage, not with the number of events.

use crate::emitter::group;
use crate::mapper::EntryRef;
use crate::report::Location;
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

/// A call that failed with an error other than access denied (throttling, `NoSuchKey`, validation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FailedKey {
    /// `eventSource eventName`.
    pub call: String,
    pub error_code: String,
}

/// The failed calls of one key: their evidence, and what they would have needed, so that a failure the
/// policy grants anyway (the same call also succeeded) is told from one it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCall {
    pub evidence: Evidence,
    pub needs: BTreeSet<UsageKey>,
    /// The first occurrence.
    pub first: Option<Location>,
}

impl FailedCall {
    fn merge(&mut self, other: FailedCall) {
        self.evidence.merge(&other.evidence);
        self.needs.extend(other.needs);
        if other.first.is_some() && (self.first.is_none() || other.first < self.first) {
            self.first = other.first;
        }
    }
}

/// More distinct resources than this for one action under one parent (a bucket, a log group) form a
/// crowd: the emitter would generalise them to their common prefix anyway (`--max-resources` is at most
/// this), so the usage set keeps that prefix instead of every member. Memory then stays flat when every
/// event names a new object, and the policy is the same as if every member had been kept.
pub const CROWD: usize = 1000;

/// A crowd of resources kept as their longest common prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crowd {
    /// The longest common prefix of every member seen.
    pub common: String,
    /// What the members are recorded as: the emitter's wildcard for `common`.
    pub pattern: String,
}

#[derive(Debug, Default, Clone)]
pub struct UsageSet {
    pub used: BTreeMap<UsageKey, Evidence>,
    pub denied: BTreeMap<DeniedKey, Evidence>,
    /// Calls that failed otherwise, not granted (without `--include-denied`).
    pub failed: BTreeMap<FailedKey, FailedCall>,
    /// `(action, parent)` → the crowd its resources became.
    pub crowds: BTreeMap<(String, String), Crowd>,
    /// Distinct resources of each `(action, parent)` until they become a crowd.
    members: BTreeMap<(String, String), BTreeSet<String>>,
    /// Grants that wait for what other records of the principal reveal ([`crate::reveal`]).
    pub revealed: crate::reveal::Revealed,
}

impl UsageSet {
    pub fn add(&mut self, key: UsageKey, evidence: Evidence) {
        let parent = group::parent(&key.resource);
        if key.resource == "*" || parent.is_empty() {
            return self.insert(key, evidence);
        }
        let id = (key.action.clone(), parent.to_string());
        if let Some(crowd) = self.crowds.get(&id) {
            let common = group::common_prefix(&crowd.common, &key.resource).to_string();
            let pattern = self.grow(&id, common);
            return self.insert(
                UsageKey {
                    resource: pattern,
                    ..key
                },
                evidence,
            );
        }
        let members = self.members.entry(id.clone()).or_default();
        members.insert(key.resource.clone());
        let crowded = members.len() > CROWD;
        self.insert(key, evidence);
        if crowded {
            self.collapse(&id, None);
        }
    }

    fn insert(&mut self, key: UsageKey, evidence: Evidence) {
        match self.used.get_mut(&key) {
            Some(existing) => existing.merge(&evidence),
            None => {
                self.used.insert(key, evidence);
            }
        }
    }

    /// Turns the members of `id` (and a crowd of another set, when merging) into one crowd.
    fn collapse(&mut self, id: &(String, String), other: Option<&Crowd>) {
        let members = self.members.remove(id).unwrap_or_default();
        let seeds = self
            .crowds
            .get(id)
            .map(|c| c.common.clone())
            .into_iter()
            .chain(other.map(|c| c.common.clone()));
        let mut common: Option<String> = None;
        for text in seeds.chain(members) {
            common = Some(match common {
                None => text,
                Some(c) => group::common_prefix(&c, &text).to_string(),
            });
        }
        let common = common.unwrap_or_else(|| id.1.clone());
        if !self.crowds.contains_key(id) {
            let pattern = group::pattern(&common, &id.1);
            self.crowds.insert(
                id.clone(),
                Crowd {
                    common: common.clone(),
                    pattern,
                },
            );
            self.rekey(id);
        }
        self.grow(id, common);
    }

    /// Narrows a crowd's common prefix; re-records its members when their wildcard changes.
    fn grow(&mut self, id: &(String, String), common: String) -> String {
        let Some(crowd) = self.crowds.get_mut(id) else {
            return common;
        };
        if common != crowd.common {
            let pattern = group::pattern(&common, &id.1);
            crowd.common = common;
            if pattern != crowd.pattern {
                crowd.pattern = pattern;
                self.rekey(id);
            }
        }
        self.crowds
            .get(id)
            .map(|c| c.pattern.clone())
            .unwrap_or_default()
    }

    /// Records every entry of a crowd's action under its parent as the crowd's pattern.
    fn rekey(&mut self, id: &(String, String)) {
        let Some(pattern) = self.crowds.get(id).map(|c| c.pattern.clone()) else {
            return;
        };
        let stale: Vec<UsageKey> = self
            .used
            .keys()
            .filter(|k| {
                k.action == id.0 && k.resource != pattern && group::parent(&k.resource) == id.1
            })
            .cloned()
            .collect();
        for key in stale {
            if let Some(evidence) = self.used.remove(&key) {
                self.insert(
                    UsageKey {
                        resource: pattern.clone(),
                        ..key
                    },
                    evidence,
                );
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

    pub fn add_failed(&mut self, key: FailedKey, call: FailedCall) {
        match self.failed.get_mut(&key) {
            Some(existing) => existing.merge(call),
            None => {
                self.failed.insert(key, call);
            }
        }
    }

    pub fn merge(&mut self, other: UsageSet) {
        // Crowds first, so that the other set's wildcard entries join a crowd here too.
        for (id, crowd) in &other.crowds {
            self.collapse(id, Some(crowd));
        }
        for (key, evidence) in other.used {
            self.add(key, evidence);
        }
        for (key, evidence) in other.denied {
            self.add_denied(key, evidence);
        }
        for (key, call) in other.failed {
            self.add_failed(key, call);
        }
        self.revealed.merge(other.revealed);
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

/// A usage set of `(action, resource)` pairs in one region, for unit tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn usage_of(items: &[(&str, &str)]) -> UsageSet {
    let mut set = UsageSet::default();
    for (action, resource) in items {
        let key = UsageKey {
            action: action.to_string(),
            resource: resource.to_string(),
            region: "us-east-1".into(),
            facts: BTreeMap::new(),
        };
        set.add(key, Evidence::new("2026-11-01T00:00:00Z", "e1", None));
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emitter::{emit, EmitOptions};
    use crate::report::Diagnostics;

    fn key(resource: String, region: &str) -> UsageKey {
        UsageKey {
            action: "s3:PutObject".into(),
            resource,
            region: region.into(),
            facts: BTreeMap::new(),
        }
    }

    /// Crowds keep memory flat, and the policy is what keeping every member would give, whatever the
    /// order and split of the input.
    #[test]
    fn crowds_give_the_policy_of_every_member() {
        let resources: Vec<String> = (0..2500)
            .map(|i| format!("arn:aws:s3:::b/builds/{}/{i:05}.zip", i % 3))
            .collect();
        let mut whole = UsageSet::default();
        let (mut left, mut right) = (UsageSet::default(), UsageSet::default());
        for (i, r) in resources.iter().enumerate() {
            let region = if i % 2 == 0 { "us-east-1" } else { "eu-west-1" };
            let evidence = Evidence::new("2026-11-01T00:00:00Z", &format!("e{i}"), None);
            whole.add(key(r.clone(), region), evidence.clone());
            if i % 7 < 3 { &mut left } else { &mut right }.add(key(r.clone(), region), evidence);
        }
        right.merge(left);
        assert!(whole.used.len() <= 2, "{} entries kept", whole.used.len());
        assert_eq!(whole.crowds, right.crowds);
        let options = EmitOptions::default();
        let a = emit(&whole, &options, &mut Diagnostics::default()).to_json();
        let b = emit(&right, &options, &mut Diagnostics::default()).to_json();
        assert_eq!(a, b);
        assert!(a.contains("arn:aws:s3:::b/builds/*"), "{a}");
        let total: u64 = right.used.values().map(|e| e.count).sum();
        assert_eq!(total, 2500);
    }

    #[test]
    fn few_resources_stay_exact() {
        let mut set = UsageSet::default();
        for i in 0..10 {
            set.add(
                key(format!("arn:aws:s3:::b/k{i}"), "us-east-1"),
                Evidence::new("t", "e", None),
            );
        }
        assert_eq!(set.used.len(), 10);
        assert!(set.crowds.is_empty());
    }

    #[test]
    fn common_prefix_respects_characters() {
        assert_eq!(group::common_prefix("a/é", "a/è"), "a/");
    }
}
