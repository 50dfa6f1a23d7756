//! `--current iam`: the principal's current policies, read with the IAM API.
//!
//! This lives in `collector/` rather than beside [`crate::current`] because the collector is the one place that
//! sees AWS SDK types (docs/architecture): it reads through the SDK and hands back the same SDK-free
//! [`CurrentPolicies`] that `--current FILE` produces, so the diff never knows where the policies came from.
//!
//! Only read-only calls are made (docs/permissions.md lists them). Every list is paginated, and any failed call
//! is an error naming the operation: a partial current policy would make the diff propose removals or
//! additions that are not real, so nothing is ever skipped silently.

use crate::current::{parse_document, CurrentError, CurrentPolicies, NamedPolicy};
use crate::ids::AccountId;
use crate::principal::{Identity, PrincipalFilter};
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_iam::Client;
use std::collections::BTreeSet;

/// How the policies are named in errors about their documents.
const LABEL: &str = "iam";

#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error("iam `{operation}` of `{target}` failed: {message}")]
    Aws {
        operation: &'static str,
        target: String,
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("`--current iam` reads the policies of a role or a user, and `{0}` is neither")]
    NotRoleOrUser(String),
    #[error("the principal is `{given}`, but the credentials' account has `{found}`: use credentials of the principal's account")]
    OtherPrincipal { given: String, found: String },
    #[error("`{found}` is not in the accounts of `--account` ({wanted}): use credentials of that account")]
    OtherAccount { found: String, wanted: String },
    #[error("iam `{operation}` returned no {what} for `{target}`")]
    Missing {
        operation: &'static str,
        what: &'static str,
        target: String,
    },
    #[error(transparent)]
    Document(#[from] CurrentError),
}

/// The IAM client for `config` (its endpoint follows `AWS_ENDPOINT_URL` like every other client).
pub fn client(config: &aws_config::SdkConfig) -> Client {
    Client::new(config)
}

fn aws_error<E>(operation: &'static str, target: &str, e: E) -> IamError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let message = match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(&e).to_string(),
    };
    // The usual failure is a reviewer's credentials lacking one read permission: say which one.
    let hint = match e.code() {
        Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation") => format!(
            " (the credentials need `iam:{operation}`: see docs/permissions.md, \"Reading the current policy\")"
        ),
        Some("NoSuchEntity") => " (check the name, and that the credentials are the principal's account's)".to_string(),
        _ => String::new(),
    };
    IamError::Aws {
        operation,
        target: target.to_string(),
        message: format!("{message}{hint}"),
        source: Box::new(e),
    }
}

/// Who holds policies: the principal, or one of a user's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    Role(String),
    User(String),
    Group(String),
}

impl Owner {
    /// `role/NAME`, `user/NAME`, `group/NAME`: the owner part of a policy's name in the diff.
    fn label(&self) -> String {
        match self {
            Owner::Role(name) => format!("role/{name}"),
            Owner::User(name) => format!("user/{name}"),
            Owner::Group(name) => format!("group/{name}"),
        }
    }
}

