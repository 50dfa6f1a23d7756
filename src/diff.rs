//! Semantic diff of the current policies against the proposal, evaluated against the IAM catalogue
//! (wildcards, `NotAction`, `NotResource`), and a unified text diff of both in one canonical form.
//!
//! The proposal in review mode is the emitted policy plus what policygen cannot judge from CloudTrail, carried
//! over unchanged: explicit `Deny` statements, statements with conditions, grants CloudTrail does not log, and,
//! when the run is incomplete, every current statement (removals are withheld).

use crate::current::{CurrentPolicies, NamedPolicy};
use crate::emitter::sid;
use crate::glob::wildcard_match;
use crate::mapper::catalogue::Registry;
use crate::policy::{Effect, PolicyDocument, Statement, StringOrList};
use crate::usage::UsageSet;
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

/// Where CloudTrail cannot show a use. Sources: AWS CloudTrail User Guide, "Logging data events" (data event
/// resource types: off unless the trail selects them), and the services' CloudTrail pages for calls that are
/// never logged (RDS IAM authentication, API Gateway invocations, OpenSearch HTTP, MSK and Neptune data plane).
struct Unlogged {
    what: &'static str,
    /// Data events: observable once any of them was seen in the window. Otherwise never logged.
    data_event: bool,
    patterns: &'static [&'static str],
}

const UNLOGGED: &[Unlogged] = &[
    Unlogged {
        what: "S3 object-level calls (data events)",
        data_event: true,
        patterns: &[
            "s3:GetObject*",
            "s3:PutObject*",
            "s3:DeleteObject*",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
            "s3:RestoreObject",
        ],
    },
    Unlogged {
        what: "Lambda invocations (data events)",
        data_event: true,
        patterns: &["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"],
    },
    Unlogged {
        what: "DynamoDB item calls (data events)",
        data_event: true,
        patterns: &[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:Batch*Item",
            "dynamodb:ConditionCheckItem",
            "dynamodb:PartiQL*",
        ],
    },
    Unlogged {
        what: "SQS message calls (data events)",
        data_event: true,
        patterns: &[
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
        ],
    },
    Unlogged {
        what: "SNS publishing (data events)",
        data_event: true,
        patterns: &["sns:Publish"],
    },
    Unlogged {
        what: "Kinesis record calls (data events)",
        data_event: true,
        patterns: &[
            "kinesis:PutRecord",
            "kinesis:PutRecords",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:SubscribeToShard",
        ],
    },
    Unlogged {
        what: "calls CloudTrail never logs (database IAM authentication, API invocations, data-plane HTTP)",
        data_event: false,
        patterns: &[
            "rds-db:*",
            "execute-api:*",
            "es:ESHttp*",
            "kafka-cluster:*",
            "neptune-db:*",
        ],
    },
];

fn matches_any(patterns: &[&str], action: &str) -> bool {
    patterns.iter().any(|p| wildcard_match(p, action, false))
}

/// Wildcard expansion against the IAM catalogue; the list of every action is built once, when needed.
struct Catalogue {
    registry: &'static Registry,
    all: Option<Vec<String>>,
}

impl Catalogue {
    fn new() -> Catalogue {
        Catalogue {
            registry: Registry::embedded(),
            all: None,
        }
    }

