//! `policygen index`: reads the objects the index has not read yet (local files, or every object of a trail
//! bucket), each principal's records split by UTC day through the same decoder and mapping sink as a run,
//! and commits them in batches (each batch one segment: an update killed at any moment keeps the batches it
//! committed, and the next one reads the rest).

use super::origin::{Origin, CHUNK};
use super::state::Blob;
use super::store::{Day, Meta, ObjectEntry, S3Meta, Store, LAYOUT};
use super::{day_of, IndexError};
use crate::collector::files::discover;
use crate::collector::progress::bytes_bar;
use crate::collector::s3::{key_time, Bucket, Trails};
use crate::collector::seen::Seen;
use crate::collector::sink::{DaysSink, Split};
use crate::collector::source::{AwsOptions, S3Source};
use crate::collector::{
    split, AwsError, Collected, Decoder, LogInput, Scope, Sink, Sources, Weight,
};
use crate::event::Record;
use crate::principal::PrincipalKey;
use crate::report::{Code, Diagnostic, Stats};
use crate::usage::MappingSink;
use crate::window::TimeWindow;
use chrono::{TimeZone, Utc};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::path::{Path, PathBuf};

/// Objects committed together: what a kill can lose at most.
pub const BATCH: usize = 128;

type IndexSink = (
    Split<(PrincipalKey, Day), MappingSink>,
    (DaysSink, StartsSink),
);

/// How many records a run that skips by name would count in a log (records found by where CloudTrail
/// starts them): when that is not how many there are, a run's counters depend on the name.
#[derive(Default)]
struct StartsSink {
    starts: Option<usize>,
}

impl Sink for StartsSink {
    fn record(&mut self, _: &Record, _: &crate::collector::Origin, _: Option<&Weight>) {}

    fn body(&mut self, body: &[u8]) {
        // A name no JSON text holds: only the count is wanted.
        static NOTHING: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
            std::sync::OnceLock::new();
        let nothing = NOTHING.get_or_init(|| memchr::memmem::Finder::new(b"\x00\x00"));
        if !split::has_unicode_escape(body) {
            self.starts = split::candidates(body, nothing).map(|(count, _)| count);
        }
    }

    fn merge(&mut self, other: Self) {
        self.starts = self.starts.or(other.starts);
    }

    fn fresh(&self) -> Self {
        StartsSink::default()
    }
}

/// What an update did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    /// Objects read and committed by this update.
    pub objects_read: usize,
    /// Objects already in the index, not read.
    pub objects_known: usize,
    /// Objects read again for their event IDs only: new objects held events of their days (a duplicate
    /// delivery must stay a duplicate), days of an earlier update or days this one had forgotten.
    pub objects_reread: usize,
    /// Objects that could not be read: reported by queries, read again by the next update.
    pub failed: Vec<String>,
    pub segments_written: usize,
    /// Month and quarter spans written (`spans/`).
    pub spans_written: usize,
    /// Paths under the inputs that could not be listed (not objects): kept in `index.json`, so every query
    /// reports them as a run over the logs does, until an update lists them.
    pub unlisted: Vec<Diagnostic>,
}

pub(crate) fn split_key(record: &Record) -> Option<(PrincipalKey, Day)> {
    PrincipalKey::of(record).map(|k| (k, day_of(record.time())))
}

/// The window an update reads: every time CloudTrail can write, compared as canonical text exactly as a
/// run's bounded window compares it.
pub fn everything() -> TimeWindow {
    let from = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single();
    let to = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single();
    match (from, to) {
        (Some(from), Some(to)) => {
            TimeWindow::new(from, to).unwrap_or_else(|_| TimeWindow::unbounded())
        }
        _ => TimeWindow::unbounded(),
    }
}

