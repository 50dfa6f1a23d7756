//! The usage index answers as the logs do: every scenario, random windows (sub-day ones too) over a
//! generated trail, incremental and repeated updates, an update killed mid-way, concurrent updates, a
//! newer schema.

use super::support::{generate, policygen, scenario_dirs, settings, text};
use policygen::index::{Given, IndexError, UpdateReport};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A run as compared: its exit code, stderr, policy and `--summary-json`.
pub(super) type Whole = (Option<i32>, String, Option<Vec<u8>>, Option<Vec<u8>>);
/// A fleet as compared: its exit code, stderr and files.
pub(super) type Fleet = (Option<i32>, String, Vec<(String, Vec<u8>)>);

/// A run of the binary with `args`, as compared.
pub(super) fn run_whole(args: &[String]) -> Whole {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let policy = out_dir.path().join("p.json");
    let summary = out_dir.path().join("s.json");
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    let (policy_arg, summary_arg) = (policy.display().to_string(), summary.display().to_string());
    all.extend(["-o", &policy_arg, "--summary-json", &summary_arg]);
    let out = policygen(&all);
    (
        out.status.code(),
        text(&out.stderr),
        std::fs::read(policy).ok(),
        std::fs::read(summary).ok(),
    )
}

/// A fleet written to `dir`, as compared: its exit code, stderr and files, but for each principal's command
/// in fleet.json and fleet.md (they name the source).
pub(super) fn fleet_files(dir: &Path, window: &[&str], source: &[&str]) -> Fleet {
    let dir_arg = dir.display().to_string();
    let mut args = vec!["fleet", "--out-dir", &dir_arg];
    args.extend(window);
    args.extend(source);
    let run = policygen(&args);
    let mut files = super::support::files_under(dir);
    for (name, bytes) in &mut files {
        if name == "fleet.json" {
            let mut json: serde_json::Value = serde_json::from_slice(bytes).expect("json");
            for row in json["principals"].as_array_mut().into_iter().flatten() {
                row["command"] = serde_json::Value::Null;
            }
            *bytes = json.to_string().into_bytes();
        }
        if name == "fleet.md" {
            *bytes = Vec::new();
        }
    }
    (run.status.code(), text(&run.stderr), files)
}

/// `policygen index --logs LOGS`, as the library runs it.
pub(super) fn update(
    index: &Path,
    logs: &[String],
    batch: usize,
) -> Result<UpdateReport, IndexError> {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(policygen::index::update(
            index,
            &Given::Logs(logs.to_vec()),
            batch,
            false,
        ))
}

