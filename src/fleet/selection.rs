//! Which principals a fleet writes: chosen on each principal found ([`Selection::wants`]) and, for an engine,
//! pushed down into its query as far as SQL can tell them apart ([`Selection::grouping`]).

use super::{sso, KindArg};
use crate::collector::query::by_principal::Grouping;
use crate::glob::wildcard_match;
use crate::ids::AccountId;
use crate::principal::{PrincipalKey, PrincipalKind};
use std::collections::BTreeSet;

/// Which principals are written.
#[derive(Debug, Clone)]
pub struct Selection {
    pub accounts: BTreeSet<AccountId>,
    pub kind: KindArg,
    pub name: Option<String>,
}

impl Selection {
    pub fn wants(&self, key: &PrincipalKey) -> bool {
        let kind = match self.kind {
            KindArg::All => true,
            KindArg::Role => key.kind == PrincipalKind::Role,
            KindArg::User => key.kind == PrincipalKind::User,
            KindArg::Sso => {
                key.kind == PrincipalKind::Role && sso::permission_set(&key.name).is_some()
            }
        };
        kind && (self.accounts.is_empty() || self.accounts.contains(&key.account))
            && self
                .name
                .as_deref()
                .is_none_or(|glob| wildcard_match(glob, &key.name, true))
    }

    /// What the engine can select of the principals wanted (the fleet checks [`Selection::wants`] on what
    /// comes back).
    pub fn grouping(&self) -> Grouping {
        let (kind, mut names) = match self.kind {
            KindArg::All => (None, Vec::new()),
            KindArg::Role => (Some(PrincipalKind::Role), Vec::new()),
            KindArg::User => (Some(PrincipalKind::User), Vec::new()),
            KindArg::Sso => (
                Some(PrincipalKind::Role),
                vec![format!("{}*", sso::ROLE_PREFIX)],
            ),
        };
        names.extend(self.name.clone());
        Grouping {
            accounts: self.accounts.clone(),
            kind,
            names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_is_pushed_down() {
        let selection = Selection {
            accounts: ["111122223333".parse().expect("an account")].into(),
            kind: KindArg::Sso,
            name: Some("*Admin*".into()),
        };
        let grouping = selection.grouping();
        assert_eq!(grouping.kind, Some(PrincipalKind::Role));
        assert_eq!(grouping.names, ["AWSReservedSSO_*", "*Admin*"]);
        assert_eq!(grouping.accounts, selection.accounts);
        let all = Selection {
            kind: KindArg::All,
            name: None,
            ..selection
        };
        assert_eq!(all.grouping().kind, None);
        assert!(all.grouping().names.is_empty());
    }
}
