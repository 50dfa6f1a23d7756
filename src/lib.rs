//! policygen: least-privilege AWS IAM policies from what a principal actually did, read from CloudTrail.
//!
//! The pipeline: [`collector`] (sources → records of one principal in one window) → [`mapper`] (each call →
//! IAM actions and ARNs, from `service-maps/`) → [`usage`] (distinct usage with evidence) → [`emitter`]
//! (the smallest policy that allows exactly that).
#![forbid(unsafe_code)]

pub mod cli;
pub mod collector;
pub mod current;
pub mod diff;
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
pub mod settings;
pub mod usage;
pub mod window;

use collector::{Ingest, Partial};
use emitter::emit;
use policy::PolicyDocument;
use report::{Code, Diagnostics, Severity, Stats};
use settings::Settings;
use std::collections::BTreeSet;
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
        ..
    } = partial;
    usage.resolve(&mut diagnostics);
    let policy = emit(&usage, &settings.emit, &mut diagnostics);
    if stats.records_read == 0 {
        diagnostics.add(
            Code::NoRecords,
            "input",
            "the sources held no CloudTrail records",
            None,
        );
    } else if stats.records_matched == 0 {
        let why = format!(
            "none of the {} records read are the principal's in the window",
            stats.records_read
        );
        diagnostics.add(Code::NoMatchingRecords, "input", why, None);
    }
    Run {
        policy,
        usage,
        diagnostics,
        stats,
        stopped: ingest.stopped(),
        days,
    }
}
