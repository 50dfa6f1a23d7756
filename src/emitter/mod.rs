//! Pure emission: the usage set in, the smallest policy document that allows exactly it out.

pub mod compact;
pub mod conditions;
pub mod group;
pub mod render;
pub mod size;

use crate::action::Action;
use crate::names;
use crate::policy::{Conditions, Effect, PolicyDocument, Statement, StringOrList, POLICY_VERSION};
use crate::report::{Code, Diagnostics};
use crate::usage::UsageSet;
use conditions::{
    action_conditions, all_have, describes, ConditionKind, Facts, INSTANCE_TYPE_FACT,
};
use group::Seen;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitOptions {
    /// More resources than this under one parent, for one action, become a prefix wildcard.
    pub max_resources: usize,
    /// `--condition`: which observed facts become `Condition` entries.
    pub conditions: BTreeSet<ConditionKind>,
    /// `--compact`: action lists become exact wildcards where the catalogue allows ([`compact`]).
    pub compact: bool,
    /// `--exact`: every observed resource name as it is, no per-run identifier or crowd generalised.
    pub exact: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            max_resources: 20,
            conditions: BTreeSet::new(),
            compact: false,
            exact: false,
        }
    }
}

/// A resource of the policy that stands for more than what it names: per-run identifiers or a crowd became
/// `*`. The summary and `--explain` list them with what was observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generalised {
    pub resource: String,
    pub actions: BTreeSet<String>,
    /// How many observed resources it stands for (0: unknown, a crowd of the usage set).
    pub observed: usize,
    /// The first observed resources, in sort order.
    pub examples: crate::usage::SmallSet<String>,
    /// The identifiers that became `*`: kind and examples.
    pub identifiers: BTreeSet<String>,
    /// How a crowd made it, if one did: the crowd rule past `--max-resources`, or the usage set's crowd.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crowd: Option<String>,
}

pub fn emit(
    usage: &UsageSet,
    options: &EmitOptions,
    diagnostics: &mut Diagnostics,
) -> PolicyDocument {
    emit_report(usage, options, diagnostics).0
}

