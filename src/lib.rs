//! policygen: least-privilege AWS IAM policies from what a principal actually did, read from CloudTrail.
//!
//! The pipeline: [`collector`] (sources → records of one principal in one window) → [`mapper`] (each call →
//! IAM actions and ARNs, from `service-maps/`) → [`usage`] (distinct usage with evidence) → [`emitter`]
//! (the smallest policy that allows exactly that).
#![forbid(unsafe_code)]

pub mod cli;
pub mod collector;
pub mod current;
pub mod emitter;
pub mod event;
pub mod explain;
pub mod glob;
pub mod mapper;
pub mod output;
pub mod policy;
pub mod principal;
pub mod report;
pub mod reveal;
pub mod review;
pub mod settings;
pub mod usage;
pub mod verify;
pub mod window;

use collector::{Ingest, Partial};
use emitter::emit;
use policy::PolicyDocument;
use principal::PrincipalFilter;
use report::{Code, Diagnostics, Severity, Stats};
use settings::Settings;
use std::collections::{BTreeMap, BTreeSet};
use usage::UsageSet;

/// Everything one run produced.
#[derive(Debug, Clone)]
pub struct Run {
    pub policy: PolicyDocument,
    pub usage: UsageSet,
    pub diagnostics: Diagnostics,
    pub stats: Stats,
    /// Stopped early by `--strict`.
    pub stopped: bool,
    /// UTC days on which any record was read.
    pub days: BTreeSet<String>,
    /// The principals (role, user or caller ARN) whose records matched, with their record counts.
    pub principals: BTreeMap<String, u64>,
}

impl Run {
    /// Whether the policy may miss something the principal did (unread input, unmapped calls).
    pub fn incomplete(&self) -> bool {
        self.stopped || self.diagnostics.worst() == Some(Severity::Incomplete)
    }

    pub fn has_warnings(&self) -> bool {
        self.diagnostics.worst() >= Some(Severity::Warning)
    }
}

/// Collects the principal's calls from the local sources, maps them and emits the policy.
pub fn run(settings: &Settings) -> Run {
    let ingest = Ingest::new(settings.scope.clone());
    let partial = collector::files::collect(&settings.logs, &ingest);
    finish(partial, &ingest, settings)
}

/// Emits the policy from what the sources contributed.
pub fn finish(partial: Partial, ingest: &Ingest, settings: &Settings) -> Run {
    let Partial {
        mut usage,
        mut diagnostics,
        stats,
        days,
        matched_principals,
        other_principals,
        ..
    } = partial;
    usage.resolve(&mut diagnostics);
    let policy = emit(&usage, &settings.emit, &mut diagnostics);
    verify::check(&usage, &policy, &mut diagnostics);
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
    Run {
        policy,
        usage,
        diagnostics,
        stats,
        stopped: ingest.stopped(),
        days,
        principals,
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
