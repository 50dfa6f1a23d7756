//! The IAM policy document model: what policygen writes, and what it reads as the current policy.

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

    /// Whether every condition of the statement holds in `context`; `None` when it uses an operator this
    /// evaluator does not implement.
    pub fn conditions_hold(&self, context: &RequestContext) -> Option<bool> {
        let Some(conditions) = &self.condition else {
            return Some(true);
        };
        let mut all = true;
        for (operator, keys) in conditions {
            for (key, values) in keys {
                all &= condition_holds(operator, context.values(key), values.items())?;
            }
        }
        Some(all)
    }
}

/// The request context keys of one request (`aws:RequestedRegion`, `iam:PassedToService`, ...); key names
/// compare case-insensitively, as IAM compares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    keys: BTreeMap<String, Vec<String>>,
}

impl RequestContext {
    pub fn insert(&mut self, key: &str, values: Vec<String>) {
        self.keys.insert(key.to_ascii_lowercase(), values);
    }

    fn values(&self, key: &str) -> Option<&[String]> {
        self.keys.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
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

    /// IAM's decision with conditions evaluated in `context` (IAM User Guide, "Policy evaluation logic": an
    /// explicit Deny wins, then an Allow, else the implicit deny). A condition with an operator this
    /// evaluator does not implement is taken to hold for a Deny and not for an Allow, so the answer errs
    /// towards denying.
    pub fn decide(&self, action: &str, resource: &str, context: &RequestContext) -> Decision {
        let applies = |s: &&Statement| s.covers(action, resource);
        let denied = self
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Deny)
            .filter(applies)
            .any(|s| s.conditions_hold(context).unwrap_or(true));
        let allowed = self
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
            .filter(applies)
            .any(|s| s.conditions_hold(context).unwrap_or(false));
        match (denied, allowed) {
            (true, _) => Decision::ExplicitDeny,
            (false, true) => Decision::Allowed,
            (false, false) => Decision::ImplicitDeny,
        }
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
    let wanted = arn_segments(pattern);
    let given = arn_segments(resource);
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
            .zip(&given)
            .all(|(p, v)| wildcard_match(p, v, true))
}

/// `arn`, partition, service, region, account and the resource part: the text split at its first five
/// colons, where a colon inside a `${...}` policy variable (`${aws:username}`) does not count.
fn arn_segments(arn: &str) -> Vec<&str> {
    let mut segments = Vec::with_capacity(6);
    let mut start = 0;
    let mut depth = 0usize;
    let bytes = arn.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && segments.len() < 5 => {
                segments.push(&arn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&arn[start..]);
    segments
}

/// One condition operator on one key (IAM User Guide, "IAM JSON policy elements: Condition operators").
/// `None` for an operator that is not implemented here.
fn condition_holds(operator: &str, present: Option<&[String]>, wanted: &[String]) -> Option<bool> {
    let (set, rest) = match operator.split_once(':') {
        Some(("ForAnyValue", rest)) => (Some(true), rest),
        Some(("ForAllValues", rest)) => (Some(false), rest),
        Some(_) => return None,
        None => (None, operator),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let (negated, base) = match base.split_once("Not") {
        Some((head, tail)) if !head.is_empty() => (true, format!("{head}{tail}")),
        _ => (false, base.to_string()),
    };
    let one = |value: &str, pattern: &str| -> Option<bool> {
        Some(match base.as_str() {
            "StringEquals" => value == pattern,
            "StringEqualsIgnoreCase" => value.eq_ignore_ascii_case(pattern),
            "StringLike" => wildcard_match(pattern, value, true),
            "ArnEquals" | "ArnLike" => resource_matches(pattern, value),
            "Bool" => value.eq_ignore_ascii_case(pattern),
            _ => return None,
        })
    };
    // Every operator is checked even without values, so an unknown one is reported, not skipped.
    one("", "")?;
    let matches_any = |value: &str| -> Option<bool> {
        let mut hit = false;
        for pattern in wanted {
            hit |= one(value, pattern)?;
        }
        Some(hit)
    };
    let values = match present {
        Some(values) if !values.is_empty() => values,
        // A missing key: `...IfExists` holds, `ForAllValues` holds (nothing to check), a negated operator
        // holds, any other does not.
        _ => return Some(if_exists || set == Some(false) || negated),
    };
    let mut hits = Vec::with_capacity(values.len());
    for value in values {
        hits.push(matches_any(value)?);
    }
    let positive = match set {
        Some(false) => hits.iter().all(|h| *h),
        _ => hits.iter().any(|h| *h),
    };
    Some(positive != negated)
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
        context: BTreeMap<String, StringOrList>,
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
                let mut context = RequestContext::default();
                for (key, values) in &request.context {
                    context.insert(key, values.items().to_vec());
                }
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
        // A colon inside a policy variable does not split the ARN; the variable itself is not substituted,
        // so it matches nothing.
        assert_eq!(
            arn_segments("arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"),
            [
                "arn",
                "aws",
                "iam",
                "",
                "${aws:PrincipalAccount}",
                "user/${aws:username}"
            ]
        );
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
    fn unknown_condition_operators_err_towards_denying() {
        let doc: PolicyDocument = serde_json::from_str(
            r#"{"Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
              {"Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
              {"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}"#,
        )
        .expect("valid policy");
        let context = RequestContext::default();
        assert_eq!(
            doc.decide("s3:GetObject", "arn:aws:s3:::b/k", &context),
            Decision::ImplicitDeny
        );
        assert_eq!(
            doc.decide("s3:PutObject", "arn:aws:s3:::b/k", &context),
            Decision::ExplicitDeny
        );
    }
}
