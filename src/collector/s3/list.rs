//! Listing a trail bucket: accounts and regions by listing with a delimiter, then the day prefixes a window
//! touches; the key layout (`AWSLogs/[o-id/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`) and delivery times.

use super::{aws_error, Listing, S3Error, TrailObject};
use crate::collector::decode::Decoder;
use crate::collector::progress::spinner;
use crate::collector::sink::{Collected, Sink};
use crate::collector::source::{Regions, S3Source};
use crate::ids::AccountId;
use crate::window::TimeWindow;
use aws_sdk_s3::Client;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Objects whose key time is this much before the window start are still read (clock skew, batching).
pub const SLACK_BEFORE: Duration = Duration::hours(1);
/// Objects are delivered after the events they hold: this much after the window end is still read.
pub const SLACK_AFTER: Duration = Duration::days(1);

/// The sub-"directories" of `prefix` (common prefixes, each ending in `/`).
async fn list_dirs(
    client: &Client,
    bucket: &str,
    prefix: &str,
    calls: &mut usize,
) -> Result<Vec<String>, S3Error> {
    let mut out = Vec::new();
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .delimiter("/")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        *calls += 1;
        let page =
            page.map_err(|e| aws_error("ListObjectsV2", &format!("s3://{bucket}/{prefix}"), e))?;
        out.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string)),
        );
    }
    Ok(out)
}

pub(super) async fn list_objects(
    client: &Client,
    bucket: &str,
    prefix: &str,
) -> Result<(Vec<TrailObject>, usize), S3Error> {
    let mut out = Vec::new();
    let mut calls = 0;
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        calls += 1;
        let page =
            page.map_err(|e| aws_error("ListObjectsV2", &format!("s3://{bucket}/{prefix}"), e))?;
        out.extend(page.contents().iter().filter_map(|o| {
            Some(TrailObject {
                key: o.key()?.to_string(),
                size: u64::try_from(o.size().unwrap_or(0)).unwrap_or(0),
                etag: o.e_tag().unwrap_or_default().to_string(),
            })
        }));
    }
    Ok((out, calls))
}

/// The last path segment of a common prefix: `AWSLogs/o-x/111122223333/` → `111122223333`.
fn last_segment(prefix: &str) -> &str {
    prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
}

fn is_account(name: &str) -> bool {
    name.len() == 12 && name.chars().all(|c| c.is_ascii_digit())
}

fn is_org(name: &str) -> bool {
    name.len() > 2 && name.starts_with("o-")
}

/// Splits the user's prefix into the `.../AWSLogs/` root and what they gave after it (org, account).
pub fn split_prefix(prefix: &str) -> (String, Vec<String>) {
    let prefix = prefix.trim_start_matches('/');
    let at_boundary = |i: usize| i == 0 || prefix.as_bytes().get(i - 1) == Some(&b'/');
    let found = prefix
        .match_indices("AWSLogs")
        .map(|(i, _)| i)
        .find(|&i| at_boundary(i) && matches!(prefix.as_bytes().get(i + 7), None | Some(b'/')));
    match found {
        Some(i) => {
            let root = format!("{}AWSLogs/", &prefix[..i]);
            let rest = prefix[(i + 7)..]
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (root, rest)
        }
        None if prefix.is_empty() => ("AWSLogs/".to_string(), Vec::new()),
        None => (
            format!("{}/AWSLogs/", prefix.trim_end_matches('/')),
            Vec::new(),
        ),
    }
}

/// The UTC days whose prefixes can hold objects for `window` (slack included), oldest first.
pub fn days(window: &TimeWindow) -> Vec<NaiveDate> {
    let first = (window.from - SLACK_BEFORE).date_naive();
    let last = (window.to + SLACK_AFTER).date_naive();
    first.iter_days().take_while(|d| *d <= last).collect()
}

