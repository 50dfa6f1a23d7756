//! Evidence for the actions of a run (`--explain`), the machine summary (`--summary-json`), and the
//! `maps explain` / `maps coverage` subcommands.

use crate::mapper::catalogue::{Registry, RuleKind};
use crate::report::{Code, Diagnostic, Diagnostics, Severity, Stats};
use crate::usage::{DeniedKey, Evidence};
use crate::Run;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// `--explain`: one block per action of the policy.
pub fn evidence_text(run: &Run) -> String {
    let mut out = String::new();
    for (action, evidence) in run.usage.by_action() {
        let entries: Vec<String> = evidence.entries.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "{action}");
        let _ = writeln!(
            out,
            "  events {}, first {}, last {}, sample eventID {}",
            evidence.count, evidence.first_seen, evidence.last_seen, evidence.sample_event_id
        );
        let _ = writeln!(out, "  map    {}", entries.join(", "));
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
pub fn summary_json(run: &Run, principal: &str, window: &str) -> String {
    let summary = Summary {
        principal: principal.to_string(),
        window: window.to_string(),
        complete: !run.incomplete(),
        principals: &run.principals,
        stats: &run.stats,
        actions: run.usage.by_action(),
        denied: run
            .usage
            .denied
            .iter()
            .map(|(key, evidence)| Denied { key, evidence })
            .collect(),
        diagnostics: run.diagnostics.iter().collect(),
    };
    crate::policy::pretty_json(&summary)
}

/// `maps explain SOURCE NAME`: the rule, where it comes from, and the catalogue facts of its actions.
pub fn maps_explain(event_source: &str, event_name: &str) -> Result<String, String> {
    let registry = Registry::embedded();
    let prefix = registry
        .prefix_for_source(event_source)
        .ok_or_else(|| format!("no service map knows the event source `{event_source}`"))?;
    let service = match registry.service(prefix) {
        Some(Ok(service)) => service,
        Some(Err(e)) => return Err(format!("service-maps/{prefix}.json is broken: {e}")),
        None => {
            return Err(format!(
                "`{event_source}` maps to `{prefix}`, which has no service map"
            ))
        }
    };
    let (key, rule) = service
        .rule(event_name)
        .ok_or_else(|| format!("service-maps/{prefix}.json has no rule for `{event_name}` (it would be reported as `unmapped-event`)"))?;
    let raw = raw_rule(prefix, key).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "{event_source} {event_name}");
    let _ = writeln!(out, "  service   {prefix} ({})", service.name);
    let via = if key == event_name {
        String::new()
    } else {
        format!(" (API-version suffix stripped from `{event_name}`)")
    };
    let _ = writeln!(
        out,
        "  entry     service-maps/{prefix}.json events.{key}{via}"
    );
    let _ = writeln!(out, "  rule      {raw}");
    // Every grant of the rule, including those that apply only when the request holds something.
    let grants: Vec<(&str, bool)> = match &rule.kind {
        RuleKind::Grants(grants) => grants
            .iter()
            .map(|g| (g.action.as_str(), g.when.is_some()))
            .collect(),
        RuleKind::None(_) | RuleKind::Internal(_) => Vec::new(),
    };
    let mut seen = std::collections::BTreeSet::new();
    for (action, conditional) in grants {
        let Some((target, name)) = registry.canonical_action(action) else {
            continue;
        };
        if !seen.insert((action, conditional)) {
            continue;
        }
        let def = &target.actions[&name];
        let types: Vec<String> = def
            .resources
            .iter()
            .map(|r| format!("{}{}", r.kind, if r.required { " (required)" } else { "" }))
            .collect();
        let types = if types.is_empty() {
            "none: `*` only".to_string()
        } else {
            types.join(", ")
        };
        let when = if conditional {
            " (when the request matches; see the rule)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  action    {action}{when} — access {}, resource types {types}",
            def.access
        );
    }
    Ok(out)
}

fn raw_rule(prefix: &str, key: &str) -> Option<String> {
    let (_, text) = crate::mapper::catalogue::embedded_file(prefix)?;
    let file: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string(file.get("events")?.get(key)?).ok()
}

/// `maps coverage`: distinct calls by outcome, and whether the answer is complete: some records were read,
/// every input was readable and every call is known.
pub fn coverage_text(
    calls: &BTreeMap<String, &'static str>,
    stats: &Stats,
    diagnostics: &Diagnostics,
) -> (String, bool) {
    let total = calls.len();
    let known = calls.values().filter(|k| **k != "unmapped").count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "read {} files ({} skipped, {} unreadable), {} records",
        stats.files_read, stats.files_skipped, stats.files_failed, stats.records_read
    );
    if total == 0 {
        let _ = writeln!(out, "no API calls found: nothing to measure");
    } else {
        let share = known as f64 * 100.0 / total as f64;
        let _ = writeln!(
            out,
            "{known} of {total} distinct eventSource/eventName pairs mapped ({share:.1}%)"
        );
    }
    for (kind, label) in [
        ("mapped", "mapped"),
        ("no-permission", "need no permission"),
        ("internal", "service-internal"),
    ] {
        let _ = writeln!(
            out,
            "  {label}: {}",
            calls.values().filter(|k| **k == kind).count()
        );
    }
    let damaged: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Incomplete && d.code != Code::UnmappedEvent)
        .collect();
    if !damaged.is_empty() {
        let _ = writeln!(
            out,
            "input problems (the figures above miss what they hid):"
        );
        for d in &damaged {
            let _ = writeln!(out, "  {} {}: {}", d.code, d.subject, d.detail);
        }
    }
    let unmapped: Vec<&String> = calls
        .iter()
        .filter(|(_, k)| **k == "unmapped")
        .map(|(c, _)| c)
        .collect();
    if !unmapped.is_empty() {
        let _ = writeln!(out, "unmapped:");
        for call in &unmapped {
            let _ = writeln!(out, "  {call}");
        }
    }
    (out, total > 0 && unmapped.is_empty() && damaged.is_empty())
}
