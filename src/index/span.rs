//! Merged states over whole calendar months and quarters, beside the per-day states: each principal's
//! states of the period merged as a run merges its parts (the usage set merges independently of order
//! and split). A window that covers a period whole takes its one state instead of merging each day: the
//! crowds its per-run names form are formed once, by the update, not by every query.
//!
//! A span holds, for each month in it, the states of the segments up to a number (`through`); states of
//! later segments (an update killed before it wrote its spans) are merged from their days by a query,
//! and added by the next update: a span is never wrong, at worst less complete.

use super::state::{absorb, Blob};
use super::store::{self, Blobs, Day, Segment, Store};
use super::IndexError;
use crate::collector::Collected;
use crate::principal::PrincipalKey;
use crate::usage::MappingSink;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const MAGIC: &[u8; 16] = b"policygen-spans\n";

/// Days as ranges of consecutive days: (first, last).
type Ranges = Vec<(String, String)>;

/// `spans/PERIOD.span`: `period` is `2024-01` (a month) or `2024-Q1` (a quarter).
#[derive(Serialize, Deserialize)]
struct Table {
    period: String,
    through: BTreeMap<String, u64>,
    /// `(account, kind, name, days, offset, length)` of each principal's state, after the table; its days
    /// as ranges of consecutive days (first, last).
    principals: Vec<(String, String, String, Ranges, u64, u64)>,
}

/// A span file, its table loaded.
pub struct Span {
    pub period: String,
    /// Month → the last segment whose states of that month it holds.
    pub through: BTreeMap<String, u64>,
    /// Principal → the days it holds of it, and where its state is.
    principals: BTreeMap<PrincipalKey, (Ranges, u64, u64)>,
    path: PathBuf,
    /// Kept open: an update replaces the file (renamed over), and the table read must locate the blobs read.
    file: Mutex<File>,
    base: u64,
}

/// The month of a day (`2024-01-31` → `2024-01`).
fn month(day: &str) -> &str {
    day.get(..7).unwrap_or(day)
}

/// The quarter of a month (`2024-05` → `2024-Q2`).
fn quarter(month: &str) -> String {
    let n: u32 = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    format!(
        "{}-Q{}",
        month.get(..4).unwrap_or(month),
        (n.max(1) - 1) / 3 + 1
    )
}

impl Span {
    fn load(path: &Path) -> Result<Span, IndexError> {
        let file = File::open(path).map_err(store::io(path))?;
        let (table, base): (Table, u64) = store::open_container(&file, path, MAGIC)?;
        let mut principals = BTreeMap::new();
        for (account, kind, name, days, offset, length) in table.principals {
            let key = store::key_of(path, &account, &kind, name)?;
            principals.insert(key, (days, offset, length));
        }
        Ok(Span {
            period: table.period,
            through: table.through,
            principals,
            path: path.to_path_buf(),
            file: Mutex::new(file),
            base,
        })
    }

    /// The days of `key` it holds (`None`: none).
    pub fn days(&self, key: &PrincipalKey) -> Option<impl Iterator<Item = String> + '_> {
        let (ranges, _, _) = self.principals.get(key)?;
        Some(expand(ranges))
    }

    /// Whether it holds the states of `day` that `segment` has.
    pub fn holds(&self, day: &Day, segment: u64) -> bool {
        day.as_deref()
            .and_then(|d| self.through.get(month(d)))
            .is_some_and(|through| segment <= *through)
    }

    /// The state of `key` over the period, as a run holds a part.
    pub fn state(&self, key: &PrincipalKey) -> Result<Option<Collected<MappingSink>>, IndexError> {
        let Some((_, packed)) = self.packed(key)? else {
            return Ok(None);
        };
        let blob = store::unpack(&self.path, &packed)?;
        Ok(blob.into_parts(|_| true).pop().map(|(_, part)| part))
    }

    /// The days and state of `key` as the file holds them.
    fn packed(&self, key: &PrincipalKey) -> Result<Option<(&Ranges, Vec<u8>)>, IndexError> {
        let Some((days, offset, length)) = self.principals.get(key) else {
            return Ok(None);
        };
        let file = self
            .file
            .lock()
            .map_err(|_| store::corrupt(&self.path, "unreadable"))?;
        let packed = store::read_packed(&file, &self.path, self.base + offset, *length)?;
        Ok(Some((days, packed)))
    }
}

