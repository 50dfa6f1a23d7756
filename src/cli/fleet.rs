//! `policygen fleet`'s command line. Every option it shares with the single-principal command is handed to
//! that command's own validation (see [`FleetArgs::single_words`]), so a principal's policy is built with
//! exactly the settings `policygen --role NAME --account ID …` would use.

use super::{AthenaLayoutArg, ConditionArg, PolicyTypeArg};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Which principals a fleet writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Roles (across all their sessions).
    Role,
    /// IAM users.
    User,
    /// Roles and users.
    All,
    /// IAM Identity Center roles (`AWSReservedSSO_<PermissionSet>_<hash>`), one policy per permission set.
    Sso,
}

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:\n  \
    policygen fleet --since 30d --logs ./trail --out-dir policies/\n  \
    policygen fleet --since 30d --s3 s3://org-trail --account 111122223333 --out-dir policies/\n  \
    policygen fleet --since 90d --index ./pg-index --kind role --out-dir policies/\n  \
    policygen fleet --since 90d --athena sec.cloudtrail --athena-output s3://results/ --out-dir out/\n  \
    policygen fleet --since 90d --lake EXAMPLE-f852-4e8f --name 'deploy-*' --out-dir policies/\n\n\
    With --athena or --lake the engine runs ONE query for the whole fleet, grouped by principal, with\n\
    the window, --account, --kind, --name and --regions pushed down: it scans what one single run's\n\
    query scans and returns each principal's distinct calls. fleet.json's `command` for each principal\n\
    is the single command that writes the same file.")]
pub struct FleetArgs {
    /// Where to write: `DIR/<account>/role/<name>.json`, `DIR/<account>/user/<name>.json` (or
    /// `DIR/sso/<PermissionSet>.json` with `--kind sso`), `DIR/fleet.json` and `DIR/fleet.md`.
    #[arg(long, value_name = "DIR", required_unless_present = "print_sql")]
    pub out_dir: Option<PathBuf>,
    /// Only the principals of this account (repeatable; with `--s3`, only its logs are listed; with
    /// `--athena` or `--lake`, the query selects only its principals).
    #[arg(long = "account", value_name = "ID", help_heading = "Principals")]
    pub accounts: Vec<String>,
    /// Which principals: `role`, `user`, `all` (both), or `sso` (Identity Center roles grouped by
    /// permission set).
    #[arg(long, value_enum, default_value_t = KindArg::All, help_heading = "Principals")]
    pub kind: KindArg,
    /// Only principals whose name matches this glob (`*`, `?`; `deploy-*`).
    #[arg(long, value_name = "GLOB", help_heading = "Principals")]
    pub name: Option<String>,

