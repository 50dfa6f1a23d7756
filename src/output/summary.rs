//! What a run says about itself: the summary on stderr, `--explain`'s evidence, and `--summary-json`.

use crate::pipeline::Outcome;
use crate::report::{Diagnostic, Location, Severity, Stats};
use crate::usage::{DeniedKey, Evidence};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The short human summary printed on stderr after a run: the verdict first, then what was read, matched
/// and written, the denied attempts, the diagnostics, what the source did and, with `--check`, the check.
pub fn summary_text(outcome: &Outcome, verbose: bool, check: bool) -> String {
    let (stats, diagnostics, denied) = (&outcome.stats, &outcome.diagnostics, &outcome.usage);
    let (statements, actions) = (
        outcome.policy.statements.len(),
        outcome.usage.by_action().len(),
    );
    let mut out = String::new();
    let _ = writeln!(out, "policygen: {}", outcome.principal);
    let result = if outcome.stopped {
        "STOPPED at the first input problem (--strict): the policy is incomplete"
    } else if outcome.incomplete() {
        "INCOMPLETE: the policy may not allow everything the principal did (see the diagnostics below)"
    } else {
        "complete"
    };
    let _ = writeln!(out, "  result   {result}");
    let _ = writeln!(out, "  window   {}", outcome.window);
    let _ = writeln!(
        out,
        "  read     {} files ({} skipped, {} unreadable, {} not opened: delivered outside the window), {} records, {:.1} MB",
        stats.files_read,
        stats.files_skipped,
        stats.files_failed,
        stats.files_outside_window,
        stats.records_read,
        stats.bytes_read as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "  matched  {} records: {} mapped, {} need no permission, {} failed calls, {} unmapped, {} duplicates",
        stats.records_matched,
        stats.records_mapped,
        stats.records_no_permission,
        stats.records_failed_calls,
        stats.records_unmapped,
        stats.records_duplicate
    );
    let _ = writeln!(
        out,
        "  policy   {actions} actions in {statements} statements"
    );
    generalised_text(outcome, verbose, &mut out);
    if !denied.denied.is_empty() {
        let _ = writeln!(
            out,
            "  denied attempts (not granted unless --include-denied):"
        );
        for (key, evidence) in &denied.denied {
            let _ = writeln!(
                out,
                "    {} ({}) x{}, last {}",
                key.action, key.error_code, evidence.count, evidence.last_seen
            );
        }
    }
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let _ = writeln!(
        out,
        "  diagnostics: {} incomplete, {} warnings, {} notes{}",
        count(Severity::Incomplete),
        count(Severity::Warning),
        count(Severity::Note),
        if verbose || count(Severity::Note) == 0 {
            ""
        } else {
            " (-v shows notes)"
        }
    );
    for d in diagnostics
        .iter()
        .filter(|d| verbose || d.severity > Severity::Note)
    {
        let label = match d.severity {
            Severity::Incomplete => "incomplete",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let times = if d.count > 1 {
            format!(" (x{})", d.count)
        } else {
            String::new()
        };
        let at = match &d.first {
            Some(Location {
                file,
                record: Some(r),
                ..
            }) => format!(" [{file} record {r}]"),
            Some(Location {
                file, record: None, ..
            }) => format!(" [{file}]"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "    {label:<10} {} {}: {}{times}{at}",
            d.code, d.subject, d.detail
        );
    }
    out.push_str(&outcome.source.summary());
    if check {
        let _ = writeln!(
            out,
            "  check    {}",
            if outcome.differs() {
                "the current policy differs from the proposal"
            } else {
                "the current policy equals the proposal"
            }
        );
    }
    out
}

/// The policy's resources that stand for more than they name, and what each stands for: at most ten
/// without `-v`.
fn generalised_text(outcome: &Outcome, verbose: bool, out: &mut String) {
    if outcome.generalised.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  generalised {} resources stand for the names observed (`--exact` keeps every name):",
        outcome.generalised.len()
    );
    const SHOWN: usize = 10;
    let shown = if verbose { usize::MAX } else { SHOWN };
    for g in outcome.generalised.iter().take(shown) {
        let how: Vec<String> = g
            .identifiers
            .iter()
            .cloned()
            .chain(g.crowd.clone())
            .collect();
        let observed = match g.observed {
            0 => String::new(),
            n => format!("{n} observed: "),
        };
        let _ = writeln!(out, "    {} <- {observed}{}", g.resource, how.join(", "));
    }
    if outcome.generalised.len() > shown {
        let _ = writeln!(
            out,
            "    ... {} more (-v or --explain lists them)",
            outcome.generalised.len() - shown
        );
    }
}

/// `--explain`: one block per action of the policy.
pub fn evidence_text(outcome: &Outcome) -> String {
    let mut out = String::new();
    for (action, evidence) in outcome.usage.by_action() {
        let entries: Vec<String> = evidence.entries.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "{action}");
        let _ = writeln!(
            out,
            "  events {}, first {}, last {}, sample eventID {}",
            evidence.count, evidence.first_seen, evidence.last_seen, evidence.sample_event_id
        );
        let _ = writeln!(out, "  map    {}", entries.join(", "));
        for g in outcome
            .generalised
            .iter()
            .filter(|g| g.actions.contains(action))
        {
            let examples: Vec<&str> = g.examples.iter().map(String::as_str).collect();
            let _ = match g.observed {
                0 => writeln!(out, "  resource {} (a crowd)", g.resource),
                n => writeln!(
                    out,
                    "  resource {} stands for {n} observed, e.g. {}",
                    g.resource,
                    examples.join(", ")
                ),
            };
            for how in &g.identifiers {
                let _ = writeln!(out, "           `*` for the {how}");
            }
            if let Some(crowd) = &g.crowd {
                let _ = writeln!(out, "           made by the {crowd}");
            }
        }
    }
    out
}

#[derive(Serialize)]
struct Summary<'a> {
    principal: String,
    window: String,
    complete: bool,
    /// The principal ARNs whose records matched, with their record counts.
    principals: &'a BTreeMap<String, u64>,
    stats: &'a Stats,
    actions: BTreeMap<&'a str, Evidence>,
    denied: Vec<Denied<'a>>,
    generalised: &'a [crate::emitter::Generalised],
    diagnostics: Vec<&'a Diagnostic>,
}

#[derive(Serialize)]
struct Denied<'a> {
    #[serde(flatten)]
    key: &'a DeniedKey,
    #[serde(flatten)]
    evidence: &'a Evidence,
}

/// `--summary-json`: the run for machines.
pub fn summary_json(outcome: &Outcome) -> String {
    let summary = Summary {
        principal: outcome.principal.clone(),
        window: outcome.window.clone(),
        complete: !outcome.incomplete(),
        principals: &outcome.principals,
        stats: &outcome.stats,
        actions: outcome.usage.by_action(),
        denied: outcome
            .usage
            .denied
            .iter()
            .map(|(key, evidence)| Denied { key, evidence })
            .collect(),
        generalised: &outcome.generalised,
        diagnostics: outcome.diagnostics.iter().collect(),
    };
    crate::policy::pretty_json(&summary)
}