/// What a run answers, as compared: the policy, every diagnostic, the counters, the principals, whether
/// it is complete.
pub(super) fn answer(words: &[String]) -> String {
    let outcome = generate(&settings(words));
    let diagnostics: Vec<String> = outcome
        .diagnostics
        .iter()
        .map(|d| format!("{d:?}"))
        .collect();
    format!(
        "{}\n{}\n{:?}\n{:?}\n{:?}\n{}",
        outcome.policy.to_json(),
        diagnostics.join("\n"),
        outcome.stats,
        outcome.principals,
        outcome.incomplete(),
        outcome
            .usage
            .used
            .iter()
            .map(|e| format!("{e:?}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Asserts two answers are equal, naming the first line that differs (answers are long).
#[track_caller]
pub(super) fn assert_same(a: &str, b: &str, context: &str) {
    if a != b {
        let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
        let at = la
            .iter()
            .zip(&lb)
            .position(|(x, y)| x != y)
            .unwrap_or(la.len().min(lb.len()));
        panic!(
            "{context}: answers differ at line {at}:\n  logs:  {}\n  index: {}",
            la.get(at).unwrap_or(&"<end>"),
            lb.get(at).unwrap_or(&"<end>")
        );
    }
}

pub(super) fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// One record: `who` (role in an account, or a user), a call from a small set, at `time`.
pub(super) fn record(i: usize, who: usize, time: &str) -> String {
    let principals = [
        ("AssumedRole", "111122223333", "build-agent"),
        ("AssumedRole", "444455556666", "build-agent"),
        ("AssumedRole", "111122223333", "deployer"),
        ("IAMUser", "111122223333", "alice"),
    ];
    let (kind, account, name) = principals[who % principals.len()];
    let identity = if kind == "IAMUser" {
        format!(
            r#"{{"type":"IAMUser","accountId":"{account}","arn":"arn:aws:iam::{account}:user/{name}","userName":"{name}"}}"#
        )
    } else {
        format!(
            r#"{{"type":"AssumedRole","accountId":"{account}","arn":"arn:aws:sts::{account}:assumed-role/{name}/gh-run-{}","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::{account}:role/{name}","userName":"{name}"}}}}}}"#,
            i % 5
        )
    };
    let calls = [
        ("s3.amazonaws.com", "GetObject", format!(r#"{{"bucketName":"b","key":"builds/{}/app.zip"}}"#, i % 9), String::new()),
        ("s3.amazonaws.com", "ListObjects", r#"{"bucketName":"b"}"#.to_string(), String::new()),
        ("sqs.amazonaws.com", "SendMessage", format!(r#"{{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/{account}/q-{}"}}"#, i % 3), String::new()),
        ("iam.amazonaws.com", "CreateRole", r#"{"roleName":"r"}"#.to_string(), r#","errorCode":"AccessDenied","errorMessage":"not authorized to perform: iam:CreateRole""#.to_string()),
        ("secretsmanager.amazonaws.com", "GetSecretValue", r#"{"secretId":"app/db"}"#.to_string(), String::new()),
        ("ecr.amazonaws.com", "GetAuthorizationToken", "{}".to_string(), String::new()),
        ("made-up.amazonaws.com", "DoThing", "{}".to_string(), String::new()),
        ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", format!(r#"{{"functionName":"fn-{}"}}"#, i % 4), r#","errorCode":"ThrottlingException""#.to_string()),
    ];
    let (source, event, request, error) = &calls[(i * 7 + who) % calls.len()];
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"{source}","eventName":"{event}","awsRegion":"eu-west-1","recipientAccountId":"{account}","eventID":"ev-{i}","eventType":"AwsApiCall","requestParameters":{request}{error},"userIdentity":{identity}}}"#
    )
}

/// A trail over 2026-11-01 .. 2026-11-06: objects every few hours per account, records every 37 minutes
/// (some across midnight in the next object), a duplicate delivery, a late delivery, a record without a
/// time, a damaged object and a record of the wrong shape. `(relative path, body)`, by delivery time.
fn trail() -> Vec<(String, String)> {
    let start = policygen::window::parse_time("2026-11-01T00:00:00Z").expect("valid");
    let mut objects: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for i in 0..260 {
        let time = start + chrono::Duration::minutes(37 * i as i64);
        let who = (i * 5 + i / 7) % 4;
        let account = if who == 1 {
            "444455556666"
        } else {
            "111122223333"
        };
        // Delivered at the next 4-hour mark, so records near midnight land in the next day's object.
        let delivered = start + chrono::Duration::hours(4 * ((37 * i as i64) / 240 + 1));
        let key = delivered.format("%Y%m%dT%H%MZ").to_string();
        let stamp = time.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        objects
            .entry((account.to_string(), key))
            .or_default()
            .push(record(i, who, &stamp));
    }
    let mut out = Vec::new();
    for ((account, key), records) in &objects {
        let day = &key[..8];
        let path = format!(
            "AWSLogs/{account}/CloudTrail/eu-west-1/{}/{}/{}/{account}_CloudTrail_eu-west-1_{key}_x{}.json",
            &day[..4],
            &day[4..6],
            &day[6..],
            out.len()
        );
        out.push((path, log_object(records)));
    }
    // The same events delivered again in an object of their own, and events delivered days late.
    let again = format!(
        r#"{{"Records":[{},{}]}}"#,
        record(3, 0, "2026-11-01T01:51:00Z"),
        record(40, 0, "2026-11-02T00:40:00Z")
    );
    out.push(("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/02/111122223333_CloudTrail_eu-west-1_20261102T0900Z_again.json".to_string(), again));
    let late = format!(
        r#"{{"Records":[{},{}]}}"#,
        record(900, 0, "2026-11-02T10:00:00Z"),
        record(901, 0, "2026-11-03T23:59:59Z")
    );
    out.push(("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/05/111122223333_CloudTrail_eu-west-1_20261105T1200Z_late.json".to_string(), late));
    let odd = format!(
        r#"{{"Records":[{},{},{{"eventTime":"2026-11-04T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":"build-agent"}}]}}"#,
        record(902, 0, "yesterday"),
        record(903, 0, "2026-11-04T10:00:00.250+02:00"),
    );
    out.push(("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/04/111122223333_CloudTrail_eu-west-1_20261104T1200Z_odd.json".to_string(), odd));
    out.push(("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/03/111122223333_CloudTrail_eu-west-1_20261103T1200Z_cut.json".to_string(), r#"{"Records":[{"eventVersion":"1.08","#.to_string()));
    out
}

pub(super) fn write_trail(dir: &Path, objects: &[(String, String)]) {
    for (rel, body) in objects {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, body).expect("write");
    }
}

/// The generated trail and its index, built once.
fn built() -> &'static (tempfile::TempDir, String, String) {
    static BUILT: OnceLock<(tempfile::TempDir, String, String)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("trail");
        write_trail(&logs, &trail());
        let index = dir.path().join("index");
        let logs = logs.display().to_string();
        update(&index, std::slice::from_ref(&logs), 7).expect("index builds");
        let index = index.display().to_string();
        (dir, logs, index)
    })
}

const WHO: [&str; 5] = [
    "--role build-agent",
    "--role build-agent --account 111122223333",
    "--role build-agent --account 444455556666",
    "--role deployer",
    "--user alice",
];

pub(super) fn same(who: &str, window: &str, logs: &str, index: &str) {
    let from_logs = answer(&words(&format!("{who} {window} --logs {logs}")));
    let asked = settings(&words(&format!("{who} {window} --index {index}")));
    let from_index = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(policygen::generate(&asked, &Default::default()));
    match from_index {
        // A run suggests names from others' records, which the index does not keep: it refuses instead.
        Err(policygen::Error::Index(IndexError::NoRecords { .. })) => assert!(
            from_logs.contains("code: NoMatchingRecords"),
            "{who} {window}: refused, yet the logs have records"
        ),
        Err(e) => panic!("{who} {window}: {e}"),
        Ok(_) => assert_same(
            &from_logs,
            &answer(&words(&format!("{who} {window} --index {index}"))),
            &format!("{who} {window}"),
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any window, to the minute, over days cut or whole, inside the trail or past its ends.
    #[test]
    fn index_answers_equal_log_answers(who in 0..WHO.len(), from in 0i64..(8 * 1440), length in 1i64..(8 * 1440), whole in any::<bool>()) {
        let (_, logs, index) = built();
        let start = policygen::window::parse_time("2026-10-31T00:00:00Z").expect("valid");
        let (from, length) = if whole { (from / 1440 * 1440, (length / 1440).max(1) * 1440) } else { (from, length) };
        let at = |m: i64| (start + chrono::Duration::minutes(m)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let window = format!("--from {} --to {}", at(from), at(from + length));
        same(WHO[who], &window, logs, index);
    }
}

#[test]
fn whole_days_need_no_logs_and_cut_days_name_the_missing_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    // Without the object whose records have the wrong shape: what a run reports of it depends on the
    // principal's name, so the index reads it again (see the property test).
    let objects: Vec<_> = trail()
        .into_iter()
        .filter(|(rel, _)| !rel.contains("_odd"))
        .collect();
    write_trail(&logs, &objects);
    let index = dir.path().join("index");
    let logs_arg = logs.display().to_string();
    update(&index, std::slice::from_ref(&logs_arg), 128).expect("index builds");
    let index_arg = index.display().to_string();
    let whole = "--role deployer --from 2026-11-01 --to 2026-11-05";
    let expected = answer(&words(&format!("{whole} --logs {logs_arg}")));
    std::fs::rename(&logs, dir.path().join("moved")).expect("move");
    assert_same(
        &expected,
        &answer(&words(&format!("{whole} --index {index_arg}"))),
        whole,
    );
    let cut = settings(&words(&format!(
        "--role deployer --from 2026-11-01T12:00:00Z --to 2026-11-05 --index {index_arg}"
    )));
    let error = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(policygen::generate(&cut, &Default::default()))
        .expect_err("the cut day's objects are gone");
    let message = error.to_string();
    assert!(
        message.contains("the window cuts a day") && message.contains("trail/AWSLogs/"),
        "{message}"
    );
    assert!(message.contains("whole-day windows"), "{message}");
}

#[test]
fn a_cut_day_the_principal_did_not_use_needs_no_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    // `deployer` works on the 1st, 2nd and 5th (so November's span is not its answer); only `build-agent`
    // on the 3rd. Each record is delivered minutes later, inside the window.
    let object = |day: u32, i: usize, who: usize| {
        let time = format!("2026-11-{day:02}T10:00:00Z");
        let key = object_key(day, "1015", "x");
        (key, log_object(&[record(i, who, &time)]))
    };
    let objects = vec![
        object(1, 1, 2),
        object(2, 2, 2),
        object(3, 3, 0),
        object(5, 5, 2),
    ];
    write_trail(&logs, &objects);
    let index = dir.path().join("index");
    let logs_arg = logs.display().to_string();
    update(&index, std::slice::from_ref(&logs_arg), 128).expect("index builds");
    let window = "--role deployer --from 2026-11-01 --to 2026-11-03T12:00:00Z";
    let expected = answer(&words(&format!("{window} --logs {logs_arg}")));
    std::fs::rename(&logs, dir.path().join("moved")).expect("move");
    // The window cuts the 3rd, which the index says `deployer` has no record of: no object is read again.
    assert_same(
        &expected,
        &answer(&words(&format!("{window} --index {}", index.display()))),
        window,
    );
}

#[test]
fn updates_add_only_new_objects_and_repeat_as_no_op() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    let objects = trail();
    let (first, rest) = objects.split_at(objects.len() / 2);
    write_trail(&logs, first);
    let index = dir.path().join("index");
    let logs_arg = logs.display().to_string();
    let one = update(&index, std::slice::from_ref(&logs_arg), 5).expect("first update");
    assert_eq!(one.objects_read, first.len());
    write_trail(&logs, rest);
    let two = update(&index, std::slice::from_ref(&logs_arg), 5).expect("second update");
    assert_eq!(
        (two.objects_read, two.objects_known),
        (rest.len(), first.len())
    );
    let three = update(&index, std::slice::from_ref(&logs_arg), 5).expect("third update");
    assert_eq!((three.objects_read, three.segments_written), (0, 0));
    let other = update(&index, &["elsewhere".to_string()], 5).expect_err("another source");
    assert!(matches!(other, IndexError::OtherSource { .. }), "{other}");
    let index_arg = index.display().to_string();
    for who in WHO {
        for window in [
            "--from 2026-11-01 --to 2026-11-08",
            "--from 2026-11-02T03:00:00Z --to 2026-11-04T21:30:00Z",
        ] {
            same(who, window, &logs_arg, &index_arg);
        }
    }
}

#[test]
fn every_scenario_is_answered_as_its_logs_answer_it_or_refused() {
    let mut refused = Vec::new();
    for dir in scenario_dirs() {
        let args = std::fs::read_to_string(dir.join("args")).expect("args");
        let logs = dir.join("logs").display().to_string();
        let tmp = tempfile::tempdir().expect("tempdir");
        let index = tmp.path().join("index").display().to_string();
        let built = policygen(&["index", "--logs", &logs, "--index", &index]);
        assert!(built.status.code() != Some(2), "{}", text(&built.stderr));
        let run = |source: &[&str]| {
            let mut all: Vec<String> = super::support::shell_words(&args);
            all.extend(source.iter().map(|s| s.to_string()));
            run_whole(&all)
        };
        let from_logs = run(&["--logs", &logs]);
        let from_index = run(&["--index", &index]);
        if from_index.0 == Some(2) {
            assert!(
                from_index.1.contains("cannot answer this exactly")
                    || from_index.1.contains("holds no record of"),
                "{}: {}",
                dir.display(),
                from_index.1
            );
            refused.push(dir.file_name().expect("name").to_string_lossy().to_string());
        } else {
            assert_eq!(from_logs, from_index, "{}", dir.display());
        }
    }
    refused.sort();
    // ARNs, sessions, --include-denied, and a name no record has (a run suggests names from others' records).
    assert_eq!(
        refused,
        [
            "iam-user-by-arn",
            "include-denied",
            "role-by-arn-with-path",
            "role-by-arn-wrong-path",
            "session-arn-one-account",
            "session-glob",
            "sso-role-session",
            "unknown-principal-case",
        ]
    );
}

fn segments(index: &Path) -> usize {
    std::fs::read_dir(index.join("segments"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "seg"))
            })
            .count()
        })
        .unwrap_or(0)
}

/// Many small objects, so that an update commits often and can be killed between commits.
fn many_objects(dir: &Path) -> PathBuf {
    let logs = dir.join("many");
    let base = trail();
    let mut objects = Vec::new();
    for copy in 0..4 {
        for (rel, body) in &base {
            // Other events (their own IDs): a copy of a whole object would be duplicates only.
            let body = body.replace("\"ev-", &format!("\"ev{copy}-"));
            objects.push((rel.replace(".json", &format!("-{copy}.json")), body));
        }
    }
    write_trail(&logs, &objects);
    logs
}

#[test]
fn an_update_killed_mid_way_is_completed_by_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = many_objects(dir.path());
    let logs_arg = logs.display().to_string();
    let killed = dir.path().join("killed");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args([
            "index",
            "--logs",
            &logs_arg,
            "--index",
            &killed.display().to_string(),
            "--batch",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawns");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while segments(&killed) < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let committed = segments(&killed);
    let total = std::fs::read_dir(&logs)
        .map(|_| walk_count(&logs))
        .unwrap_or(0);
    assert!(
        committed >= 3 && committed < total,
        "{committed} of {total} objects committed before the kill"
    );
    let resumed =
        update(&killed, std::slice::from_ref(&logs_arg), 50).expect("the next update completes");
    assert_eq!(resumed.objects_known + resumed.objects_read, total);
    assert!(resumed.objects_known >= committed - 1);
    let clean = dir.path().join("clean");
    update(&clean, std::slice::from_ref(&logs_arg), 50).expect("clean index");
    for who in WHO {
        for window in [
            "--from 2026-11-01 --to 2026-11-08",
            "--from 2026-11-01T05:00:00Z --to 2026-11-03T07:00:00Z",
        ] {
            let a = answer(&words(&format!(
                "{who} {window} --index {}",
                killed.display()
            )));
            let b = answer(&words(&format!(
                "{who} {window} --index {}",
                clean.display()
            )));
            assert_same(
                &answer(&words(&format!("{who} {window} --logs {logs_arg}"))),
                &a,
                "killed",
            );
            assert_same(&b, &a, &format!("{who} {window}"));
        }
    }
}

fn walk_count(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        n += if path.is_dir() { walk_count(&path) } else { 1 };
    }
    n
}

#[test]
fn a_second_update_at_the_same_time_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    write_trail(&logs, &trail());
    let index = dir.path().join("index");
    let held = policygen::index::store::Store::lock(&index).expect("lock");
    let out = policygen(&[
        "index",
        "--logs",
        &logs.display().to_string(),
        "--index",
        &index.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is being updated by `policygen index` (process ")
            && stderr.contains(&std::process::id().to_string()),
        "{stderr}"
    );
    drop(held);
    // Two real updates at once: each finishes or is refused, and the index is the one a single update builds.
    let logs = many_objects(dir.path());
    let logs_arg = logs.display().to_string();
    let both = dir.path().join("both");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_policygen"))
            .args([
                "index",
                "--logs",
                &logs_arg,
                "--index",
                &both.display().to_string(),
                "--batch",
                "3",
            ])
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (
            a.join().expect("joins").expect("runs"),
            b.join().expect("joins").expect("runs"),
        )
    });
    for out in [&a, &b] {
        let code = out.status.code();
        assert!(
            code == Some(0)
                || (code == Some(2) && text(&out.stderr).contains("is being updated by")),
            "{}",
            text(&out.stderr)
        );
    }
    update(&both, std::slice::from_ref(&logs_arg), 50).expect("completes");
    for who in WHO {
        let window = "--from 2026-11-01T05:00:00Z --to 2026-11-06";
        assert_same(
            &answer(&words(&format!("{who} {window} --logs {logs_arg}"))),
            &answer(&words(&format!(
                "{who} {window} --index {}",
                both.display()
            ))),
            who,
        );
    }
}

#[test]
fn a_newer_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("index.json"),
        r#"{"schema": 99, "source": ["x"], "more": 1}"#,
    )
    .expect("write");
    let index = dir.path().display().to_string();
    let out = policygen(&["--role", "r", "--since", "1d", "--index", &index]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has schema 99, newer than this policygen reads (4)"),
        "{}",
        text(&out.stderr)
    );
    let out = policygen(&["index", "--logs", "examples/trail", "--index", &index]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has schema 99"),
        "{}",
        text(&out.stderr)
    );
    assert!(matches!(
        policygen::index::store::Store::open(dir.path()),
        Err(IndexError::NewerSchema { found: 99, .. })
    ));
}

