use super::*;

fn seen(first: &str, last: &str, sessions: &[&str]) -> Seen {
    Seen {
        first_day: first.into(),
        last_day: last.into(),
        sessions: sessions.iter().map(|s| s.to_string()).collect(),
    }
}

fn run(items: &[(&str, Seen)], max: usize) -> Vec<String> {
    let observed: BTreeMap<String, Seen> = items
        .iter()
        .map(|(r, s)| (r.to_string(), s.clone()))
        .collect();
    generalise(&observed, max, false, &BTreeSet::new())
        .resources
        .into_keys()
        .collect()
}

#[test]
fn per_run_numbers_become_stars_even_when_seen_once() {
    let got = run(
        &[(
            "arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-4411",
            seen("2026-11-02", "2026-11-02", &["gh-run-4411"]),
        )],
        20,
    );
    assert_eq!(
        got,
        ["arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-*"]
    );
}

#[test]
fn long_lived_ids_stay_exact_and_turnover_generalises() {
    let key = |id: &str| format!("arn:aws:kms:us-east-1:1:key/{id}");
    let a = "2b164095-6f02-424f-9f4e-2166ede18709";
    let b = "78513033-587e-4f7e-8859-194258220bac";
    let stable = run(
        &[
            (&key(a), seen("2026-11-02", "2026-11-20", &["s1", "s2"])),
            (&key(b), seen("2026-11-02", "2026-11-19", &["s1", "s3"])),
        ],
        20,
    );
    assert_eq!(stable, [key(a), key(b)]);
    // A key first used on a later day: keys come and go, so the place is per-run.
    let turnover = run(
        &[
            (&key(a), seen("2026-11-02", "2026-11-20", &["s1", "s2"])),
            (&key(b), seen("2026-11-09", "2026-11-19", &["s1", "s3"])),
        ],
        20,
    );
    assert_eq!(turnover, [key("*")]);
    // One run: a key the run was pointed at stays; an instance of a type the principal creates does not.
    let once = run(&[(&key(a), seen("2026-11-02", "2026-11-02", &["s1"]))], 20);
    assert_eq!(once, [key(a)]);
    let instance = "arn:aws:ec2:us-east-1:1:instance/i-0123456789abcdef0".to_string();
    let observed = BTreeMap::from([(instance.clone(), seen("2026-11-02", "2026-11-02", &["s1"]))]);
    let created = BTreeSet::from(["arn:aws:ec2:us-east-1:1:instance".to_string()]);
    let made = generalise(&observed, 20, false, &created);
    assert_eq!(
        made.resources.into_keys().collect::<Vec<_>>(),
        ["arn:aws:ec2:us-east-1:1:instance/i-*"]
    );
    assert_eq!(
        run(
            &[(&instance, seen("2026-11-02", "2026-11-02", &["s1"]))],
            20
        ),
        [instance]
    );
}

#[test]
fn places_are_decided_from_the_left() {
    // A tenant ID that lives on, a file ID per run.
    let tenant = "0a1b2c3d-0000-4000-8000-000000000001";
    let items: Vec<(String, Seen)> = (1..=5)
        .map(|d| {
            (
                format!("arn:aws:s3:::b/tenants/{tenant}/files/{d}f0e1d2c-0000-4000-8000-00000000000{d}.json"),
                seen(&format!("2026-11-0{d}"), &format!("2026-11-0{d}"), &["s"]),
            )
        })
        .chain([(
            format!("arn:aws:s3:::b/tenants/{tenant}/profile.json"),
            seen("2026-11-01", "2026-11-05", &["s"]),
        )])
        .collect();
    let refs: Vec<(&str, Seen)> = items.iter().map(|(r, s)| (r.as_str(), s.clone())).collect();
    assert_eq!(
        run(&refs, 20),
        [
            format!("arn:aws:s3:::b/tenants/{tenant}/files/*.json"),
            format!("arn:aws:s3:::b/tenants/{tenant}/profile.json"),
        ]
    );
}

#[test]
fn tokens_with_digits_need_many_values_coming_and_going() {
    let pods: Vec<(String, Seen)> = ["xk2lp", "m8zq4", "p2w9c"]
        .iter()
        .enumerate()
        .map(|(d, pod)| {
            let day = format!("2026-11-0{}", d + 1);
            (
                format!("arn:aws:s3:::b/reports/report-{pod}.pdf"),
                seen(&day, &day, &["s"]),
            )
        })
        .collect();
    let refs: Vec<(&str, Seen)> = pods.iter().map(|(r, s)| (r.as_str(), s.clone())).collect();
    assert_eq!(run(&refs, 20), ["arn:aws:s3:::b/reports/report-*.pdf"]);
    assert_eq!(run(&refs[..2], 20).len(), 2);
    let runtime = run(
        &[(
            "arn:aws:s3:::b/layers/python311/deps.zip",
            seen("2026-11-01", "2026-11-01", &["s"]),
        )],
        20,
    );
    assert_eq!(runtime, ["arn:aws:s3:::b/layers/python311/deps.zip"]);
}

