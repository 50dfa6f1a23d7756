//! Where the records come from, as the collector is configured: each source with its options, validated
//! from what the user wrote (`s3://bucket/prefix`, `us-east-1,eu-west-1`, `all`).

use super::athena::AthenaSource;
use super::lake::LakeSource;
use super::query::{Engine, QueryError};
use super::LogInput;
use crate::ids::{AccountId, IdError, Region};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    #[error("`{0}` is not an S3 location: use `s3://bucket` or `s3://bucket/prefix`")]
    BadS3Url(String),
    #[error("{0}; `--regions all` reads every region")]
    BadRegion(IdError),
    #[error(transparent)]
    Id(#[from] IdError),
    #[error("`{0}` is not an organization ID (`o-` and letters or digits)")]
    BadOrganization(String),
    #[error("`{0}` is not a day: use `2024/01/01`")]
    BadDay(String),
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// The sources of records: one per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Local files, directories and stdin (`--logs`); `progress`: draw what was read on stderr (a terminal,
    /// not `--quiet`), set by the binary.
    Logs {
        inputs: Vec<LogInput>,
        progress: bool,
    },
    /// A trail's S3 bucket (`--s3`).
    S3(S3Source),
    /// CloudTrail's LookupEvents API (`--lookup`, the default).
    Lookup(LookupSource),
    /// An Athena table over the trail (`--athena`).
    Athena(AthenaSource),
    /// A CloudTrail Lake event data store (`--lake`).
    Lake(LakeSource),
}

impl Source {
    pub fn is_aws(&self) -> bool {
        !matches!(self, Source::Logs { .. })
    }

    /// Whether the records read are the events themselves (so that days without any can be told), not an
    /// engine's aggregated rows.
    pub fn reads_events(&self) -> bool {
        !matches!(self, Source::Athena(_) | Source::Lake(_))
    }

    /// The query engine and the regions its query selects: `--athena` and `--lake`.
    pub fn engine(&self) -> Option<(Engine, &[String])> {
        match self {
            Source::Athena(a) => Some((a.engine(), &a.regions)),
            Source::Lake(l) => Some((
                Engine::Lake {
                    store: l.store.clone(),
                },
                &l.regions,
            )),
            _ => None,
        }
    }

    /// What was read, for coverage notes.
    pub fn describe(&self) -> Vec<String> {
        match self {
            Source::Logs { inputs, .. } => inputs
                .iter()
                .map(|l| match l {
                    LogInput::Path(p) => p.display().to_string(),
                    LogInput::Stdin => "<stdin>".to_string(),
                })
                .collect(),
            Source::S3(s3) => vec![s3.url()],
            Source::Lookup(_) => {
                vec!["CloudTrail LookupEvents (management events only)".to_string()]
            }
            Source::Athena(a) => vec![format!("Athena table `{}.{}`", a.database, a.table)],
            Source::Lake(l) => vec![format!("CloudTrail Lake event data store `{}`", l.store)],
        }
    }

    /// Draw progress on stderr (a terminal, not `--quiet`): set by the binary.
    pub fn show_progress(&mut self, progress: bool) {
        match self {
            Source::Logs {
                progress: shown, ..
            } => *shown = progress,
            Source::S3(s3) => s3.progress = progress,
            Source::Lookup(lookup) => lookup.progress = progress,
            Source::Athena(_) | Source::Lake(_) => {}
        }
    }
}

/// Which regions to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// S3: every region the trail holds; LookupEvents: the configured region.
    Default,
    /// `--regions all`.
    All,
    /// `--regions a,b,c`.
    List(BTreeSet<Region>),
}

impl Regions {
    /// `--regions`: nothing, `all`, or a list of region names.
    pub fn parse(values: &[String]) -> Result<Regions, SourceError> {
        if values.is_empty() {
            return Ok(Regions::Default);
        }
        if values.iter().any(|v| v == "all") {
            return Ok(Regions::All);
        }
        values
            .iter()
            .map(|v| v.parse::<Region>().map_err(SourceError::BadRegion))
            .collect::<Result<_, _>>()
            .map(Regions::List)
    }

    /// Whether `region` is wanted, where the candidates are discovered (S3).
    pub fn admits(&self, region: &str) -> bool {
        match self {
            Regions::Default | Regions::All => true,
            Regions::List(list) => list.contains(region),
        }
    }

    /// The regions listed, for an engine's predicate (none: every region).
    pub fn listed(&self) -> Vec<String> {
        match self {
            Regions::List(list) => list.iter().map(ToString::to_string).collect(),
            Regions::Default | Regions::All => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Source {
    pub bucket: String,
    /// The key prefix the user gave, without a leading `/`; empty for the bucket's root.
    pub prefix: String,
    pub regions: Regions,
    /// `--account`: narrows the accounts listed (empty: all).
    pub accounts: BTreeSet<AccountId>,
    pub concurrency: usize,
    pub download: Option<PathBuf>,
    /// Draw a progress bar (stderr is a terminal and not `--quiet`); set by the binary.
    pub progress: bool,
}

impl S3Source {
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

/// `s3://bucket[/prefix]` → bucket and prefix (no leading `/`).
pub fn parse_s3_url(url: &str) -> Result<(String, String), SourceError> {
    let bad = || SourceError::BadS3Url(url.to_string());
    let rest = url.strip_prefix("s3://").ok_or_else(bad)?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    if !valid_bucket {
        return Err(bad());
    }
    Ok((
        bucket.to_string(),
        prefix.trim_start_matches('/').to_string(),
    ))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupSource {
    pub regions: Regions,
    /// The gap between two calls in one region (CloudTrail allows 2 calls/s per account and region).
    pub pace: std::time::Duration,
    /// Draw progress (stderr is a terminal and not `--quiet`); set by the binary.
    pub progress: bool,
}

/// How the AWS configuration is loaded (`aws-config`'s standard chain plus these overrides).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// `policygen athena-ddl`: validates its arguments and writes the CREATE TABLE.
pub fn athena_ddl(
    s3: &str,
    account: &str,
    organization: Option<&str>,
    regions: &[String],
    table: &str,
    since: &str,
) -> Result<String, SourceError> {
    let (bucket, prefix) = parse_s3_url(s3)?;
    let account: AccountId = account.parse()?;
    let (database, table) = super::query::table_name(table)?;
    let day_ok = since.len() == 10 && chrono::NaiveDate::parse_from_str(since, "%Y/%m/%d").is_ok();
    if !day_ok {
        return Err(SourceError::BadDay(since.to_string()));
    }
    for region in regions {
        region.parse::<Region>().map_err(SourceError::BadRegion)?;
    }
    let org = match organization {
        Some(o) if o.starts_with("o-") && o[2..].chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("{o}/")
        }
        Some(o) => return Err(SourceError::BadOrganization(o.to_string())),
        None => String::new(),
    };
    let root = if prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", prefix.trim_end_matches('/'))
    };
    let location = format!("s3://{bucket}/{root}AWSLogs/{org}{account}/CloudTrail");
    Ok(super::query::athena_ddl(
        &format!("{database}.{table}"),
        &location,
        regions,
        since,
    ))
}
