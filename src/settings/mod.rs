//! Validated settings: every cross-flag rule is checked here, and nothing after this module sees clap types.
//! Each stage's part is that stage's own type: the collector's [`Scope`] and [`Source`], the emitter's
//! [`EmitOptions`], the output's [`OutputOptions`].

use crate::cli::{AthenaLayoutArg, ColorArg, ConditionArg, FormatArg, GenerateArgs, PolicyTypeArg};
use crate::collector::athena::AthenaSource;
use crate::collector::lake::LakeSource;
use crate::collector::query::{store_id, table_name, Layout};
use crate::collector::source::{
    parse_s3_url, AwsOptions, LookupSource, Regions, S3Source, Source, SourceError,
};
use crate::collector::{LogInput, Scope};
use crate::emitter::conditions::ConditionKind;
use crate::emitter::size::SizeLimit;
use crate::emitter::EmitOptions;
use crate::ids::{AccountId, IdError};
use crate::index::IndexQuery;
use crate::principal::{session_account, Identity, PrincipalError, PrincipalFilter};
use crate::window::{parse_time, TimeWindow, WindowError};
use chrono::{DateTime, Utc};
use output::{ColorChoice, Format, OutputOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The current policies a run is reviewed against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    /// No review: the proposal alone.
    None,
    /// `--current FILE` (repeatable).
    Files(Vec<PathBuf>),
    /// `--current iam`: the principal's policies, read with the IAM API.
    Iam,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub scope: Scope,
    pub source: Source,
    /// Grant failed calls too (`--include-denied`).
    pub include_denied: bool,
    pub aws: AwsOptions,
    pub emit: EmitOptions,
    pub current: Current,
    pub output: OutputOptions,
    /// Print the SQL of `--athena` / `--lake` and stop.
    pub print_sql: bool,
    /// Answer from this usage index (`--index`) instead of reading `source`.
    pub index: Option<IndexQuery>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error(
        "`--print-sql` prints the query of `--athena TABLE` or `--lake EVENT_DATA_STORE`: give one"
    )]
    PrintSqlWithoutQuery,
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Id(#[from] IdError),
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
    #[error("`{arn}` is a session of account `{account}`, which `--account` leaves out")]
    AccountOutsideArn { arn: String, account: String },
    #[error("say which time window to read: `--since 30d` (also `90m`, `12h`, `2w`), or `--from 2026-10-01 [--to 2026-11-01]`")]
    NoWindow,
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error("`--regions` narrows the AWS sources: give it with `--s3` or `--lookup` (the default), not with `--logs`")]
    RegionsWithLogs,
    #[error("`--regions` narrows a run over the bucket, and the index keeps every region's records together: leave it out, or read the bucket with `--s3`")]
    RegionsWithIndex,
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
    #[error(transparent)]
    Level(#[from] levels::LevelError),
}

impl Settings {
    /// Whether the run needs the AWS configuration: an AWS source, or `--current iam`.
    pub fn needs_aws(&self) -> bool {
        self.source.is_aws() || self.current == Current::Iam
    }

