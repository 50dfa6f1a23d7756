//! A trail's S3 bucket: discover accounts and regions by listing with a delimiter, list only the day
//! prefixes the window touches, download with bounded concurrency and feed every object through the same
//! [`Decoder::read`] path as local files, on the blocking pool so that network and CPU overlap.

use super::decode::Decoder;
use super::sink::{Collected, Sink};
use super::source::S3Source;
use crate::window::TimeWindow;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::Client;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Objects whose key time is this much before the window start are still read (clock skew, batching).
pub const SLACK_BEFORE: Duration = Duration::hours(1);
/// Objects are delivered after the events they hold: this much after the window end is still read.
pub const SLACK_AFTER: Duration = Duration::days(1);

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("s3 `{operation}` of `{target}` failed: {message}")]
    Aws {
        operation: &'static str,
        target: String,
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("no CloudTrail logs under `{0}`: expected `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` (organisation trails: `AWSLogs/<o-id>/<account>/...`), optionally after a prefix")]
    NoTrail(String),
    #[error("no account under `{url}` is one of `--account` {wanted}")]
    NoAccount { url: String, wanted: String },
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One S3 object to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrailObject {
    pub key: String,
    pub size: u64,
}

/// What the listing found, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// `account/region` pairs read.
    pub trails: BTreeSet<String>,
    pub objects: Vec<TrailObject>,
    /// Objects listed but left out by their key time.
    pub skipped_by_time: usize,
    pub list_calls: usize,
}

/// The S3 client for `config`; path-style addressing when the endpoint is overridden (an emulator).
pub fn client(config: &aws_config::SdkConfig) -> Client {
    let builder = aws_sdk_s3::config::Builder::from(config);
    let builder = if config.endpoint_url().is_some() {
        builder.force_path_style(true)
    } else {
        builder
    };
    Client::from_conf(builder.build())
}

fn aws_error<E>(operation: &'static str, target: &str, e: E) -> S3Error
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let message = match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(&e).to_string(),
    };
    let hint = match e.code() {
        Some(
            "PermanentRedirect"
            | "AuthorizationHeaderMalformed"
            | "IllegalLocationConstraintException",
        ) => " (give the bucket's region with `--region`)",
        _ => "",
    };
    S3Error::Aws {
        operation,
        target: target.to_string(),
        message: format!("{message}{hint}"),
        source: Box::new(e),
    }
}

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

async fn list_objects(
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
            list_dirs(client, bucket, &root, &mut listing.list_calls).await?,
            &mut orgs,
        ),
        [first, ..] if is_account(first) => add_level(vec![format!("{root}{first}/")], &mut orgs),
        [org] => orgs.push(format!("{root}{org}/")),
        [org, account, ..] => add_level(vec![format!("{root}{org}/{account}/")], &mut orgs),
    }
    for org in orgs {
        let dirs = list_dirs(client, bucket, &org, &mut listing.list_calls).await?;
        let mut nested = Vec::new();
        add_level(dirs, &mut nested);
    }
    if accounts.is_empty() {
        return Err(S3Error::NoTrail(format!("s3://{bucket}/{root}")));
    }
    let found = accounts.len();
    accounts.retain(|(account, _)| {
        source.accounts.is_empty() || source.accounts.contains(account.as_str())
    });
    if accounts.is_empty() && found > 0 {
        return Err(S3Error::NoAccount {
            url,
            wanted: source
                .accounts
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    // Region prefixes.
    let mut regions = Vec::new();
    for (account, prefix) in &accounts {
        let trail = format!("{prefix}CloudTrail/");
        for dir in list_dirs(client, bucket, &trail, &mut listing.list_calls).await? {
            let region = last_segment(&dir).to_string();
            if source.regions.admits(&region) {
                listing.trails.insert(format!("{account}/{region}"));
                regions.push(dir);
            }
        }
    }
    // Day prefixes, listed concurrently.
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
    listing.objects.sort();
    Ok(listing)
}

/// Where `--download DIR` keeps `key`; `None` for keys that would leave DIR.
pub fn mirror_path(dir: &Path, key: &str) -> Option<PathBuf> {
    let relative = Path::new(key);
    let safe = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    safe.then(|| dir.join(relative))
}

fn progress_bar(listing: &Listing, enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let total: u64 = listing.objects.iter().map(|o| o.size).sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} s3 [{elapsed}] {bar:28} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(format!("0/{} objects", listing.objects.len()));
    bar
}

/// Reads the objects of `listing` through `decoder`, at most `source.concurrency` in flight (downloading or
/// being parsed), which also bounds memory.
pub async fn fetch<S: Sink + 'static>(
    client: &Client,
    source: &S3Source,
    listing: &Listing,
    decoder: &Arc<Decoder<S>>,
    out: &mut Collected<S>,
) -> Result<(), S3Error> {
    let bar = progress_bar(listing, source.progress);
    let total = listing.objects.len();
    let semaphore = Arc::new(Semaphore::new(source.concurrency));
    let mut tasks: JoinSet<Result<Collected<S>, S3Error>> = JoinSet::new();
    let mut done = 0usize;
    let mut first_error = None;
    let mut finish = |result: Result<Result<Collected<S>, S3Error>, tokio::task::JoinError>,
                      out: &mut Collected<S>| {
        done += 1;
        bar.set_message(format!("{done}/{total} objects"));
        match result {
            Ok(Ok(part)) => out.merge(part),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => decoder.unreadable(&source.url(), &format!("download task failed: {e}"), out),
        }
    };
    for object in &listing.objects {
        if decoder.stopped() {
            break;
        }
        let Ok(permit) = semaphore.clone().acquire_owned().await else {
            break;
        };
        while let Some(result) = tasks.try_join_next() {
            finish(result, out);
        }
        let client = client.clone();
        let bucket = source.bucket.clone();
        let object = object.clone();
        let download = source.download.clone();
        let decoder = decoder.clone();
        let bar = bar.clone();
        tasks.spawn(async move {
            let part = read_object(&client, &bucket, &object, download.as_deref(), decoder).await;
            bar.inc(object.size);
            drop(permit);
            part
        });
    }
    while let Some(result) = tasks.join_next().await {
        finish(result, out);
    }
    bar.finish_and_clear();
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

async fn read_object<S: Sink + 'static>(
    client: &Client,
    bucket: &str,
    object: &TrailObject,
    download: Option<&Path>,
    decoder: Arc<Decoder<S>>,
) -> Result<Collected<S>, S3Error> {
    let name = format!("s3://{bucket}/{}", object.key);
    let mut part = decoder.fresh();
    let mirror = match download.map(|dir| mirror_path(dir, &object.key)) {
        None => None,
        Some(Some(path)) => Some(path),
        Some(None) => {
            decoder.unreadable(
                &name,
                "the key leaves the `--download` directory",
                &mut part,
            );
            return Ok(part);
        }
    };
    // Resumable: a mirrored copy of the same size is read instead of fetched.
    if let Some(path) = &mirror {
        let same = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == object.size);
        if same {
            let path = path.clone();
            return tokio::task::spawn_blocking(move || {
                match std::fs::read(&path) {
                    Ok(bytes) => decoder.read(&name, &bytes, &mut part),
                    Err(e) => decoder.unreadable(&name, &e.to_string(), &mut part),
                }
                Ok(part)
            })
            .await
            .unwrap_or_else(|e| Err(join_failed(e)));
        }
    }
    let bytes = match get(client, bucket, &object.key).await {
        Ok(bytes) => bytes,
        Err(why) => {
            decoder.unreadable(&name, &why, &mut part);
            return Ok(part);
        }
    };
    tokio::task::spawn_blocking(move || {
        if let Some(path) = mirror {
            write_mirror(&path, &bytes)?;
        }
        decoder.read(&name, &bytes, &mut part);
        Ok(part)
    })
    .await
    .unwrap_or_else(|e| Err(join_failed(e)))
}

