//! The usage set: distinct `(action, resource, region, facts)` with their evidence. The only structure that
//! grows with the input, and it grows with distinct usage, not with the number of events.

pub mod principals;
pub mod reveal;
mod sink;
mod small_set;

pub use sink::MappingSink;
pub use small_set::SmallSet;

/// What a run collects into: the usage, and the days that had logs (for a review).
pub type RunSink = (MappingSink, crate::collector::sink::DaysSink);

use crate::mapper::EntryRef;
use crate::names;
use crate::report::Location;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
    pub entries: SmallSet<EntryRef>,
    /// The first [`SESSIONS`] session names (in sort order) that made the calls: whether a resource
    /// outlives one run, and which of its parts come from the session's name (`emitter/group/`).
    #[serde(skip)]
    pub sessions: SmallSet<String>,
}

/// The session named by `caller`, an assumed-role ARN (`arn:aws:sts::1:assumed-role/role/SESSION`).
fn session_of(caller: Option<&str>) -> Option<&str> {
    caller
        .filter(|arn| arn.contains(":assumed-role/"))
        .and_then(|arn| arn.rsplit('/').next())
        .filter(|s| !s.is_empty())
}

/// How many session names evidence keeps: two tell one run from several.
pub const SESSIONS: usize = 2;

fn entries_as_strings<S: serde::Serializer>(
    entries: &SmallSet<EntryRef>,
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
            sessions: SmallSet::new(),
        }
    }

    /// The same evidence, made in the session named by `caller`, an assumed-role ARN
    /// (`arn:aws:sts::1:assumed-role/role/SESSION`); other callers have no session.
    pub fn in_session(mut self, caller: Option<&str>) -> Evidence {
        if let Some(session) = session_of(caller) {
            self.sessions.insert(session.to_string());
        }
        self
    }

    /// Adds one more event (`time`, `event_id`, made by `caller`) in place: the same as merging
    /// `Evidence::new(time, event_id, entry).in_session(caller)`, without building it.
    pub fn add_event(
        &mut self,
        time: &str,
        event_id: &str,
        entry: Option<&EntryRef>,
        caller: Option<&str>,
    ) {
        self.count += 1;
        if (time, event_id) < (self.first_seen.as_str(), self.sample_event_id.as_str()) {
            event_id.clone_into(&mut self.sample_event_id);
        }
        if time < self.first_seen.as_str() {
            time.clone_into(&mut self.first_seen);
        }
        if time > self.last_seen.as_str() {
            time.clone_into(&mut self.last_seen);
        }
        if let Some(entry) = entry.filter(|e| !self.entries.contains(*e)) {
            self.entries.insert(entry.clone());
        }
        if let Some(session) = session_of(caller) {
            // As `keep_first` with one item: the `SESSIONS` smallest names.
            let beyond = self.sessions.len() >= SESSIONS
                && self
                    .sessions
                    .last()
                    .is_some_and(|last| session >= last.as_str());
            if !beyond && !self.sessions.contains(session) {
                self.sessions.insert(session.to_string());
                while self.sessions.len() > SESSIONS {
                    self.sessions.pop_last();
                }
            }
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
        keep_first(&mut self.sessions, &other.sessions, SESSIONS);
    }
}

/// Adds `more` to `set` and keeps its `limit` smallest members: the same whatever order sets are merged in.
pub fn keep_first<'a>(
    set: &mut SmallSet<String>,
    more: impl IntoIterator<Item = &'a String>,
    limit: usize,
) {
    // `more` comes in order (a set's): past the limit, nothing after it can be kept either.
    for item in more {
        if set.len() >= limit && set.last().is_some_and(|last| item >= last) {
            break;
        }
        set.insert(item.clone());
        while set.len() > limit {
            set.pop_last();
        }
    }
}

/// A call the principal was denied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeniedKey {
    /// The action named by the error message, or `eventSource eventName` when it names none.
    pub action: String,
    pub error_code: String,
}

/// A call that failed with an error other than access denied (throttling, `NoSuchKey`, validation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

/// More distinct resources than this for one action in one container (a bucket, a resource type) form a
/// crowd: the usage set keeps them generalised ([`names::reduce`]) instead of every member, at the lowest
/// level that leaves at most this many. Memory then stays flat when every event names a new object, and the
/// result depends only on the set of resources, not on the order or split of the input.
pub const CROWD: usize = 1000;

/// A crowd of resources of one action in one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crowd {
    /// The [`names::reduce`] level its members are kept at (1 or more).
    pub level: usize,
    /// What its members became.
    pub shapes: BTreeSet<String>,
    /// The first two members, in sort order, to name in the warning.
    pub examples: SmallSet<String>,
}

#[derive(Debug, Default, Clone)]
pub struct UsageSet {
    pub used: BTreeMap<UsageKey, Evidence>,
    pub denied: BTreeMap<DeniedKey, Evidence>,
    /// Calls that failed otherwise, not granted (without `--include-denied`).
    pub failed: BTreeMap<FailedKey, FailedCall>,
    /// `(action, container)` → the crowd its resources became.
    pub crowds: BTreeMap<(String, String), Crowd>,
    /// Distinct resources of each `(action, container)` until they become a crowd.
    pub(crate) members: BTreeMap<(String, String), BTreeSet<String>>,
    /// Grants that wait for what other records of the principal reveal ([`crate::usage::reveal`]).
    pub revealed: crate::usage::reveal::Revealed,
}

/// The deepest [`names::reduce`] level: past it every component but the container is `*` anyway.
const MAX_LEVEL: usize = 1024;

impl UsageSet {
    pub fn add(&mut self, key: UsageKey, evidence: Evidence) {
        self.add_member(key, evidence, None);
    }

