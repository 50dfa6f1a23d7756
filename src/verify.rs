//! The last step of a run: every distinct successful call the policy was built from must be allowed by the
//! documents written, evaluated as IAM evaluates them (actions, resources, conditions). A call they do not
//! allow is a defect of policygen, reported as `unsound-result` (the run is incomplete), never a silent gap.

use crate::glob::unescape_value;
use crate::policy::{Context, PolicyDocument};
use crate::report::{Code, Diagnostics};
use crate::usage::{UsageKey, UsageSet};

/// The request IAM evaluates for a usage entry: the real ARN (request values are stored escaped) and the
/// context its facts and region give.
fn request(key: &UsageKey) -> (String, Context) {
    let resource = unescape_value(&key.resource);
    let mut context: Context = key.facts.clone().into_iter().collect();
    if !key.region.is_empty() {
        context.insert("aws:RequestedRegion".to_string(), key.region.clone());
    }
    (resource, context)
}

/// Documents attached together, as one.
fn merged(documents: &[PolicyDocument]) -> PolicyDocument {
    PolicyDocument {
        version: crate::policy::POLICY_VERSION.to_string(),
        statements: documents
            .iter()
            .flat_map(|d| d.statements.iter().cloned())
            .collect(),
    }
}

/// The usage entries that `documents`, attached together, do not allow.
pub fn not_allowed<'u>(usage: &'u UsageSet, documents: &[PolicyDocument]) -> Vec<&'u UsageKey> {
    let all = merged(documents);
    usage
        .used
        .keys()
        .filter(|key| {
            let (resource, context) = request(key);
            !all.allows_request(&key.action, &resource, &context)
        })
        .collect()
}

/// Checks the emitted policy: an `unsound-result` diagnostic for every call it does not allow, and for each
/// failed call whether it grants it anyway (a note: routine traffic) or not (a warning).
pub fn check(usage: &UsageSet, policy: &PolicyDocument, diagnostics: &mut Diagnostics) {
    let all = policy;
    for (key, failed) in &usage.failed {
        let granted = !failed.needs.is_empty()
            && failed.needs.iter().all(|need| {
                let (resource, context) = request(need);
                all.allows_request(&need.action, &resource, &context)
            });
        let (code, why) = if granted {
            (
                Code::FailedCallGrantedAnyway,
                format!(
                    "failed with `{}`, and the policy grants it anyway: the same call also succeeded",
                    key.error_code
                ),
            )
        } else {
            (
                Code::FailedCallSkipped,
                format!(
                    "the call failed with `{}`: not granted (use `--include-denied` to grant failed calls)",
                    key.error_code
                ),
            )
        };
        diagnostics.add_n(
            code,
            key.call.clone(),
            why,
            failed.first.clone(),
            failed.evidence.count,
        );
    }
    unsound(
        not_allowed(usage, std::slice::from_ref(policy)),
        diagnostics,
    );
}

/// Checks what is finally written (the review's proposal, split into parts) for calls that the emitted
/// policy allowed but the written documents do not (a carried-over `Deny`, a lost part).
pub fn check_written(
    usage: &UsageSet,
    emitted: &PolicyDocument,
    written: &[PolicyDocument],
    diagnostics: &mut Diagnostics,
) {
    let before = not_allowed(usage, std::slice::from_ref(emitted));
    let after = not_allowed(usage, written)
        .into_iter()
        .filter(|key| !before.contains(key))
        .collect();
    unsound(after, diagnostics);
}

fn unsound(keys: Vec<&UsageKey>, diagnostics: &mut Diagnostics) {
    for key in keys {
        let region = if key.region.is_empty() {
            String::new()
        } else {
            format!(" in `{}`", key.region)
        };
        let why = format!(
            "the written policy does not allow `{}` on `{}`{region}, which the principal did: a policygen defect, please report it",
            key.action, key.resource
        );
        diagnostics.add(Code::UnsoundResult, key.action.clone(), why, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emitter::{emit, EmitOptions};
    use crate::usage::usage_of;

    #[test]
    fn what_was_emitted_allows_what_was_used() {
        let usage = usage_of(&[
            ("s3:GetObject", "arn:aws:s3:::b/a${*}b"),
            ("sts:GetCallerIdentity", "*"),
        ]);
        let doc = emit(&usage, &EmitOptions::default(), &mut Diagnostics::default());
        assert!(not_allowed(&usage, std::slice::from_ref(&doc)).is_empty());
        let mut diagnostics = Diagnostics::default();
        check(&usage, &PolicyDocument::default(), &mut diagnostics);
        assert_eq!(diagnostics.count(Code::UnsoundResult), 2);
    }
}
