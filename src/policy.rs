//! The IAM policy document model: what policygen writes, and what it reads as the current policy.

use crate::arn::segments;
use crate::glob::wildcard_match;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const POLICY_VERSION: &str = "2012-10-17";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version", default = "default_version")]
    pub version: String,
    #[serde(rename = "Statement", deserialize_with = "one_or_many_statements")]
    pub statements: Vec<Statement>,
}

fn default_version() -> String {
    POLICY_VERSION.to_string()
}

impl Default for PolicyDocument {
    /// A document with no statement (which IAM rejects: never written as a policy).
    fn default() -> Self {
        PolicyDocument {
            version: default_version(),
            statements: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `"s3:GetObject"` or `["s3:GetObject", "s3:PutObject"]`; written back as a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    List(Vec<String>),
}

impl StringOrList {
    pub fn items(&self) -> &[String] {
        match self {
            StringOrList::One(one) => std::slice::from_ref(one),
            StringOrList::List(list) => list,
        }
    }
}

/// Condition operator → key → values.
pub type Conditions = BTreeMap<String, BTreeMap<String, StringOrList>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Action", default, skip_serializing_if = "Option::is_none")]
    pub action: Option<StringOrList>,
    #[serde(rename = "NotAction", default, skip_serializing_if = "Option::is_none")]
    pub not_action: Option<StringOrList>,
    #[serde(rename = "Resource", default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<StringOrList>,
    #[serde(
        rename = "NotResource",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub not_resource: Option<StringOrList>,
    #[serde(rename = "Condition", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Conditions>,
}

fn one_or_many_statements<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<Statement>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Box<Statement>),
        Many(Vec<Statement>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![*one],
        OneOrMany::Many(many) => many,
    })
}

impl Statement {
    /// Whether this statement's Action/NotAction and Resource/NotResource cover the call, ignoring
    /// conditions (callers that care check `condition` themselves, or use [`PolicyDocument::decide`]).
    pub fn covers(&self, action: &str, resource: &str) -> bool {
        let action_hit = |list: &StringOrList| {
            list.items()
                .iter()
                .any(|p| wildcard_match(p, action, false))
        };
        let resource_hit =
            |list: &StringOrList| list.items().iter().any(|p| resource_matches(p, resource));
        let action_ok = match (&self.action, &self.not_action) {
            (Some(list), _) => action_hit(list),
            (None, Some(list)) => !action_hit(list),
            (None, None) => false,
        };
        let resource_ok = match (&self.resource, &self.not_resource) {
            (Some(list), _) => resource_hit(list),
            (None, Some(list)) => !resource_hit(list),
            (None, None) => false,
        };
        action_ok && resource_ok
    }
}

/// The request context a condition is evaluated against: condition key → value (one value a key).
pub type Context = BTreeMap<String, String>;

impl Statement {
    /// Whether the statement's conditions hold for a request with `context`; `None` when they use an operator
    /// policygen does not evaluate (numbers, dates, IP addresses, booleans, binaries).
    ///
    /// IAM: condition keys match case-insensitively; a missing key makes a condition false, except for the
    /// negated operators (`StringNotEquals`, `StringNotLike`, `ArnNotEquals`, `ArnNotLike`), where it is true, and
    /// with `...IfExists`, where it is true (IAM User Guide, "IAM JSON policy elements: Condition operators").
    pub fn conditions_hold(&self, context: &Context) -> Option<bool> {
        let Some(conditions) = &self.condition else {
            return Some(true);
        };
        let mut all = true;
        for (operator, keys) in conditions {
            let op = operator
                .strip_prefix("ForAnyValue:")
                .or_else(|| operator.strip_prefix("ForAllValues:"))
                .unwrap_or(operator);
            let (op, if_exists) = match op.strip_suffix("IfExists") {
                Some(base) => (base, true),
                None => (op, false),
            };
            let (negated, matcher): (bool, fn(&str, &str) -> bool) = match op {
                "StringEquals" | "ArnEquals" => (false, |p, v| p == v),
                "StringNotEquals" | "ArnNotEquals" => (true, |p, v| p == v),
                "StringEqualsIgnoreCase" => (false, |p, v| p.eq_ignore_ascii_case(v)),
                "StringNotEqualsIgnoreCase" => (true, |p, v| p.eq_ignore_ascii_case(v)),
                "StringLike" => (false, |p, v| wildcard_match(p, v, true)),
                "StringNotLike" => (true, |p, v| wildcard_match(p, v, true)),
                // "Each of the six colon-delimited components of the ARN is checked separately".
                "ArnLike" => (false, resource_matches),
                "ArnNotLike" => (true, resource_matches),
                _ => return None,
            };
            for (key, values) in keys {
                let value = context
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v.as_str());
                let holds = match value {
                    None => negated || if_exists,
                    Some(value) => {
                        let hit = values.items().iter().any(|p| matcher(p, value));
                        hit != negated
                    }
                };
                all &= holds;
            }
        }
        Some(all)
    }
}

