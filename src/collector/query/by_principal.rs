//! The fleet's query (`policygen fleet --athena/--lake`): one statement for every role and user, the single
//! command's aggregation grouped by principal too. A principal is what the single query's predicate selects
//! (`--role NAME --account ID`: the identity type, its account and its name, each taken as a run over the logs
//! takes them), so each principal's rows are the rows its single query returns.
//! Each principal's rows go through a decoder of their own, as its single run reads them.

use super::{aggregation, like, list, lit, Engine, Keys, Row, ACCOUNT, COLUMNS};
use crate::collector::athena::{feed, QueryReport, QueryRunError};
use crate::collector::{Collected, Decoder, Scope, Sink};
use crate::ids::AccountId;
use crate::principal::{PrincipalKey, PrincipalKind};
use crate::window::TimeWindow;
use std::collections::{BTreeMap, BTreeSet};

/// Which principals a fleet wants, as far as the engine can tell them apart; the fleet checks its
/// selection again on what comes back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grouping {
    /// Only these accounts (none: every account).
    pub accounts: BTreeSet<AccountId>,
    /// Only roles or only users (`None`: both).
    pub kind: Option<PrincipalKind>,
    /// Globs (`*`, `?`) every name must match.
    pub names: Vec<String>,
}

/// The principal's name as a run over the logs takes it (`PrincipalKey::of`): a role's is the last part of
/// its session issuer's ARN, else the role of the session's ARN (some services log no issuer); a user's is its
/// `userName`, else the last part of its ARN.
const NAME: &str = "CASE useridentity.type \
    WHEN 'AssumedRole' THEN COALESCE(regexp_extract(useridentity.sessioncontext.sessionissuer.arn, '[^/]*$'), \
    regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:assumed-role/([^/]*)/', 1)) \
    ELSE COALESCE(useridentity.username, regexp_extract(useridentity.arn, '[^/]*$')) END";

/// The columns a fleet's row has after [`COLUMNS`]: its principal.
const BY: [&str; 3] = ["principal_type", "principal_account", "principal_name"];

/// The columns of a fleet's row: [`COLUMNS`], then its principal.
pub const FLEET_COLUMNS: [&str; COLUMNS.len() + BY.len()] = {
    let mut out = [""; COLUMNS.len() + BY.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = if i < COLUMNS.len() {
            COLUMNS[i]
        } else {
            BY[i - COLUMNS.len()]
        };
        i += 1;
    }
    out
};

/// The aggregation query for every role and user of `grouping` in `window`, grouped by principal.
pub fn build(
    engine: &Engine,
    grouping: &Grouping,
    window: &TimeWindow,
    regions: &[String],
    keys: &Keys,
) -> String {
    let mut predicates = vec![match grouping.kind {
        Some(PrincipalKind::Role) => "useridentity.type = 'AssumedRole'".to_string(),
        Some(PrincipalKind::User) => "useridentity.type = 'IAMUser'".to_string(),
        None => "useridentity.type IN ('AssumedRole', 'IAMUser')".to_string(),
    }];
    if !grouping.accounts.is_empty() {
        predicates.push(format!("{ACCOUNT} IN ({})", list(&grouping.accounts)));
    }
    // A glob with IAM's `${*}` escapes is no LIKE pattern: the fleet's own check applies it.
    for glob in grouping.names.iter().filter(|g| !g.contains('$')) {
        predicates.push(format!("{NAME} LIKE {} ESCAPE '\\'", lit(&like(glob))));
    }
    let by = ["useridentity.type", ACCOUNT, NAME]
        .iter()
        .zip(BY)
        .map(|(expression, name)| format!("{expression} AS {name}"))
        .collect::<Vec<_>>();
    let about =
        "the distinct calls of every role and user in [from, to), with counts, by principal";
    aggregation(engine, about, predicates, &by, window, regions, keys)
}

/// The principal of a fleet's row (in the order of [`FLEET_COLUMNS`]), or why it names none.
pub fn principal(values: &[Option<String>]) -> Result<PrincipalKey, String> {
    let get = |i: usize| values.get(COLUMNS.len() + i).and_then(|v| v.as_deref());
    let (kind, what, name_of) = match get(0) {
        Some("AssumedRole") => (PrincipalKind::Role, "role sessions", "role name"),
        Some("IAMUser") => (PrincipalKind::User, "IAM users", "user name"),
        other => return Err(format!("identity type `{}`", other.unwrap_or_default())),
    };
    let account = get(1).unwrap_or_default();
    let Ok(parsed) = account.parse::<AccountId>() else {
        return Err(format!("{what} without an account ID (`{account}`)"));
    };
    match get(2).filter(|n| !n.is_empty()) {
        Some(name) => Ok(PrincipalKey {
            account: parsed,
            kind,
            name: name.to_string(),
        }),
        None => Err(format!("{what} of account `{account}` without a {name_of}")),
    }
}