    fn service_actions(&self, prefix: &str) -> Vec<String> {
        match self.registry.service(prefix) {
            Some(Ok(service)) => service
                .actions
                .keys()
                .map(|name| format!("{}:{name}", service.prefix))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn all(&mut self) -> &[String] {
        let registry = self.registry;
        let this = &*self;
        if this.all.is_none() {
            let all = registry
                .prefixes()
                .into_iter()
                .flat_map(|p| this.service_actions(p))
                .collect();
            self.all = Some(all);
        }
        self.all.as_deref().unwrap_or_default()
    }

    /// The catalogue actions a pattern matches; a pattern that matches none is returned as itself (unknown).
    fn expand(&mut self, pattern: &str) -> (BTreeSet<String>, Option<String>) {
        let found: BTreeSet<String> = match pattern.split_once(':') {
            _ if pattern == "*" => self.all().iter().cloned().collect(),
            Some((prefix, name)) if !prefix.contains(['*', '?']) => self
                .service_actions(prefix)
                .into_iter()
                .filter(|a| {
                    a.split_once(':')
                        .is_some_and(|(_, n)| wildcard_match(name, n, false))
                })
                .collect(),
            Some(_) => self
                .all()
                .iter()
                .filter(|a| wildcard_match(pattern, a, false))
                .cloned()
                .collect(),
            None => BTreeSet::new(),
        };
        if found.is_empty() {
            (BTreeSet::new(), Some(pattern.to_string()))
        } else {
            (found, None)
        }
    }
}

/// One current statement with what it grants.
struct Analysed<'a> {
    label: String,
    statement: &'a Statement,
    actions: BTreeSet<String>,
    /// Per `Action` pattern (or one entry for a `NotAction`): the pattern and its expansion.
    patterns: Vec<(String, BTreeSet<String>)>,
}

fn analyse<'a>(
    policies: &'a [NamedPolicy],
    catalogue: &mut Catalogue,
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
                    let (found, missing) = catalogue.expand(pattern);
                    if let Some(m) = missing {
                        unknown.insert(m.clone());
                        actions.insert(m.clone());
                        patterns.push((pattern.clone(), BTreeSet::from([m])));
                    } else {
                        actions.extend(found.iter().cloned());
                        patterns.push((pattern.clone(), found));
                    }
                }
            } else if let Some(list) = &statement.not_action {
                let excluded: BTreeSet<String> = list
                    .items()
                    .iter()
                    .flat_map(|p| catalogue.expand(p).0)
                    .collect();
                let found: BTreeSet<String> = catalogue
                    .all()
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

/// Compares the current policies with the emitted policy and the usage it came from.
/// `coverage.complete == false` withholds every removal.
pub fn review(
    current: &CurrentPolicies,
    emitted: &PolicyDocument,
    usage: &UsageSet,
    mut coverage: Coverage,
) -> Review {
    let mut catalogue = Catalogue::new();
    let mut unknown = BTreeSet::new();
    let analysed = analyse(&current.policies, &mut catalogue, &mut unknown);
    let allows: Vec<&Analysed> = analysed
        .iter()
        .filter(|a| a.statement.effect == Effect::Allow)
        .collect();
    let unconditional = |a: &&&Analysed| a.statement.condition.is_none();

    let mut used: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for key in usage.used.keys() {
        used.entry(&key.action).or_default().insert(&key.resource);
    }

    // Used calls: kept when an unconditional Allow covers them (and no unconditional Deny does).
    let mut added: BTreeMap<String, Added> = BTreeMap::new();
    let mut kept = BTreeSet::new();
    let mut only_conditional: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (action, resources) in &used {
        let mut all_kept = true;
        for resource in resources {
            let denied = analysed.iter().any(|a| {
                a.statement.effect == Effect::Deny
                    && a.statement.condition.is_none()
                    && a.statement.covers(action, resource)
            });
            let granted = allows
                .iter()
                .filter(unconditional)
                .any(|a| a.statement.covers(action, resource));
            if granted && !denied {
                continue;
            }
            all_kept = false;
            if let Some(conditional) = allows
                .iter()
                .find(|a| a.statement.condition.is_some() && a.statement.covers(action, resource))
            {
                only_conditional
                    .entry(conditional.label.as_str())
                    .or_default()
                    .insert(action.to_string());
            } else {
                added
                    .entry(action.to_string())
                    .or_insert_with(|| Added {
                        resources: BTreeSet::new(),
                    })
                    .resources
                    .insert(resource.to_string());
            }
        }
        if all_kept {
            kept.insert(action.to_string());
        }
    }

    // Denied attempts: explained by a Deny, granted (so denied elsewhere), or missing.
    let registry = Registry::embedded();
    let mut denies: Vec<DenyReport> = analysed
        .iter()
        .filter(|a| a.statement.effect == Effect::Deny)
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
    let deny_statements: Vec<&Analysed> = analysed
        .iter()
        .filter(|a| a.statement.effect == Effect::Deny)
        .collect();
    let mut denied_attempts = Vec::new();
    for (key, evidence) in &usage.denied {
        let action = registry
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
        } else if allows.iter().any(|a| a.actions.contains(&action)) {
            "granted by the current policy, so denied elsewhere (permissions boundary, SCP, session or resource policy)".to_string()
        } else if used.contains_key(action.as_str()) {
            "not granted by the current policy; the proposal grants the action for the calls that succeeded"
                .to_string()
        } else {
            // Not an addition: the proposal does not grant it either.
            "not granted by the current policy nor by the proposal (`--include-denied` grants denied calls)"
                .to_string()
        };
        denied_attempts.push(DeniedAttempt {
            action,
            error_code: key.error_code.clone(),
            count: evidence.count,
            verdict,
        });
    }

    // Unused grants of unconditional Allow statements.
    let used_actions: BTreeSet<&str> = used.keys().copied().collect();
    let observed_class = |class: &Unlogged| {
        class.data_event && used_actions.iter().any(|a| matches_any(class.patterns, a))
    };
    let not_logged_why = |action: &str| {
        UNLOGGED
            .iter()
            .find(|c| matches_any(c.patterns, action) && !observed_class(c))
            .map(|c| c.what)
    };
    let mut unused: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut not_logged: BTreeMap<String, String> = BTreeMap::new();
    let mut carried_not_logged: Vec<Statement> = Vec::new();
    let mut wildcards = Vec::new();
    for a in allows.iter().filter(unconditional) {
        let mut unlogged_here = BTreeSet::new();
        for action in &a.actions {
            if used_actions.contains(action.as_str()) {
                continue;
            }
            match not_logged_why(action) {
                Some(why) => {
                    not_logged.insert(action.clone(), why.to_string());
                    unlogged_here.insert(action.clone());
                }
                None => {
                    unused
                        .entry(action.clone())
                        .or_default()
                        .insert(a.label.clone());
                }
            }
        }
        for (pattern, expansion) in &a.patterns {
            let used_here = expansion
                .iter()
                .filter(|x| used_actions.contains(x.as_str()))
                .count();
            wildcards.push(WildcardUse {
                statement: a.label.clone(),
                pattern: pattern.clone(),
                expands_to: expansion.len(),
                used: used_here,
                unused: expansion
                    .iter()
                    .filter(|x| unused.contains_key(x.as_str()))
                    .count(),
            });
        }
        if !unlogged_here.is_empty() {
            let resources = a
                .statement
                .resource
                .as_ref()
                .or(a.statement.not_resource.as_ref())
                .map(|l| sorted(l.items()))
                .unwrap_or_default();
            let mut statement = Statement {
                sid: Some(format!("NotLogged{}", sid(&unlogged_here, &resources))),
                effect: Effect::Allow,
                action: Some(StringOrList::List(unlogged_here.into_iter().collect())),
                not_action: None,
                resource: None,
                not_resource: None,
                condition: None,
            };
            if a.statement.resource.is_some() {
                statement.resource = Some(StringOrList::List(resources));
            } else {
                statement.not_resource = Some(StringOrList::List(resources));
            }
            carried_not_logged.push(statement);
        }
    }
    for class in UNLOGGED {
        let granted: Vec<&String> = not_logged
            .iter()
            .filter(|(a, _)| matches_any(class.patterns, a))
            .map(|(a, _)| a)
            .collect();
        if !granted.is_empty() {
            coverage.not_logged.push(format!(
                "{}: {} granted action(s) kept, since CloudTrail {} (e.g. `{}`)",
                class.what,
                granted.len(),
                if class.data_event {
                    "logged none of them in the window (data events off?)"
                } else {
                    "cannot show their use"
                },
                granted[0]
            ));
        }
    }

    let not_evaluated: Vec<NotEvaluated> = analysed
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
            used_only_here: only_conditional
                .get(a.label.as_str())
                .cloned()
                .unwrap_or_default(),
        })
        .collect();

    coverage.notes.extend(current.notes.iter().cloned());
    let removals_withheld = (!coverage.complete).then(|| {
        "the run is incomplete (see the coverage notes): every current statement is kept, nothing is proposed for removal".to_string()
    });

    // The proposal: the emitted policy, then what is carried over.
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
    if removals_withheld.is_some() {
        statements.extend(verbatim(&|_| true));
    } else {
        statements.extend(carried_not_logged);
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
    let proposed = PolicyDocument {
        version: emitted.version.clone(),
        statements,
    };

    let current_doc = PolicyDocument {
        version: proposed.version.clone(),
        statements: current
            .policies
            .iter()
            .flat_map(|p| p.document.statements.iter().cloned())
            .collect(),
    };
    let equal = atoms(&current_doc, &mut catalogue) == atoms(&proposed, &mut catalogue);
    let text = if equal {
        String::new()
    } else {
        unified(&current_doc, &proposed)
    };
    let summary = DiffSummary {
        added: added.len(),
        removed: if removals_withheld.is_some() {
            0
        } else {
            unused.len()
        },
        kept: kept.len(),
        not_evaluated: not_evaluated.len(),
        not_logged: not_logged.len(),
    };
    Review {
        proposed,
        text,
        diff: SemanticDiff {
            equal,
            current: current.policies.iter().map(|p| p.name.clone()).collect(),
            removals_withheld,
            summary,
            added,
            unused,
            kept,
            wildcards,
            not_evaluated,
            not_logged,
            denies,
            denied_attempts,
            unknown_actions: unknown,
            coverage,
        },
    }
}

