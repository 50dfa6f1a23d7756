//! CloudTrail's LookupEvents API: management events of the last 90 days, one region per call, at most
//! 50 events a page and 2 calls per second per account and region.
//!
//! Each region gets its own paced client (each call at least [`LookupSource::pace`], about 550 ms, after the
//! previous answer) and runs in parallel with the others. The principal is narrowed on the server where the
//! API allows it:
//! - a user: the `Username` attribute;
//! - a role: its `AssumeRole*` events (`EventName` attribute) give the access keys of its sessions, which are
//!   then looked up one by one (`AccessKeyId` attribute);
//! - anything else, or a role whose sessions cannot all be found that way: every event of the window,
//!   filtered here.
//!
//! Every event's `CloudTrailEvent` is one record's JSON and goes through [`Decoder::record_bytes`] as it is.

use super::decode::Decoder;
use super::sink::{Collected, Sink};
use super::source::{LookupSource, Regions};
use crate::principal::{Identity, PrincipalFilter};
use crate::window::TimeWindow;
use aws_sdk_cloudtrail::config::Region;
use aws_sdk_cloudtrail::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cloudtrail::primitives::DateTime as AwsTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_cloudtrail::Client;
use chrono::{DateTime, Duration, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use tokio::time::Instant;

/// How far back LookupEvents reaches.
pub const RETENTION_DAYS: i64 = 90;
/// The longest a role session lasts: its `AssumeRole` event can be this much older than its calls.
pub const MAX_SESSION: Duration = Duration::hours(12);
/// Events per page (the API's maximum).
pub const PAGE_SIZE: i32 = 50;

/// Commercial regions queried by `--regions all` (those not enabled for the account are skipped).
pub const COMMERCIAL_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Errors that mean "this region is not enabled for the account" (opt-in regions).
const NOT_ENABLED: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "OptInRequired",
    "AuthFailure",
];

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("cloudtrail `{operation}` in `{region}` failed: {message}")]
    Aws {
        operation: &'static str,
        region: String,
        message: String,
        code: Option<String>,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("no region to query: give `--region`, set `AWS_REGION`, or use `--regions a,b` or `--regions all`")]
    NoRegion,
}

impl LookupError {
    fn code(&self) -> Option<&str> {
        match self {
            LookupError::Aws { code, .. } => code.as_deref(),
            LookupError::NoRegion => None,
        }
    }
}

/// How the principal's events were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    /// `LookupAttribute Username`.
    Username(String),
    /// The role's `AssumeRole*` events, then `LookupAttribute AccessKeyId` for each session key.
    AccessKeys { sessions: usize },
    /// Every event of the window, filtered here.
    FullScan { why: String },
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Username(name) => write!(f, "by user name `{name}`"),
            Strategy::AccessKeys { sessions } => {
                write!(f, "by the access keys of {sessions} role sessions")
            }
            Strategy::FullScan { why } => write!(f, "every event of the window ({why})"),
        }
    }
}

/// What a LookupEvents run did, for the summary and `docs/sources.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupReport {
    pub strategy: Strategy,
    /// Calls per region, the `AssumeRole*` search included.
    pub calls: BTreeMap<String, usize>,
    /// Regions skipped because they are not enabled (`--regions all`), with the error code.
    pub skipped: BTreeMap<String, String>,
    pub events: usize,
}

impl LookupReport {
    pub fn total_calls(&self) -> usize {
        self.calls.values().sum()
    }
}

/// The regions `source` names, given the configured region.
pub fn regions(
    source: &LookupSource,
    configured: Option<&str>,
) -> Result<Vec<String>, LookupError> {
    match &source.regions {
        Regions::Default => configured
            .map(|r| vec![r.to_string()])
            .ok_or(LookupError::NoRegion),
        Regions::All => Ok(COMMERCIAL_REGIONS.iter().map(|r| r.to_string()).collect()),
        Regions::List(list) => Ok(list.iter().map(ToString::to_string).collect()),
    }
}