/// A crowd that forms only across days (more than a thousand objects of one bucket in three days, fewer in
/// each), and one that a day forms on its own (its entries reduced in its state, merged apart from the other
/// days'): merging the days' states gives the crowd a run over the logs gives.
#[test]
fn a_crowd_formed_across_days_or_in_one_is_the_runs_crowd() {
    for per_day in [[450, 450, 450], [1100, 300, 300]] {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("trail");
        let mut objects = Vec::new();
        for (day, count) in (1..=3).zip(per_day) {
            let records: Vec<String> = (0..count)
                .map(|i| {
                    let n = day * 10_000 + i;
                    let time = format!("2026-11-{day:02}T{:02}:{:02}:00Z", i / 60 % 24, i % 60);
                    // Every eighth record is a GetObject.
                    record(8 * n, 0, &time).replace(
                        &format!("builds/{}/app.zip", (8 * n) % 9),
                        &format!("builds/{n}/app.zip"),
                    )
                })
                .collect();
            objects.push((object_key(day as u32, "2359", "c"), log_object(&records)));
        }
        write_trail(&logs, &objects);
        let index = dir.path().join("index");
        let logs_arg = logs.display().to_string();
        update(&index, std::slice::from_ref(&logs_arg), 1).expect("index builds");
        let index_arg = index.display().to_string();
        let whole = answer(&words(&format!("--role build-agent --account 111122223333 --from 2026-11-01 --to 2026-11-04 --index {index_arg}")));
        assert!(whole.contains("ResourceGeneralised"), "the crowd formed");
        for window in [
            "--from 2026-11-01 --to 2026-11-04",
            "--from 2026-11-02 --to 2026-11-04",
            "--from 2026-11-01T03:00:00Z --to 2026-11-03T05:30:00Z",
        ] {
            same(
                "--role build-agent --account 111122223333",
                window,
                &logs_arg,
                &index_arg,
            );
        }
    }
}

