//! What each current grant is, judged by the calls of the window: kept, added, unused, not logged, and
//! what the denied attempts say about the current policy.

use super::analyse::Analysed;
use super::not_logged::{matches_any, unlogged, Unlogged};
use super::text::sorted;
use super::{Added, DeniedAttempt, DenyReport, WildcardUse};
use crate::emitter::sid;
use crate::mapper::catalogue::Registry;
use crate::policy::{Effect, Statement, StringOrList};
use crate::usage::{DeniedKey, Evidence};
use std::collections::{BTreeMap, BTreeSet};

/// Resources used per action.
pub type Used<'u> = BTreeMap<&'u str, BTreeSet<&'u str>>;

fn allows<'s, 'a>(analysed: &'s [Analysed<'a>]) -> impl Iterator<Item = &'s Analysed<'a>> {
    analysed
        .iter()
        .filter(|a| a.statement.effect == Effect::Allow)
}

/// The used calls against the current grants.
#[derive(Default)]
pub struct UsedCalls {
    pub added: BTreeMap<String, Added>,
    pub kept: BTreeSet<String>,
    /// Statement label → the used actions only its (unevaluated) conditions would grant.
    pub only_conditional: BTreeMap<String, BTreeSet<String>>,
}

/// A used call is kept when an unconditional Allow covers it (and no unconditional Deny does); covered only
/// by a conditional Allow, it is that statement's; otherwise the proposal adds it.
pub fn used_calls(analysed: &[Analysed], used: &Used) -> UsedCalls {
    let mut out = UsedCalls::default();
    for (action, resources) in used {
        let mut all_kept = true;
        for resource in resources {
            let denied = analysed.iter().any(|a| {
                a.statement.effect == Effect::Deny
                    && a.statement.condition.is_none()
                    && a.statement.covers(action, resource)
            });
            let granted = allows(analysed)
                .any(|a| a.statement.condition.is_none() && a.statement.covers(action, resource));
            if granted && !denied {
                continue;
            }
            all_kept = false;
            match allows(analysed)
                .find(|a| a.statement.condition.is_some() && a.statement.covers(action, resource))
            {
                Some(conditional) => {
                    out.only_conditional
                        .entry(conditional.label.clone())
                        .or_default()
                        .insert(action.to_string());
                }
                None => {
                    out.added
                        .entry(action.to_string())
                        .or_insert_with(|| Added {
                            resources: BTreeSet::new(),
                        })
                        .resources
                        .insert(resource.to_string());
                }
            }
        }
        if all_kept {
            out.kept.insert(action.to_string());
        }
    }
    out
}

/// Each denied attempt, explained by a Deny of the current policy, granted by it (so denied elsewhere), or
/// not granted; and each Deny statement with the attempts it blocked.
pub fn denied_attempts(
    analysed: &[Analysed],
    used: &Used,
    denied: &BTreeMap<DeniedKey, Evidence>,
    catalogue: &Registry,
) -> (Vec<DenyReport>, Vec<DeniedAttempt>) {
    let deny_statements: Vec<&Analysed> = analysed
        .iter()
        .filter(|a| a.statement.effect == Effect::Deny)
        .collect();
    let mut denies: Vec<DenyReport> = deny_statements
        .iter()
        .map(|a| DenyReport {
            statement: a.label.clone(),
            actions: a
                .statement
                .action
                .as_ref()
                .or(a.statement.not_action.as_ref())
                .map(|l| l.items().to_vec())
                .unwrap_or_default(),
            conditional: a.statement.condition.is_some(),
            blocked: BTreeSet::new(),
        })
        .collect();
    let mut attempts = Vec::new();
    for (key, evidence) in denied {
        let action = catalogue
            .canonical_action(&key.action)
            .map(|(service, name)| format!("{}:{name}", service.prefix))
            .unwrap_or_else(|| key.action.clone());
        // An unconditional Deny explains the attempt; a conditional one only may.
        let blocking = deny_statements
            .iter()
            .enumerate()
            .filter(|(_, a)| a.actions.contains(&action))
            .min_by_key(|(_, a)| a.statement.condition.is_some())
            .map(|(index, _)| index);
        let verdict = if let Some(index) = blocking {
            let deny = deny_statements[index];
            if deny.statement.condition.is_none() {
                denies[index].blocked.insert(action.clone());
                format!(
                    "blocked by the explicit Deny `{}` (carried over)",
                    deny.label
                )
            } else {
                format!(
                    "maybe blocked by the conditional Deny `{}` (its conditions are not evaluated; carried over)",
                    deny.label
                )
            }
        } else if allows(analysed).any(|a| a.actions.contains(&action)) {
            "granted by the current policy, so denied elsewhere (permissions boundary, SCP, session or resource policy)".to_string()
        } else if used.contains_key(action.as_str()) {
            "not granted by the current policy; the proposal grants the action for the calls that succeeded"
                .to_string()
        } else {
            // Not an addition: the proposal does not grant it either.
            "not granted by the current policy nor by the proposal (`--include-denied` grants denied calls)"
                .to_string()
        };
        attempts.push(DeniedAttempt {
            action,
            error_code: key.error_code.clone(),
            count: evidence.count,
            verdict,
        });
    }
    (denies, attempts)
}