/// The policy, and every resource in it that stands for more than what it names.
pub fn emit_report(
    usage: &UsageSet,
    options: &EmitOptions,
    diagnostics: &mut Diagnostics,
) -> (PolicyDocument, Vec<Generalised>) {
    let mut keys_of: BTreeMap<&str, Vec<(&crate::usage::UsageKey, &crate::usage::Evidence)>> =
        BTreeMap::new();
    for (key, evidence) in &usage.used {
        keys_of
            .entry(&key.action)
            .or_default()
            .push((key, evidence));
    }
    // Each action splits into parts that share conditions: the instance resources of `ec2:RunInstances`
    // get `ec2:InstanceType`, its other resources (AMI, subnet, volume) keep working without it.
    let mut per_action: BTreeMap<(&str, Facts), BTreeMap<String, Seen>> = BTreeMap::new();
    for (action, entries) in &keys_of {
        let keys: Vec<&crate::usage::UsageKey> = entries.iter().map(|(k, _)| *k).collect();
        let shared = action_conditions(&keys, &options.conditions);
        let instances: Vec<&crate::usage::UsageKey> = keys
            .iter()
            .copied()
            .filter(|k| {
                describes(action, INSTANCE_TYPE_FACT, &k.resource)
                    && k.facts.contains_key(INSTANCE_TYPE_FACT)
            })
            .collect();
        let instance_types = options
            .conditions
            .contains(&ConditionKind::InstanceType)
            .then(|| all_have(&instances, INSTANCE_TYPE_FACT))
            .flatten()
            .filter(|_| !instances.is_empty());
        let tagged: Vec<&crate::usage::UsageKey> = keys
            .iter()
            .copied()
            .filter(|k| conditions::takes_request_tags(k))
            .collect();
        let tags = if options.conditions.contains(&ConditionKind::Tags) {
            conditions::request_tags(&tagged)
        } else {
            Facts::new()
        };
        for (key, evidence) in entries {
            let mut facts = shared.clone();
            if let Some(types) = instance_types
                .as_ref()
                .filter(|_| describes(action, INSTANCE_TYPE_FACT, &key.resource))
            {
                facts.insert(INSTANCE_TYPE_FACT.to_string(), types.clone());
            }
            if conditions::takes_request_tags(key) {
                facts.extend(tags.clone());
            }
            let seen = Seen::of(evidence);
            let resources = per_action.entry((action, facts)).or_default();
            match resources.get_mut(&key.resource) {
                Some(existing) => existing.merge(&seen),
                None => {
                    resources.insert(key.resource.clone(), seen);
                }
            }
        }
    }
    // Containers the principal creates resources in: some call names `container/*` (`instance/*`).
    let created: BTreeSet<String> = usage
        .used
        .keys()
        .filter_map(|k| {
            let container = names::container(&k.resource);
            let rest = k.resource.get(container.len()..)?;
            (!container.is_empty() && (rest == "/*" || rest == ":*")).then(|| container.to_string())
        })
        .collect();
    let mut generalised: BTreeMap<String, Generalised> = BTreeMap::new();
    let mut by_resources: BTreeMap<(Vec<String>, Facts), BTreeSet<String>> = BTreeMap::new();
    for ((action, facts), observed) in per_action {
        let resources: BTreeSet<String> = if observed.contains_key("*") {
            BTreeSet::from(["*".to_string()])
        } else {
            let made = group::generalise(&observed, options.max_resources, options.exact, &created);
            report_generalised(
                action,
                &made,
                usage,
                &observed,
                options.max_resources,
                diagnostics,
                &mut generalised,
            );
            made.resources.into_keys().collect()
        };
        by_resources
            .entry((resources.into_iter().collect(), facts))
            .or_default()
            .insert(action.to_string());
    }
    let mut statements: Vec<Statement> = by_resources
        .into_iter()
        .map(|((resources, facts), actions)| {
            let condition = condition(&facts);
            // The conditions take part in the Sid, so two statements that differ only in them stay distinct.
            let sid = match &condition {
                None => sid(&actions, &resources),
                Some(c) => {
                    let mut keyed = resources.clone();
                    keyed.push(serde_json::to_string(c).unwrap_or_default());
                    sid(&actions, &keyed)
                }
            };
            Statement {
                sid: Some(sid),
                effect: Effect::Allow,
                action: Some(StringOrList::List(actions.into_iter().collect())),
                not_action: None,
                resource: Some(StringOrList::List(resources)),
                not_resource: None,
                condition,
            }
        })
        .collect();
    statements.sort_by(|a, b| a.sid.cmp(&b.sid));
    let doc = PolicyDocument {
        version: POLICY_VERSION.to_string(),
        statements,
    };
    // Last, so that Sids stay those of the exact action lists (stable with and without `--compact`) and the
    // size check and the review see the document as it is written.
    let doc = if options.compact {
        compact::compact(&doc, crate::mapper::catalogue::Registry::embedded())
    } else {
        doc
    };
    (doc, generalised.into_values().collect())
}

