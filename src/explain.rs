//! The `maps explain` and `maps coverage` subcommands.

use crate::collector::{files, Decoder, LogInput, Origin, Scope, Sink, Weight};
use crate::event::Record;
use crate::mapper::catalogue::{Registry, RuleKind};
use crate::mapper::{Mapper, Outcome};
use crate::report::{Code, Diagnostic, Diagnostics, Severity, Stats};
use crate::window::TimeWindow;
use std::collections::BTreeMap;
use std::fmt::Write;

/// `maps explain SOURCE NAME`: the rule, where it comes from, and the catalogue facts of its actions.
pub fn maps_explain(event_source: &str, event_name: &str) -> Result<String, String> {
    let registry = Registry::embedded();
    let prefix = registry
        .prefix_for_source(event_source)
        .ok_or_else(|| format!("no service map knows the event source `{event_source}`"))?;
    let service = match registry.service(prefix) {
        Some(Ok(service)) => service,
        Some(Err(e)) => return Err(e.to_string()),
        None => {
            return Err(format!(
                "`{event_source}` maps to `{prefix}`, which has no service map"
            ))
        }
    };
    let Some((key, rule)) = service.rule(event_name) else {
        let action = service.action_named(event_name).ok_or_else(|| format!("service-maps/{prefix}.json has no rule for `{event_name}`, and `{prefix}` has no action of that name (it would be reported as `unmapped-event`)"))?;
        let def = &service.actions[action];
        let mut out = String::new();
        let _ = writeln!(out, "{event_source} {event_name}");
        let _ = writeln!(out, "  service   {prefix} ({})", service.name);
        let _ = writeln!(
            out,
            "  entry     service-maps/{prefix}.json actions.{action} (catalogue name match: no rule covers `{event_name}`)"
        );
        let _ = writeln!(
            out,
            "  action    {prefix}:{action} — access {}, on the ARNs of its resource types the record names, else `*`",
            def.access
        );
        if !def.dependent.is_empty() {
            let _ = writeln!(
                out,
                "  dependent {} (granted only: iam:PassRole on role ARNs the request passes; the service's tagging action when the request carries tags)",
                def.dependent.join(", ")
            );
        }
        return Ok(out);
    };
    let raw = raw_rule(prefix, key).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "{event_source} {event_name}");
    let _ = writeln!(out, "  service   {prefix} ({})", service.name);
    let via = if key == event_name {
        String::new()
    } else {
        format!(" (normalised from `{event_name}`: API-version suffix, surrounding space or first-letter case)")
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
        RuleKind::None(_) | RuleKind::Internal(_) | RuleKind::Console(_) => Vec::new(),
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

/// `maps coverage --logs …`: every record of the inputs, whoever made it and whenever, by how its call maps.
pub fn coverage(inputs: &[LogInput]) -> (String, bool) {
    let scope = Scope {
        principal: None,
        window: TimeWindow::unbounded(),
        strict: false,
    };
    let decoder = Decoder::new(scope, CoverageSink::default());
    let collected = files::collect(inputs, &decoder, false);
    coverage_text(
        &collected.sink.calls,
        &collected.decoded.stats,
        &collected.decoded.diagnostics,
    )
}

/// Each distinct call and how it maps.
#[derive(Default)]
struct CoverageSink {
    mapper: Mapper,
    /// `eventSource eventName` → `mapped`, `no-permission`, `internal`, `console` or `unmapped`.
    calls: BTreeMap<String, &'static str>,
}

impl Sink for CoverageSink {
    fn record(&mut self, record: &Record, _origin: &Origin, _weight: Option<&Weight>) {
        let call = format!("{} {}", record.source(), record.name());
        if self.calls.contains_key(&call) {
            return;
        }
        let kind = match self.mapper.map_record(record).outcome {
            Outcome::Grants(grants) if grants.is_empty() => "unmapped",
            Outcome::Grants(_) => "mapped",
            Outcome::NoPermission(_) => "no-permission",
            Outcome::Internal(_) => "internal",
            Outcome::Console(_) => "console",
            Outcome::Unmapped(_) => "unmapped",
        };
        self.calls.insert(call, kind);
    }

    fn merge(&mut self, other: Self) {
        self.calls.extend(other.calls);
    }

    fn fresh(&self) -> Self {
        CoverageSink::default()
    }
}

/// `maps coverage`: distinct calls by outcome, and whether the answer is complete: some records were read,
/// every input was readable and every call is known.
fn coverage_text(
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
        ("console", "console page actions"),
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
