//! Who a record belongs to: an IAM user, a role across all its sessions (including web-identity, SAML and
//! SSO sessions), one session of a role, or any principal given by ARN.

use crate::arn::Arn;
use crate::event::Record;
use crate::glob::wildcard_match;
use crate::ids::AccountId;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A role by name (any path, any account) or by its exact ARN.
    Role { name: String, arn: Option<String> },
    /// An IAM user by name (any path, any account) or by its exact ARN.
    User { name: String, arn: Option<String> },
    /// Any other principal, by the exact ARN CloudTrail writes in `userIdentity.arn` (root, federated user).
    Arn(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalFilter {
    pub identity: Identity,
    /// Glob over session names (`gh-*`); roles only.
    pub session: Option<String>,
    /// Accounts the principal must belong to; empty means any.
    pub accounts: BTreeSet<AccountId>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrincipalError {
    #[error(
        "`{0}` is not an IAM or STS ARN (expected `arn:aws:iam::ACCOUNT:role/NAME` or similar)"
    )]
    NotIamArn(String),
    #[error("`{0}` is not a role ARN")]
    NotRoleArn(String),
    #[error("`{0}` is not a user ARN")]
    NotUserArn(String),
    #[error("`{0}` is not a valid name")]
    BadName(String),
}

/// Whether `name` is a valid IAM role or user name (what `--role NAME` and `--user NAME` accept).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

impl Identity {
    pub fn role(value: &str) -> Result<(Identity, Option<String>), PrincipalError> {
        if !value.starts_with("arn:") {
            return if valid_name(value) {
                Ok((
                    Identity::Role {
                        name: value.to_string(),
                        arn: None,
                    },
                    None,
                ))
            } else {
                Err(PrincipalError::BadName(value.to_string()))
            };
        }
        match Identity::from_arn(value)? {
            (role @ Identity::Role { .. }, session) => Ok((role, session)),
            _ => Err(PrincipalError::NotRoleArn(value.to_string())),
        }
    }

    pub fn user(value: &str) -> Result<Identity, PrincipalError> {
        if !value.starts_with("arn:") {
            return if valid_name(value) {
                Ok(Identity::User {
                    name: value.to_string(),
                    arn: None,
                })
            } else {
                Err(PrincipalError::BadName(value.to_string()))
            };
        }
        match Identity::from_arn(value)? {
            (user @ Identity::User { .. }, None) => Ok(user),
            _ => Err(PrincipalError::NotUserArn(value.to_string())),
        }
    }

    /// An ARN of a role, user, assumed-role session (role plus session name) or other principal.
    pub fn from_arn(value: &str) -> Result<(Identity, Option<String>), PrincipalError> {
        let arn = Arn::parse(value).ok_or_else(|| PrincipalError::NotIamArn(value.to_string()))?;
        let last = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
        match (arn.service(), arn.resource().split_once('/')) {
            ("iam", Some(("role", path))) => Ok((
                Identity::Role {
                    name: last(path),
                    arn: Some(value.to_string()),
                },
                None,
            )),
            ("iam", Some(("user", path))) => Ok((
                Identity::User {
                    name: last(path),
                    arn: Some(value.to_string()),
                },
                None,
            )),
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest
                    .split_once('/')
                    .ok_or_else(|| PrincipalError::NotRoleArn(value.to_string()))?;
                Ok((
                    Identity::Role {
                        name: role.to_string(),
                        arn: None,
                    },
                    Some(session.to_string()),
                ))
            }
            ("iam" | "sts", _) => Ok((Identity::Arn(value.to_string()), None)),
            _ => Err(PrincipalError::NotIamArn(value.to_string())),
        }
    }
}

/// The account of an assumed-role session ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`): such an ARN
/// names one account's role, not a role name in any account.
pub fn session_account(value: &str) -> Option<&str> {
    let arn = Arn::parse(value)?;
    (arn.service() == "sts"
        && arn.resource().starts_with("assumed-role/")
        && !arn.account().is_empty())
    .then_some(arn.account())
}

/// The principal a record was made by, as IAM names it: a session's role (its issuer), a user, or the
/// caller's ARN (root, federated users). `None` for AWS services and records without an identity.
pub fn principal_arn<'r>(record: &'r Record) -> Option<&'r str> {
    let identity = record.user_identity.as_ref()?;
    let kind = identity.kind.as_deref().unwrap_or("");
    if kind == "AWSService" {
        return None;
    }
    let issuer = identity
        .session_context
        .as_ref()
        .and_then(|c| c.session_issuer.as_ref())
        .and_then(|i| i.arn.as_deref())
        .filter(|arn| !arn.is_empty());
    match (kind, issuer) {
        ("AssumedRole", Some(issuer)) => Some(issuer),
        _ => identity.arn.as_deref().filter(|arn| !arn.is_empty()),
    }
}

