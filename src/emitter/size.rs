//! IAM policy size limits, and splitting a policy into parts that each fit.

use crate::policy::{Effect, PolicyDocument, Statement, StringOrList};
use crate::report::{Code, Diagnostics};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeLimit {
    /// A customer managed policy: 6,144 characters each, whitespace excluded; 10 attached to one identity by
    /// default (a quota that goes up to 20).
    Managed,
    /// The inline policies of an IAM user: 2,048 characters all together.
    InlineUser,
    /// The inline policies of an IAM group: 5,120 characters all together.
    InlineGroup,
    /// The inline policies of an IAM role: 10,240 characters all together.
    InlineRole,
}

/// Managed policies IAM attaches to one role or user by default.
pub const MANAGED_PER_IDENTITY: usize = 10;

/// The statement written when nothing needs a permission. IAM rejects a policy without statements, and
/// `sts:GetCallerIdentity` needs no permission (no policy can deny it), so allowing it grants nothing.
pub const NOTHING_NEEDED_SID: &str = "NoPermissionNeeded";

impl SizeLimit {
    /// Characters (whitespace excluded) of one managed policy, or of all inline policies of one identity.
    pub fn chars(self) -> usize {
        match self {
            SizeLimit::Managed => 6_144,
            SizeLimit::InlineUser => 2_048,
            SizeLimit::InlineGroup => 5_120,
            SizeLimit::InlineRole => 10_240,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SizeLimit::Managed => "managed policy",
            SizeLimit::InlineUser => "user's inline policies",
            SizeLimit::InlineGroup => "group's inline policies",
            SizeLimit::InlineRole => "role's inline policies",
        }
    }

    pub fn name_with_article(self) -> &'static str {
        match self {
            SizeLimit::Managed => "a managed policy",
            SizeLimit::InlineUser => "a user's inline policies",
            SizeLimit::InlineGroup => "a group's inline policies",
            SizeLimit::InlineRole => "a role's inline policies",
        }
    }

    /// The `--policy-type` value that selects this limit.
    pub fn policy_type(self) -> &'static str {
        match self {
            SizeLimit::Managed => "managed",
            SizeLimit::InlineUser => "inline-user",
            SizeLimit::InlineGroup => "inline-group",
            SizeLimit::InlineRole => "inline-role",
        }
    }

    /// Whether the limit is on the sum of all inline policies of the identity, which splitting cannot help.
    pub fn is_inline(self) -> bool {
        self != SizeLimit::Managed
    }
}

