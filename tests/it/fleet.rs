//! `policygen fleet`: every principal written in one pass is what the single command writes for it, byte
//! for byte, with the same verdict and diagnostics; fleet.json's numbers; reviews; permission sets; exit codes.

use super::support::{fleet_settings, policygen, root, scenario_dirs, settings, shell_words, text};
use policygen::fleet::FleetReport;
use std::collections::BTreeMap;
use std::path::Path;

/// The fleet's options from a scenario's `args`: the window and policy options, without the principal.
fn fleet_words(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut words = shell_words(args.trim()).into_iter();
    while let Some(word) = words.next() {
        if ["--role", "--user", "--principal", "--session", "--account"].contains(&word.as_str()) {
            words.next();
        } else {
            out.push(word);
        }
    }
    out
}

fn run_fleet(words: &[String]) -> FleetReport {
    let settings = fleet_settings(words);
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::fleet::fleet(&settings, &Default::default()))
        .expect("the fleet produces an answer")
}

/// Diagnostics as `code subject xN`, one a line.
fn diagnostics(run: &policygen::Outcome) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for d in run.diagnostics.iter() {
        *out.entry(d.code.as_str().to_string()).or_default() += d.count;
    }
    out
}

/// Runs the fleet over `logs` with `words`, then the single command for every principal written, and
/// collects every difference.
fn compare(name: &str, logs: &Path, words: &[String], failures: &mut Vec<String>) -> usize {
    let out = tempfile::tempdir().expect("tempdir");
    let mut fleet_words: Vec<String> = words.to_vec();
    fleet_words.extend(["--logs".into(), logs.display().to_string()]);
    fleet_words.extend(["--out-dir".into(), out.path().display().to_string()]);
    let report = run_fleet(&fleet_words);
    let json = std::fs::read_to_string(out.path().join("fleet.json")).expect("fleet.json");
    assert_eq!(json, report.json(), "{name}: fleet.json is the report");
    let single_dir = tempfile::tempdir().expect("tempdir");
    for row in &report.principals {
        let target = single_dir.path().join("single.json");
        let mut single: Vec<String> = vec![
            format!("--{}", row.kind),
            row.name.clone(),
            "--account".into(),
            row.account.clone(),
        ];
        single.extend(words.iter().cloned());
        single.extend(["--logs".into(), logs.display().to_string()]);
        single.extend(["-o".into(), target.display().to_string()]);
        let settings = settings(&single);
        let run = super::support::generate(&settings);
        policygen::output::write(&run, &settings.output).expect("written");
        let expected = std::fs::read(&target).expect("single output");
        let got = std::fs::read(out.path().join(&row.file)).expect("fleet output");
        let id = format!("{name}: {}", row.id());
        if expected != got {
            failures.push(format!(
                "{id}: the policy differs from the single run's\n--- single\n{}\n--- fleet\n{}",
                text(&expected),
                text(&got)
            ));
        }
        if row.complete == run.incomplete() {
            failures.push(format!(
                "{id}: fleet says complete={}, single run incomplete={}",
                row.complete,
                run.incomplete()
            ));
        }
        if row.records != run.stats.records_matched {
            failures.push(format!(
                "{id}: records {} vs {}",
                row.records, run.stats.records_matched
            ));
        }
        if row.diagnostics != diagnostics(&run) {
            failures.push(format!(
                "{id}: diagnostics {:?} vs single {:?}",
                row.diagnostics,
                diagnostics(&run)
            ));
        }
    }
    report.principals.len()
}