/// A review against the current policy (the days without logs included) reads the same from the index.
#[test]
fn a_review_is_the_same_from_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index").display().to_string();
    let built = policygen(&["index", "--logs", "examples/trail", "--index", &index]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    // The progress bar is drawn on a terminal only: captured, stderr stays empty.
    assert_eq!(text(&built.stderr), "");
    for window in [
        ["--from", "2026-11-01", "--to", "2026-12-01"],
        [
            "--from",
            "2026-11-03T10:00:00Z",
            "--to",
            "2026-11-20T07:00:00Z",
        ],
    ] {
        let run = |source: [&str; 2]| {
            let out = dir.path().join("review.md").display().to_string();
            let mut args = vec!["--role", "build-agent", "--account", "111122223333"];
            args.extend(window);
            args.extend(source);
            args.extend([
                "--current",
                "examples/current-policy.json",
                "--format",
                "markdown",
                "-o",
                &out,
            ]);
            let run = policygen(&args);
            (
                run.status.code(),
                text(&run.stderr),
                std::fs::read_to_string(&out).expect("written"),
            )
        };
        assert_eq!(
            run(["--logs", "examples/trail"]),
            run(["--index", &index]),
            "{window:?}"
        );
    }
}

/// `fleet --index` writes what `fleet --logs` writes: every policy byte for byte, and fleet.json but for
/// each principal's command (which names `--index`).
#[test]
fn a_fleet_from_the_index_is_the_fleet_from_the_logs() {
    let (_, logs, index) = built();
    for window in [
        ["--from", "2026-11-01", "--to", "2026-11-08"],
        [
            "--from",
            "2026-11-01T05:00:00Z",
            "--to",
            "2026-11-04T19:30:00Z",
        ],
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        let run =
            |source: [&str; 2], name: &str| fleet_files(&out.path().join(name), &window, &source);
        let from_logs = run(["--logs", logs], "logs");
        let from_index = run(["--index", index], "index");
        assert!(from_logs.2.len() > 3, "{:?}", from_logs.1);
        assert_eq!(from_logs, from_index, "{window:?}");
    }
}