#[test]
fn crowd_rule_merges_the_most_variable_place_and_names_it() {
    let items: Vec<(String, Seen)> = ["acme", "globex", "initech", "umbrella"]
        .iter()
        .flat_map(|c| {
            ["summary.pdf", "detail.pdf"].map(|f| {
                (
                    format!("arn:aws:s3:::b/reports/{c}/{f}"),
                    seen("2026-11-01", "2026-11-09", &["a", "b"]),
                )
            })
        })
        .collect();
    let observed: BTreeMap<String, Seen> = items.into_iter().collect();
    let g = generalise(&observed, 3, false, &BTreeSet::new());
    assert_eq!(
        g.resources.keys().collect::<Vec<_>>(),
        [
            "arn:aws:s3:::b/reports/*/detail.pdf",
            "arn:aws:s3:::b/reports/*/summary.pdf"
        ]
    );
    let merge = &g.crowded[0].merges[0];
    assert!(merge.stable);
    assert_eq!(merge.distinct, 4);
    assert_eq!(merge.values, ["acme", "globex", "initech"]);
    assert_eq!(
        g.resources["arn:aws:s3:::b/reports/*/detail.pdf"].observed,
        4
    );
    // `--exact`: nothing changes.
    assert_eq!(
        generalise(&observed, 3, true, &BTreeSet::new())
            .resources
            .len(),
        8
    );
}

#[test]
fn covered_resources_are_dropped() {
    let got = run(
        &[
            (
                "arn:aws:ec2:us-east-1:1:image/ami-0123456789abcdef0",
                seen("2026-11-01", "2026-11-20", &["a", "b"]),
            ),
            (
                "arn:aws:ec2:us-east-1:1:image/ami-0fedcba9876543210",
                seen("2026-11-05", "2026-11-05", &["c"]),
            ),
        ],
        20,
    );
    assert_eq!(got, ["arn:aws:ec2:us-east-1:1:image/ami-*"]);
    let a = Name::parse("arn:aws:s3:::b/x/*");
    assert!(covers(&a, &Name::parse("arn:aws:s3:::b/x/y/*.zip")));
    assert!(!covers(
        &Name::parse("arn:aws:s3:::b/x/?"),
        &Name::parse("arn:aws:s3:::b/x/*")
    ));
    assert!(!covers(
        &Name::parse("arn:aws:s3:::b/x/${*}"),
        &Name::parse("arn:aws:s3:::b/x/*")
    ));
}

/// Resources a run is pointed at, named by IDs of the shapes AWS gives long-lived resources: seen in one
/// run, they stay exact; of a type the principal creates, or in an S3 key, they are per-run as before.
#[test]
fn long_lived_ids_of_every_shape_stay_exact_when_pointed_at() {
    let once = || seen("2026-11-02", "2026-11-02", &["s1"]);
    for arn in [
        "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEf123",
        "arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:1a1a1a1a-ffff-1111-9999-123456789012",
        "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
        "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012",
        "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod",
        "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0",
        "arn:aws:cloud9:us-east-1:111122223333:environment:0123456789abcdef0123456789abcdef",
        "arn:aws:transfer:us-east-1:111122223333:server/s-01234567890abcdef",
        "arn:aws:ec2:us-east-1:111122223333:security-group-rule/sgr-0123456789abcdef0",
    ] {
        assert_eq!(run(&[(arn, once())], 20), [arn]);
    }
    let pool =
        "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEf123".to_string();
    let created =
        BTreeSet::from(["arn:aws:cognito-idp:us-east-1:111122223333:userpool".to_string()]);
    let made = generalise(&BTreeMap::from([(pool, once())]), 20, false, &created);
    assert_eq!(
        made.resources.into_keys().collect::<Vec<_>>(),
        ["arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_*"]
    );
    // A hex name under a bucket is a digest or a commit, whatever the evidence.
    assert_eq!(
        run(&[("arn:aws:s3:::b/3f2a9c1b7e4d", once())], 20),
        ["arn:aws:s3:::b/*"]
    );
}

proptest::proptest! {
    /// Trying each wildcard name only against the run of names that start as it does drops what trying
    /// every pair drops.
    #[test]
    fn without_covered_is_the_pairwise_rule(
        resources in proptest::collection::vec("[ab/*?]{0,6}", 0..12),
        heads in proptest::collection::vec(0..2usize, 12),
    ) {
        let names: Vec<Name> = resources
            .iter()
            .zip(&heads)
            .map(|(r, h)| Name::parse(&format!("arn:aws:s3:::b{h}/{r}")))
            .collect();
        let wild: Vec<&Name> = names
            .iter()
            .filter(|n| n.resource.iter().any(|i| !matches!(i, Item::Lit(_))))
            .collect();
        let mut pairwise: Vec<Name> = names
            .iter()
            .filter(|n| {
                !wild
                    .iter()
                    .any(|w| w != n && covers(w, n) && (!covers(n, w) || w.render() < n.render()))
            })
            .cloned()
            .collect();
        pairwise.sort_by_key(Name::render);
        pairwise.dedup();
        proptest::prop_assert_eq!(without_covered(names), pairwise);
    }
}