/// The spans of the index, by period (none in an index of schema 2 before its first update); those that
/// hold a segment after `last` are left out (an update wrote them after the query listed its segments).
pub fn load(dir: &Path, last: u64) -> Result<BTreeMap<String, Span>, IndexError> {
    let dir = dir.join("spans");
    let mut spans = BTreeMap::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(spans),
        Err(e) => return Err(store::io(&dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(store::io(&dir))?.path();
        if path.extension().is_some_and(|x| x == "span") {
            let span = Span::load(&path)?;
            if span.through.values().all(|t| *t <= last) {
                spans.insert(span.period.clone(), span);
            }
        }
    }
    Ok(spans)
}

/// The spans an answer for `key` takes whole: quarters, then months outside them, every day of which that
/// it holds of `key` satisfies `whole` (the window covers it whole, and the run opens all its objects).
pub fn choose<'a>(
    spans: &'a BTreeMap<String, Span>,
    key: &PrincipalKey,
    whole: impl Fn(&str) -> bool,
) -> Vec<&'a Span> {
    let mut chosen: Vec<&Span> = Vec::new();
    let quarters = spans.values().filter(|s| s.period.contains('Q'));
    let months = spans.values().filter(|s| !s.period.contains('Q'));
    for span in quarters.chain(months) {
        let apart = chosen
            .iter()
            .all(|c| span.through.keys().all(|m| !c.through.contains_key(m)));
        if apart
            && span
                .days(key)
                .is_some_and(|mut days| days.all(|d| whole(&d)))
        {
            chosen.push(span);
        }
    }
    chosen
}

/// A period's new state for one principal: the days it holds and the state.
type Merged = (BTreeSet<String>, Option<Collected<MappingSink>>);

