//! One run, start to end: the library's one entry point, [`generate`]. The binary and every test call it.
//!
//! ```text
//! Settings ─▶ collect (Scope, Source) ─▶ Partial (usage, stats, diagnostics)
//!          ─▶ resolve (what the principal's records reveal) ─▶ emit (UsageSet, EmitOptions)
//!          ─▶ PolicyDocument ─▶ verify
//!          ─▶ review (current policies) ─▶ Review ─▶ fit (size limit, --split) ─▶ parts ─▶ verify
//!          ─▶ Outcome (immutable: what is written, and everything the summary says)
//! ```

use crate::collector::iam::IamError;
use crate::collector::sink::DaysSink;
use crate::collector::{self, AwsError, Collected, Decoded, SourceReport, Sources};
use crate::current::{read_current, CurrentError, CurrentPolicies};
use crate::emitter::{emit_report, size::fit, Generalised};
use crate::mapper::catalogue::Registry;
use crate::policy::PolicyDocument;
use crate::principal::PrincipalFilter;
use crate::report::{incomplete_reasons, Code, Diagnostics, Severity, Stats};
use crate::review::{review, Coverage, Review};
use crate::settings::{Current, Settings};
use crate::usage::{MappingSink, UsageSet};
use crate::verify;
use crate::window::TimeWindow;
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// Why a run could not produce an answer at all (exit 2). Gaps in the input are not errors: they are
/// diagnostics of an incomplete [`Outcome`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Source(#[from] AwsError),
    #[error(transparent)]
    Current(#[from] CurrentError),
    #[error(transparent)]
    Iam(#[from] IamError),
    #[error("`--current iam` needs the AWS configuration")]
    IamWithoutAws,
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

/// Everything one run produced: immutable once built.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The principal and the window, as the summary names them.
    pub principal: String,
    pub window: String,
    /// The same, as given: `--summary-json` writes their parts.
    pub principal_filter: Option<PrincipalFilter>,
    pub time_window: TimeWindow,
    /// The principal's name as IAM knows it (names the Terraform data source).
    pub principal_name: String,
    pub usage: UsageSet,
    /// The policy emitted from the usage.
    pub policy: PolicyDocument,
    /// The policy's resources that stand for more than they name (per-run identifiers, crowds).
    pub generalised: Vec<Generalised>,
    /// The review against the current policies, when there are any.
    pub review: Option<Review>,
    /// What is written: the proposal (the review's, when there is one) in parts that fit the size limit.
    pub parts: Vec<PolicyDocument>,
    /// Every stage's diagnostics, merged once.
    pub diagnostics: Diagnostics,
    pub stats: Stats,
    /// The principals (role, user or caller ARN) whose records matched, with their record counts.
    pub principals: BTreeMap<String, u64>,
    /// Stopped early by `--strict`.
    pub stopped: bool,
    pub source: SourceReport,
}

impl Outcome {
    /// Whether the policy may miss something the principal did (unread input, unmapped calls, no record).
    pub fn incomplete(&self) -> bool {
        self.stopped || self.diagnostics.worst() == Some(Severity::Incomplete)
    }

    /// Whether the current policies differ from the proposal (`--check`).
    pub fn differs(&self) -> bool {
        self.review.as_ref().is_some_and(|r| !r.diff.equal)
    }

    /// The diagnostics that make the run incomplete, one line each.
    pub fn incomplete_reasons(&self) -> Vec<String> {
        incomplete_reasons(&self.diagnostics, self.stopped)
    }
}

/// Runs `settings` against `sources`: collect, emit, check, review, fit.
pub async fn generate(settings: &Settings, sources: &Sources) -> Result<Outcome, Error> {
    // The current policies first: a missing permission or a typo fails in a second, not after the logs.
    let current = read_currents(settings, sources).await?;
    if let Some(query) = &settings.index {
        // The answer the index's source gives: concluded as a run over it.
        let (collected, source, report) = crate::index::query::collect(
            &settings.scope,
            settings.include_denied,
            &run_sink(settings),
            query,
            sources,
        )
        .await?;
        let settings = Settings {
            source,
            ..settings.clone()
        };
        return Ok(conclude(&settings, current, collected, report));
    }
    let sink = run_sink(settings);
    let (collected, source) =
        collector::collect(&settings.scope, &settings.source, sources, sink).await?;
    Ok(conclude(settings, current, collected, source))
}

pub use crate::usage::RunSink;

pub fn run_sink(settings: &Settings) -> RunSink {
    let days = DaysSink {
        enabled: settings.current != Current::None,
        ..DaysSink::default()
    };
    (MappingSink::new(settings.include_denied), days)
}

/// Everything after collection: emit, check, review against `current`, fit. (Pure: tests feed it what a
/// source would have collected.)
pub fn conclude(
    settings: &Settings,
    current: Option<CurrentPolicies>,
    collected: Collected<RunSink>,
    source: SourceReport,
) -> Outcome {
    let Collected {
        decoded:
            Decoded {
                mut stats,
                mut diagnostics,
                matched_principals,
                other_principals,
                stopped,
            },
        sink: (mapping, DaysSink { days, .. }),
    } = collected;
    // Each stage's diagnostics, merged once: decoding's, then mapping's, then the rest in order.
    stats.merge(&mapping.stats);
    diagnostics.merge(mapping.diagnostics);
    let mut usage = mapping.usage;
    // Calls that named their resource partially, settled by what the principal's other records named.
    usage.resolve(&mut diagnostics);
    let (policy, generalised) = emit_report(&usage, &settings.emit, &mut diagnostics);
    verify::check(&usage, &policy, &mut diagnostics);
    report_broken_maps(Registry::embedded(), &mut diagnostics);
    // An engine's rows name each session, not the role: several of them are one principal.
    let principals = if settings.source.reads_events() {
        matched_principals
    } else {
        BTreeMap::new()
    };
    if let Some(filter) = &settings.scope.principal {
        diagnose_principal(
            filter,
            &stats,
            &principals,
            &other_principals,
            &mut diagnostics,
        );
    }
    let complete = !stopped && diagnostics.worst() != Some(Severity::Incomplete);
    let review = current.map(|current| {
        let coverage = coverage(settings, &stats, &days, &diagnostics, stopped, complete);
        review(&current, &policy, &usage, coverage)
    });
    if let Some(r) = &review {
        for n in &r.diff.not_evaluated {
            let keys: Vec<&str> = n.condition_keys.iter().map(String::as_str).collect();
            diagnostics.add(
                Code::ConditionNotEvaluated,
                n.statement.clone(),
                format!("conditions on {}: carried over unchanged", keys.join(", ")),
                None,
            );
        }
        if let Some(why) = &r.diff.removals_withheld {
            diagnostics.add(Code::RemovalsWithheld, "review", why.clone(), None);
        }
    }
    let proposed = review.as_ref().map_or(&policy, |r| &r.proposed);
    let parts = fit(
        proposed,
        settings.output.size_limit,
        settings.output.split,
        &mut diagnostics,
    );
    verify::check_written(&usage, &policy, &parts, &mut diagnostics);
    // Again: the review may have needed maps that the collection did not.
    report_broken_maps(Registry::embedded(), &mut diagnostics);
    Outcome {
        principal: settings
            .scope
            .principal
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        window: settings.scope.window.to_string(),
        principal_filter: settings.scope.principal.clone(),
        time_window: settings.scope.window.clone(),
        principal_name: settings.principal_name(),
        usage,
        policy,
        generalised,
        review,
        parts,
        diagnostics,
        stats,
        principals,
        stopped,
        source,
    }
}

/// Every embedded map that did not load when the run needed it: a defect of the build that the run reports
/// (once each), never a service that silently maps nothing.
fn report_broken_maps(registry: &Registry, diagnostics: &mut Diagnostics) {
    for broken in registry.broken() {
        let subject = format!("service-maps/{}", broken.file);
        let reported = diagnostics
            .iter()
            .any(|d| d.code == Code::BrokenServiceMap && d.subject == subject);
        if !reported {
            let why = format!("{broken}: its events are unmapped and its actions unknown to the review (a policygen defect, please report it)");
            diagnostics.add(Code::BrokenServiceMap, subject, why, None);
        }
    }
}

/// The current policies to review against: from `--current FILE`s or `--current iam`; `None` without any.
async fn read_currents(
    settings: &Settings,
    sources: &Sources,
) -> Result<Option<CurrentPolicies>, Error> {
    match &settings.current {
        Current::None => Ok(None),
        Current::Iam => {
            let (Some(config), Some(principal)) = (&sources.aws, &settings.scope.principal) else {
                return Err(Error::IamWithoutAws);
            };
            let client = collector::iam::client(config);
            Ok(Some(
                collector::iam::read_current(&client, principal).await?,
            ))
        }
        Current::Files(paths) => {
            let mut current = CurrentPolicies::default();
            for path in paths {
                let more = read_current(path, &settings.principal_name())?;
                current.policies.extend(more.policies);
                current.notes.extend(more.notes);
            }
            Ok(Some(current))
        }
    }
}

/// Says when the principal asked for was not found (and who may have been meant), or when a name matched
/// several principals, which the policy then merges.
fn diagnose_principal(
    filter: &PrincipalFilter,
    stats: &Stats,
    matched: &BTreeMap<String, u64>,
    others: &BTreeMap<String, u64>,
    diagnostics: &mut Diagnostics,
) {
    if stats.records_read == 0 {
        diagnostics.add(
            Code::NoRecords,
            "input",
            "the sources held no CloudTrail records",
            None,
        );
    } else if stats.records_matched == 0 {
        let suggestions = filter.suggestions(others);
        let hint = if suggestions.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", suggestions.join(" or "))
        };
        let why = format!(
            "none of the {} records read are of {filter} in the window{hint}",
            stats.records_read
        );
        diagnostics.add(Code::NoMatchingRecords, "input", why, None);
    }
    if matched.len() > 1 && filter.accounts.is_empty() {
        let list: Vec<String> = matched
            .iter()
            .map(|(arn, count)| format!("{arn} ({count} records)"))
            .collect();
        let why = format!(
            "{filter} matched {} principals, merged into one policy: {}; give `--account ID` for one of them",
            matched.len(),
            list.join(", ")
        );
        diagnostics.add(Code::SeveralPrincipals, "input", why, None);
    }
}