fn decoder(seen: Seen) -> Decoder<IndexSink> {
    let scope = Scope {
        principal: None,
        window: everything(),
        strict: false,
    };
    Decoder::new(
        scope,
        (
            Split::new(split_key, MappingSink::new(false)),
            (
                DaysSink {
                    enabled: true,
                    ..DaysSink::default()
                },
                StartsSink::default(),
            ),
        ),
    )
    .seen_before(seen)
}

struct Candidate {
    name: String,
    path: PathBuf,
    size: u64,
    version: String,
}

/// What `policygen index` reads.
pub enum Given {
    /// `--logs` paths, as given.
    Logs(Vec<String>),
    /// `--s3`: the bucket (its `--account`s, `--concurrency`), reached with these AWS options.
    S3(S3Source, AwsOptions),
}

impl Given {
    fn meta(&self) -> Meta {
        let (source, s3) = match self {
            Given::Logs(logs) => (logs.clone(), None),
            Given::S3(source, _) => (
                vec![source.url()],
                Some(S3Meta {
                    bucket: source.bucket.clone(),
                    prefix: source.prefix.clone(),
                    accounts: source.accounts.iter().map(ToString::to_string).collect(),
                    trails: Trails::default(),
                }),
            ),
        };
        Meta {
            schema: LAYOUT,
            source,
            s3,
            unlisted: Vec::new(),
        }
    }
}