    /// Adds one event of a call already in the set, in place; `false` (nothing done) when the call is new or
    /// its container is a crowd, which [`UsageSet::add`] handles. Most events repeat a call: this spares
    /// building their evidence and the crowd bookkeeping.
    pub fn add_repeat(&mut self, key: &UsageKey, add: impl FnOnce(&mut Evidence)) -> bool {
        let Some(existing) = self.used.get_mut(key) else {
            return false;
        };
        let container = names::container(&key.resource);
        // A call in the set outside a crowd is already among its container's members.
        if !self.crowds.is_empty()
            && self
                .crowds
                .contains_key(&(key.action.clone(), container.to_string()))
        {
            return false;
        }
        add(existing);
        true
    }

    /// Adds one call; `reduced_at` is the level a crowd of another set already reduced its resource to.
    fn add_member(&mut self, key: UsageKey, evidence: Evidence, reduced_at: Option<usize>) {
        let container = names::container(&key.resource);
        if key.resource == "*" || container.is_empty() {
            return self.insert(key, evidence);
        }
        let id = (key.action.clone(), container.to_string());
        if let Some(crowd) = self.crowds.get_mut(&id) {
            if reduced_at.is_none() {
                keep_first(&mut crowd.examples, [&key.resource], 2);
            }
            // A shape reduced again at its own level stays what it is: that work is spared.
            let key = if reduced_at == Some(crowd.level) {
                key
            } else {
                UsageKey {
                    resource: names::reduce(&key.resource, crowd.level),
                    ..key
                }
            };
            crowd.shapes.insert(key.resource.clone());
            let crowded = crowd.shapes.len() > CROWD;
            self.insert(key, evidence);
            if crowded {
                self.collapse(&id, 0);
            }
            return;
        }
        let members = self.members.entry(id.clone()).or_default();
        members.insert(key.resource.clone());
        let crowded = members.len() > CROWD;
        self.insert(key, evidence);
        if crowded {
            self.collapse(&id, 1);
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

    /// Makes `id` a crowd (or keeps it one) at the lowest level of at least `least` that leaves at most
    /// [`CROWD`] shapes, and re-records its entries at that level.
    fn collapse(&mut self, id: &(String, String), least: usize) {
        let members = self.members.remove(id).unwrap_or_default();
        let (was, old, mut examples) = match self.crowds.remove(id) {
            Some(crowd) => (Some(crowd.level), crowd.shapes, crowd.examples),
            None => (None, BTreeSet::new(), SmallSet::new()),
        };
        keep_first(&mut examples, &members, 2);
        let mut level = was.unwrap_or(1).max(least);
        // The last pass's names and what they reduce to at the final level: the stale entries below are
        // mostly these names, and reducing a name is the costly part (a shape already at the level is
        // itself).
        let reduce = |s: &String, level: usize| (s.clone(), names::reduce(s, level));
        let mut reduced: BTreeMap<String, String> =
            members.iter().map(|m| reduce(m, level)).collect();
        reduced.extend(old.into_iter().map(|s| {
            if was == Some(level) {
                (s.clone(), s)
            } else {
                reduce(&s, level)
            }
        }));
        let shapes = loop {
            let next: BTreeSet<String> = reduced.values().cloned().collect();
            if next.len() <= CROWD || level >= MAX_LEVEL {
                break next;
            }
            level += 1;
            reduced = next.iter().map(|s| reduce(s, level)).collect();
        };
        self.crowds.insert(
            id.clone(),
            Crowd {
                level,
                shapes,
                examples,
            },
        );
        // The entries of the action whose resources start with the container, in key order: a range, not
        // the whole set.
        let first = UsageKey {
            action: id.0.clone(),
            resource: id.1.clone(),
            region: String::new(),
            facts: BTreeMap::new(),
        };
        let stale: Vec<(UsageKey, String)> = self
            .used
            .range(first..)
            .map(|(k, _)| k)
            .take_while(|k| k.action == id.0 && k.resource.starts_with(&id.1))
            .filter(|k| names::container(&k.resource) == id.1)
            .filter_map(|k| {
                let shape = match reduced.get(&k.resource) {
                    Some(shape) => shape.clone(),
                    None => names::reduce(&k.resource, level),
                };
                (shape != k.resource).then(|| (k.clone(), shape))
            })
            .collect();
        for (key, resource) in stale {
            if let Some(evidence) = self.used.remove(&key) {
                self.insert(UsageKey { resource, ..key }, evidence);
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

    /// The locations `other` gives waiting grants and failed calls, their events not counted again: an
    /// earlier copy of an event counted already (nothing else of a usage set names a location).
    pub fn note_locations(&mut self, other: UsageSet) {
        for (waiting, (mut evidence, location)) in other.revealed.waiting {
            evidence.count = 0;
            self.revealed.wait(waiting, evidence, location);
        }
        for (key, mut failed) in other.failed {
            failed.evidence.count = 0;
            self.add_failed(key, failed);
        }
    }

    pub fn merge(&mut self, other: UsageSet) {
        // Crowds first, at the other set's level at least, so that its reduced entries join them here.
        for (id, crowd) in &other.crowds {
            // A crowd kept here at that level already has nothing to re-record (shapes are reduced once).
            let settled = !self.members.contains_key(id)
                && self.crowds.get(id).is_some_and(|c| c.level >= crowd.level);
            if !settled {
                self.collapse(id, crowd.level);
            }
            if let Some(mine) = self.crowds.get_mut(id) {
                keep_first(&mut mine.examples, &crowd.examples, 2);
            }
        }
        for (key, evidence) in other.used {
            let reduced_at = other
                .crowds
                .get(&(
                    key.action.clone(),
                    names::container(&key.resource).to_string(),
                ))
                .map(|crowd| crowd.level);
            self.add_member(key, evidence, reduced_at);
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
mod tests;
