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

/// Fills a template with one value list per placeholder (values already escaped); every combination, the
/// first placeholder varying slowest. One pass over the template per ARN: this runs for every mapped call.
pub fn fill(template: &str, values: &[(&str, Vec<String>)]) -> Vec<String> {
    // The template cut at its bound placeholders: text, then the value index to put after it.
    let mut pieces: Vec<(&str, Option<usize>)> = Vec::new();
    let mut rest = template;
    let mut text_start = 0;
    while let Some(start) = rest[text_start..].find("${").map(|i| i + text_start) {
        let Some(end) = rest[start + 2..].find('}').map(|i| i + start + 2) else {
            break;
        };
        match values
            .iter()
            .position(|(name, _)| *name == &rest[start + 2..end])
        {
            Some(index) => {
                pieces.push((&rest[..start], Some(index)));
                rest = &rest[end + 1..];
                text_start = 0;
            }
            None => text_start = end + 1,
        }
    }
    pieces.push((rest, None));
    let combinations = values
        .iter()
        .try_fold(1usize, |n, (_, options)| n.checked_mul(options.len()))
        .unwrap_or(usize::MAX)
        .min(MAX_COMBINATIONS);
    let mut choice = vec![0usize; values.len()];
    let mut results = Vec::with_capacity(combinations);
    for _ in 0..combinations {
        let mut arn = String::with_capacity(template.len() + 32);
        for (text, value) in &pieces {
            arn.push_str(text);
            if let Some(index) = value {
                arn.push_str(&values[*index].1[choice[*index]]);
            }
        }
        results.push(arn);
        // The next combination: the last placeholder varies fastest.
        for (index, (_, options)) in values.iter().enumerate().rev() {
            choice[index] += 1;
            if choice[index] < options.len() {
                break;
            }
            choice[index] = 0;
        }
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
    fn combinations_vary_the_last_placeholder_fastest_and_stop_at_the_cap() {
        let two = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
        let filled = fill(
            "${A}-${B}-${A}-${Unbound}",
            &[("A", two("1", "2")), ("B", two("x", "y"))],
        );
        assert_eq!(
            filled,
            [
                "1-x-1-${Unbound}",
                "1-y-1-${Unbound}",
                "2-x-2-${Unbound}",
                "2-y-2-${Unbound}"
            ]
        );
        // A value that looks like a placeholder is text, not filled again.
        assert_eq!(
            fill(
                "${A}/${B}",
                &[("A", vec!["${B}".into()]), ("B", vec!["b".into()])]
            ),
            ["${B}/b"]
        );
        let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let capped = fill("${A}:${B}", &[("A", many.clone()), ("B", many)]);
        assert_eq!(capped.len(), MAX_COMBINATIONS);
        assert_eq!(capped[40], "1:0");
        assert!(fill("${A}", &[("A", Vec::new())]).is_empty());
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