/// The grants of unconditional Allow statements that no call used.
#[derive(Default)]
pub struct Unused {
    /// Proposed for removal: action → the statements granting it.
    pub unused: BTreeMap<String, BTreeSet<String>>,
    /// Kept because CloudTrail could not have shown their use: action → why.
    pub not_logged: BTreeMap<String, String>,
    /// The not-logged grants, as statements carried into the proposal.
    pub carried: Vec<Statement>,
    pub wildcards: Vec<WildcardUse>,
    /// One coverage note per class of not-logged grants.
    pub notes: Vec<String>,
}

pub fn unused_grants(analysed: &[Analysed], used_actions: &BTreeSet<&str>) -> Unused {
    let observed_class = |class: &Unlogged| {
        class.data_event && used_actions.iter().any(|a| matches_any(&class.patterns, a))
    };
    let not_logged_why = |action: &str| {
        unlogged()
            .iter()
            .find(|c| matches_any(&c.patterns, action) && !observed_class(c))
            .map(|c| c.what.as_str())
    };
    let mut out = Unused::default();
    for a in allows(analysed).filter(|a| a.statement.condition.is_none()) {
        let mut unlogged_here = BTreeSet::new();
        for action in &a.actions {
            if used_actions.contains(action.as_str()) {
                continue;
            }
            match not_logged_why(action) {
                Some(why) => {
                    out.not_logged.insert(action.clone(), why.to_string());
                    unlogged_here.insert(action.clone());
                }
                None => {
                    out.unused
                        .entry(action.clone())
                        .or_default()
                        .insert(a.label.clone());
                }
            }
        }
        for (pattern, expansion) in &a.patterns {
            out.wildcards.push(WildcardUse {
                statement: a.label.clone(),
                pattern: pattern.clone(),
                expands_to: expansion.len(),
                used: expansion
                    .iter()
                    .filter(|x| used_actions.contains(x.as_str()))
                    .count(),
                unused: expansion
                    .iter()
                    .filter(|x| out.unused.contains_key(x.as_str()))
                    .count(),
            });
        }
        if !unlogged_here.is_empty() {
            out.carried
                .push(not_logged_statement(a.statement, unlogged_here));
        }
    }
    for class in unlogged() {
        let granted: Vec<&String> = out
            .not_logged
            .keys()
            .filter(|a| matches_any(&class.patterns, a))
            .collect();
        if let Some(first) = granted.first() {
            out.notes.push(format!(
                "{}: {} granted action(s) kept, since CloudTrail {} (e.g. `{first}`)",
                class.what,
                granted.len(),
                if class.data_event {
                    "logged none of them in the window (data events off?)"
                } else {
                    "cannot show their use"
                },
            ));
        }
    }
    out
}

/// The not-logged actions of a statement, on its resources, as a statement of their own.
fn not_logged_statement(original: &Statement, actions: BTreeSet<String>) -> Statement {
    let resources = original
        .resource
        .as_ref()
        .or(original.not_resource.as_ref())
        .map(|l| sorted(l.items()))
        .unwrap_or_default();
    let mut statement = Statement {
        sid: Some(format!("NotLogged{}", sid(&actions, &resources))),
        effect: Effect::Allow,
        action: Some(StringOrList::List(actions.into_iter().collect())),
        not_action: None,
        resource: None,
        not_resource: None,
        condition: None,
    };
    if original.resource.is_some() {
        statement.resource = Some(StringOrList::List(resources));
    } else {
        statement.not_resource = Some(StringOrList::List(resources));
    }
    statement
}