/// IAM's decision for one request against one identity policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// No Allow applies.
    ImplicitDeny,
    /// A Deny applies (it wins over any Allow).
    ExplicitDeny,
}

impl PolicyDocument {
    /// Whether the document allows a request: an Allow covers it with its conditions holding, and no Deny
    /// does. A Deny whose conditions policygen cannot evaluate is taken not to apply (the caller decides
    /// what an unknown means; for the soundness check, the call it guards was seen to succeed).
    pub fn allows_request(&self, action: &str, resource: &str, context: &Context) -> bool {
        self.decide(action, resource, context) == Decision::Allowed
    }

    /// IAM's decision for a request (IAM User Guide, "Policy evaluation logic": an explicit Deny wins, then
    /// an Allow, else the implicit deny). A statement whose conditions use an operator policygen does not
    /// evaluate applies to nothing.
    pub fn decide(&self, action: &str, resource: &str, context: &Context) -> Decision {
        let applies = |s: &&Statement| {
            s.covers(action, resource) && s.conditions_hold(context).unwrap_or(false)
        };
        let by = |effect| {
            self.statements
                .iter()
                .filter(|s| s.effect == effect)
                .any(|s| applies(&s))
        };
        if by(Effect::Deny) {
            Decision::ExplicitDeny
        } else if by(Effect::Allow) {
            Decision::Allowed
        } else {
            Decision::ImplicitDeny
        }
    }

    /// Whether the document allows `action` on `resource`: some Allow covers it and no Deny does.
    /// Conditions are not evaluated.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        let covered = |effect| {
            self.statements
                .iter()
                .any(|s| s.effect == effect && s.covers(action, resource))
        };
        covered(Effect::Allow) && !covered(Effect::Deny)
    }

    /// Pretty JSON with a trailing newline: the canonical rendering.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }
}

/// Whether a `Resource`/`NotResource` entry matches a resource ARN, as IAM matches them (IAM User Guide,
/// "IAM JSON policy elements: Resource", "Using wildcards in resource ARNs"): `*` and `?` work within the
/// colon-separated segments of an ARN, so partition, service, region and account are each matched on
/// their own; the resource part (everything after the fifth colon) is matched as a whole, `*` crossing `/`
/// and `:` in it. A `*` ending a segment "can expand to match beyond the colon boundaries": a pattern with
/// fewer segments than the ARN matches when its last segment ends with `*`. ARNs are case-sensitive.
/// `${*}`, `${?}` and `${$}` are literal characters.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.starts_with("arn:") || !resource.starts_with("arn:") {
        return wildcard_match(pattern, resource, true);
    }
    let wanted = segments(pattern);
    let wanted = wanted.as_slice();
    let given = segments(resource);
    let given = given.as_slice();
    let last = wanted.len() - 1;
    if wanted.len() < given.len() {
        // Only a trailing `*` expands across the remaining colons.
        let trailing_star = wanted[last].ends_with('*') && !wanted[last].ends_with("${*}");
        if !trailing_star {
            return false;
        }
        let rest_start: usize = given[..last].iter().map(|s| s.len() + 1).sum();
        return wanted[..last]
            .iter()
            .zip(&given[..last])
            .all(|(p, v)| wildcard_match(p, v, true))
            && wildcard_match(wanted[last], &resource[rest_start..], true);
    }
    wanted.len() == given.len()
        && wanted
            .iter()
            .zip(given)
            .all(|(p, v)| wildcard_match(p, v, true))
}

