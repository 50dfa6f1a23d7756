//! A CloudFormation `PolicyDocument` snippet in YAML, to paste under a role's `Policies` or an
//! `AWS::IAM::ManagedPolicy`. Several parts (after `--split`) are separate YAML documents.

use crate::policy::{Effect, PolicyDocument};
use std::fmt::Write;

pub fn render(docs: &[PolicyDocument]) -> String {
    let mut out = String::new();
    for (index, doc) in docs.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        out.push_str("PolicyDocument:\n");
        let _ = writeln!(out, "  Version: {}", string(&doc.version));
        out.push_str("  Statement:\n");
        for statement in &doc.statements {
            let mut first = true;
            let mut line = |out: &mut String, text: String| {
                out.push_str(if first { "    - " } else { "      " });
                first = false;
                out.push_str(&text);
                out.push('\n');
            };
            if let Some(sid) = &statement.sid {
                line(&mut out, format!("Sid: {}", string(sid)));
            }
            let effect = match statement.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            };
            line(&mut out, format!("Effect: {effect}"));
            for (key, list) in [
                ("Action", &statement.action),
                ("NotAction", &statement.not_action),
                ("Resource", &statement.resource),
                ("NotResource", &statement.not_resource),
            ] {
                if let Some(list) = list {
                    line(&mut out, format!("{key}:"));
                    for item in list.items() {
                        let _ = writeln!(out, "        - {}", string(item));
                    }
                }
            }
            if let Some(conditions) = &statement.condition {
                line(&mut out, "Condition:".to_string());
                for (operator, keys) in conditions {
                    let _ = writeln!(out, "        {}:", string(operator));
                    for (key, values) in keys {
                        let _ = writeln!(out, "          {}:", string(key));
                        for value in values.items() {
                            let _ = writeln!(out, "            - {}", string(value));
                        }
                    }
                }
            }
        }
    }
    out
}

/// A double-quoted YAML scalar. JSON string escapes are valid YAML double-quoted escapes, and quoting every
/// value keeps `*`, `:` and `${...}` from being read as YAML syntax. CloudFormation substitutes `${}` only
/// inside `Fn::Sub`, so policy variables pass through unchanged.
fn string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_scalar() {
        assert_eq!(string("*"), "\"*\"");
        assert_eq!(string("a\"b"), "\"a\\\"b\"");
    }
}