/// Diagnostics for what one action's generalisation made, and the summary's records of it: a
/// `wildcard-segment` note per resource whose per-run identifiers became `*` (naming the kind and two
/// observed values), a `resource-generalised` warning per crowd (naming the names it merged).
fn report_generalised(
    action: &str,
    made: &group::Generalisation,
    usage: &UsageSet,
    observed: &BTreeMap<String, Seen>,
    max_resources: usize,
    diagnostics: &mut Diagnostics,
    generalised: &mut BTreeMap<String, Generalised>,
) {
    let mut record = |resource: &str, written: &group::Written, crowd: Option<String>| {
        let entry = generalised
            .entry(resource.to_string())
            .or_insert_with(|| Generalised {
                resource: resource.to_string(),
                actions: BTreeSet::new(),
                observed: 0,
                examples: crate::usage::SmallSet::new(),
                identifiers: BTreeSet::new(),
                crowd: None,
            });
        entry.actions.insert(action.to_string());
        entry.observed = entry.observed.max(written.observed);
        crate::usage::keep_first(&mut entry.examples, &written.examples, 3);
        entry
            .identifiers
            .extend(written.identifiers.iter().map(|(k, v)| describe(*k, v)));
        if crowd.is_some() {
            entry.crowd = crowd;
        }
    };
    let crowded: BTreeSet<&str> = made.crowded.iter().map(|c| c.container.as_str()).collect();
    for (resource, written) in &made.resources {
        if !written.identifiers.is_empty() {
            let kinds: Vec<String> = written
                .identifiers
                .iter()
                .map(|(k, v)| describe(*k, v))
                .collect();
            let example = written.examples.first().cloned().unwrap_or_default();
            diagnostics.add(
                Code::WildcardSegment,
                resource.to_string(),
                format!(
                    "per-run {} became `*`: {} observed, e.g. `{example}` (`--exact` keeps every name)",
                    kinds.join(", "),
                    written.observed
                ),
                None,
            );
        }
        let container = names::container(resource);
        let kept = usage
            .crowds
            .contains_key(&(action.to_string(), container.to_string()));
        // Only what generalisation wrote: an observed resource (with the map's own `*`, if any) is not
        // listed, unless the usage set's crowd already wrote it.
        if observed.contains_key(resource) && !kept {
            continue;
        }
        let crowd = if kept {
            Some(format!(
                "usage set's crowd (more than {} resources)",
                crate::usage::CROWD
            ))
        } else if crowded.contains(container) {
            Some(format!("crowd rule (threshold {max_resources})"))
        } else {
            None
        };
        if kept {
            // The usage set no longer knows how many resources its shapes stand for.
            let shapes = group::Written {
                observed: 0,
                ..written.clone()
            };
            record(resource, &shapes, crowd);
        } else {
            record(resource, written, crowd);
        }
    }
    for crowd in &made.crowded {
        let steps: Vec<String> = crowd
            .merges
            .iter()
            .map(|m| {
                let more = if m.distinct > m.values.len() {
                    ", …"
                } else {
                    ""
                };
                let names: Vec<String> = m.values.iter().map(|v| format!("`{v}`")).collect();
                let stable = if m.stable { "names" } else { "identifiers" };
                format!(
                    "{} {stable} ({}{more}) became `*` in `{}`",
                    m.distinct,
                    names.join(", "),
                    m.example
                )
            })
            .collect();
        diagnostics.add(
            Code::ResourceGeneralised,
            action.to_string(),
            format!(
                "{} resources in `{}` became {} (threshold {}: raise `--max-resources` to keep more): {}",
                crowd.before,
                crowd.container,
                crowd.after,
                max_resources,
                steps.join("; ")
            ),
            None,
        );
    }
    // Crowds the usage set kept generalised (more than `CROWD` resources in one container).
    let containers: BTreeSet<&str> = observed.keys().map(|r| names::container(r)).collect();
    for container in containers {
        let Some(crowd) = usage
            .crowds
            .get(&(action.to_string(), container.to_string()))
        else {
            continue;
        };
        let examples: Vec<String> = crowd.examples.iter().map(|e| format!("`{e}`")).collect();
        diagnostics.add(
            Code::ResourceGeneralised,
            action.to_string(),
            format!(
                "more than {} resources in `{container}`, e.g. {}: kept with every identifier{} as `*`",
                crate::usage::CROWD,
                examples.join(", "),
                match crowd.level {
                    0 | 1 => String::new(),
                    2 => " and every token with a digit".to_string(),
                    level => format!(
                        ", every token with a digit and the last {} components",
                        level - 2
                    ),
                }
            ),
            None,
        );
    }
}

/// `run number (`4183`, `4186`, … 22 values)`.
fn describe(kind: names::IdKind, values: &group::Values) -> String {
    let examples: Vec<String> = values.examples.iter().map(|v| format!("`{v}`")).collect();
    let more = if values.distinct > values.examples.len() {
        format!(", … {} values", values.distinct)
    } else {
        String::new()
    };
    format!("{kind} ({}{more})", examples.join(", "))
}

fn condition(facts: &Facts) -> Option<Conditions> {
    if facts.is_empty() {
        return None;
    }
    let keys = facts
        .iter()
        .map(|(k, v)| (k.clone(), StringOrList::List(v.iter().cloned().collect())))
        .collect();
    Some(BTreeMap::from([("StringEquals".to_string(), keys)]))
}