/// A duplicate delivery whose earlier copy (by object name) arrives in a later update than the copy the index
/// took: a query names the earlier copy in the event's findings, as a run over the logs does.
#[test]
fn an_earlier_copy_delivered_in_a_later_update_is_named_as_the_logs_name_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    // An event of an unknown service (its finding names where it was read) and a throttled call.
    let body = format!(
        r#"{{"Records":[{},{}]}}"#,
        record(2, 0, "2026-11-02T10:00:00Z"),
        record(1, 0, "2026-11-02T10:05:00Z")
    );
    let index = dir.path().join("index");
    let logs_arg = logs.display().to_string();
    write_trail(&logs, &[(object_key(2, "1200", "later"), body.clone())]);
    update(&index, std::slice::from_ref(&logs_arg), 5).expect("first update");
    write_trail(&logs, &[(object_key(2, "1100", "earlier"), body)]);
    let second = update(&index, std::slice::from_ref(&logs_arg), 5).expect("second update");
    assert_eq!(second.objects_read, 1);
    named_as_the_logs_name_it("UnmappedEvent", "_earlier.json", &logs_arg, &index);
}

/// A CloudTrail log object holding `records`.
pub(super) fn log_object(records: &[String]) -> String {
    format!(r#"{{"Records":[{}]}}"#, records.join(","))
}

/// The key of an object of account 111122223333 in eu-west-1 delivered on 2026-11-`day` at `at` (`HHMM`).
fn object_key(day: u32, at: &str, tag: &str) -> String {
    format!("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/{day:02}/111122223333_CloudTrail_eu-west-1_202611{day:02}T{at}Z_{tag}.json")
}

/// Over the first week of November, the logs' `code` finding for build-agent names the object tagged `tag`,
/// and the index answers as the logs do.
fn named_as_the_logs_name_it(code: &str, tag: &str, logs: &str, index: &Path) {
    let window = "--from 2026-11-01 --to 2026-11-08";
    let from_logs = answer(&words(&format!(
        "--role build-agent {window} --logs {logs}"
    )));
    let finding = from_logs
        .lines()
        .find(|l| l.contains(code))
        .unwrap_or_else(|| panic!("no {code} in\n{from_logs}"));
    assert!(finding.contains(tag), "{finding}");
    same(
        "--role build-agent",
        window,
        logs,
        &index.display().to_string(),
    );
}

/// An update forgets the events of days every later batch is past (so what it holds stays a few days'
/// worth on a long trail); a late delivery of such a day, in the same update, has the day's objects read
/// again, and a copy there is the duplicate the logs report.
#[test]
fn a_late_copy_of_a_forgotten_day_is_found_as_the_logs_find_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    let mut objects: Vec<(String, String)> = (2..=6)
        .map(|day| {
            let records: Vec<String> = (0..3)
                .map(|n| {
                    record(
                        day as usize * 10 + n,
                        0,
                        &format!("2026-11-{day:02}T1{n}:00:00Z"),
                    )
                })
                .collect();
            (object_key(day, "2300", "daily"), log_object(&records))
        })
        .collect();
    // Delivered last: a copy of a record of the 2nd, and a record of its own from that day.
    let late = [
        record(20, 0, "2026-11-02T10:00:00Z"),
        record(99, 0, "2026-11-02T11:30:00Z"),
    ];
    objects.push((object_key(6, "2359", "late"), log_object(&late)));
    write_trail(&logs, &objects);
    let index = dir.path().join("index");
    let logs_arg = logs.display().to_string();
    let report = update(&index, std::slice::from_ref(&logs_arg), 1).expect("an update");
    assert_eq!(report.objects_read, 6);
    assert_eq!(report.objects_reread, 1, "the 2nd's object, read again");
    named_as_the_logs_name_it("DuplicateEvent", "_late.json", &logs_arg, &index);
}

