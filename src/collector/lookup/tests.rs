//! Session search, region choice and progress text, without a network.
use super::*;

fn role(value: &str) -> PrincipalFilter {
    PrincipalFilter {
        identity: Identity::role(value).expect("valid").0,
        session: None,
        accounts: BTreeSet::new(),
    }
}

#[test]
fn sessions_of_the_role_only() {
    let event = |arn: &str, key: Option<&str>, error: Option<&str>| {
        serde_json::json!({
            "eventName": "AssumeRole",
            "errorCode": error,
            "requestParameters": {"roleArn": arn},
            "responseElements": key.map(|k| serde_json::json!({"credentials": {"accessKeyId": k}})),
        })
        .to_string()
    };
    let events = vec![
        event(
            "arn:aws:iam::111122223333:role/ci/build-agent",
            Some("ASIA1"),
            None,
        ),
        event("arn:aws:iam::111122223333:role/other", Some("ASIA2"), None),
        event(
            "arn:aws:iam::111122223333:role/build-agent",
            None,
            Some("AccessDenied"),
        ),
        event("arn:aws:iam::444455556666:role/build-agent", None, None),
    ];
    let mut by_name = Sessions::default();
    collect_sessions(&role("build-agent"), &events, &mut by_name);
    assert_eq!(by_name.keys.iter().collect::<Vec<_>>(), ["ASIA1"]);
    assert_eq!(by_name.without_key, 1);
    let mut by_arn = Sessions::default();
    collect_sessions(
        &role("arn:aws:iam::111122223333:role/ci/build-agent"),
        &events,
        &mut by_arn,
    );
    assert_eq!((by_arn.keys.len(), by_arn.without_key), (1, 0));
}

#[test]
fn regions_from_settings() {
    let source = |regions| LookupSource {
        regions,
        pace: std::time::Duration::ZERO,
        progress: false,
    };
    assert_eq!(
        regions(&source(Regions::Default), Some("eu-west-1")).expect("one"),
        ["eu-west-1"]
    );
    assert!(regions(&source(Regions::Default), None).is_err());
    assert_eq!(
        regions(&source(Regions::All), None).expect("all").len(),
        commercial_regions().len()
    );
}

/// `service-maps/facts/regions.json` parses, is sorted and holds only region names.
#[test]
fn the_region_list_is_data_that_parses() {
    let all = commercial_regions();
    assert!(all.len() >= 30, "{all:?}");
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, once each");
    for region in &all {
        assert!(region.parse::<crate::ids::Region>().is_ok(), "{region}");
    }
}
