//! Honest results, through the real binary: an empty or partial answer never exits 0, says so first, and
//! the numbers printed are the numbers checked.

use super::support::{policygen, text, WINDOW};
use std::io::{Read, Write};
use std::process::Command;

fn with_window<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(WINDOW);
    all
}

/// A principal that is not in the input is no success, whatever the spelling, and the review built on it
/// removes nothing.
#[test]
fn an_unknown_principal_is_incomplete_and_suggests_the_one_meant() {
    let cases = [
        ("nosuchrole", None),
        (
            "Build-Agent",
            Some("`--role build-agent` (arn:aws:iam::111122223333:role/ci/build-agent)"),
        ),
        (
            "arn:aws:iam::111122223333:role/build-agent",
            Some("`--role arn:aws:iam::111122223333:role/ci/build-agent`"),
        ),
    ];
    for (role, suggestion) in cases {
        let out = policygen(&with_window(&["--role", role, "--logs", "examples/trail"]));
        assert_eq!(out.status.code(), Some(1), "{role}");
        let stderr = text(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert!(
            lines[1].starts_with("  result   INCOMPLETE"),
            "{role}: {stderr}"
        );
        let diagnostic = lines
            .iter()
            .find(|l| l.contains("incomplete no-matching-records"))
            .unwrap_or_else(|| panic!("{role}: {stderr}"));
        assert!(
            diagnostic.contains("none of the 1018 records read"),
            "{diagnostic}"
        );
        match suggestion {
            Some(s) => assert!(
                diagnostic.contains(&format!("did you mean {s}")),
                "{diagnostic}"
            ),
            None => assert!(!diagnostic.contains("did you mean"), "{diagnostic}"),
        }
    }
    let out = policygen(&with_window(&[
        "--role",
        "Build-Agent",
        "--logs",
        "examples/trail",
        "--current",
        "examples/current-policy.json",
        "--format",
        "markdown",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let markdown = text(&out.stdout);
    assert!(
        markdown.contains("> [!WARNING]\n> **Incomplete run**")
            && markdown.contains("| removed (unused in the window) | 0 |")
            && markdown.contains("**Removals withheld**"),
        "{markdown}"
    );
    for format in ["terraform", "cloudformation"] {
        let out = policygen(&with_window(&[
            "--role",
            "nosuchrole",
            "--logs",
            "examples/trail",
            "--format",
            format,
        ]));
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stdout).starts_with("# policygen: INCOMPLETE"),
            "{format}: {}",
            text(&out.stdout)
        );
    }
}

/// A role name that two accounts use is two principals: said as a warning with each ARN and its count.
#[test]
fn a_role_name_in_several_accounts_is_said_up_front() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.json");
    let summary_arg = summary.display().to_string();
    let out = policygen(&with_window(&[
        "--role",
        "build-agent",
        "--logs",
        "examples/trail",
        "--summary-json",
        &summary_arg,
    ]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(
        "warning    several-principals input: role `build-agent` (any path, any account) matched 2 principals, merged into one policy: \
         arn:aws:iam::111122223333:role/ci/build-agent (829 records), arn:aws:iam::444455556666:role/build-agent (8 records); \
         give `--account ID` for one of them"
    ), "{stderr}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).expect("written")).expect("JSON");
    assert_eq!(
        json["principals"],
        serde_json::json!({
            "arn:aws:iam::111122223333:role/ci/build-agent": 829,
            "arn:aws:iam::444455556666:role/build-agent": 8
        })
    );
    let out = policygen(&with_window(&[
        "--role",
        "build-agent",
        "--account",
        "111122223333",
        "--logs",
        "examples/trail",
    ]));
    assert!(!text(&out.stderr).contains("several-principals"));
}

fn record(time: &str, name: &str, source: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"{name}-{time}","eventType":"AwsApiCall","userIdentity":{{"type":"AssumedRole","accountId":"111122223333","arn":"arn:aws:sts::111122223333:assumed-role/app/s1","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/app","userName":"app"}}}}}}{extra}}}"#
    )
}