/// One principal as a fleet run and the usage index split records: a role across all its sessions, or an
/// IAM user, in one account. A record has the key `K` exactly when `K.filter()` (what `--role NAME --account
/// ACCOUNT` selects) matches it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrincipalKey {
    pub account: AccountId,
    pub kind: PrincipalKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    Role,
    User,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Role => "role",
            PrincipalKind::User => "user",
        }
    }
}

impl PrincipalKey {
    /// The role or user that made `record`; `None` for services, root, federated users and records whose
    /// account is not an account ID.
    pub fn of(record: &Record) -> Option<PrincipalKey> {
        let identity = record.user_identity.as_ref()?;
        let arn = identity.arn.as_deref().unwrap_or("");
        let account = identity
            .account_id
            .as_deref()
            .or_else(|| Arn::parse(arn).map(|a| a.account()))?
            .parse()
            .ok()?;
        let (kind, name) = match identity.kind.as_deref()? {
            "AssumedRole" => {
                let issuer = identity
                    .session_context
                    .as_ref()
                    .and_then(|c| c.session_issuer.as_ref())
                    .and_then(|i| i.arn.as_deref());
                let name = match issuer {
                    Some(issuer) => issuer.rsplit('/').next()?,
                    None => session_role(arn)?,
                };
                (PrincipalKind::Role, name)
            }
            "IAMUser" => {
                let name = identity
                    .user_name
                    .as_deref()
                    .or_else(|| arn.rsplit('/').next())?;
                (PrincipalKind::User, name)
            }
            _ => return None,
        };
        (!name.is_empty()).then(|| PrincipalKey {
            account,
            kind,
            name: name.to_string(),
        })
    }

    /// What `--role NAME --account ACCOUNT` (or `--user`) selects.
    pub fn filter(&self) -> PrincipalFilter {
        let name = self.name.clone();
        PrincipalFilter {
            identity: match self.kind {
                PrincipalKind::Role => Identity::Role { name, arn: None },
                PrincipalKind::User => Identity::User { name, arn: None },
            },
            session: None,
            accounts: BTreeSet::from([self.account.clone()]),
        }
    }
}

impl fmt::Display for PrincipalKey {
    /// `123456789012/role/NAME`: the path of the principal's policy file in a fleet's output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.account, self.kind.as_str(), self.name)
    }
}

impl PrincipalFilter {
    /// A string that every record of this principal contains verbatim: records without it are skipped
    /// before they are parsed.
    pub fn needle(&self) -> &str {
        match &self.identity {
            Identity::Role { name, .. } | Identity::User { name, .. } => name,
            Identity::Arn(arn) => arn.rsplit(['/', ':']).next().unwrap_or(arn),
        }
    }

    /// Whether `record` was made with this principal's credentials.
    pub fn matches(&self, record: &Record) -> bool {
        let Some(identity) = record.user_identity.as_ref() else {
            return false;
        };
        let kind = identity.kind.as_deref().unwrap_or("");
        let arn = identity.arn.as_deref().unwrap_or("");
        let account = identity
            .account_id
            .as_deref()
            .or_else(|| Arn::parse(arn).map(|a| a.account()))
            .unwrap_or("");
        if !self.accounts.is_empty() && !self.accounts.contains(account) {
            return false;
        }
        match &self.identity {
            Identity::Role {
                name,
                arn: role_arn,
            } => {
                if kind != "AssumedRole" {
                    return false;
                }
                let issuer = identity
                    .session_context
                    .as_ref()
                    .and_then(|c| c.session_issuer.as_ref());
                let issuer_arn = issuer.and_then(|i| i.arn.as_deref());
                let role_matches = match (role_arn, issuer_arn) {
                    (Some(wanted), Some(got)) => wanted == got,
                    (Some(_), None) => false,
                    (None, Some(got)) => got.rsplit('/').next() == Some(name.as_str()),
                    // Some records lack the issuer: the session ARN still names the role.
                    (None, None) => session_role(arn) == Some(name.as_str()),
                };
                role_matches
                    && self.session.as_deref().is_none_or(|glob| {
                        session_name(arn).is_some_and(|session| wildcard_match(glob, session, true))
                    })
            }
            Identity::User {
                name,
                arn: user_arn,
            } => {
                kind == "IAMUser"
                    && match user_arn {
                        Some(wanted) => wanted == arn,
                        None => {
                            identity.user_name.as_deref() == Some(name.as_str())
                                || arn.rsplit('/').next() == Some(name.as_str())
                        }
                    }
            }
            Identity::Arn(wanted) => kind != "AWSService" && wanted == arn,
        }
    }
}