/// Reads what is new in `given` into the index at `dir` (created when missing); `progress`: draw a bar of
/// the bytes read on stderr (a terminal).
pub async fn update(
    dir: &Path,
    given: &Given,
    batch: usize,
    progress: bool,
) -> Result<UpdateReport, IndexError> {
    let _lock = Store::lock(dir)?;
    let mut meta = given.meta();
    let store = Store::open(dir)?;
    if let Some(store) = store.as_ref().filter(|s| !s.meta.same_source(&meta)) {
        return Err(IndexError::OtherSource {
            path: dir.display().to_string(),
            source_given: meta.describe(),
            source_indexed: store.meta.describe(),
        });
    }
    let mut report = UpdateReport::default();
    // Listed before the index is created: a wrong source leaves no index behind.
    let (origin, listed) = match given {
        Given::Logs(logs) => {
            let (listed, unlisted) = list_files(logs);
            report.unlisted.clone_from(&unlisted);
            meta.unlisted = unlisted;
            (Origin::Files, listed)
        }
        Given::S3(source, aws) => {
            let bucket = Bucket::connect(&Sources::default(), aws, source.clone()).await?;
            let inventory = bucket.inventory().await.map_err(AwsError::from)?;
            let listed = inventory
                .objects
                .into_iter()
                .map(|o| Candidate {
                    name: format!("s3://{}/{}", source.bucket, o.key),
                    path: PathBuf::from(o.key),
                    size: o.size,
                    version: o.etag,
                })
                .collect();
            if let Some(s3) = &mut meta.s3 {
                s3.trails = inventory.trails;
            }
            (Origin::Bucket(bucket), listed)
        }
    };
    let store = match store {
        Some(store)
            if meta.s3.is_none()
                && store.meta.schema >= LAYOUT
                && store.meta.unlisted == meta.unlisted =>
        {
            store
        }
        // An index of a bucket records what this update found of it, before reading: how a run lists it.
        // An index of an older schema says that it now has spans.
        _ => Store::create(dir, meta)?,
    };
    let segments = store.segments(true)?;
    // The objects read before (the latest entry of each), and which of them hold each day.
    let mut known: HashMap<String, ObjectEntry> = HashMap::new();
    for segment in &segments {
        for object in &segment.objects {
            known.insert(object.name.clone(), object.clone());
        }
    }
    let mut old_slots: BTreeMap<Day, Vec<(String, PathBuf)>> = BTreeMap::new();
    for object in known.values().filter(|o| !o.failed) {
        for slot in &object.slots {
            old_slots
                .entry(slot.clone())
                .or_default()
                .push((object.name.clone(), object.path.clone()));
        }
    }
    let mut candidates = Vec::new();
    for candidate in listed {
        match known.get(&candidate.name) {
            Some(o) if !o.failed && o.size == candidate.size && o.version == candidate.version => {
                report.objects_known += 1;
                continue;
            }
            Some(o) if !o.failed => {
                return Err(IndexError::Changed {
                    object: candidate.name,
                    path: dir.display().to_string(),
                })
            }
            _ => candidates.push(candidate),
        }
    }
    // By delivery time, so that a batch holds few days and a day few batches (a query merges fewer
    // states); objects without one last, as a run lists `AWSLogs/` before other names.
    let time = |c: &Candidate| {
        let file = Path::new(&c.name).file_name().and_then(|n| n.to_str());
        let time = file.and_then(key_time);
        (time.is_none(), time)
    };
    candidates.sort_by(|a, b| (time(a), &a.name).cmp(&(time(b), &b.name)));
    let mut number = segments
        .last()
        .and_then(|s| s.path.file_stem()?.to_str()?.parse::<u64>().ok())
        .unwrap_or(0);
    let mut carried = Seen::default();
    let mut seeded: BTreeSet<Day> = BTreeSet::new();
    // The objects whose events `carried` holds, by the last day they have: past it, they are forgotten.
    let mut live: BTreeSet<(String, String)> = BTreeSet::new();
    // Each batch is fetched while the one before it is decoded: network and CPU overlap.
    let fetch = |batch: &[Candidate]| {
        let (origin, paths) = (origin.clone(), batch.iter().map(|c| c.path.clone()));
        let paths: Vec<PathBuf> = paths.collect();
        tokio::spawn(async move {
            let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            origin.fetch(&paths).await
        })
    };
    let bytes = candidates.iter().map(|c| c.size).sum();
    let bar = bytes_bar(
        "index",
        bytes,
        candidates.len(),
        progress && !candidates.is_empty(),
    );
    if !bar.is_hidden() {
        // A batch takes seconds: the spinner shows the update is alive between them.
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
    }
    let batches: Vec<&[Candidate]> = candidates.chunks(batch.max(1)).collect();
    let mut next = batches.first().map(|b| fetch(b));
    for (i, batch) in batches.iter().copied().enumerate() {
        let bytes = match next.take() {
            Some(task) => task.await.unwrap_or_else(|e| {
                let why = format!("download task failed: {e}");
                vec![Err(why); batch.len()]
            }),
            None => Vec::new(),
        };
        next = batches.get(i + 1).map(|b| fetch(b));
        let before = (!old_slots.is_empty()).then(|| carried.clone());
        let (mut read, mut seen) = read_batch(batch, &bytes, std::mem::take(&mut carried));
        // Days that earlier updates also hold: their events are needed to tell duplicates.
        let overlap: Vec<Day> = read
            .iter()
            .flat_map(|(o, _)| o.slots.iter())
            .filter(|s| old_slots.contains_key(*s) && !seeded.contains(*s))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if let (false, Some(before)) = (overlap.is_empty(), before) {
            let mut objects = BTreeSet::new();
            for slot in &overlap {
                objects.extend(old_slots[slot].iter().cloned());
                seeded.insert(slot.clone());
            }
            report.objects_reread += objects.len();
            live.extend(
                objects
                    .iter()
                    .filter_map(|(name, _)| last_day(known.get(name)?)),
            );
            before.absorb(event_keys(&origin, &objects).await?);
            (read, seen) = read_batch(batch, &bytes, before);
        }
        carried = seen;
        let mut objects = Vec::new();
        let mut states: BTreeMap<(PrincipalKey, Day), Collected<MappingSink>> = BTreeMap::new();
        for (object, collected) in read {
            if object.failed {
                report.failed.push(object.name.clone());
            }
            objects.push(object);
            for (key, part) in collected.sink.0.parts {
                match states.get_mut(&key) {
                    Some(mine) => mine.merge(part),
                    None => {
                        states.insert(key, part);
                    }
                }
            }
        }
        let mut by_principal: BTreeMap<PrincipalKey, Vec<(Day, Collected<MappingSink>)>> =
            BTreeMap::new();
        for ((key, day), part) in states {
            by_principal.entry(key).or_default().push((day, part));
        }
        // Each principal's days packed on every core, in key order (how a segment lays them out).
        let by_principal: Vec<(PrincipalKey, Blob)> = by_principal
            .into_iter()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(key, days)| (key, Blob::of(days)))
            .collect();
        // Committed, this batch's objects hold their days as an earlier update's do; their events stay in
        // `carried` until every later batch is past their last day.
        for object in objects.iter().filter(|o| !o.failed) {
            for slot in &object.slots {
                let holders = old_slots.entry(slot.clone()).or_default();
                holders.push((object.name.clone(), object.path.clone()));
                seeded.insert(slot.clone());
            }
            live.extend(last_day(object));
        }
        if let Some(horizon) = batches.get(i + 1).and_then(|next| horizon(next)) {
            forget_before(&horizon, &mut live, &mut seeded, &carried);
        }
        number += 1;
        store.commit(number, objects, by_principal)?;
        report.segments_written += 1;
        report.objects_read += batch.len();
        bar.inc(batch.iter().map(|c| c.size).sum());
        bar.set_message(format!(
            "{}/{} objects",
            report.objects_read,
            candidates.len()
        ));
    }
    bar.set_message("merging months and quarters");
    report.spans_written = super::span::refresh(&store)?;
    bar.finish_and_clear();
    Ok(report)
}

