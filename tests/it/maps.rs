//! Service-map integrity and the mapping table.

use super::support::root;
use policygen::event::Record;
use policygen::mapper::catalogue::{check_service, Registry};
use policygen::mapper::{Mapper, Outcome};
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn every_map_compiles_and_binds_only_catalogue_actions() {
    let registry = Registry::embedded();
    let mut problems = Vec::new();
    let prefixes = registry.prefixes();
    assert!(prefixes.len() > 400, "only {} service maps", prefixes.len());
    for prefix in prefixes {
        match registry.service(prefix) {
            Some(Ok(service)) => {
                if service.prefix != prefix {
                    problems.push(format!("{prefix}.json says prefix `{}`", service.prefix));
                }
                problems.extend(check_service(registry, &service));
            }
            Some(Err(e)) => problems.push(format!("{prefix}.json: {e}")),
            None => problems.push(format!("{prefix}: listed but missing")),
        }
    }
    for (source, prefix) in registry.event_sources() {
        if registry.service(prefix).is_none() {
            problems.push(format!(
                "event-sources.json: `{source}` → `{prefix}`, which has no map"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn committed_maps_are_what_the_generator_writes() {
    let status = std::process::Command::new("python3")
        .arg(root().join("service-maps/generate.py"))
        .arg("--check")
        .current_dir(root())
        .status()
        .expect("python3 runs");
    assert!(
        status.success(),
        "service-maps/ differs from `generate.py` output: run `python3 service-maps/generate.py`"
    );
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    record: serde_json::Value,
    expect: Expect,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Expect {
    actions: Vec<String>,
    resources: BTreeMap<String, Vec<String>>,
    none: bool,
    internal: bool,
    console: bool,
    /// No rule and no catalogue action matches the record.
    unmapped: bool,
    /// The rule matches but none of its grants applies to this record (reported `unsound-result`).
    no_grant: bool,
}

/// Every case in `tests/mapping-cases/*.json` through the real mapper.
#[test]
fn mapping_cases() {
    let mapper = Mapper::default();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/mapping-cases"))
        .expect("mapping cases exist")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let cases: Vec<Case> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases {
            count += 1;
            let raw = case.record.to_string();
            let record: Record =
                serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let mapping = mapper.map_record(&record);
            let label = format!(
                "{} / {}",
                file.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                case.name
            );
            match (&mapping.outcome, case.expect.none, case.expect.internal) {
                (Outcome::NoPermission(_), true, _) | (Outcome::Internal(_), _, true) => continue,
                (Outcome::Console(_), false, false) if case.expect.console => continue,
                (Outcome::Unmapped(_), false, false) if case.expect.unmapped => continue,
                (Outcome::Grants(grants), false, false) if case.expect.no_grant => {
                    if !grants.is_empty() {
                        failures.push(format!("{label}: granted {grants:?}, expected no grant"));
                    }
                }
                (Outcome::Grants(grants), false, false)
                    if !case.expect.unmapped && !case.expect.console && !case.expect.no_grant =>
                {
                    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                    for g in grants {
                        got.entry(g.action.clone())
                            .or_default()
                            .extend(g.resources.iter().cloned());
                    }
                    let want: BTreeSet<&String> = case.expect.actions.iter().collect();
                    let have: BTreeSet<&String> = got.keys().collect();
                    if want != have {
                        failures.push(format!("{label}: actions {have:?}, expected {want:?}"));
                    }
                    for (action, arns) in &case.expect.resources {
                        let want: BTreeSet<String> = arns.iter().cloned().collect();
                        let have = got.get(action).cloned().unwrap_or_default();
                        if want != have {
                            failures.push(format!(
                                "{label}: {action} resources {have:?}, expected {want:?}"
                            ));
                        }
                    }
                }
                (other, _, _) => failures.push(format!("{label}: got {other:?}")),
            }
        }
    }
    assert!(count >= 150, "only {count} mapping cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md"))
        .expect("docs/diagnostics.md exists");
    for code in policygen::report::Code::ALL {
        let severity = match code.severity() {
            policygen::report::Severity::Incomplete => "incomplete",
            policygen::report::Severity::Warning => "warning",
            policygen::report::Severity::Note => "note",
        };
        assert!(
            doc.contains(&format!("| `{}` | {severity} |", code.as_str())),
            "docs/diagnostics.md lacks `{code}` as a {severity}"
        );
    }
}
