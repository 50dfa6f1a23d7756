//! The one path every source's input takes: decompress, recognise the shape, skip other principals' records
//! before a full parse, keep the scope's principal in its window, drop duplicate deliveries, and hand each
//! record to the sink. Decoding never maps: what becomes of a record is the sink's.

use super::inflate::inflate_into;
use super::seen::Seen;
use super::shape::{
    has_record_keys, is_trail_object, redacted, whole_records, RecordsSeed, Shape, Top, TopSeed,
    FOREIGN_RECORDS,
};
use super::sink::{Collected, Decoded, Origin, Sink, Weight};
use super::split;
use crate::event::Record;
use crate::principal::{principal_arn, PrincipalFilter};
use crate::report::{Code, Location, Severity};
use crate::window::TimeWindow;
use memchr::memmem;
use serde::de::DeserializeSeed;
use serde_json::value::RawValue;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

/// What to keep: one principal in one window.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `None` keeps every principal's records (`maps coverage`, and engines that filtered already).
    pub principal: Option<PrincipalFilter>,
    pub window: TimeWindow,
    /// Stop at the first problem that makes the result incomplete (`--strict`).
    pub strict: bool,
}

thread_local! {
    static INFLATED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Identifies an event across deliveries: eventID alone is not enough (hand-made logs reuse IDs), so
/// source, name, time and the principal are part of it (a fleet reads every principal's records into one
/// set: another principal's record must not hide one). Two 64-bit lanes, eight bytes a step, keep the set
/// small at a sixth of the instructions of hashing byte by byte; each part ends with its length, so parts
/// cannot run into each other.
fn event_key(record: &Record) -> u128 {
    const K0: u64 = 0x9e37_79b9_7f4a_7c15;
    const K1: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let mut lanes = [0x6c62_272e_07bb_0142_u64, 0x62b8_2175_6295_c58d_u64];
    let mut mix = |word: u64| {
        lanes[0] = (lanes[0] ^ word).wrapping_mul(K0).rotate_left(29);
        lanes[1] = (lanes[1] ^ word.rotate_left(32))
            .wrapping_mul(K1)
            .rotate_left(31);
    };
    let principal = principal_arn(record).unwrap_or("");
    for part in [
        record.id(),
        record.source(),
        record.name(),
        record.time(),
        principal,
    ] {
        let bytes = part.as_bytes();
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            mix(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let mut last = [0u8; 8];
        last[..words.remainder().len()].copy_from_slice(words.remainder());
        mix(u64::from_le_bytes(last));
        mix(bytes.len() as u64);
    }
    (u128::from(lanes[0]) << 64) | u128::from(lanes[1])
}

/// One record's JSON. A record of valid UTF-8 (nearly all) is checked once as a whole, which is cheaper than
/// serde_json's check of each string in it; other bytes get serde_json's own error.
fn parse_record(raw: &[u8]) -> Result<Record<'_>, serde_json::Error> {
    match std::str::from_utf8(raw) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(raw),
    }
}

/// Decodes sources' input for one scope; shared by every worker of a collection.
pub struct Decoder<S> {
    scope: Scope,
    /// An empty sink as configured: each worker gets a fresh one.
    sink: S,
    needle: Option<memmem::Finder<'static>>,
    /// The events kept, to drop duplicate deliveries.
    seen: Seen,
    stopped: AtomicBool,
}

