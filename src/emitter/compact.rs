//! `--compact`: shorter action lists that grant exactly the same actions.
//!
//! Within one statement, the actions of one service become `prefix:Stem*` only where every action of the
//! catalogue that the wildcard matches is already in the statement: the statement allows the same set of
//! catalogue actions before and after, on the same resources and under the same conditions. Each action takes
//! the shortest stem that is still exact (the greedy choice: it covers the most actions, and the stems
//! chosen this way never overlap), written as the longest prefix its matches share (`GetObject*`, never an
//! equivalent `GetO*`), which reads better and matches fewer actions that AWS may add later. A wildcard that
//! would stand for one action is written as the action.
//!
//! Only literal, catalogue-known actions take part: patterns already in the statement, unknown actions and
//! `NotAction` lists are kept as written, since compacting them could change what they mean.

use crate::mapper::catalogue::Registry;
use crate::policy::{PolicyDocument, Statement, StringOrList};
use std::collections::{BTreeMap, BTreeSet};

/// `doc` with every statement's `Action` list compacted.
pub fn compact(doc: &PolicyDocument, registry: &Registry) -> PolicyDocument {
    PolicyDocument {
        version: doc.version.clone(),
        statements: doc
            .statements
            .iter()
            .map(|s| compact_statement(s, registry))
            .collect(),
    }
}

fn compact_statement(statement: &Statement, registry: &Registry) -> Statement {
    let Some(list) = &statement.action else {
        return statement.clone();
    };
    let actions = compact_actions(list.items(), registry);
    if actions.len() == list.items().len() {
        // Nothing gained: keep the statement exactly as it was written.
        return statement.clone();
    }
    Statement {
        action: Some(StringOrList::List(actions)),
        ..statement.clone()
    }
}

/// One statement's action list, compacted and sorted.
pub fn compact_actions(actions: &[String], registry: &Registry) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut by_service: BTreeMap<String, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for action in actions {
        let known = if action.contains(['*', '?']) {
            None
        } else {
            registry.canonical_action(action)
        };
        match known {
            Some((service, name)) => {
                by_service
                    .entry(service.prefix.clone())
                    .or_insert_with(|| (service.actions.keys().cloned().collect(), BTreeSet::new()))
                    .1
                    .insert(name);
            }
            None => {
                out.insert(action.clone());
            }
        }
    }
    for (prefix, (catalogue, used)) in by_service {
        for item in patterns(&catalogue, &used) {
            out.insert(format!("{prefix}:{item}"));
        }
    }
    out.into_iter().collect()
}

/// The shortest exact cover of `used` (canonical names of one service) by stems of `catalogue` (every action
/// name of that service). IAM matches action names without regard to case, and so does this.
fn patterns(catalogue: &[String], used: &BTreeSet<String>) -> Vec<String> {
    let lower = |s: &str| s.to_ascii_lowercase();
    let used_lower: BTreeSet<String> = used.iter().map(|u| lower(u)).collect();
    let all: Vec<(String, &str)> = catalogue.iter().map(|c| (lower(c), c.as_str())).collect();
    if !all.is_empty() && all.iter().all(|(l, _)| used_lower.contains(l)) {
        return vec!["*".to_string()];
    }
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for name in used {
        let name_lower = lower(name);
        if covered.contains(&name_lower) {
            continue;
        }
        let matches = (1..=name_lower.len())
            .filter_map(|len| name_lower.get(..len))
            .map(|stem| {
                all.iter()
                    .filter(|(l, _)| l.starts_with(stem))
                    .collect::<Vec<_>>()
            })
            .find(|matched| matched.iter().all(|(l, _)| used_lower.contains(l)));
        match matches {
            Some(matched) if matched.len() >= 2 => {
                out.push(format!("{}*", common_prefix(&matched)));
                covered.extend(matched.iter().map(|(l, _)| l.clone()));
            }
            _ => {
                out.push(name.clone());
                covered.insert(name_lower);
            }
        }
    }
    out
}

/// The longest prefix (compared without case, written as the catalogue writes the first name) of the names.
fn common_prefix(names: &[&(String, &str)]) -> String {
    let Some((first_lower, first)) = names.first().map(|(l, n)| (l.as_str(), *n)) else {
        return String::new();
    };
    let mut len = first_lower.len();
    for (other, _) in names.iter().skip(1) {
        len = first_lower
            .bytes()
            .zip(other.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    // Action names are ASCII; `get` keeps a non-ASCII one from panicking all the same.
    first.get(..len).unwrap_or(first).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn service_actions(prefix: &str) -> Vec<String> {
        let service = Registry::embedded()
            .service(prefix)
            .expect("known service")
            .expect("compiles");
        service
            .actions
            .keys()
            .map(|a| format!("{prefix}:{a}"))
            .collect()
    }

    #[test]
    fn whole_families_become_one_wildcard() {
        let registry = Registry::embedded();
        let mut actions: Vec<String> = service_actions("s3")
            .into_iter()
            .filter(|a| a.starts_with("s3:GetObject"))
            .collect();
        actions.push("s3:ListBucket".into());
        assert_eq!(
            compact_actions(&actions, registry),
            ["s3:GetObject*", "s3:ListBucket"]
        );
        // One action short of the family: the rest is covered by narrower exact wildcards.
        actions.retain(|a| a != "s3:GetObjectTorrent");
        let got = compact_actions(&actions, registry);
        assert!(!got.contains(&"s3:GetObject*".to_string()), "{got:?}");
        assert!(got.contains(&"s3:GetObjectVersion*".to_string()), "{got:?}");
        assert!(got.contains(&"s3:GetObjectTagging".to_string()), "{got:?}");
    }

    #[test]
    fn never_more_than_used() {
        let registry = Registry::embedded();
        // `iam:GetRole*` would also grant GetRoleTemplateVersion.
        let got = compact_actions(&strings(&["iam:GetRole", "iam:GetRolePolicy"]), registry);
        assert_eq!(got, ["iam:GetRole", "iam:GetRolePolicy"]);
        let got = compact_actions(
            &strings(&[
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:GetRoleTemplateVersion",
            ]),
            registry,
        );
        assert_eq!(got, ["iam:GetRole*"]);
        // Case-insensitive input, written in the catalogue's case.
        let got = compact_actions(
            &strings(&["IAM:listroletags", "iam:ListRoles", "iam:ListRolePolicies"]),
            registry,
        );
        assert_eq!(got, ["iam:ListRole*"]);
    }

    #[test]
    fn patterns_unknown_actions_and_whole_services_are_handled() {
        let registry = Registry::embedded();
        let got = compact_actions(
            &strings(&["s3:Get*", "nosuch:Thing", "iam:GetRole", "iam:GetRole"]),
            registry,
        );
        assert_eq!(got, ["iam:GetRole", "nosuch:Thing", "s3:Get*"]);
        let all = service_actions("sts");
        assert_eq!(compact_actions(&all, registry), ["sts:*"]);
        let doc: PolicyDocument = serde_json::from_str(
            r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:GetRole","iam:GetRolePolicy","iam:GetRoleTemplateVersion"],"Resource":"*"},
                {"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#,
        )
        .expect("policy");
        assert_eq!(compact(&doc, registry), doc);
    }
}
