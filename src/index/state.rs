//! One principal's state for one UTC day, as a run builds it (`Collected<MappingSink>`), in a form that
//! stores and loads exactly: every part a merge reads (usage, evidence with its sessions, crowds and their
//! members, waiting reveals, diagnostics with their first location, counters).

use crate::collector::{Collected, Decoded};
use crate::mapper::EntryRef;
use crate::report::{Diagnostic, Diagnostics, Location, Stats};
use crate::reveal::{Revealed, Waiting};
use crate::usage::{Crowd, DeniedKey, Evidence, FailedCall, FailedKey, MappingSink, UsageKey};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the index keeps of one `(principal, day)`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stored {
    decoded_stats: Stats,
    decoded_diagnostics: Vec<Diagnostic>,
    matched: BTreeMap<String, u64>,
    stats: Stats,
    diagnostics: Vec<Diagnostic>,
    used: Vec<(UsageKey, StoredEvidence)>,
    denied: Vec<(DeniedKey, StoredEvidence)>,
    failed: Vec<(FailedKey, StoredEvidence, Vec<UsageKey>, Option<Location>)>,
    crowds: Vec<((String, String), Crowd)>,
    members: Vec<((String, String), BTreeSet<String>)>,
    waiting: Vec<(Waiting, StoredEvidence, Option<Location>)>,
    links: Vec<((String, String), BTreeMap<String, String>)>,
}

/// [`Evidence`] with its sessions, which the output's form leaves out.
#[derive(Debug, Serialize, Deserialize)]
struct StoredEvidence {
    count: u64,
    first_seen: String,
    last_seen: String,
    sample_event_id: String,
    entries: Vec<EntryRef>,
    sessions: Vec<String>,
}

impl From<Evidence> for StoredEvidence {
    fn from(e: Evidence) -> StoredEvidence {
        StoredEvidence {
            count: e.count,
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            sample_event_id: e.sample_event_id,
            entries: e.entries.into_iter().collect(),
            sessions: e.sessions.into_iter().collect(),
        }
    }
}

impl From<StoredEvidence> for Evidence {
    fn from(e: StoredEvidence) -> Evidence {
        Evidence {
            count: e.count,
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            sample_event_id: e.sample_event_id,
            entries: e.entries.into_iter().collect(),
            sessions: e.sessions.into_iter().collect(),
        }
    }
}

fn diagnostics_of(d: &Diagnostics) -> Vec<Diagnostic> {
    d.iter().cloned().collect()
}

fn diagnostics_from(list: Vec<Diagnostic>) -> Diagnostics {
    let mut out = Diagnostics::default();
    for d in list {
        out.add_n(d.code, d.subject, d.detail, d.first, d.count);
    }
    out
}

impl Stored {
    pub fn of(part: Collected<MappingSink>) -> Stored {
        let Collected { decoded, sink } = part;
        let usage = sink.usage;
        let Revealed { waiting, links } = usage.revealed;
        Stored {
            decoded_stats: decoded.stats,
            decoded_diagnostics: diagnostics_of(&decoded.diagnostics),
            matched: decoded.matched_principals,
            stats: sink.stats,
            diagnostics: diagnostics_of(&sink.diagnostics),
            used: usage.used.into_iter().map(|(k, e)| (k, e.into())).collect(),
            denied: usage
                .denied
                .into_iter()
                .map(|(k, e)| (k, e.into()))
                .collect(),
            failed: usage
                .failed
                .into_iter()
                .map(|(k, f)| {
                    let needs = f.needs.into_iter().collect();
                    (k, f.evidence.into(), needs, f.first)
                })
                .collect(),
            crowds: usage.crowds.into_iter().collect(),
            members: usage.members.into_iter().collect(),
            waiting: waiting
                .into_iter()
                .map(|(w, (e, at))| (w, e.into(), at))
                .collect(),
            links: links.into_iter().collect(),
        }
    }

    /// The state as a run holds it; `include_denied` is how the index was built.
    pub fn into_part(self) -> Collected<MappingSink> {
        let mut sink = MappingSink::new(false);
        sink.stats = self.stats;
        sink.diagnostics = diagnostics_from(self.diagnostics);
        let usage = &mut sink.usage;
        usage.used = self.used.into_iter().map(|(k, e)| (k, e.into())).collect();
        usage.denied = self
            .denied
            .into_iter()
            .map(|(k, e)| (k, e.into()))
            .collect();
        usage.failed = self
            .failed
            .into_iter()
            .map(|(k, e, needs, first)| {
                let call = FailedCall {
                    evidence: e.into(),
                    needs: needs.into_iter().collect(),
                    first,
                };
                (k, call)
            })
            .collect();
        usage.crowds = self.crowds.into_iter().collect();
        usage.members = self.members.into_iter().collect();
        usage.revealed = Revealed {
            waiting: self
                .waiting
                .into_iter()
                .map(|(w, e, at)| (w, (e.into(), at)))
                .collect(),
            links: self.links.into_iter().collect(),
        };
        Collected {
            decoded: Decoded {
                stats: self.decoded_stats,
                diagnostics: diagnostics_from(self.decoded_diagnostics),
                matched_principals: self.matched,
                other_principals: BTreeMap::new(),
                stopped: false,
            },
            sink,
        }
    }
}
