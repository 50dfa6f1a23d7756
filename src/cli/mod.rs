//! The command line. The help text is the manual: keep it teaching.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod fleet;
pub use fleet::{FleetArgs, KindArg};

#[derive(Debug, Parser)]
#[command(
    name = "policygen",
    version,
    long_version = crate::version::LONG,
    about = "Write the least-privilege IAM policy for what an AWS principal actually did, from CloudTrail.",
    long_about = "Write the least-privilege IAM policy for what an AWS principal actually did, from CloudTrail.\n\n\
        policygen reads the CloudTrail events of one principal (an IAM user, a role across all its sessions, \
        one session) inside a time window, maps every call to the IAM actions and resource ARNs it needed, \
        and prints the smallest policy that allows exactly that. Everything it could not read, map or bind to \
        a resource is reported as a coded diagnostic on stderr; a result built from incomplete input exits 1.",
    after_help = "EXAMPLES:\n  \
        policygen --role build-agent --since 30d                  (LookupEvents, configured region)\n  \
        policygen --role build-agent --since 30d --s3 s3://acme-trail --download ./trail\n  \
        policygen --role build-agent --since 30d --logs ./trail/\n  \
        policygen --user alice --from 2026-10-01 --to 2026-11-01T12:00:00Z --logs a.json.gz b.json -\n  \
        policygen --principal arn:aws:iam::123456789012:role/ci/deployer --session 'gh-*' --since 2w --logs ./trail\n  \
        policygen --role build-agent --since 30d --logs ./trail --current current.json --format markdown\n  \
        policygen --role build-agent --since 30d --logs ./trail --current current.json --check\n  \
        policygen --role build-agent --since 30d --s3 s3://acme-trail --current iam --format markdown\n  \
        policygen index --logs ./trail --index ./pg-index         (once, then again for new objects)\n  \
        policygen index --s3 s3://acme-trail --index ./pg-index   (the same from the trail bucket)\n  \
        policygen --role build-agent --since 30d --index ./pg-index\n  \
        policygen maps explain s3.amazonaws.com ListObjects\n  \
        policygen completions bash > ~/.local/share/bash-completion/completions/policygen\n\n\
        CONFIGURATION:\n  \
        ./policygen.toml (or --config FILE) sets the long options (role = \"build-agent\", since = \"30d\",\n  \
        max-resources = 40) and a [diagnostics] table of levels (wildcard-resource = \"deny\").\n  \
        The command line wins, option by option.\n\n\
        EXIT CODES (distinct for CI gates, as `terraform plan -detailed-exitcode`):\n  \
        0  complete; with --check, the current policy already grants exactly the proposal\n  \
        1  incomplete input: damaged or unreadable input, unmapped calls, no record of the principal,\n     \
        a record without a usable eventTime, a call the policy would not allow\n  \
        2  usage or fatal error\n  \
        3  drift (with --check): complete, and the current policy differs from the proposal\n  \
        4  denied: complete, but a diagnostic at level deny (--deny CODE, --deny-warnings)\n  \
        When several apply, 1 wins over 4, and 4 over 3.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub generate: GenerateArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every principal of a trail in one pass (or in one Athena or CloudTrail Lake query grouped by
    /// principal): a policy per role and user of each account
    /// (`DIR/<account>/role/<name>.json`, each the same as `policygen --role NAME --account ID` writes),
    /// `DIR/fleet.json` and `DIR/fleet.md`; with `--current`, granted vs used for each. Exit 0 when every
    /// policy written is complete, 1 when any is not (named on stderr), 2 on error.
    Fleet(Box<FleetArgs>),
    /// Print a CREATE TABLE for Athena over a trail bucket, partition-projected by region and day, for
    /// `--athena`. Run it once in the Athena console (or `aws athena start-query-execution`).
    AthenaDdl {
        /// The trail bucket and prefix: `s3://bucket[/prefix]` (the part before `AWSLogs/`).
        #[arg(long, value_name = "S3_URL")]
        s3: String,
        /// The account whose logs the table reads.
        #[arg(long, value_name = "ID")]
        account: String,
        /// For an organisation trail: the organisation ID (`o-…`), which comes before the account in keys.
        #[arg(long, value_name = "O-ID")]
        organization: Option<String>,
        /// The regions the trail logs (partition values).
        #[arg(
            long,
            value_name = "REGION,...",
            value_delimiter = ',',
            required = true
        )]
        regions: Vec<String>,
        /// The table to create.
        #[arg(
            long,
            value_name = "DATABASE.TABLE",
            default_value = "default.cloudtrail_logs"
        )]
        table: String,
        /// The first day of logs (`yyyy/MM/dd`).
        #[arg(long, value_name = "DAY", default_value = "2024/01/01")]
        since: String,
    },
    /// Inspect the service maps: how CloudTrail events map to IAM actions.
    #[command(subcommand)]
    Maps(MapsCommand),
    /// Print a shell completion script: `policygen completions bash > /etc/bash_completion.d/policygen`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `policygen man > ~/.local/share/man/man1/policygen.1`.
    Man,
    /// Build or update a usage index: read the logs (local files, or a trail bucket) once, answer runs
    /// from the index (`--index DIR`). Re-run to add new objects: only objects the index has not read are
    /// read. Safe to kill at any moment (the next run completes the work); a second update at the same
    /// time fails naming the first. A query on an index of a bucket needs AWS credentials only when it
    /// reads some objects again: the (at most two) days a sub-day window cuts. An object or a path it
    /// cannot read or list exits 1 and is reported by every query until an update reads it. On a
    /// terminal, progress is drawn on stderr.
    Index(IndexArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").args(["logs", "s3"]).required(true))]
pub struct IndexArgs {
    /// CloudTrail logs: files or directories (recursive), as for the main command.
    #[arg(long = "logs", value_name = "PATH")]
    pub logs: Vec<String>,
    /// A trail bucket, `s3://bucket[/prefix]`, as for the main command: every object of every account
    /// and region, whatever its day (one list call per 1,000 objects); objects are told by key, size and
    /// ETag.
    #[arg(long, value_name = "S3_URL")]
    pub s3: Option<String>,
    /// With `--s3`: only this account's logs (repeatable). Runs on the index then need `--account` among
    /// these.
    #[arg(long = "account", value_name = "ID", requires = "s3")]
    pub accounts: Vec<String>,
    /// The index directory (created when missing).
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,
    /// S3 objects downloaded at once (`--s3`).
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub concurrency: usize,
    /// The AWS profile (`--s3`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The AWS region for API calls: the bucket's (`--s3`).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Also write the update's report as JSON to FILE, for CI: objects read, already there and read again,
    /// segments and spans written, the objects and paths that could not be read, and whether it is complete
    /// (docs/scale.md).
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Print nothing but errors: no report line on stdout, no progress (for cron; the exit code and
    /// `--summary-json` still tell what was read).
    #[arg(short, long)]
    pub quiet: bool,
    /// Objects committed together (tests kill an update between commits).
    #[arg(long, value_name = "N", default_value_t = crate::index::ingest::BATCH, hide = true)]
    pub batch: usize,
}

#[derive(Debug, Subcommand)]
pub enum MapsCommand {
    /// Show what one event maps to, and from which map entry.
    Explain {
        /// The eventSource, e.g. `s3.amazonaws.com`.
        event_source: String,
        /// The eventName, e.g. `ListObjects`.
        event_name: String,
    },
    /// The share of distinct eventSource/eventName pairs in some logs that the maps know.
    Coverage {
        /// Log files or directories, as for the main command.
        #[arg(long = "logs", value_name = "PATH", required = true)]
        logs: Vec<String>,
    },
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("who").args(["role", "user", "principal"]).multiple(false))]
pub struct GenerateArgs {
    /// The role, by name (matches that name in any path and account) or ARN (exact, path included).
    /// Every session of the role counts, including web-identity (GitHub OIDC), SAML and SSO sessions.
    #[arg(long, value_name = "NAME|ARN", help_heading = "Principal")]
    pub role: Option<String>,
    /// The IAM user, by name (any path) or ARN.
    #[arg(long, value_name = "NAME|ARN", help_heading = "Principal")]
    pub user: Option<String>,
    /// Any principal by ARN: a role, a user, an assumed-role session
    /// (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`), root or a federated user.
    #[arg(long, value_name = "ARN", help_heading = "Principal")]
    pub principal: Option<String>,
    /// Only the role's sessions whose name matches this glob (`*`, `?`): CI jobs, SSO users.
    #[arg(long, value_name = "GLOB", help_heading = "Principal")]
    pub session: Option<String>,
    /// Only this account's principal (repeatable).
    #[arg(long = "account", value_name = "ID", help_heading = "Principal")]
    pub accounts: Vec<String>,

    /// The window up to now: `90m`, `12h`, `30d`, `2w`.
    #[arg(
        long,
        value_name = "DURATION",
        conflicts_with = "from",
        help_heading = "Window (half-open [from, to), UTC)"
    )]
    pub since: Option<String>,
    /// Start of the window, included: a date (`2026-10-01`) or RFC 3339 time.
    #[arg(
        long,
        value_name = "TIME",
        help_heading = "Window (half-open [from, to), UTC)"
    )]
    pub from: Option<String>,
    /// End of the window, excluded (default: now).
    #[arg(
        long,
        value_name = "TIME",
        help_heading = "Window (half-open [from, to), UTC)"
    )]
    pub to: Option<String>,

    /// CloudTrail logs: files or directories (recursive), `.json` or `.json.gz`, as CloudTrail writes them
    /// to S3, bare arrays, JSON lines or single records; `-` reads stdin. Repeatable.
    #[arg(long = "logs", value_name = "PATH", conflicts_with_all = ["s3", "lookup", "athena", "lake"], help_heading = "Sources")]
    pub logs: Vec<String>,
    /// A usage index built by `policygen index`: the answer is the one its logs (`--logs` or `--s3`) give,
    /// without reading them (the days a sub-day window cuts are read again from the logs the index read:
    /// for an index of a bucket, from the bucket, with the AWS options here). `--role NAME` or `--user
    /// NAME`, with `--account`; see docs/scale.md.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["logs", "s3", "lookup", "athena", "lake"], help_heading = "Sources")]
    pub index: Option<PathBuf>,
    /// The trail's S3 bucket, optionally with the prefix the trail writes under: `s3://bucket[/prefix]`.
    /// Understands `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`, organisation trails
    /// (`AWSLogs/<o-id>/<account>/...`) and a custom prefix before `AWSLogs`. Accounts and regions are
    /// discovered (narrow them with `--account` and `--regions`); only the days the window touches are listed
    /// (plus one day for delivery delay). Reads data events too (S3 object reads, Lambda invokes).
    #[arg(
        long,
        value_name = "S3_URL",
        conflicts_with_all = ["lookup", "athena", "lake"],
        help_heading = "Sources"
    )]
    pub s3: Option<String>,
    /// Let Amazon Athena scan the trail: an Athena table over the trail bucket in the documented CloudTrail
    /// schema (`database.table`; `policygen athena-ddl` writes one). policygen pushes the principal, the
    /// window and a GROUP BY down and receives only the distinct calls: kilobytes, even for an organisation
    /// trail. Costs what Athena charges for the bytes scanned (see docs/scale.md).
    #[arg(long, value_name = "DATABASE.TABLE", conflicts_with_all = ["lookup", "lake"], help_heading = "Sources")]
    pub athena: Option<String>,
    /// The Athena workgroup (default: the account's `primary`).
    #[arg(
        long,
        value_name = "NAME",
        requires = "athena",
        help_heading = "Sources"
    )]
    pub athena_workgroup: Option<String>,
    /// Where Athena writes the query results (`s3://…`), when the workgroup does not set it.
    #[arg(
        long,
        value_name = "S3_URL",
        requires = "athena",
        help_heading = "Sources"
    )]
    pub athena_output: Option<String>,
    /// How the Athena table is partitioned: `projected` (by region and day, as `athena-ddl` writes it: only
    /// the window's days are scanned) or `plain` (no partitions: every query scans the whole table).
    #[arg(long, value_enum, default_value_t = AthenaLayoutArg::Projected, requires = "athena", help_heading = "Sources")]
    pub athena_layout: AthenaLayoutArg,
    /// Let CloudTrail Lake scan: an event data store ID or ARN. The same pushdown as `--athena`.
    #[arg(
        long,
        value_name = "EVENT_DATA_STORE",
        conflicts_with = "lookup",
        help_heading = "Sources"
    )]
    pub lake: Option<String>,
    /// Print the SQL that `--athena` or `--lake` would run, and exit (no credentials needed).
    #[arg(long, help_heading = "Sources")]
    pub print_sql: bool,
    /// CloudTrail's LookupEvents API (the default when neither `--logs` nor `--s3` is given): management
    /// events only, the last 90 days, one region per call, paced to 2 calls/s per region. Data events (S3
    /// object reads, Lambda invokes, DynamoDB item calls) are NOT there: use `--s3` for them.
    #[arg(long, help_heading = "Sources")]
    pub lookup: bool,
    /// Regions to read: a list (`us-east-1,eu-west-1`) or `all`. With `--s3` the default is every region
    /// the trail holds; with LookupEvents it is the configured region, and `all` queries the built-in list
    /// of commercial regions in parallel, skipping those not enabled for the account.
    #[arg(
        long,
        value_name = "REGION,...|all",
        value_delimiter = ',',
        help_heading = "Sources"
    )]
    pub regions: Vec<String>,
    /// S3 objects downloaded at once (`--s3`).
    #[arg(long, value_name = "N", default_value_t = 16, help_heading = "Sources")]
    pub concurrency: usize,
    /// Also write every S3 object read into DIR, in the bucket's layout, so that a later run can use
    /// `--logs DIR`. Resumable: objects already there with the same size are not fetched again.
    #[arg(long, value_name = "DIR", requires = "s3", help_heading = "Sources")]
    pub download: Option<PathBuf>,
    /// The AWS profile (from `~/.aws/config`; SSO profiles work after `aws sso login`). Default: the
    /// standard chain (`AWS_PROFILE`, environment keys, SSO, instance and container roles).
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// The AWS region for API calls (default: the profile's, or `AWS_REGION`). With `--s3` it must be the
    /// bucket's region.
    #[arg(long, value_name = "REGION", help_heading = "AWS")]
    pub region: Option<String>,

    /// Output format. `markdown` and `diff-json` are for review: with `--current` they show what changes.
    #[arg(long, value_enum, default_value_t = FormatArg::Json, help_heading = "Output")]
    pub format: FormatArg,
    /// Write the policy to this file instead of stdout.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Print the evidence for every action to stderr: events, first and last seen, a sample eventID, the
    /// map entry used.
    #[arg(long, help_heading = "Output")]
    pub explain: bool,
    /// Write the run summary, diagnostics and evidence as JSON to this file (for machines).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub summary_json: Option<PathBuf>,
    /// Show every diagnostic, notes included.
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,
    /// Print nothing on stderr but errors.
    #[arg(short, long, conflicts_with = "verbose", help_heading = "Output")]
    pub quiet: bool,
    /// Also write the markdown review as a pull-request comment: fitted to GitHub's 65,536-character limit
    /// by folding the bulkiest sections, with a pointer to the whole review (`--format markdown -o FILE`).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub comment: Option<PathBuf>,
    /// Colour the summary on stderr: `auto` (a terminal, unless `NO_COLOR` is set), `always`, `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto, help_heading = "Output")]
    pub color: ColorArg,
    /// Read defaults from this file instead of `./policygen.toml` (keys are the long options; see above).
    #[arg(long, value_name = "FILE", help_heading = "Configuration")]
    pub config: Option<PathBuf>,

    /// Grant failed calls too (by default a call with an `errorCode` grants nothing and is listed).
    #[arg(long, help_heading = "Policy")]
    pub include_denied: bool,
    /// More resources than this for one action in one container (a bucket, a resource type such as
    /// `log-group`) make whole name components `*`, the most variable first, each step reported as
    /// `resource-generalised` with the names it merged.
    #[arg(long, value_name = "N", default_value_t = 20, help_heading = "Policy")]
    pub max_resources: usize,
    /// Keep every observed resource name. By default per-run identifiers (dates, timestamps, UUIDs, EC2
    /// IDs, hex IDs and commit SHAs, build and run numbers, parts of the session name) become `*` so that
    /// the next run is allowed too, each reported as `wildcard-segment`; stable names (buckets, prefixes,
    /// log groups, tables, stacks, environments) always stay exact.
    #[arg(long, help_heading = "Policy")]
    pub exact: bool,

    /// The principal's current policy, to diff against (repeatable, one file per policy): a policy document,
    /// or the JSON output of `aws iam get-role-policy`, `get-policy-version` or
    /// `get-account-authorization-details` (the principal's inline and attached policies are picked from it).
    /// `--current iam` reads them from the IAM API instead: the role's or user's inline policies, the default
    /// version of its attached managed policies and, for a user, its groups' policies (read-only calls; see
    /// docs/permissions.md). It stands alone: not with `--current FILE` (a file named `iam` is `./iam`).
    /// Unused grants are proposed for removal only when the run is complete; explicit `Deny` statements,
    /// statements with conditions and grants CloudTrail does not log are carried over unchanged.
    #[arg(long = "current", value_name = "FILE|iam", help_heading = "Review")]
    pub current: Vec<PathBuf>,
    /// A CI gate: exit 0 when the current policy already grants exactly the proposal, 3 when it differs (1
    /// when the input is incomplete, 4 for a denied diagnostic, 2 on error). Needs `--current`.
    #[arg(long, help_heading = "Review")]
    pub check: bool,

    /// Add conditions from what CloudTrail showed (repeatable; none by default). `region`:
    /// `aws:RequestedRegion` with the regions each action was used in (global services such as IAM, STS,
    /// CloudFront, Route 53 and Organizations are never restricted). `instance-type`: `ec2:InstanceType` on the
    /// instances `ec2:RunInstances` launches. `service`: `iam:PassedToService` on `iam:PassRole` and
    /// `kms:ViaService` on KMS calls a service made for the principal. `tags`: `aws:RequestTag/KEY` on the
    /// resources a call creates, with the tags the requests set (a tag whose value changes per run, such as a
    /// run number or a date, is left out). A condition is added only when every observed call of the action
    /// carries the fact.
    #[arg(
        long = "condition",
        value_enum,
        value_name = "KIND",
        help_heading = "Policy"
    )]
    pub conditions: Vec<ConditionArg>,
    /// Which IAM size limit to check: `managed` (6,144 characters each, whitespace excluded; `--split` makes
    /// several, up to 10 attached per identity by default), or an identity's inline policies, limited in
    /// total however many there are: `inline-user` 2,048, `inline-group` 5,120, `inline-role` 10,240
    /// (`inline`). Over a managed limit is `policy-size-exceeded`; over an inline total is
    /// `inline-total-exceeded`, denied by default (exit 4), since IAM would reject it. The inline total
    /// counts the identity's other inline policies too: leave room for them.
    #[arg(long, value_enum, default_value_t = PolicyTypeArg::Managed, help_heading = "Policy")]
    pub policy_type: PolicyTypeArg,
    /// Write action lists shorter: actions of one service become a wildcard (`s3:GetObject*`) only where the
    /// wildcard matches exactly the actions used, checked against the IAM catalogue, so nothing more is
    /// granted today. A wildcard also matches actions AWS adds later: leave this off where that matters.
    #[arg(long, help_heading = "Policy")]
    pub compact: bool,
    /// Split a policy over the size limit into several that each fit, statements kept whole. With `-o
    /// policy.json` they are written to `policy.json`, `policy.2.json`, `policy.3.json`, …; Terraform,
    /// CloudFormation and markdown write all parts to one output.
    #[arg(long, help_heading = "Policy")]
    pub split: bool,

    /// Deny every warning (wildcards, denied calls, generalised resources) whose level is not set otherwise:
    /// any of them fails the run (exit 4).
    #[arg(long, help_heading = "Checks")]
    pub deny_warnings: bool,
    /// Hide a diagnostic code from the summary and the review (it stays in `--summary-json`); repeatable.
    /// Codes: docs/diagnostics.md. Codes that make the policy incomplete cannot be allowed.
    #[arg(long = "allow", value_name = "CODE", help_heading = "Checks")]
    pub allow: Vec<String>,
    /// Show a diagnostic code (notes are shown only with `-v` otherwise); repeatable.
    #[arg(long = "warn", value_name = "CODE", help_heading = "Checks")]
    pub warn: Vec<String>,
    /// Fail the run (exit 4) when a diagnostic code is reported; repeatable. `--deny wildcard-resource`
    /// keeps any `*` on an action that supports resource-level permissions out of CI.
    #[arg(long = "deny", value_name = "CODE", help_heading = "Checks")]
    pub deny: Vec<String>,
    /// Stop at the first input problem instead of reading the rest.
    #[arg(long, help_heading = "Checks")]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConditionArg {
    Region,
    InstanceType,
    Service,
    Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyTypeArg {
    Managed,
    InlineUser,
    InlineGroup,
    #[value(alias = "inline")]
    InlineRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AthenaLayoutArg {
    Projected,
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// The IAM policy document.
    Json,
    /// An `aws_iam_policy_document` data source (HCL).
    Terraform,
    /// A CloudFormation `PolicyDocument` snippet (YAML).
    Cloudformation,
    /// A pull-request comment: summary, removals, additions with evidence, coverage, the diff.
    Markdown,
    /// The semantic diff against `--current`, for machines.
    DiffJson,
}
