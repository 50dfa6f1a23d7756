//! One principal's states, one per UTC day, as a run builds them (`Collected<MappingSink>`), in a form
//! that stores compactly and loads exactly: every part a merge reads (usage with evidence and sessions,
//! crowds, waiting reveals and links, diagnostics with their first location, counters). Entries are stored
//! by key with the days that have them, so a key used every day is written once, and tuples, not maps.
//! The members of a collection that is not yet a crowd are not stored: they are its entries' resources.

use super::store::Day;
use crate::collector::{Collected, Decoded};
use crate::names;
use crate::report::{Code, Diagnostic, Diagnostics, Location, Stats};
use crate::usage::reveal::{Revealed, Waiting};
use crate::usage::{Crowd, DeniedKey, Evidence, FailedCall, FailedKey, MappingSink, UsageKey};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A key's days: `(day index, what that day has)`.
type ByDay<T> = Vec<(u32, T)>;
/// A failed call's day: evidence, what it would have needed, its first location.
type FailedDay = (Ev, Vec<UsageKey>, Option<Location>);
/// A waiting grant's day: evidence and first location.
type WaitingDay = (Ev, Option<Location>);
/// A link's day: the ARNs linked, each with the smallest eventID that linked it.
type LinkDay = BTreeMap<String, String>;

/// A principal's days in one segment.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Blob {
    days: Vec<(Day, DayRest)>,
    used: Vec<(UsageKey, ByDay<Ev>)>,
    denied: Vec<(DeniedKey, ByDay<Ev>)>,
    failed: Vec<(FailedKey, ByDay<FailedDay>)>,
    waiting: Vec<(Waiting, ByDay<WaitingDay>)>,
    links: Vec<((String, String), ByDay<LinkDay>)>,
}

/// What a day has beside its entries.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DayRest(
    StatsRow,
    Vec<Diag>,
    BTreeMap<String, u64>,
    StatsRow,
    Vec<Diag>,
    Vec<((String, String), Crowd)>,
);

/// [`Evidence`] with its sessions (the output's form leaves them out).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Ev(
    u64,
    String,
    String,
    String,
    Vec<(String, String, bool)>,
    Vec<String>,
);

/// A diagnostic: code, subject, detail, count, first location (the severity is the code's).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Diag(Code, String, String, u64, Option<Location>);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StatsRow([u64; 12]);

impl From<&Stats> for StatsRow {
    fn from(s: &Stats) -> StatsRow {
        StatsRow([
            s.files_read,
            s.files_skipped,
            s.files_failed,
            s.files_outside_window,
            s.bytes_read,
            s.records_read,
            s.records_matched,
            s.records_mapped,
            s.records_failed_calls,
            s.records_no_permission,
            s.records_unmapped,
            s.records_duplicate,
        ])
    }
}

impl From<StatsRow> for Stats {
    fn from(StatsRow(v): StatsRow) -> Stats {
        Stats {
            files_read: v[0],
            files_skipped: v[1],
            files_failed: v[2],
            files_outside_window: v[3],
            bytes_read: v[4],
            records_read: v[5],
            records_matched: v[6],
            records_mapped: v[7],
            records_failed_calls: v[8],
            records_no_permission: v[9],
            records_unmapped: v[10],
            records_duplicate: v[11],
        }
    }
}

impl From<Evidence> for Ev {
    fn from(e: Evidence) -> Ev {
        let entries = e
            .entries
            .into_iter()
            .map(|r| (r.prefix, r.event, r.catalogue_match))
            .collect();
        Ev(
            e.count,
            e.first_seen,
            e.last_seen,
            e.sample_event_id,
            entries,
            e.sessions.into_iter().collect(),
        )
    }
}

impl From<Ev> for Evidence {
    fn from(Ev(count, first_seen, last_seen, sample_event_id, entries, sessions): Ev) -> Evidence {
        Evidence {
            count,
            first_seen,
            last_seen,
            sample_event_id,
            entries: entries
                .into_iter()
                .map(|(prefix, event, catalogue_match)| crate::mapper::EntryRef {
                    prefix,
                    event,
                    catalogue_match,
                })
                .collect(),
            sessions: sessions.into_iter().collect(),
        }
    }
}

fn diags(d: &Diagnostics) -> Vec<Diag> {
    d.iter()
        .map(|d: &Diagnostic| {
            Diag(
                d.code,
                d.subject.clone(),
                d.detail.clone(),
                d.count,
                d.first.clone(),
            )
        })
        .collect()
}

fn diagnostics(list: Vec<Diag>) -> Diagnostics {
    let mut out = Diagnostics::default();
    for Diag(code, subject, detail, count, first) in list {
        out.add_n(code, subject, detail, first, count);
    }
    out
}

/// Appends `(day, value)` to the key's list.
fn push<K: Ord, V>(map: &mut BTreeMap<K, Vec<(u32, V)>>, key: K, day: u32, value: V) {
    map.entry(key).or_default().push((day, value));
}

