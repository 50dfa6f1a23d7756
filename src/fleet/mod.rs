//! `policygen fleet`: every principal of a trail in one pass. The records are split by principal
//! ([`PrincipalKey`]) into their own [`Collected`], each concluded by [`pipeline::conclude`] with the settings
//! of `policygen --role NAME --account ID`, so that each written policy is byte-identical to that command's.
//!
//! ```text
//! FleetArgs ─▶ FleetSettings { base: Settings (the single command's), out_dir, selection, current }
//! collect(scope without principal, FleetSink) ─▶ Gathered { principals: key → Collected<RunSink>,
//!                                                         decoded (files, keyless records), days, unparsed }
//! finish: per key, decoded + the input's file-level findings + its unparsed records ─▶ conclude ─▶ written
//!         ─▶ fleet.json, fleet.md
//! ```
//! Other sources (the usage index, an engine's query grouped by principal) feed [`finish`] a [`Gathered`] of
//! their own.

mod granted;
mod query;
mod report;
mod selection;
mod sso;

pub use crate::cli::{FleetArgs, KindArg};
pub use crate::usage::principals::{FleetSink, Unparsed};
pub use granted::Granted;
pub use report::{FleetReport, Row, FLEET_SCHEMA_VERSION};
pub use selection::Selection;