/// One CloudTrail client per region, from the one loaded configuration; throttling is retried up to 10
/// attempts by the SDK on top of the pacing.
pub fn clients(config: &aws_config::SdkConfig, regions: &[String]) -> BTreeMap<String, Client> {
    regions
        .iter()
        .map(|region| {
            let conf = aws_sdk_cloudtrail::config::Builder::from(config)
                .region(Region::new(region.clone()))
                .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(10))
                .build();
            (region.clone(), Client::from_conf(conf))
        })
        .collect()
}

/// A region's client that keeps CloudTrail's pace: one call per `pace`.
struct Paced {
    region: String,
    client: Client,
    pace: std::time::Duration,
    next: Option<Instant>,
    calls: usize,
}

/// One query: an optional attribute over a time range.
#[derive(Debug, Clone)]
struct Query {
    attribute: Option<(LookupAttributeKey, String)>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Paced {
    /// Every page of `query`; `page` gets each page's `CloudTrailEvent` strings.
    async fn run(
        &mut self,
        query: &Query,
        mut page: impl FnMut(Vec<String>, &Paced),
    ) -> Result<(), LookupError> {
        let mut token: Option<String> = None;
        loop {
            let output = self.call(query, token.take()).await?;
            let events: Vec<String> = output
                .events()
                .iter()
                .filter_map(|e| e.cloud_trail_event().map(str::to_string))
                .collect();
            page(events, self);
            match output.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(()),
            }
        }
    }

    /// One call, after the pace. Throttling is the SDK's to retry (10 attempts with backoff, see [`clients`]);
    /// what still fails makes the region unreadable.
    async fn call(
        &mut self,
        query: &Query,
        token: Option<String>,
    ) -> Result<aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput, LookupError> {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.calls += 1;
        let mut request = self
            .client
            .lookup_events()
            .start_time(AwsTime::from_secs(query.from.timestamp()))
            .end_time(AwsTime::from_secs(query.to.timestamp()))
            .max_results(PAGE_SIZE)
            .set_next_token(token);
        if let Some((key, value)) = &query.attribute {
            let attribute = LookupAttribute::builder()
                .attribute_key(key.clone())
                .attribute_value(value.clone())
                .build();
            if let Ok(attribute) = attribute {
                request = request.lookup_attributes(attribute);
            }
        }
        let result = request.send().await;
        // Paced from the answer, not the request: the service saw this call before it answered, so the
        // next one reaches it at least `pace` later however long either spent on the way.
        self.next = Some(Instant::now() + self.pace);
        result.map_err(|e| {
            let message = match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                _ => DisplayErrorContext(&e).to_string(),
            };
            LookupError::Aws {
                operation: "LookupEvents",
                region: self.region.clone(),
                message,
                code: e.code().map(str::to_string),
                source: Box::new(e),
            }
        })
    }
}

/// What the `AssumeRole*` search found in one region.
#[derive(Debug, Default)]
struct Sessions {
    keys: BTreeSet<String>,
    /// Successful assumptions of the role that carry no access key: the key strategy would miss them.
    without_key: usize,
}

fn role_arn_matches(filter: &PrincipalFilter, role_arn: &str) -> bool {
    let Identity::Role { name, arn } = &filter.identity else {
        return false;
    };
    let account = role_arn.split(':').nth(4).unwrap_or("");
    if !filter.accounts.is_empty() && !filter.accounts.contains(account) {
        return false;
    }
    match arn {
        Some(wanted) => wanted == role_arn,
        None => role_arn.contains(":role/") && role_arn.rsplit('/').next() == Some(name.as_str()),
    }
}

fn collect_sessions(filter: &PrincipalFilter, events: &[String], out: &mut Sessions) {
    for raw in events {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(raw) else {
            continue;
        };
        let role_arn = event
            .pointer("/requestParameters/roleArn")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let failed = event
            .get("errorCode")
            .and_then(|v| v.as_str())
            .is_some_and(|c| !c.is_empty());
        if failed || !role_arn_matches(filter, role_arn) {
            continue;
        }
        match event
            .pointer("/responseElements/credentials/accessKeyId")
            .and_then(|v| v.as_str())
        {
            Some(key) if !key.is_empty() => {
                out.keys.insert(key.to_string());
            }
            _ => out.without_key += 1,
        }
    }
}