/// What the review is based on.
fn coverage(
    settings: &Settings,
    stats: &Stats,
    days: &BTreeSet<String>,
    diagnostics: &Diagnostics,
    stopped: bool,
    complete: bool,
) -> Coverage {
    let window = &settings.scope.window;
    let last = window.to - Duration::nanoseconds(1);
    Coverage {
        window: window.to_string(),
        sources: settings.source.describe(),
        files_read: stats.files_read,
        records_read: stats.records_read,
        records_matched: stats.records_matched,
        // An engine's rows give one time per distinct call, not the events of every day.
        days_without_logs: if settings.source.reads_events() {
            missing_days(window.from.date_naive(), last.date_naive(), |d| {
                days.contains(&d.format("%Y-%m-%d").to_string())
            })
        } else {
            Vec::new()
        },
        not_logged: Vec::new(),
        notes: incomplete_reasons(diagnostics, stopped),
        complete,
    }
}

/// Days in `[first, last]` for which `has` is false, consecutive ones as `first..last`.
fn missing_days(first: NaiveDate, last: NaiveDate, has: impl Fn(NaiveDate) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut gap: Option<(NaiveDate, NaiveDate)> = None;
    let mut day = first;
    let flush = |gap: (NaiveDate, NaiveDate), out: &mut Vec<String>| {
        out.push(if gap.0 == gap.1 {
            gap.0.to_string()
        } else {
            format!("{}..{}", gap.0, gap.1)
        })
    };
    while day <= last {
        if has(day) {
            if let Some(g) = gap.take() {
                flush(g, &mut out);
            }
        } else {
            gap = Some(gap.map_or((day, day), |(start, _)| (start, day)));
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    if let Some(g) = gap {
        flush(g, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_maps_are_reported_once_each() {
        let registry = Registry::load("{}", &[("s3", "{\"prefix\": \"s3\",")]);
        let mut diagnostics = Diagnostics::default();
        report_broken_maps(&registry, &mut diagnostics);
        assert!(diagnostics.is_empty(), "nothing needed the map yet");
        assert!(registry.service("s3").is_some_and(|s| s.is_err()));
        report_broken_maps(&registry, &mut diagnostics);
        report_broken_maps(&registry, &mut diagnostics);
        assert_eq!(diagnostics.count(Code::BrokenServiceMap), 1);
        assert_eq!(diagnostics.worst(), Some(Severity::Incomplete));
        let detail = &diagnostics.iter().next().expect("one").detail;
        assert!(
            detail.starts_with("service-maps/s3.json is broken: "),
            "{detail}"
        );
    }

    #[test]
    fn gaps_as_ranges() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let have = ["2026-11-01", "2026-11-04", "2026-11-06"];
        let got = missing_days(d("2026-11-01"), d("2026-11-07"), |day| {
            have.contains(&day.to_string().as_str())
        });
        assert_eq!(got, ["2026-11-02..2026-11-03", "2026-11-05", "2026-11-07"]);
    }
}
