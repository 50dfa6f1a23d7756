//! Two documents compared as sets of grants, and written side by side as a unified text diff.

use super::analyse::analyse;
use crate::current::NamedPolicy;
use crate::mapper::catalogue::Registry;
use crate::policy::{Effect, PolicyDocument, Statement, StringOrList};
use std::collections::BTreeSet;

/// One grant of a document, with actions expanded: two documents are semantically equal when their atom sets
/// are. Resource patterns compare as text, so equivalent but differently written patterns count as a
/// difference (a diff to look at, never a false "equal").
pub type Atom = (Effect, String, String, String);

pub fn atoms(doc: &PolicyDocument, catalogue: &Registry) -> BTreeSet<Atom> {
    let mut out = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    let named = [NamedPolicy {
        name: String::new(),
        document: doc.clone(),
    }];
    for a in analyse(&named, catalogue, &mut unknown) {
        let condition = a
            .statement
            .condition
            .as_ref()
            .map(|c| serde_json::to_string(&canonical_conditions(c)).unwrap_or_default())
            .unwrap_or_default();
        let resources: Vec<String> = match (&a.statement.resource, &a.statement.not_resource) {
            (Some(list), _) => sorted(list.items()),
            (None, Some(list)) => vec![format!("NotResource {}", sorted(list.items()).join(","))],
            (None, None) => Vec::new(),
        };
        for action in &a.actions {
            for resource in &resources {
                out.insert((
                    a.statement.effect,
                    action.to_ascii_lowercase(),
                    resource.clone(),
                    condition.clone(),
                ));
            }
        }
    }
    out
}

pub fn sorted(items: &[String]) -> Vec<String> {
    let set: BTreeSet<&String> = items.iter().collect();
    set.into_iter().cloned().collect()
}

fn canonical_conditions(conditions: &crate::policy::Conditions) -> crate::policy::Conditions {
    conditions
        .iter()
        .map(|(op, keys)| {
            let keys = keys
                .iter()
                .map(|(k, v)| (k.clone(), StringOrList::List(sorted(v.items()))))
                .collect();
            (op.clone(), keys)
        })
        .collect()
}

/// The canonical form both sides of the text diff are written in: every list sorted and written as a list,
/// statements ordered by effect, Sid and content.
pub fn canonical(doc: &PolicyDocument) -> PolicyDocument {
    let list = |l: &Option<StringOrList>| l.as_ref().map(|l| StringOrList::List(sorted(l.items())));
    let mut statements: Vec<Statement> = doc
        .statements
        .iter()
        .map(|s| Statement {
            sid: s.sid.clone(),
            effect: s.effect,
            action: list(&s.action),
            not_action: list(&s.not_action),
            resource: list(&s.resource),
            not_resource: list(&s.not_resource),
            condition: s.condition.as_ref().map(canonical_conditions),
        })
        .collect();
    statements.sort_by_cached_key(|s| {
        (
            s.effect,
            s.sid.clone(),
            serde_json::to_string(s).unwrap_or_default(),
        )
    });
    PolicyDocument {
        version: doc.version.clone(),
        statements,
    }
}

/// `--- current` / `+++ proposed` unified diff of the canonical forms.
pub fn unified(current: &PolicyDocument, proposed: &PolicyDocument) -> String {
    let before = canonical(current).to_json();
    let after = canonical(proposed).to_json();
    similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header("current", "proposed")
        .to_string()
}
