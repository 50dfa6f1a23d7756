//! Pure emission: the usage set in, the smallest policy document that allows exactly it out.

pub mod group;
pub mod render;

use crate::policy::{Effect, PolicyDocument, Statement, StringOrList, POLICY_VERSION};
use crate::report::{Code, Diagnostics};
use crate::usage::UsageSet;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitOptions {
    /// More resources than this under one parent, for one action, become a prefix wildcard.
    pub max_resources: usize,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions { max_resources: 20 }
    }
}

pub fn emit(
    usage: &UsageSet,
    options: &EmitOptions,
    diagnostics: &mut Diagnostics,
) -> PolicyDocument {
    let mut per_action: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for key in usage.used.keys() {
        per_action
            .entry(&key.action)
            .or_default()
            .insert(key.resource.clone());
    }
    let mut by_resources: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for (action, resources) in per_action {
        let resources = if resources.contains("*") {
            BTreeSet::from(["*".to_string()])
        } else {
            let (general, made) = group::generalise(action, &resources, options.max_resources);
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
            .entry(resources.into_iter().collect())
            .or_default()
            .insert(action.to_string());
    }
    let mut statements: Vec<Statement> = by_resources
        .into_iter()
        .map(|(resources, actions)| Statement {
            sid: Some(sid(&actions, &resources)),
            effect: Effect::Allow,
            action: Some(StringOrList::List(actions.into_iter().collect())),
            not_action: None,
            resource: Some(StringOrList::List(resources)),
            not_resource: None,
            condition: None,
        })
        .collect();
    statements.sort_by(|a, b| a.sid.cmp(&b.sid));
    PolicyDocument {
        version: POLICY_VERSION.to_string(),
        statements,
    }
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
        let mut set = UsageSet::default();
        for (action, resource) in items {
            let key = UsageKey {
                action: action.to_string(),
                resource: resource.to_string(),
                region: "us-east-1".into(),
                facts: BTreeMap::new(),
            };
            set.add(key, Evidence::new("2026-11-01T00:00:00Z", "e1", None));
        }
        set
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
