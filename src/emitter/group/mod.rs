//! From the resources one action was used on to the resources its statement names. Two steps:
//!
//! 1. **Per-run identifiers become `*`** ([`names::identifiers`] finds them). Dates, timestamps, hex IDs and
//!    parts of the session name always do: the next run or period brings a new one. UUIDs, AWS resource
//!    IDs, numbers and random IDs do unless the evidence shows long-lived resources: every value at that
//!    place was there from the first day and was used again (on another day or in another session), such as
//!    a KMS key or the subnet every build launches into. A value first seen later (turnover) makes the place
//!    per-run; so does a value seen in one run only, except a resource's whole ID (`key/…`, `subnet/…`) of a
//!    type the principal does not create: a key a run was pointed at is still there for the next one.
//! 2. **The crowd rule**: past `--max-resources` in one container (a bucket, a resource type), whole
//!    components become `*`, one place at a time, the one with the most distinct values first, and each
//!    step names the values it merged.
//!
//! Stable words (buckets, prefixes, log groups, tables, stacks, environments) never become `*` in step 1.

mod crowd;
mod per_run;
#[cfg(test)]
mod tests;

use crate::names::{self, IdKind, Item, Name};
use crate::usage::Evidence;
use crowd::crowd;
pub use crowd::{Crowded, Merge};
use per_run::{decide, Parsed};
use std::collections::{BTreeMap, BTreeSet};

/// What the usage set shows about one resource of an action: the UTC days it was first and last used, and
/// the first session names that used it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub first_day: String,
    pub last_day: String,
    pub sessions: crate::usage::SmallSet<String>,
}

impl Seen {
    pub fn of(evidence: &Evidence) -> Seen {
        let day = |time: &str| time.get(..10).unwrap_or(time).to_string();
        Seen {
            first_day: day(&evidence.first_seen),
            last_day: day(&evidence.last_seen),
            sessions: evidence.sessions.clone(),
        }
    }

    pub fn merge(&mut self, other: &Seen) {
        if other.first_day < self.first_day {
            self.first_day.clone_from(&other.first_day);
        }
        if other.last_day > self.last_day {
            self.last_day.clone_from(&other.last_day);
        }
        crate::usage::keep_first(&mut self.sessions, &other.sessions, crate::usage::SESSIONS);
    }

    /// Used again after its first run: on another day, or by another session.
    fn recurs(&self) -> bool {
        self.first_day != self.last_day || self.sessions.len() > 1
    }
}

/// The identifiers of one kind that became `*` in a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub distinct: usize,
    /// The first two, in sort order.
    pub examples: crate::usage::SmallSet<String>,
}

/// One resource of the statement and what was observed behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// The observed resources it stands for.
    pub observed: usize,
    /// The first observed resources, in sort order.
    pub examples: crate::usage::SmallSet<String>,
    /// The per-run identifiers that became `*`, by kind.
    pub identifiers: BTreeMap<IdKind, Values>,
}

/// The resources of one statement and how they came about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generalisation {
    /// Resource → what it stands for. Exact resources stand for themselves.
    pub resources: BTreeMap<String, Written>,
    pub crowded: Vec<Crowded>,
}

/// Generalises the resources one action (with one set of conditions) was used on. `exact` keeps every
/// observed name.
/// `created` holds the containers (`arn:aws:ec2:us-east-1:1:instance`) the principal creates resources in:
/// its calls name `container/*`, as `ec2:RunInstances` does for the instance it launches.
pub fn generalise(
    observed: &BTreeMap<String, Seen>,
    max_resources: usize,
    exact: bool,
    created: &BTreeSet<String>,
) -> Generalisation {
    let mut parsed: Vec<Parsed> = observed
        .iter()
        .map(|(resource, seen)| {
            let name = Name::parse(resource);
            let sessions: Vec<String> = seen.sessions.iter().cloned().collect();
            let spans = if exact {
                Vec::new()
            } else {
                names::identifiers(&name.resource, &sessions)
            };
            Parsed {
                original: resource.clone(),
                name,
                spans,
                chosen: Vec::new(),
            }
        })
        .collect();
    decide(&mut parsed, observed, created);

    let mut written: BTreeMap<String, (Name, Written)> = BTreeMap::new();
    for p in &parsed {
        let pattern = p.pattern();
        let entry = written
            .entry(pattern.render())
            .or_insert_with(|| (pattern, Written::default()));
        for (span, _) in p.spans.iter().zip(&p.chosen).filter(|(_, c)| **c) {
            let value = names::render(&p.name.resource[span.start..span.end]);
            entry
                .1
                .identifiers
                .entry(span.kind)
                .or_default()
                .examples
                .insert(value);
        }
    }
    // Distinct values per kind, then keep two examples.
    for (_, w) in written.values_mut() {
        for values in w.identifiers.values_mut() {
            values.distinct = values.examples.len();
            while values.examples.len() > 2 {
                values.examples.pop_last();
            }
        }
    }

    let mut names: Vec<Name> = written.values().map(|(n, _)| n.clone()).collect();
    names = without_covered(names);
    let mut crowded = Vec::new();
    if !exact {
        let mut by_container: BTreeMap<String, Vec<Name>> = BTreeMap::new();
        for name in names {
            by_container.entry(name.container()).or_default().push(name);
        }
        names = Vec::new();
        for (container, members) in by_container {
            if members.len() <= max_resources || container.is_empty() {
                names.extend(members);
                continue;
            }
            let before = members.len();
            let (after, merges) = crowd(members, max_resources);
            crowded.push(Crowded {
                container,
                before,
                after: after.len(),
                merges,
            });
            names.extend(after);
        }
        names = without_covered(names);
    }

    // What each resource of the statement stands for.
    let mut resources: BTreeMap<String, Written> = BTreeMap::new();
    let rendered: BTreeMap<String, &Name> = names.iter().map(|n| (n.render(), n)).collect();
    let wild: Vec<(&String, &&Name)> = rendered
        .iter()
        .filter(|(_, n)| n.resource.iter().any(|i| !matches!(i, Item::Lit(_))))
        .collect();
    for p in &parsed {
        let pattern = p.pattern();
        let text = pattern.render();
        let resource = match rendered.get_key_value(&text) {
            Some((resource, _)) => resource,
            None => match wild.iter().find(|(_, n)| covers(n, &pattern)) {
                Some((resource, _)) => *resource,
                None => continue,
            },
        };
        let entry = resources.entry(resource.clone()).or_default();
        entry.observed += 1;
        crate::usage::keep_first(
            &mut entry.examples,
            &BTreeSet::from([p.original.clone()]),
            3,
        );
        if let Some((_, w)) = written.get(&text) {
            for (kind, values) in &w.identifiers {
                let mine = entry.identifiers.entry(*kind).or_default();
                mine.distinct = mine.distinct.max(values.distinct);
                crate::usage::keep_first(&mut mine.examples, &values.examples, 2);
            }
        }
    }
    for text in rendered.into_keys() {
        resources.entry(text).or_default();
    }
    Generalisation { resources, crowded }
}

