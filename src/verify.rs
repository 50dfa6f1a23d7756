//! The last step of a run: every distinct successful call the policy was built from must be allowed by the
//! documents written, evaluated as IAM evaluates them (actions, resources, conditions). A call they do not
//! allow is a defect of policygen, reported as `unsound-result` (the run is incomplete), never a silent gap.

use crate::glob::{unescape_value, wildcard_match};
use crate::policy::{
    resource_matches, Context, Decision, Effect, PolicyDocument, Statement, StringOrList,
};
use crate::report::{Code, Diagnostics};
use crate::usage::{UsageKey, UsageSet};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The request IAM evaluates for a usage entry: the real ARN (request values are stored escaped) and the
/// context its facts and region give.
fn request(key: &UsageKey) -> (String, Context) {
    let resource = unescape_value(&key.resource);
    let mut context: Context = key.facts.clone().into_iter().collect();
    if !key.region.is_empty() {
        context.insert("aws:RequestedRegion".to_string(), key.region.clone());
    }
    (resource, context)
}

/// The statements of documents attached together, indexed for many requests: a request is checked only
/// against the statements whose `Action` can name it, and within a statement its resource is looked up among
/// the exact entries and matched against the patterns only. Checking thousands of resources of one action
/// costs a lookup each, where matching every entry of every statement for each resource was quadratic. The
/// verdicts are those of [`PolicyDocument::decide`].
struct Index<'d> {
    statements: Vec<Indexed<'d>>,
    /// Lower-case action → the statements whose `Action` lists it exactly.
    by_action: HashMap<String, Vec<usize>>,
    /// Statements with an action pattern or a `NotAction`: candidates for every request.
    always: Vec<usize>,
    /// How many patterns were matched (`wildcard_match`, `resource_matches`): what the tests bound.
    #[cfg(test)]
    matched: std::cell::Cell<usize>,
}

struct Indexed<'d> {
    statement: &'d Statement,
    /// Its `Action` lists actions exactly: a candidate only for those (through `by_action`).
    listed: bool,
    /// `Resource`, or `NotResource` (`negated`: a hit means the statement does not cover the request).
    resources: Option<Entries<'d>>,
    negated: bool,
}

/// The entries of one `Resource` list: those without a wildcard, an escape or a policy variable (no `*`, `?`
/// or `$`), each of which matches exactly the text it is, and the patterns.
struct Entries<'d> {
    exact: HashSet<&'d str>,
    patterns: Vec<&'d str>,
}

/// Whether a policy entry may match more than the text it is (IAM's wildcards, escapes and variables).
fn is_pattern(entry: &str) -> bool {
    entry.contains(['*', '?', '$'])
}

