//! The WHERE clauses that select a principal, written to select what a run over the logs selects
//! (`PrincipalFilter::matches`, `PrincipalKey::of`): `tests/it/engine_predicate.rs` holds them to it in DuckDB.

use crate::principal::{Identity, PrincipalFilter};

pub(super) fn lit(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

pub(super) fn list(values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    values
        .into_iter()
        .map(|v| lit(v.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A glob (`*`, `?`) or a name as a LIKE pattern with `\` as its escape.
pub(super) fn like(glob: &str) -> String {
    let mut out = String::new();
    for c in glob.chars() {
        match c {
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '*' => out.push('%'),
            '?' => out.push('_'),
            c => out.push(c),
        }
    }
    out
}

/// A principal's account as a run over the logs takes it: the identity's `accountId`, else its ARN's.
pub(super) const ACCOUNT: &str = "COALESCE(useridentity.accountid, \
    regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1))";

/// The start of a session's ARN, up to its session name.
const SESSION_ARN: &str = "^arn:[^:]*:[^:]*:[^:]*:[^:]*:assumed-role/[^/]*/";

/// The LIKE pattern of an ARN whose last part is `name`.
fn ending_in(name: &str) -> String {
    lit(&format!("%/{}", like(name)))
}

/// A role by name as a run over the logs selects it (`principal::PrincipalFilter::matches`): the last part of
/// the session issuer's ARN, or, where a record has no issuer ARN (some services log none), the role named
/// by the session's ARN (`…:assumed-role/ROLE/SESSION`).
fn role_by_name(name: &str) -> String {
    let issuer = ending_in(name);
    let session = lit(&format!("%:assumed-role/{}/%", like(name)));
    format!(
        "(useridentity.sessioncontext.sessionissuer.arn LIKE {issuer} ESCAPE '\\' OR \
         (useridentity.sessioncontext.sessionissuer.arn IS NULL AND useridentity.arn LIKE {session} ESCAPE '\\'))"
    )
}

pub(super) fn principal_predicate(principal: &PrincipalFilter) -> Vec<String> {
    let mut clauses = Vec::new();
    match &principal.identity {
        Identity::Role { name, arn } => {
            clauses.push("useridentity.type = 'AssumedRole'".to_string());
            match arn {
                Some(arn) => clauses.push(format!(
                    "useridentity.sessioncontext.sessionissuer.arn = {}",
                    lit(arn)
                )),
                None => clauses.push(role_by_name(name)),
            }
            // The session is what follows the role in the session's ARN, whichever role that names (the
            // role itself is the issuer's, above). An ARN of another shape has none (the CASE: engines differ
            // on what `regexp_extract` gives when nothing matches, NULL or '').
            if let Some(glob) = &principal.session {
                clauses.push(format!(
                    "CASE WHEN regexp_extract(useridentity.arn, '{SESSION_ARN}') <> '' \
                     THEN regexp_extract(useridentity.arn, '{SESSION_ARN}(.*)$', 1) END LIKE {} ESCAPE '\\'",
                    lit(&like(glob))
                ));
            }
        }
        Identity::User { name, arn } => {
            clauses.push("useridentity.type = 'IAMUser'".to_string());
            match arn {
                Some(arn) => clauses.push(format!("useridentity.arn = {}", lit(arn))),
                None => clauses.push(format!(
                    "(useridentity.username = {} OR useridentity.arn LIKE {} ESCAPE '\\')",
                    lit(name),
                    ending_in(name)
                )),
            }
        }
        Identity::Arn(arn) => {
            clauses.push(format!("useridentity.arn = {}", lit(arn)));
            clauses.push("useridentity.type <> 'AWSService'".to_string());
        }
    }
    if !principal.accounts.is_empty() {
        clauses.push(format!("{ACCOUNT} IN ({})", list(&principal.accounts)));
    }
    clauses
}
