//! Validated settings: every cross-flag rule is checked here, and nothing after this module sees clap types.

use crate::cli::{AthenaLayoutArg, ConditionArg, FormatArg, GenerateArgs, PolicyTypeArg};
use crate::collector::athena::AthenaSource;
use crate::collector::lake::LakeSource;
use crate::collector::query::{store_id, table_name, Engine, Layout, QueryError};
use crate::collector::{LogInput, Scope};
use crate::emitter::conditions::ConditionKind;
use crate::emitter::size::SizeLimit;
use crate::emitter::EmitOptions;
use crate::principal::{session_account, Identity, PrincipalError, PrincipalFilter};
use crate::window::{parse_time, TimeWindow, WindowError};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Terraform,
    Cloudformation,
    Markdown,
    DiffJson,
}

/// Where the records come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Local files and stdin: [`Settings::logs`].
    Logs,
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
        !matches!(self, Source::Logs)
    }

    /// Whether the records read are the events themselves (so that days without any can be told), not an
    /// engine's aggregated rows.
    pub fn reads_events(&self) -> bool {
        !matches!(self, Source::Athena(_) | Source::Lake(_))
    }

    /// What was read, for coverage notes; `None` for local files (their paths say it).
    pub fn describe(&self) -> Option<String> {
        match self {
            Source::Logs => None,
            Source::S3(s3) => Some(s3.url()),
            Source::Lookup(_) => {
                Some("CloudTrail LookupEvents (management events only)".to_string())
            }
            Source::Athena(a) => Some(format!("Athena table `{}.{}`", a.database, a.table)),
            Source::Lake(l) => Some(format!("CloudTrail Lake event data store `{}`", l.store)),
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
    List(BTreeSet<String>),
}

impl Regions {
    /// Whether `region` is wanted, where the candidates are discovered (S3).
    pub fn admits(&self, region: &str) -> bool {
        match self {
            Regions::Default | Regions::All => true,
            Regions::List(list) => list.contains(region),
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
    pub accounts: BTreeSet<String>,
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

#[derive(Debug, Clone)]
pub struct Settings {
    pub scope: Scope,
    pub source: Source,
    /// The `--logs` inputs (with [`Source::Logs`]).
    pub logs: Vec<LogInput>,
    pub aws: AwsOptions,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub summary_json: Option<PathBuf>,
    pub emit: EmitOptions,
    pub explain: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub deny_warnings: bool,
    /// Print the SQL of `--athena` / `--lake` and stop.
    pub print_sql: bool,
    /// `--current` files.
    pub current: Vec<PathBuf>,
    /// `--current iam`: read the current policies with the IAM API (never together with files).
    pub current_iam: bool,
    pub check: bool,
    pub size_limit: SizeLimit,
    pub split: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error(
        "`--print-sql` prints the query of `--athena TABLE` or `--lake EVENT_DATA_STORE`: give one"
    )]
    PrintSqlWithoutQuery,
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("`{0}` is not an organization ID (`o-` and letters or digits)")]
    BadOrganization(String),
    #[error(
        "say whose policy to write: `--role NAME|ARN`, `--user NAME|ARN` or `--principal ARN`"
    )]
    NoPrincipal,
    #[error(transparent)]
    Principal(#[from] PrincipalError),
    #[error(
        "`--session` narrows a role's sessions: give it with `--role` or a role `--principal`"
    )]
    SessionWithoutRole,
    #[error("`{0}` is not an account ID (12 digits)")]
    BadAccount(String),
    #[error("`{arn}` is a session of account `{account}`, which `--account` leaves out")]
    AccountOutsideArn { arn: String, account: String },
    #[error("say which time window to read: `--since 30d` (also `90m`, `12h`, `2w`), or `--from 2026-10-01 [--to 2026-11-01]`")]
    NoWindow,
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error("`{0}` is not an S3 location: use `s3://bucket` or `s3://bucket/prefix`")]
    BadS3Url(String),
    #[error("`{0}` is not a region name (like `us-east-1`); `--regions all` reads every region")]
    BadRegion(String),
    #[error("`--regions` narrows the AWS sources: give it with `--s3` or `--lookup` (the default), not with `--logs`")]
    RegionsWithLogs,
    #[error("LookupEvents keeps only the last 90 days, and the window starts at {from}: use a shorter window, or `--s3` for the trail's bucket")]
    LookupTooOld { from: String },
    #[error("`--concurrency` must be between 1 and 256")]
    BadConcurrency,
    #[error(
        "`--max-resources` takes 1 to 1000 (past that, a policy no longer fits IAM's size limits)"
    )]
    BadMaxResources,
    #[error("`{0}` compares with the current policy: give it with `--current FILE`")]
    NeedsCurrent(&'static str),
    #[error("`--current iam` reads every policy of the principal from IAM: give it alone, not with `--current {0}` (a file named `iam` is `--current ./iam`)")]
    CurrentIamWithFile(String),
    #[error("`--current iam` reads the policies of a role or a user, and `{0}` is neither: give `--role` or `--user`")]
    CurrentIamNeedsRoleOrUser(String),
    #[error("`--logs {path}` cannot be read: {reason}")]
    NoSuchLogs { path: String, reason: String },
    #[error("cannot write `{path}`: {reason}")]
    NotWritable { path: String, reason: String },
    #[error("`--split` writes several JSON policies: give a file name with `-o FILE` (they become `FILE`, `FILE.2`, … before the extension)")]
    SplitNeedsOutput,
}