/// Reads every policy that grants the principal something: its inline policies, its attached managed
/// policies (default version), and for a user the inline and attached policies of each of its groups.
/// Inline policies come first (the principal's, then each group's by name), then managed ones by ARN, each
/// read once even when attached twice (to the user and a group).
pub async fn read_current(
    client: &Client,
    principal: &PrincipalFilter,
) -> Result<CurrentPolicies, IamError> {
    let mut out = CurrentPolicies::default();
    let (owner, arn, boundary) = match &principal.identity {
        Identity::Role { name, .. } => {
            let role = client
                .get_role()
                .role_name(name)
                .send()
                .await
                .map_err(|e| aws_error("GetRole", &format!("role/{name}"), e))?;
            let role = role.role().ok_or_else(|| IamError::Missing {
                operation: "GetRole",
                what: "role",
                target: name.clone(),
            })?;
            (
                Owner::Role(role.role_name().to_string()),
                role.arn().to_string(),
                role.permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_string),
            )
        }
        Identity::User { name, .. } => {
            let user = client
                .get_user()
                .user_name(name)
                .send()
                .await
                .map_err(|e| aws_error("GetUser", &format!("user/{name}"), e))?;
            let user = user.user().ok_or_else(|| IamError::Missing {
                operation: "GetUser",
                what: "user",
                target: name.clone(),
            })?;
            (
                Owner::User(user.user_name().to_string()),
                user.arn().to_string(),
                user.permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_string),
            )
        }
        Identity::Arn(arn) => return Err(IamError::NotRoleOrUser(arn.clone())),
    };
    check_principal(principal, &arn)?;
    if let Some(boundary) = boundary {
        // A boundary only limits what the policies grant; the diff is about the grants, so it is shown, not read.
        out.notes.push(format!(
            "`{arn}` has the permissions boundary `{boundary}`: it can only narrow what the policies grant and is not part of this diff"
        ));
    }

    let mut owners = vec![owner.clone()];
    if let Owner::User(user) = &owner {
        let mut groups = BTreeSet::new();
        let mut pages = client
            .list_groups_for_user()
            .user_name(user)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| aws_error("ListGroupsForUser", &owner.label(), e))?;
            groups.extend(page.groups().iter().map(|g| g.group_name().to_string()));
        }
        owners.extend(groups.into_iter().map(Owner::Group));
    }

    let mut attached = BTreeSet::new();
    for owner in &owners {
        for name in inline_names(client, owner).await? {
            let text = inline_document(client, owner, &name).await?;
            let name = format!("{}#{name}", owner.label());
            out.policies.push(NamedPolicy {
                document: parse_document(LABEL, &name, &text)?,
                name,
            });
        }
        attached.extend(attached_arns(client, owner).await?);
    }
    for policy_arn in attached {
        let (version, text) = managed_document(client, &policy_arn).await?;
        let name = format!("{policy_arn}#{version}");
        out.policies.push(NamedPolicy {
            document: parse_document(LABEL, &name, &text)?,
            name,
        });
    }
    Ok(out)
}

/// GetRole and GetUser look a name up in the credentials' account, whatever the ARN the user gave: make sure
/// it is the same principal, so that another account's namesake is never diffed.
fn check_principal(principal: &PrincipalFilter, found: &str) -> Result<(), IamError> {
    let given = match &principal.identity {
        Identity::Role { arn, .. } | Identity::User { arn, .. } => arn.as_deref(),
        Identity::Arn(arn) => Some(arn.as_str()),
    };
    if let Some(given) = given {
        // Names are unique regardless of case in IAM; the ARN keeps the case it was created with.
        if !given.eq_ignore_ascii_case(found) {
            return Err(IamError::OtherPrincipal {
                given: given.to_string(),
                found: found.to_string(),
            });
        }
    }
    let account = crate::arn::Arn::parse(found).map_or("", |a| a.account());
    if !principal.accounts.is_empty() && !principal.accounts.contains(account) {
        let wanted: Vec<&str> = principal.accounts.iter().map(AccountId::as_str).collect();
        return Err(IamError::OtherAccount {
            found: found.to_string(),
            wanted: wanted.join(", "),
        });
    }
    Ok(())
}

/// The names of the owner's inline policies, sorted (IAM sorts them too; sorting here keeps the output
/// deterministic whatever the service does).
async fn inline_names(client: &Client, owner: &Owner) -> Result<BTreeSet<String>, IamError> {
    let target = owner.label();
    let mut names = BTreeSet::new();
    match owner {
        Owner::Role(role) => {
            let mut pages = client
                .list_role_policies()
                .role_name(role)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| aws_error("ListRolePolicies", &target, e))?;
                names.extend(page.policy_names().iter().cloned());
            }
        }
        Owner::User(user) => {
            let mut pages = client
                .list_user_policies()
                .user_name(user)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| aws_error("ListUserPolicies", &target, e))?;
                names.extend(page.policy_names().iter().cloned());
            }
        }
        Owner::Group(group) => {
            let mut pages = client
                .list_group_policies()
                .group_name(group)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| aws_error("ListGroupPolicies", &target, e))?;
                names.extend(page.policy_names().iter().cloned());
            }
        }
    }
    Ok(names)
}

