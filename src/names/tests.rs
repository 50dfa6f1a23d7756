use super::*;

fn kinds(resource: &str) -> Vec<(String, IdKind)> {
    let name = Name::parse(resource);
    identifiers(&name.resource, &[])
        .into_iter()
        .map(|s| (render(&name.resource[s.start..s.end]), s.kind))
        .collect()
}

fn general(resource: &str) -> String {
    let name = Name::parse(resource);
    let mut spans = identifiers(&name.resource, &[]);
    spans.retain(|s| s.kind != IdKind::Varying);
    format!("{}{}", name.head, render(&generalise(&name, &spans)))
}

#[test]
fn heads_and_components() {
    let name = Name::parse("arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-1");
    assert_eq!(name.head, "arn:aws:logs:us-east-1:1:");
    assert_eq!(name.components().len(), 6);
    assert_eq!(name.container(), "arn:aws:logs:us-east-1:1:log-group");
    assert_eq!(
        container("arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:x"),
        name.container()
    );
    assert_eq!(container("arn:aws:s3:::b/k:x"), "arn:aws:s3:::b");
    assert_eq!(
        container("arn:aws:sqs:us-east-1:1:jobs"),
        "arn:aws:sqs:us-east-1:1:jobs"
    );
    assert_eq!(container("*"), "");
    let s3 = Name::parse("arn:aws:s3:::b/logs/2026-11-21T10:00:00Z.json");
    assert!(s3.s3);
    assert_eq!(s3.components().len(), 3);
    assert_eq!(s3.container(), "arn:aws:s3:::b");
    assert_eq!(Name::parse("*").resource, Vec::new());
    let escaped = "arn:aws:logs:r:1:log-group:g:log-stream:2026/11/21/[${$}LATEST]ab";
    assert_eq!(Name::parse(escaped).render(), escaped);
}

#[test]
fn dates_and_timestamps() {
    for (text, kind) in [
        ("2026/11/21", IdKind::Date),
        ("2026-11-21", IdKind::Date),
        ("20261121", IdKind::Date),
        ("202611", IdKind::Date),
        ("2026112110", IdKind::Timestamp),
        ("2026_11", IdKind::Date),
        ("2026.11", IdKind::Date),
        ("2026-11-21T10:00:00Z", IdKind::Timestamp),
        ("2026-11-21T10:00:00.123+01:00", IdKind::Timestamp),
        ("20261121T1205Z", IdKind::Timestamp),
        ("2026/11/21/10", IdKind::Timestamp),
        ("2026-11-21-10-00-00", IdKind::Timestamp),
    ] {
        let arn = format!("arn:aws:s3:::b/x-{text}.json");
        assert_eq!(kinds(&arn), [(text.to_string(), kind)], "{text}");
    }
    assert_eq!(
        kinds("arn:aws:s3:::b/events/year=2026/month=11/day=21/x.json")
            .into_iter()
            .map(|(_, k)| k)
            .collect::<Vec<_>>(),
        [IdKind::Date, IdKind::Date, IdKind::Date]
    );
    assert_eq!(
        general("arn:aws:s3:::b/events/dt=2026-11-21/part-0.parquet"),
        "arn:aws:s3:::b/events/dt=*-*-*/part-*.parquet"
    );
    assert_eq!(
        general("arn:aws:dynamodb:us-east-1:1:table/metrics_2026_11"),
        "arn:aws:dynamodb:us-east-1:1:table/metrics_*_*"
    );
    // Not dates: a month 13, a year out of range, a date inside a longer token.
    assert!(kinds("arn:aws:s3:::b/2026-13-01x")
        .iter()
        .all(|(_, k)| *k != IdKind::Date));
    assert_eq!(
        kinds("arn:aws:s3:::b/v20261121a"),
        [("v20261121a".to_string(), IdKind::Varying)]
    );
}