/// How close a principal seen in the input is to the one asked for; smaller is closer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Closeness {
    /// The same name, elsewhere: another path or account, or a session the filter left out.
    SameName,
    /// The same name but for letter case (`Build-Agent`).
    OtherCase,
    /// A close spelling (a small edit distance).
    Spelling,
    /// The same name, but a user where a role was asked for, or the reverse.
    OtherKind,
}

impl PrincipalFilter {
    /// The principals among `seen` (ARNs) that the user may have meant, closest first, as the flag that
    /// selects each: for a run where nothing matched.
    pub fn suggestions(&self, seen: &BTreeMap<String, u64>) -> Vec<String> {
        let (wanted_kind, wanted) = match &self.identity {
            Identity::Role { name, .. } => ("role", name.as_str()),
            Identity::User { name, .. } => ("user", name.as_str()),
            Identity::Arn(arn) => ("", arn.as_str()),
        };
        let mut ranked: Vec<(Closeness, std::cmp::Reverse<u64>, String)> = Vec::new();
        for (arn, count) in seen {
            let Some(parsed) = Arn::parse(arn) else {
                continue;
            };
            let (kind, name) = match parsed.resource().split_once('/') {
                Some((kind @ ("role" | "user"), path)) => {
                    (kind, path.rsplit('/').next().unwrap_or(path))
                }
                _ => ("", arn.as_str()),
            };
            let closeness = if wanted_kind != kind {
                name.eq_ignore_ascii_case(wanted)
                    .then_some(Closeness::OtherKind)
            } else if name == wanted {
                Some(Closeness::SameName)
            } else if name.eq_ignore_ascii_case(wanted) {
                Some(Closeness::OtherCase)
            } else {
                let (a, b) = (name.to_ascii_lowercase(), wanted.to_ascii_lowercase());
                (edit_distance(&a, &b) <= (b.chars().count() / 4).max(1))
                    .then_some(Closeness::Spelling)
            };
            let Some(closeness) = closeness else {
                continue;
            };
            let flag = match kind {
                "role" if closeness != Closeness::SameName => format!("--role {name}"),
                "user" if closeness != Closeness::SameName => format!("--user {name}"),
                "role" => format!("--role {arn}"),
                "user" => format!("--user {arn}"),
                _ => format!("--principal {arn}"),
            };
            let text = if flag.ends_with(arn.as_str()) {
                format!("`{flag}`")
            } else {
                format!("`{flag}` ({arn})")
            };
            ranked.push((closeness, std::cmp::Reverse(*count), text));
        }
        ranked.sort();
        let mut out: Vec<String> = Vec::new();
        for (_, _, text) in ranked {
            if !out.contains(&text) {
                out.push(text);
            }
        }
        out.truncate(5);
        out
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// `arn:aws:sts::1:assumed-role/ROLE/SESSION` → `(ROLE, SESSION)`.
fn assumed_role(arn: &str) -> Option<(&str, &str)> {
    Arn::parse(arn)?
        .resource()
        .strip_prefix("assumed-role/")?
        .split_once('/')
}

fn session_name(arn: &str) -> Option<&str> {
    assumed_role(arn).map(|(_, session)| session)
}

fn session_role(arn: &str) -> Option<&str> {
    assumed_role(arn).map(|(role, _)| role)
}

impl fmt::Display for PrincipalFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let accounts: Vec<&str> = self.accounts.iter().map(AccountId::as_str).collect();
        let scope = match accounts.as_slice() {
            [] => "any account".to_string(),
            [one] => format!("account {one}"),
            many => format!("accounts {}", many.join(", ")),
        };
        match &self.identity {
            Identity::Role { arn: Some(arn), .. } | Identity::User { arn: Some(arn), .. } => {
                write!(f, "{arn}")?
            }
            Identity::Role { name, arn: None } => write!(f, "role `{name}` (any path, {scope})")?,
            Identity::User { name, arn: None } => write!(f, "user `{name}` (any path, {scope})")?,
            Identity::Arn(arn) => write!(f, "{arn}")?,
        }
        if let Some(session) = &self.session {
            write!(f, ", sessions `{session}`")?;
        }
        let named_by_arn = matches!(
            &self.identity,
            Identity::Arn(_)
                | Identity::Role { arn: Some(_), .. }
                | Identity::User { arn: Some(_), .. }
        );
        if named_by_arn && !accounts.is_empty() {
            write!(f, ", {scope}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