/// Brings the spans up to the last segment: each month and quarter some segment after its `through` has
/// days of gets those days' states merged into it (every month, in an index no update wrote spans for).
/// The caller holds the lock. How many span files it wrote.
pub fn refresh(store: &Store) -> Result<usize, IndexError> {
    let dir = store.dir.join("spans");
    std::fs::create_dir_all(&dir).map_err(store::io(&dir))?;
    let segments = store.segments(false)?;
    let Some(last) = segments.last().map(|s| s.number) else {
        return Ok(0);
    };
    let old = load(&store.dir, u64::MAX)?;
    let through = |period: &str, month: &str| {
        old.get(period)
            .and_then(|s| s.through.get(month))
            .copied()
            .unwrap_or(0)
    };
    // Period → its months with states it does not hold yet, and the segment it holds them through.
    let mut stale: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for segment in &segments {
        for day in segment.days.iter().flatten() {
            let m = month(day);
            for period in [m.to_string(), quarter(m)] {
                let t = through(&period, m);
                if segment.number > t {
                    stale.entry(period).or_default().insert(m.to_string(), t);
                }
            }
        }
    }
    if stale.is_empty() {
        return Ok(0);
    }
    let wants = |period: &str, segment: &Segment, day: &Day| {
        day.as_deref().is_some_and(|d| {
            stale[period]
                .get(month(d))
                .is_some_and(|t| segment.number > *t)
        })
    };
    let mut keys: BTreeSet<&PrincipalKey> = BTreeSet::new();
    for segment in &segments {
        if stale
            .keys()
            .any(|p| segment.days.iter().any(|d| wants(p, segment, d)))
        {
            keys.extend(segment.principals.keys());
        }
    }
    for span in stale.keys().filter_map(|p| old.get(p)) {
        keys.extend(span.principals.keys());
    }
    let keys: Vec<&PrincipalKey> = keys.into_iter().collect();
    let merged: Vec<BTreeMap<String, (Ranges, Vec<u8>)>> = keys
        .par_iter()
        .map(|key| {
            let mine = || segments.iter().filter(|s| s.principals.contains_key(*key));
            // The periods a segment has states of that they lack.
            let wanted = |segment: &Segment| -> Vec<&str> {
                let adds = |p: &&str| segment.days.iter().any(|d| wants(p, segment, d));
                stale.keys().map(String::as_str).filter(adds).collect()
            };
            let touched: BTreeSet<&str> = mine().flat_map(wanted).collect();
            let mut out = BTreeMap::new();
            let mut periods: BTreeMap<&str, Merged> = BTreeMap::new();
            for (period, span) in stale.keys().filter_map(|p| Some((p, old.get(p)?))) {
                if !touched.contains(period.as_str()) {
                    // Nothing new for it: its state as it is, unread.
                    out.extend(
                        span.packed(key)?
                            .map(|(days, packed)| (period.clone(), (days.clone(), packed))),
                    );
                    continue;
                }
                let (days, state) = periods.entry(period).or_default();
                days.extend(span.days(key).into_iter().flatten());
                if let Some(part) = span.state(key)? {
                    absorb(state, part);
                }
            }
            for segment in mine() {
                let wanted = wanted(segment);
                if wanted.is_empty() {
                    continue;
                }
                let blob = segment.states(key)?;
                for period in wanted {
                    let (days, state) = periods.entry(period).or_default();
                    for (day, part) in blob.clone().into_parts(|d| wants(period, segment, d)) {
                        days.extend(day);
                        absorb(state, part);
                    }
                }
            }
            for (period, (days, state)) in periods {
                if let Some(state) = state {
                    let blob = Blob::of(vec![(Some(period.to_string()), state)]);
                    let packed = store::pack(&store.dir, &blob)?;
                    out.insert(period.to_string(), (ranges(days), packed));
                }
            }
            Ok(out)
        })
        .collect::<Result<_, IndexError>>()?;
    for (period, months) in &stale {
        let mut through: BTreeMap<String, u64> = old
            .get(period)
            .map(|s| s.through.clone())
            .unwrap_or_default();
        through.extend(months.keys().map(|m| (m.clone(), last)));
        let mut blobs = Blobs::default();
        let mut principals = Vec::new();
        for (key, out) in keys.iter().zip(&merged) {
            if let Some((days, packed)) = out.get(period) {
                let (offset, length) = blobs.push(packed);
                let (account, kind, name) = store::key_row(key);
                principals.push((account, kind, name, days.clone(), offset, length));
            }
        }
        let table = Table {
            period: period.clone(),
            through,
            principals,
        };
        let bytes = store::container(MAGIC, &store.dir, &table, blobs)?;
        store::write_atomic(&dir, &format!("{period}.span"), &bytes)?;
    }
    Ok(stale.len())
}

/// Days as ranges of consecutive days.
fn ranges(days: BTreeSet<String>) -> Ranges {
    let date = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let mut out: Ranges = Vec::new();
    for day in days {
        match out.last_mut() {
            Some((_, last))
                if date(last)
                    .and_then(|d| d.succ_opt())
                    .is_some_and(|next| Some(next) == date(&day)) =>
            {
                *last = day;
            }
            _ => out.push((day.clone(), day)),
        }
    }
    out
}

/// The days of ranges.
fn expand(ranges: &[(String, String)]) -> impl Iterator<Item = String> + '_ {
    ranges.iter().flat_map(|(first, last)| {
        let date = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
        let (mut day, last) = (date(first), date(last));
        // A day that is not a date (none is) stands alone.
        let alone = day.is_none().then(|| first.clone());
        alone.into_iter().chain(std::iter::from_fn(move || {
            let this = day.filter(|d| Some(*d) <= last)?;
            day = this.succ_opt();
            Some(this.format("%Y-%m-%d").to_string())
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_fall_in_their_quarters() {
        assert_eq!(month("2024-03-31"), "2024-03");
        assert_eq!(quarter("2024-01"), "2024-Q1");
        assert_eq!(quarter("2024-03"), "2024-Q1");
        assert_eq!(quarter("2024-04"), "2024-Q2");
        assert_eq!(quarter("2024-12"), "2024-Q4");
    }

    #[test]
    fn days_are_kept_as_ranges() {
        let days: BTreeSet<String> = ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-03", "x"]
            .map(String::from)
            .into();
        let kept = ranges(days.clone());
        assert_eq!(kept.len(), 3);
        let back: BTreeSet<String> = expand(&kept).collect();
        assert_eq!(back, days);
    }
}
