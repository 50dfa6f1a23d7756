//! Bad input, tried systematically: every case is reported with a code naming the file (and record), the
//! good input beside it is still used, the run says it is incomplete where data was lost, and nothing panics.

use super::support::{generate, settings};
use policygen::report::{Code, Severity};
use std::io::Write;
use std::path::Path;

const GOOD: &str = r#"{"eventVersion":"1.08","eventTime":"2026-11-05T10:00:00Z","eventSource":"sqs.amazonaws.com","eventName":"SendMessage","awsRegion":"eu-west-1","recipientAccountId":"111122223333","eventID":"good-1","requestParameters":{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice","accountId":"111122223333"}}"#;

fn record_with(field: &str, value: &str) -> String {
    let mut record: serde_json::Value = serde_json::from_str(GOOD).expect("valid");
    record["eventID"] = serde_json::Value::String(format!("bad-{field}"));
    record[field] = serde_json::from_str(value).expect("valid value");
    record.to_string()
}

/// A record of the principal with two bytes that are not UTF-8 in its errorMessage.
fn invalid_utf8() -> Vec<u8> {
    let text = format!(
        "{{\"Records\":[{}]}}",
        record_with("errorMessage", "\"XX\"")
    );
    let at = text.find("XX").expect("marker");
    let mut bytes = text.into_bytes();
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    bytes
}

/// A record of the principal whose requestParameters nest 3,000 levels deep.
fn deep_request() -> Vec<u8> {
    let deep = format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000));
    let record = GOOD.replacen(
        "{\"queueUrl\":\"https://sqs.eu-west-1.amazonaws.com/111122223333/jobs\"}",
        &deep,
        1,
    );
    format!("{{\"Records\":[{}]}}", record.replace("good-1", "deep")).into_bytes()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

/// Writes `bad` beside a good file, runs, and returns the run.
fn run_with(name: &str, bad: &[u8]) -> (policygen::Outcome, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("good.json"),
        format!("{{\"Records\":[{GOOD}]}}"),
    )
    .expect("write");
    let bad_path = dir.path().join(name);
    std::fs::write(&bad_path, bad).expect("write");
    let run = run_dir(dir.path());
    (run, bad_path.display().to_string())
}

