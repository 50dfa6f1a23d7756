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
    /// conditions (callers that care check `condition` themselves).
    pub fn covers(&self, action: &str, resource: &str) -> bool {
        let action_hit = |list: &StringOrList| {
            list.items()
                .iter()
                .any(|p| wildcard_match(p, action, false))
        };
        let resource_hit = |list: &StringOrList| {
            list.items()
                .iter()
                .any(|p| wildcard_match(p, resource, true))
        };
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

    /// Pretty JSON with a trailing newline: the canonical rendering.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }
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
}
