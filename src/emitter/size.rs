//! IAM policy size limits, and splitting a policy into parts that each fit.

use crate::policy::PolicyDocument;
use crate::report::{Code, Diagnostics};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeLimit {
    /// A customer managed policy: 6,144 characters, whitespace excluded.
    Managed,
    /// An inline role policy: 10,240 characters (all inline policies of the role together), whitespace excluded.
    InlineRole,
}

impl SizeLimit {
    pub fn chars(self) -> usize {
        match self {
            SizeLimit::Managed => 6_144,
            SizeLimit::InlineRole => 10_240,
        }
    }

    fn name(self) -> &'static str {
        match self {
            SizeLimit::Managed => "managed policy",
            SizeLimit::InlineRole => "inline role policy",
        }
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

/// The document as one part, or with `split` as several parts that each fit (statements kept whole, in
/// order). Whatever still does not fit is reported as `policy-size-exceeded`.
pub fn fit(
    doc: &PolicyDocument,
    limit: SizeLimit,
    split: bool,
    diagnostics: &mut Diagnostics,
) -> Vec<PolicyDocument> {
    let max = limit.chars();
    let total = size(doc);
    if total <= max {
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
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Effect, Statement, StringOrList};

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
        let parts = fit(&big, SizeLimit::InlineRole, true, &mut d);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| size(p) <= 10_240));
        assert_eq!(parts.iter().map(|p| p.statements.len()).sum::<usize>(), 40);
        assert!(d.is_empty());
    }
}