impl Blob {
    /// A principal's states by day.
    pub fn of(states: Vec<(Day, Collected<MappingSink>)>) -> Blob {
        let mut used = BTreeMap::new();
        let mut denied = BTreeMap::new();
        let mut failed = BTreeMap::new();
        let mut waiting = BTreeMap::new();
        let mut links = BTreeMap::new();
        let mut days = Vec::new();
        for (i, (day, part)) in states.into_iter().enumerate() {
            let i = i as u32;
            let Collected { decoded, sink } = part;
            let usage = sink.usage;
            for (k, e) in usage.used {
                push(&mut used, k, i, Ev::from(e));
            }
            for (k, e) in usage.denied {
                push(&mut denied, k, i, Ev::from(e));
            }
            for (k, f) in usage.failed {
                let needs = f.needs.into_iter().collect();
                push(&mut failed, k, i, (Ev::from(f.evidence), needs, f.first));
            }
            let Revealed {
                waiting: w,
                links: l,
            } = usage.revealed;
            for (k, (e, at)) in w {
                push(&mut waiting, k, i, (Ev::from(e), at));
            }
            for (k, targets) in l {
                push(&mut links, k, i, targets);
            }
            days.push((
                day,
                DayRest(
                    StatsRow::from(&decoded.stats),
                    diags(&decoded.diagnostics),
                    decoded.matched_principals,
                    StatsRow::from(&sink.stats),
                    diags(&sink.diagnostics),
                    usage.crowds.into_iter().collect(),
                ),
            ));
        }
        Blob {
            days,
            used: used.into_iter().collect(),
            denied: denied.into_iter().collect(),
            failed: failed.into_iter().collect(),
            waiting: waiting.into_iter().collect(),
            links: links.into_iter().collect(),
        }
    }

    pub fn days(&self) -> impl Iterator<Item = &Day> {
        self.days.iter().map(|(day, _)| day)
    }

    /// The states of the days `wanted` keeps, as a run holds them.
    pub fn into_parts(self, wanted: impl Fn(&Day) -> bool) -> Vec<(Day, Collected<MappingSink>)> {
        let keep: Vec<bool> = self.days.iter().map(|(d, _)| wanted(d)).collect();
        let mut parts: Vec<Option<(Day, Collected<MappingSink>)>> = self
            .days
            .into_iter()
            .zip(&keep)
            .map(|((day, rest), keep)| keep.then(|| (day, part(rest))))
            .collect();
        fn at(
            parts: &mut [Option<(Day, Collected<MappingSink>)>],
            i: u32,
        ) -> Option<&mut crate::usage::UsageSet> {
            parts
                .get_mut(i as usize)
                .and_then(Option::as_mut)
                .map(|(_, p)| &mut p.sink.usage)
        }
        for (k, list) in self.used {
            for (i, e) in list {
                if let Some(usage) = at(&mut parts, i) {
                    usage.used.insert(k.clone(), e.into());
                }
            }
        }
        for (k, list) in self.denied {
            for (i, e) in list {
                if let Some(usage) = at(&mut parts, i) {
                    usage.denied.insert(k.clone(), e.into());
                }
            }
        }
        for (k, list) in self.failed {
            for (i, (e, needs, first)) in list {
                if let Some(usage) = at(&mut parts, i) {
                    let call = FailedCall {
                        evidence: e.into(),
                        needs: needs.into_iter().collect(),
                        first,
                    };
                    usage.failed.insert(k.clone(), call);
                }
            }
        }
        for (k, list) in self.waiting {
            for (i, (e, location)) in list {
                if let Some(usage) = at(&mut parts, i) {
                    usage
                        .revealed
                        .waiting
                        .insert(k.clone(), (e.into(), location));
                }
            }
        }
        for (k, list) in self.links {
            for (i, targets) in list {
                if let Some(usage) = at(&mut parts, i) {
                    usage.revealed.links.insert(k.clone(), targets);
                }
            }
        }
        parts.into_iter().flatten().collect()
    }
}

fn part(
    DayRest(decoded_stats, decoded_diags, matched, stats, diags, crowds): DayRest,
) -> Collected<MappingSink> {
    let mut sink = MappingSink::new(false);
    sink.stats = stats.into();
    sink.diagnostics = diagnostics(diags);
    sink.usage.crowds = crowds.into_iter().collect();
    Collected {
        decoded: Decoded {
            stats: decoded_stats.into(),
            diagnostics: diagnostics(decoded_diags),
            matched_principals: matched,
            other_principals: BTreeMap::new(),
            stopped: false,
        },
        sink,
    }
}

/// The members of each collection that is not a crowd: the resources of its entries (as
/// `UsageSet::add_member` keeps them). Only a set that others are merged into reads them: a part from
/// [`Blob::into_parts`] gets them before it is merged into.
fn restore_members(usage: &mut crate::usage::UsageSet) {
    let mut members: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for key in usage.used.keys() {
        let container = names::container(&key.resource);
        if key.resource == "*" || container.is_empty() {
            continue;
        }
        let id = (key.action.clone(), container.to_string());
        if !usage.crowds.contains_key(&id) {
            members.entry(id).or_default().insert(key.resource.clone());
        }
    }
    usage.members = members;
}

/// Merges a part into what a run holds so far (the first part, its members restored, is what others merge
/// into).
pub fn absorb(mine: &mut Option<Collected<MappingSink>>, part: Collected<MappingSink>) {
    match mine {
        // Merging re-records each entry of the set merged in: the larger set takes the smaller.
        Some(mine) if part.sink.usage.used.len() > mine.sink.usage.used.len() => {
            let mut part = part;
            restore_members(&mut part.sink.usage);
            let smaller = std::mem::replace(mine, part);
            mine.merge(smaller);
        }
        Some(mine) => mine.merge(part),
        None => {
            let mut part = part;
            restore_members(&mut part.sink.usage);
            *mine = Some(part);
        }
    }
}
