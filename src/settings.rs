//! Validated settings: every cross-flag rule is checked here, and nothing after this module sees clap types.

use crate::cli::{ConditionArg, FormatArg, GenerateArgs, PolicyTypeArg};
use crate::collector::{LogInput, Scope};
use crate::emitter::conditions::ConditionKind;
use crate::emitter::size::SizeLimit;
use crate::emitter::EmitOptions;
use crate::principal::{Identity, PrincipalError, PrincipalFilter};
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

#[derive(Debug, Clone)]
pub struct Settings {
    pub scope: Scope,
    pub logs: Vec<LogInput>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub summary_json: Option<PathBuf>,
    pub emit: EmitOptions,
    pub explain: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub deny_warnings: bool,
    /// `--current` files.
    pub current: Vec<PathBuf>,
    pub check: bool,
    pub size_limit: SizeLimit,
    pub split: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
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
    #[error("say which time window to read: `--since 30d` (also `90m`, `12h`, `2w`), or `--from 2026-10-01 [--to 2026-11-01]`")]
    NoWindow,
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(
        "say where the logs are: `--logs PATH` (a file, a directory, or `-` for stdin; repeatable)"
    )]
    NoSource,
    #[error("`--max-resources` must be at least 1")]
    BadMaxResources,
    #[error("`{0}` compares with the current policy: give it with `--current FILE`")]
    NeedsCurrent(&'static str),
    #[error("`--split` writes several JSON policies: give a file name with `-o FILE` (they become `FILE`, `FILE.2`, … before the extension)")]
    SplitNeedsOutput,
}

impl Settings {
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
        let window = match (&args.since, &args.from, &args.to) {
            (Some(since), None, None) => TimeWindow::since(since, now)?,
            (Some(since), None, Some(to)) => TimeWindow::since(since, parse_time(to)?)?,
            (None, Some(from), to) => {
                let to = to.as_deref().map(parse_time).transpose()?.unwrap_or(now);
                TimeWindow::new(parse_time(from)?, to)?
            }
            _ => return Err(SettingsError::NoWindow),
        };
        if args.logs.is_empty() {
            return Err(SettingsError::NoSource);
        }
        if args.max_resources == 0 {
            return Err(SettingsError::BadMaxResources);
        }
        if args.split && args.format == FormatArg::Json && args.output.is_none() {
            return Err(SettingsError::SplitNeedsOutput);
        }
        if args.current.is_empty() {
            if args.check {
                return Err(SettingsError::NeedsCurrent("--check"));
            }
            if args.format == FormatArg::DiffJson {
                return Err(SettingsError::NeedsCurrent("--format diff-json"));
            }
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
            logs: log_inputs(&args.logs),
            format: match args.format {
                FormatArg::Json => Format::Json,
                FormatArg::Terraform => Format::Terraform,
                FormatArg::Cloudformation => Format::Cloudformation,
                FormatArg::Markdown => Format::Markdown,
                FormatArg::DiffJson => Format::DiffJson,
            },
            output: args.output.clone(),
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
            },
            explain: args.explain,
            verbose: args.verbose,
            quiet: args.quiet,
            deny_warnings: args.deny_warnings,
            current: args.current.clone(),
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
    fn needs_principal_window_and_source() {
        assert_eq!(
            settings(&["--since", "30d", "--logs", "x"]).err(),
            Some(SettingsError::NoPrincipal)
        );
        assert_eq!(
            settings(&["--role", "r", "--logs", "x"]).err(),
            Some(SettingsError::NoWindow)
        );
        assert_eq!(
            settings(&["--role", "r", "--since", "1d"]).err(),
            Some(SettingsError::NoSource)
        );
        assert_eq!(
            settings(&["--role", "r", "--to", "2026-11-01", "--logs", "x"]).err(),
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
                "x",
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
            "x",
        ])
        .expect("valid");
        assert_eq!(
            s.scope.principal.and_then(|p| p.session).as_deref(),
            Some("s1")
        );
    }

    #[test]
    fn review_flags_need_current() {
        let base = ["--role", "r", "--since", "1d", "--logs", "x"];
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
}