/// A path under the logs that an update cannot list (here a broken link) is not an object the index holds,
/// yet a run over the logs reports it: the update exits 1 naming it, and every query from the index reports
/// it as that run does, until an update lists the path (meanwhile `index.json` declares schema 4, which
/// older builds refuse instead of dropping the findings). A path that does not exist at all is a usage
/// error, as it is for a run.
#[test]
fn what_an_update_could_not_list_is_reported_by_every_query_until_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("trail");
    write_trail(&logs, &trail());
    let broken = logs.join("AWSLogs/broken.json");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &broken).expect("a link");
    let (index, logs_arg) = (dir.path().join("index"), logs.display().to_string());
    let index_arg = index.display().to_string();
    let summary = dir.path().join("update.json");
    let summary_arg = summary.display().to_string();
    let update_cli = || {
        policygen(&[
            "index",
            "--logs",
            &logs_arg,
            "--index",
            &index_arg,
            "--summary-json",
            &summary_arg,
        ])
    };
    let out = update_cli();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("`{}` could not be listed", broken.display())),
        "{}",
        text(&out.stderr)
    );
    // The report for machines says the same, and the numbers the line prints.
    let read = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary")).expect("json")
    };
    let objects = trail().len();
    let first = read();
    assert_eq!(first["complete"], false);
    assert_eq!(first["objects_read"], objects);
    assert_eq!(first["unlisted"][0]["path"], broken.display().to_string());
    assert!(text(&out.stdout).contains(&format!(": {objects} objects read, 0 already there")));
    // A reader that does not know these findings must refuse the index rather than drop them: schema 4.
    let schema = || {
        let meta = std::fs::read_to_string(index.join("index.json")).expect("index.json");
        serde_json::from_str::<serde_json::Value>(&meta).expect("json")["schema"].clone()
    };
    assert_eq!(schema(), 4);
    let window = "--from 2026-11-01 --to 2026-11-08";
    let from_logs = answer(&words(&format!(
        "--role build-agent {window} --logs {logs_arg}"
    )));
    assert!(from_logs.contains("UnreadableFile"), "{from_logs}");
    same("--role build-agent", window, &logs_arg, &index_arg);

    // Quiet, as cron runs it: the errors and the exit code only.
    let quiet = policygen(&["index", "-q", "--logs", &logs_arg, "--index", &index_arg]);
    assert_eq!(quiet.status.code(), Some(1), "{}", text(&quiet.stderr));
    assert_eq!(text(&quiet.stdout), "");
    assert!(text(&quiet.stderr).contains("could not be listed"));

    std::fs::remove_file(&broken).expect("unlink");
    let out = update_cli();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let second = read();
    assert_eq!(second["complete"], true);
    assert_eq!(
        (&second["objects_read"], &second["objects_known"]),
        (&0.into(), &objects.into())
    );
    assert_eq!(second["unlisted"], serde_json::json!([]));
    assert_eq!(schema(), 3);
    let from_logs = answer(&words(&format!(
        "--role build-agent {window} --logs {logs_arg}"
    )));
    assert!(!from_logs.contains("UnreadableFile"), "{from_logs}");
    same("--role build-agent", window, &logs_arg, &index_arg);

    let missing = dir.path().join("missing").display().to_string();
    let out = policygen(&["index", "--logs", &missing, "--index", &index_arg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot be read"),
        "{}",
        text(&out.stderr)
    );
}