impl<'d> Entries<'d> {
    fn of(list: &'d StringOrList) -> Entries<'d> {
        let (patterns, exact): (Vec<&str>, Vec<&str>) = list
            .items()
            .iter()
            .map(String::as_str)
            .partition(|entry| is_pattern(entry));
        Entries {
            exact: exact.into_iter().collect(),
            patterns,
        }
    }
}

impl<'d> Index<'d> {
    fn new(documents: &'d [PolicyDocument]) -> Index<'d> {
        let mut index = Index {
            statements: Vec::new(),
            by_action: HashMap::new(),
            always: Vec::new(),
            #[cfg(test)]
            matched: std::cell::Cell::new(0),
        };
        for statement in documents.iter().flat_map(|d| &d.statements) {
            let at = index.statements.len();
            let listed = statement
                .action
                .as_ref()
                .is_some_and(|list| !list.items().iter().any(|a| is_pattern(a)));
            if listed {
                for action in statement.action.iter().flat_map(StringOrList::items) {
                    let statements = index.by_action.entry(action.to_ascii_lowercase());
                    statements.or_default().push(at);
                }
            } else {
                index.always.push(at);
            }
            let (resources, negated) = match (&statement.resource, &statement.not_resource) {
                (Some(list), _) => (Some(Entries::of(list)), false),
                (None, Some(list)) => (Some(Entries::of(list)), true),
                (None, None) => (None, false),
            };
            index.statements.push(Indexed {
                statement,
                listed,
                resources,
                negated,
            });
        }
        index
    }

    /// IAM's decision for one request: an explicit Deny wins, then an Allow, else the implicit deny.
    fn decide(&self, action: &str, resource: &str, context: &Context) -> Decision {
        let listed = self
            .by_action
            .get(&action.to_ascii_lowercase())
            .into_iter()
            .flatten();
        let (mut allowed, mut denied) = (false, false);
        for &at in listed.chain(&self.always) {
            let indexed = &self.statements[at];
            let settled = match indexed.statement.effect {
                Effect::Allow => allowed,
                Effect::Deny => denied,
            };
            if settled
                || !self.covers(indexed, action, resource)
                || !indexed.statement.conditions_hold(context).unwrap_or(false)
            {
                continue;
            }
            match indexed.statement.effect {
                Effect::Allow => allowed = true,
                Effect::Deny => denied = true,
            }
        }
        if denied {
            Decision::ExplicitDeny
        } else if allowed {
            Decision::Allowed
        } else {
            Decision::ImplicitDeny
        }
    }

    /// [`Statement::covers`] for a statement that is a candidate for `action`.
    fn covers(&self, indexed: &Indexed, action: &str, resource: &str) -> bool {
        let action_hit = |list: &StringOrList| {
            list.items().iter().any(|p| {
                self.count();
                wildcard_match(p, action, false)
            })
        };
        let action_ok = indexed.listed
            || match (&indexed.statement.action, &indexed.statement.not_action) {
                (Some(list), _) => action_hit(list),
                (None, Some(list)) => !action_hit(list),
                (None, None) => false,
            };
        let Some(entries) = &indexed.resources else {
            return false;
        };
        let hit = || {
            entries.exact.contains(resource)
                || entries.patterns.iter().any(|p| {
                    self.count();
                    resource_matches(p, resource)
                })
        };
        action_ok && hit() != indexed.negated
    }

    #[cfg(test)]
    fn count(&self) {
        self.matched.set(self.matched.get() + 1);
    }

    #[cfg(not(test))]
    fn count(&self) {}
}

/// The usage entries that `documents`, attached together, do not allow.
pub fn not_allowed<'u>(usage: &'u UsageSet, documents: &[PolicyDocument]) -> Vec<&'u UsageKey> {
    not_allowed_by(&Index::new(documents), usage)
}

fn not_allowed_by<'u>(index: &Index, usage: &'u UsageSet) -> Vec<&'u UsageKey> {
    usage
        .used
        .keys()
        .filter(|key| !allows(index, key))
        .collect()
}

fn allows(index: &Index, key: &UsageKey) -> bool {
    let (resource, context) = request(key);
    index.decide(&key.action, &resource, &context) == Decision::Allowed
}

/// Checks the emitted policy: an `unsound-result` diagnostic for every call it does not allow, and for each
/// failed call whether it grants it anyway (a note: routine traffic) or not (a warning).
pub fn check(usage: &UsageSet, policy: &PolicyDocument, diagnostics: &mut Diagnostics) {
    let index = Index::new(std::slice::from_ref(policy));
    for (key, failed) in &usage.failed {
        let granted =
            !failed.needs.is_empty() && failed.needs.iter().all(|need| allows(&index, need));
        let (code, why) = if granted {
            (
                Code::FailedCallGrantedAnyway,
                format!(
                    "failed with `{}`, and the policy grants it anyway: the same call also succeeded",
                    key.error_code
                ),
            )
        } else {
            (
                Code::FailedCallSkipped,
                format!(
                    "the call failed with `{}`: not granted (use `--include-denied` to grant failed calls)",
                    key.error_code
                ),
            )
        };
        diagnostics.add_n(
            code,
            key.call.clone(),
            why,
            failed.first.clone(),
            failed.evidence.count,
        );
    }
    unsound(not_allowed_by(&index, usage), diagnostics);
}

