//! Where decoded records go. The collector decodes every source's input, keeps the records of the scope's
//! principal in its window, each event once, and hands each to a [`Sink`] as a borrowed [`Record`]: the
//! mapping sink builds the usage set (`usage::MappingSink`), `maps coverage` counts how calls map, a review
//! tracks the days that had logs ([`DaysSink`]). Sinks are built per worker and merged, so whatever reads in
//! parallel gives the same result.

use crate::event::Record;
use crate::report::{Diagnostics, Location, Stats};
use memchr::memmem;
use std::collections::{BTreeMap, BTreeSet};

/// What receives the records of a collection.
pub trait Sink: Send + Sync {
    /// A record of the scope's principal in its window, each event once; `weight` when the record stands
    /// for several events (an engine's aggregated row).
    fn record(&mut self, record: &Record, origin: &Origin, weight: Option<&Weight>);

    /// A whole decoded log, whoever's records it holds: for what needs every record, not only the
    /// principal's (most records are never parsed).
    fn body(&mut self, _body: &[u8]) {}

    fn merge(&mut self, other: Self);

    /// An empty sink configured as this one: each worker fills its own.
    fn fresh(&self) -> Self;

    /// Whether the sink met a problem that makes the result incomplete: `--strict` stops reading there.
    fn incomplete(&self) -> bool {
        false
    }

    /// Where the decoder's findings about `record` go (its diagnostics, the match and duplicate counts): the
    /// run's own [`Decoded`] (`None`), or, for a sink that splits records by principal, that principal's.
    fn decoded_for(&mut self, _record: &Record) -> Option<&mut Decoded> {
        None
    }

    /// Where the decoder's finding about a record that does not parse goes, given its bytes: the run's own
    /// [`Decoded`] (`None`), or, for a sink that splits records by principal and cannot know whose it is,
    /// a place of its own that it attributes later from the bytes.
    fn decoded_for_unparsed(&mut self, _raw: &[u8]) -> Option<&mut Decoded> {
        None
    }

    /// The earliest copy of an event whose later copy was read first and taken (a duplicate delivery read
    /// out of order): nothing is counted again, but what the record's findings name is this copy, so that a
    /// report does not depend on which copy a worker happened to read first.
    fn locate(&mut self, _record: &Record, _origin: &Origin) {}
}

/// Records split by a key (a principal, a principal and a day), each key's into its own [`Collected`], as
/// if each had been a run of its own: the fleet and the usage index. Records without a key are dropped.
pub struct Split<K, S> {
    key: fn(&Record) -> Option<K>,
    /// An empty sink as configured, for each new key.
    template: S,
    pub parts: BTreeMap<K, Collected<S>>,
}

impl<K: Ord, S: Sink> Split<K, S> {
    pub fn new(key: fn(&Record) -> Option<K>, template: S) -> Split<K, S> {
        Split {
            key,
            template,
            parts: BTreeMap::new(),
        }
    }

    fn part(&mut self, record: &Record) -> Option<&mut Collected<S>> {
        let key = (self.key)(record)?;
        let template = &self.template;
        Some(
            self.parts
                .entry(key)
                .or_insert_with(|| Collected::new(template.fresh())),
        )
    }
}

impl<K: Ord + Send + Sync, S: Sink> Sink for Split<K, S> {
    fn record(&mut self, record: &Record, origin: &Origin, weight: Option<&Weight>) {
        if let Some(part) = self.part(record) {
            part.sink.record(record, origin, weight);
        }
    }

    fn merge(&mut self, other: Self) {
        for (key, part) in other.parts {
            match self.parts.entry(key) {
                std::collections::btree_map::Entry::Occupied(mut mine) => {
                    mine.get_mut().merge(part)
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(part);
                }
            }
        }
    }

    fn fresh(&self) -> Self {
        Split::new(self.key, self.template.fresh())
    }

    fn incomplete(&self) -> bool {
        self.parts.values().any(|p| p.sink.incomplete())
    }

    fn decoded_for(&mut self, record: &Record) -> Option<&mut Decoded> {
        self.part(record).map(|p| &mut p.decoded)
    }

    fn locate(&mut self, record: &Record, origin: &Origin) {
        if let Some(part) = self.part(record) {
            part.sink.locate(record, origin);
        }
    }
}

/// Where a record was read: the file, S3 object or page, and the record's index in it.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub file: &'a str,
    pub index: usize,
}

impl Origin<'_> {
    /// The diagnostic location of the record with `event_id`.
    pub fn location(&self, event_id: &str) -> Location {
        Location {
            file: self.file.to_string(),
            record: Some(self.index),
            event_id: (!event_id.is_empty()).then(|| event_id.to_string()),
        }
    }
}

