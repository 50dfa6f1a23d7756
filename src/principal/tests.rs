use super::*;

fn record(json: &str) -> Record<'_> {
    serde_json::from_str(json).expect("test record parses")
}

const SESSION: &str = r#"{"userIdentity":{"type":"AssumedRole","accountId":"111122223333",
    "arn":"arn:aws:sts::111122223333:assumed-role/build-agent/gh-run-7",
    "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/ci/build-agent","userName":"build-agent"}}}}"#;

fn filter(identity: Identity) -> PrincipalFilter {
    PrincipalFilter {
        identity,
        session: None,
        accounts: BTreeSet::new(),
    }
}

#[test]
fn a_key_selects_exactly_its_records() {
    let records = [
        SESSION,
        r#"{"userIdentity":{"type":"AssumedRole","accountId":"111122223333","arn":"arn:aws:sts::111122223333:assumed-role/build-agent/x"}}"#,
        r#"{"userIdentity":{"type":"AssumedRole","accountId":"444455556666","arn":"arn:aws:sts::444455556666:assumed-role/build-agent/x"}}"#,
        r#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eng/alice","userName":"alice"}}"#,
        r#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"}}"#,
        r#"{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}}"#,
        r#"{"userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com"}}"#,
        r#"{"userIdentity":{"type":"AssumedRole","accountId":"not-an-id","arn":"arn:aws:sts::1:assumed-role/r/s"}}"#,
    ];
    let records: Vec<Record> = records.into_iter().map(record).collect();
    let keys: Vec<Option<PrincipalKey>> = records.iter().map(PrincipalKey::of).collect();
    assert_eq!(
        keys.iter()
            .map(|k| k.as_ref().map(ToString::to_string))
            .collect::<Vec<_>>(),
        [
            Some("111122223333/role/build-agent"),
            Some("111122223333/role/build-agent"),
            Some("444455556666/role/build-agent"),
            Some("111122223333/user/alice"),
            Some("111122223333/user/alice"),
            None,
            None,
            None,
        ]
        .map(|k| k.map(str::to_string))
    );
    for key in keys.iter().flatten() {
        for (record, its) in records.iter().zip(&keys) {
            assert_eq!(key.filter().matches(record), its.as_ref() == Some(key));
        }
    }
}

#[test]
fn role_by_name_matches_any_path() {
    let (role, _) = Identity::role("build-agent").expect("valid");
    assert!(filter(role).matches(&record(SESSION)));
}

#[test]
fn role_by_arn_respects_path() {
    let (role, _) = Identity::role("arn:aws:iam::111122223333:role/build-agent").expect("valid");
    assert!(!filter(role).matches(&record(SESSION)));
    let (role, _) = Identity::role("arn:aws:iam::111122223333:role/ci/build-agent").expect("valid");
    assert!(filter(role).matches(&record(SESSION)));
}

#[test]
fn session_glob_and_accounts() {
    let (role, _) = Identity::role("build-agent").expect("valid");
    let mut f = filter(role);
    f.session = Some("gh-*".into());
    assert!(f.matches(&record(SESSION)));
    f.session = Some("manual-*".into());
    assert!(!f.matches(&record(SESSION)));
    f.session = None;
    f.accounts.insert("444455556666".parse().expect("valid"));
    assert!(!f.matches(&record(SESSION)));
}

#[test]
fn assumed_role_arn_gives_role_and_session() {
    let (role, session) =
        Identity::from_arn("arn:aws:sts::111122223333:assumed-role/build-agent/gh-run-7")
            .expect("valid");
    assert_eq!(
        role,
        Identity::Role {
            name: "build-agent".into(),
            arn: None
        }
    );
    assert_eq!(session.as_deref(), Some("gh-run-7"));
}

#[test]
fn users_and_services() {
    let alice = r#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/eng/alice","userName":"alice"}}"#;
    assert!(filter(Identity::user("alice").expect("valid")).matches(&record(alice)));
    assert!(
        filter(Identity::user("arn:aws:iam::1:user/eng/alice").expect("valid"))
            .matches(&record(alice))
    );
    assert!(!filter(Identity::user("bob").expect("valid")).matches(&record(alice)));
    let service = r#"{"userIdentity":{"type":"AWSService","invokedBy":"ecs.amazonaws.com"}}"#;
    let (role, _) = Identity::role("build-agent").expect("valid");
    assert!(!filter(role).matches(&record(service)));
}

#[test]
fn suggests_the_principal_meant() {
    let seen: BTreeMap<String, u64> = [
        ("arn:aws:iam::111122223333:role/ci/build-agent", 40),
        ("arn:aws:iam::111122223333:role/deployer", 9),
        ("arn:aws:iam::111122223333:user/build-agent", 1),
        ("arn:aws:iam::111122223333:user/alice", 3),
    ]
    .into_iter()
    .map(|(a, n)| (a.to_string(), n))
    .collect();
    let role = |value: &str| filter(Identity::role(value).expect("valid").0);
    assert_eq!(
        role("Build-Agent").suggestions(&seen),
        [
            "`--role build-agent` (arn:aws:iam::111122223333:role/ci/build-agent)",
            "`--user build-agent` (arn:aws:iam::111122223333:user/build-agent)"
        ]
        .map(String::from)
    );
    assert_eq!(
        role("arn:aws:iam::111122223333:role/build-agent").suggestions(&seen)[0],
        "`--role arn:aws:iam::111122223333:role/ci/build-agent`"
    );
    assert_eq!(
        role("deploer").suggestions(&seen),
        ["`--role deployer` (arn:aws:iam::111122223333:role/deployer)".to_string()]
    );
    assert!(role("nosuchrole").suggestions(&seen).is_empty());
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

#[test]
fn session_arns_name_their_account() {
    assert_eq!(
        session_account("arn:aws:sts::111122223333:assumed-role/r/s"),
        Some("111122223333")
    );
    assert_eq!(session_account("arn:aws:iam::111122223333:role/r"), None);
    assert_eq!(session_account("build-agent"), None);
}

#[test]
fn rejects_bad_values() {
    assert!(Identity::role("bad name").is_err());
    assert!(Identity::role("arn:aws:iam::1:user/alice").is_err());
    assert!(Identity::user("arn:aws:s3:::bucket").is_err());
}