/// The size IAM counts: the characters of the document without whitespace.
pub fn size(doc: &PolicyDocument) -> usize {
    serde_json::to_string(doc)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// The document that allows nothing a principal needs a permission for, which IAM accepts.
pub fn nothing_needed() -> PolicyDocument {
    PolicyDocument {
        version: crate::policy::POLICY_VERSION.to_string(),
        statements: vec![Statement {
            sid: Some(NOTHING_NEEDED_SID.to_string()),
            effect: Effect::Allow,
            action: Some(StringOrList::List(vec!["sts:GetCallerIdentity".into()])),
            not_action: None,
            resource: Some(StringOrList::List(vec!["*".into()])),
            not_resource: None,
            condition: None,
        }],
    }
}

/// The document as parts IAM accepts: one part, or with `split` and a managed policy several parts that each
/// fit (statements kept whole, in order). A document without statements becomes [`nothing_needed`]. What
/// IAM would still reject is reported: `policy-size-exceeded` for a part over 6,144 characters or more parts
/// than one identity takes, `inline-total-exceeded` when the inline policies would total over the
/// identity's limit (splitting does not help there).
pub fn fit(
    doc: &PolicyDocument,
    limit: SizeLimit,
    split: bool,
    diagnostics: &mut Diagnostics,
) -> Vec<PolicyDocument> {
    if doc.statements.is_empty() {
        diagnostics.add(
            Code::NothingNeeded,
            "policy",
            format!("nothing the principal did needs a permission, and IAM rejects a policy without statements: the policy holds one statement, `{NOTHING_NEEDED_SID}`, that allows only `sts:GetCallerIdentity`, which needs no permission"),
            None,
        );
        return vec![nothing_needed()];
    }
    let max = limit.chars();
    let total = size(doc);
    if total <= max {
        return vec![doc.clone()];
    }
    if limit.is_inline() {
        diagnostics.add(
            Code::InlineTotalExceeded,
            "policy",
            format!(
                "{total} characters (whitespace excluded) is over the {max} that all of {} may total together, whatever their number{}: use managed policies (`--policy-type managed --split`)",
                limit.name_with_article(),
                if split { ", so `--split` cannot help" } else { "" }
            ),
            None,
        );
        return vec![doc.clone()];
    }
    if !split {
        diagnostics.add(
            Code::PolicySizeExceeded,
            "policy",
            format!(
                "{total} characters (whitespace excluded) is over the {max} of a {}: `--split` writes several policies that fit",
                limit.name()
            ),
            None,
        );
        return vec![doc.clone()];
    }
    let empty = PolicyDocument {
        version: doc.version.clone(),
        statements: Vec::new(),
    };
    let mut parts = vec![empty.clone()];
    for statement in &doc.statements {
        let last = parts.len() - 1;
        parts[last].statements.push(statement.clone());
        if size(&parts[last]) > max && parts[last].statements.len() > 1 {
            parts[last].statements.pop();
            let mut next = empty.clone();
            next.statements.push(statement.clone());
            parts.push(next);
        }
    }
    for (index, part) in parts.iter().enumerate() {
        let part_size = size(part);
        if part_size > max {
            diagnostics.add(
                Code::PolicySizeExceeded,
                format!("policy part {}", index + 1),
                format!(
                    "one statement alone is {part_size} characters, over the {max} of a {}: narrow it by hand",
                    limit.name()
                ),
                None,
            );
        }
    }
    if parts.len() > MANAGED_PER_IDENTITY {
        diagnostics.add(
            Code::PolicySizeExceeded,
            "policy parts",
            format!(
                "{} parts are more than the {MANAGED_PER_IDENTITY} managed policies IAM attaches to one role or user by default (the quota can be raised to 20)",
                parts.len()
            ),
            None,
        );
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(statements: usize, resources: usize) -> PolicyDocument {
        PolicyDocument {
            version: "2012-10-17".into(),
            statements: (0..statements)
                .map(|i| Statement {
                    sid: Some(format!("S{i}")),
                    effect: Effect::Allow,
                    action: Some(StringOrList::List(vec!["s3:GetObject".into()])),
                    not_action: None,
                    resource: Some(StringOrList::List(
                        (0..resources)
                            .map(|r| format!("arn:aws:s3:::bucket-{i}/key-{r}"))
                            .collect(),
                    )),
                    not_resource: None,
                    condition: None,
                })
                .collect(),
        }
    }

    #[test]
    fn small_fits_large_warns_or_splits() {
        let mut d = Diagnostics::default();
        assert_eq!(fit(&doc(2, 2), SizeLimit::Managed, true, &mut d).len(), 1);
        assert!(d.is_empty());
        let big = doc(40, 10);
        assert!(size(&big) > 6_144);
        assert_eq!(fit(&big, SizeLimit::Managed, false, &mut d).len(), 1);
        assert_eq!(d.count(Code::PolicySizeExceeded), 1);
        let mut d = Diagnostics::default();
        let parts = fit(&big, SizeLimit::Managed, true, &mut d);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| size(p) <= 6_144));
        assert_eq!(parts.iter().map(|p| p.statements.len()).sum::<usize>(), 40);
        assert!(d.is_empty());
    }

    /// The inline limits are on the sum of an identity's inline policies: split parts would exceed it
    /// together, so the overflow is an `inline-total-exceeded` diagnostic, whatever `--split` says.
    #[test]
    fn inline_limits_are_on_the_total() {
        let doc = doc(8, 10);
        let total = size(&doc);
        assert!(total > 2_048 && total < 5_120, "{total}");
        for split in [false, true] {
            let mut d = Diagnostics::default();
            let parts = fit(&doc, SizeLimit::InlineUser, split, &mut d);
            assert_eq!(parts.len(), 1);
            assert_eq!(d.count(Code::InlineTotalExceeded), 1);
            let mut d = Diagnostics::default();
            assert_eq!(fit(&doc, SizeLimit::InlineGroup, split, &mut d).len(), 1);
            assert!(d.is_empty());
        }
    }

    #[test]
    fn no_statement_is_written_as_the_statement_that_needs_nothing() {
        let mut d = Diagnostics::default();
        let parts = fit(&doc(0, 0), SizeLimit::Managed, false, &mut d);
        assert_eq!(parts, vec![nothing_needed()]);
        assert_eq!(d.count(Code::NothingNeeded), 1);
        assert!(parts[0].allows("sts:GetCallerIdentity", "*"));
    }

    #[test]
    fn more_parts_than_an_identity_takes_are_reported() {
        let mut d = Diagnostics::default();
        let parts = fit(&doc(200, 12), SizeLimit::Managed, true, &mut d);
        assert!(parts.len() > MANAGED_PER_IDENTITY, "{}", parts.len());
        assert_eq!(d.count(Code::PolicySizeExceeded), 1);
    }
}