#[test]
fn every_principal_of_every_scenario_is_its_single_run() {
    let dirs = scenario_dirs();
    let mut failures = Vec::new();
    let mut principals = 0;
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let args = std::fs::read_to_string(dir.join("args")).expect("args");
        principals += compare(name, &dir.join("logs"), &fleet_words(&args), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(principals >= dirs.len(), "only {principals} principals");
}

#[test]
fn every_principal_of_the_example_trail_is_its_single_run() {
    let mut failures = Vec::new();
    let words: Vec<String> = ["--from", "2026-11-01", "--to", "2026-12-01"]
        .map(String::from)
        .to_vec();
    let n = compare(
        "examples/trail",
        &root().join("examples/trail"),
        &words,
        &mut failures,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(n, 4);
}

/// A CloudTrail record of `role` (an assumed-role session) in `account`.
fn role_record(account: &str, role: &str, id: &str, source: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/someone@example.com"),
            "accountId": account,
            "sessionContext": {"sessionIssuer": {
                "type": "Role",
                "arn": format!("arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}"),
                "accountId": account,
                "userName": role
            }}
        },
        "eventTime": "2026-11-10T14:00:07Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "requestParameters": null,
        "responseElements": null,
        "eventID": id,
        "eventType": "AwsApiCall",
        "recipientAccountId": account
    })
}

fn write_log(dir: &Path, name: &str, records: &[serde_json::Value]) {
    let text = serde_json::json!({ "Records": records }).to_string();
    std::fs::write(dir.join(name), text).expect("log written");
}

#[test]
fn binary_writes_the_single_commands_files_and_fleet_numbers() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().display().to_string();
    let mut args = vec!["fleet", "--logs", "examples/trail", "--out-dir", &dir];
    args.extend(super::support::WINDOW);
    let run = policygen(&args);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr)
            .contains("fleet: 4 policies written, 0 incomplete (36 files, 1018 records)"),
        "{}",
        text(&run.stderr)
    );
    let single = out.path().join("single.json");
    let single_path = single.display().to_string();
    let mut args = vec![
        "--role",
        "build-agent",
        "--account",
        "444455556666",
        "--logs",
        "examples/trail",
        "-o",
        &single_path,
    ];
    args.extend(super::support::WINDOW);
    assert_eq!(policygen(&args).status.code(), Some(0));
    assert_eq!(
        std::fs::read(&single).expect("single"),
        std::fs::read(out.path().join("444455556666/role/build-agent.json")).expect("fleet")
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("fleet.json")).expect("json"),
    )
    .expect("fleet.json is JSON");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["input"]["records_read"], 1018);
    let rows = json["principals"].as_array().expect("principals");
    let ids: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}/{}/{}",
                r["account"].as_str().unwrap_or(""),
                r["kind"].as_str().unwrap_or(""),
                r["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            "111122223333/role/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
            "111122223333/role/build-agent",
            "111122223333/user/alice",
            "444455556666/role/build-agent"
        ]
    );
    let agent = &rows[1];
    assert_eq!(agent["records"], 829);
    assert_eq!(agent["actions"], 24);
    assert_eq!(agent["services"], 9);
    assert_eq!(agent["first_seen"], "2026-11-02T10:34:39Z");
    assert_eq!(agent["last_seen"], "2026-11-30T09:18:28Z");
    assert_eq!(agent["diagnostics"]["denied-call"], 4);
    assert_eq!(agent["complete"], true);
    let md = std::fs::read_to_string(out.path().join("fleet.md")).expect("md");
    assert!(
        md.contains("4 policies written: 4 complete, 0 incomplete."),
        "{md}"
    );
    // The same input gives the same bytes.
    let again = tempfile::tempdir().expect("tempdir");
    let dir2 = again.path().display().to_string();
    let mut args = vec!["fleet", "--logs", "examples/trail", "--out-dir", &dir2];
    args.extend(super::support::WINDOW);
    assert_eq!(policygen(&args).status.code(), Some(0));
    let strip = |p: &Path, d: &str| std::fs::read_to_string(p).expect("read").replace(d, "OUT");
    assert_eq!(
        strip(&out.path().join("fleet.json"), &dir),
        strip(&again.path().join("fleet.json"), &dir2)
    );
}