/// Checks what is finally written (the review's proposal, split into parts) for calls that the emitted
/// policy allowed but the written documents do not (a carried-over `Deny`, a lost part).
pub fn check_written(
    usage: &UsageSet,
    emitted: &PolicyDocument,
    written: &[PolicyDocument],
    diagnostics: &mut Diagnostics,
) {
    // Written as emitted (no review, one part): [`check`] has judged it already.
    if written == std::slice::from_ref(emitted) {
        return;
    }
    let before: BTreeSet<&UsageKey> = not_allowed(usage, std::slice::from_ref(emitted))
        .into_iter()
        .collect();
    let after = not_allowed(usage, written)
        .into_iter()
        .filter(|key| !before.contains(key))
        .collect();
    unsound(after, diagnostics);
}

fn unsound(keys: Vec<&UsageKey>, diagnostics: &mut Diagnostics) {
    for key in keys {
        let region = if key.region.is_empty() {
            String::new()
        } else {
            format!(" in `{}`", key.region)
        };
        let why = format!(
            "the written policy does not allow `{}` on `{}`{region}, which the principal did: a policygen defect, please report it",
            key.action, key.resource
        );
        diagnostics.add(Code::UnsoundResult, key.action.clone(), why, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emitter::{emit, EmitOptions};
    use crate::usage::usage_of;

    #[test]
    fn what_was_emitted_allows_what_was_used() {
        let usage = usage_of(&[
            ("s3:GetObject", "arn:aws:s3:::b/a${*}b"),
            ("sts:GetCallerIdentity", "*"),
        ]);
        let doc = emit(&usage, &EmitOptions::default(), &mut Diagnostics::default());
        assert!(not_allowed(&usage, std::slice::from_ref(&doc)).is_empty());
        let mut diagnostics = Diagnostics::default();
        check(&usage, &PolicyDocument::default(), &mut diagnostics);
        assert_eq!(diagnostics.count(Code::UnsoundResult), 2);
    }

    /// IAM's documented evaluation rules (`tests/data/evaluator-cases.json`): the index decides as the
    /// document does.
    #[test]
    fn the_index_decides_as_the_document() {
        #[derive(serde::Deserialize)]
        struct Cases {
            cases: Vec<Case>,
        }
        #[derive(serde::Deserialize)]
        struct Case {
            policy: PolicyDocument,
            requests: Vec<Request>,
        }
        #[derive(serde::Deserialize)]
        struct Request {
            action: String,
            resource: String,
            #[serde(default)]
            context: Context,
        }
        let text = include_str!("../tests/data/evaluator-cases.json");
        let cases: Cases = serde_json::from_str(text).expect("valid cases");
        let mut checked = 0;
        for case in &cases.cases {
            let index = Index::new(std::slice::from_ref(&case.policy));
            for r in &case.requests {
                let want = case.policy.decide(&r.action, &r.resource, &r.context);
                assert_eq!(index.decide(&r.action, &r.resource, &r.context), want);
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked} requests");
    }

    /// Thousands of resources of one action, written exactly, beside a pattern: each is looked up, and at
    /// most the one pattern is matched per request (matching every entry for each was quadratic: 9 million
    /// matches here, 20 s in a debug build).
    #[test]
    fn many_resources_of_one_action_cost_a_lookup_each() {
        // Three buckets of a thousand objects each: the usage set keeps them (past 1,000 it forms a crowd).
        let resources: Vec<String> = (0..3000)
            .map(|i| format!("arn:aws:s3:::b{}/k{i}", i % 3))
            .collect();
        let mut items: Vec<(&str, &str)> = resources
            .iter()
            .map(|r| ("s3:GetObject", r.as_str()))
            .collect();
        items.push(("s3:GetObject", "arn:aws:s3:::c/logs/1.json"));
        let usage = usage_of(&items);
        assert_eq!(usage.used.len(), 3001);
        let policy: PolicyDocument = serde_json::from_value(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": resources.iter().map(String::as_str).chain(["arn:aws:s3:::c/logs/*"]).collect::<Vec<_>>()},
            {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
        ]}))
        .expect("valid policy");
        let index = Index::new(std::slice::from_ref(&policy));
        assert!(not_allowed_by(&index, &usage).is_empty());
        assert!(
            index.matched.get() <= usage.used.len(),
            "{} matches",
            index.matched.get()
        );
        let mut diagnostics = Diagnostics::default();
        check(&usage, &policy, &mut diagnostics);
        check_written(
            &usage,
            &policy,
            std::slice::from_ref(&PolicyDocument::default()),
            &mut diagnostics,
        );
        assert_eq!(diagnostics.count(Code::UnsoundResult), 3001);
    }

    proptest::proptest! {
        /// Random statements over entries that are exact, patterns, escapes, variables and not ARNs, with
        /// both effects, `NotAction`, `NotResource` and a condition: the index decides as the document.
        #[test]
        fn the_index_decides_as_the_document_on_any_policy(
            statements in proptest::collection::vec(
                (0..2usize, 0..7usize, proptest::collection::vec(0..8usize, 1..4), 0..2usize, proptest::collection::vec(0..10usize, 1..4), 0..3usize),
                0..6,
            ),
        ) {
            const ACTIONS: [&str; 8] = ["s3:GetObject", "S3:getobject", "s3:Get*", "s3:PutObject", "*", "iam:*", "s3:Get?bject", "sts:GetCallerIdentity"];
            const RESOURCES: [&str; 10] = [
                "*", "arn:aws:s3:::b/k", "arn:aws:s3:::b/*", "arn:aws:s3:::b/a${*}b", "arn:aws:s3:::b/a*b",
                "arn:aws:s3", "arn:aws:s3:::b/${aws:username}", "arn:aws:s3*", "gh-*", "arn:aws:iam::1:role/r",
            ];
            let statements: Vec<serde_json::Value> = statements
                .iter()
                .map(|(effect, action_form, actions, resource_form, resources, condition)| {
                    let actions: Vec<&str> = actions.iter().map(|a| ACTIONS[*a]).collect();
                    let resources: Vec<&str> = resources.iter().map(|r| RESOURCES[*r]).collect();
                    let effect = ["Allow", "Deny"][*effect];
                    let mut statement = serde_json::json!({ "Effect": effect });
                    let action_key = if *action_form == 0 { "NotAction" } else { "Action" };
                    statement[action_key] = serde_json::json!(actions);
                    statement[["Resource", "NotResource"][*resource_form]] = serde_json::json!(resources);
                    if *condition == 1 {
                        statement["Condition"] = serde_json::json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}});
                    }
                    statement
                })
                .collect();
            let policy: PolicyDocument =
                serde_json::from_value(serde_json::json!({"Statement": statements})).expect("valid policy");
            let index = Index::new(std::slice::from_ref(&policy));
            for region in ["us-east-1", "eu-west-1"] {
                let context = Context::from([("aws:RequestedRegion".to_string(), region.to_string())]);
                for action in ["s3:GetObject", "s3:getobject", "s3:PutObject", "iam:GetRole", "sts:GetCallerIdentity"] {
                    for resource in ["arn:aws:s3:::b/k", "arn:aws:s3:::b/a*b", "arn:aws:s3:::b/axb", "arn:aws:s3:::c", "gh-run-1", "arn:aws:iam::1:role/r", "arn:aws:s3:::b/${aws:username}"] {
                        proptest::prop_assert_eq!(
                            index.decide(action, resource, &context),
                            policy.decide(action, resource, &context),
                            "{} on {}", action, resource
                        );
                    }
                }
            }
        }
    }
}