/// One grant of a document, with actions expanded: two documents are semantically equal when their atom sets
/// are. Resource patterns compare as text, so equivalent but differently written patterns count as a
/// difference (a diff to look at, never a false "equal").
type Atom = (Effect, String, String, String);

fn atoms(doc: &PolicyDocument, catalogue: &mut Catalogue) -> BTreeSet<Atom> {
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

fn sorted(items: &[String]) -> Vec<String> {
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

impl SemanticDiff {
    /// Pretty JSON with a trailing newline (`--format diff-json`).
    pub fn to_json(&self) -> String {
        crate::policy::pretty_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn expands_wildcards_and_not_action() {
        let mut c = Catalogue::new();
        let (gets, none) = c.expand("sts:Get*");
        assert!(none.is_none());
        assert!(gets.contains("sts:GetCallerIdentity"));
        assert!(gets.iter().all(|a| a.starts_with("sts:Get")));
        assert_eq!(
            c.expand("s3:NoSuchThing").1.as_deref(),
            Some("s3:NoSuchThing")
        );
        let (all, _) = c.expand("*");
        let (star_prefix, _) = c.expand("s*:GetObject");
        assert!(star_prefix.contains("s3:GetObject"));
        assert!(all.len() > 10_000);
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
        let mut c = Catalogue::new();
        assert_eq!(atoms(&a, &mut c), atoms(&b, &mut c));
        assert!(unified(&a, &a).lines().all(|l| !l.starts_with('+')));
    }
}