/// How many events an aggregated row stands for, and the last of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weight {
    pub count: u64,
    pub last_seen: String,
}

/// What decoding found, whatever the sink took: counts, the problems of the input, the principals seen.
#[derive(Debug, Default, Clone)]
pub struct Decoded {
    pub stats: Stats,
    pub diagnostics: Diagnostics,
    /// The principals (role, user or caller ARN) whose records matched, with how many: a role name can match
    /// a role of that name in several accounts.
    pub matched_principals: BTreeMap<String, u64>,
    /// Other principals seen: every record that held the principal's name but did not match, and the first
    /// record of each file that held none. A sample, used only to suggest who was meant when nothing matched.
    pub other_principals: BTreeMap<String, u64>,
    /// Stopped early by `--strict`.
    pub stopped: bool,
}

impl Decoded {
    pub fn merge(&mut self, other: Decoded) {
        self.stats.merge(&other.stats);
        self.diagnostics.merge(other.diagnostics);
        for (arn, count) in other.matched_principals {
            *self.matched_principals.entry(arn).or_default() += count;
        }
        for (arn, count) in other.other_principals {
            *self.other_principals.entry(arn).or_default() += count;
        }
        self.stopped |= other.stopped;
    }
}

/// What one piece of input contributed: what decoding found and what the sink built; merged across files
/// and workers.
#[derive(Debug, Clone)]
pub struct Collected<S> {
    pub decoded: Decoded,
    pub sink: S,
}

impl<S: Sink> Collected<S> {
    pub fn new(sink: S) -> Collected<S> {
        Collected {
            decoded: Decoded::default(),
            sink,
        }
    }

    pub fn merge(&mut self, other: Collected<S>) {
        self.decoded.merge(other.decoded);
        self.sink.merge(other.sink);
    }
}

/// Two sinks fed the same records.
impl<A: Sink, B: Sink> Sink for (A, B) {
    fn record(&mut self, record: &Record, origin: &Origin, weight: Option<&Weight>) {
        self.0.record(record, origin, weight);
        self.1.record(record, origin, weight);
    }

    fn body(&mut self, body: &[u8]) {
        self.0.body(body);
        self.1.body(body);
    }

    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
        self.1.merge(other.1);
    }

    fn fresh(&self) -> Self {
        (self.0.fresh(), self.1.fresh())
    }

    fn incomplete(&self) -> bool {
        self.0.incomplete() || self.1.incomplete()
    }

    /// The first sink's: a split sink goes first (the usage index pairs one with a [`DaysSink`]).
    fn decoded_for(&mut self, record: &Record) -> Option<&mut Decoded> {
        self.0.decoded_for(record)
    }

    fn locate(&mut self, record: &Record, origin: &Origin) {
        self.0.locate(record, origin);
        self.1.locate(record, origin);
    }
}

/// The UTC days (`2026-11-05`) on which any record was read, whoever's: a day missing had no logs. Found by
/// a byte scan for `"eventTime"` (others' records are never parsed), so only a review turns it on.
#[derive(Debug, Default, Clone)]
pub struct DaysSink {
    pub enabled: bool,
    pub days: BTreeSet<String>,
}

impl Sink for DaysSink {
    fn record(&mut self, _record: &Record, _origin: &Origin, _weight: Option<&Weight>) {}

    fn body(&mut self, body: &[u8]) {
        if !self.enabled {
            return;
        }
        const KEY: &[u8] = b"\"eventTime\"";
        for at in memmem::find_iter(body, KEY) {
            if let Some(day) = event_day(&body[at + KEY.len()..]) {
                if !self.days.contains(day) {
                    self.days.insert(day.to_string());
                }
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.enabled |= other.enabled;
        self.days.extend(other.days);
    }

    fn fresh(&self) -> Self {
        DaysSink {
            enabled: self.enabled,
            days: BTreeSet::new(),
        }
    }
}

/// The `YYYY-MM-DD` of an `eventTime` value, given the text after its key.
fn event_day(after_key: &[u8]) -> Option<&str> {
    let rest = after_key
        .trim_ascii_start()
        .strip_prefix(b":")?
        .trim_ascii_start();
    let day = rest.strip_prefix(b"\"")?.get(..10)?;
    let valid = day.iter().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            *b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if valid {
        std::str::from_utf8(day).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_without_parsing() {
        let mut sink = DaysSink {
            enabled: true,
            ..DaysSink::default()
        };
        sink.body(
            br#"{"Records":[{"eventTime" : "2026-11-05T10:00:00Z"},{"eventTime":"soon"},{"eventTime":"2026-11-07T00:00:00Z"}]}"#,
        );
        assert_eq!(
            sink.days.into_iter().collect::<Vec<_>>(),
            ["2026-11-05", "2026-11-07"]
        );
    }
}