/// Whether every resource `specific` matches is matched by `general` (same head; `*` and `?` of `general`
/// are wildcards, those of `specific` match only a `*` of `general`).
pub fn covers(general: &Name, specific: &Name) -> bool {
    general.head == specific.head && covers_items(&general.resource, &specific.resource)
}

/// Whether an item of `general` other than `*` matches one of `specific`, as [`covers_items`] matches them.
fn stands_for(general: Item, specific: Item) -> bool {
    match general {
        Item::One => matches!(specific, Item::Lit(_)),
        _ => general == specific,
    }
}

fn covers_items(general: &[Item], specific: &[Item]) -> bool {
    let (mut g, mut s) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while s < specific.len() {
        match general.get(g) {
            Some(Item::Any) => {
                backtrack = Some((g, s));
                g += 1;
            }
            Some(item) if stands_for(*item, specific[s]) => {
                g += 1;
                s += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    g = star + 1;
                    s = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    general[g..].iter().all(|item| *item == Item::Any)
}

/// Drops the resources another one already covers.
fn without_covered(names: Vec<Name>) -> Vec<Name> {
    // In key order, the names a name with a wildcard can cover are one run: those with its head that start
    // with its literal items. Each is tried against those only, not against every name.
    let keys: Vec<Vec<u8>> = names.iter().map(|n| sort_key(n, &n.resource)).collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    let mut covered = vec![false; names.len()];
    for (at, w) in names.iter().enumerate() {
        let Some(literal) = w.resource.iter().position(|i| !matches!(i, Item::Lit(_))) else {
            continue;
        };
        let start = sort_key(w, &w.resource[..literal]);
        // What follows its last `*` ends what it covers: a test cheaper than matching.
        let last = w.resource.iter().rposition(|i| *i == Item::Any);
        let end = last.map_or(&[][..], |at| &w.resource[at + 1..]);
        let ends = |items: &[Item]| {
            items.len() >= end.len()
                && (items[items.len() - end.len()..].iter())
                    .zip(end)
                    .all(|(s, g)| stands_for(*g, *s))
        };
        let from = order.partition_point(|i| keys[*i] < start);
        let run = order[from..]
            .iter()
            .take_while(|i| keys[**i].starts_with(&start));
        for &i in run {
            let n = &names[i];
            // Of two resources that cover each other, the one written first in sort order stays.
            if ends(&n.resource)
                && keys[i] != keys[at]
                && covers(w, n)
                && (!covers(n, w) || w.render() < n.render())
            {
                covered[i] = true;
            }
        }
    }
    let mut out: Vec<Name> = names
        .iter()
        .zip(covered)
        .filter(|(_, covered)| !covered)
        .map(|(n, _)| n.clone())
        .collect();
    out.sort_by_cached_key(Name::render);
    out.dedup();
    out
}

/// `name`'s head and `items` as bytes that order names of one head as their items order, each name of a head
/// starting with the key of that head and any of its names' first items: comparing these is several times
/// cheaper than comparing items. Every character and wildcard is four bytes, big-endian (`*` and `?` past the
/// last character), and the head ends with a code no character has.
fn sort_key(name: &Name, items: &[Item]) -> Vec<u8> {
    let code = |item: &Item| match item {
        Item::Lit(c) => u32::from(*c),
        Item::Any => 0x11_0000,
        Item::One => 0x11_0001,
    };
    let head = name.head.chars().map(u32::from).chain([u32::MAX]);
    let mut key = Vec::with_capacity(4 * (name.head.len() + 1 + items.len()));
    for c in head.chain(items.iter().map(code)) {
        key.extend_from_slice(&c.to_be_bytes());
    }
    key
}
