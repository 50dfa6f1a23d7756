use super::*;

fn key(resource: String, region: &str) -> UsageKey {
    UsageKey {
        action: "s3:PutObject".into(),
        resource,
        region: region.into(),
        facts: BTreeMap::new(),
    }
}

/// Crowds keep memory flat, and the policy depends only on the set of resources, whatever the order and
/// split of the input.
#[test]
fn crowds_are_flat_and_order_independent() {
    let resources: Vec<String> = (0..2500)
        .map(|i| {
            format!(
                "arn:aws:s3:::b/builds/{}/{i:05}.zip",
                ["app", "web", "api"][i % 3]
            )
        })
        .collect();
    let mut whole = UsageSet::default();
    let (mut left, mut right) = (UsageSet::default(), UsageSet::default());
    for (i, r) in resources.iter().enumerate() {
        let region = if i % 2 == 0 { "us-east-1" } else { "eu-west-1" };
        let evidence = Evidence::new("2026-11-01T00:00:00Z", &format!("e{i}"), None);
        whole.add(key(r.clone(), region), evidence.clone());
        if i % 7 < 3 { &mut left } else { &mut right }.add(key(r.clone(), region), evidence);
    }
    right.merge(left);
    assert!(whole.used.len() <= 6, "{} entries kept", whole.used.len());
    assert_eq!(whole.crowds, right.crowds);
    let crowd = &whole.crowds[&("s3:PutObject".to_string(), "arn:aws:s3:::b".to_string())];
    assert_eq!(crowd.level, 1);
    assert_eq!(crowd.shapes.len(), 3);
    assert_eq!(crowd.examples.len(), 2);
    // The same entries with the same evidence, so the same policy.
    assert_eq!(whole.used, right.used);
    assert!(whole
        .used
        .keys()
        .any(|k| k.resource == "arn:aws:s3:::b/builds/app/*.zip"));
    let total: u64 = right.used.values().map(|e| e.count).sum();
    assert_eq!(total, 2500);
}

/// More than a thousand shapes even with every identifier generalised (words have no digit): the crowd
/// climbs to level 3 (the leaf becomes `*`), and still the same whatever the split.
#[test]
fn crowds_climb_levels_when_names_are_not_identifiers() {
    let word = |i: usize| {
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        (0..3)
            .map(|k| letters[(i / 26usize.pow(k)) % 26] as char)
            .collect::<String>()
    };
    let resources: Vec<String> = (0..3000)
        .map(|i| format!("arn:aws:s3:::b/{}/{}.json", ["in", "out"][i % 2], word(i)))
        .collect();
    let mut whole = UsageSet::default();
    let mut parts = [
        UsageSet::default(),
        UsageSet::default(),
        UsageSet::default(),
    ];
    for (i, r) in resources.iter().enumerate() {
        let evidence = Evidence::new("2026-11-01T00:00:00Z", "e", None);
        whole.add(key(r.clone(), "us-east-1"), evidence.clone());
        parts[(i * 7919) % 3].add(key(r.clone(), "us-east-1"), evidence);
    }
    let [mut a, b, c] = parts;
    a.merge(c);
    a.merge(b);
    assert_eq!(whole.crowds, a.crowds);
    let crowd = whole.crowds.values().next().expect("a crowd");
    assert_eq!(crowd.level, 3);
    assert_eq!(
        crowd.shapes,
        BTreeSet::from([
            "arn:aws:s3:::b/in/*".to_string(),
            "arn:aws:s3:::b/out/*".to_string()
        ])
    );
    assert_eq!(whole.used.len(), 2);
}

#[test]
fn sessions_keep_the_first_two() {
    let mut a =
        Evidence::new("t", "e1", None).in_session(Some("arn:aws:sts::1:assumed-role/r/gh-run-9"));
    for s in ["gh-run-3", "gh-run-5", "gh-run-1"] {
        a.merge(
            &Evidence::new("t", "e", None)
                .in_session(Some(&format!("arn:aws:sts::1:assumed-role/r/{s}"))),
        );
    }
    assert_eq!(
        a.sessions,
        SmallSet::from_iter(["gh-run-1".to_string(), "gh-run-3".to_string()])
    );
    let user = Evidence::new("t", "e", None).in_session(Some("arn:aws:iam::1:user/alice"));
    assert!(user.sessions.is_empty());
}

/// Adding an event in place is merging the evidence it would have built.
#[test]
fn add_event_is_merging_new_evidence() {
    let events = [
        ("2026-11-03T00:00:00Z", "e5", "gh-run-9"),
        ("2026-11-01T00:00:00Z", "e7", "gh-run-4"),
        ("2026-11-01T00:00:00Z", "e2", "gh-run-7"),
        ("2026-11-09T00:00:00Z", "e1", "gh-run-1"),
        ("2026-11-02T00:00:00Z", "e3", "gh-run-4"),
    ];
    let entry = |n: usize| EntryRef {
        prefix: "s3".into(),
        event: format!("E{n}"),
        catalogue_match: false,
    };
    let caller = |s: &str| format!("arn:aws:sts::1:assumed-role/r/{s}");
    let (t, id, s) = events[0];
    let mut merged = Evidence::new(t, id, Some(&entry(0))).in_session(Some(&caller(s)));
    let mut added = merged.clone();
    for (n, (t, id, s)) in events.iter().enumerate().skip(1) {
        let e = entry(n % 2);
        merged.merge(&Evidence::new(t, id, Some(&e)).in_session(Some(&caller(s))));
        added.add_event(t, id, Some(&e), Some(&caller(s)));
        assert_eq!(added, merged);
    }
    assert_eq!(added.sample_event_id, "e2");
    assert_eq!(added.count, 5);
}

#[test]
fn few_resources_stay_exact() {
    let mut set = UsageSet::default();
    for i in 0..10 {
        set.add(
            key(format!("arn:aws:s3:::b/k{i}"), "us-east-1"),
            Evidence::new("t", "e", None),
        );
    }
    assert_eq!(set.used.len(), 10);
    assert!(set.crowds.is_empty());
}
