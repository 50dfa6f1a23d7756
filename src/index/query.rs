//! Answers a run from the index: the whole days of the window from the stored per-day states, the days
//! the window cuts (and days some object of which the run would not open) read again from the objects that
//! hold them, through the same decoder with the run's window, so the answer is the one the logs give.

use super::ingest::split_key;
use super::listing::plan;
use super::origin::{Origin, CHUNK};
use super::span::{self, Span};
use super::state::{absorb, Blob};
use super::store::{Day, ObjectEntry, Segment, Store};
use super::IndexError;
use crate::collector::s3::Bucket;
use crate::collector::sink::{DaysSink, Split};
use crate::collector::source::AwsOptions;
use crate::collector::{Collected, Decoder, Scope, Sink, Source, SourceReport, Sources};
use crate::ids::AccountId;
use crate::principal::{Identity, PrincipalFilter, PrincipalKey, PrincipalKind};
use crate::usage::principals::{FleetSink, Unparsed};
use crate::usage::{MappingSink, RunSink};
use crate::window::TimeWindow;
use chrono::SecondsFormat;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a run asks of an index beside its scope (`--index DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexQuery {
    pub dir: PathBuf,
    /// `--account`: of an index of a bucket, the accounts a run over the bucket lists (empty: every one).
    pub accounts: BTreeSet<AccountId>,
    /// `--concurrency`: objects of a bucket read again at once.
    pub concurrency: usize,
    /// How to reach an index's bucket when objects must be read again.
    pub aws: AwsOptions,
}

/// What the index gives a run: each principal's records in the window, and the run's own findings (the
/// objects a run would open, their counters and problems), as reading the logs would collect them.
pub struct Answer {
    pub parts: BTreeMap<PrincipalKey, Collected<MappingSink>>,
    pub run: Collected<RunSink>,
    /// The source the index was built from, as the run over it is given it, and what that run's source
    /// reports.
    pub source: Source,
    pub report: SourceReport,
    /// For a fleet: the records of the wrong shape in the objects opened, kept as a fleet over the logs
    /// keeps them (whose they are is decided by name).
    pub unparsed: Vec<Unparsed>,
    pub unattributed: crate::collector::Decoded,
}

/// The principals `filter` selects, by name: `--role NAME` or `--user NAME`, with `--account`.
pub fn selects(
    filter: &PrincipalFilter,
) -> Result<impl Fn(&PrincipalKey) -> bool + '_, IndexError> {
    let (kind, name) = match &filter.identity {
        Identity::Role { name, arn: None } => (PrincipalKind::Role, name),
        Identity::User { name, arn: None } => (PrincipalKind::User, name),
        _ => {
            return Err(IndexError::Unanswerable(
                "the index keeps roles and users by name: give `--role NAME` or `--user NAME` (and `--account ID`), or read the logs for an ARN".to_string(),
            ))
        }
    };
    if filter.session.is_some() {
        return Err(IndexError::Unanswerable(
            "the index keeps a role's sessions together: `--session` needs the logs".to_string(),
        ));
    }
    Ok(move |key: &PrincipalKey| {
        key.kind == kind
            && key.name == *name
            && (filter.accounts.is_empty() || filter.accounts.contains(&key.account))
    })
}

enum Cover {
    Whole,
    Cut,
    Outside,
}

/// How `window` covers a day, compared as the decoder compares canonical times (as text).
fn cover(day: &Day, window: &TimeWindow) -> Cover {
    let Some(day) = day else {
        // Records without a placeable time are reported in every window.
        return Cover::Whole;
    };
    let key = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (from, to) = (key(&window.from), key(&window.to));
    if from.len() != 20 || to.len() != 20 {
        return Cover::Cut;
    }
    let (first, last) = (format!("{day}T00:00:00Z"), format!("{day}T99:99:99Z"));
    if last < from || to <= first {
        Cover::Outside
    } else if from <= first && last < to {
        Cover::Whole
    } else {
        Cover::Cut
    }
}

/// What the index gives a run of `scope` (its principal, `None` for every principal: a fleet) collecting
/// into sinks configured as `template`. An index of a bucket reaches the bucket (through `sources`, or
/// credentials loaded now) only when objects must be read again.
pub async fn answer(
    scope: &Scope,
    include_denied: bool,
    template: &RunSink,
    query: &IndexQuery,
    sources: &Sources,
) -> Result<Answer, IndexError> {
    let dir = query.dir.as_path();
    if scope.strict {
        return Err(IndexError::Unanswerable(
            "`--strict` stops at the first problem in reading order, which the index does not keep: read the logs".to_string(),
        ));
    }
    if include_denied {
        return Err(IndexError::Unanswerable(
            "the index keeps failed calls as a run without `--include-denied` does: read the logs"
                .to_string(),
        ));
    }
    let filter = scope.principal.as_ref();
    let one = filter.map(selects).transpose()?;
    let selected = |key: &PrincipalKey| one.as_ref().is_none_or(|s| s(key));
    let store = Store::open(dir)?.ok_or_else(|| IndexError::Missing(dir.display().to_string()))?;
    let segments = store.segments(false)?;
    let window = &scope.window;

    let mut objects: BTreeMap<&str, &ObjectEntry> = BTreeMap::new();
    for segment in &segments {
        for object in &segment.objects {
            objects.insert(&object.name, object);
        }
    }
    let plan = plan(&store.meta, &objects, window, query)?;
    let mut run = Collected::new(template.fresh());
    run.decoded.stats.files_outside_window += plan.outside_window;
    // What the last update could not list under its paths, reported as a run over them reports it.
    let unlisted = &store.meta.unlisted;
    run.decoded.stats.files_failed += unlisted.iter().map(|d| d.count).sum::<u64>();
    run.decoded.diagnostics.add_copies(unlisted);
    // The days whose objects are not all opened by the run, with the accounts of their principals (`None`:
    // any account), and the opened objects holding each day.
    let mut unopened: BTreeMap<&Day, Option<BTreeSet<&str>>> = BTreeMap::new();
    let mut holders: BTreeMap<&Day, Vec<&ObjectEntry>> = BTreeMap::new();
    let mut by_name = Vec::new();
    let mut damaged = Vec::new();
    for object in objects.values() {
        if !plan.opened.contains(object.name.as_str()) {
            for slot in &object.slots {
                let accounts = unopened
                    .entry(slot)
                    .or_insert_with(|| Some(BTreeSet::new()));
                match (accounts, &object.accounts) {
                    (Some(set), Some(list)) => set.extend(list.iter().map(String::as_str)),
                    (accounts, _) => *accounts = None,
                }
            }
            continue;
        }
        // A fleet reads without a name, as the index did; its records of the wrong shape are read again.
        if object.by_name && filter.is_none() {
            damaged.push(*object);
        }
        if object.by_name && filter.is_some() {
            by_name.push(*object);
        } else {
            run.decoded.stats.merge(&object.stats);
            run.decoded.diagnostics.add_copies(&object.diagnostics);
        }
        // Read only by a review (a fleet's reviews whether its base settings review or not).
        run.sink.1.days.extend(object.days.iter().cloned());
        for slot in &object.slots {
            holders.entry(slot).or_default().push(object);
        }
    }

    let is_unopened = |key: &PrincipalKey, day: &Day| {
        unopened
            .get(day)
            .is_some_and(|a| a.as_ref().is_none_or(|a| a.contains(key.account.as_str())))
    };
    // The months and quarters each principal's answer takes merged: those whose days of it the window
    // covers whole and opens.
    let spans = span::load(dir, segments.last().map_or(0, |s| s.number))?;
    let chosen: BTreeMap<&PrincipalKey, Vec<&Span>> = segments
        .iter()
        .flat_map(|s| s.principals.keys())
        .filter(|k| selected(k))
        .map(|key| {
            let whole = |day: &str| {
                let day = Some(day.to_string());
                matches!(cover(&day, window), Cover::Whole) && !is_unopened(key, &day)
            };
            (key, span::choose(&spans, key, whole))
        })
        .collect();
    // Each principal's days of the window that no span it takes holds: the whole ones from each segment's
    // states, the cut ones (and those some object of which the run does not open) read again from the
    // objects that hold them. A segment's states are opened only for those days, and first where the
    // window cuts a day: they say whether the principal has it (a day it does not have needs no logs).
    type Asked<'a> = (
        &'a Segment,
        &'a PrincipalKey,
        BTreeSet<&'a Day>,
        BTreeSet<&'a Day>,
    );
    let mut asked: Vec<Asked> = Vec::new();
    for segment in &segments {
        for (key, spans) in chosen
            .iter()
            .filter(|(k, _)| segment.principals.contains_key(**k))
        {
            let (mut whole, mut cut) = (BTreeSet::new(), BTreeSet::new());
            for day in &segment.days {
                if spans.iter().any(|s| s.holds(day, segment.number)) {
                    continue;
                }
                match cover(day, window) {
                    Cover::Outside => {}
                    Cover::Whole if !is_unopened(key, day) => {
                        whole.insert(day);
                    }
                    Cover::Whole | Cover::Cut => {
                        cut.insert(day);
                    }
                }
            }
            if !whole.is_empty() || !cut.is_empty() {
                asked.push((segment, *key, whole, cut));
            }
        }
    }
    let opened: Vec<(Asked, Option<Blob>)> = asked
        .into_par_iter()
        .map(|asked| {
            let (segment, key, _, days_cut) = &asked;
            let states = if days_cut.is_empty() {
                None
            } else {
                Some(segment.states(key)?)
            };
            Ok((asked, states))
        })
        .collect::<Result<_, IndexError>>()?;
    let mut cut: BTreeSet<(PrincipalKey, Day)> = BTreeSet::new();
    let mut wanted = Vec::new();
    for ((segment, key, whole, days_cut), states) in opened {
        if let Some(states) = &states {
            let has = states.days().filter(|d| days_cut.contains(d));
            cut.extend(has.map(|day| (key.clone(), day.clone())));
        }
        if !whole.is_empty() {
            wanted.push((key, Leaf::Days(segment, whole, states)));
        }
    }
    let reread: BTreeMap<&str, &ObjectEntry> = cut
        .iter()
        .flat_map(|(_, day)| holders.get(day).into_iter().flatten())
        .map(|o| (o.name.as_str(), *o))
        .collect();
    // Objects are read again from the source (a bucket reached only now that it is needed).
    let origin = match (
        &plan.source,
        reread.is_empty() && by_name.is_empty() && damaged.is_empty(),
    ) {
        (Source::S3(source), false) => {
            let bucket = Bucket::connect(sources, &query.aws, source.clone()).await;
            Origin::Bucket(bucket.map_err(|e| IndexError::SourceGone {
                object: source.url(),
                message: e.to_string(),
            })?)
        }
        _ => Origin::Files,
    };
    // The cut days, read again with the run's window, split by day (only those days' parts are taken):
    // the first objects fetched now and decoded while the states merge, the rest after.
    let scope = Scope {
        principal: filter.cloned(),
        window: window.clone(),
        strict: false,
    };
    let decoder = Decoder::new(scope, Split::new(split_key, MappingSink::new(false)));
    let list: Vec<&ObjectEntry> = reread.values().copied().collect();
    let (first, rest) = list.split_at(list.len().min(CHUNK));
    let fetched = fetch(first, &origin).await;
    // Each principal's spans and whole days: unpacked on every core, then merged in one order, spans first
    // (a merge re-reduces what the other side has not crowded yet: merged pairwise, the halves' crowds
    // are formed twice).
    let mut leaves: BTreeMap<&PrincipalKey, Vec<Leaf>> = BTreeMap::new();
    for (key, spans) in &chosen {
        leaves
            .entry(*key)
            .or_default()
            .extend(spans.iter().map(|span| Leaf::Span(span)));
    }
    for (key, leaf) in wanted {
        leaves.entry(key).or_default().push(leaf);
    }
    let (states, read) = rayon::join(
        || {
            leaves
                .into_par_iter()
                .map(|(key, leaves)| {
                    let unpacked: Vec<Vec<Collected<MappingSink>>> = leaves
                        .into_par_iter()
                        .map(|leaf| leaf.unpack(key))
                        .collect::<Result<_, _>>()?;
                    let mut mine = None;
                    for part in unpacked.into_iter().flatten() {
                        absorb(&mut mine, part);
                    }
                    Ok(mine.map(|mine| (key.clone(), mine)))
                })
                .filter_map(Result::transpose)
                .collect::<Result<Parts, IndexError>>()
        },
        || decode(&decoder, first, fetched, &origin),
    );
    let (mut parts, mut read) = (states?, read?);
    read.merge(read_all(&decoder, rest, &origin).await?);
    for ((key, day), part) in read.sink.parts {
        if cut.contains(&(key.clone(), day)) {
            merge_into(&mut parts, &key, part);
        }
    }
    // What a run finds in these objects depends on the principal's name: read again with it; the
    // principals' own findings there come from the states.
    if !by_name.is_empty() {
        let scope = Scope {
            principal: filter.cloned(),
            window: window.clone(),
            strict: false,
        };
        let decoder = Decoder::new(scope, Split::new(split_key, DaysSink::default()));
        let read = read_all(&decoder, &by_name, &origin).await?;
        let s = read.decoded.stats;
        run.decoded.stats.merge(&crate::report::Stats {
            files_read: s.files_read,
            files_skipped: s.files_skipped,
            files_failed: s.files_failed,
            bytes_read: s.bytes_read,
            records_read: s.records_read,
            ..Default::default()
        });
        run.decoded.diagnostics.merge(read.decoded.diagnostics);
    }
    let (mut unparsed, mut unattributed) = (Vec::new(), crate::collector::Decoded::default());
    if !damaged.is_empty() {
        let scope = Scope {
            principal: None,
            window: window.clone(),
            strict: false,
        };
        let decoder = Decoder::new(scope, FleetSink::new(template.fresh(), false));
        let read = read_all(&decoder, &damaged, &origin).await?;
        unparsed = read.sink.unparsed;
        unattributed = read.sink.unattributed;
    }
    Ok(Answer {
        parts,
        run,
        source: plan.source,
        report: plan.report,
        unparsed,
        unattributed,
    })
}

/// What a principal's answer takes merged: a span's state, or a segment's states of some days (unpacked
/// already, or not yet).
enum Leaf<'a> {
    Span(&'a Span),
    Days(&'a Segment, BTreeSet<&'a Day>, Option<Blob>),
}

impl Leaf<'_> {
    fn unpack(self, key: &PrincipalKey) -> Result<Vec<Collected<MappingSink>>, IndexError> {
        Ok(match self {
            Leaf::Span(span) => span.state(key)?.into_iter().collect(),
            Leaf::Days(segment, whole, states) => match states {
                Some(states) => states,
                None => segment.states(key)?,
            }
            .into_parts(|day| whole.contains(day))
            .into_iter()
            .map(|(_, part)| part)
            .collect(),
        })
    }
}

/// Each principal's records so far.
type Parts = BTreeMap<PrincipalKey, Collected<MappingSink>>;

fn merge_into(parts: &mut Parts, key: &PrincipalKey, part: Collected<MappingSink>) {
    let mut mine = parts.remove(key);
    absorb(&mut mine, part);
    parts.extend(mine.map(|mine| (key.clone(), mine)));
}

/// Reads objects again from where the index read them, a chunk at a time; one that cannot be read is an
/// error that names it.
async fn read_all<S: Sink>(
    decoder: &Decoder<S>,
    list: &[&ObjectEntry],
    origin: &Origin,
) -> Result<Collected<S>, IndexError> {
    let mut out = decoder.fresh();
    for chunk in list.chunks(CHUNK) {
        let bytes = fetch(chunk, origin).await;
        out.merge(decode(decoder, chunk, bytes, origin)?);
    }
    Ok(out)
}

/// The bytes of each object, in order.
async fn fetch(objects: &[&ObjectEntry], origin: &Origin) -> Vec<Result<Vec<u8>, String>> {
    let paths: Vec<&Path> = objects.iter().map(|o| o.path.as_path()).collect();
    origin.fetch(&paths).await
}

/// Decodes fetched objects on every core; one whose bytes could not be fetched is an error that names it.
fn decode<S: Sink>(
    decoder: &Decoder<S>,
    objects: &[&ObjectEntry],
    bytes: Vec<Result<Vec<u8>, String>>,
    origin: &Origin,
) -> Result<Collected<S>, IndexError> {
    objects
        .par_iter()
        .zip(bytes)
        .map(|(object, bytes)| {
            let bytes = bytes.map_err(|message| IndexError::SourceGone {
                object: origin.locate(&object.name, &object.path),
                message,
            })?;
            let mut part = decoder.fresh();
            decoder.read(&object.name, &bytes, &mut part);
            Ok::<_, IndexError>(part)
        })
        .try_reduce(
            || decoder.fresh(),
            |mut a, b| {
                a.merge(b);
                Ok(a)
            },
        )
}

/// One run's collection from the index: the selected principals' parts merged into the run's own; the
/// source and its report as the run over the index's source gives them.
pub async fn collect(
    scope: &Scope,
    include_denied: bool,
    template: &RunSink,
    query: &IndexQuery,
    sources: &Sources,
) -> Result<(Collected<RunSink>, Source, SourceReport), IndexError> {
    let Answer {
        parts,
        mut run,
        source,
        report,
        ..
    } = answer(scope, include_denied, template, query, sources).await?;
    // The run's own usage set is empty: the first principal's becomes it (as a fleet takes each one's),
    // rather than being merged into it entry by entry.
    let mut usage: Option<MappingSink> = None;
    for (_, part) in parts {
        run.decoded.merge(part.decoded);
        match usage.as_mut() {
            Some(usage) => usage.merge(part.sink),
            None => usage = Some(part.sink),
        }
    }
    if let Some(usage) = usage {
        run.sink.0 = usage;
    }
    let stats = &run.decoded.stats;
    if stats.records_read > 0 && stats.records_matched == 0 {
        // A run would suggest names from records the index does not keep.
        let filter = scope
            .principal
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(IndexError::NoRecords {
            principal: filter,
            window: scope.window.to_string(),
        });
    }
    Ok((run, source, report))
}
