//! The sessions of a role, from its `AssumeRole*` events: their access keys are what LookupEvents can find
//! the role's calls by.

use crate::principal::{Identity, PrincipalFilter};
use std::collections::BTreeSet;

/// What the `AssumeRole*` search found in one region.
#[derive(Debug, Default)]
pub struct Sessions {
    pub keys: BTreeSet<String>,
    /// Successful assumptions of the role that carry no access key: the key strategy would miss them.
    pub without_key: usize,
}

pub fn role_arn_matches(filter: &PrincipalFilter, role_arn: &str) -> bool {
    let Identity::Role { name, arn } = &filter.identity else {
        return false;
    };
    let account = crate::arn::Arn::parse(role_arn).map_or("", |a| a.account());
    if !filter.accounts.is_empty() && !filter.accounts.contains(account) {
        return false;
    }
    match arn {
        Some(wanted) => wanted == role_arn,
        None => role_arn.contains(":role/") && role_arn.rsplit('/').next() == Some(name.as_str()),
    }
}

pub fn collect_sessions(filter: &PrincipalFilter, events: &[String], out: &mut Sessions) {
    for raw in events {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(raw) else {
            continue;
        };
        let role_arn = event
            .pointer("/requestParameters/roleArn")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let failed = event
            .get("errorCode")
            .and_then(|v| v.as_str())
            .is_some_and(|c| !c.is_empty());
        if failed || !role_arn_matches(filter, role_arn) {
            continue;
        }
        match event
            .pointer("/responseElements/credentials/accessKeyId")
            .and_then(|v| v.as_str())
        {
            Some(key) if !key.is_empty() => {
                out.keys.insert(key.to_string());
            }
            _ => out.without_key += 1,
        }
    }
}
