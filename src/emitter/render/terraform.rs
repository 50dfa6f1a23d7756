//! An `aws_iam_policy_document` data source in HCL, one per policy part.

use crate::policy::{PolicyDocument, StringOrList};
use std::fmt::Write;

/// `name` becomes the data source label (made a valid identifier); parts after the first get `_2`, `_3`, ….
pub fn render(docs: &[PolicyDocument], name: &str) -> String {
    let label = label(name);
    let mut out = String::new();
    for (index, doc) in docs.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let suffix = if index == 0 {
            String::new()
        } else {
            format!("_{}", index + 1)
        };
        let _ = writeln!(
            out,
            "data \"aws_iam_policy_document\" \"{label}{suffix}\" {{"
        );
        let _ = writeln!(out, "  version = {}", string(&doc.version));
        for statement in &doc.statements {
            out.push('\n');
            out.push_str("  statement {\n");
            if let Some(sid) = &statement.sid {
                let _ = writeln!(out, "    sid    = {}", string(sid));
            }
            let effect = match statement.effect {
                crate::policy::Effect::Allow => "Allow",
                crate::policy::Effect::Deny => "Deny",
            };
            let _ = writeln!(out, "    effect = \"{effect}\"");
            for (key, list) in [
                ("actions", &statement.action),
                ("not_actions", &statement.not_action),
                ("resources", &statement.resource),
                ("not_resources", &statement.not_resource),
            ] {
                if let Some(list) = list {
                    list_attribute(&mut out, key, list);
                }
            }
            for (test, keys) in statement.condition.iter().flatten() {
                for (variable, values) in keys {
                    out.push_str("\n    condition {\n");
                    let _ = writeln!(out, "      test     = {}", string(test));
                    let _ = writeln!(out, "      variable = {}", string(variable));
                    let values: Vec<String> = values.items().iter().map(|v| string(v)).collect();
                    let _ = writeln!(out, "      values   = [{}]", values.join(", "));
                    out.push_str("    }\n");
                }
            }
            out.push_str("  }\n");
        }
        out.push_str("}\n");
    }
    out
}

fn list_attribute(out: &mut String, key: &str, list: &StringOrList) {
    let _ = writeln!(out, "    {key} = [");
    for item in list.items() {
        let _ = writeln!(out, "      {},", string(item));
    }
    out.push_str("    ]\n");
}

/// A quoted HCL string. `${` and `%{` would start an interpolation or directive in Terraform, so IAM policy
/// variables (`${aws:username}`) are escaped as `$${` and `%%{`.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit.
fn label(name: &str) -> String {
    let mut label: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !label.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        label.insert_str(0, "policy_");
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_interpolation_and_quotes() {
        assert_eq!(
            string(r#"arn:aws:s3:::b/${aws:username}/"x"\%{y}"#),
            r#""arn:aws:s3:::b/$${aws:username}/\"x\"\\%%{y}""#
        );
        assert_eq!(string("50% $5"), "\"50% $5\"");
        assert_eq!(label("build-agent"), "build-agent");
        assert_eq!(label("9 lives/x"), "policy_9_lives_x");
    }
}
