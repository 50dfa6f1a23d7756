//! The review: the current policies against the proposal, judged by the calls of the window and evaluated
//! against the IAM catalogue (wildcards, `NotAction`, `NotResource`), with a unified text diff of both in one
//! canonical form, for machines (`diff-json`) and people (`markdown`).
//!
//! The proposal in review mode is the emitted policy plus what policygen cannot judge from CloudTrail, carried
//! over unchanged: explicit `Deny` statements, statements with conditions, grants CloudTrail does not log, and,
//! when the run is incomplete, every current statement (removals are withheld).

mod analyse;
mod grants;
pub mod markdown;
mod not_logged;
mod text;

pub use text::{canonical, unified};

use crate::current::CurrentPolicies;
use crate::mapper::catalogue::Registry;
use crate::policy::{Effect, PolicyDocument, Statement};
use crate::usage::UsageSet;
use analyse::{analyse, Analysed};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the review is based on: shown in every diff so a reader can judge the removals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub window: String,
    pub sources: Vec<String>,
    pub files_read: u64,
    pub records_read: u64,
    pub records_matched: u64,
    /// Days of the window (UTC) on which no record at all was read, as `day` or `first..last`.
    pub days_without_logs: Vec<String>,
    /// Granted actions CloudTrail does not log (or logs only as data events that were not seen).
    pub not_logged: Vec<String>,
    /// Gaps of the inputs: unread files, unmapped calls, unknown attached policies.
    pub notes: Vec<String>,
    pub complete: bool,
}

/// One `Action` pattern (or a whole `NotAction`) of a current Allow statement and what it expands to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WildcardUse {
    pub statement: String,
    pub pattern: String,
    pub expands_to: usize,
    pub used: usize,
    pub unused: usize,
}

/// A used action the current policy does not grant (on these resources) and the proposal adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    pub resources: BTreeSet<String>,
}

/// A statement whose conditions policygen cannot evaluate: carried over, never counted as used or unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotEvaluated {
    pub statement: String,
    pub effect: Effect,
    pub condition_keys: BTreeSet<String>,
    pub actions: usize,
    /// Actions it grants that were used and that no unconditional statement grants.
    pub used_only_here: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DenyReport {
    pub statement: String,
    pub actions: Vec<String>,
    pub conditional: bool,
    /// Attempts in the window that this Deny explains.
    pub blocked: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeniedAttempt {
    pub action: String,
    pub error_code: String,
    pub count: u64,
    pub verdict: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    pub added: usize,
    pub removed: usize,
    pub kept: usize,
    pub not_evaluated: usize,
    pub not_logged: usize,
}

/// The semantic diff, for machines (`--format diff-json`) and the markdown comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SemanticDiff {
    /// The current policies already grant exactly the proposal (`--check` exits 0).
    pub equal: bool,
    pub current: Vec<String>,
    /// Why nothing is proposed for removal, when the run is incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removals_withheld: Option<String>,
    pub summary: DiffSummary,
    /// Used but not granted today, granted by the proposal: action → the resources missing.
    pub added: BTreeMap<String, Added>,
    /// Granted, never used in the window: action → the statements granting it.
    pub unused: BTreeMap<String, BTreeSet<String>>,
    pub kept: BTreeSet<String>,
    pub wildcards: Vec<WildcardUse>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Granted, not used, but CloudTrail could not have shown a use: action → why. Carried over.
    pub not_logged: BTreeMap<String, String>,
    pub denies: Vec<DenyReport>,
    pub denied_attempts: Vec<DeniedAttempt>,
    /// Actions of the current policies that the IAM catalogue does not know (typos, retired actions).
    pub unknown_actions: BTreeSet<String>,
    pub coverage: Coverage,
}

/// Everything a review produced.
#[derive(Debug, Clone)]
pub struct Review {
    pub proposed: PolicyDocument,
    pub diff: SemanticDiff,
    /// Unified diff of the canonical current document against the canonical proposal (empty when equal).
    pub text: String,
}

