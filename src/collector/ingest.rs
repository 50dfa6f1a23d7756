//! The one path every source's bytes take: decompress, recognise the shape, skip other principals' records
//! before a full parse, filter by principal and window, drop duplicates, map, and record usage.

use super::inflate::gunzip;
use super::split;
use crate::event::{denied_action, is_access_denied, Record};
use crate::mapper::{Mapper, Outcome, Wildcard};
use crate::principal::{principal_arn, PrincipalFilter};
use crate::report::{Code, Diagnostics, Location, Severity, Stats};
use crate::usage::{DeniedKey, Evidence, FailedCall, FailedKey, UsageKey, UsageSet};
use crate::window::TimeWindow;
use memchr::memmem;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// What to keep: one principal in one window.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `None` keeps every principal's records (`maps coverage`).
    pub principal: Option<PrincipalFilter>,
    pub window: TimeWindow,
    /// Grant failed calls too (`--include-denied`).
    pub include_denied: bool,
    /// Stop at the first problem that makes the result incomplete (`--strict`).
    pub strict: bool,
    /// Record the outcome of every distinct call (`maps coverage`).
    pub record_calls: bool,
    /// Record the days that have any record (a review's coverage notes).
    pub record_days: bool,
}

/// What one piece of input contributed; merged across files and threads.
#[derive(Debug, Default, Clone)]
pub struct Partial {
    pub usage: UsageSet,
    pub diagnostics: Diagnostics,
    pub stats: Stats,
    /// `eventSource eventName` → how it mapped, when the scope asks for it.
    pub calls: BTreeMap<String, &'static str>,
    /// UTC days (`2026-11-05`) on which any record was read, whoever's: a day missing here had no logs.
    pub days: BTreeSet<String>,
    /// The principals (role, user or caller ARN) whose records matched, with how many: a role name can match
    /// a role of that name in several accounts.
    pub matched_principals: BTreeMap<String, u64>,
    /// Other principals seen: every record that held the principal's name but did not match, and the first
    /// record of each file that held none. A sample, used only to suggest who was meant when nothing matched.
    pub other_principals: BTreeMap<String, u64>,
    /// Stopped early by `--strict`.
    pub stopped: bool,
}

impl Partial {
    pub fn merge(&mut self, other: Partial) {
        self.usage.merge(other.usage);
        self.diagnostics.merge(other.diagnostics);
        self.stats.merge(&other.stats);
        self.calls.extend(other.calls);
        self.days.extend(other.days);
        for (arn, count) in other.matched_principals {
            *self.matched_principals.entry(arn).or_default() += count;
        }
        for (arn, count) in other.other_principals {
            *self.other_principals.entry(arn).or_default() += count;
        }
        self.stopped |= other.stopped;
    }
}

thread_local! {
    static INFLATED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Identifies an event across deliveries: eventID alone is not enough (hand-made logs reuse IDs), so
/// source, name and time are part of it. A 128-bit FNV-1a hash keeps the set small.
fn event_key(record: &Record) -> u128 {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for part in [record.id(), record.source(), record.name(), record.time()] {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0xff)) {
            hash = (hash ^ u128::from(b)).wrapping_mul(PRIME);
        }
    }
    hash
}

pub struct Ingest {
    scope: Scope,
    mapper: Mapper,
    needle: Option<memmem::Finder<'static>>,
    /// Keys of the events seen, to drop duplicate deliveries; 16 bytes an event.
    seen: Mutex<HashSet<u128>>,
    stopped: AtomicBool,
}