impl Settings {
    /// Whether the run is reviewed against a current policy (files or `--current iam`).
    pub fn has_current(&self) -> bool {
        self.current_iam || !self.current.is_empty()
    }

    /// Whether the run needs the AWS configuration: an AWS source, or `--current iam`.
    pub fn needs_aws(&self) -> bool {
        self.source.is_aws() || self.current_iam
    }

    pub fn from_args(args: &GenerateArgs, now: DateTime<Utc>) -> Result<Settings, SettingsError> {
        let (identity, session_from_arn) = match (&args.role, &args.user, &args.principal) {
            (Some(role), None, None) => Identity::role(role)?,
            (None, Some(user), None) => (Identity::user(user)?, None),
            (None, None, Some(arn)) => Identity::from_arn(arn)?,
            _ => return Err(SettingsError::NoPrincipal),
        };
        let session = args.session.clone().or(session_from_arn);
        if session.is_some() && !matches!(identity, Identity::Role { .. }) {
            return Err(SettingsError::SessionWithoutRole);
        }
        let mut accounts = BTreeSet::new();
        for account in &args.accounts {
            if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
                return Err(SettingsError::BadAccount(account.clone()));
            }
            accounts.insert(account.clone());
        }
        let session_arn = [&args.role, &args.principal]
            .into_iter()
            .flatten()
            .find_map(|value| session_account(value).map(|account| (value, account)));
        if let Some((arn, account)) = session_arn {
            if !accounts.is_empty() && !accounts.contains(account) {
                return Err(SettingsError::AccountOutsideArn {
                    arn: arn.clone(),
                    account: account.to_string(),
                });
            }
            accounts = BTreeSet::from([account.to_string()]);
        }
        let window = match (&args.since, &args.from, &args.to) {
            (Some(since), None, None) => TimeWindow::since(since, now)?,
            (Some(since), None, Some(to)) => TimeWindow::since(since, parse_time(to)?)?,
            (None, Some(from), to) => {
                let to = to.as_deref().map(parse_time).transpose()?.unwrap_or(now);
                TimeWindow::new(parse_time(from)?, to)?
            }
            _ => return Err(SettingsError::NoWindow),
        };
        let regions = regions(&args.regions)?;
        let listed = || -> Vec<String> {
            match &regions {
                Regions::List(list) => list.iter().cloned().collect(),
                _ => Vec::new(),
            }
        };
        let source = if let Some(table) = &args.athena {
            let layout = match args.athena_layout {
                AthenaLayoutArg::Projected => Layout::Projected,
                AthenaLayoutArg::Plain => Layout::Plain,
            };
            let (database, table) = table_name(table)?;
            if let Some(output) = &args.athena_output {
                parse_s3_url(output)?;
            }
            Source::Athena(AthenaSource {
                database,
                table,
                layout,
                workgroup: args.athena_workgroup.clone(),
                output: args.athena_output.clone(),
                regions: listed(),
            })
        } else if let Some(store) = &args.lake {
            let store = store_id(store)?;
            Source::Lake(LakeSource {
                store,
                regions: listed(),
            })
        } else if args.print_sql {
            return Err(SettingsError::PrintSqlWithoutQuery);
        } else if !args.logs.is_empty() {
            if !args.regions.is_empty() {
                return Err(SettingsError::RegionsWithLogs);
            }
            Source::Logs
        } else if let Some(url) = &args.s3 {
            let (bucket, prefix) = parse_s3_url(url)?;
            if args.concurrency == 0 || args.concurrency > 256 {
                return Err(SettingsError::BadConcurrency);
            }
            Source::S3(S3Source {
                bucket,
                prefix,
                regions,
                accounts: accounts.clone(),
                concurrency: args.concurrency,
                download: args.download.clone(),
                progress: false,
            })
        } else {
            if window.from < now - chrono::Duration::days(crate::collector::lookup::RETENTION_DAYS)
            {
                return Err(SettingsError::LookupTooOld {
                    from: window
                        .from
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                });
            }
            Source::Lookup(LookupSource {
                regions,
                pace: std::time::Duration::from_millis(550),
                progress: false,
            })
        };
        if args.max_resources == 0 || args.max_resources > crate::usage::CROWD {
            return Err(SettingsError::BadMaxResources);
        }
        // `-o -` is stdout, as for `--logs -`.
        let output = args.output.clone().filter(|p| p.as_os_str() != "-");
        if args.split && args.format == FormatArg::Json && output.is_none() {
            return Err(SettingsError::SplitNeedsOutput);
        }
        // `iam` alone: the IAM read is the whole of what the principal has, and a file beside it would either
        // repeat one of its policies or add one that is not attached, so `--check` would gate on a policy that is
        // not in force. A file really named `iam` is given as `./iam`.
        let current_iam = args.current.iter().any(|p| p.as_os_str() == "iam");
        let current: Vec<PathBuf> = args
            .current
            .iter()
            .filter(|p| p.as_os_str() != "iam")
            .cloned()
            .collect();
        if current_iam {
            if let Some(file) = current.first() {
                return Err(SettingsError::CurrentIamWithFile(
                    file.display().to_string(),
                ));
            }
            if let Identity::Arn(arn) = &identity {
                return Err(SettingsError::CurrentIamNeedsRoleOrUser(arn.clone()));
            }
        }
        if args.current.is_empty() {
            if args.check {
                return Err(SettingsError::NeedsCurrent("--check"));
            }
            if args.format == FormatArg::DiffJson {
                return Err(SettingsError::NeedsCurrent("--format diff-json"));
            }
        }
        // Inputs that do not exist and outputs that cannot be written are usage errors, found before any
        // work: a typo must not cost a long read, nor overwrite `-o` with an empty policy.
        let logs = log_inputs(&args.logs);
        for input in &logs {
            if let LogInput::Path(path) = input {
                if let Err(e) = std::fs::metadata(path) {
                    return Err(SettingsError::NoSuchLogs {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        for target in output.iter().chain(args.summary_json.iter()) {
            writable(target)?;
        }
        Ok(Settings {
            scope: Scope {
                principal: Some(PrincipalFilter {
                    identity,
                    session,
                    accounts,
                }),
                window,
                include_denied: args.include_denied,
                strict: args.strict,
                record_calls: false,
                record_days: !args.current.is_empty(),
            },
            source,
            logs,
            aws: AwsOptions {
                profile: args.profile.clone(),
                region: args.region.clone(),
            },
            format: match args.format {
                FormatArg::Json => Format::Json,
                FormatArg::Terraform => Format::Terraform,
                FormatArg::Cloudformation => Format::Cloudformation,
                FormatArg::Markdown => Format::Markdown,
                FormatArg::DiffJson => Format::DiffJson,
            },
            output,
            summary_json: args.summary_json.clone(),
            emit: EmitOptions {
                max_resources: args.max_resources,
                conditions: args
                    .conditions
                    .iter()
                    .map(|c| match c {
                        ConditionArg::Region => ConditionKind::Region,
                        ConditionArg::InstanceType => ConditionKind::InstanceType,
                        ConditionArg::Service => ConditionKind::Service,
                    })
                    .collect(),
                compact: args.compact,
            },
            explain: args.explain,
            verbose: args.verbose,
            quiet: args.quiet,
            deny_warnings: args.deny_warnings,
            print_sql: args.print_sql,
            current,
            current_iam,
            check: args.check,
            size_limit: match args.policy_type {
                PolicyTypeArg::Managed => SizeLimit::Managed,
                PolicyTypeArg::Inline => SizeLimit::InlineRole,
            },
            split: args.split,
        })
    }

    /// The principal's name as IAM knows it (a role or user name, or the ARN): picks its policies out of
    /// `get-account-authorization-details` and names the Terraform data source.
    pub fn principal_name(&self) -> String {
        match self.scope.principal.as_ref().map(|p| &p.identity) {
            Some(Identity::Role { name, .. } | Identity::User { name, .. }) => name.clone(),
            Some(Identity::Arn(arn)) => arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string(),
            None => String::new(),
        }
    }
}

/// `s3://bucket[/prefix]` → bucket and prefix (no leading `/`).
impl Settings {
    /// The SQL `--athena` / `--lake` runs (for `--print-sql`); `None` for other sources.
    pub fn query_sql(&self) -> Option<String> {
        let principal = self.scope.principal.as_ref()?;
        let (engine, regions) = match &self.source {
            Source::Athena(source) => (source.engine(), &source.regions),
            Source::Lake(source) => (
                Engine::Lake {
                    store: source.store.clone(),
                },
                &source.regions,
            ),
            _ => return None,
        };
        let keys = crate::collector::query::keys_from_maps();
        Some(crate::collector::query::build(
            &engine,
            principal,
            &self.scope.window,
            regions,
            &keys,
        ))
    }
}

/// `policygen athena-ddl`: validates its arguments and writes the CREATE TABLE.
pub fn athena_ddl(
    s3: &str,
    account: &str,
    organization: Option<&str>,
    regions: &[String],
    table: &str,
    since: &str,
) -> Result<String, SettingsError> {
    let (bucket, prefix) = parse_s3_url(s3)?;
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err(SettingsError::BadAccount(account.to_string()));
    }
    let (database, table) = table_name(table)?;
    let day_ok = since.len() == 10 && chrono::NaiveDate::parse_from_str(since, "%Y/%m/%d").is_ok();
    if !day_ok {
        return Err(SettingsError::Window(WindowError::BadTime(
            since.to_string(),
        )));
    }
    let region_ok = |r: &String| {
        !r.is_empty()
            && r.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if let Some(bad) = regions.iter().find(|r| !region_ok(r)) {
        return Err(SettingsError::BadRegion(bad.clone()));
    }
    let org = match organization {
        Some(o) if o.starts_with("o-") && o[2..].chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("{o}/")
        }
        Some(o) => return Err(SettingsError::BadOrganization(o.to_string())),
        None => String::new(),
    };
    let root = if prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", prefix.trim_end_matches('/'))
    };
    let location = format!("s3://{bucket}/{root}AWSLogs/{org}{account}/CloudTrail");
    Ok(crate::collector::query::athena_ddl(
        &format!("{database}.{table}"),
        &location,
        regions,
        since,
    ))
}

pub fn parse_s3_url(url: &str) -> Result<(String, String), SettingsError> {
    let bad = || SettingsError::BadS3Url(url.to_string());
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

fn regions(values: &[String]) -> Result<Regions, SettingsError> {
    if values.is_empty() {
        return Ok(Regions::Default);
    }
    if values.iter().any(|v| v == "all") {
        return Ok(Regions::All);
    }
    let mut list = BTreeSet::new();
    for value in values {
        let value = value.trim();
        let valid = value.split('-').count() >= 3
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(SettingsError::BadRegion(value.to_string()));
        }
        list.insert(value.to_string());
    }
    Ok(Regions::List(list))
}

/// Whether a file can be written: an existing file is opened for writing without truncating it; a new one
/// needs an existing directory.
fn writable(path: &std::path::Path) -> Result<(), SettingsError> {
    let fail = |reason: String| SettingsError::NotWritable {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(fail("it is a directory".into())),
        Ok(_) => std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(|e| fail(e.to_string())),
        Err(_) => {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            match std::fs::metadata(parent) {
                Ok(meta) if meta.is_dir() => Ok(()),
                Ok(_) => Err(fail(format!("`{}` is not a directory", parent.display()))),
                Err(e) => Err(fail(format!("`{}`: {e}", parent.display()))),
            }
        }
    }
}

pub fn log_inputs(paths: &[String]) -> Vec<LogInput> {
    paths
        .iter()
        .map(|p| {
            if p == "-" {
                LogInput::Stdin
            } else {
                LogInput::Path(PathBuf::from(p))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn settings(args: &[&str]) -> Result<Settings, SettingsError> {
        let cli = Cli::try_parse_from(std::iter::once("policygen").chain(args.iter().copied()))
            .expect("clap accepts");
        Settings::from_args(
            &cli.generate,
            parse_time("2026-12-03T00:00:00Z").expect("valid"),
        )
    }

    #[test]
    fn sources() {
        let s = settings(&["--role", "r", "--since", "1d"]).expect("valid");
        assert!(matches!(s.source, Source::Lookup(ref l) if l.regions == Regions::Default));
        let s = settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--s3",
            "s3://acme-trail/org/",
            "--regions",
            "us-east-1,eu-west-1",
            "--account",
            "111122223333",
        ])
        .expect("valid");
        let Source::S3(s3) = s.source else {
            panic!("not s3")
        };
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str()),
            ("acme-trail", "org/")
        );
        assert!(s3.regions.admits("eu-west-1") && !s3.regions.admits("eu-west-2"));
        assert_eq!(s3.accounts.len(), 1);
        assert!(matches!(
            settings(&["--role", "r", "--since", "91d"]).err(),
            Some(SettingsError::LookupTooOld { .. })
        ));
        let s = settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--lookup",
            "--regions",
            "all",
        ])
        .expect("valid");
        assert!(matches!(s.source, Source::Lookup(ref l) if l.regions == Regions::All));
        for bad in ["acme", "s3://", "s3://A_b/x", "https://bucket/x"] {
            assert_eq!(
                settings(&["--role", "r", "--since", "1d", "--s3", bad]).err(),
                Some(SettingsError::BadS3Url(bad.into()))
            );
        }
        assert_eq!(
            settings(&["--role", "r", "--since", "1d", "--regions", "mars"]).err(),
            Some(SettingsError::BadRegion("mars".into()))
        );
        assert_eq!(
            settings(&[
                "--role",
                "r",
                "--since",
                "1d",
                "--logs",
                ".",
                "--regions",
                "all"
            ])
            .err(),
            Some(SettingsError::RegionsWithLogs)
        );
        let cli = Cli::try_parse_from([
            "policygen",
            "--role",
            "r",
            "--since",
            "1d",
            "--logs",
            ".",
            "--s3",
            "s3://abc",
        ]);
        assert!(cli.is_err(), "--logs conflicts with --s3");
    }

    #[test]
    fn needs_principal_window_and_source() {
        assert_eq!(
            settings(&["--since", "30d", "--logs", "."]).err(),
            Some(SettingsError::NoPrincipal)
        );
        assert_eq!(
            settings(&["--role", "r", "--logs", "."]).err(),
            Some(SettingsError::NoWindow)
        );
        assert_eq!(
            settings(&["--role", "r", "--to", "2026-11-01", "--logs", "."]).err(),
            Some(SettingsError::NoWindow)
        );
    }

    #[test]
    fn session_only_for_roles() {
        assert_eq!(
            settings(&[
                "--user",
                "alice",
                "--session",
                ".",
                "--since",
                "1d",
                "--logs",
                "x"
            ])
            .err(),
            Some(SettingsError::SessionWithoutRole)
        );
        let s = settings(&[
            "--principal",
            "arn:aws:sts::111122223333:assumed-role/r/s1",
            "--since",
            "1d",
            "--logs",
            ".",
        ])
        .expect("valid");
        assert_eq!(
            s.scope.principal.and_then(|p| p.session).as_deref(),
            Some("s1")
        );
    }

    #[test]
    fn review_flags_need_current() {
        let base = ["--role", "r", "--since", "1d", "--logs", "."];
        let with = |extra: &[&str]| {
            let mut args = base.to_vec();
            args.extend_from_slice(extra);
            settings(&args).err()
        };
        assert_eq!(
            with(&["--check"]),
            Some(SettingsError::NeedsCurrent("--check"))
        );
        assert_eq!(
            with(&["--format", "diff-json"]),
            Some(SettingsError::NeedsCurrent("--format diff-json"))
        );
        assert_eq!(with(&["--check", "--current", "c.json"]), None);
        assert_eq!(with(&["--split"]), Some(SettingsError::SplitNeedsOutput));
        let s = settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--logs",
            ".",
            "--current",
            "iam",
            "--check",
        ])
        .expect("valid");
        assert!(s.current_iam && s.current.is_empty() && s.has_current() && s.needs_aws());
        assert_eq!(
            with(&["--current", "iam", "--current", "c.json"]),
            Some(SettingsError::CurrentIamWithFile("c.json".into()))
        );
        let s = settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--logs",
            ".",
            "--current",
            "./iam",
        ])
        .expect("valid");
        assert!(!s.current_iam && s.current.len() == 1 && !s.needs_aws());
        assert_eq!(
            settings(&[
                "--principal",
                "arn:aws:iam::111122223333:root",
                "--since",
                "1d",
                "--logs",
                ".",
                "--current",
                "iam"
            ])
            .err(),
            Some(SettingsError::CurrentIamNeedsRoleOrUser(
                "arn:aws:iam::111122223333:root".into()
            ))
        );
        assert_eq!(with(&["--split", "-o", "p.json"]), None);
    }

    #[test]
    fn window_forms() {
        let s = settings(&[
            "--role",
            "r",
            "--from",
            "2026-10-01",
            "--to",
            "2026-11-01T12:00:00Z",
            "--logs",
            "-",
        ])
        .expect("valid");
        assert_eq!(
            s.scope.window.to_string(),
            "[2026-10-01T00:00:00Z, 2026-11-01T12:00:00Z)"
        );
        assert_eq!(s.logs, vec![LogInput::Stdin]);
        assert_eq!(s.principal_name(), "r");
        assert!(settings(&[
            "--role",
            "r",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-01",
            "--logs",
            "x"
        ])
        .is_err());
        assert_eq!(
            settings(&[
                "--role",
                "r",
                "--since",
                "1d",
                "--account",
                "12",
                "--logs",
                "x"
            ])
            .err(),
            Some(SettingsError::BadAccount("12".into()))
        );
    }

    /// A typo in a path is found before any work, and never overwrites an output.
    #[test]
    fn paths_are_checked_before_work() {
        let base = ["--role", "r", "--since", "1d"];
        let run = |extra: &[&str]| settings(&[&base[..], extra].concat());
        assert!(matches!(
            run(&["--logs", "no/such/dir"]).err(),
            Some(SettingsError::NoSuchLogs { .. })
        ));
        assert!(matches!(
            run(&["--logs", ".", "-o", "no/such/dir/policy.json"]).err(),
            Some(SettingsError::NotWritable { .. })
        ));
        assert!(matches!(
            run(&["--logs", ".", "--summary-json", "src"]).err(),
            Some(SettingsError::NotWritable { .. })
        ));
        let to_stdout = run(&["--logs", ".", "-o", "-"]).expect("valid");
        assert_eq!(to_stdout.output, None);
    }

    #[test]
    fn a_session_arn_is_one_account() {
        let s = settings(&[
            "--principal",
            "arn:aws:sts::111122223333:assumed-role/deployer/gh-1",
            "--since",
            "1d",
            "--logs",
            ".",
        ])
        .expect("valid");
        let principal = s.scope.principal.expect("a principal");
        assert_eq!(
            principal.accounts,
            BTreeSet::from(["111122223333".to_string()])
        );
        assert_eq!(principal.session.as_deref(), Some("gh-1"));
        let other = settings(&[
            "--principal",
            "arn:aws:sts::111122223333:assumed-role/deployer/gh-1",
            "--account",
            "444455556666",
            "--since",
            "1d",
            "--logs",
            ".",
        ]);
        assert!(matches!(
            other.err(),
            Some(SettingsError::AccountOutsideArn { .. })
        ));
    }
}