/// Compares the current policies with the emitted policy and the usage it came from.
/// `coverage.complete == false` withholds every removal.
pub fn review(
    current: &CurrentPolicies,
    emitted: &PolicyDocument,
    usage: &UsageSet,
    mut coverage: Coverage,
) -> Review {
    let catalogue = Registry::embedded();
    let mut unknown = BTreeSet::new();
    let analysed = analyse(&current.policies, catalogue, &mut unknown);
    let mut used: grants::Used = BTreeMap::new();
    for key in usage.used.keys() {
        used.entry(&key.action).or_default().insert(&key.resource);
    }
    let calls = grants::used_calls(&analysed, &used);
    let (denies, denied_attempts) =
        grants::denied_attempts(&analysed, &used, &usage.denied, catalogue);
    let used_actions: BTreeSet<&str> = used.keys().copied().collect();
    let unused = grants::unused_grants(&analysed, &used_actions);
    coverage.not_logged.extend(unused.notes);
    coverage.notes.extend(current.notes.iter().cloned());
    let not_evaluated = not_evaluated(&analysed, &calls.only_conditional);
    let removals_withheld = (!coverage.complete).then(|| {
        "the run is incomplete (see the coverage notes): every current statement is kept, nothing is proposed for removal".to_string()
    });
    let proposed = proposal(
        emitted,
        current,
        unused.carried,
        removals_withheld.is_some(),
    );
    let current_doc = PolicyDocument {
        version: proposed.version.clone(),
        statements: current
            .policies
            .iter()
            .flat_map(|p| p.document.statements.iter().cloned())
            .collect(),
    };
    let equal = text::atoms(&current_doc, catalogue) == text::atoms(&proposed, catalogue);
    let text = if equal {
        String::new()
    } else {
        unified(&current_doc, &proposed)
    };
    let summary = DiffSummary {
        added: calls.added.len(),
        removed: if removals_withheld.is_some() {
            0
        } else {
            unused.unused.len()
        },
        kept: calls.kept.len(),
        not_evaluated: not_evaluated.len(),
        not_logged: unused.not_logged.len(),
    };
    Review {
        proposed,
        text,
        diff: SemanticDiff {
            equal,
            current: current.policies.iter().map(|p| p.name.clone()).collect(),
            removals_withheld,
            summary,
            added: calls.added,
            unused: unused.unused,
            kept: calls.kept,
            wildcards: unused.wildcards,
            not_evaluated,
            not_logged: unused.not_logged,
            denies,
            denied_attempts,
            unknown_actions: unknown,
            coverage,
        },
    }
}