#[test]
fn ids_by_shape() {
    assert_eq!(
        kinds("arn:aws:kms:us-east-1:1:key/2b164095-6f02-424f-9f4e-2166ede18709"),
        [(
            "2b164095-6f02-424f-9f4e-2166ede18709".to_string(),
            IdKind::Uuid
        )]
    );
    for id in [
        "i-0123456789abcdef0",
        "snap-0a1b2c3d",
        "sg-0123abcd",
        "sgr-0123456789abcdef0",
        "vpce-svc-0123456789abcdef0",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "s-01234567890abcdef",
        "svc-0123456789abcdef0",
        "key-0123456789abcdef0",
        "ami-0abc1234def567890",
    ] {
        assert_eq!(
            kinds(&format!("arn:aws:ec2:us-east-1:1:x/{id}")),
            [(id.to_string(), IdKind::AwsId)],
            "{id}"
        );
    }
    assert_eq!(
        kinds("arn:aws:s3:::b/cfn/acme-api-3f2a9c1b7e4d.yaml"),
        [("3f2a9c1b7e4d".to_string(), IdKind::Hex)]
    );
    assert_eq!(
        kinds("arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-4411"),
        [("4411".to_string(), IdKind::Number)]
    );
    assert_eq!(
        kinds("arn:aws:s3:::b/upload/Vs9HM347tFmxAb0I.bin"),
        [("Vs9HM347tFmxAb0I".to_string(), IdKind::Opaque)]
    );
    assert_eq!(
        kinds("arn:aws:s3:::b/pipeline/SourceArti/x7Kp2Qa"),
        [("x7Kp2Qa".to_string(), IdKind::Varying)]
    );
    // Stable: words, environments, Region names, account IDs, hex-looking words. Words with digits are
    // only candidates (`Varying`), which the evidence decides.
    for stable in [
        "arn:aws:s3:::111122223333-orders-prod-us-east-1/deadbeef/cafe",
        "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/acme-api",
        "arn:aws:ecr:us-east-1:1:repository/build-agent/app",
    ] {
        assert_eq!(kinds(stable), [], "{stable}");
    }
    assert!(kinds("arn:aws:s3:::b/python311/node20/macOS14/v2")
        .iter()
        .all(|(_, k)| *k == IdKind::Varying));
}

#[test]
fn words() {
    assert!(has_word(&items("batch-*.json")));
    assert!(!has_word(&items("*-4411")));
    assert!(!has_word(&items("*")));
    assert!(has_word(&items("acme")));
}

#[test]
fn session_parts() {
    let name = Name::parse("arn:aws:logs:r:1:log-group:g:log-stream:deploy-x7kqp");
    let spans = identifiers(&name.resource, &["deploy-x7kqp".to_string()]);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].kind, IdKind::Session);
    let alone = identifiers(&name.resource, &["alice".to_string()]);
    assert_eq!(
        alone.iter().map(|s| s.kind).collect::<Vec<_>>(),
        [IdKind::Varying]
    );
}

#[test]
fn generalised_forms() {
    assert_eq!(
        general("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:2026/11/21/[${$}LATEST]0123456789abcdef0123456789abcdef"),
        "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:*/*/*/[${$}LATEST]*"
    );
    assert_eq!(
        general("arn:aws:s3:::b/builds/4411/bundle.zip"),
        "arn:aws:s3:::b/builds/*/bundle.zip"
    );
    assert_eq!(
        general("arn:aws:cloudformation:us-east-1:1:changeSet/gh-run-4411-a1b2c3d/6f02c0de-6f02-424f-9f4e-2166ede18709"),
        "arn:aws:cloudformation:us-east-1:1:changeSet/gh-run-*-*/*"
    );
    assert_eq!(general("*"), "*");
    assert_eq!(
        general("arn:aws:s3:::b/logs/2026-11-21T10:00:00Z.json"),
        "arn:aws:s3:::b/logs/*-*-*:*:*.json"
    );
    assert_eq!(
        general("arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"),
        "arn:aws:ec2:us-east-1::snapshot/snap-*"
    );
    assert_eq!(
        general("arn:aws:ec2:us-east-1:1:transit-gateway-attachment/tgw-attach-0123456789abcdef0"),
        "arn:aws:ec2:us-east-1:1:transit-gateway-attachment/tgw-attach-*"
    );
}

