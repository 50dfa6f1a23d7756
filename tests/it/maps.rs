//! Service-map integrity and the mapping table.

use super::support::{root, settings};
use policygen::collector::Decoder;
use policygen::event::Record;
use policygen::mapper::catalogue::{check_service, Registry};
use policygen::mapper::{MappedGrant, Mapper, Outcome};
use policygen::policy::{Context, Decision, PolicyDocument};
use std::collections::{BTreeMap, BTreeSet};

/// A broken embedded map fails here, by name, before any run meets it (`broken-service-map`).
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
            Some(Err(e)) => problems.push(e.to_string()),
            None => problems.push(format!("{prefix}: listed but missing")),
        }
    }
    // Every file of the registry has now been loaded: the event-source table and each map.
    problems.extend(registry.broken().iter().map(ToString::to_string));
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

/// A mapping case: one record as CloudTrail logs it and the exact actions and ARNs it maps to (`expect`),
/// or several records of one principal (`records`). `allow` and `deny` are requests evaluated against the
/// policy the whole pipeline writes from the record(s): what IAM evaluates for the calls must be allowed,
/// the sibling resources denied. `diagnostics` are codes the run must report.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    record: Option<serde_json::Value>,
    #[serde(default)]
    records: Vec<serde_json::Value>,
    #[serde(default)]
    expect: Option<Expect>,
    /// Extra command-line options for the policy (`["--condition", "service"]`).
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    allow: Vec<Request>,
    #[serde(default)]
    deny: Vec<Request>,
    #[serde(default)]
    diagnostics: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
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

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    action: String,
    resource: String,
    #[serde(default)]
    context: BTreeMap<String, String>,
}

/// The resources a grant has when its record is the only one: its exact resources plus the patterns it
/// would otherwise narrow, or `*` for a link nothing resolves.
fn alone(grant: &MappedGrant) -> Vec<String> {
    let mut resources = grant.resources.clone();
    if let Some(lookup) = &grant.lookup {
        resources.extend(lookup.narrow.iter().cloned());
        if lookup.narrow.is_empty() && !lookup.links.is_empty() {
            resources = vec!["*".to_string()];
        }
    }
    resources
}

fn check_expect(
    mapper: &Mapper,
    label: &str,
    record: &serde_json::Value,
    expect: &Expect,
) -> Vec<String> {
    let raw = record.to_string();
    let record: Record = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{label}: {e}"));
    let mapping = mapper.map_record(&record);
    match (&mapping.outcome, expect.none, expect.internal) {
        (Outcome::NoPermission(_), true, _) | (Outcome::Internal(_), _, true) => Vec::new(),
        (Outcome::Console(_), false, false) if expect.console => Vec::new(),
        (Outcome::Unmapped(_), false, false) if expect.unmapped => Vec::new(),
        (Outcome::Grants(grants), false, false) if expect.no_grant => {
            if grants.is_empty() {
                Vec::new()
            } else {
                vec![format!("{label}: granted {grants:?}, expected no grant")]
            }
        }
        (Outcome::Grants(grants), false, false)
            if !expect.unmapped && !expect.console && !expect.no_grant =>
        {
            let mut failures = Vec::new();
            let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for g in grants {
                got.entry(g.action.clone()).or_default().extend(alone(g));
            }
            let want: BTreeSet<&String> = expect.actions.iter().collect();
            let have: BTreeSet<&String> = got.keys().collect();
            if want != have {
                failures.push(format!("{label}: actions {have:?}, expected {want:?}"));
            }
            for (action, arns) in &expect.resources {
                let want: BTreeSet<String> = arns.iter().cloned().collect();
                let have = got.get(action).cloned().unwrap_or_default();
                if want != have {
                    failures.push(format!(
                        "{label}: {action} resources {have:?}, expected {want:?}"
                    ));
                }
            }
            failures
        }
        (other, _, _) => vec![format!("{label}: got {other:?}")],
    }
}