/// The current statements with conditions, which are carried over and never judged.
fn not_evaluated(
    analysed: &[Analysed],
    only_conditional: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<NotEvaluated> {
    analysed
        .iter()
        .filter(|a| a.statement.condition.is_some())
        .map(|a| NotEvaluated {
            statement: a.label.clone(),
            effect: a.statement.effect,
            condition_keys: a
                .statement
                .condition
                .iter()
                .flat_map(|c| c.values().flat_map(|keys| keys.keys().cloned()))
                .collect(),
            actions: a.actions.len(),
            used_only_here: only_conditional.get(&a.label).cloned().unwrap_or_default(),
        })
        .collect()
}

/// The emitted policy, then what is carried over: the not-logged grants, conditional Allows and Denies, or
/// every current statement when removals are withheld. Each statement once.
fn proposal(
    emitted: &PolicyDocument,
    current: &CurrentPolicies,
    not_logged: Vec<Statement>,
    withhold_removals: bool,
) -> PolicyDocument {
    let mut statements = emitted.statements.clone();
    let verbatim = |keep: &dyn Fn(&Statement) -> bool| -> Vec<Statement> {
        current
            .policies
            .iter()
            .flat_map(|p| p.document.statements.iter())
            .filter(|s| keep(s))
            .cloned()
            .collect()
    };
    if withhold_removals {
        statements.extend(verbatim(&|_| true));
    } else {
        statements.extend(not_logged);
        statements.extend(verbatim(&|s| {
            s.effect == Effect::Allow && s.condition.is_some()
        }));
        statements.extend(verbatim(&|s| s.effect == Effect::Deny));
    }
    let mut seen = Vec::new();
    statements.retain(|s| {
        let fresh = !seen.contains(s);
        if fresh {
            seen.push(s.clone());
        }
        fresh
    });
    PolicyDocument {
        version: emitted.version.clone(),
        statements,
    }
}

impl SemanticDiff {
    /// Pretty JSON with a trailing newline (`--format diff-json`).
    pub fn to_json(&self) -> String {
        crate::policy::pretty_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::current::NamedPolicy;
    use crate::usage::{DeniedKey, Evidence};

    fn doc(text: &str) -> PolicyDocument {
        serde_json::from_str(text).expect("valid policy")
    }

    fn usage(items: &[(&str, &str)]) -> UsageSet {
        crate::usage::usage_of(items)
    }

    fn current(text: &str) -> CurrentPolicies {
        CurrentPolicies {
            policies: vec![NamedPolicy {
                name: "cur".into(),
                document: doc(text),
            }],
            notes: Vec::new(),
        }
    }

    fn complete() -> Coverage {
        Coverage {
            complete: true,
            ..Coverage::default()
        }
    }

    #[test]
    fn classifies_used_unused_missing() {
        let cur = current(
            r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"sts:Get*","Resource":"*"},
               {"Sid":"B","Effect":"Allow","Action":"iam:GetRole","NotResource":"arn:aws:iam::1:role/admin"}]}"#,
        );
        let used = usage(&[
            ("sts:GetCallerIdentity", "*"),
            ("iam:GetRole", "arn:aws:iam::1:role/admin"),
        ]);
        let emitted = doc(r#"{"Statement":[]}"#);
        let r = review(&cur, &emitted, &used, complete());
        assert!(r.diff.kept.contains("sts:GetCallerIdentity"));
        assert!(r.diff.added.contains_key("iam:GetRole"));
        assert!(r.diff.unused.contains_key("sts:GetSessionToken"));
        assert!(!r.diff.equal);
        let wildcard = &r.diff.wildcards[0];
        assert_eq!((wildcard.pattern.as_str(), wildcard.used), ("sts:Get*", 1));
        assert_eq!(wildcard.expands_to, wildcard.used + wildcard.unused);
    }

    #[test]
    fn conditions_and_denies_are_carried_and_withheld_keeps_everything() {
        let cur = current(
            r#"{"Statement":[{"Sid":"C","Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
               {"Sid":"D","Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}]}"#,
        );
        let mut used = usage(&[("s3:ListBucket", "arn:aws:s3:::b")]);
        used.add_denied(
            DeniedKey {
                action: "iam:CreateRole".into(),
                error_code: "AccessDenied".into(),
            },
            Evidence::new("2026-11-01T00:00:00Z", "e2", None),
        );
        let emitted = doc(
            r#"{"Statement":[{"Sid":"S3","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::b"]}]}"#,
        );
        let r = review(&cur, &emitted, &used, complete());
        assert!(r.diff.added.is_empty());
        assert!(r.diff.unused.is_empty());
        assert_eq!(r.diff.not_evaluated[0].used_only_here.len(), 1);
        assert_eq!(r.diff.denies[0].blocked.len(), 1);
        assert_eq!(r.proposed.statements.len(), 3);
        let incomplete = review(&cur, &emitted, &used, Coverage::default());
        assert!(incomplete.diff.removals_withheld.is_some());
        assert_eq!(incomplete.diff.summary.removed, 0);
    }

    #[test]
    fn equal_when_the_same_grants_are_written_differently() {
        let a = doc(
            r#"{"Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","sts:GetSessionToken"],"Resource":"*"}]}"#,
        );
        let b = doc(
            r#"{"Statement":[{"Sid":"X","Effect":"Allow","Action":"sts:GetSessionToken","Resource":["*"]},
               {"Effect":"Allow","Action":"STS:getcalleridentity","Resource":"*"}]}"#,
        );
        let c = Registry::embedded();
        assert_eq!(text::atoms(&a, c), text::atoms(&b, c));
        assert!(unified(&a, &a).lines().all(|l| !l.starts_with('+')));
    }
}
