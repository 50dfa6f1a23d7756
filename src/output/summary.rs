//! What a run says about itself: the summary on stderr, `--explain`'s evidence, and `--summary-json`.

use super::{Exit, OutputOptions};
use crate::emitter::size::size;
use crate::pipeline::Outcome;
use crate::principal::Identity;
use crate::report::{Diagnostic, Level, Location, Severity, Stats};
use crate::usage::{DeniedKey, Evidence};
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The version of the `--summary-json` format (`docs/summary.schema.json`): raised when a field changes
/// meaning or goes away, not when one is added.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// `text` in `style` when colouring.
fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// The short human summary printed on stderr after a run: the verdict first, then what was read, matched
/// and written, the denied attempts, the diagnostics, what the source did and, with `--check`, the check.
/// With `color`, the result and each diagnostic's level are coloured.
pub fn summary_text(outcome: &Outcome, options: &OutputOptions, color: bool) -> String {
    let (verbose, check, levels) = (options.verbose, options.check, &options.levels);
    let (stats, diagnostics, denied) = (&outcome.stats, &outcome.diagnostics, &outcome.usage);
    let (statements, actions) = (
        outcome.policy.statements.len(),
        outcome.usage.by_action().len(),
    );
    let mut out = String::new();
    let _ = writeln!(out, "policygen: {}", outcome.principal);
    let result = if outcome.stopped {
        paint(
            "STOPPED at the first input problem (--strict): the policy is incomplete",
            RED,
            color,
        )
    } else if outcome.incomplete() {
        paint(
            "INCOMPLETE: the policy may not allow everything the principal did (see the diagnostics below)",
            RED,
            color,
        )
    } else if !levels.denied(diagnostics).is_empty() {
        paint(
            "complete, but FAILED: a denied diagnostic (see below)",
            RED,
            color,
        )
    } else {
        paint("complete", GREEN, color)
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
    if actions == 0 {
        let _ = writeln!(
            out,
            "  policy   nothing needs a permission: the one statement allows only sts:GetCallerIdentity, which needs none"
        );
    } else {
        let _ = writeln!(
            out,
            "  policy   {actions} actions in {statements} statements"
        );
    }
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
    let hidden = diagnostics.iter().filter(|d| !levels.shown(d.code)).count();
    let _ = writeln!(
        out,
        "  diagnostics: {} incomplete, {} warnings, {} notes{}",
        count(Severity::Incomplete),
        count(Severity::Warning),
        count(Severity::Note),
        if verbose || hidden == 0 {
            ""
        } else {
            " (-v shows notes and allowed ones)"
        }
    );
    for d in diagnostics
        .iter()
        .filter(|d| verbose || levels.shown(d.code))
    {
        let (label, style) = match (d.severity, levels.level(d.code)) {
            (Severity::Incomplete, _) => ("incomplete", RED),
            (_, Level::Deny) => ("error", RED),
            (Severity::Warning, Level::Warn) => ("warning", YELLOW),
            (Severity::Note, Level::Warn) => ("note", YELLOW),
            (Severity::Note, Level::Allow) => ("note", DIM),
            (Severity::Warning, Level::Allow) => ("allowed", DIM),
        };
        let label = paint(&format!("{label:<10}"), style, color);
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
            "    {label} {} {}: {}{times}{at}",
            d.code, d.subject, d.detail
        );
    }
    out.push_str(&outcome.source.summary());
    if check {
        let _ = writeln!(
            out,
            "  check    {}",
            if outcome.differs() {
                paint(
                    "DRIFT: the current policy differs from the proposal",
                    YELLOW,
                    color,
                )
            } else {
                paint("the current policy equals the proposal", GREEN, color)
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
    /// [`SUMMARY_SCHEMA_VERSION`].
    schema_version: u32,
    tool: crate::version::Tool,
    catalogue: crate::version::Catalogue,
    principal: Principal,
    window: Window,
    /// How the run ends: `complete`, `incomplete`, `drift` or `denied`, and its exit code.
    result: &'static str,
    exit_code: u8,
    complete: bool,
    /// With `--check` or `--current`: whether the current policy differs from the proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    differs: Option<bool>,
    /// The principal ARNs whose records matched, with their record counts.
    matched_principals: &'a BTreeMap<String, u64>,
    stats: &'a Stats,
    policy: PolicySummary,
    actions: BTreeMap<&'a str, Evidence>,
    denied: Vec<Denied<'a>>,
    generalised: &'a [crate::emitter::Generalised],
    diagnostics: Vec<LevelledDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Principal {
    /// `role`, `user` or `arn` (any other principal, by the ARN CloudTrail writes).
    kind: &'static str,
    /// The role or user name (without path); `null` for `arn`.
    name: Option<String>,
    /// The exact ARN, when the principal was given by one.
    arn: Option<String>,
    /// `--session`'s glob over session names.
    session: Option<String>,
    /// `--account`s; empty means any account.
    accounts: Vec<String>,
    /// As the summary says it.
    text: String,
}

#[derive(Serialize)]
struct Window {
    /// Included, RFC 3339 UTC.
    from: String,
    /// Excluded, RFC 3339 UTC.
    to: String,
    text: String,
}

#[derive(Serialize)]
struct PolicySummary {
    actions: usize,
    statements: usize,
    /// IAM's size of each part written (characters, whitespace excluded).
    part_sizes: Vec<usize>,
    size_limit: usize,
    policy_type: &'static str,
}

#[derive(Serialize)]
struct LevelledDiagnostic<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    level: Level,
}

#[derive(Serialize)]
struct Denied<'a> {
    #[serde(flatten)]
    key: &'a DeniedKey,
    #[serde(flatten)]
    evidence: &'a Evidence,
}

fn principal(outcome: &Outcome) -> Principal {
    let filter = outcome.principal_filter.as_ref();
    let (kind, name, arn) = match filter.map(|f| &f.identity) {
        Some(Identity::Role { name, arn }) => ("role", Some(name.clone()), arn.clone()),
        Some(Identity::User { name, arn }) => ("user", Some(name.clone()), arn.clone()),
        Some(Identity::Arn(arn)) => ("arn", None, Some(arn.clone())),
        None => ("arn", None, None),
    };
    Principal {
        kind,
        name,
        arn,
        session: filter.and_then(|f| f.session.clone()),
        accounts: filter
            .map(|f| f.accounts.iter().map(|a| a.as_str().to_string()).collect())
            .unwrap_or_default(),
        text: outcome.principal.clone(),
    }
}

/// `--summary-json`: the run for machines (`docs/summary.schema.json`).
pub fn summary_json(outcome: &Outcome, options: &OutputOptions) -> String {
    let exit = Exit::of(outcome, &options.levels, options.check);
    let time =
        |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let summary = Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        tool: crate::version::tool(),
        catalogue: crate::version::catalogue(),
        principal: principal(outcome),
        window: Window {
            from: time(&outcome.time_window.from),
            to: time(&outcome.time_window.to),
            text: outcome.window.clone(),
        },
        result: exit.name(),
        exit_code: exit.code(),
        complete: !outcome.incomplete(),
        differs: outcome.review.as_ref().map(|r| !r.diff.equal),
        matched_principals: &outcome.principals,
        stats: &outcome.stats,
        policy: PolicySummary {
            actions: outcome.usage.by_action().len(),
            statements: outcome.parts.iter().map(|p| p.statements.len()).sum(),
            part_sizes: outcome.parts.iter().map(size).collect(),
            size_limit: options.size_limit.chars(),
            policy_type: options.size_limit.policy_type(),
        },
        actions: outcome.usage.by_action(),
        denied: outcome
            .usage
            .denied
            .iter()
            .map(|(key, evidence)| Denied { key, evidence })
            .collect(),
        generalised: &outcome.generalised,
        diagnostics: outcome
            .diagnostics
            .iter()
            .map(|diagnostic| LevelledDiagnostic {
                diagnostic,
                level: options.levels.level(diagnostic.code),
            })
            .collect(),
    };
    crate::policy::pretty_json(&summary)
}