/// One principal's rows, read as its single run reads its own.
struct Part<S> {
    decoder: Decoder<S>,
    collected: Collected<S>,
    rows: usize,
}

/// The rows of a fleet's query, split by principal.
pub struct ByPrincipal<S> {
    scope: Scope,
    template: S,
    parts: BTreeMap<PrincipalKey, Part<S>>,
    /// Rows that name no role or user (see [`principal`]), by why: how many events. Their calls are in no
    /// policy.
    unattributed: BTreeMap<String, u64>,
}

impl<S: Sink> ByPrincipal<S> {
    /// `scope`'s window; engines select the principals themselves.
    pub fn new(scope: &Scope, template: S) -> ByPrincipal<S> {
        ByPrincipal {
            scope: Scope {
                principal: None,
                ..scope.clone()
            },
            template,
            parts: BTreeMap::new(),
            unattributed: BTreeMap::new(),
        }
    }

    /// One row of the fleet's query, named `name` (the query), to its principal.
    pub fn feed(
        &mut self,
        name: &str,
        mut values: Vec<Option<String>>,
        report: &mut QueryReport,
    ) -> Result<(), QueryRunError> {
        if values.len() != FLEET_COLUMNS.len() {
            return Err(QueryRunError::Columns {
                id: report.query_id.clone(),
                columns: values.len().to_string(),
            });
        }
        let key = principal(&values);
        values.truncate(COLUMNS.len());
        match key {
            Ok(key) => {
                let (scope, template) = (&self.scope, &self.template);
                let part = self.parts.entry(key).or_insert_with(|| {
                    let decoder = Decoder::new(scope.clone(), template.fresh());
                    let collected = decoder.fresh();
                    Part {
                        decoder,
                        collected,
                        rows: 0,
                    }
                });
                feed(
                    name,
                    part.rows,
                    values,
                    &part.decoder,
                    &mut part.collected,
                    report,
                )?;
                part.rows += 1;
            }
            Err(why) => {
                let Some(row) = Row::new(values) else {
                    return Err(QueryRunError::Columns {
                        id: report.query_id.clone(),
                        columns: "a row without its call or count".into(),
                    });
                };
                let events = row.weight.count;
                *self.unattributed.entry(why).or_default() += events;
                report.rows += 1;
                report.events += events;
            }
        }
        Ok(())
    }

    /// Each principal's collection, and the rows of none.
    pub fn finish(self) -> (BTreeMap<PrincipalKey, Collected<S>>, BTreeMap<String, u64>) {
        let parts = self
            .parts
            .into_iter()
            .map(|(key, part)| {
                let mut collected = part.collected;
                collected.decoded.stopped = part.decoder.stopped();
                (key, collected)
            })
            .collect();
        (parts, self.unattributed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: Option<&str>, account: Option<&str>, name: Option<&str>) -> Vec<Option<String>> {
        let mut values: Vec<Option<String>> = vec![None; COLUMNS.len()];
        values.extend([kind, account, name].map(|v| v.map(str::to_string)));
        values
    }

    #[test]
    fn a_row_names_its_principal_or_says_why_not() {
        let key = principal(&row(
            Some("AssumedRole"),
            Some("111122223333"),
            Some("deployer"),
        ));
        assert_eq!(
            key.map(|k| k.to_string()),
            Ok("111122223333/role/deployer".to_string())
        );
        let key = principal(&row(Some("IAMUser"), Some("111122223333"), Some("ci")));
        assert_eq!(
            key.map(|k| k.to_string()),
            Ok("111122223333/user/ci".to_string())
        );
        assert_eq!(
            principal(&row(Some("AssumedRole"), Some("111122223333"), None)),
            Err("role sessions of account `111122223333` without a role name".into())
        );
        assert_eq!(
            principal(&row(Some("IAMUser"), Some("1"), Some("ci"))),
            Err("IAM users without an account ID (`1`)".into())
        );
        assert_eq!(
            principal(&row(Some("Root"), None, None)),
            Err("identity type `Root`".into())
        );
    }
}