/// Pretty JSON with a trailing newline, the form of every JSON policygen writes.
pub fn pretty_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_statement_and_strings() {
        let doc: PolicyDocument = serde_json::from_str(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}}"#,
        )
        .expect("valid policy");
        assert!(doc.allows("s3:GetObject", "arn:aws:s3:::b/k"));
        assert!(doc.allows("S3:getobject", "arn:aws:s3:::b/k"));
        assert!(!doc.allows("s3:PutObject", "arn:aws:s3:::b/k"));
        assert!(!doc.allows("s3:GetObject", "arn:aws:s3:::c/k"));
    }

    #[test]
    fn conditions_are_evaluated_against_the_request() {
        let doc: PolicyDocument = serde_json::from_str(
            r#"{"Statement":[
              {"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
               "Condition":{"StringEquals":{"iam:PassedToService":["lambda.amazonaws.com"]}}},
              {"Effect":"Allow","Action":"s3:*","Resource":"*",
               "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
              {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*",
               "Condition":{"StringNotLike":{"aws:PrincipalTag/team":"ops*"}}},
              {"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        )
        .expect("valid policy");
        let ctx = |pairs: &[(&str, &str)]| -> Context {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let lambda = ctx(&[("iam:passedtoservice", "lambda.amazonaws.com")]);
        assert!(doc.allows_request("iam:PassRole", "arn:aws:iam::1:role/r", &lambda));
        let ecs = ctx(&[("iam:PassedToService", "ecs-tasks.amazonaws.com")]);
        assert!(!doc.allows_request("iam:PassRole", "arn:aws:iam::1:role/r", &ecs));
        assert!(!doc.allows_request("iam:PassRole", "arn:aws:iam::1:role/r", &Context::new()));
        let eu = ctx(&[("aws:RequestedRegion", "eu-west-1")]);
        assert!(doc.allows_request("s3:GetObject", "arn:aws:s3:::b/k", &eu));
        // A missing key makes a negated operator true: the Deny applies.
        assert!(!doc.allows_request("s3:DeleteBucket", "arn:aws:s3:::b", &eu));
        let ops = ctx(&[
            ("aws:RequestedRegion", "eu-west-1"),
            ("aws:PrincipalTag/team", "ops-1"),
        ]);
        assert!(doc.allows_request("s3:DeleteBucket", "arn:aws:s3:::b", &ops));
        // Operators policygen does not evaluate never allow.
        assert!(!doc.allows_request("ec2:RunInstances", "*", &eu));
    }

    #[test]
    fn not_action_not_resource_and_deny() {
        let doc: PolicyDocument = serde_json::from_str(
            r#"{"Statement":[
              {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
              {"Effect":"Allow","Action":"iam:GetRole","NotResource":"arn:aws:iam::1:role/admin"},
              {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
        )
        .expect("valid policy");
        assert!(doc.allows("s3:GetObject", "arn:aws:s3:::b/k"));
        assert!(!doc.allows("s3:DeleteBucket", "arn:aws:s3:::b"));
        assert!(doc.allows("iam:GetRole", "arn:aws:iam::1:role/ci"));
        assert!(!doc.allows("iam:GetRole", "arn:aws:iam::1:role/admin"));
        assert!(!doc.allows("iam:PassRole", "arn:aws:iam::1:role/ci"));
    }

    #[derive(Deserialize)]
    struct Documented {
        cases: Vec<DocumentedCase>,
    }

    #[derive(Deserialize)]
    struct DocumentedCase {
        name: String,
        doc: String,
        policy: PolicyDocument,
        requests: Vec<DocumentedRequest>,
    }

    #[derive(Deserialize)]
    struct DocumentedRequest {
        action: String,
        resource: String,
        #[serde(default)]
        context: BTreeMap<String, String>,
        expect: String,
    }

    /// `tests/data/evaluator-cases.json`: IAM's documented evaluation rules, each case citing its source;
    /// `scripts/evaluator-crosscheck.py` runs the same requests through an independent evaluator.
    #[test]
    fn documented_evaluation_rules() {
        let text = include_str!("../tests/data/evaluator-cases.json");
        let documented: Documented = serde_json::from_str(text).expect("valid cases");
        let mut failures = Vec::new();
        for case in &documented.cases {
            assert!(!case.doc.is_empty(), "{} cites no documentation", case.name);
            for request in &case.requests {
                let context: Context = request
                    .context
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let got = match case
                    .policy
                    .decide(&request.action, &request.resource, &context)
                {
                    Decision::Allowed => "Allowed",
                    Decision::ImplicitDeny => "ImplicitDeny",
                    Decision::ExplicitDeny => "ExplicitDeny",
                };
                if got != request.expect {
                    failures.push(format!(
                        "{}: {} on {} is {got}, expected {}",
                        case.name, request.action, request.resource, request.expect
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn resource_segments_and_variables() {
        // A colon inside a policy variable does not split the ARN (`arn::segments`); the variable itself is
        // not substituted, so it matches nothing.
        assert!(!resource_matches(
            "arn:aws:iam::${aws:PrincipalAccount}:user/x",
            "arn:aws:iam::111122223333:user/x"
        ));
        // Not an ARN: plain wildcard matching.
        assert!(resource_matches("gh-*", "gh-run-1"));
        // A shorter ARN than the pattern never matches.
        assert!(!resource_matches("arn:aws:s3:::b/k", "arn:aws:s3"));
        // An escaped trailing `*` is a literal character, not an expansion.
        assert!(!resource_matches("arn:aws:s3${*}", "arn:aws:s3:::b"));
    }

    #[test]
    fn statements_with_unknown_operators_apply_to_nothing() {
        let doc: PolicyDocument = serde_json::from_str(
            r#"{"Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
              {"Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
              {"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}"#,
        )
        .expect("valid policy");
        let context = Context::new();
        assert_eq!(
            doc.decide("s3:GetObject", "arn:aws:s3:::b/k", &context),
            Decision::ImplicitDeny
        );
        assert_eq!(
            doc.decide("s3:PutObject", "arn:aws:s3:::b/k", &context),
            Decision::Allowed
        );
    }
}