#[test]
fn damaged_input_makes_every_principal_incomplete_and_exits_1() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().display().to_string();
    let logs = root()
        .join("tests/scenarios/corrupt-gzip/logs")
        .display()
        .to_string();
    let mut args = vec!["fleet", "--logs", &logs, "--out-dir", &dir];
    args.extend(super::support::WINDOW);
    let run = policygen(&args);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("incomplete: 111122223333/role/build-agent"),
        "{}",
        text(&run.stderr)
    );
    let md = std::fs::read_to_string(out.path().join("fleet.md")).expect("md");
    let incomplete = md.find("**Incomplete**").expect("said up front");
    assert!(incomplete < md.find("## Policies").expect("table"), "{md}");
    // Usage errors are 2.
    let run = policygen(&["fleet", "--logs", &logs, "--out-dir", &dir]);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn unparsed_records_count_for_the_principals_they_name_and_no_one_else() {
    let logs = tempfile::tempdir().expect("tempdir");
    let mut malformed_alice = role_record(
        "111122223333",
        "alice-role",
        "m1",
        "s3.amazonaws.com",
        "ListBuckets",
    );
    malformed_alice["eventTime"] = serde_json::json!(12);
    let records = vec![
        role_record(
            "111122223333",
            "alice-role",
            "a1",
            "s3.amazonaws.com",
            "ListBuckets",
        ),
        role_record(
            "111122223333",
            "deployer",
            "d1",
            "sts.amazonaws.com",
            "GetCallerIdentity",
        ),
        malformed_alice,
    ];
    write_log(logs.path(), "one.json", &records);
    let words: Vec<String> = ["--from", "2026-11-01", "--to", "2026-12-01"]
        .map(String::from)
        .to_vec();
    let mut failures = Vec::new();
    compare("unparsed", logs.path(), &words, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let out = tempfile::tempdir().expect("tempdir");
    let mut fleet = words.clone();
    fleet.extend([
        "--logs".into(),
        logs.path().display().to_string(),
        "--out-dir".into(),
        out.path().display().to_string(),
    ]);
    let report = run_fleet(&fleet);
    let complete: Vec<(String, bool)> = report
        .principals
        .iter()
        .map(|r| (r.name.clone(), r.complete))
        .collect();
    assert_eq!(
        complete,
        [
            ("alice-role".to_string(), false),
            ("deployer".to_string(), true)
        ]
    );
    assert_eq!(report.input.unparsed_unattributed, 0);
    assert!(!report.complete());

    // A record that names no principal written may be of one the fleet does not know: the fleet says so.
    let mut orphan = role_record(
        "111122223333",
        "ghost",
        "g1",
        "s3.amazonaws.com",
        "ListBuckets",
    );
    orphan["userIdentity"] = serde_json::json!("ghost");
    write_log(logs.path(), "two.json", &[orphan]);
    std::fs::remove_file(logs.path().join("one.json")).expect("removed");
    write_log(logs.path(), "one.json", &records[..2]);
    let report = run_fleet(&fleet);
    assert!(report.principals.iter().all(|r| r.complete));
    assert_eq!(report.input.unparsed_unattributed, 1);
    assert!(
        !report.complete(),
        "never more complete than the single runs"
    );
}

#[test]
fn sso_roles_of_every_account_make_one_policy_per_permission_set() {
    let logs = tempfile::tempdir().expect("tempdir");
    let dev_a = "AWSReservedSSO_Developer_0123456789abcdef";
    let dev_b = "AWSReservedSSO_Developer_fedcba9876543210";
    write_log(
        logs.path(),
        "one.json",
        &[
            role_record(
                "111122223333",
                dev_a,
                "1",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
            role_record(
                "444455556666",
                dev_b,
                "2",
                "ec2.amazonaws.com",
                "DescribeInstances",
            ),
            role_record(
                "444455556666",
                "AWSReservedSSO_ReadOnly_00112233aabbccdd",
                "3",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
            role_record(
                "111122223333",
                "deployer",
                "4",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
        ],
    );
    let out = tempfile::tempdir().expect("tempdir");
    let words: Vec<String> = [
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "--kind",
        "sso",
        "--logs",
    ]
    .map(String::from)
    .into_iter()
    .chain([
        logs.path().display().to_string(),
        "--out-dir".into(),
        out.path().display().to_string(),
    ])
    .collect();
    let report = run_fleet(&words);
    let sets: Vec<(&str, &str, Vec<String>)> = report
        .permission_sets
        .iter()
        .map(|s| {
            (
                s.permission_set.as_str(),
                s.file.as_str(),
                s.accounts.clone(),
            )
        })
        .collect();
    assert_eq!(
        sets,
        [
            (
                "Developer",
                "sso/Developer.json",
                vec!["111122223333".to_string(), "444455556666".to_string()]
            ),
            (
                "ReadOnly",
                "sso/ReadOnly.json",
                vec!["444455556666".to_string()]
            ),
        ]
    );
    assert_eq!(
        report.permission_sets[0].roles,
        [
            format!("111122223333/role/{dev_a}"),
            format!("444455556666/role/{dev_b}")
        ]
    );
    let policy = std::fs::read_to_string(out.path().join("sso/Developer.json")).expect("written");
    assert!(
        policy.contains("s3:ListAllMyBuckets") && policy.contains("ec2:DescribeInstances"),
        "{policy}"
    );
    assert!(
        !out.path().join("111122223333").exists(),
        "only permission sets are written"
    );
    assert_eq!(report.principals.len(), 2);
    assert_eq!(report.principals[0].records, 2);
}

#[test]
fn current_dir_reviews_each_principal_like_the_single_command() {
    let current = tempfile::tempdir().expect("tempdir");
    let role_dir = current.path().join("111122223333/role");
    std::fs::create_dir_all(&role_dir).expect("dir");
    let policy = root().join("examples/current-policy.json");
    std::fs::copy(&policy, role_dir.join("build-agent.json")).expect("copied");
    let out = tempfile::tempdir().expect("tempdir");
    let mut words: Vec<String> = super::support::WINDOW.map(String::from).to_vec();
    words.extend([
        "--logs".into(),
        root().join("examples/trail").display().to_string(),
        "--out-dir".into(),
        out.path().display().to_string(),
        "--current".into(),
        current.path().display().to_string(),
    ]);
    let report = run_fleet(&words);
    assert_eq!(report.over_privileged, ["111122223333/role/build-agent"]);
    let row = report
        .principals
        .iter()
        .find(|r| r.id() == "111122223333/role/build-agent")
        .expect("reviewed");
    let granted = row.current.as_ref().expect("granted vs used");
    assert!(
        granted.granted_actions > granted.used_actions,
        "{granted:?}"
    );
    assert!(!granted.unused_actions.is_empty());
    assert_eq!(
        granted.used_per_mille as usize,
        granted.used_actions * 1000 / granted.granted_actions
    );
    // The written proposal is the single command's with `--current` that file.
    let target = out.path().join("single.json");
    let mut single: Vec<String> = ["--role", "build-agent", "--account", "111122223333"]
        .map(String::from)
        .to_vec();
    single.extend(super::support::WINDOW.map(String::from));
    single.extend([
        "--logs".into(),
        root().join("examples/trail").display().to_string(),
        "--current".into(),
        role_dir.join("build-agent.json").display().to_string(),
        "-o".into(),
        target.display().to_string(),
    ]);
    let settings = settings(&single);
    let run = super::support::generate(&settings);
    policygen::output::write(&run, &settings.output).expect("written");
    assert_eq!(
        std::fs::read(&target).expect("single"),
        std::fs::read(out.path().join(&row.file)).expect("fleet")
    );
    let md = report.markdown();
    assert!(md.contains("## Granted vs used, least used first"), "{md}");
    assert!(
        md.contains(&format!(
            "| `111122223333/role/build-agent` | {} | {} | {} |",
            granted.granted_actions,
            granted.used_actions,
            granted.share()
        )),
        "{md}"
    );
    // Principals without a file are not reviewed.
    assert!(report
        .principals
        .iter()
        .filter(|r| r.id() != row.id())
        .all(|r| r.current.is_none()));
}

/// `--current iam` through the binary against the moto emulator (its default account, as the binary sees
/// it): the role of the credentials' account is reviewed, its file is the single command's; a role of
/// another account cannot be read there: not reviewed, named, exit 1.
#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn current_iam_reviews_the_roles_of_the_account() {
    let endpoint = super::support::emulator();
    let account = "123456789012";
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let client = aws_sdk_iam::Client::new(&config);
    let role = "fleet-deployer";
    client
        .create_role()
        .role_name(role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .expect("create role");
    let granted = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["ec2:DescribeInstances", "s3:ListAllMyBuckets", "s3:CreateBucket", "ssm:DeleteParameter"],
        "Resource": "*"}]});
    client
        .put_role_policy()
        .role_name(role)
        .policy_name("wide")
        .policy_document(granted.to_string())
        .send()
        .await
        .expect("put role policy");
    let logs = tempfile::tempdir().expect("tempdir");
    write_log(
        logs.path(),
        "one.json",
        &[
            role_record(account, role, "1", "ec2.amazonaws.com", "DescribeInstances"),
            role_record(account, role, "2", "s3.amazonaws.com", "ListBuckets"),
            role_record(
                "444455556666",
                "elsewhere",
                "3",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
        ],
    );
    let logs = logs.path().display().to_string();
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().display().to_string();
    let window = ["--from", "2026-11-01", "--to", "2026-12-01"];
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_policygen"))
            .args(args)
            .env("AWS_ENDPOINT_URL", &endpoint)
            .output()
            .expect("policygen runs")
    };
    let mut args = vec![
        "fleet",
        "--logs",
        &logs,
        "--out-dir",
        &dir,
        "--current",
        "iam",
    ];
    args.extend(window);
    let fleet = run(&args);
    let stderr = text(&fleet.stderr);
    assert_eq!(fleet.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not reviewed: 444455556666/role/elsewhere"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("fleet.json")).expect("json"),
    )
    .expect("JSON");
    assert_eq!(
        json["over_privileged"],
        serde_json::json!([format!("{account}/role/{role}")])
    );
    let row = &json["principals"][0];
    assert_eq!(row["name"], role);
    assert_eq!(row["current"]["granted_actions"], 4);
    assert_eq!(row["current"]["used_actions"], 2);
    assert_eq!(row["current"]["used_per_mille"], 500);
    assert_eq!(
        row["current"]["unused_actions"],
        serde_json::json!(["s3:CreateBucket", "ssm:DeleteParameter"])
    );
    assert_eq!(
        row["current"]["unused_services"],
        serde_json::json!(["ssm"])
    );
    let single = out.path().join("single.json");
    let single_path = single.display().to_string();
    let mut args = vec![
        "--role",
        role,
        "--account",
        account,
        "--logs",
        &logs,
        "--current",
        "iam",
        "-o",
        &single_path,
    ];
    args.extend(window);
    let one = run(&args);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert_eq!(
        std::fs::read(&single).expect("single"),
        std::fs::read(out.path().join(format!("{account}/role/{role}.json"))).expect("fleet")
    );
}