use crate::cli::Cli;
use crate::collector::sink::{DaysSink, Split};
use crate::collector::{self, AwsError, Collected, Decoded, Scope, SourceReport, Sources};
use crate::current::{read_current, CurrentError, CurrentPolicies};
use crate::ids::{AccountId, IdError};
use crate::output::{self, Exit, OutputError};
use crate::pipeline::{conclude, run_sink, Outcome, RunSink};
use crate::principal::{valid_name, PrincipalKey};
use crate::report::{Code, Severity};
use crate::settings::{Current, Settings, SettingsError};
use clap::Parser;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Id(#[from] IdError),
    #[error("`--current {0}` is neither `iam` nor a directory of policy files")]
    CurrentNotDir(String),
    #[error("`--current iam` reads each role's or user's policies: not with `--kind sso` (a permission set is no IAM principal)")]
    SsoWithCurrent,
    #[error("`fleet` reads local logs (`--logs`), a trail bucket (`--s3`), a usage index (`--index`), an Athena table (`--athena`) or a CloudTrail Lake event data store (`--lake`): give one")]
    NoSource,
    #[error("cannot write `{path}`: {reason}")]
    Write { path: String, reason: String },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Current(#[from] CurrentError),
    #[error(transparent)]
    Source(#[from] AwsError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

/// Where each principal's current policies come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetCurrent {
    None,
    Iam,
    /// `DIR/<account>/role/<name>.json`, as the output is laid out; a principal without a file is not
    /// reviewed.
    Dir(PathBuf),
}

#[derive(Debug, Clone)]
pub struct FleetSettings {
    /// The single command's settings, principal and output path set per principal.
    pub base: Settings,
    /// The single command's options (see [`FleetArgs::single_words`]).
    pub words: Vec<String>,
    pub out_dir: PathBuf,
    /// `--print-sql`: print the engine's query instead of running it.
    pub print_sql: bool,
    pub selection: Selection,
    pub current: FleetCurrent,
    pub quiet: bool,
}

impl FleetSettings {
    pub fn from_args(
        args: &FleetArgs,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<FleetSettings, FleetError> {
        let sources = [&args.s3, &args.athena, &args.lake];
        if args.logs.is_empty() && args.index.is_none() && sources.iter().all(|s| s.is_none()) {
            return Err(FleetError::NoSource);
        }
        let accounts: BTreeSet<AccountId> = args
            .accounts
            .iter()
            .map(|a| a.parse())
            .collect::<Result<_, _>>()?;
        let current = match &args.current {
            None => FleetCurrent::None,
            Some(path) if path.as_os_str() == "iam" => FleetCurrent::Iam,
            Some(path) if path.is_dir() => FleetCurrent::Dir(path.clone()),
            Some(path) => return Err(FleetError::CurrentNotDir(path.display().to_string())),
        };
        if args.kind == KindArg::Sso && current != FleetCurrent::None {
            return Err(FleetError::SsoWithCurrent);
        }
        if args.print_sql && args.athena.is_none() && args.lake.is_none() {
            return Err(FleetError::Usage(
                "`--print-sql` prints the query of `--athena` or `--lake`: give one".into(),
            ));
        }
        let out_dir = args.out_dir.clone().unwrap_or_default();
        if !args.print_sql {
            std::fs::create_dir_all(&out_dir).map_err(|e| FleetError::Write {
                path: out_dir.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let words = args.single_words();
        // The single command validates the shared options; the principal and `-o` are set per principal.
        let mut argv: Vec<String> = ["policygen", "--role", "fleet", "-o"]
            .into_iter()
            .map(String::from)
            .collect();
        argv.push(out_dir.join("fleet.json").display().to_string());
        for account in &args.accounts {
            argv.extend(["--account".to_string(), account.clone()]);
        }
        if current == FleetCurrent::Iam {
            argv.extend(["--current".to_string(), "iam".to_string()]);
        }
        argv.extend(words.iter().cloned());
        let cli = Cli::try_parse_from(&argv).map_err(|e| FleetError::Usage(e.to_string()))?;
        let mut base = Settings::from_args(&cli.generate, now)?;
        base.output.quiet = true;
        Ok(FleetSettings {
            base,
            words,
            out_dir,
            print_sql: args.print_sql,
            selection: Selection {
                accounts,
                kind: args.kind,
                name: args.name.clone(),
            },
            current,
            quiet: args.quiet,
        })
    }

    /// The collection's scope: every principal, in the window.
    pub fn scope(&self) -> Scope {
        Scope {
            principal: None,
            ..self.base.scope.clone()
        }
    }

    /// `<account>/role/<name>.json`, relative to the output directory.
    pub fn relative_path(key: &PrincipalKey) -> PathBuf {
        PathBuf::from(key.account.as_str())
            .join(key.kind.as_str())
            .join(format!("{}.json", key.name))
    }

    /// What `policygen --role NAME --account ID …` is given for `key`.
    pub fn settings_for(&self, key: &PrincipalKey, current: Option<&Path>) -> Settings {
        let mut settings = self.base.clone();
        settings.scope.principal = Some(key.filter());
        settings.output.path = Some(self.out_dir.join(Self::relative_path(key)));
        settings.current = match (&self.current, current) {
            (FleetCurrent::Iam, _) => Current::Iam,
            (_, Some(path)) => Current::Files(vec![path.to_path_buf()]),
            _ => Current::None,
        };
        settings
    }

    /// The single command that writes the same file, for fleet.json.
    pub fn command_for(&self, key: &PrincipalKey, current: Option<&Path>) -> String {
        let mut words = vec![
            "policygen".to_string(),
            format!("--{}", key.kind.as_str()),
            key.name.clone(),
            "--account".to_string(),
            key.account.to_string(),
        ];
        words.extend(self.words.iter().cloned());
        match (&self.current, current) {
            (FleetCurrent::Iam, _) => words.extend(["--current".into(), "iam".into()]),
            (_, Some(path)) => words.extend(["--current".into(), path.display().to_string()]),
            _ => {}
        }
        words.push("-o".to_string());
        words.push(
            self.out_dir
                .join(Self::relative_path(key))
                .display()
                .to_string(),
        );
        words
            .iter()
            .map(|w| shell_quoted(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What one pass gathered, per principal, and what belongs to the input as a whole.
#[derive(Default)]
pub struct Gathered {
    pub principals: BTreeMap<PrincipalKey, Collected<RunSink>>,
    /// Findings about the files (damaged, skipped, unreadable) and about records of no principal key
    /// (services, root), which no single run of a role or user would report.
    pub decoded: Decoded,
    /// Every day any record was read on (for reviews).
    pub days: BTreeSet<String>,
    pub unparsed: Vec<Unparsed>,
    /// Unparsed records past the budget: they count against every principal.
    pub unattributed: Decoded,
    /// An engine's rows that name no role or user, by why: how many events (in no policy).
    pub unattributed_rows: BTreeMap<String, u64>,
}

impl Gathered {
    /// From a split fed by any source, with the run's own [`Decoded`].
    pub fn from_split(split: Split<PrincipalKey, RunSink>, decoded: Decoded) -> Gathered {
        Gathered {
            principals: split.parts,
            decoded,
            ..Gathered::default()
        }
    }

    fn from_sink(collected: Collected<FleetSink>) -> Gathered {
        let Collected { decoded, sink } = collected;
        Gathered {
            principals: sink.split.parts,
            decoded,
            days: sink.days.days,
            unparsed: sink.unparsed,
            unattributed: sink.unattributed,
            unattributed_rows: BTreeMap::new(),
        }
    }

    /// The findings every single run reports whoever it is about: the input's files and sources. The
    /// decoder's per-record findings of records without a key are left out (no single run of a role or user
    /// matches those records).
    fn shared(&self) -> Decoded {
        let global = &self.decoded;
        let mut shared = Decoded {
            stopped: global.stopped,
            ..Decoded::default()
        };
        let s = &global.stats;
        shared.stats.files_read = s.files_read;
        shared.stats.files_skipped = s.files_skipped;
        shared.stats.files_failed = s.files_failed;
        shared.stats.files_outside_window = s.files_outside_window;
        shared.stats.bytes_read = s.bytes_read;
        shared.stats.records_read = s.records_read;
        let file_level = global.diagnostics.iter().filter(|d| !record_level(d.code));
        shared.diagnostics.add_copies(file_level);
        shared
            .diagnostics
            .merge(self.unattributed.diagnostics.clone());
        shared
    }

    /// Whether a principal is in the output: it made a call in the window, or one of its records could not
    /// be placed in it (a single run of it would be incomplete).
    fn present(part: &Collected<RunSink>) -> bool {
        part.decoded.stats.records_matched > 0
            || part.decoded.diagnostics.worst() == Some(Severity::Incomplete)
    }
}

/// The decoder's findings about one record (as opposed to a file): they belong to the record's principal.
fn record_level(code: Code) -> bool {
    matches!(
        code,
        Code::MalformedRecord
            | Code::UnplaceableRecord
            | Code::NonApiEvent
            | Code::DuplicateEvent
            | Code::UnknownEventVersion
    )
}

/// The command: collect, finish, print; returns the exit code. `terminal`: stderr is one (progress is drawn
/// there unless `--quiet`).
pub async fn run(args: &FleetArgs, terminal: bool) -> u8 {
    let mut settings = match FleetSettings::from_args(args, chrono::Utc::now()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}\n\nRun `policygen fleet --help` for the options.");
            return Exit::Error.code();
        }
    };
    if settings.print_sql {
        return match query::sql(&settings) {
            Some(sql) => crate::commands::print(&sql, Exit::Complete),
            None => Exit::Error.code(),
        };
    }
    let progress = terminal && !settings.quiet;
    settings.base.source.show_progress(progress);
    let sources = match Sources::connect(&settings.base.aws, settings.base.needs_aws()).await {
        Ok(sources) => sources,
        Err(e) => return crate::commands::fail(&e),
    };
    match fleet(&settings, &sources).await {
        Ok(report) => report.finish(settings.quiet),
        Err(e) => crate::commands::fail(&e),
    }
}

/// Reads the input once and writes every selected principal's policy, fleet.json and fleet.md.
pub async fn fleet(settings: &FleetSettings, sources: &Sources) -> Result<FleetReport, FleetError> {
    if let Some(query) = &settings.base.index {
        return from_index(settings, sources, query).await;
    }
    if settings.base.source.engine().is_some() {
        return query::from_query(settings, sources).await;
    }
    let sink = FleetSink::new(
        run_sink(&settings.base),
        settings.current != FleetCurrent::None,
    );
    let (collected, source) =
        collector::collect(&settings.scope(), &settings.base.source, sources, sink).await?;
    let gathered = Gathered::from_sink(collected);
    let currents = read_currents(settings, sources, &gathered).await?;
    finish(settings, gathered, currents, &source)
}

/// The same from a usage index: each principal's records in the window as the index answers them, and the
/// input's own findings; concluded as a fleet over the logs the index read.
async fn from_index(
    settings: &FleetSettings,
    sources: &Sources,
    query: &crate::index::IndexQuery,
) -> Result<FleetReport, FleetError> {
    let answer = crate::index::query::answer(
        &settings.scope(),
        settings.base.include_denied,
        &run_sink(&settings.base),
        query,
        sources,
    )
    .await?;
    let principals = answer
        .parts
        .into_iter()
        .map(|(key, part)| {
            let sink = (part.sink, DaysSink::default());
            (
                key,
                Collected {
                    decoded: part.decoded,
                    sink,
                },
            )
        })
        .collect();
    let gathered = Gathered {
        principals,
        decoded: answer.run.decoded,
        days: answer.run.sink.1.days,
        unparsed: answer.unparsed,
        unattributed: answer.unattributed,
        unattributed_rows: BTreeMap::new(),
    };
    // Concluded as the single runs over the index conclude: with the index's source.
    let mut settings = settings.clone();
    settings.base.source = answer.source;
    let currents = read_currents(&settings, sources, &gathered).await?;
    finish(&settings, gathered, currents, &answer.report)
}

/// Each selected principal's current policies (or why they could not be read).
pub type Currents = BTreeMap<PrincipalKey, Result<(CurrentPolicies, Option<PathBuf>), String>>;

async fn read_currents(
    settings: &FleetSettings,
    sources: &Sources,
    gathered: &Gathered,
) -> Result<Currents, FleetError> {
    let mut out = Currents::new();
    let keys = gathered
        .principals
        .iter()
        .filter(|(key, part)| settings.selection.wants(key) && Gathered::present(part))
        .map(|(key, _)| key);
    match &settings.current {
        FleetCurrent::None => {}
        FleetCurrent::Dir(dir) => {
            for key in keys {
                let path = dir.join(FleetSettings::relative_path(key));
                if path.is_file() {
                    let current = read_current(&path, &key.name)?;
                    out.insert(key.clone(), Ok((current, Some(path))));
                }
            }
        }
        FleetCurrent::Iam => {
            let Some(config) = &sources.aws else {
                return Err(FleetError::Usage(
                    "`--current iam` needs the AWS configuration".into(),
                ));
            };
            let client = collector::iam::client(config);
            for key in keys {
                let read = collector::iam::read_current(&client, &key.filter()).await;
                out.insert(
                    key.clone(),
                    read.map(|c| (c, None)).map_err(|e| e.to_string()),
                );
            }
        }
    }
    Ok(out)
}

/// Concludes and writes every selected principal of `gathered` (or, with `--kind sso`, every permission
/// set), then fleet.json and fleet.md. The entry point for any source that fills a [`Gathered`].
pub fn finish(
    settings: &FleetSettings,
    gathered: Gathered,
    mut currents: Currents,
    source: &SourceReport,
) -> Result<FleetReport, FleetError> {
    let shared = gathered.shared();
    let Gathered {
        principals,
        days,
        unparsed,
        unattributed_rows,
        ..
    } = gathered;
    // An engine's rows count per principal (as in its single run), the input's other records once.
    let records_read = principals.values().map(|p| p.decoded.stats.records_read);
    let records_read = shared.stats.records_read
        + records_read.sum::<u64>()
        + unattributed_rows.values().sum::<u64>();
    let mut outside_window = 0;
    let mut invalid_names = Vec::new();
    let mut selected = Vec::new();
    for (key, part) in principals {
        if !settings.selection.wants(&key) {
            continue;
        }
        // A name IAM cannot have (a `/`, a space) comes from a damaged or forged record: no single command
        // takes it, and it must not become a path.
        if !valid_name(&key.name) {
            invalid_names.push(key.to_string());
        } else if Gathered::present(&part) {
            selected.push((key, part));
        } else {
            outside_window += 1;
        }
    }
    // The unparsed records no written principal's single run would report: one of them may be of a
    // principal the fleet does not know.
    let orphans = unparsed
        .iter()
        .filter(|u| !selected.iter().any(|(key, _)| u.concerns(&key.name)))
        .count() as u64;
    let with_shared = |part: Collected<RunSink>, names: &[&str], review: bool| {
        let Collected {
            mut decoded,
            sink: (mapping, _),
        } = part;
        decoded.merge(shared.clone());
        for u in unparsed
            .iter()
            .filter(|u| names.iter().any(|n| u.concerns(n)))
        {
            decoded.merge(u.decoded.clone());
        }
        let days = DaysSink {
            enabled: review,
            days: if review {
                days.clone()
            } else {
                BTreeSet::new()
            },
        };
        Collected {
            decoded,
            sink: (mapping, days),
        }
    };
    let (rows, sso) = if settings.selection.kind == KindArg::Sso {
        let sets = sso::group(selected);
        let written: Vec<Result<(Row, sso::SetRow), FleetError>> = sets
            .into_par_iter()
            .map(|mut set| {
                let names: Vec<String> = set.roles.iter().map(|k| k.name.clone()).collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let part =
                    std::mem::replace(&mut set.collected, Collected::new(run_sink(&settings.base)));
                let collected = with_shared(part, &names, false);
                sso::write(settings, &set, collected, source)
            })
            .collect();
        let mut rows = Vec::new();
        let mut sets = Vec::new();
        for item in written {
            let (row, set) = item?;
            rows.push(row);
            sets.push(set);
        }
        (rows, sets)
    } else {
        let work: Vec<_> = selected
            .into_iter()
            .map(|(key, part)| {
                let current = currents.remove(&key);
                (key, part, current)
            })
            .collect();
        let rows: Vec<Result<Row, FleetError>> = work
            .into_par_iter()
            .map(|(key, part, current)| {
                let (current, path, error) = match current {
                    Some(Ok((current, path))) => (Some(current), path, None),
                    Some(Err(e)) => (None, None, Some(e)),
                    None => (None, None, None),
                };
                let mut settings_for = settings.settings_for(&key, path.as_deref());
                if error.is_some() {
                    settings_for.current = Current::None;
                }
                let review = current.is_some();
                let collected = with_shared(part, &[key.name.as_str()], review);
                let outcome = conclude(&settings_for, current, collected, source.clone());
                write_policy(&outcome, &settings_for)?;
                let mut row = Row::of(&key, &outcome, settings.command_for(&key, path.as_deref()));
                row.current_error = error;
                Ok(row)
            })
            .collect();
        (rows.into_iter().collect::<Result<Vec<_>, _>>()?, Vec::new())
    };
    let mut report = FleetReport::new(settings, rows, sso, &shared, outside_window, orphans);
    report.input.invalid_names = invalid_names;
    report.input.records_read = records_read;
    report.input.unattributed_rows = unattributed_rows;
    report.write(&settings.out_dir)?;
    Ok(report)
}

/// Writes a principal's policy where `-o` would, creating its directory.
fn write_policy(outcome: &Outcome, settings: &Settings) -> Result<(), FleetError> {
    if let Some(dir) = settings.output.path.as_deref().and_then(Path::parent) {
        std::fs::create_dir_all(dir).map_err(|e| FleetError::Write {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    Ok(output::write(outcome, &settings.output)?)
}

/// A word as a POSIX shell reads it back: bare when it holds only safe characters, else single-quoted.
fn shell_quoted(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