/// A readable Sid that depends only on the statement's content: the services, then a hash of the resources
/// (so adding an action to a statement keeps its Sid stable in a diff).
pub fn sid(actions: &BTreeSet<String>, resources: &[String]) -> String {
    let prefixes: BTreeSet<&str> = actions
        .iter()
        .filter_map(|a| Action::parse(a))
        .map(|a| a.prefix())
        .collect();
    let mut name: String = prefixes.iter().map(|p| pascal(p)).collect();
    if name.len() > 48 {
        name.truncate(48);
    }
    if resources == ["*"] {
        name.push_str("AllResources");
    } else {
        name.push_str(&format!(
            "{:08X}",
            fnv1a(resources.join("\n").as_bytes()) as u32
        ));
    }
    name
}

fn pascal(prefix: &str) -> String {
    prefix
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{Evidence, UsageKey};

    fn usage(items: &[(&str, &str)]) -> UsageSet {
        crate::usage::usage_of(items)
    }

    #[test]
    fn groups_by_identical_resources() {
        let set = usage(&[
            ("s3:GetObject", "arn:aws:s3:::b/k"),
            ("s3:PutObject", "arn:aws:s3:::b/k"),
            ("s3:ListBucket", "arn:aws:s3:::b"),
            ("sts:GetCallerIdentity", "*"),
            ("ecr:GetAuthorizationToken", "*"),
            ("s3:GetObject", "*"),
        ]);
        let doc = emit(&set, &EmitOptions::default(), &mut Diagnostics::default());
        let shapes: Vec<(Vec<String>, Vec<String>)> = doc
            .statements
            .iter()
            .map(|s| {
                (
                    s.action
                        .clone()
                        .map(|a| a.items().to_vec())
                        .unwrap_or_default(),
                    s.resource
                        .clone()
                        .map(|r| r.items().to_vec())
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert!(shapes.contains(&(
            vec![
                "ecr:GetAuthorizationToken".into(),
                "s3:GetObject".into(),
                "sts:GetCallerIdentity".into()
            ],
            vec!["*".into()]
        )));
        assert!(shapes.contains(&(vec!["s3:PutObject".into()], vec!["arn:aws:s3:::b/k".into()])));
        assert!(shapes.contains(&(vec!["s3:ListBucket".into()], vec!["arn:aws:s3:::b".into()])));
        assert_eq!(doc.statements.len(), 3);
    }

    #[test]
    fn instance_type_condition_only_on_instances() {
        let mut set = UsageSet::default();
        for resource in [
            "arn:aws:ec2:us-east-1:111122223333:instance/*",
            "arn:aws:ec2:us-east-1::image/ami-1",
        ] {
            let key = UsageKey {
                action: "ec2:RunInstances".into(),
                resource: resource.into(),
                region: "us-east-1".into(),
                facts: BTreeMap::from([("ec2:InstanceType".to_string(), "t3.small".to_string())]),
            };
            set.add(key, Evidence::new("2026-11-01T00:00:00Z", "e1", None));
        }
        let options = EmitOptions {
            conditions: BTreeSet::from([ConditionKind::InstanceType]),
            ..EmitOptions::default()
        };
        let doc = emit(&set, &options, &mut Diagnostics::default());
        assert_eq!(doc.statements.len(), 2);
        for s in &doc.statements {
            let on_instance = s
                .resource
                .as_ref()
                .is_some_and(|r| r.items()[0].contains(":instance/"));
            assert_eq!(s.condition.is_some(), on_instance);
        }
        let plain = emit(&set, &EmitOptions::default(), &mut Diagnostics::default());
        assert_eq!(plain.statements.len(), 1);
    }

    #[test]
    fn sids_are_content_derived_and_valid() {
        let actions: BTreeSet<String> =
            ["s3:GetObject".to_string(), "kms:Decrypt".to_string()].into();
        let a = sid(&actions, &["arn:aws:s3:::b".to_string()]);
        assert_eq!(a, sid(&actions, &["arn:aws:s3:::b".to_string()]));
        assert!(a.starts_with("KmsS3"));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(sid(&actions, &["*".to_string()]), "KmsS3AllResources");
        assert_eq!(pascal("resource-groups"), "ResourceGroups");
    }
}