#[test]
fn crowd_levels_are_nested() {
    let arn = "arn:aws:s3:::b/reports/acme/2026/11/21/summary-4411-v2.pdf";
    assert_eq!(reduce(arn, 0), arn);
    assert_eq!(
        reduce(arn, 1),
        "arn:aws:s3:::b/reports/acme/*/*/*/summary-*-v2.pdf"
    );
    assert_eq!(
        reduce(arn, 2),
        "arn:aws:s3:::b/reports/acme/*/*/*/summary-*-*.pdf"
    );
    assert_eq!(reduce(arn, 3), "arn:aws:s3:::b/reports/acme/*/*/*/*");
    assert_eq!(reduce(arn, 7), "arn:aws:s3:::b/reports/*/*/*/*/*");
    assert_eq!(reduce(arn, 99), "arn:aws:s3:::b/*/*/*/*/*/*");
    assert_eq!(
        reduce("arn:aws:s3:::b/x/2026-11-21.json", 1),
        "arn:aws:s3:::b/x/*-*-*.json"
    );
    // A crowd's shapes are reduced once: again at the same level, a shape stays what it is.
    for (a, b) in [(1, 1), (2, 2), (3, 3), (1, 2), (1, 5), (2, 3), (3, 40)] {
        assert_eq!(reduce(&reduce(arn, a), b), reduce(arn, b));
    }
    assert_eq!(reduce("*", 3), "*");
}

#[test]
fn generalising_is_idempotent() {
    for arn in [
        "arn:aws:s3:::b/a/2026/11/21/x-1-2.json",
        "arn:aws:ecs:us-east-1:1:task/c/0123456789abcdef0123456789abcdef",
    ] {
        let once = general(arn);
        assert_eq!(general(&once), once);
    }
}

/// Long-lived resource IDs that earlier read as per-run by their shape: a Cognito user pool's ID looked like
/// hex (`AbCdEf123`: hex letters, but in both cases, which no digest is), an identity pool's UUID was not
/// the whole ID, a KMS multi-Region key's was hex after an unknown prefix.
#[test]
fn region_prefixed_and_prefixed_ids() {
    assert_eq!(
        kinds("arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_AbCdEf123"),
        [("us-east-1_AbCdEf123".to_string(), IdKind::RegionalId)]
    );
    assert_eq!(
        kinds("arn:aws:cognito-identity:eu-west-1:1:identitypool/eu-west-1:1a1a1a1a-ffff-1111-9999-123456789012"),
        [(
            "eu-west-1:1a1a1a1a-ffff-1111-9999-123456789012".to_string(),
            IdKind::RegionalId
        )]
    );
    assert_eq!(
        general("arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_AbCdEf123"),
        "arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_*"
    );
    assert_eq!(
        general("arn:aws:cognito-identity:eu-west-1:1:identitypool/eu-west-1:1a1a1a1a-ffff-1111-9999-123456789012"),
        "arn:aws:cognito-identity:eu-west-1:1:identitypool/eu-west-1:*"
    );
    // A Cognito identity ID as an S3 prefix is written as before: the Region stays.
    assert_eq!(
        general("arn:aws:s3:::b/private/us-east-1:1a1a1a1a-ffff-1111-9999-123456789012/a.jpg"),
        "arn:aws:s3:::b/private/us-east-1:*/a.jpg"
    );
    assert_eq!(
        general("arn:aws:kms:us-east-1:1:key/mrk-1234abcd12ab34cd56ef1234567890ab"),
        "arn:aws:kms:us-east-1:1:key/mrk-*"
    );
    // Mixed case is no digest; one case still is.
    assert_eq!(
        kinds("arn:aws:s3:::b/x/AbCdEf123"),
        [("AbCdEf123".to_string(), IdKind::Varying)]
    );
    assert_eq!(
        kinds("arn:aws:s3:::b/x/3F2A9C1B7E4D"),
        [("3F2A9C1B7E4D".to_string(), IdKind::Hex)]
    );
    // A Region alone is still no identifier.
    assert_eq!(kinds("arn:aws:s3:::b/us-east-1/x_y"), []);
}

proptest::proptest! {
    /// The usage set reduces a crowd's shapes once: a shape reduced again at its own level stays itself.
    #[test]
    fn a_shape_reduced_again_at_its_level_stays_itself(
        resource in "[a-fA-F0-9/._=:-]{0,24}[a-z0-9/._=:-]{0,24}",
        s3 in proptest::bool::ANY,
        level in 1..6usize,
    ) {
        let head = if s3 { "arn:aws:s3:::b/" } else { "arn:aws:logs:us-east-1:1:log-group:" };
        let shape = reduce(&format!("{head}{resource}"), level);
        proptest::prop_assert_eq!(reduce(&shape, level), shape);
    }
}
