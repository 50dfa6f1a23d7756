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

mod paced;
mod progress;
mod sessions;

use super::decode::Decoder;
use super::sink::{Collected, Sink};
use super::source::{LookupSource, Regions};
use crate::principal::{Identity, PrincipalFilter};
use aws_sdk_cloudtrail::config::Region;
use aws_sdk_cloudtrail::types::LookupAttributeKey;
use aws_sdk_cloudtrail::Client;
use chrono::Duration;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};
use paced::{Paced, Query};
use progress::{oldest_time, scan_progress, spinner};
use sessions::{collect_sessions, Sessions};
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

/// The regions `--regions all` queries (`service-maps/facts/regions.json`: data, not code).
pub fn commercial_regions() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Regions {
        aws: Vec<String>,
    }
    // The file is embedded and checked by a test: a broken one would fail loudly there.
    serde_json::from_str::<Regions>(include_str!("../../../service-maps/facts/regions.json"))
        .map(|r| r.aws)
        .unwrap_or_default()
}

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
        Regions::All => Ok(commercial_regions()),
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

/// Runs `query` in one region and decodes every page (on the blocking pool).
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
mod tests;
