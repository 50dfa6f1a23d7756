//! `--kind sso`: IAM Identity Center provisions a role `AWSReservedSSO_<PermissionSet>_<hash>` in every
//! account a permission set is assigned to. An administrator edits the permission set, not the roles, so the
//! usage of all its roles, in every account, makes one policy: `sso/<PermissionSet>.json`.

use super::report::Row;
use super::{write_policy, FleetError, FleetSettings};
use crate::collector::{Collected, SourceReport};
use crate::pipeline::{conclude, RunSink};
use crate::principal::{Identity, PrincipalFilter, PrincipalKey};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How every Identity Center role's name begins.
pub const ROLE_PREFIX: &str = "AWSReservedSSO_";

/// The permission set of an Identity Center role name: `AWSReservedSSO_AdministratorAccess_0123456789abcdef`
/// → `AdministratorAccess`. The name may hold underscores; the suffix is 16 hex digits.
pub fn permission_set(role: &str) -> Option<&str> {
    let rest = role.strip_prefix(ROLE_PREFIX)?;
    let (set, hash) = rest.rsplit_once('_')?;
    let hex = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !set.is_empty()).then_some(set)
}

/// One permission set's roles, with their records merged.
pub struct PermissionSet {
    pub name: String,
    pub roles: Vec<PrincipalKey>,
    pub collected: Collected<RunSink>,
}

/// What fleet.json says of a permission set: the roles (and so the accounts) its policy covers.
#[derive(Debug, Clone, Serialize)]
pub struct SetRow {
    pub permission_set: String,
    pub file: String,
    pub roles: Vec<String>,
    pub accounts: Vec<String>,
}

/// Groups Identity Center roles by permission set; other principals are left out.
pub fn group(principals: Vec<(PrincipalKey, Collected<RunSink>)>) -> Vec<PermissionSet> {
    let mut sets: BTreeMap<String, PermissionSet> = BTreeMap::new();
    for (key, part) in principals {
        let Some(name) = permission_set(&key.name).map(str::to_string) else {
            continue;
        };
        match sets.get_mut(&name) {
            Some(set) => {
                set.roles.push(key);
                set.collected.merge(part);
            }
            None => {
                sets.insert(
                    name.clone(),
                    PermissionSet {
                        name,
                        roles: vec![key],
                        collected: part,
                    },
                );
            }
        }
    }
    sets.into_values().collect()
}

/// Concludes and writes one permission set's policy: the settings of a run over all its roles (the role
/// names differ per set only by their hash, so the filter names the set).
pub fn write(
    settings: &FleetSettings,
    set: &PermissionSet,
    collected: Collected<RunSink>,
    source: &SourceReport,
) -> Result<(Row, SetRow), FleetError> {
    let relative = PathBuf::from("sso").join(format!("{}.json", set.name));
    let mut run = settings.base.clone();
    run.scope.principal = Some(PrincipalFilter {
        identity: Identity::Role {
            name: format!("{ROLE_PREFIX}{}", set.name),
            arn: None,
        },
        session: None,
        accounts: set.roles.iter().map(|k| k.account.clone()).collect(),
    });
    run.output.path = Some(settings.out_dir.join(&relative));
    let outcome = conclude(&run, None, collected, source.clone());
    write_policy(&outcome, &run)?;
    let file = relative.display().to_string();
    let mut accounts: Vec<String> = set.roles.iter().map(|k| k.account.to_string()).collect();
    accounts.dedup();
    let row = Row::of_named(
        "sso",
        "permission-set",
        &set.name,
        &file,
        &outcome,
        String::new(),
    );
    Ok((
        row,
        SetRow {
            permission_set: set.name.clone(),
            file,
            roles: set.roles.iter().map(ToString::to_string).collect(),
            accounts,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::permission_set;

    #[test]
    fn permission_sets_from_role_names() {
        assert_eq!(
            permission_set("AWSReservedSSO_AdministratorAccess_0123456789abcdef"),
            Some("AdministratorAccess")
        );
        assert_eq!(
            permission_set("AWSReservedSSO_Read_Only_Dev_a1b2c3d4e5f60718"),
            Some("Read_Only_Dev")
        );
        assert_eq!(permission_set("AWSReservedSSO_Admin_xyz"), None);
        assert_eq!(permission_set("AWSReservedSSO__0123456789abcdef"), None);
        assert_eq!(permission_set("deployer"), None);
    }
}
