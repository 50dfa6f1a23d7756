//! `policygen fleet --athena/--lake`: ONE query for the whole fleet, grouped by principal, instead of one per
//! principal. Each principal is what the single query of `policygen --role NAME --account ID` selects, and
//! its rows are read as that run reads them, so each policy is byte-identical to the single command's.

use super::{finish, read_currents, FleetError, FleetReport, FleetSettings, Gathered, KindArg};
use super::{sso, Selection};
use crate::collector::aws::collect_by_principal;
use crate::collector::query::by_principal::Grouping;
use crate::collector::Sources;
use crate::pipeline::run_sink;
use crate::principal::PrincipalKind;

/// Runs the fleet's query and concludes each principal as its single run does.
pub(super) async fn from_query(
    settings: &FleetSettings,
    sources: &Sources,
) -> Result<FleetReport, FleetError> {
    let Some(config) = &sources.aws else {
        return Err(FleetError::Usage(
            "`--athena` and `--lake` need the AWS configuration".into(),
        ));
    };
    let (rows, source) = collect_by_principal(
        &settings.scope(),
        &settings.base.source,
        config,
        &settings.selection.grouping(),
        run_sink(&settings.base),
    )
    .await?;
    let (principals, unattributed_rows) = rows.finish();
    let gathered = Gathered {
        principals,
        unattributed_rows,
        ..Gathered::default()
    };
    let currents = read_currents(settings, sources, &gathered).await?;
    let mut report = finish(settings, gathered, currents, &source)?;
    report.source = source.summary();
    Ok(report)
}

impl Selection {
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