impl<S: Sink> Decoder<S> {
    pub fn new(scope: Scope, sink: S) -> Decoder<S> {
        let needle = scope
            .principal
            .as_ref()
            .map(|p| memmem::Finder::new(p.needle().as_bytes()).into_owned());
        Decoder {
            scope,
            sink,
            needle,
            seen: Seen::default(),
            stopped: AtomicBool::new(false),
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Goes on from events read before, elsewhere (the usage index's earlier batches and updates): copies of
    /// them are duplicates.
    pub fn seen_before(mut self, seen: Seen) -> Decoder<S> {
        self.seen = seen;
        self
    }

    /// The events kept, with where: what [`Decoder::seen_before`] takes.
    pub fn into_seen(self) -> Seen {
        self.seen
    }

    /// An empty contribution, for a worker to fill.
    pub fn fresh(&self) -> Collected<S> {
        Collected::new(self.sink.fresh())
    }

    /// Set once a strict run met a problem; sources stop reading.
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Reports a source that could not be read at all (a file, an S3 object).
    pub fn unreadable(&self, name: &str, why: &str, out: &mut Collected<S>) {
        out.decoded.stats.files_failed += 1;
        self.diagnose(
            &mut out.decoded,
            Code::UnreadableFile,
            name,
            why.to_string(),
            file(name),
        );
    }

    /// One input object: a log file, an S3 object, stdin. Gzip is recognised by its magic bytes.
    pub fn read(&self, name: &str, bytes: &[u8], out: &mut Collected<S>) {
        out.decoded.stats.bytes_read += bytes.len() as u64;
        if !bytes.starts_with(&[0x1f, 0x8b]) {
            return self.read_json(name, bytes, out);
        }
        // One inflate buffer per thread, reused across files.
        let mut inflated = INFLATED.with(|b| std::mem::take(&mut *b.borrow_mut()));
        let length = inflate_into(bytes, &mut inflated).unwrap_or_else(|(length, e)| {
            // Records before the damage are still read.
            let why = format!("gzip data is damaged: {e}");
            self.diagnose(&mut out.decoded, Code::InvalidFile, name, why, file(name));
            length
        });
        self.read_json(name, &inflated[..length], out);
        INFLATED.with(|b| *b.borrow_mut() = inflated);
    }

    fn read_json(&self, name: &str, bytes: &[u8], out: &mut Collected<S>) {
        let bytes = bytes
            .strip_prefix(b"\xef\xbb\xbf".as_slice())
            .unwrap_or(bytes);
        out.sink.body(bytes);
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        let Some(start) = start else {
            return self.not_a_log(name, "the file is empty", out);
        };
        let body = &bytes[start..];
        // Real CloudTrail logs: only records that contain the principal's name are looked at. A `\u` escape
        // could spell the name, so files that have one are read record by record.
        if let Some(needle) = self
            .needle
            .as_ref()
            .filter(|_| !split::has_unicode_escape(body))
        {
            if let Some((count, spans)) = split::candidates(body, needle) {
                // Every candidate must be one record object, or the file is read the slow way.
                let parsed: Option<Vec<(usize, Record)>> = spans
                    .iter()
                    .map(|s| Some((s.index, parse_record(&body[s.start..s.end]).ok()?)))
                    .collect();
                if let Some(parsed) = parsed {
                    out.decoded.stats.files_read += 1;
                    if parsed.is_empty() {
                        self.sample_principal(body, out);
                    }
                    out.decoded.stats.records_read += (count - parsed.len()) as u64;
                    // A candidate holds the name already: the needle found it there.
                    return self.keep_parsed(name, parsed.iter().map(|(i, r)| (*i, r)), out);
                }
            }
        }
        if self.needle.is_none() {
            if let Some(records) = whole_records(body) {
                if !records.is_empty() && !has_record_keys(body) {
                    return self.not_a_log(name, FOREIGN_RECORDS, out);
                }
                out.decoded.stats.files_read += 1;
                return self.keep_parsed(name, records.iter().enumerate(), out);
            }
        }
        if let Some(spans) = split::record_spans(body) {
            if !spans.is_empty() && !has_record_keys(body) {
                return self.not_a_log(name, FOREIGN_RECORDS, out);
            }
            out.decoded.stats.files_read += 1;
            let records = spans.into_iter().map(|(from, to)| &body[from..to]);
            return self.records(name, records.enumerate(), out);
        }
        self.parse(name, body, out);
    }

    /// Any other layout, through the streaming parser: damage keeps the records before it.
    fn parse(&self, name: &str, body: &[u8], out: &mut Collected<S>) {
        let mut records: Vec<&RawValue> = Vec::new();
        let mut de = serde_json::Deserializer::from_slice(body);
        let result = match body[0] {
            b'[' => RecordsSeed(&mut records)
                .deserialize(&mut de)
                .and_then(|()| de.end())
                .map(|()| Shape::Records),
            b'{' => {
                let mut top = Top::default();
                let parsed = TopSeed {
                    records: &mut records,
                    top: &mut top,
                }
                .deserialize(&mut de);
                let looks_like_lines = memmem::find(body, b"\n{").is_some();
                match parsed {
                    // One object and then more: JSON lines.
                    Ok(()) if de.end().is_err() => Ok(Shape::JsonLines),
                    Ok(()) => Ok(top.shape()),
                    // A broken first line must not lose the other lines.
                    Err(_) if looks_like_lines && records.is_empty() => Ok(Shape::JsonLines),
                    Err(e) => Err(e),
                }
            }
            _ => return self.not_a_log(name, "the file is not JSON", out),
        };
        // Objects without a single CloudTrail field are some other JSON, however many there are.
        let foreign = match &result {
            Ok(Shape::Records) => !records.is_empty() && !has_record_keys(body),
            Ok(Shape::JsonLines) => !has_record_keys(body),
            _ => false,
        };
        if foreign {
            return self.not_a_log(name, FOREIGN_RECORDS, out);
        }
        fn raw<'a>(r: &&'a RawValue) -> &'a [u8] {
            r.get().as_bytes()
        }
        match result {
            Ok(Shape::Records) => self.records(name, records.iter().map(raw).enumerate(), out),
            Ok(Shape::Single) => self.records(name, std::iter::once((0, body)), out),
            Ok(Shape::JsonLines) => self.json_lines(name, body, out),
            Ok(Shape::LookupEvents(events)) => {
                self.records(name, events.iter().map(String::as_bytes).enumerate(), out)
            }
            Ok(Shape::Digest) => {
                out.decoded.stats.files_skipped += 1;
                let why = "a CloudTrail digest file holds no events".to_string();
                self.diagnose(&mut out.decoded, Code::DigestFile, name, why, file(name));
            }
            Ok(Shape::Other) => {
                let why = "JSON without `Records`, `eventName` or `Events`: not a CloudTrail log";
                return self.not_a_log(name, why, out);
            }
            Err(e) => {
                // Whatever records came before the damage were collected and are still used.
                let salvaged = records.len();
                self.records(name, records.iter().map(raw).enumerate(), out);
                let why = format!("invalid JSON at line {} column {}: {} ({salvaged} records before it were read)", e.line(), e.column(), redacted(&e));
                let at = Location {
                    record: Some(salvaged),
                    ..file(name)
                };
                self.diagnose(&mut out.decoded, Code::InvalidFile, name, why, at);
            }
        }
        out.decoded.stats.files_read += 1;
    }

    /// A file that holds no CloudTrail log. Named and laid out as a trail's log object, it is damaged input
    /// (the run is incomplete); anything else is some other file, skipped with a warning.
    fn not_a_log(&self, name: &str, why: &str, out: &mut Collected<S>) {
        if is_trail_object(name) {
            out.decoded.stats.files_failed += 1;
            let why = format!("{why}, though its name is that of a CloudTrail log object");
            self.diagnose(&mut out.decoded, Code::InvalidFile, name, why, file(name));
        } else {
            out.decoded.stats.files_skipped += 1;
            self.diagnose(
                &mut out.decoded,
                Code::NotCloudtrail,
                name,
                why.to_string(),
                file(name),
            );
        }
    }

    /// Records who made the first record of a log that holds none of the principal's: a cheap sample of the
    /// principals in the input (one parse a file), for suggestions when nothing matches.
    fn sample_principal(&self, body: &[u8], out: &mut Collected<S>) {
        if let Some((start, end)) = split::first_record(body) {
            sample_principal_of(&body[start..end], out);
        }
    }

    fn json_lines(&self, name: &str, body: &[u8], out: &mut Collected<S>) {
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            let line = line.trim_ascii();
            if !line.is_empty() {
                self.record_bytes(name, index, line, out);
            }
        }
    }