impl Ingest {
    pub fn new(scope: Scope) -> Ingest {
        let needle = scope
            .principal
            .as_ref()
            .map(|p| memmem::Finder::new(p.needle().as_bytes()).into_owned());
        Ingest {
            scope,
            mapper: Mapper::default(),
            needle,
            seen: Mutex::new(HashSet::new()),
            stopped: AtomicBool::new(false),
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Set once a strict run met a problem; sources stop reading.
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Reports a source that could not be read at all (a file, an S3 object).
    pub fn unreadable(&self, name: &str, why: &str, out: &mut Partial) {
        out.stats.files_failed += 1;
        self.diagnose(
            out,
            Code::UnreadableFile,
            name,
            why.to_string(),
            Some(at(name, None, None)),
        );
    }

    /// One input object: a log file, an S3 object, stdin. Gzip is recognised by its magic bytes.
    pub fn ingest(&self, name: &str, bytes: &[u8], out: &mut Partial) {
        out.stats.bytes_read += bytes.len() as u64;
        if !bytes.starts_with(&[0x1f, 0x8b]) {
            return self.ingest_json(name, bytes, out);
        }
        // One inflate buffer per thread, reused across files.
        let mut inflated = INFLATED.with(|b| std::mem::take(&mut *b.borrow_mut()));
        if let Err(e) = gunzip(bytes, &mut inflated) {
            // Records before the damage are still read.
            self.diagnose(
                out,
                Code::InvalidFile,
                name,
                format!("gzip data is damaged: {e}"),
                Some(at(name, None, None)),
            );
        }
        self.ingest_json(name, &inflated, out);
        INFLATED.with(|b| *b.borrow_mut() = inflated);
    }

    fn ingest_json(&self, name: &str, bytes: &[u8], out: &mut Partial) {
        let bytes = bytes
            .strip_prefix(b"\xef\xbb\xbf".as_slice())
            .unwrap_or(bytes);
        if self.scope.record_days {
            record_days(bytes, &mut out.days);
        }
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
            .filter(|_| memmem::find(body, b"\\u").is_none())
        {
            if let Some((count, spans)) = split::candidates(body, needle) {
                out.stats.files_read += 1;
                if spans.is_empty() {
                    self.sample_principal(body, out);
                }
                out.stats.records_read += (count - spans.len()) as u64;
                let records = spans.into_iter().map(|s| (s.index, &body[s.start..s.end]));
                return self.records(name, records, out);
            }
        }
        if let Some(spans) = split::record_spans(body) {
            if !spans.is_empty() && !has_record_keys(body) {
                return self.not_a_log(name, FOREIGN_RECORDS, out);
            }
            out.stats.files_read += 1;
            return self.records(
                name,
                spans
                    .into_iter()
                    .map(|(from, to)| &body[from..to])
                    .enumerate(),
                out,
            );
        }
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
        match result {
            Ok(Shape::Records) => self.records(
                name,
                records.iter().map(|r| r.get().as_bytes()).enumerate(),
                out,
            ),
            Ok(Shape::Single) => self.records(name, std::iter::once((0, body)), out),
            Ok(Shape::JsonLines) => self.json_lines(name, body, out),
            Ok(Shape::LookupEvents(events)) => {
                self.records(name, events.iter().map(String::as_bytes).enumerate(), out)
            }
            Ok(Shape::Digest) => {
                out.stats.files_skipped += 1;
                self.diagnose(
                    out,
                    Code::DigestFile,
                    name,
                    "a CloudTrail digest file holds no events".into(),
                    Some(at(name, None, None)),
                );
            }
            Ok(Shape::Other) => {
                return self.not_a_log(
                    name,
                    "JSON without `Records`, `eventName` or `Events`: not a CloudTrail log",
                    out,
                );
            }
            Err(e) => {
                // Whatever records came before the damage were collected and are still used.
                let salvaged = records.len();
                self.records(
                    name,
                    records.iter().map(|r| r.get().as_bytes()).enumerate(),
                    out,
                );
                let why = format!("invalid JSON at line {} column {}: {} ({salvaged} records before it were read)", e.line(), e.column(), redacted(&e));
                self.diagnose(
                    out,
                    Code::InvalidFile,
                    name,
                    why,
                    Some(at(name, Some(salvaged), None)),
                );
            }
        }
        out.stats.files_read += 1;
    }

    /// A file that holds no CloudTrail log. Named and laid out as a trail's log object, it is damaged input
    /// (the run is incomplete); anything else is some other file, skipped with a warning.
    fn not_a_log(&self, name: &str, why: &str, out: &mut Partial) {
        let location = Some(at(name, None, None));
        if is_trail_object(name) {
            out.stats.files_failed += 1;
            let why = format!("{why}, though its name is that of a CloudTrail log object");
            self.diagnose(out, Code::InvalidFile, name, why, location);
        } else {
            out.stats.files_skipped += 1;
            self.diagnose(out, Code::NotCloudtrail, name, why.to_string(), location);
        }
    }

    /// Records who made the first record of a log that holds none of the principal's: a cheap sample of the
    /// principals in the input (one parse a file), for suggestions when nothing matches.
    fn sample_principal(&self, body: &[u8], out: &mut Partial) {
        if let Some((start, end)) = split::first_record(body) {
            self.sample_principal_of(&body[start..end], out);
        }
    }

    fn sample_principal_of(&self, raw: &[u8], out: &mut Partial) {
        if let Ok(record) = serde_json::from_slice::<Record>(raw) {
            if let Some(arn) = principal_arn(&record) {
                *out.other_principals.entry(arn.to_string()).or_default() += 1;
            }
        }
    }

    fn json_lines(&self, name: &str, body: &[u8], out: &mut Partial) {
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            self.record(name, index, line, None, out);
        }
    }

    /// `(index in the file, raw record)` pairs.
    fn records<'a>(
        &self,
        name: &str,
        records: impl Iterator<Item = (usize, &'a [u8])>,
        out: &mut Partial,
    ) {
        for (index, raw) in records {
            if self.stopped() {
                return;
            }
            self.record(name, index, raw, None, out);
        }
    }

    /// One row of an engine that aggregated the principal's events (Athena, CloudTrail Lake): a record
    /// built from the row, standing for `weight.count` events up to `weight.last_seen`.
    pub fn aggregated(
        &self,
        name: &str,
        index: usize,
        raw: &[u8],
        weight: &Weight,
        out: &mut Partial,
    ) {
        self.record(name, index, raw, Some(weight), out);
    }

    fn record(
        &self,
        name: &str,
        index: usize,
        raw: &[u8],
        weight: Option<&Weight>,
        out: &mut Partial,
    ) {
        let events = weight.map_or(1, |w| w.count);
        out.stats.records_read += events;
        // A record of this principal contains its name verbatim, unless a `\u` escape spells it.
        if let Some(needle) = &self.needle {
            if needle.find(raw).is_none() && memmem::find(raw, b"\\u").is_none() {
                if index == 0 {
                    self.sample_principal_of(raw, out);
                }
                return;
            }
        }
        let record: Record = match serde_json::from_slice(raw) {
            Ok(record) => record,
            Err(e) => {
                let why = format!("record {index} has the wrong shape: {}", redacted(&e));
                self.diagnose(
                    out,
                    Code::MalformedRecord,
                    name,
                    why,
                    Some(at(name, Some(index), None)),
                );
                return;
            }
        };
        let principal_ok = self
            .scope
            .principal
            .as_ref()
            .is_none_or(|p| p.matches(&record));
        if !principal_ok {
            if let Some(arn) = principal_arn(&record) {
                *out.other_principals.entry(arn.to_string()).or_default() += 1;
            }
            return;
        }
        let location = || Some(at(name, Some(index), Some(record.id())));
        let call = format!("{} {}", record.source(), record.name());
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
                self.diagnose(out, Code::UnplaceableRecord, &call, why, location());
                return;
            }
        }
        if !record.is_api_call() {
            self.diagnose(
                out,
                Code::NonApiEvent,
                &call,
                format!("eventType `{}`", record.event_type.as_deref().unwrap_or("")),
                location(),
            );
            return;
        }
        if !record.id().is_empty() {
            let key = event_key(&record);
            let fresh = self
                .seen
                .lock()
                .map(|mut seen| seen.insert(key))
                .unwrap_or(true);
            if !fresh {
                out.stats.records_duplicate += 1;
                self.diagnose(
                    out,
                    Code::DuplicateEvent,
                    &call,
                    format!("eventID `{}` seen before", record.id()),
                    location(),
                );
                return;
            }
        }
        out.stats.records_matched += events;
        if let Some(arn) = principal_arn(&record) {
            *out.matched_principals.entry(arn.to_string()).or_default() += events;
        }
        if let Some(version) = record
            .event_version
            .as_deref()
            .filter(|v| !v.starts_with("1."))
        {
            let why = format!("eventVersion `{version}`");
            self.diagnose(out, Code::UnknownEventVersion, &call, why, location());
        }
        if let Some(code) = record.error_code.as_deref().filter(|c| !c.is_empty()) {
            out.stats.records_failed_calls += events;
            let message = record.error_message.as_deref().unwrap_or("");
            if is_access_denied(code) {
                // The action the message names, else the one the call maps to, else the call itself.
                let action = denied_action(message)
                    .map(str::to_string)
                    .or_else(|| self.needs(&record).into_iter().next().map(|k| k.action))
                    .unwrap_or_else(|| call.clone());
                let key = DeniedKey {
                    action: action.clone(),
                    error_code: code.to_string(),
                };
                out.usage.add_denied(key, evidence(&record, None, weight));
                if !self.scope.include_denied {
                    let why = format!("`{code}` for `{call}`: not granted (use `--include-denied` to grant denied calls)");
                    self.diagnose(out, Code::DeniedCall, &action, why, location());
                    return;
                }
            } else if !self.scope.include_denied {
                // Whether it is a warning depends on the policy written (`verify`): a throttled call that
                // also succeeded is routine.
                let key = FailedKey {
                    call: call.clone(),
                    error_code: code.to_string(),
                };
                let failed = FailedCall {
                    evidence: evidence(&record, None, weight),
                    needs: self.needs(&record),
                    first: location(),
                };
                out.usage.add_failed(key, failed);
                return;
            }
            self.diagnose(
                out,
                Code::DeniedCallGranted,
                &call,
                format!("failed with `{code}`, granted by `--include-denied`"),
                location(),
            );
        }
        self.map(name, index, &record, &call, weight, out);
    }

    /// What a call would have needed: its usage entries, or none when it does not map to any.
    fn needs(&self, record: &Record) -> BTreeSet<UsageKey> {
        let Outcome::Grants(grants) = self.mapper.map_record(record).outcome else {
            return BTreeSet::new();
        };
        grants
            .into_iter()
            .flat_map(|grant| {
                grant.resources.into_iter().map(move |resource| UsageKey {
                    action: grant.action.clone(),
                    resource,
                    region: record.region().to_string(),
                    facts: grant.facts.clone(),
                })
            })
            .collect()
    }

    fn map(
        &self,
        name: &str,
        index: usize,
        record: &Record,
        call: &str,
        weight: Option<&Weight>,
        out: &mut Partial,
    ) {
        let events = weight.map_or(1, |w| w.count);
        let location = || Some(at(name, Some(index), Some(record.id())));
        let mapping = self.mapper.map_record(record);
        if self.scope.record_calls {
            let kind = match &mapping.outcome {
                Outcome::Grants(grants) if grants.is_empty() => "unmapped",
                Outcome::Grants(_) => "mapped",
                Outcome::NoPermission(_) => "no-permission",
                Outcome::Internal(_) => "internal",
                Outcome::Console(_) => "console",
                Outcome::Unmapped(_) => "unmapped",
            };
            out.calls.entry(call.to_string()).or_insert(kind);
        }
        let entry = mapping.entry.as_ref();
        match mapping.outcome {
            Outcome::Grants(grants) if grants.is_empty() => {
                out.stats.records_unmapped += events;
                let why = format!(
                    "{} applies to no part of this record: the policy does not allow the call",
                    entry.map(ToString::to_string).unwrap_or_default()
                );
                self.diagnose(out, Code::UnsoundResult, call, why, location());
            }
            Outcome::Grants(grants) => {
                out.stats.records_mapped += events;
                // Grants that wait for what the principal's other records reveal are kept apart.
                let grants =
                    out.usage
                        .defer(grants, mapping.reveals, call, record.region(), || {
                            (evidence(record, entry, weight), location())
                        });
                for grant in grants {
                    match &grant.wildcard {
                        Some(Wildcard::StarOnly) => {
                            let why =
                                "the IAM catalogue lists no resource types for it".to_string();
                            self.diagnose(
                                out,
                                Code::StarOnlyAction,
                                &grant.action,
                                why,
                                location(),
                            );
                        }
                        Some(Wildcard::Unbound(why)) => {
                            let why = format!(
                                "{why} (`{call}`, {})",
                                entry.map(ToString::to_string).unwrap_or_default()
                            );
                            self.diagnose(
                                out,
                                Code::WildcardResource,
                                &grant.action,
                                why,
                                location(),
                            );
                        }
                        Some(Wildcard::Segment(why)) => {
                            self.diagnose(
                                out,
                                Code::WildcardSegment,
                                &grant.action,
                                why.clone(),
                                location(),
                            );
                        }
                        None => {}
                    }
                    for resource in grant.resources {
                        let key = UsageKey {
                            action: grant.action.clone(),
                            resource,
                            region: record.region().to_string(),
                            facts: grant.facts.clone(),
                        };
                        out.usage.add(key, evidence(record, entry, weight));
                    }
                }
            }
            Outcome::NoPermission(why) => {
                out.stats.records_no_permission += events;
                self.diagnose(out, Code::NoPermissionNeeded, call, why, location());
            }
            Outcome::Internal(why) => {
                out.stats.records_no_permission += events;
                self.diagnose(out, Code::ServiceInternalEvent, call, why, location());
            }
            Outcome::Console(why) => {
                out.stats.records_no_permission += events;
                self.diagnose(out, Code::ConsoleEvent, call, why, location());
            }
            Outcome::Unmapped(why) => {
                out.stats.records_unmapped += events;
                self.diagnose(out, Code::UnmappedEvent, call, why, location());
            }
        }
    }

    fn diagnose(
        &self,
        out: &mut Partial,
        code: Code,
        subject: &str,
        detail: String,
        location: Option<Location>,
    ) {
        if self.scope.strict && code.severity() == Severity::Incomplete {
            self.stopped.store(true, Ordering::Relaxed);
        }
        out.diagnostics.add(code, subject, detail, location);
    }
}