fn spinner(multi: &MultiProgress, enabled: bool, region: &str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = multi.add(ProgressBar::new_spinner());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} LookupEvents {prefix} [{elapsed}] {msg}")
    {
        bar.set_style(style);
    }
    bar.set_prefix(region.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// How far back a newest-first scan of `[from, to)` has come, and the time left at this rate.
fn scan_progress(oldest: Option<&str>, window: &TimeWindow, started: Instant) -> String {
    let Some(oldest) = oldest.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return String::new();
    };
    let span = (window.to - window.from).num_seconds().max(1) as f64;
    let done =
        ((window.to - oldest.with_timezone(&Utc)).num_seconds() as f64 / span).clamp(0.0, 1.0);
    let elapsed = started.elapsed().as_secs_f64();
    let eta = if done > 0.0 {
        format!(", about {:.0} s left", elapsed / done - elapsed)
    } else {
        String::new()
    };
    format!("back to {oldest} ({:.0}% of the window{eta})", done * 100.0)
}

fn oldest_time(events: &[String]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Time {
        #[serde(rename = "eventTime")]
        event_time: Option<String>,
    }
    events
        .iter()
        .filter_map(|e| serde_json::from_str::<Time>(e).ok()?.event_time)
        .min()
}

/// Runs `query` in one region and decoders every page (on the blocking pool).
async fn read_query<S: Sink + 'static>(
    paced: &mut Paced,
    query: &Query,
    decoder: &Arc<Decoder<S>>,
    bar: &ProgressBar,
    scan: bool,
    out: &mut Collected<S>,
    events: &mut usize,
) -> Result<(), LookupError> {
    let started = Instant::now();
    let window = decoder.scope().window.clone();
    let mut pages = Vec::new();
    let mut page_no = 0usize;
    paced
        .run(query, |page, paced| {
            page_no += 1;
            *events += page.len();
            let progress = if scan {
                scan_progress(oldest_time(&page).as_deref(), &window, started)
            } else {
                String::new()
            };
            bar.set_message(format!(
                "{} calls, {} events {progress}",
                paced.calls, *events
            ));
            let decoder = decoder.clone();
            let name = format!("LookupEvents {} page {page_no}", paced.region);
            pages.push(tokio::task::spawn_blocking(move || {
                let mut part = decoder.fresh();
                for (index, event) in page.iter().enumerate() {
                    decoder.record_bytes(&name, index, event.as_bytes(), &mut part);
                }
                part
            }));
        })
        .await?;
    for page in pages {
        match page.await {
            Ok(part) => out.merge(part),
            Err(e) => decoder.unreadable("LookupEvents", &format!("parsing task failed: {e}"), out),
        }
    }
    Ok(())
}

fn strategy_for(filter: Option<&PrincipalFilter>) -> Strategy {
    match filter.map(|f| &f.identity) {
        Some(Identity::User { name, .. }) => Strategy::Username(name.clone()),
        Some(Identity::Role { name, .. }) if name.starts_with("AWSReservedSSO_") => Strategy::FullScan {
            why: "IAM Identity Center sessions are not opened by an AssumeRole event of the account"
                .into(),
        },
        Some(Identity::Role { .. }) => Strategy::AccessKeys { sessions: 0 },
        Some(Identity::Arn(_)) => Strategy::FullScan {
            why: "a principal given by ARN has no lookup attribute".into(),
        },
        None => Strategy::FullScan {
            why: "no principal".into(),
        },
    }
}

