//! The current policy, read from files (`--current FILE`): a plain policy document, or what the AWS CLI prints
//! for `get-role-policy`, `get-user-policy`, `get-policy-version` and `get-account-authorization-details`.
//! Reading it from the IAM API (`--current iam`, [`crate::collector::iam`]) is another source of the same
//! [`NamedPolicy`] list (see [`crate::review`]).

use crate::policy::PolicyDocument;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One policy of the principal, with a name to show in the diff (`file`, `file#PolicyName`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPolicy {
    pub name: String,
    pub document: PolicyDocument,
}

/// The principal's current policies, and what the inputs could not tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentPolicies {
    pub policies: Vec<NamedPolicy>,
    /// Gaps, shown in the diff's coverage notes (an attached managed policy whose document the file lacks).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CurrentError {
    #[error("cannot read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not JSON (line {line})")]
    Json {
        path: String,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{path}` holds no policy document: give a policy (`Version`, `Statement`) or the JSON output of `aws iam get-role-policy`, `get-policy-version` or `get-account-authorization-details`")]
    NotAPolicy { path: String },
    #[error("`{path}`: the document of `{name}` is not a valid policy: {detail}")]
    BadDocument {
        path: String,
        name: String,
        detail: String,
    },
    #[error(
        "`{path}` (get-account-authorization-details) has no role or user named `{principal}`"
    )]
    PrincipalNotFound { path: String, principal: String },
}

/// Reads one `--current` file. `principal` (a role or user name, or its ARN) selects the principal's policies
/// from `get-account-authorization-details` output.
pub fn read_current(path: &Path, principal: &str) -> Result<CurrentPolicies, CurrentError> {
    let text = std::fs::read_to_string(path).map_err(|source| CurrentError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_current(&path.display().to_string(), &text, principal)
}

/// Parses the text of one `--current` input; `label` names it in messages and policy names.
pub fn parse_current(
    label: &str,
    text: &str,
    principal: &str,
) -> Result<CurrentPolicies, CurrentError> {
    let value: Value = serde_json::from_str(text).map_err(|source| CurrentError::Json {
        path: label.to_string(),
        line: source.line(),
        source,
    })?;
    let mut out = CurrentPolicies::default();
    let document = |name: &str, raw: &Value| document(label, name, raw);
    if value.get("Statement").is_some() {
        out.policies.push(NamedPolicy {
            name: label.to_string(),
            document: document(label, &value)?,
        });
    } else if let Some(raw) = value.get("PolicyDocument") {
        // get-role-policy / get-user-policy / get-group-policy
        let name = match value.get("PolicyName").and_then(Value::as_str) {
            Some(policy) => format!("{label}#{policy}"),
            None => label.to_string(),
        };
        out.policies.push(NamedPolicy {
            document: document(&name, raw)?,
            name,
        });
    } else if let Some(version) = value.get("PolicyVersion") {
        // get-policy-version
        let raw = version
            .get("Document")
            .ok_or_else(|| CurrentError::NotAPolicy {
                path: label.to_string(),
            })?;
        let name = match version.get("VersionId").and_then(Value::as_str) {
            Some(id) => format!("{label}#{id}"),
            None => label.to_string(),
        };
        out.policies.push(NamedPolicy {
            document: document(&name, raw)?,
            name,
        });
    } else if value.get("RoleDetailList").is_some() || value.get("UserDetailList").is_some() {
        authorization_details(label, &value, principal, &mut out)?;
    } else {
        return Err(CurrentError::NotAPolicy {
            path: label.to_string(),
        });
    }
    Ok(out)
}

/// The principal's inline policies, its attached managed policies (default version) and, for a user, its
/// groups' policies.
fn authorization_details(
    label: &str,
    value: &Value,
    principal: &str,
    out: &mut CurrentPolicies,
) -> Result<(), CurrentError> {
    let list = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let str_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let is_principal = |entry: &Value, name_key: &str| {
        str_of(entry, name_key).as_deref() == Some(principal)
            || str_of(entry, "Arn").as_deref() == Some(principal)
    };
    let managed: Vec<Value> = list("Policies");
    let groups: Vec<Value> = list("GroupDetailList");
    let mut found = false;
    let mut attached: Vec<String> = Vec::new();
    let mut inline = |entry: &Value, owner: &str, list_key: &str, out: &mut CurrentPolicies| {
        for policy in entry
            .get(list_key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = format!(
                "{label}#{owner}/{}",
                str_of(policy, "PolicyName").unwrap_or_default()
            );
            let raw = policy.get("PolicyDocument").unwrap_or(&Value::Null);
            out.policies.push(NamedPolicy {
                document: document(label, &name, raw)?,
                name,
            });
        }
        for policy in entry
            .get("AttachedManagedPolicies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(arn) = str_of(policy, "PolicyArn") {
                attached.push(arn);
            }
        }
        Ok::<(), CurrentError>(())
    };
    for role in list("RoleDetailList")
        .iter()
        .filter(|r| is_principal(r, "RoleName"))
    {
        found = true;
        let owner = str_of(role, "RoleName").unwrap_or_default();
        inline(role, &owner, "RolePolicyList", out)?;
    }
    for user in list("UserDetailList")
        .iter()
        .filter(|u| is_principal(u, "UserName"))
    {
        found = true;
        let owner = str_of(user, "UserName").unwrap_or_default();
        inline(user, &owner, "UserPolicyList", out)?;
        for group_name in user
            .get("GroupList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            for group in groups
                .iter()
                .filter(|g| str_of(g, "GroupName").as_deref() == Some(group_name))
            {
                inline(group, group_name, "GroupPolicyList", out)?;
            }
        }
    }
    if !found {
        return Err(CurrentError::PrincipalNotFound {
            path: label.to_string(),
            principal: principal.to_string(),
        });
    }
    attached.sort();
    attached.dedup();
    for arn in attached {
        let policy = managed
            .iter()
            .find(|p| str_of(p, "Arn").as_deref() == Some(arn.as_str()));
        let default = policy.and_then(|p| {
            p.get("PolicyVersionList")
                .and_then(Value::as_array)?
                .iter()
                .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
                .and_then(|v| v.get("Document"))
        });
        match default {
            Some(raw) => {
                let name = format!("{label}#{arn}");
                out.policies.push(NamedPolicy {
                    document: document(label, &name, raw)?,
                    name,
                });
            }
            None => out.notes.push(format!(
                "the attached managed policy `{arn}` is not in `{label}` (its document is unknown: run get-account-authorization-details without `--filter`, or give it with another `--current`)"
            )),
        }
    }
    Ok(())
}

/// A policy document as the IAM API returns it: URL-encoded (`GetRolePolicy`, `GetUserPolicy`) or plain
/// JSON (moto's `GetPolicyVersion`); decoded only when it is encoded. `label` and `name` name it in errors.
pub fn parse_document(label: &str, name: &str, text: &str) -> Result<PolicyDocument, CurrentError> {
    document(label, name, &Value::String(text.to_string()))
}

/// A policy document as the CLI prints it (an object) or as the IAM API returns it (a URL-encoded string).
fn document(label: &str, name: &str, raw: &Value) -> Result<PolicyDocument, CurrentError> {
    let bad = |detail: String| CurrentError::BadDocument {
        path: label.to_string(),
        name: name.to_string(),
        detail,
    };
    let parsed: Value = match raw {
        Value::String(text) => {
            let decoded = if text.trim_start().starts_with('{') {
                text.clone()
            } else {
                percent_decode(text).ok_or_else(|| bad("invalid URL encoding".into()))?
            };
            serde_json::from_str(&decoded).map_err(|e| bad(e.to_string()))?
        }
        other => other.clone(),
    };
    serde_json::from_value(parsed).map_err(|e| bad(e.to_string()))
}

/// RFC 3986 percent-decoding, as IAM encodes policy documents (`+` is a literal plus there).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

    #[test]
    fn plain_document_and_cli_shapes() {
        let plain = parse_current("p.json", DOC, "r").expect("plain");
        assert_eq!(plain.policies[0].name, "p.json");
        let inline = format!(r#"{{"RoleName":"r","PolicyName":"deploy","PolicyDocument":{DOC}}}"#);
        let inline = parse_current("i.json", &inline, "r").expect("get-role-policy");
        assert_eq!(inline.policies[0].name, "i.json#deploy");
        assert_eq!(inline.policies[0].document, plain.policies[0].document);
        let encoded = r#"{"PolicyVersion":{"VersionId":"v3","IsDefaultVersion":true,"Document":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}}"#;
        let version = parse_current("v.json", encoded, "r").expect("get-policy-version");
        assert_eq!(version.policies[0].name, "v.json#v3");
        assert_eq!(version.policies[0].document, plain.policies[0].document);
    }

    #[test]
    fn authorization_details_pick_the_principal() {
        let text = format!(
            r#"{{"RoleDetailList":[
                {{"RoleName":"ci","Arn":"arn:aws:iam::1:role/ci","RolePolicyList":[{{"PolicyName":"inline","PolicyDocument":{DOC}}}],
                  "AttachedManagedPolicies":[{{"PolicyName":"m","PolicyArn":"arn:aws:iam::1:policy/m"}},{{"PolicyName":"gone","PolicyArn":"arn:aws:iam::aws:policy/Gone"}}]}},
                {{"RoleName":"other","RolePolicyList":[{{"PolicyName":"x","PolicyDocument":{DOC}}}]}}],
              "Policies":[{{"Arn":"arn:aws:iam::1:policy/m","PolicyVersionList":[
                 {{"VersionId":"v1","IsDefaultVersion":false,"Document":{{"Statement":[]}}}},
                 {{"VersionId":"v2","IsDefaultVersion":true,"Document":{DOC}}}]}}]}}"#
        );
        let got = parse_current("a.json", &text, "ci").expect("details");
        let names: Vec<&str> = got.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["a.json#ci/inline", "a.json#arn:aws:iam::1:policy/m"]
        );
        assert_eq!(got.notes.len(), 1);
        assert!(got.notes[0].contains("arn:aws:iam::aws:policy/Gone"));
        assert!(matches!(
            parse_current("a.json", &text, "nobody"),
            Err(CurrentError::PrincipalNotFound { .. })
        ));
    }

    #[test]
    fn errors_name_the_file() {
        let e = parse_current("x.json", r#"{"a":1}"#, "r").expect_err("not a policy");
        assert!(e
            .to_string()
            .starts_with("`x.json` holds no policy document"));
        let e = parse_current("x.json", "{", "r").expect_err("not json");
        assert!(e.to_string().starts_with("`x.json` is not JSON"));
        assert_eq!(percent_decode("%7B%2"), None);
    }
}