/// How many events an aggregated row stands for, and the last of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weight {
    pub count: u64,
    pub last_seen: String,
}

fn evidence(
    record: &Record,
    entry: Option<&crate::mapper::EntryRef>,
    weight: Option<&Weight>,
) -> Evidence {
    let caller = record.user_identity.as_ref().and_then(|u| u.arn.as_deref());
    let mut evidence = Evidence::new(record.time(), record.id(), entry).in_session(caller);
    if let Some(weight) = weight {
        evidence.count = weight.count;
        evidence.last_seen.clone_from(&weight.last_seen);
    }
    evidence
}

const FOREIGN_RECORDS: &str =
    "JSON objects without any CloudTrail field (`eventVersion`, `eventSource`, `eventName`, `eventTime`): not a CloudTrail log";

/// Whether a file's bytes name any field every CloudTrail record has. Cheap on real logs: the first record
/// has them.
fn has_record_keys(body: &[u8]) -> bool {
    [
        &b"\"eventVersion\""[..],
        b"\"eventSource\"",
        b"\"eventName\"",
        b"\"eventTime\"",
    ]
    .iter()
    .any(|key| memmem::find(body, key).is_some())
}

/// Whether a file or key is named as CloudTrail names its log objects:
/// `<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<unique>.json[.gz]`.
pub fn is_trail_object(name: &str) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let parts: Vec<&str> = file.split('_').collect();
    parts.len() >= 5
        && parts[0].len() == 12
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && parts[1] == "CloudTrail"
        && super::s3::key_time(file).is_some()
        && (file.ends_with(".json.gz") || file.ends_with(".json"))
}

