//! Credentials in records never reach any output: the example trail's `AssumeRoleWithWebIdentity` session
//! tokens and keys, and a crafted trail with secrets in every field a record can carry them in (STS and IAM
//! responses, passwords, secret strings, error messages, unmapped and malformed records, broken files), read
//! with every output format, `--explain`, `--summary-json`, `-v`, `--include-denied` and `maps coverage`.

use super::support::root;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::Command;

/// Every crafted secret contains this, so that one search finds any of them, whole or in part.
const MARK: &str = "SeCrEt";

fn identity(session: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLE:{session}"),
        "arn": format!("arn:aws:sts::111122223333:assumed-role/build-agent/{session}"),
        "accountId": "111122223333",
        "accessKeyId": "ASIAEXAMPLESESSION01",
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/ci/build-agent",
            "accountId": "111122223333", "userName": "build-agent"}}
    })
}

fn record(n: usize, source: &str, name: &str, request: Value, response: Value) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": identity("gh-run-4181"),
        "eventTime": format!("2026-11-20T10:{:02}:00Z", n % 60),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.1",
        "userAgent": "aws-cli/2",
        "requestParameters": request,
        "responseElements": response,
        "eventID": format!("secret-case-{n:03}"),
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
    })
}

fn credentials(n: usize) -> Value {
    json!({
        "accessKeyId": format!("ASIA{MARK}KEY{n:04}"),
        "secretAccessKey": format!("{MARK}AccessKey/{n:04}+abc"),
        "sessionToken": format!("IQoJ{MARK}Token{n:04}=="),
        "expiration": "Nov 20, 2026, 11:00:00 AM",
    })
}

/// Records of build-agent that carry secrets, one case each.
fn crafted() -> Vec<Value> {
    let mut records = vec![
        record(
            1,
            "sts.amazonaws.com",
            "AssumeRole",
            json!({"roleArn": "arn:aws:iam::111122223333:role/deployer", "roleSessionName": "deploy", "externalId": format!("{MARK}External")}),
            json!({"credentials": credentials(1), "assumedRoleUser": {"arn": "arn:aws:sts::111122223333:assumed-role/deployer/deploy", "assumedRoleId": "AROA:deploy"}}),
        ),
        record(
            2,
            "sts.amazonaws.com",
            "GetSessionToken",
            json!({"durationSeconds": 3600, "tokenCode": format!("{MARK}Mfa")}),
            json!({"credentials": credentials(2)}),
        ),
        record(
            3,
            "sts.amazonaws.com",
            "GetFederationToken",
            json!({"name": "fed", "policy": format!("{{\"{MARK}\":1}}")}),
            json!({"credentials": credentials(3), "federatedUser": {"arn": "arn:aws:sts::111122223333:federated-user/fed"}}),
        ),
        record(
            4,
            "iam.amazonaws.com",
            "CreateAccessKey",
            json!({"userName": "bot"}),
            json!({"accessKey": {"userName": "bot", "accessKeyId": format!("AKIA{MARK}0004"), "secretAccessKey": format!("{MARK}Iam0004"), "status": "Active"}}),
        ),
        record(
            5,
            "iam.amazonaws.com",
            "CreateLoginProfile",
            json!({"userName": "bot", "password": format!("{MARK}Password5"), "passwordResetRequired": true}),
            json!({"loginProfile": {"userName": "bot"}, "password": format!("{MARK}Password5b")}),
        ),
        record(
            6,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            json!({"secretId": "app/db"}),
            json!({"secretString": format!("{MARK}Db6"), "secretBinary": format!("{MARK}Bin6")}),
        ),
        record(
            7,
            "secretsmanager.amazonaws.com",
            "PutSecretValue",
            json!({"secretId": "app/db", "secretString": format!("{{\"password\":\"{MARK}Db7\"}}")}),
            json!({"arn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf"}),
        ),
        record(
            8,
            "ssm.amazonaws.com",
            "PutParameter",
            json!({"name": "/acme/build/token", "type": "SecureString", "value": format!("{MARK}Param8")}),
            json!({"version": 2}),
        ),
        record(
            9,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            json!({"functionName": "acme-api", "environment": {"variables": {"DB_PASSWORD": format!("{MARK}Env9")}}}),
            json!({"functionName": "acme-api", "environment": {"variables": {"DB_PASSWORD": format!("{MARK}Env9b")}}}),
        ),
        // Not mapped by any service map: reported as unmapped-event.
        record(
            10,
            "example.amazonaws.com",
            "DoThing",
            json!({"apiKey": format!("{MARK}Api10")}),
            json!({"token": format!("{MARK}Tok10")}),
        ),
    ];
    // A denied call and a failed call whose error messages quote a secret.
    let mut denied = record(
        11,
        "iam.amazonaws.com",
        "CreateRole",
        json!({"roleName": "x"}),
        Value::Null,
    );
    denied["errorCode"] = json!("AccessDenied");
    denied["errorMessage"] = json!(format!("User: arn:aws:sts::111122223333:assumed-role/build-agent/gh-run-4181 is not authorized to perform: iam:CreateRole on resource: x with token {MARK}Deny11"));
    let mut failed = record(
        12,
        "sts.amazonaws.com",
        "AssumeRole",
        json!({"roleArn": "arn:aws:iam::111122223333:role/deployer", "roleSessionName": "d"}),
        Value::Null,
    );
    failed["errorCode"] = json!("InvalidClientTokenId");
    failed["errorMessage"] = json!(format!(
        "The security token {MARK}Fail12 included in the request is invalid"
    ));
    let mut additional = record(
        13,
        "signin.amazonaws.com",
        "ConsoleLogin",
        Value::Null,
        json!({"ConsoleLogin": "Success"}),
    );
    additional["additionalEventData"] =
        json!({"MFAUsed": "No", "SamlAssertion": format!("{MARK}Saml13")});
    records.extend([denied, failed, additional]);
    records
}