/// A denied S3 call names no action in its message: it is shown as its action, judged against what the
/// current policy grants, and never listed as an addition the proposal does not make.
#[test]
fn a_denied_call_is_judged_by_its_action() {
    let dir = tempfile::tempdir().expect("tempdir");
    let get = record(
        "2026-11-05T10:00:00Z",
        "GetObject",
        "s3.amazonaws.com",
        r#","requestParameters":{"bucketName":"b","key":"k"}"#,
    );
    let delete = record(
        "2026-11-05T10:01:00Z",
        "DeleteObject",
        "s3.amazonaws.com",
        r#","requestParameters":{"bucketName":"b","key":"k"},"errorCode":"AccessDenied","errorMessage":"Access Denied""#,
    );
    let logs = dir.path().join("events.json");
    std::fs::write(&logs, format!("{{\"Records\":[{get},{delete}]}}")).expect("writable");
    let current = dir.path().join("current.json");
    std::fs::write(
        &current,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .expect("writable");
    let (logs, current) = (logs.display().to_string(), current.display().to_string());
    let out = policygen(&with_window(&[
        "--role",
        "app",
        "--logs",
        &logs,
        "--current",
        &current,
        "--format",
        "diff-json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(diff["added"], serde_json::json!({}));
    assert_eq!(diff["summary"]["added"], 0);
    assert_eq!(diff["denied_attempts"][0]["action"], "s3:DeleteObject");
    assert!(
        diff["denied_attempts"][0]["verdict"]
            .as_str()
            .is_some_and(|v| v.starts_with("granted by the current policy, so denied elsewhere")),
        "{}",
        diff["denied_attempts"]
    );
    assert!(text(&out.stderr).contains("s3:DeleteObject (AccessDenied) x1"));
}

/// Routine failures (a throttled call that also succeeded) are notes: `--deny-warnings` does not fail on them.
#[test]
fn routine_failures_do_not_fail_deny_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = record(
        "2026-11-05T10:00:00Z",
        "GetParameter",
        "ssm.amazonaws.com",
        r#","requestParameters":{"name":"/app/token"}"#,
    );
    let throttled = record(
        "2026-11-05T09:59:59Z",
        "GetParameter",
        "ssm.amazonaws.com",
        r#","requestParameters":{"name":"/app/token"},"errorCode":"ThrottlingException","errorMessage":"Rate exceeded""#,
    );
    let logs = dir.path().join("events.json");
    std::fs::write(&logs, format!("{{\"Records\":[{ok},{throttled}]}}")).expect("writable");
    let logs = logs.display().to_string();
    let out = policygen(&with_window(&[
        "--role",
        "app",
        "--logs",
        &logs,
        "--deny-warnings",
        "-v",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(
        "note       failed-call-granted-anyway ssm.amazonaws.com GetParameter: failed with `ThrottlingException`, and the policy grants it anyway"
    ), "{}", text(&out.stderr));
}

/// An instance metadata service that refuses (a 403, as behind a proxy) is one readable line, not the SDK's
/// debug dump; a profile that does not exist is named.
#[test]
fn credential_errors_are_one_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(20) {
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 403 Forbidden\r\ncontent-length: 9\r\nconnection: close\r\n\r\nforbidden",
            );
        }
    });
    let home = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        let mut args = vec!["--role", "x", "--since", "1d"];
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_policygen"))
            .args(&args)
            .env_clear()
            .env("HOME", home.path())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
            .output()
            .expect("binary runs")
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: the AWS credentials could not be loaded"),
        "{stderr}"
    );
    assert!(
        first.len() < 400 && !stderr.contains("Extensions") && !stderr.contains("SdkBody"),
        "{stderr}"
    );
    let out = run(&["--profile", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: the AWS profile `nosuch` is not defined in"),
        "{}",
        text(&out.stderr)
    );
}

/// DynamoDB transactions and PartiQL batches as CloudTrail logs them (the Developer Guide's records): each item
/// grants its operation on its table. Mapped calls never give an empty policy.
#[test]
fn documented_dynamodb_batches_grant_each_item() {
    let out = policygen(&[
        "--role",
        "users",
        "--logs",
        "tests/data/dynamodb-documented/events.json",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a policy");
    let mut granted: Vec<(String, String)> = Vec::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        for action in statement["Action"].as_array().expect("actions") {
            for resource in statement["Resource"].as_array().expect("resources") {
                granted.push((
                    action.as_str().unwrap_or_default().to_string(),
                    resource.as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    granted.sort();
    let table = |region: &str| format!("arn:aws:dynamodb:{region}:111122223333:table/Music");
    let expected: Vec<(String, String)> = [
        ("dynamodb:ConditionCheckItem", table("us-west-1")),
        ("dynamodb:DeleteItem", table("us-west-1")),
        ("dynamodb:PartiQLInsert", table("us-west-2")),
        ("dynamodb:PartiQLUpdate", table("us-west-2")),
        ("dynamodb:PutItem", table("us-west-1")),
        ("dynamodb:UpdateItem", table("us-west-1")),
    ]
    .into_iter()
    .map(|(a, r)| (a.to_string(), r))
    .collect();
    assert_eq!(granted, expected);
    assert!(
        text(&out.stderr).contains("matched  2 records: 2 mapped"),
        "{}",
        text(&out.stderr)
    );
}