/// The days of every `eventTime` in a file, found without parsing it (most records are other principals'
/// and are never parsed): one extra scan, only when a review asks which days had no logs.
fn record_days(body: &[u8], days: &mut BTreeSet<String>) {
    const KEY: &[u8] = b"\"eventTime\"";
    for at in memmem::find_iter(body, KEY) {
        if let Some(day) = event_day(&body[at + KEY.len()..]) {
            if !days.contains(day) {
                days.insert(day.to_string());
            }
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

/// A parser error without the strings it quotes: serde names a string of the wrong type by its value
/// (`invalid type: string "..."`), and the strings of a record can be credentials or passwords.
fn redacted(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            // serde writes the value Debug-escaped: skip to its closing quote.
            let mut escaped = false;
            for c in chars.by_ref() {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    _ => {}
                }
            }
            out.push_str("…\"");
        }
    }
    out
}

fn at(file: &str, record: Option<usize>, event_id: Option<&str>) -> Location {
    Location {
        file: file.to_string(),
        record,
        event_id: event_id.filter(|id| !id.is_empty()).map(str::to_string),
    }
}

enum Shape {
    Records,
    Single,
    JsonLines,
    LookupEvents(Vec<String>),
    Digest,
    Other,
}

/// What the top-level object of a JSON file told about its shape.
#[derive(Default)]
struct Top {
    has_records: bool,
    lookup_events: Option<Vec<String>>,
    digest: bool,
    record_fields: bool,
}

