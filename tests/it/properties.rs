//! Property tests on stable Rust: the parser never panics, escaping never creates wildcards, the principal
//! matcher follows its rules, policies round-trip, and the whole pipeline is sound and order-independent.

use super::support::{generate, settings};
use policygen::collector::{Decoder, Scope};
use policygen::glob::wildcard_match;
use policygen::glob::{escape_value, unescape_value};
use policygen::policy::PolicyDocument;
use policygen::principal::{Identity, PrincipalFilter};
use policygen::usage::MappingSink;
use policygen::window::{parse_time, TimeWindow};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn scope() -> Scope {
    let (identity, _) = Identity::role("build-agent").expect("valid");
    Scope {
        principal: Some(PrincipalFilter {
            identity,
            session: None,
            accounts: BTreeSet::new(),
        }),
        window: TimeWindow::new(
            parse_time("2026-01-01").expect("valid"),
            parse_time("2027-01-01").expect("valid"),
        )
        .expect("valid"),
        strict: false,
    }
}

/// A realistic record of the role or of someone else, for one of a few calls.
fn record(index: usize, call: usize, ours: bool, session: usize) -> String {
    let calls = [
        (
            "s3.amazonaws.com",
            "GetObject",
            r#"{"bucketName":"b","key":"k/KEY"}"#,
            r#","resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k/KEY"}]"#,
        ),
        (
            "s3.amazonaws.com",
            "ListObjects",
            r#"{"bucketName":"b"}"#,
            "",
        ),
        (
            "sqs.amazonaws.com",
            "SendMessage",
            r#"{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/q-KEY"}"#,
            "",
        ),
        (
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            r#"{"functionName":"fn-KEY"}"#,
            "",
        ),
        ("ecr.amazonaws.com", "GetAuthorizationToken", "{}", ""),
        ("sts.amazonaws.com", "GetCallerIdentity", "{}", ""),
    ];
    let (source, name, request, resources) = calls[call % calls.len()];
    let key = (index % 7).to_string();
    let role = if ours { "build-agent" } else { "other-role" };
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-11-{:02}T10:00:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"eu-west-1","recipientAccountId":"111122223333","eventID":"id-{index}","requestParameters":{}{},"userIdentity":{{"type":"AssumedRole","accountId":"111122223333","arn":"arn:aws:sts::111122223333:assumed-role/{role}/s{session}","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/{role}","userName":"{role}"}}}}}}}}"#,
        1 + index % 28,
        request.replace("KEY", &key),
        resources.replace("KEY", &key),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn ingest_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let decoder = Decoder::new(scope(), MappingSink::new(false));
        let mut out = decoder.fresh();
        decoder.read("fuzz", &bytes, &mut out);
        let mut wrapped = b"{\"Records\":[{\"eventVersion\":\"1.0\",\"x\":\"build-agent\"".to_vec();
        wrapped.extend(&bytes);
        decoder.read("fuzz", &wrapped, &mut out);
    }

    #[test]
    fn ingest_never_panics_on_mutated_records(record_index in 0usize..6, cut in 0usize..900, flip in any::<u8>(), at in 0usize..900) {
        let mut bytes = format!("{{\"Records\":[{}]}}", record(0, record_index, true, 1)).into_bytes();
        if at < bytes.len() { bytes[at] ^= flip; }
        bytes.truncate(cut.max(1));
        let decoder = Decoder::new(scope(), MappingSink::new(false));
        decoder.read("mutated", &bytes, &mut decoder.fresh());
    }

    #[test]
    fn escaped_values_match_only_themselves(value in "[a-z*?$]{1,12}", other in "[a-z*?$]{1,12}") {
        let pattern = format!("arn:aws:s3:::b/{}", escape_value(&value));
        let concrete = format!("arn:aws:s3:::b/{value}");
        prop_assert!(wildcard_match(&pattern, &concrete, true));
        prop_assert_eq!(unescape_value(&pattern), concrete);
        let other_arn = format!("arn:aws:s3:::b/{other}");
        prop_assert_eq!(wildcard_match(&pattern, &other_arn, true), other == value);
    }

    #[test]
    fn role_matcher_follows_name_path_and_session(path in "(/[a-z]{1,5}){0,2}", session in "[a-z0-9-]{1,10}", glob in "[a-z*]{1,4}") {
        let arn = format!("arn:aws:iam::111122223333:role{path}/build-agent");
        let json = format!(
            r#"{{"userIdentity":{{"type":"AssumedRole","accountId":"111122223333","arn":"arn:aws:sts::111122223333:assumed-role/build-agent/{session}","sessionContext":{{"sessionIssuer":{{"arn":"{arn}","userName":"build-agent"}}}}}}}}"#
        );
        let record: policygen::event::Record = serde_json::from_str(&json).expect("valid");
        let by_name = PrincipalFilter { identity: Identity::role("build-agent").expect("valid").0, session: None, accounts: BTreeSet::new() };
        prop_assert!(by_name.matches(&record));
        let by_arn = PrincipalFilter { identity: Identity::role(&arn).expect("valid").0, ..by_name.clone() };
        prop_assert!(by_arn.matches(&record));
        let other_path = PrincipalFilter { identity: Identity::role(&format!("arn:aws:iam::111122223333:role{path}/x/build-agent")).expect("valid").0, ..by_name.clone() };
        prop_assert!(!other_path.matches(&record));
        let narrowed = PrincipalFilter { session: Some(glob.clone()), ..by_name };
        prop_assert_eq!(narrowed.matches(&record), wildcard_match(&glob, &session, true));
    }

    #[test]
    fn policies_round_trip(actions in proptest::collection::btree_set("[a-z]{2,6}:[A-Z][a-z]{1,8}\\*?", 1..5), arns in proptest::collection::btree_set("arn:aws:s3:::[a-z]{1,6}(/[a-z*]{1,4})?", 1..4), deny in any::<bool>()) {
        let statement = serde_json::json!({
            "Effect": if deny { "Deny" } else { "Allow" },
            "Action": actions.iter().collect::<Vec<_>>(),
            "Resource": arns.iter().collect::<Vec<_>>(),
        });
        let doc: PolicyDocument = serde_json::from_value(serde_json::json!({"Version": "2012-10-17", "Statement": [statement]})).expect("parses");
        let again: PolicyDocument = serde_json::from_str(&doc.to_json()).expect("re-parses");
        prop_assert_eq!(&again, &doc);
        for action in &actions {
            for arn in &arns {
                let concrete = action.replace('*', "X");
                let resource = arn.replace('*', "y");
                prop_assert_eq!(doc.allows(&concrete, &resource), !deny);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The policy is sound, and the same whatever the order, split into files and duplication of the input.
    #[test]
    fn pipeline_is_sound_and_order_independent(
        events in proptest::collection::vec((0usize..6, any::<bool>(), 0usize..4), 1..40),
        seed in any::<u64>(),
        files in 1usize..4,
    ) {
        let records: Vec<String> = events.iter().enumerate().map(|(i, &(call, ours, session))| record(i, call, ours, session)).collect();
        let run_with = |order: &[usize], files: usize, duplicate: bool| {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut buckets = vec![Vec::new(); files];
            for (n, &i) in order.iter().enumerate() {
                buckets[n % files].push(records[i].clone());
                if duplicate && i % 3 == 0 { buckets[(n + 1) % files].push(records[i].clone()); }
            }
            for (f, bucket) in buckets.iter().enumerate() {
                std::fs::write(dir.path().join(format!("f{f}.json")), format!("{{\"Records\":[{}]}}", bucket.join(","))).expect("write");
            }
            let words: Vec<String> = ["--role", "build-agent", "--from", "2026-11-01", "--to", "2026-12-01", "--logs"]
                .iter().map(|s| s.to_string()).chain(std::iter::once(dir.path().display().to_string())).collect();
            generate(&settings(&words))
        };
        let forward: Vec<usize> = (0..records.len()).collect();
        let mut shuffled = forward.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let base = run_with(&forward, 1, false);
        let other = run_with(&shuffled, files, true);
        prop_assert_eq!(base.policy.to_json(), other.policy.to_json());
        for key in base.usage.used.keys() {
            prop_assert!(base.policy.allows(&key.action, &unescape_value(&key.resource)), "{} on {}", key.action, key.resource);
        }
        let reparsed: PolicyDocument = serde_json::from_str(&base.policy.to_json()).expect("re-parses");
        prop_assert_eq!(reparsed, base.policy);
        let ours = events.iter().filter(|e| e.1).count() as u64;
        prop_assert_eq!(base.stats.records_matched, ours);
    }
}

/// Every action the catalogue has for a few services with large families (`s3:GetObject*`, `iam:List*`).
fn compact_universe() -> Vec<String> {
    let registry = policygen::mapper::catalogue::Registry::embedded();
    let mut out = Vec::new();
    for prefix in ["s3", "iam", "sts", "dynamodb"] {
        let service = registry.service(prefix).expect("known").expect("compiles");
        out.extend(service.actions.keys().map(|a| format!("{prefix}:{a}")));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// `--compact` never changes what a policy allows: for every statement's resources, every action of the
    /// catalogue is allowed by the compacted policy exactly when it is by the original. Whole families are
    /// seeded (every action sharing a random stem) so that wildcards are actually made.
    #[test]
    fn compact_allows_exactly_the_same_actions(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..4, 3usize..14, 0usize..3), 1..12),
        deny in any::<bool>(),
    ) {
        let universe = compact_universe();
        let registry = policygen::mapper::catalogue::Registry::embedded();
        // Three statements on different resources, the last one a Deny when `deny`.
        let mut actions: Vec<BTreeSet<String>> = vec![BTreeSet::new(); 3];
        for (index, kind, stem, statement) in &picks {
            let seed = index.get(&universe);
            if *kind == 0 {
                actions[*statement].insert(seed.clone());
            } else {
                let stem: String = seed.chars().take(seed.find(':').unwrap_or(0) + 1 + stem).collect();
                actions[*statement].extend(universe.iter().filter(|a| a.starts_with(&stem)).cloned());
            }
        }
        let resources = ["*", "arn:aws:s3:::bucket/*", "arn:aws:iam::111122223333:role/ci/*"];
        let statements: Vec<serde_json::Value> = actions
            .iter()
            .zip(resources)
            .enumerate()
            .filter(|(_, (a, _))| !a.is_empty())
            .map(|(i, (a, r))| serde_json::json!({
                "Effect": if deny && i == 2 { "Deny" } else { "Allow" },
                "Action": a.iter().collect::<Vec<_>>(),
                "Resource": r,
            }))
            .collect();
        let doc: PolicyDocument = serde_json::from_value(serde_json::json!({"Version": "2012-10-17", "Statement": statements})).expect("parses");
        let compacted = policygen::emitter::compact::compact(&doc, registry);
        for (before, after) in doc.statements.iter().zip(&compacted.statements) {
            prop_assert!(after.action.as_ref().map_or(0, |l| l.items().len()) <= before.action.as_ref().map_or(0, |l| l.items().len()));
            for resource in before.resource.iter().flat_map(|r| r.items()) {
                let resource = resource.replace('*', "x");
                for action in &universe {
                    prop_assert_eq!(doc.allows(action, &resource), compacted.allows(action, &resource), "{} on {}", action, resource);
                }
            }
        }
    }
}

/// Words that name stable things: never turned into `*` by the generalisation of per-run names.
const STABLE_WORDS: [&str; 8] = [
    "orders", "prod", "staging", "api", "builds", "cache", "reports", "app",
];

/// One token of a generated resource name: a stable word, or a per-run identifier of some kind.
fn token(kind: usize, value: u32) -> String {
    match kind % 7 {
        0..=2 => STABLE_WORDS[value as usize % STABLE_WORDS.len()].to_string(),
        3 => (4000 + value % 500).to_string(),
        4 => format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            value,
            value % 65536,
            value % 4096,
            value % 4096,
            u64::from(value) * 7919
        ),
        5 => format!("2026-{:02}-{:02}", 1 + value % 12, 1 + value % 28),
        _ => format!("{:07x}a1", value),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Generalising per-run names never drops an observed call (the policy allows every observed resource)
    /// and never turns a stable word into `*`: each observed resource is allowed by a resource of the policy
    /// that keeps all of its stable words, in order, in the same components.
    #[test]
    fn generalising_is_sound_and_keeps_stable_words(
        names in proptest::collection::vec(
            (0usize..3, proptest::collection::vec(proptest::collection::vec((0usize..7, any::<u32>()), 1..4), 1..4), 1u32..20, 0u32..5, 0usize..3),
            1..30,
        ),
    ) {
        let mut set = policygen::usage::UsageSet::default();
        let mut observed = Vec::new();
        for (bucket, components, day, span, session) in &names {
            let key: Vec<String> = components
                .iter()
                .map(|tokens| tokens.iter().map(|(k, v)| token(*k, *v)).collect::<Vec<_>>().join("-"))
                .collect();
            let resource = format!("arn:aws:s3:::bucket-{}/{}", STABLE_WORDS[*bucket], key.join("/"));
            let first = format!("2026-11-{:02}T10:00:00Z", day);
            let last = format!("2026-11-{:02}T10:00:00Z", day + span);
            let mut evidence = policygen::usage::Evidence::new(&first, "e", None)
                .in_session(Some(&format!("arn:aws:sts::1:assumed-role/r/s{session}")));
            evidence.last_seen = last;
            let usage_key = policygen::usage::UsageKey {
                action: "s3:PutObject".into(),
                resource: resource.clone(),
                region: "us-east-1".into(),
                facts: Default::default(),
            };
            set.add(usage_key, evidence);
            observed.push(resource);
        }
        let options = policygen::emitter::EmitOptions { max_resources: 1000, ..Default::default() };
        let policy = policygen::emitter::emit(&set, &options, &mut policygen::report::Diagnostics::default());
        let written: Vec<String> = policy.statements.iter().flat_map(|s| s.resource.iter().flat_map(|r| r.items().to_vec())).collect();
        let words = |text: &str| -> Vec<Vec<String>> {
            text.split('/')
                .map(|c| c.split(|ch: char| !ch.is_ascii_alphanumeric()).filter(|t| STABLE_WORDS.contains(t)).map(str::to_string).collect())
                .collect()
        };
        for resource in &observed {
            prop_assert!(policy.allows("s3:PutObject", resource), "{} not allowed by {:?}", resource, written);
        }
        // Each written resource is the generalisation of an observed one: it keeps all of that one's stable
        // words, in order, in the same components (another stable name it happens to cover is not merged
        // by a `*` of its own).
        for w in &written {
            let from_observed = observed.iter().any(|resource| {
                wildcard_match(w, resource, true) && words(resource) == words(w)
            });
            prop_assert!(from_observed, "{} keeps the stable words of no observed resource ({:?})", w, observed);
        }
    }
}