/// The files under `logs`, with their sizes and modification times; paths that could not be listed.
fn list_files(logs: &[String]) -> (Vec<Candidate>, Vec<Diagnostic>) {
    let inputs: Vec<LogInput> = crate::collector::files::log_inputs(logs);
    let lister = decoder(Seen::default());
    let mut listed = lister.fresh();
    let (files, _stdin) = discover(&inputs, &lister, &mut listed);
    let unlisted = listed.decoded.diagnostics.iter().cloned().collect();
    let files = files
        .into_iter()
        .map(|path| {
            let (size, version) = match std::fs::metadata(&path) {
                Ok(m) => (m.len(), modified(&m)),
                Err(_) => (0, String::new()),
            };
            Candidate {
                name: path.display().to_string(),
                path: std::path::absolute(&path).unwrap_or(path),
                size,
                version,
            }
        })
        .collect();
    (files, unlisted)
}

fn modified(meta: &std::fs::Metadata) -> String {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().to_string())
        .unwrap_or_default()
}

/// Decodes a batch, each object into its own contribution (its days and its own findings are the object's).
fn read_batch(
    batch: &[Candidate],
    bytes: &[Result<Vec<u8>, String>],
    seen: Seen,
) -> (Vec<(ObjectEntry, Collected<IndexSink>)>, Seen) {
    let decoder = decoder(seen);
    let read = batch
        .par_iter()
        .zip(bytes)
        .map(|(c, bytes)| {
            let mut part = decoder.fresh();
            let failed = match bytes {
                Ok(bytes) => {
                    decoder.read(&c.name, bytes, &mut part);
                    false
                }
                Err(e) => {
                    decoder.unreadable(&c.name, e, &mut part);
                    true
                }
            };
            (entry(c, failed, &part), part)
        })
        .collect();
    (read, decoder.into_seen())
}

/// An object's last day, with its name, when every record it has is placed in a day (`None`: its events are
/// kept to the end of the update).
fn last_day(object: &ObjectEntry) -> Option<(String, String)> {
    if object.slots.iter().any(Option::is_none) {
        return None;
    }
    let slots = object.slots.iter().flatten();
    let last = object.days.iter().chain(slots).max()?;
    Some((last.clone(), object.name.clone()))
}