/// The delivery time in a CloudTrail object's name: `..._CloudTrail_us-east-1_20261115T1205Z_abc.json.gz`.
pub fn key_time(key: &str) -> Option<DateTime<Utc>> {
    let name = key.rsplit('/').next()?;
    name.split('_').find_map(|part| {
        let b = part.as_bytes();
        if b.len() == 14 && b[8] == b'T' && b[13] == b'Z' {
            NaiveDateTime::parse_from_str(&part[..13], "%Y%m%dT%H%M")
                .ok()
                .map(|t| t.and_utc())
        } else {
            None
        }
    })
}

/// Whether an object in a day prefix is worth reading: no digests, key time (when it has one) near the
/// window.
pub fn wanted(key: &str, window: &TimeWindow) -> bool {
    if key.contains("CloudTrail-Digest") {
        return false;
    }
    match key_time(key) {
        Some(t) => window.from - SLACK_BEFORE <= t && t <= window.to + SLACK_AFTER,
        None => true,
    }
}

/// The account and region prefixes of a trail, and the list calls that found them: what every listing of
/// the bucket starts with, whatever its window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trails {
    /// Calls that listed the root and organisation prefixes for accounts.
    pub calls: usize,
    /// Every account prefix found, before `--account` narrows them: `(account, prefix)`.
    pub accounts: Vec<(String, String)>,
    /// The accounts kept, each with its region prefixes (before `--regions` narrows them).
    pub kept: Vec<AccountTrail>,
}

/// One account prefix and its regions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTrail {
    pub account: String,
    pub prefix: String,
    /// Calls that listed its regions.
    pub calls: usize,
    /// `(region, prefix)`.
    pub regions: Vec<(String, String)>,
}

