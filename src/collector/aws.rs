//! The AWS sources behind one loaded configuration: `--s3` and LookupEvents. The binary loads the
//! configuration once and hands it here; clients are built from it.

use super::ingest::Ingest;
use super::lookup::{self, LookupError, LookupReport, Strategy};
use super::s3::{self, Listing, S3Error};
use crate::settings::{Settings, Source};
use crate::Run;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(transparent)]
    S3(#[from] S3Error),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("the source is local files, not AWS")]
    NotAws,
}

/// What a source did, beyond the records: for the summary.
#[derive(Debug, Clone)]
pub enum SourceReport {
    Logs,
    S3 { url: String, listing: Listing },
    Lookup(LookupReport),
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
    let ingest = Arc::new(Ingest::new(settings.scope.clone()));
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
    };
    Ok((crate::finish(partial, &ingest, settings), report))
}