/// The principal of a record: the role behind a session, or the identity's own ARN.
fn principal_of(record: &serde_json::Value) -> String {
    let identity = &record["userIdentity"];
    identity["sessionContext"]["sessionIssuer"]["arn"]
        .as_str()
        .or_else(|| identity["arn"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// The policy and diagnostic codes of a run over `records`, through the same path as the binary, with
/// `--exact`: a case proves the ARN each call is evaluated on, not the forward generalisation of per-run
/// names (`docs/forward-validity.md`), which would widen a sibling that differs only by a run number.
fn run_case(
    records: &[serde_json::Value],
    options: &[String],
) -> (PolicyDocument, BTreeSet<String>) {
    let mut args: Vec<String> = [
        "--principal",
        &principal_of(&records[0]),
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--exact",
        "--logs",
        "-",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(options.iter().cloned());
    let settings = settings(&args);
    let decoder = Decoder::new(
        settings.scope.clone(),
        policygen::pipeline::run_sink(&settings),
    );
    let mut partial = decoder.fresh();
    let bytes = serde_json::json!({ "Records": records }).to_string();
    decoder.read("case", bytes.as_bytes(), &mut partial);
    let run = policygen::pipeline::conclude(&settings, None, partial, Default::default());
    let codes = run
        .diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    (run.policy, codes)
}

fn context_of(request: &Request) -> Context {
    request
        .context
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Every case in `tests/mapping-cases/*.json`, through the real mapper and, for `allow` and `deny`, the
/// whole pipeline and the policy evaluator.
#[test]
fn mapping_cases() {
    let mapper = Mapper::default();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut evaluated_services = BTreeSet::new();
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
            let label = format!(
                "{} / {}",
                file.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                case.name
            );
            let records: Vec<serde_json::Value> =
                case.record.iter().chain(&case.records).cloned().collect();
            assert!(!records.is_empty(), "{label}: no record");
            assert!(
                case.record.is_none() || case.records.is_empty(),
                "{label}: `record` or `records`, not both"
            );
            match (&case.expect, &case.record) {
                (Some(expect), Some(record)) => {
                    failures.extend(check_expect(&mapper, &label, record, expect))
                }
                (Some(_), None) => {
                    failures.push(format!("{label}: `expect` needs a single `record`"))
                }
                (None, _) if case.allow.is_empty() => {
                    failures.push(format!("{label}: neither `expect` nor `allow`"))
                }
                (None, _) => {}
            }
            if case.allow.is_empty() && case.deny.is_empty() && case.diagnostics.is_empty() {
                continue;
            }
            assert!(
                !case.source.is_empty(),
                "{label}: a case with requests says where its records come from"
            );
            let (policy, codes) = run_case(&records, &case.options);
            for (want, requests) in [
                (Decision::Allowed, &case.allow),
                (Decision::ImplicitDeny, &case.deny),
            ] {
                for request in requests {
                    let got =
                        policy.decide(&request.action, &request.resource, &context_of(request));
                    let ok = if want == Decision::Allowed {
                        got == Decision::Allowed
                    } else {
                        got != Decision::Allowed
                    };
                    if !ok {
                        failures.push(format!(
                            "{label}: {} on {} is {got:?}, expected {}\n{}",
                            request.action,
                            request.resource,
                            if want == Decision::Allowed {
                                "allowed"
                            } else {
                                "denied"
                            },
                            policy.to_json()
                        ));
                    }
                }
            }
            for code in &case.diagnostics {
                if !codes.contains(code) {
                    failures.push(format!("{label}: no `{code}` diagnostic (got {codes:?})"));
                }
            }
            if !case.deny.is_empty() {
                evaluated_services.extend(
                    records
                        .iter()
                        .filter_map(|r| r["eventSource"].as_str().map(str::to_string)),
                );
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
    assert!(
        evaluated_services.len() >= 30,
        "allow/deny cases cover only {} event sources: {evaluated_services:?}",
        evaluated_services.len()
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