    pub fn from_args(args: &GenerateArgs, now: DateTime<Utc>) -> Result<Settings, SettingsError> {
        let principal = principal(args)?;
        let window = window(args, now)?;
        let source = source(args, &principal.accounts, &window, now)?;
        let aws = AwsOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
        };
        let index = args.index.clone().map(|dir| IndexQuery {
            dir,
            accounts: principal.accounts.clone(),
            concurrency: args.concurrency,
            aws: aws.clone(),
        });
        if args.max_resources == 0 || args.max_resources > crate::usage::CROWD {
            return Err(SettingsError::BadMaxResources);
        }
        let current = current(args, &principal.identity)?;
        let output = output(args)?;
        // Inputs that do not exist and outputs that cannot be written are usage errors, found before any
        // work: a typo must not cost a long read, nor overwrite `-o` with an empty policy.
        if let Source::Logs { inputs, .. } = &source {
            logs_exist(inputs)?;
        }
        for target in output
            .path
            .iter()
            .chain(output.summary_json.iter())
            .chain(output.comment.iter())
        {
            writable(target)?;
        }
        Ok(Settings {
            scope: Scope {
                principal: Some(principal),
                window,
                strict: args.strict,
            },
            include_denied: args.include_denied,
            index,
            source,
            aws,
            emit: EmitOptions {
                max_resources: args.max_resources,
                conditions: args
                    .conditions
                    .iter()
                    .map(|c| match c {
                        ConditionArg::Region => ConditionKind::Region,
                        ConditionArg::InstanceType => ConditionKind::InstanceType,
                        ConditionArg::Service => ConditionKind::Service,
                        ConditionArg::Tags => ConditionKind::Tags,
                    })
                    .collect(),
                compact: args.compact,
                exact: args.exact,
            },
            current,
            output,
            print_sql: args.print_sql,
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

    /// The SQL `--athena` / `--lake` runs (for `--print-sql`); `None` for other sources.
    pub fn query_sql(&self) -> Option<String> {
        let principal = self.scope.principal.as_ref()?;
        let (engine, regions) = self.source.engine()?;
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

/// Who: `--role`, `--user` or `--principal`, `--session`, `--account`. A session ARN names its account.
fn principal(args: &GenerateArgs) -> Result<PrincipalFilter, SettingsError> {
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
    let mut accounts: BTreeSet<AccountId> = args
        .accounts
        .iter()
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
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
        accounts = BTreeSet::from([account.parse()?]);
    }
    Ok(PrincipalFilter {
        identity,
        session,
        accounts,
    })
}

/// When: `--since`, or `--from` and `--to`.
fn window(args: &GenerateArgs, now: DateTime<Utc>) -> Result<TimeWindow, SettingsError> {
    Ok(match (&args.since, &args.from, &args.to) {
        (Some(since), None, None) => TimeWindow::since(since, now)?,
        (Some(since), None, Some(to)) => TimeWindow::since(since, parse_time(to)?)?,
        (None, Some(from), to) => {
            let to = to.as_deref().map(parse_time).transpose()?.unwrap_or(now);
            TimeWindow::new(parse_time(from)?, to)?
        }
        _ => return Err(SettingsError::NoWindow),
    })
}

/// Where from: `--athena`, `--lake`, `--logs`, `--s3`, or LookupEvents.
fn source(
    args: &GenerateArgs,
    accounts: &BTreeSet<AccountId>,
    window: &TimeWindow,
    now: DateTime<Utc>,
) -> Result<Source, SettingsError> {
    let regions = Regions::parse(&args.regions)?;
    Ok(if let Some(table) = &args.athena {
        let layout = match args.athena_layout {
            AthenaLayoutArg::Projected => Layout::Projected,
            AthenaLayoutArg::Plain => Layout::Plain,
        };
        let (database, table) = table_name(table).map_err(SourceError::from)?;
        if let Some(output) = &args.athena_output {
            parse_s3_url(output)?;
        }
        Source::Athena(AthenaSource {
            database,
            table,
            layout,
            workgroup: args.athena_workgroup.clone(),
            output: args.athena_output.clone(),
            regions: regions.listed(),
        })
    } else if let Some(store) = &args.lake {
        Source::Lake(LakeSource {
            store: store_id(store).map_err(SourceError::from)?,
            regions: regions.listed(),
        })
    } else if args.print_sql {
        return Err(SettingsError::PrintSqlWithoutQuery);
    } else if args.index.is_some() {
        if !args.regions.is_empty() {
            return Err(SettingsError::RegionsWithIndex);
        }
        if args.concurrency == 0 || args.concurrency > 256 {
            return Err(SettingsError::BadConcurrency);
        }
        // The index knows what it read; the pipeline takes the source from it.
        Source::Logs {
            inputs: Vec::new(),
            progress: false,
        }
    } else if !args.logs.is_empty() {
        if !args.regions.is_empty() {
            return Err(SettingsError::RegionsWithLogs);
        }
        Source::Logs {
            inputs: crate::collector::files::log_inputs(&args.logs),
            progress: false,
        }
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
        if window.from < now - chrono::Duration::days(crate::collector::lookup::RETENTION_DAYS) {
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
    })
}

/// What to review against: files, or `iam` alone. A file beside `iam` would either repeat one of its
/// policies or add one that is not attached, so `--check` would gate on a policy that is not in force; a
/// file really named `iam` is given as `./iam`.
fn current(args: &GenerateArgs, identity: &Identity) -> Result<Current, SettingsError> {
    let iam = args.current.iter().any(|p| p.as_os_str() == "iam");
    let files: Vec<PathBuf> = args
        .current
        .iter()
        .filter(|p| p.as_os_str() != "iam")
        .cloned()
        .collect();
    if iam {
        if let Some(file) = files.first() {
            return Err(SettingsError::CurrentIamWithFile(
                file.display().to_string(),
            ));
        }
        if let Identity::Arn(arn) = identity {
            return Err(SettingsError::CurrentIamNeedsRoleOrUser(arn.clone()));
        }
        return Ok(Current::Iam);
    }
    if files.is_empty() {
        if args.check {
            return Err(SettingsError::NeedsCurrent("--check"));
        }
        if args.format == FormatArg::DiffJson {
            return Err(SettingsError::NeedsCurrent("--format diff-json"));
        }
        return Ok(Current::None);
    }
    Ok(Current::Files(files))
}

/// What to write, where. `-o -` is stdout, as `--logs -` is stdin.
fn output(args: &GenerateArgs) -> Result<OutputOptions, SettingsError> {
    let path = args.output.clone().filter(|p| p.as_os_str() != "-");
    if args.split && args.format == FormatArg::Json && path.is_none() {
        return Err(SettingsError::SplitNeedsOutput);
    }
    Ok(OutputOptions {
        format: match args.format {
            FormatArg::Json => Format::Json,
            FormatArg::Terraform => Format::Terraform,
            FormatArg::Cloudformation => Format::Cloudformation,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::DiffJson => Format::DiffJson,
        },
        path,
        summary_json: args.summary_json.clone(),
        explain: args.explain,
        verbose: args.verbose,
        quiet: args.quiet,
        size_limit: match args.policy_type {
            PolicyTypeArg::Managed => SizeLimit::Managed,
            PolicyTypeArg::InlineUser => SizeLimit::InlineUser,
            PolicyTypeArg::InlineGroup => SizeLimit::InlineGroup,
            PolicyTypeArg::InlineRole => SizeLimit::InlineRole,
        },
        split: args.split,
        comment: args.comment.clone(),
        check: args.check,
        levels: levels::levels(args)?,
        color: match args.color {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        },
    })
}

/// Whether a file can be written: an existing file is opened for writing without truncating it; a new one
/// needs an existing directory.
/// `--logs` paths that do not exist are usage errors, found before any work.
pub fn logs_exist(inputs: &[LogInput]) -> Result<(), SettingsError> {
    for input in inputs {
        if let LogInput::Path(path) = input {
            if let Err(e) = std::fs::metadata(path) {
                return Err(SettingsError::NoSuchLogs {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// An output that cannot be written is a usage error, found before any work.
pub fn writable(path: &Path) -> Result<(), SettingsError> {
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
                .unwrap_or(Path::new("."));
            match std::fs::metadata(parent) {
                Ok(meta) if meta.is_dir() => Ok(()),
                Ok(_) => Err(fail(format!("`{}` is not a directory", parent.display()))),
                Err(e) => Err(fail(format!("`{}`: {e}", parent.display()))),
            }
        }
    }
}

pub mod config;
mod levels;
pub mod output;
#[cfg(test)]
mod tests;
