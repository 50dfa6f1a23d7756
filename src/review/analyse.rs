//! The current policies, statement by statement, with the catalogue actions each grants.

use crate::current::NamedPolicy;
use crate::mapper::catalogue::Registry;
use crate::policy::Statement;
use std::collections::BTreeSet;

/// One current statement with what it grants.
pub struct Analysed<'a> {
    /// `policy#Sid`, or `policy#N` (1-based) for a statement without a Sid.
    pub label: String,
    pub statement: &'a Statement,
    pub actions: BTreeSet<String>,
    /// Per `Action` pattern (or one entry for a `NotAction`): the pattern and its expansion.
    pub patterns: Vec<(String, BTreeSet<String>)>,
}

/// Expands every statement of `policies`; patterns the catalogue does not know go to `unknown` (and stand
/// for themselves).
pub fn analyse<'a>(
    policies: &'a [NamedPolicy],
    catalogue: &Registry,
    unknown: &mut BTreeSet<String>,
) -> Vec<Analysed<'a>> {
    let mut out = Vec::new();
    for policy in policies {
        for (index, statement) in policy.document.statements.iter().enumerate() {
            let label = match &statement.sid {
                Some(sid) => format!("{}#{sid}", policy.name),
                None => format!("{}#{}", policy.name, index + 1),
            };
            let mut patterns = Vec::new();
            let mut actions = BTreeSet::new();
            if let Some(list) = &statement.action {
                for pattern in list.items() {
                    let found = catalogue.expand(pattern).unwrap_or_else(|missing| {
                        unknown.insert(missing.clone());
                        BTreeSet::from([missing])
                    });
                    actions.extend(found.iter().cloned());
                    patterns.push((pattern.clone(), found));
                }
            } else if let Some(list) = &statement.not_action {
                let excluded: BTreeSet<String> = list
                    .items()
                    .iter()
                    .flat_map(|p| catalogue.expand(p).unwrap_or_default())
                    .collect();
                let found: BTreeSet<String> = catalogue
                    .all_actions()
                    .iter()
                    .filter(|a| !excluded.contains(*a))
                    .cloned()
                    .collect();
                actions.extend(found.iter().cloned());
                patterns.push((format!("NotAction {}", list.items().join(", ")), found));
            }
            out.push(Analysed {
                label,
                statement,
                actions,
                patterns,
            });
        }
    }
    out
}