fn join_failed(e: tokio::task::JoinError) -> S3Error {
    S3Error::Io {
        path: PathBuf::new(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Whole GetObject attempts when the body breaks off mid-transfer (a connection reset): the SDK retries a
/// request that fails (throttling, 5xx, connection errors) but not a body that fails after the response began.
const BODY_ATTEMPTS: u32 = 3;

/// GetObject, whole body. The SDK has already retried throttling, 5xx and connection errors when the request
/// fails; access denied (IAM or KMS) is not retried, by the SDK or here.
async fn get(client: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let describe = |code: Option<&str>, message: Option<&str>, fallback: String| {
        let text = match (code, message) {
            (Some(code), Some(message)) => format!("GetObject failed: {code}: {message}"),
            (Some(code), None) => format!("GetObject failed: {code}"),
            _ => format!("GetObject failed: {fallback}"),
        };
        let kms = code.is_some_and(|c| c.starts_with("KMS."))
            || message.is_some_and(|m| m.contains("kms:") || m.contains("KMS"));
        let hint = if kms {
            " (the trail is encrypted with KMS: reading it needs `kms:Decrypt` on the trail's key, see docs/permissions.md)"
        } else if code.is_some_and(|c| c == "AccessDenied") {
            " (reading the trail needs `s3:GetObject` on its objects, see docs/permissions.md)"
        } else {
            ""
        };
        format!("{text}{hint}")
    };
    let mut attempt = 1;
    loop {
        let output = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| describe(e.code(), e.message(), DisplayErrorContext(&e).to_string()))?;
        match output.body.collect().await {
            Ok(body) => return Ok(body.into_bytes().to_vec()),
            Err(_) if attempt < BODY_ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
                attempt += 1;
            }
            Err(e) => {
                return Err(format!(
                    "reading the object failed {BODY_ATTEMPTS} times, the last: {}",
                    DisplayErrorContext(&e)
                ))
            }
        }
    }
}

fn write_mirror(path: &Path, bytes: &[u8]) -> Result<(), S3Error> {
    let io = |e| S3Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes).map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)
}

/// Lists and reads the trail in `source` for `decoder`'s window.
pub async fn collect<S: Sink + 'static>(
    client: &Client,
    source: &S3Source,
    decoder: &Arc<Decoder<S>>,
) -> Result<(Collected<S>, Listing), S3Error> {
    let mut out = decoder.fresh();
    let window = decoder.scope().window.clone();
    let listing = list(client, source, &window, decoder, &mut out).await?;
    fetch(client, source, &listing, decoder, &mut out).await?;
    Ok((out, listing))
}

#[cfg(test)]
mod tests;
