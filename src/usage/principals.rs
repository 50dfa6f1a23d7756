//! What one pass over the input collects for a fleet: the records split by principal (each as if a run of
//! its own), the days that had logs, and the records that did not parse, whose principal cannot be known.

use super::RunSink;
use crate::collector::sink::{DaysSink, Split};
use crate::collector::{Decoded, Origin, Sink, Weight};
use crate::event::Record;
use crate::principal::PrincipalKey;
use memchr::memmem;

/// How many unparsed records (per reading worker) keep their bytes to be attributed like a single run
/// would; past it (or past [`UNPARSED_BYTES`]), further ones count against every principal: a fleet is never
/// more complete than single runs.
pub const UNPARSED_KEPT: usize = 1_000;
pub const UNPARSED_BYTES: usize = 8 << 20;

/// A record that did not parse (`malformed-record`): a single run of a principal reports it when the
/// record contains the principal's name (or a `\u` escape that could spell it), so the fleet keeps the
/// bytes and decides per principal.
#[derive(Debug, Clone)]
pub struct Unparsed {
    pub raw: Box<[u8]>,
    pub decoded: Decoded,
}

impl Unparsed {
    /// Whether a single run of a principal named `name` would have reported this record.
    pub fn concerns(&self, name: &str) -> bool {
        memmem::find(&self.raw, name.as_bytes()).is_some()
            || crate::collector::split::has_unicode_escape(&self.raw)
    }
}

pub struct FleetSink {
    pub split: Split<PrincipalKey, RunSink>,
    /// Every record's day, whoever's: a review's "days without logs" are those of the input.
    pub days: DaysSink,
    pub unparsed: Vec<Unparsed>,
    /// The findings of unparsed records past the budget: they count against every principal.
    pub unattributed: Decoded,
    kept_bytes: usize,
}

impl FleetSink {
    pub fn new(template: RunSink, days: bool) -> FleetSink {
        FleetSink {
            split: Split::new(PrincipalKey::of, template),
            days: DaysSink {
                enabled: days,
                ..DaysSink::default()
            },
            unparsed: Vec::new(),
            unattributed: Decoded::default(),
            kept_bytes: 0,
        }
    }
}

impl Sink for FleetSink {
    fn record(&mut self, record: &Record, origin: &Origin, weight: Option<&Weight>) {
        self.split.record(record, origin, weight);
    }

    fn locate(&mut self, record: &Record, origin: &Origin) {
        self.split.locate(record, origin);
    }

    fn body(&mut self, body: &[u8]) {
        self.days.body(body);
    }

    fn merge(&mut self, other: Self) {
        self.split.merge(other.split);
        self.days.merge(other.days);
        self.kept_bytes += other.kept_bytes;
        self.unparsed.extend(other.unparsed);
        self.unattributed.merge(other.unattributed);
    }

    fn fresh(&self) -> Self {
        FleetSink {
            split: self.split.fresh(),
            days: self.days.fresh(),
            unparsed: Vec::new(),
            unattributed: Decoded::default(),
            kept_bytes: 0,
        }
    }

    fn incomplete(&self) -> bool {
        self.split.incomplete()
    }

    fn decoded_for(&mut self, record: &Record) -> Option<&mut Decoded> {
        self.split.decoded_for(record)
    }

    fn decoded_for_unparsed(&mut self, raw: &[u8]) -> Option<&mut Decoded> {
        if self.unparsed.len() >= UNPARSED_KEPT || self.kept_bytes + raw.len() > UNPARSED_BYTES {
            return Some(&mut self.unattributed);
        }
        self.kept_bytes += raw.len();
        self.unparsed.push(Unparsed {
            raw: raw.into(),
            decoded: Decoded::default(),
        });
        self.unparsed.last_mut().map(|u| &mut u.decoded)
    }
}