/// Reads the principal's events in `decoder`'s window from every region in `clients`, in parallel.
pub async fn collect_with<S: Sink + 'static>(
    clients: BTreeMap<String, Client>,
    source: &LookupSource,
    decoder: &Arc<Decoder<S>>,
) -> (Collected<S>, LookupReport) {
    let window = decoder.scope().window.clone();
    let filter = decoder.scope().principal.clone();
    let multi = MultiProgress::with_draw_target(if source.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let mut out = decoder.fresh();
    let skipping = matches!(source.regions, Regions::All);
    let mut report = LookupReport {
        strategy: strategy_for(filter.as_ref()),
        calls: BTreeMap::new(),
        skipped: BTreeMap::new(),
        events: 0,
    };
    let mut paced: Vec<Paced> = clients
        .into_iter()
        .map(|(region, client)| Paced {
            region,
            client,
            pace: source.pace,
            next: None,
            calls: 0,
        })
        .collect();
    let bars: Vec<ProgressBar> = paced
        .iter()
        .map(|p| spinner(&multi, source.progress, &p.region))
        .collect();

    // A role: find its sessions' access keys in every region first (STS may be called in any of them).
    let mut keys = BTreeSet::new();
    let mut disabled: BTreeSet<String> = BTreeSet::new();
    if let (Strategy::AccessKeys { .. }, Some(filter)) = (&report.strategy, filter.as_ref()) {
        let search = Query {
            attribute: None,
            from: window.from - MAX_SESSION,
            to: window.to,
        };
        let results = run_regions(&mut paced, &bars, |paced, bar| {
            let search = search.clone();
            async move {
                let mut sessions = Sessions::default();
                for name in [
                    "AssumeRole",
                    "AssumeRoleWithWebIdentity",
                    "AssumeRoleWithSAML",
                ] {
                    let query = Query {
                        attribute: Some((LookupAttributeKey::EventName, name.to_string())),
                        ..search.clone()
                    };
                    paced
                        .run(&query, |page, paced| {
                            collect_sessions(filter, &page, &mut sessions);
                            bar.set_message(format!(
                                "{} calls, {} session keys of the role found",
                                paced.calls,
                                sessions.keys.len()
                            ));
                        })
                        .await?;
                }
                Ok(sessions)
            }
        })
        .await;
        let mut without_key = 0;
        let mut failed = false;
        for (region, result) in results {
            match result {
                Ok(sessions) => {
                    keys.extend(sessions.keys);
                    without_key += sessions.without_key;
                }
                Err(e) if skipping && e.code().is_some_and(|c| NOT_ENABLED.contains(&c)) => {
                    report
                        .skipped
                        .insert(region.clone(), e.code().unwrap_or("").to_string());
                    disabled.insert(region);
                }
                Err(e) => {
                    failed = true;
                    decoder.unreadable(&format!("LookupEvents {region}"), &e.to_string(), &mut out);
                }
            }
        }
        report.strategy = if failed {
            Strategy::FullScan {
                why: "the search for the role's sessions failed in a region".into(),
            }
        } else if keys.is_empty() {
            Strategy::FullScan {
                why: "no AssumeRole event of the role in the window".into(),
            }
        } else if without_key > 0 {
            Strategy::FullScan {
                why: format!("{without_key} sessions of the role carry no access key"),
            }
        } else {
            Strategy::AccessKeys {
                sessions: keys.len(),
            }
        };
    }
    paced.retain(|p| !disabled.contains(&p.region));

    let strategy = report.strategy.clone();
    let keys: Vec<String> = keys.into_iter().collect();
    let results = run_regions(&mut paced, &bars, |paced, bar| {
        let strategy = strategy.clone();
        let keys = keys.clone();
        let window = window.clone();
        async move {
            let mut part = decoder.fresh();
            let mut events = 0;
            let queries: Vec<Query> = match &strategy {
                Strategy::Username(name) => vec![Query {
                    attribute: Some((LookupAttributeKey::Username, name.clone())),
                    from: window.from,
                    to: window.to,
                }],
                Strategy::AccessKeys { .. } => keys
                    .iter()
                    .map(|key| Query {
                        attribute: Some((LookupAttributeKey::AccessKeyId, key.clone())),
                        from: window.from,
                        to: window.to,
                    })
                    .collect(),
                Strategy::FullScan { .. } => vec![Query {
                    attribute: None,
                    from: window.from,
                    to: window.to,
                }],
            };
            let scan = matches!(strategy, Strategy::FullScan { .. });
            for query in &queries {
                if decoder.stopped() {
                    break;
                }
                read_query(paced, query, decoder, &bar, scan, &mut part, &mut events).await?;
            }
            Ok((part, events))
        }
    })
    .await;
    for (region, result) in results {
        match result {
            Ok((part, events)) => {
                out.merge(part);
                report.events += events;
            }
            Err(e) if skipping && e.code().is_some_and(|c| NOT_ENABLED.contains(&c)) => {
                report
                    .skipped
                    .insert(region, e.code().unwrap_or("").to_string());
            }
            Err(e) => {
                decoder.unreadable(&format!("LookupEvents {region}"), &e.to_string(), &mut out)
            }
        }
    }
    for p in &paced {
        report.calls.insert(p.region.clone(), p.calls);
    }
    for bar in bars {
        bar.finish_and_clear();
    }
    (out, report)
}

/// Runs `work` for every region at once (each region keeps its own pace) and returns the results by region.
async fn run_regions<'p, T, F, Fut>(
    paced: &'p mut [Paced],
    bars: &[ProgressBar],
    work: F,
) -> Vec<(String, Result<T, LookupError>)>
where
    F: Fn(&'p mut Paced, ProgressBar) -> Fut,
    Fut: std::future::Future<Output = Result<T, LookupError>> + 'p,
{
    let futures: Vec<_> = paced
        .iter_mut()
        .zip(bars.iter().cloned())
        .map(|(p, bar)| {
            let region = p.region.clone();
            let fut = work(p, bar);
            async move { (region, fut.await) }
        })
        .collect();
    // Polled on this task: regions run concurrently, and the work in them is I/O.
    futures_util::future::join_all(futures).await
}

/// Reads the principal's events with clients built from `config` for the regions `source` names.
pub async fn collect<S: Sink + 'static>(
    config: &aws_config::SdkConfig,
    source: &LookupSource,
    decoder: &Arc<Decoder<S>>,
) -> Result<(Collected<S>, LookupReport), LookupError> {
    let regions = regions(source, config.region().map(|r| r.as_ref()))?;
    let clients = clients(config, &regions);
    Ok(collect_with(clients, source, decoder).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(value: &str) -> PrincipalFilter {
        PrincipalFilter {
            identity: Identity::role(value).expect("valid").0,
            session: None,
            accounts: BTreeSet::new(),
        }
    }

    #[test]
    fn sessions_of_the_role_only() {
        let event = |arn: &str, key: Option<&str>, error: Option<&str>| {
            serde_json::json!({
                "eventName": "AssumeRole",
                "errorCode": error,
                "requestParameters": {"roleArn": arn},
                "responseElements": key.map(|k| serde_json::json!({"credentials": {"accessKeyId": k}})),
            })
            .to_string()
        };
        let events = vec![
            event(
                "arn:aws:iam::111122223333:role/ci/build-agent",
                Some("ASIA1"),
                None,
            ),
            event("arn:aws:iam::111122223333:role/other", Some("ASIA2"), None),
            event(
                "arn:aws:iam::111122223333:role/build-agent",
                None,
                Some("AccessDenied"),
            ),
            event("arn:aws:iam::444455556666:role/build-agent", None, None),
        ];
        let mut by_name = Sessions::default();
        collect_sessions(&role("build-agent"), &events, &mut by_name);
        assert_eq!(by_name.keys.iter().collect::<Vec<_>>(), ["ASIA1"]);
        assert_eq!(by_name.without_key, 1);
        let mut by_arn = Sessions::default();
        collect_sessions(
            &role("arn:aws:iam::111122223333:role/ci/build-agent"),
            &events,
            &mut by_arn,
        );
        assert_eq!((by_arn.keys.len(), by_arn.without_key), (1, 0));
    }

    #[test]
    fn regions_from_settings() {
        let source = |regions| LookupSource {
            regions,
            pace: std::time::Duration::ZERO,
            progress: false,
        };
        assert_eq!(
            regions(&source(Regions::Default), Some("eu-west-1")).expect("one"),
            ["eu-west-1"]
        );
        assert!(regions(&source(Regions::Default), None).is_err());
        assert_eq!(
            regions(&source(Regions::All), None).expect("all").len(),
            COMMERCIAL_REGIONS.len()
        );
    }
}
