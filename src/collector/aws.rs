//! The AWS sources behind one loaded configuration: `--s3` and LookupEvents. The binary loads the
//! configuration once and hands it here; clients are built from it.

use super::athena::{self, QueryReport, QueryRunError};
use super::ingest::{Ingest, Scope};
use super::lookup::{self, LookupError, LookupReport, Strategy};
use super::s3::{self, Listing, S3Error};
use super::{lake, query};
use crate::settings::{Settings, Source};
use crate::Run;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(transparent)]
    S3(#[from] S3Error),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error(transparent)]
    Query(#[from] QueryRunError),
    #[error("the source is local files, not AWS")]
    NotAws,
}

/// Athena or Lake: the engine filters by principal and window and aggregates; the rows are mapped here.
async fn pushdown(
    settings: &Settings,
    config: &aws_config::SdkConfig,
    ingest: &Ingest,
) -> Result<(crate::collector::Partial, QueryReport), AwsError> {
    let principal = settings.scope.principal.as_ref().ok_or(AwsError::NotAws)?;
    let window = &settings.scope.window;
    let keys = query::keys_from_maps();
    Ok(match &settings.source {
        Source::Athena(source) => {
            athena::collect(config, source, principal, window, &keys, ingest).await?
        }
        Source::Lake(source) => {
            lake::collect(config, source, principal, window, &keys, ingest).await?
        }
        _ => return Err(AwsError::NotAws),
    })
}

/// What a source did, beyond the records: for the summary.
#[derive(Debug, Clone)]
pub enum SourceReport {
    Logs,
    S3 { url: String, listing: Listing },
    Lookup(LookupReport),
    Query(QueryReport),
}

impl SourceReport {
    /// Lines for the run summary on stderr (empty for local files).
    pub fn summary(&self) -> String {
        match self {
            SourceReport::Logs => String::new(),
            SourceReport::S3 { url, listing } => {
                let bytes: u64 = listing.objects.iter().map(|o| o.size).sum();
                let trails: Vec<&str> = listing.trails.iter().map(String::as_str).collect();
                format!(
                    "  source   {url}: {} objects ({:.1} MiB) from {} ({}); {} objects outside the window by key time; {} list calls\n",
                    listing.objects.len(),
                    bytes as f64 / (1024.0 * 1024.0),
                    if trails.len() == 1 { "1 account/region" } else { "account/regions" },
                    trails.join(", "),
                    listing.skipped_by_time,
                    listing.list_calls,
                )
            }
            SourceReport::Query(report) => format!(
                "  source   {} query {}: {} rows for {} events, {} scanned, {} polls\n",
                report.engine,
                report.query_id,
                report.rows,
                report.events,
                report
                    .bytes_scanned
                    .map_or("unknown bytes".to_string(), |b| format!(
                        "{:.1} MB",
                        b as f64 / 1e6
                    )),
                report.polls,
            ),
            SourceReport::Lookup(report) => {
                let mut text = String::from(
                    "  source   CloudTrail LookupEvents: management events of the last 90 days only; data events \
                     (S3 object reads and writes, Lambda invokes, DynamoDB item calls) are not in it: use `--s3` for them\n",
                );
                let regions: Vec<&str> = report.calls.keys().map(String::as_str).collect();
                text.push_str(&format!(
                    "  lookup   {}; {} calls, {} events, regions {}\n",
                    report.strategy,
                    report.total_calls(),
                    report.events,
                    regions.join(", ")
                ));
                if !report.skipped.is_empty() {
                    let skipped: Vec<String> = report
                        .skipped
                        .iter()
                        .map(|(region, code)| format!("{region} ({code})"))
                        .collect();
                    text.push_str(&format!(
                        "  lookup   skipped, not enabled for the account: {}\n",
                        skipped.join(", ")
                    ));
                }
                if matches!(report.strategy, Strategy::FullScan { .. }) {
                    text.push_str("  lookup   a full scan reads every event of the window at 2 calls/s per region: `--s3` is faster on busy accounts\n");
                }
                text
            }
        }
    }
}

/// Collects from the AWS source in `settings` and emits the policy.
pub async fn run(
    settings: &Settings,
    config: &aws_config::SdkConfig,
) -> Result<(Run, SourceReport), AwsError> {
    // Query engines filter by principal themselves; their rows carry only the caller's ARN.
    let scope = match settings.source {
        Source::Athena(_) | Source::Lake(_) => Scope {
            principal: None,
            ..settings.scope.clone()
        },
        _ => settings.scope.clone(),
    };
    let ingest = Arc::new(Ingest::new(scope));
    let (partial, report) = match &settings.source {
        Source::Logs => return Err(AwsError::NotAws),
        Source::S3(source) => {
            let client = s3::client(config);
            let (partial, listing) = s3::collect(&client, source, &ingest).await?;
            (
                partial,
                SourceReport::S3 {
                    url: source.url(),
                    listing,
                },
            )
        }
        Source::Lookup(source) => {
            let (partial, report) = lookup::collect(config, source, &ingest).await?;
            (partial, SourceReport::Lookup(report))
        }
        Source::Athena(_) | Source::Lake(_) => {
            let (partial, report) = pushdown(settings, config, &ingest).await?;
            (partial, SourceReport::Query(report))
        }
    };
    Ok((crate::finish(partial, &ingest, settings), report))
}
