//! The ARN templates of the catalogue (`arn:${Partition}:s3:::${BucketName}`): their placeholders, and every
//! ARN a template gives for the values bound to them.

/// Placeholders every ARN template may use without a binding: they come from the event.
pub const CONTEXT_PLACEHOLDERS: [&str; 3] = ["Partition", "Region", "Account"];

/// `${Name}` placeholders of a template, in order, without duplicates.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

/// At most this many ARNs from one resource spec: combinations of multi-valued placeholders stop here.
pub const MAX_COMBINATIONS: usize = 1000;

/// Fills a template with one value list per placeholder (values already escaped); every combination.
pub fn fill(template: &str, values: &[(&str, Vec<String>)]) -> Vec<String> {
    let mut results = vec![template.to_string()];
    for (name, options) in values {
        let token = format!("${{{name}}}");
        let mut next = Vec::new();
        'outer: for partial in &results {
            for option in options {
                next.push(partial.replace(&token, option));
                if next.len() >= MAX_COMBINATIONS {
                    break 'outer;
                }
            }
        }
        results = next;
    }
    results
}

/// The ARN format of a resource type that a rule fills: a type can have several (API Gateway's `Stage` is
/// `/restapis/${RestApiId}/stages/${StageName}` for REST APIs and `/apis/${ApiId}/stages/${StageName}` for HTTP
/// APIs), and the rule binds the placeholders of the one the call acts on.
pub fn arn_format<'a, T>(arn: &'a str, bind: &[(String, T)]) -> &'a str {
    let bound = |format: &str| {
        placeholders(format)
            .iter()
            .all(|p| CONTEXT_PLACEHOLDERS.contains(p) || bind.iter().any(|(n, _)| n == p))
    };
    arn.split(", ").find(|format| bound(format)).unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glob::escape_value;

    #[test]
    fn templates() {
        assert_eq!(
            placeholders("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
            ["Partition", "BucketName", "ObjectName"]
        );
        let filled = fill(
            "arn:aws:s3:::${BucketName}/${ObjectName}",
            &[
                ("BucketName", vec!["b".into()]),
                ("ObjectName", vec!["k1".into(), escape_value("a*b")]),
            ],
        );
        assert_eq!(filled, ["arn:aws:s3:::b/k1", "arn:aws:s3:::b/a${*}b"]);
    }

    #[test]
    fn a_type_with_several_arn_formats_fills_the_one_its_bindings_complete() {
        let stage = "arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/stages/${StageName}, arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages/${StageName}";
        let rest = [("RestApiId".to_string(), ()), ("StageName".to_string(), ())];
        assert_eq!(
            arn_format(stage, &rest),
            "arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages/${StageName}"
        );
        let http = [("ApiId".to_string(), ()), ("StageName".to_string(), ())];
        assert!(arn_format(stage, &http).contains("/apis/${ApiId}/"));
        let one = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}";
        assert_eq!(arn_format(one, &[] as &[(String, ())]), one);
    }
}