/// The document text of one inline policy, as IAM returns it (URL-encoded).
async fn inline_document(client: &Client, owner: &Owner, name: &str) -> Result<String, IamError> {
    let target = format!("{}#{name}", owner.label());
    let text = match owner {
        Owner::Role(role) => client
            .get_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await
            .map_err(|e| aws_error("GetRolePolicy", &target, e))?
            .policy_document()
            .to_string(),
        Owner::User(user) => client
            .get_user_policy()
            .user_name(user)
            .policy_name(name)
            .send()
            .await
            .map_err(|e| aws_error("GetUserPolicy", &target, e))?
            .policy_document()
            .to_string(),
        Owner::Group(group) => client
            .get_group_policy()
            .group_name(group)
            .policy_name(name)
            .send()
            .await
            .map_err(|e| aws_error("GetGroupPolicy", &target, e))?
            .policy_document()
            .to_string(),
    };
    Ok(text)
}

/// The ARNs of the managed policies attached to the owner.
async fn attached_arns(client: &Client, owner: &Owner) -> Result<BTreeSet<String>, IamError> {
    let target = owner.label();
    let mut arns = BTreeSet::new();
    let arn_of = |p: &aws_sdk_iam::types::AttachedPolicy| p.policy_arn().map(str::to_string);
    match owner {
        Owner::Role(role) => {
            let mut pages = client
                .list_attached_role_policies()
                .role_name(role)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| aws_error("ListAttachedRolePolicies", &target, e))?;
                arns.extend(page.attached_policies().iter().filter_map(arn_of));
            }
        }
        Owner::User(user) => {
            let mut pages = client
                .list_attached_user_policies()
                .user_name(user)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| aws_error("ListAttachedUserPolicies", &target, e))?;
                arns.extend(page.attached_policies().iter().filter_map(arn_of));
            }
        }
        Owner::Group(group) => {
            let mut pages = client
                .list_attached_group_policies()
                .group_name(group)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| aws_error("ListAttachedGroupPolicies", &target, e))?;
                arns.extend(page.attached_policies().iter().filter_map(arn_of));
            }
        }
    }
    Ok(arns)
}

/// The default version of a managed policy: its id and document. Only the default version is in force; the
/// others are history.
async fn managed_document(client: &Client, arn: &str) -> Result<(String, String), IamError> {
    let policy = client
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("GetPolicy", arn, e))?;
    let missing = |operation, what| IamError::Missing {
        operation,
        what,
        target: arn.to_string(),
    };
    let version_id = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .ok_or_else(|| missing("GetPolicy", "default version"))?
        .to_string();
    let version = client
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version_id)
        .send()
        .await
        .map_err(|e| aws_error("GetPolicyVersion", &format!("{arn}#{version_id}"), e))?;
    let text = version
        .policy_version()
        .and_then(|v| v.document())
        .ok_or_else(|| missing("GetPolicyVersion", "document"))?
        .to_string();
    Ok((version_id, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(identity: Identity, accounts: &[&str]) -> PrincipalFilter {
        PrincipalFilter {
            identity,
            session: None,
            accounts: accounts.iter().filter_map(|a| a.parse().ok()).collect(),
        }
    }

    #[test]
    fn the_principal_found_must_be_the_one_given() {
        let found = "arn:aws:iam::111122223333:role/ci/deployer";
        let by_name = filter(
            Identity::Role {
                name: "deployer".into(),
                arn: None,
            },
            &[],
        );
        assert!(check_principal(&by_name, found).is_ok());
        let by_arn = filter(
            Identity::Role {
                name: "deployer".into(),
                arn: Some("arn:aws:iam::444455556666:role/ci/deployer".into()),
            },
            &[],
        );
        let e = check_principal(&by_arn, found).expect_err("other account");
        assert!(e
            .to_string()
            .starts_with("the principal is `arn:aws:iam::444455556666:role/ci/deployer`, but"));
        let accounts = filter(
            Identity::Role {
                name: "deployer".into(),
                arn: None,
            },
            &["444455556666"],
        );
        assert!(matches!(
            check_principal(&accounts, found),
            Err(IamError::OtherAccount { .. })
        ));
    }
}