    /// `(index in the file, raw record)` pairs.
    /// Records parsed already, counted and kept in order.
    fn keep_parsed<'b, 'r: 'b>(
        &self,
        name: &str,
        records: impl Iterator<Item = (usize, &'b Record<'r>)>,
        out: &mut Collected<S>,
    ) {
        for (index, record) in records {
            if self.stopped() {
                return;
            }
            out.decoded.stats.records_read += 1;
            self.keep(record, Origin { file: name, index }, None, out);
        }
    }

    fn records<'a>(
        &self,
        name: &str,
        records: impl Iterator<Item = (usize, &'a [u8])>,
        out: &mut Collected<S>,
    ) {
        for (index, raw) in records {
            if self.stopped() {
                return;
            }
            self.record_bytes(name, index, raw, out);
        }
    }

    /// A record of this principal contains its name verbatim, unless a `\u` escape spells it.
    fn may_be_principals(&self, raw: &[u8]) -> bool {
        self.needle
            .as_ref()
            .is_none_or(|needle| needle.find(raw).is_some() || split::has_unicode_escape(raw))
    }

    /// One record's JSON (a LookupEvents `CloudTrailEvent`, a line, an array element).
    pub fn record_bytes(&self, name: &str, index: usize, raw: &[u8], out: &mut Collected<S>) {
        out.decoded.stats.records_read += 1;
        if !self.may_be_principals(raw) {
            if index == 0 {
                sample_principal_of(raw, out);
            }
            return;
        }
        match parse_record(raw) {
            Ok(record) => self.keep(&record, Origin { file: name, index }, None, out),
            Err(e) => {
                let why = format!("record {index} has the wrong shape: {}", redacted(&e));
                let at = Location {
                    record: Some(index),
                    ..file(name)
                };
                let decoded = match out.sink.decoded_for_unparsed(raw) {
                    Some(decoded) => decoded,
                    None => &mut out.decoded,
                };
                self.diagnose(decoded, Code::MalformedRecord, name, why, at);
            }
        }
    }

    /// A record an engine built from its aggregated row (Athena, CloudTrail Lake), standing for
    /// `weight.count` events.
    pub fn aggregated(
        &self,
        record: &Record,
        origin: Origin,
        weight: &Weight,
        out: &mut Collected<S>,
    ) {
        out.decoded.stats.records_read += weight.count;
        self.keep(record, origin, Some(weight), out);
    }

    /// The filters every record passes before the sink sees it: the principal, the window, API calls only,
    /// each event once. What they find about a record goes where the sink says (a fleet's principal).
    fn keep(
        &self,
        record: &Record,
        origin: Origin,
        weight: Option<&Weight>,
        out: &mut Collected<S>,
    ) {
        let principal_ok = self
            .scope
            .principal
            .as_ref()
            .is_none_or(|p| p.matches(record));
        if !principal_ok {
            if let Some(arn) = principal_arn(record) {
                *out.decoded
                    .other_principals
                    .entry(arn.to_string())
                    .or_default() += 1;
            }
            return;
        }
        let at = || origin.location(record.id());
        let call = || format!("{} {}", record.source(), record.name());
        let events = weight.map_or(1, |weight| weight.count);
        let decoded = match out.sink.decoded_for(record) {
            Some(decoded) => decoded,
            None => &mut out.decoded,
        };
        match self.scope.window.place(record.time()) {
            Some(true) => {}
            Some(false) => return,
            None => {
                let why = match record.event_time.as_deref() {
                    None => "the record has no `eventTime`".to_string(),
                    Some(time) => format!(
                        "`eventTime` `{}` is not an RFC 3339 time",
                        time.chars().take(40).collect::<String>()
                    ),
                };
                let why = format!("{why}: it cannot be placed in the window");
                let code = Code::UnplaceableRecord;
                return self.diagnose_events(decoded, code, &call(), why, at(), events);
            }
        }
        if !record.is_api_call() {
            let why = format!("eventType `{}`", record.event_type.as_deref().unwrap_or(""));
            return self.diagnose_events(decoded, Code::NonApiEvent, &call(), why, at(), events);
        }
        if !record.id().is_empty() {
            // The copy reported is the later one in input order, which may be the one kept: the copies are
            // the same event, and the report must not depend on which worker read its file first.
            if let Some((file, index)) = self.seen.see(event_key(record), origin.file, origin.index)
            {
                // When the copy reported is not this one, this copy is the earlier and the other was taken
                // already: what the event's findings name moves here.
                let taken_later = (file.as_str(), index) != (origin.file, origin.index);
                decoded.stats.records_duplicate += 1;
                let why = format!("eventID `{}` seen before", record.id());
                let copy = Location {
                    file,
                    record: Some(index),
                    event_id: Some(record.id().to_string()),
                };
                self.diagnose(decoded, Code::DuplicateEvent, &call(), why, copy);
                if taken_later {
                    if let Some(why) = unknown_version(record) {
                        let code = Code::UnknownEventVersion;
                        decoded.diagnostics.add_n(code, call(), why, Some(at()), 0);
                    }
                    out.sink.locate(record, &origin);
                }
                return;
            }
        }
        let events = weight.map_or(1, |w| w.count);
        decoded.stats.records_matched += events;
        if let Some(arn) = principal_arn(record) {
            *decoded
                .matched_principals
                .entry(arn.to_string())
                .or_default() += events;
        }
        if let Some(why) = unknown_version(record) {
            self.diagnose(decoded, Code::UnknownEventVersion, &call(), why, at());
        }
        out.sink.record(record, &origin, weight);
        if self.scope.strict && out.sink.incomplete() {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    fn diagnose(
        &self,
        decoded: &mut Decoded,
        code: Code,
        subject: &str,
        detail: String,
        at: Location,
    ) {
        self.diagnose_events(decoded, code, subject, detail, at, 1);
    }

    /// A finding about `events` events at once (an engine's row stands for its count).
    fn diagnose_events(
        &self,
        decoded: &mut Decoded,
        code: Code,
        subject: &str,
        detail: String,
        at: Location,
        events: u64,
    ) {
        if self.scope.strict && code.severity() == Severity::Incomplete {
            self.stopped.store(true, Ordering::Relaxed);
        }
        let subject = subject.to_string();
        decoded
            .diagnostics
            .add_n(code, subject, detail, Some(at), events);
    }
}

/// Why a record's `eventVersion` is not one this reads (1.x).
fn unknown_version(record: &Record) -> Option<String> {
    let version = record.event_version.as_deref()?;
    (!version.starts_with("1.")).then(|| format!("eventVersion `{version}`"))
}

fn sample_principal_of<S>(raw: &[u8], out: &mut Collected<S>) {
    if let Ok(record) = parse_record(raw) {
        if let Some(arn) = principal_arn(&record) {
            *out.decoded
                .other_principals
                .entry(arn.to_string())
                .or_default() += 1;
        }
    }
}

/// The location of a whole file.
fn file(name: &str) -> Location {
    Location {
        file: name.to_string(),
        record: None,
        event_id: None,
    }
}