fn run_dir(dir: &Path) -> policygen::Outcome {
    let words: Vec<String> = [
        "--user",
        "alice",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "--logs",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(std::iter::once(dir.display().to_string()))
    .collect();
    generate(&settings(&words))
}

fn assert_good_used(run: &policygen::Outcome, case: &str) {
    assert!(
        run.policy
            .allows("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs"),
        "{case}: good file lost"
    );
}

fn assert_reported(run: &policygen::Outcome, code: Code, file: &str, case: &str) {
    let hit = run.diagnostics.iter().find(|d| d.code == code);
    let Some(d) = hit else {
        panic!(
            "{case}: no `{code}` in {:?}",
            run.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        )
    };
    let named = d.subject.contains(file) || d.first.as_ref().is_some_and(|l| l.file.contains(file));
    assert!(named, "{case}: `{code}` does not name {file}: {d:?}");
}

#[test]
fn damaged_files_are_reported_and_the_rest_is_used() {
    let whole = gz(format!(
        "{{\"Records\":[{GOOD},{}]}}",
        GOOD.replace("good-1", "good-2")
    )
    .as_bytes());
    let cases: Vec<(&str, Vec<u8>, Code)> = vec![
        (
            "truncated.json.gz",
            whole[..whole.len() - 20].to_vec(),
            Code::InvalidFile,
        ),
        (
            "corrupt.json.gz",
            {
                let mut b = whole.clone();
                for x in &mut b[12..40] {
                    *x ^= 0x5a;
                }
                b
            },
            Code::InvalidFile,
        ),
        (
            "gzip-of-text.json.gz",
            gz(b"this is not json"),
            Code::NotCloudtrail,
        ),
        ("empty.json", Vec::new(), Code::NotCloudtrail),
        (
            "invalid.json",
            b"{\"Records\":[{\"eventVersion\":".to_vec(),
            Code::InvalidFile,
        ),
        ("invalid-utf8.json", invalid_utf8(), Code::MalformedRecord),
        ("deep.json", deep_request(), Code::UnmappedEvent),
    ];
    for (name, bytes, code) in cases {
        let (run, path) = run_with(name, &bytes);
        assert_good_used(&run, name);
        assert_reported(&run, code, &path, name);
        if code.severity() == Severity::Incomplete {
            assert!(run.incomplete(), "{name}: must be incomplete");
        }
    }
}

#[test]
fn wrong_types_in_every_field_read_are_malformed_records() {
    for (field, value) in [
        ("eventTime", "1700000000"),
        ("eventSource", "{\"a\":1}"),
        ("eventName", "[1]"),
        ("userIdentity", "\"alice\""),
        ("awsRegion", "7"),
        ("errorCode", "{}"),
        ("eventID", "{}"),
    ] {
        let bad = format!("{{\"Records\":[{}]}}", record_with(field, value));
        let (run, path) = run_with("bad.json", bad.as_bytes());
        assert_good_used(&run, field);
        assert_reported(&run, Code::MalformedRecord, &path, field);
        let d = run
            .diagnostics
            .iter()
            .find(|d| d.code == Code::MalformedRecord)
            .expect("reported");
        assert_eq!(
            d.first.as_ref().and_then(|l| l.record),
            Some(0),
            "{field}: record index named"
        );
        assert!(run.incomplete(), "{field}");
    }
}

#[test]
fn odd_but_valid_records_are_handled() {
    // null userIdentity, missing eventSource, a BOM, 1 MB of requestParameters, an unknown eventVersion,
    // an Insights event, a digest file, JSON lines with one broken line.
    let big = format!("{{\"blob\":\"{}\"}}", "x".repeat(1 << 20));
    let insight = r#"{"eventVersion":"1.07","eventTime":"2026-11-05T10:00:00Z","eventType":"AwsCloudTrailInsight","eventSource":"sqs.amazonaws.com","eventName":"SendMessage","eventID":"insight","userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"}}"#;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("good.json"), format!("{{\"Records\":[{GOOD}]}}")).expect("write");
    std::fs::write(
        p.join("null-identity.json"),
        format!("[{}]", record_with("userIdentity", "null")),
    )
    .expect("write");
    let mut no_source: serde_json::Value = serde_json::from_str(GOOD).expect("valid");
    no_source
        .as_object_mut()
        .expect("object")
        .remove("eventSource");
    no_source["eventID"] = "no-source".into();
    std::fs::write(p.join("no-source.json"), no_source.to_string()).expect("write");
    std::fs::write(
        p.join("bom.json"),
        format!(
            "\u{feff}{{\"Records\":[{}]}}",
            GOOD.replace("good-1", "bom")
        ),
    )
    .expect("write");
    std::fs::write(
        p.join("big.json"),
        format!("[{}]", record_with("requestParameters", &big)),
    )
    .expect("write");
    std::fs::write(
        p.join("v2.json"),
        format!("[{}]", record_with("eventVersion", "\"2.0\"")),
    )
    .expect("write");
    std::fs::write(p.join("insight.json"), insight).expect("write");
    std::fs::write(p.join("digest.json"), r#"{"awsAccountId":"1","digestStartTime":"x","digestPublicKeyFingerprint":"ab","logFiles":[]}"#).expect("write");
    std::fs::write(
        p.join("lines.jsonl"),
        format!(
            "{}\n{{\"userName\":\"alice\" broken\n",
            GOOD.replace("good-1", "line")
        ),
    )
    .expect("write");
    let run = run_dir(p);
    assert_good_used(&run, "odd");
    let codes: Vec<Code> = run.diagnostics.iter().map(|d| d.code).collect();
    for code in [
        Code::UnmappedEvent,
        Code::UnknownEventVersion,
        Code::NonApiEvent,
        Code::DigestFile,
        Code::MalformedRecord,
    ] {
        assert!(codes.contains(&code), "missing {code}: {codes:?}");
    }
    assert!(run.stats.records_read >= 9, "{:?}", run.stats);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_broken_links_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("good.json"), format!("{{\"Records\":[{GOOD}]}}")).expect("write");
    std::fs::create_dir(p.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(p, p.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink(p.join("missing.json"), p.join("broken.json")).expect("symlink");
    let run = run_dir(p);
    assert_good_used(&run, "links");
    let unreadable: Vec<&str> = run
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::UnreadableFile)
        .map(|d| d.subject.as_str())
        .collect();
    assert!(
        unreadable.iter().any(|s| s.ends_with("broken.json")),
        "{unreadable:?}"
    );
    assert!(
        unreadable.iter().any(|s| s.ends_with("loop")),
        "{unreadable:?}"
    );
    assert_eq!(
        run.stats.records_matched, 1,
        "the loop must not read good.json twice"
    );
}

#[test]
fn strict_stops_at_the_first_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a-bad.json"), "{\"Records\":[{").expect("write");
    let words: Vec<String> = [
        "--user",
        "alice",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "--strict",
        "--logs",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(std::iter::once(dir.path().display().to_string()))
    .collect();
    let run = generate(&settings(&words));
    assert!(run.stopped && run.incomplete());
}
