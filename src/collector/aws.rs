//! The AWS sources behind one loaded configuration: `--s3` and LookupEvents. The binary loads the
//! configuration once and hands it here; clients are built from it.

use super::athena::{self, QueryReport, QueryRunError};
use super::decode::{Decoder, Scope};
use super::lookup::{self, LookupError, LookupReport, Strategy};
use super::query::by_principal::{self, ByPrincipal, Grouping, FLEET_COLUMNS};
use super::query::COLUMNS;
use super::s3::{self, Listing, S3Error};
use super::sink::{Collected, Sink};
use super::source::{AwsOptions, Source};
use super::{lake, query};
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
    #[error("{0}")]
    Credentials(String),
    #[error("reading the logs failed: {0}")]
    Worker(String),
}

/// The one load of the AWS configuration: the standard chain (profiles, SSO, environment, instance and
/// container roles), `--profile` and `--region`; `AWS_ENDPOINT_URL` points every client at an emulator.
pub async fn load_config(options: &AwsOptions) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    loader.load().await
}

/// Resolves the credentials once, so that a machine without any says so at once, in one line, instead of
/// every call failing (a run without credentials is an error, not an incomplete result).
pub async fn check_credentials(
    config: &aws_config::SdkConfig,
    options: &AwsOptions,
) -> Result<(), String> {
    use aws_credential_types::provider::error::CredentialsError;
    use aws_credential_types::provider::ProvideCredentials;
    if let Some(profile) = &options.profile {
        if let Some(files) = profile_files_lacking(profile) {
            return Err(format!(
                "the AWS profile `{profile}` is not defined in {files}"
            ));
        }
    }
    let Some(provider) = config.credentials_provider() else {
        return Err("no AWS credentials are configured".to_string());
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok(()),
        Err(CredentialsError::CredentialsNotLoaded(_)) => {
            Err("no AWS credentials found (tried the environment, profiles, web identity, container and instance roles)".to_string())
        }
        Err(e) => Err(format!("the AWS credentials could not be loaded: {}", one_line(&e))),
    }
}

/// An error and its causes as one short line: each cause once, no debug dump of the SDK's structures.
fn one_line(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        let text = text.trim().trim_end_matches('.').to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    let mut line = parts.join(": ").replace(['\n', '\r'], " ");
    if line.chars().count() > 300 {
        line = line.chars().take(300).collect::<String>() + "…";
    }
    line
}

/// The AWS config and credentials files, when `profile` is defined in neither (as the CLI and SDKs read
/// them: `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`).
fn profile_files_lacking(profile: &str) -> Option<String> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let config = file("AWS_CONFIG_FILE", ".aws/config");
    let credentials = file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    let sections = |path: &Option<std::path::PathBuf>| -> Vec<String> {
        let text = path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let l = l.trim();
                l.strip_prefix('[')?
                    .strip_suffix(']')
                    .map(|s| s.trim().to_string())
            })
            .collect()
    };
    let in_config = sections(&config).iter().any(|s| {
        s.strip_prefix("profile")
            .map(str::trim)
            .is_some_and(|name| name == profile)
            || (profile == "default" && s == "default")
    });
    let in_credentials = sections(&credentials).iter().any(|s| s == profile);
    if in_config || in_credentials {
        return None;
    }
    let shown = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map(|p| format!("`{}`", p.display()))
            .unwrap_or_else(|| "(no home directory)".to_string())
    };
    Some(format!("{} or {}", shown(&config), shown(&credentials)))
}

/// Athena or Lake: the engine filters by principal and window and aggregates; the rows are mapped here.
async fn pushdown<S: Sink>(
    scope: &Scope,
    source: &Source,
    config: &aws_config::SdkConfig,
    decoder: &Decoder<S>,
) -> Result<(Collected<S>, QueryReport), AwsError> {
    let principal = scope.principal.as_ref().ok_or(AwsError::NotAws)?;
    let (engine, regions) = source.engine().ok_or(AwsError::NotAws)?;
    let keys = query::keys_from_maps();
    let sql = query::build(&engine, principal, &scope.window, regions, &keys);
    let mut partial = decoder.fresh();
    let mut index = 0usize;
    let report = run_query(source, config, sql, &COLUMNS, |name, values, report| {
        athena::feed(name, index, values, decoder, &mut partial, report)?;
        index += 1;
        Ok(())
    })
    .await?;
    Ok((partial, report))
}

/// A fleet's query on Athena or Lake: the distinct calls of every role and user `grouping` selects, one
/// query grouped by principal, each principal's rows read as its single run reads them.
pub async fn collect_by_principal<S: Sink>(
    scope: &Scope,
    source: &Source,
    config: &aws_config::SdkConfig,
    grouping: &Grouping,
    template: S,
) -> Result<(ByPrincipal<S>, SourceReport), AwsError> {
    let (engine, regions) = source.engine().ok_or(AwsError::NotAws)?;
    let keys = query::keys_from_maps();
    let sql = by_principal::build(&engine, grouping, &scope.window, regions, &keys);
    let mut rows = ByPrincipal::new(scope, template);
    let report = run_query(
        source,
        config,
        sql,
        &FLEET_COLUMNS,
        |name, values, report| rows.feed(name, values, report),
    )
    .await?;
    Ok((rows, SourceReport::Query(report)))
}

/// Runs `sql` on the engine of `source`, handing each result row (in the order of `columns`) to `row`.
async fn run_query(
    source: &Source,
    config: &aws_config::SdkConfig,
    sql: String,
    columns: &[&str],
    row: impl FnMut(&str, Vec<Option<String>>, &mut QueryReport) -> Result<(), QueryRunError>,
) -> Result<QueryReport, AwsError> {
    Ok(match source {
        Source::Athena(source) => athena::run(config, source, sql, columns, row).await?,
        Source::Lake(_) => lake::run(config, sql, columns, row).await?,
        _ => return Err(AwsError::NotAws),
    })
}

/// What a source did, beyond the records: for the summary.
#[derive(Debug, Clone, Default)]
pub enum SourceReport {
    #[default]
    Logs,
    S3 {
        url: String,
        listing: Listing,
    },
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

/// Collects from an AWS source: the principal's records in the window, into `sink`.
pub async fn collect<S: Sink + 'static>(
    scope: &Scope,
    source: &Source,
    config: &aws_config::SdkConfig,
    sink: S,
) -> Result<(Collected<S>, SourceReport), AwsError> {
    // Query engines filter by principal themselves; their rows carry only the caller's ARN.
    let decoder_scope = match source {
        Source::Athena(_) | Source::Lake(_) => Scope {
            principal: None,
            ..scope.clone()
        },
        _ => scope.clone(),
    };
    let decoder = Arc::new(Decoder::new(decoder_scope, sink));
    let (mut partial, report) = match source {
        Source::Logs { .. } => return Err(AwsError::NotAws),
        Source::S3(s3_source) => {
            let client = s3::client(config);
            let (partial, listing) = s3::collect(&client, s3_source, &decoder).await?;
            (
                partial,
                SourceReport::S3 {
                    url: s3_source.url(),
                    listing,
                },
            )
        }
        Source::Lookup(lookup_source) => {
            let (partial, report) = lookup::collect(config, lookup_source, &decoder).await?;
            (partial, SourceReport::Lookup(report))
        }
        Source::Athena(_) | Source::Lake(_) => {
            let (partial, report) = pushdown(scope, source, config, &decoder).await?;
            (partial, SourceReport::Query(report))
        }
    };
    partial.decoded.stopped = decoder.stopped();
    Ok((partial, report))
}