impl Top {
    fn shape(self) -> Shape {
        if self.has_records {
            Shape::Records
        } else if let Some(events) = self.lookup_events {
            Shape::LookupEvents(events)
        } else if self.digest {
            Shape::Digest
        } else if self.record_fields {
            Shape::Single
        } else {
            Shape::Other
        }
    }
}

/// Collects the raw records of an array into a vector owned by the caller, so that the records before a
/// syntax error survive it.
struct RecordsSeed<'s, 'de>(&'s mut Vec<&'de RawValue>);

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<&'de RawValue>()? {
            self.0.push(record);
        }
        Ok(())
    }
}

struct TopSeed<'s, 'de> {
    records: &'s mut Vec<&'de RawValue>,
    top: &'s mut Top,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(serde::Deserialize)]
struct LookupEvent {
    #[serde(rename = "CloudTrailEvent")]
    cloudtrail_event: Option<String>,
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "Records" => {
                    self.top.has_records = true;
                    map.next_value_seed(RecordsSeed(self.records))?;
                }
                "Events" => {
                    let events: Vec<LookupEvent> = map.next_value()?;
                    self.top.lookup_events = Some(
                        events
                            .into_iter()
                            .filter_map(|e| e.cloudtrail_event)
                            .collect(),
                    );
                }
                "digestPublicKeyFingerprint"
                | "digestSignatureAlgorithm"
                | "previousDigestS3Object" => {
                    self.top.digest = true;
                    map.next_value::<IgnoredAny>()?;
                }
                "eventVersion" | "eventName" | "eventSource" => {
                    self.top.record_fields = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod days_tests {
    use super::{is_trail_object, record_days, redacted};

    #[test]
    fn trail_object_names() {
        assert!(is_trail_object("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/111122223333_CloudTrail_us-east-1_20261102T1205Z_MVZFBwDgAWmKh7xj.json.gz"));
        assert!(is_trail_object(
            "111122223333_CloudTrail_eu-west-1_20261102T1205Z_x.json"
        ));
        assert!(!is_trail_object(
            "111122223333_CloudTrail-Digest_us-east-1_20261102T1205Z_x.json.gz"
        ));
        assert!(!is_trail_object("events.json.gz"));
        assert!(!is_trail_object(
            "1111_CloudTrail_us-east-1_20261102T1205Z_x.json.gz"
        ));
    }
    use std::collections::BTreeSet;

    #[test]
    fn parser_errors_do_not_quote_the_input() {
        let e = serde_json::from_str::<Vec<u8>>(r#""a \" secret""#).expect_err("a string");
        assert_eq!(
            redacted(&e),
            "invalid type: string \"…\", expected a sequence at line 1 column 13"
        );
    }

    #[test]
    fn days_without_parsing() {
        let mut days = BTreeSet::new();
        record_days(
            br#"{"Records":[{"eventTime" : "2026-11-05T10:00:00Z"},{"eventTime":"soon"},{"eventTime":"2026-11-07T00:00:00Z"}]}"#,
            &mut days,
        );
        assert_eq!(
            days.into_iter().collect::<Vec<_>>(),
            ["2026-11-05", "2026-11-07"]
        );
    }
}
