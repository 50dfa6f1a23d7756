//! Resource narrowing: for each grant of the current policies (one action pattern of an unconditional Allow),
//! the resources the proposal keeps for the used actions it covers, when they are not the grant's own.
//! `iam:PassRole` on `*` that becomes two roles is the change a reviewer must see first, not a "kept" count.

use super::analyse::Analysed;
use crate::glob::wildcard_match;
use crate::policy::{Effect, PolicyDocument, Statement};
use crate::usage::Evidence;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One current grant whose resources the proposal changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Narrowed {
    pub policy: String,
    /// The statement's Sid, or `#N` for one without.
    pub statement: String,
    /// The action pattern as written (`iam:PassRole`, `ecr:*`, `NotAction …`).
    pub grants: String,
    /// The grant's resources as written; with `not_resource`, the resources it excludes.
    pub before: Vec<String>,
    pub not_resource: bool,
    /// The proposal's resources for the used actions of this grant.
    pub after: Vec<String>,
    pub actions: BTreeSet<String>,
    pub calls: u64,
    pub last_seen: String,
    /// Some resource of `after` is not within `before`: the proposal's generalisation reaches past the grant.
    pub widens: bool,
    /// Why this change matters most, for the grants that open privilege escalation or secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
}

/// Actions whose broad grants are escalation or secret paths: reviewed first.
const SENSITIVE: &[(&str, &str)] = &[
    (
        "iam:PassRole",
        "hands roles to AWS services: privilege escalation",
    ),
    ("sts:AssumeRole", "assumes roles: privilege escalation"),
    ("kms:Decrypt", "decrypts data and secrets"),
    ("secretsmanager:GetSecretValue", "reads secrets"),
    (
        "ssm:GetParameter",
        "reads parameters, secure strings included",
    ),
    (
        "ssm:GetParameters",
        "reads parameters, secure strings included",
    ),
    (
        "ssm:GetParametersByPath",
        "reads parameters, secure strings included",
    ),
];

/// A stored resource as IAM compares it: request values are stored with IAM's escapes.
fn unescaped(resource: &str) -> String {
    resource
        .replace("${*}", "*")
        .replace("${?}", "?")
        .replace("${$}", "$")
}

fn action_listed(statement: &Statement, action: &str) -> bool {
    statement.action.as_ref().is_some_and(|list| {
        list.items()
            .iter()
            .any(|p| wildcard_match(p, action, false))
    })
}

/// Whether the pattern `inner` only names resources `statement` grants (its `*` read as any text).
fn within(inner: &str, statement: &Statement) -> bool {
    match (&statement.resource, &statement.not_resource) {
        (Some(list), _) => list.items().iter().any(|q| wildcard_match(q, inner, true)),
        (None, Some(list)) => !list
            .items()
            .iter()
            .any(|q| wildcard_match(q, inner, true) || wildcard_match(inner, q, true)),
        (None, None) => false,
    }
}

/// Every grant of an unconditional Allow whose used actions the proposal (`emitted`) allows on other
/// resources than the grant names, the riskiest first.
pub fn narrowed(
    analysed: &[Analysed],
    emitted: &PolicyDocument,
    used: &BTreeMap<&str, BTreeSet<&str>>,
    evidence: &BTreeMap<&str, Evidence>,
) -> Vec<Narrowed> {
    let mut out = Vec::new();
    for a in analysed
        .iter()
        .filter(|a| a.statement.effect == Effect::Allow && a.statement.condition.is_none())
    {
        let (before, not_resource) = match (&a.statement.resource, &a.statement.not_resource) {
            (Some(list), _) => (super::text::sorted(list.items()), false),
            (None, Some(list)) => (super::text::sorted(list.items()), true),
            (None, None) => continue,
        };
        for (pattern, expansion) in &a.patterns {
            let mut actions = BTreeSet::new();
            let mut after = BTreeSet::new();
            for action in expansion {
                let Some(resources) = used.get(action.as_str()) else {
                    continue;
                };
                let here: Vec<String> = resources
                    .iter()
                    .filter(|r| a.statement.covers(action, r))
                    .map(|r| unescaped(r))
                    .collect();
                if here.is_empty() {
                    continue;
                }
                actions.insert(action.clone());
                for statement in emitted
                    .statements
                    .iter()
                    .filter(|s| s.effect == Effect::Allow && action_listed(s, action))
                {
                    let listed = statement.resource.as_ref().map(|l| l.items());
                    for resource in listed.unwrap_or_default() {
                        if here.iter().any(|u| wildcard_match(resource, u, true)) {
                            after.insert(resource.clone());
                        }
                    }
                }
            }
            let after: Vec<String> = after.into_iter().collect();
            if after.is_empty() || (!not_resource && after == before) {
                continue;
            }
            let widens = after.iter().any(|r| !within(r, a.statement));
            let broad = not_resource || before.iter().any(|r| r.contains('*'));
            let risk = SENSITIVE
                .iter()
                .find(|(action, _)| broad && actions.contains(*action))
                .map(|(action, why)| format!("`{action}` {why}"));
            let seen = actions.iter().filter_map(|x| evidence.get(x.as_str()));
            out.push(Narrowed {
                policy: a.policy.clone(),
                statement: a.sid.clone(),
                grants: pattern.clone(),
                before: before.clone(),
                not_resource,
                after,
                calls: seen.clone().map(|e| e.count).sum(),
                last_seen: seen.map(|e| e.last_seen.clone()).max().unwrap_or_default(),
                actions,
                widens,
                risk,
            });
        }
    }
    // Stable: the riskiest first (in the order of `SENSITIVE`), then grants on everything, then in the
    // policies' order.
    out.sort_by_key(|n| {
        (
            SENSITIVE
                .iter()
                .position(|(action, _)| n.actions.contains(*action) && n.risk.is_some())
                .unwrap_or(SENSITIVE.len()),
            !(n.not_resource || n.before.iter().any(|r| r == "*")),
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::current::NamedPolicy;
    use crate::mapper::catalogue::Registry;

    fn doc(text: &str) -> PolicyDocument {
        serde_json::from_str(text).expect("valid policy")
    }

    #[test]
    fn pass_role_on_everything_becomes_two_roles_first() {
        let current = [NamedPolicy {
            name: "p".into(),
            document: doc(
                r#"{"Statement":[{"Sid":"Logs","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:*:1:log-group:*"},
                   {"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#,
            ),
        }];
        let emitted = doc(
            r#"{"Statement":[{"Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b"]},
               {"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":["arn:aws:logs:us-east-1:1:log-group:g:log-stream:run-*"]}]}"#,
        );
        let used = BTreeMap::from([
            (
                "iam:PassRole",
                BTreeSet::from(["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"]),
            ),
            (
                "logs:PutLogEvents",
                BTreeSet::from(["arn:aws:logs:us-east-1:1:log-group:g:log-stream:run-7"]),
            ),
        ]);
        let analysed =
            super::super::analyse::analyse(&current, Registry::embedded(), &mut BTreeSet::new());
        let rows = narrowed(&analysed, &emitted, &used, &BTreeMap::new());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].statement, "Pass");
        assert_eq!(rows[0].after.len(), 2);
        assert!(rows[0]
            .risk
            .as_deref()
            .is_some_and(|r| r.contains("escalation")));
        assert!(!rows[0].widens && !rows[1].widens);
        assert_eq!(rows[1].statement, "Logs");
    }
}
