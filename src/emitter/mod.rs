//! Pure emission: the usage set in, the smallest policy document that allows exactly it out.

pub mod compact;
pub mod conditions;
pub mod group;
pub mod render;
pub mod size;

use crate::policy::{Conditions, Effect, PolicyDocument, Statement, StringOrList, POLICY_VERSION};
use crate::report::{Code, Diagnostics};
use crate::usage::UsageSet;
use conditions::{
    action_conditions, all_have, is_instance, ConditionKind, Facts, INSTANCE_TYPE_FACT,
};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitOptions {
    /// More resources than this under one parent, for one action, become a prefix wildcard.
    pub max_resources: usize,
    /// `--condition`: which observed facts become `Condition` entries.
    pub conditions: BTreeSet<ConditionKind>,
    /// `--compact`: action lists become exact wildcards where the catalogue allows ([`compact`]).
    pub compact: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            max_resources: 20,
            conditions: BTreeSet::new(),
            compact: false,
        }
    }
}

pub fn emit(
    usage: &UsageSet,
    options: &EmitOptions,
    diagnostics: &mut Diagnostics,
) -> PolicyDocument {
    let mut keys_of: BTreeMap<&str, Vec<&crate::usage::UsageKey>> = BTreeMap::new();
    for key in usage.used.keys() {
        keys_of.entry(&key.action).or_default().push(key);
    }
    // Each action splits into parts that share conditions: the instance resources of `ec2:RunInstances`
    // get `ec2:InstanceType`, its other resources (AMI, subnet, volume) keep working without it.
    let mut per_action: BTreeMap<(&str, Facts), BTreeSet<String>> = BTreeMap::new();
    for (action, keys) in &keys_of {
        let shared = action_conditions(keys, &options.conditions);
        let instances: Vec<&crate::usage::UsageKey> = keys
            .iter()
            .copied()
            .filter(|k| is_instance(&k.resource) && k.facts.contains_key(INSTANCE_TYPE_FACT))
            .collect();
        let instance_types = options
            .conditions
            .contains(&ConditionKind::InstanceType)
            .then(|| all_have(&instances, INSTANCE_TYPE_FACT))
            .flatten()
            .filter(|_| !instances.is_empty());
        for key in keys {
            let mut facts = shared.clone();
            if let Some(types) = instance_types
                .as_ref()
                .filter(|_| is_instance(&key.resource))
            {
                facts.insert(INSTANCE_TYPE_FACT.to_string(), types.clone());
            }
            per_action
                .entry((action, facts))
                .or_default()
                .insert(key.resource.clone());
        }
    }
    let mut by_resources: BTreeMap<(Vec<String>, Facts), BTreeSet<String>> = BTreeMap::new();
    for ((action, facts), resources) in per_action {
        let resources = if resources.contains("*") {
            BTreeSet::from(["*".to_string()])
        } else {
            let (general, made) = group::generalise(action, &resources, options.max_resources);
            let crowds = usage.crowds.range((action.to_string(), String::new())..);
            for ((_, _), crowd) in crowds.take_while(|((a, _), _)| a == action) {
                if !resources.contains(&crowd.pattern) {
                    continue;
                }
                diagnostics.add(
                    Code::ResourceGeneralised,
                    action.to_string(),
                    format!(
                        "more than {} resources became `{}`",
                        crate::usage::CROWD,
                        crowd.pattern
                    ),
                    None,
                );
            }
            for g in made {
                diagnostics.add(
                    Code::ResourceGeneralised,
                    g.action.clone(),
                    format!("{} resources became `{}` (threshold {}: raise `--max-resources` to keep them exact)", g.count, g.pattern, options.max_resources),
                    None,
                );
            }
            general
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
    if options.compact {
        compact::compact(&doc, crate::mapper::catalogue::Registry::embedded())
    } else {
        doc
    }
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
    let prefixes: BTreeSet<&str> = actions.iter().filter_map(|a| a.split(':').next()).collect();
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
            "arn:aws:ec2:us-east-1:1:instance/*",
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