/// The account prefixes `accounts` keeps (every one when empty); keeping none of those found is an error.
pub fn kept<'a>(
    found: &'a [(String, String)],
    accounts: &BTreeSet<AccountId>,
    url: &str,
) -> Result<Vec<&'a (String, String)>, S3Error> {
    let kept: Vec<_> = found
        .iter()
        .filter(|(account, _)| accounts.is_empty() || accounts.contains(account.as_str()))
        .collect();
    if kept.is_empty() {
        return Err(S3Error::NoAccount {
            url: url.to_string(),
            wanted: accounts
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(kept)
}

/// Discovers the trail's accounts (narrowed by `source.accounts`) and each kept account's regions.
pub async fn discover(client: &Client, source: &S3Source) -> Result<Trails, S3Error> {
    let bucket = source.bucket.as_str();
    let mut trails = Trails::default();
    let (root, given) = split_prefix(&source.prefix);
    // Account prefixes (`.../AWSLogs/[o-id/]ACCOUNT/`).
    let mut accounts: Vec<(String, String)> = Vec::new();
    let mut add_level = |dirs: Vec<String>, orgs: &mut Vec<String>| {
        for dir in dirs {
            let name = last_segment(&dir).to_string();
            if is_account(&name) {
                accounts.push((name, dir));
            } else if is_org(&name) {
                orgs.push(dir);
            }
        }
    };
    let mut orgs = Vec::new();
    match given.as_slice() {
        [] => add_level(
            list_dirs(client, bucket, &root, &mut trails.calls).await?,
            &mut orgs,
        ),
        [first, ..] if is_account(first) => add_level(vec![format!("{root}{first}/")], &mut orgs),
        [org] => orgs.push(format!("{root}{org}/")),
        [org, account, ..] => add_level(vec![format!("{root}{org}/{account}/")], &mut orgs),
    }
    for org in orgs {
        let dirs = list_dirs(client, bucket, &org, &mut trails.calls).await?;
        let mut nested = Vec::new();
        add_level(dirs, &mut nested);
    }
    if accounts.is_empty() {
        return Err(S3Error::NoTrail(format!("s3://{bucket}/{root}")));
    }
    // Region prefixes of the accounts kept.
    for (account, prefix) in kept(&accounts, &source.accounts, &source.url())? {
        let mut calls = 0;
        let dirs = list_dirs(client, bucket, &format!("{prefix}CloudTrail/"), &mut calls).await?;
        trails.kept.push(AccountTrail {
            account: account.clone(),
            prefix: prefix.clone(),
            calls,
            regions: dirs
                .into_iter()
                .map(|dir| (last_segment(&dir).to_string(), dir))
                .collect(),
        });
    }
    trails.accounts = accounts;
    Ok(trails)
}

impl Trails {
    /// The calls that found the accounts and the regions of those kept.
    pub fn calls(&self) -> usize {
        self.calls + self.kept.iter().map(|a| a.calls).sum::<usize>()
    }

    /// The region prefixes `regions` admits: `(account/region, prefix)`.
    pub fn regions<'a>(
        &'a self,
        regions: &'a Regions,
    ) -> impl Iterator<Item = (String, &'a str)> + 'a {
        self.kept.iter().flat_map(move |a| {
            a.regions
                .iter()
                .filter(|(region, _)| regions.admits(region))
                .map(move |(region, dir)| (format!("{}/{region}", a.account), dir.as_str()))
        })
    }
}

/// The day of a key's folder below its region prefix (`YYYY/MM/DD/...`, as the day listings name it).
pub fn day_folder(below_region: &str) -> Option<NaiveDate> {
    let folder = below_region.get(..11)?.strip_suffix('/')?;
    let day = NaiveDate::parse_from_str(folder, "%Y/%m/%d").ok()?;
    (day.format("%Y/%m/%d").to_string() == folder).then_some(day)
}

/// Lists what the window needs: accounts, then regions, then day prefixes.
pub async fn list<S: Sink>(
    client: &Client,
    source: &S3Source,
    window: &TimeWindow,
    decoder: &Decoder<S>,
    out: &mut Collected<S>,
) -> Result<Listing, S3Error> {
    let bucket = source.bucket.as_str();
    let url = source.url();
    let mut listing = Listing::default();
    let spinner = listing_spinner(source.progress, &url);
    let trails = discover(client, source).await?;
    listing.list_calls = trails.calls();
    let mut regions = Vec::new();
    for (trail, dir) in trails.regions(&source.regions) {
        listing.trails.insert(trail);
        regions.push(dir.to_string());
    }
    // Day prefixes, listed concurrently.
    let days_total = regions.len() * days(window).len();
    let mut days_listed = 0;
    spinner.set_message(format!(
        "{} account/region trails: 0/{days_total} day prefixes, 0 objects",
        listing.trails.len()
    ));
    let semaphore = Arc::new(Semaphore::new(source.concurrency));
    let mut tasks = JoinSet::new();
    for region in &regions {
        for day in days(window) {
            let prefix = format!("{region}{}/", day.format("%Y/%m/%d"));
            let client = client.clone();
            let bucket = bucket.to_string();
            let semaphore = semaphore.clone();
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                let listed = list_objects(&client, &bucket, &prefix).await;
                (prefix, listed)
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        days_listed += 1;
        spinner.set_message(format!(
            "{} account/region trails: {days_listed}/{days_total} day prefixes, {} objects",
            listing.trails.len(),
            listing.objects.len()
        ));
        match done {
            Ok((_, Ok((objects, calls)))) => {
                listing.list_calls += calls;
                for object in objects {
                    if wanted(&object.key, window) {
                        listing.objects.push(object);
                    } else {
                        listing.skipped_by_time += 1;
                    }
                }
            }
            // A day that cannot be listed is reported, and the run is incomplete.
            Ok((prefix, Err(e))) => {
                decoder.unreadable(&format!("s3://{bucket}/{prefix}"), &e.to_string(), out)
            }
            Err(e) => decoder.unreadable(&url, &format!("listing task failed: {e}"), out),
        }
    }
    spinner.finish_and_clear();
    listing.objects.sort();
    Ok(listing)
}

/// A spinner with counts while the bucket is listed, before the download bar can know its total.
pub(super) fn listing_spinner(enabled: bool, url: &str) -> ProgressBar {
    spinner(
        enabled,
        "{spinner} s3 listing [{elapsed}] {msg}",
        format!("discovering accounts and regions under {url}"),
    )
}