/// Malformed records and broken files of the principal that carry a secret where a value of another type
/// was expected: the parser's error message would quote it.
fn broken() -> Vec<(&'static str, String)> {
    let mut wrong_type = record(
        20,
        "s3.amazonaws.com",
        "GetObject",
        json!({"bucketName": "b", "key": "k"}),
        Value::Null,
    );
    wrong_type["resources"] = json!(format!("{MARK}Res20"));
    let mut wrong_identity = record(21, "s3.amazonaws.com", "GetObject", json!({}), Value::Null);
    wrong_identity["userIdentity"]["sessionContext"] = json!(format!("build-agent {MARK}Ctx21"));
    vec![
        (
            "malformed.json",
            json!({"Records": [wrong_type, wrong_identity]}).to_string(),
        ),
        (
            "records-string.json",
            format!("{{\"Records\":\"build-agent {MARK}Records22\"}}"),
        ),
        (
            "events-string.json",
            format!("{{\"Events\":\"build-agent {MARK}Events23\"}}"),
        ),
        (
            "lookup-events.json",
            json!({"Events": [{"CloudTrailEvent": record(24, "sts.amazonaws.com", "GetSessionToken", json!({}), json!({"credentials": credentials(24)})).to_string()}]}).to_string(),
        ),
        (
            "truncated.json",
            format!(
                "{{\"Records\":[{}",
                &record(25, "sts.amazonaws.com", "GetSessionToken", json!({}), json!({"credentials": credentials(25)})).to_string()[..400]
            ),
        ),
    ]
}

/// The credentials in the example trail's responses (`AssumeRole*` session keys and tokens).
fn example_secrets() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for path in files(&root().join("examples/trail")) {
        let mut text = String::new();
        let file = std::fs::File::open(&path).expect("readable");
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .expect("gzip");
        let log: Value = serde_json::from_str(&text).expect("json");
        for record in log["Records"].as_array().into_iter().flatten() {
            let credentials = &record["responseElements"]["credentials"];
            for field in ["accessKeyId", "secretAccessKey", "sessionToken"] {
                if let Some(value) = credentials[field].as_str() {
                    out.insert(value.to_string());
                }
            }
        }
    }
    out
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for path in files(from) {
        let target = to.join(path.strip_prefix(from).expect("under"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&path, &target).expect("copy");
    }
}

/// Everything one run wrote: stdout, stderr and the `--summary-json` file.
fn everything(args: &[&str], summary: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if let Ok(written) = std::fs::read_to_string(summary) {
        text.push_str(&written);
        let _ = std::fs::remove_file(summary);
    }
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{args:?} failed: {text}"
    );
    text
}

#[test]
fn no_secret_reaches_any_output() {
    let secrets = example_secrets();
    assert!(
        secrets.iter().any(|s| s.starts_with("IQoJ")) && secrets.len() > 30,
        "the example trail has session tokens and keys: {secrets:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("examples/trail"), dir.path());
    let extra = dir.path().join("crafted");
    std::fs::create_dir(&extra).expect("mkdir");
    std::fs::write(
        extra.join("secrets.json"),
        json!({"Records": crafted()}).to_string(),
    )
    .expect("write");
    for (name, text) in broken() {
        std::fs::write(extra.join(name), text).expect("write");
    }
    let logs = dir.path().display().to_string();
    let out = tempfile::tempdir().expect("tempdir");
    let summary = out.path().join("summary.json");
    let summary_arg = summary.display().to_string();
    let current = root().join("examples/current-policy.json");
    let current = current.display().to_string();
    let window = ["--from", "2026-11-01", "--to", "2026-12-01"];
    let principals: [&[&str]; 3] = [
        &["--role", "build-agent"],
        &["--user", "alice"],
        &[
            "--principal",
            "arn:aws:sts::111122223333:assumed-role/build-agent/gh-run-4181",
        ],
    ];
    let formats: [&[&str]; 7] = [
        &["--format", "json"],
        &["--format", "terraform"],
        &["--format", "cloudformation"],
        &["--format", "markdown"],
        &["--format", "markdown", "--current", &current],
        &["--format", "diff-json", "--current", &current],
        &["--format", "json", "--include-denied"],
    ];
    let mut outputs = Vec::new();
    for principal in principals {
        for format in formats {
            let mut args: Vec<&str> = principal.to_vec();
            args.extend(window);
            args.extend([
                "--logs",
                &logs,
                "--explain",
                "-v",
                "--summary-json",
                &summary_arg,
            ]);
            args.extend(format);
            outputs.push((args.join(" "), everything(&args, &summary)));
        }
    }
    outputs.push((
        "maps coverage".into(),
        everything(&["maps", "coverage", "--logs", &logs], &summary),
    ));
    // The runs did see the crafted records: they are reported, so a quiet pass is not a vacuous one.
    let build_agent = &outputs[0].1;
    for seen in [
        "example.amazonaws.com DoThing",
        "malformed-record",
        "invalid-file",
        "iam:CreateRole",
    ] {
        assert!(
            build_agent.contains(seen),
            "{seen} not reported: {build_agent}"
        );
    }
    for (run, text) in &outputs {
        assert!(
            !text.contains(MARK),
            "`{run}` leaks a crafted secret:\n{}",
            context(text, MARK)
        );
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "`{run}` leaks `{secret}`:\n{}",
                context(text, secret)
            );
        }
    }
}

/// The lines around the first occurrence of `needle`.
fn context(text: &str, needle: &str) -> String {
    text.lines()
        .filter(|l| l.contains(needle))
        .take(5)
        .collect::<Vec<_>>()
        .join("\n")
}