/// The day before the first delivery of `batch` (objects sorted by delivery time): CloudTrail delivers an
/// event within minutes, so later batches hold the days before it only in a late delivery.
fn horizon(batch: &[Candidate]) -> Option<String> {
    let file = Path::new(&batch.first()?.name).file_name()?.to_str()?;
    let delivered = key_time(file)?;
    Some(
        (delivered - chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string(),
    )
}

/// Forgets the events of the objects whose last day is before `horizon`, and that the days before it are
/// in `carried`: a later batch that has one of those days (a late delivery, rare) has the day's objects read
/// again, as a day of an earlier update is. What an update holds of the events it has read stays a few days'
/// worth, however long the trail.
fn forget_before(
    horizon: &str,
    live: &mut BTreeSet<(String, String)>,
    seeded: &mut BTreeSet<Day>,
    carried: &Seen,
) {
    let kept = live.split_off(&(horizon.to_string(), String::new()));
    let gone: BTreeSet<String> = std::mem::replace(live, kept)
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    if !gone.is_empty() {
        carried.forget_files(&gone);
    }
    seeded.retain(|day| day.as_deref().is_none_or(|day| day >= horizon));
}

/// What the index keeps of an object beside its principals' states.
fn entry(c: &Candidate, failed: bool, part: &Collected<IndexSink>) -> ObjectEntry {
    let s = &part.decoded.stats;
    // Only what is about the object: findings about records without a principal key concern no query.
    let stats = Stats {
        files_read: s.files_read,
        files_skipped: s.files_skipped,
        files_failed: s.files_failed,
        bytes_read: s.bytes_read,
        records_read: s.records_read,
        ..Stats::default()
    };
    let whole_file = [
        Code::UnreadableFile,
        Code::InvalidFile,
        Code::NotCloudtrail,
        Code::DigestFile,
    ];
    let diagnostics = part
        .decoded
        .diagnostics
        .iter()
        .filter(|d| whole_file.contains(&d.code))
        .cloned()
        .collect();
    let by_name = part.decoded.diagnostics.count(Code::MalformedRecord) > 0
        || part
            .sink
            .1
             .1
            .starts
            .is_some_and(|n| n as u64 != s.records_read);
    let slots: BTreeSet<Day> = part.sink.0.parts.keys().map(|(_, d)| d.clone()).collect();
    let accounts: BTreeSet<String> = part
        .sink
        .0
        .parts
        .keys()
        .map(|(k, _)| k.account.to_string())
        .collect();
    ObjectEntry {
        name: c.name.clone(),
        path: c.path.clone(),
        size: c.size,
        version: c.version.clone(),
        failed,
        stats,
        diagnostics,
        by_name,
        days: part.sink.1 .0.days.iter().cloned().collect(),
        slots: slots.into_iter().collect(),
        accounts: Some(accounts.into_iter().collect()),
    }
}

/// The keys of the events in `objects` (name, path), as the decoder tells duplicates, with where.
async fn event_keys(
    origin: &Origin,
    objects: &BTreeSet<(String, PathBuf)>,
) -> Result<Seen, IndexError> {
    let scope = Scope {
        principal: None,
        window: everything(),
        strict: false,
    };
    let decoder = Decoder::new(scope, DaysSink::default());
    let objects: Vec<&(String, PathBuf)> = objects.iter().collect();
    for chunk in objects.chunks(CHUNK) {
        let paths: Vec<&Path> = chunk.iter().map(|(_, path)| path.as_path()).collect();
        let bytes = origin.fetch(&paths).await;
        chunk
            .par_iter()
            .zip(bytes)
            .try_for_each(|((name, path), bytes)| {
                let bytes = bytes.map_err(|message| IndexError::SourceGone {
                    object: origin.locate(name, path),
                    message,
                })?;
                let mut part = decoder.fresh();
                decoder.read(name, &bytes, &mut part);
                Ok::<_, IndexError>(())
            })?;
    }
    Ok(decoder.into_seen())
}