    /// The window up to now: `90m`, `12h`, `30d`, `2w`.
    #[arg(
        long,
        value_name = "DURATION",
        conflicts_with = "from",
        help_heading = "Window"
    )]
    pub since: Option<String>,
    /// Start of the window, included: a date or RFC 3339 time.
    #[arg(long, value_name = "TIME", help_heading = "Window")]
    pub from: Option<String>,
    /// End of the window, excluded (default: now).
    #[arg(long, value_name = "TIME", help_heading = "Window")]
    pub to: Option<String>,

    /// CloudTrail logs: files or directories (recursive), as for the main command. Repeatable.
    #[arg(
        long = "logs",
        value_name = "PATH",
        conflicts_with = "s3",
        help_heading = "Sources"
    )]
    pub logs: Vec<String>,
    /// The trail's S3 bucket (`s3://bucket[/prefix]`), as for the main command.
    #[arg(long, value_name = "S3_URL", help_heading = "Sources")]
    pub s3: Option<String>,
    /// A usage index built by `policygen index`, as for the main command: each policy is the one
    /// `policygen --role NAME --account ID --index DIR` writes.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["logs", "s3"], help_heading = "Sources")]
    pub index: Option<PathBuf>,
    /// Let Amazon Athena scan the trail (`database.table`, as for the main command): ONE query for the whole
    /// fleet, grouped by principal, with the window, `--account`, `--kind`, `--name` and `--regions` pushed
    /// down; each policy is the one `policygen --role NAME --account ID --athena TABLE` writes.
    #[arg(long, value_name = "DATABASE.TABLE", conflicts_with_all = ["logs", "s3", "index", "lake"], help_heading = "Sources")]
    pub athena: Option<String>,
    /// The Athena workgroup, as for the main command.
    #[arg(
        long,
        value_name = "NAME",
        requires = "athena",
        help_heading = "Sources"
    )]
    pub athena_workgroup: Option<String>,
    /// Where Athena writes the query results (`s3://…`), as for the main command.
    #[arg(
        long,
        value_name = "S3_URL",
        requires = "athena",
        help_heading = "Sources"
    )]
    pub athena_output: Option<String>,
    /// How the Athena table is partitioned: `projected` (the default: by region and day, as `athena-ddl`
    /// writes it) or `plain` (every query scans the whole table).
    #[arg(long, value_enum, requires = "athena", help_heading = "Sources")]
    pub athena_layout: Option<AthenaLayoutArg>,
    /// Let CloudTrail Lake scan (an event data store ID or ARN): the same one query as `--athena`; each
    /// policy is the one `policygen --role NAME --account ID --lake STORE` writes.
    #[arg(long, value_name = "EVENT_DATA_STORE", conflicts_with_all = ["logs", "s3", "index"], help_heading = "Sources")]
    pub lake: Option<String>,
    /// Regions to read with `--s3`, or to select in the query of `--athena` and `--lake`.
    #[arg(
        long,
        value_name = "REGION,...",
        value_delimiter = ',',
        help_heading = "Sources"
    )]
    pub regions: Vec<String>,
    /// S3 objects downloaded at once (`--s3`).
    #[arg(long, value_name = "N", help_heading = "Sources")]
    pub concurrency: Option<usize>,
    /// The AWS profile.
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// The AWS region for API calls.
    #[arg(long, value_name = "REGION", help_heading = "AWS")]
    pub region: Option<String>,

    /// Review each principal against its current policies: `iam` (read with the IAM API, for the
    /// principals of the credentials' account) or a directory of policy files named like the output
    /// (`DIR/<account>/role/<name>.json`). Adds granted vs used to fleet.json and fleet.md.
    #[arg(long, value_name = "DIR|iam", help_heading = "Review")]
    pub current: Option<PathBuf>,

    /// As for the main command.
    #[arg(long, help_heading = "Policy")]
    pub include_denied: bool,
    /// As for the main command.
    #[arg(long, value_name = "N", help_heading = "Policy")]
    pub max_resources: Option<usize>,
    /// As for the main command.
    #[arg(long, help_heading = "Policy")]
    pub exact: bool,
    /// As for the main command.
    #[arg(
        long = "condition",
        value_enum,
        value_name = "KIND",
        help_heading = "Policy"
    )]
    pub conditions: Vec<ConditionArg>,
    /// As for the main command.
    #[arg(long, value_enum, help_heading = "Policy")]
    pub policy_type: Option<PolicyTypeArg>,
    /// As for the main command.
    #[arg(long, help_heading = "Policy")]
    pub compact: bool,
    /// As for the main command: parts are written beside each principal's file.
    #[arg(long, help_heading = "Policy")]
    pub split: bool,
    /// Print the SQL of the fleet's one query (`--athena` or `--lake`) and exit: nothing runs, no
    /// credentials are needed, no `--out-dir` either.
    #[arg(long, help_heading = "Sources")]
    pub print_sql: bool,
    /// Print nothing on stderr but errors and the incomplete principals.
    #[arg(short, long)]
    pub quiet: bool,
}

impl FleetArgs {
    /// The options of the single-principal command that this fleet shares, as words: each principal's
    /// policy is what `policygen --role NAME --account ID <these words> -o FILE` writes.
    pub fn single_words(&self) -> Vec<String> {
        let mut words = Vec::new();
        let mut add = |flag: &str, value: Option<&str>| {
            words.push(format!("--{flag}"));
            if let Some(value) = value {
                words.push(value.to_string());
            }
        };
        for (flag, value) in [
            ("since", &self.since),
            ("from", &self.from),
            ("to", &self.to),
            ("s3", &self.s3),
            ("athena", &self.athena),
            ("athena-workgroup", &self.athena_workgroup),
            ("athena-output", &self.athena_output),
            ("lake", &self.lake),
            ("profile", &self.profile),
            ("region", &self.region),
        ] {
            if let Some(value) = value {
                add(flag, Some(value));
            }
        }
        for path in &self.logs {
            add("logs", Some(path));
        }
        if let Some(dir) = &self.index {
            add("index", Some(&dir.display().to_string()));
        }
        if !self.regions.is_empty() {
            add("regions", Some(&self.regions.join(",")));
        }
        if let Some(n) = self.concurrency {
            add("concurrency", Some(&n.to_string()));
        }
        if let Some(n) = self.max_resources {
            add("max-resources", Some(&n.to_string()));
        }
        for condition in &self.conditions {
            let value = condition
                .to_possible_value()
                .map(|v| v.get_name().to_string());
            add("condition", value.as_deref());
        }
        if let Some(layout) = self.athena_layout {
            let value = layout.to_possible_value().map(|v| v.get_name().to_string());
            add("athena-layout", value.as_deref());
        }
        if let Some(kind) = self.policy_type {
            let value = kind.to_possible_value().map(|v| v.get_name().to_string());
            add("policy-type", value.as_deref());
        }
        for (flag, on) in [
            ("include-denied", self.include_denied),
            ("exact", self.exact),
            ("compact", self.compact),
            ("split", self.split),
        ] {
            if on {
                add(flag, None);
            }
        }
        words
    }
}