#[test]
fn a_record_of_another_principal_with_the_same_event_key_is_no_duplicate() {
    let logs = tempfile::tempdir().expect("tempdir");
    // Hand-made logs reuse event IDs: the same ID, call and time by two principals are two events.
    write_log(
        logs.path(),
        "one.json",
        &[
            role_record(
                "111122223333",
                "first",
                "same",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
            role_record(
                "111122223333",
                "second",
                "same",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
        ],
    );
    let words: Vec<String> = ["--from", "2026-11-01", "--to", "2026-12-01"]
        .map(String::from)
        .to_vec();
    let mut failures = Vec::new();
    assert_eq!(
        compare("shared-event-id", logs.path(), &words, &mut failures),
        2
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn account_kind_and_name_choose_the_principals() {
    let trail = root().join("examples/trail").display().to_string();
    let ids = |extra: &[&str]| {
        let out = tempfile::tempdir().expect("tempdir");
        let mut words: Vec<String> = super::support::WINDOW.map(String::from).to_vec();
        words.extend([
            "--logs".into(),
            trail.clone(),
            "--out-dir".into(),
            out.path().display().to_string(),
        ]);
        words.extend(extra.iter().map(|w| w.to_string()));
        let report = run_fleet(&words);
        let written = super::support::files_under(out.path())
            .into_iter()
            .map(|(path, _)| path)
            .filter(|p| !p.starts_with("fleet."))
            .collect::<Vec<_>>();
        let ids: Vec<String> = report.principals.iter().map(|r| r.id()).collect();
        assert_eq!(
            written,
            report
                .principals
                .iter()
                .map(|r| r.file.clone())
                .collect::<Vec<_>>(),
            "exactly the rows' files are written"
        );
        ids
    };
    assert_eq!(ids(&["--kind", "user"]), ["111122223333/user/alice"]);
    assert_eq!(
        ids(&["--kind", "role", "--account", "444455556666"]),
        ["444455556666/role/build-agent"]
    );
    assert_eq!(
        ids(&["--name", "build-*"]),
        [
            "111122223333/role/build-agent",
            "444455556666/role/build-agent"
        ]
    );
    // A window no record is in writes nothing, and says whom it saw outside it.
    let out = tempfile::tempdir().expect("tempdir");
    let words: Vec<String> = [
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-02",
        "--logs",
        &trail,
        "--out-dir",
    ]
    .map(String::from)
    .into_iter()
    .chain([out.path().display().to_string()])
    .collect();
    let report = run_fleet(&words);
    assert!(report.principals.is_empty());
    assert!(
        !report.complete(),
        "a fleet of nobody is no answer to trust"
    );
    assert!(report
        .markdown()
        .contains("**No role or user made a call in the window**"));
}

#[test]
fn a_name_no_principal_can_have_is_never_a_path() {
    let logs = tempfile::tempdir().expect("tempdir");
    let mut forged = role_record("111122223333", "x", "f1", "s3.amazonaws.com", "ListBuckets");
    forged["userIdentity"] = serde_json::json!({
        "type": "IAMUser",
        "arn": "arn:aws:iam::111122223333:user/x",
        "accountId": "111122223333",
        "userName": "../../../../escaped"
    });
    write_log(
        logs.path(),
        "one.json",
        &[
            forged,
            role_record(
                "111122223333",
                "deployer",
                "d1",
                "s3.amazonaws.com",
                "ListBuckets",
            ),
        ],
    );
    let out = tempfile::tempdir().expect("tempdir");
    let nested = out.path().join("a/b");
    let words: Vec<String> = ["--from", "2026-11-01", "--to", "2026-12-01", "--logs"]
        .map(String::from)
        .into_iter()
        .chain([
            logs.path().display().to_string(),
            "--out-dir".into(),
            nested.display().to_string(),
        ])
        .collect();
    let report = run_fleet(&words);
    assert_eq!(
        report.input.invalid_names,
        ["111122223333/user/../../../../escaped"]
    );
    assert!(!report.complete());
    assert_eq!(report.principals.len(), 1);
    assert!(
        !out.path().join("escaped.json").exists() && !out.path().join("a/escaped.json").exists()
    );
}
