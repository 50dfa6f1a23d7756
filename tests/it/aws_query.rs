//! `--athena` against moto's Athena (results seeded through moto's API), driven by the real binary, and
//! `--lake` through the pipeline with CloudTrail Lake's answers canned: the policy from the engine's rows must
//! equal the policy from reading the same events as files.

use super::support::canned::Canned;
use super::support::emulator;
use super::support::engines::{lake_answers, policygen_at, post, seed_athena};
use policygen::collector::query::{keys_from_maps, COLUMNS};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

const WINDOW: &str = "--role build-agent --from 2026-11-01 --to 2026-12-01";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn args(extra: &str) -> Vec<String> {
    WINDOW
        .split(' ')
        .chain(extra.split(' '))
        .map(str::to_string)
        .collect()
}

/// The rows Athena or Lake would return for the example trail, and the policy from reading it as files.
fn expected() -> (Vec<Vec<Option<String>>>, String) {
    let trail = root().join("examples/trail");
    let mut words = args("--logs");
    words.push(trail.display().to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(&words)
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (identity, _) = policygen::principal::Identity::role("build-agent").expect("valid");
    let principal = policygen::principal::PrincipalFilter {
        identity,
        session: None,
        accounts: Default::default(),
    };
    let window = policygen::window::TimeWindow::new(
        policygen::window::parse_time("2026-11-01").expect("valid"),
        policygen::window::parse_time("2026-12-01").expect("valid"),
    )
    .expect("valid");
    let rows = super::support::aggregate::rows(
        &super::support::aggregate::records_under(&trail),
        &principal,
        &window,
        &keys_from_maps(),
    );
    (rows, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
fn athena_rows_give_the_policy_of_the_files() {
    let endpoint = emulator();
    let (rows, files_policy) = expected();
    seed_athena(&endpoint, "us-east-1", &COLUMNS, &rows);
    // The query passes through QUEUED and RUNNING first, so the polling is exercised.
    post(
        &endpoint,
        "/moto-api/state-manager/set-transition",
        &json!({ "model_name": "athena::execution", "transition": { "progression": "manual", "times": 2 } }),
    );
    let words = args("--athena db.cloudtrail_logs --athena-output s3://athena-results/policygen/");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = policygen_at(&endpoint, "us-east-1", &words);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        files_policy,
        "{stderr}"
    );
    assert!(stderr.contains("Athena query"), "{stderr}");
    post(
        &endpoint,
        "/moto-api/state-manager/unset-transition",
        &json!({ "model_name": "athena::execution" }),
    );
}

/// `--lake` through the pipeline, its answers canned.
fn lake_run(canned: &Canned) -> Result<policygen::Outcome, policygen::Error> {
    let words: Vec<String> = args("--lake EXAMPLE-f852-4e8f-8bd1");
    let settings = super::support::settings(&words);
    let sources = canned.sources();
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::generate(&settings, &sources))
}

#[test]
fn lake_rows_give_the_policy_of_the_files() {
    let (rows, files_policy) = expected();
    let canned = Canned::new(lake_answers(&COLUMNS, &rows, 7, "FINISHED"));
    let outcome = lake_run(&canned).expect("an answer");
    assert_eq!(outcome.parts[0].to_json(), files_policy);
    let calls = canned.requests();
    let operations: Vec<&str> = calls.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        operations[..4],
        [
            "StartQuery",
            "DescribeQuery",
            "DescribeQuery",
            "DescribeQuery"
        ]
    );
    assert!(
        operations[4..].iter().all(|op| *op == "GetQueryResults") && operations.len() > 5,
        "paged: {operations:?}"
    );
    let start: Value = serde_json::from_str(&calls[0].1).expect("a JSON body");
    let statement = start["QueryStatement"].as_str().unwrap_or_default();
    assert!(statement.starts_with("-- policygen"), "{statement}");
    assert!(
        statement.contains("FROM EXAMPLE-f852-4e8f-8bd1"),
        "{statement}"
    );
    assert_eq!(canned.left(), 0, "every page read");
}

/// A query the engine fails is a fatal error naming the query and the engine's reason: no policy is
/// written from a result that does not exist.
#[test]
fn a_failed_lake_query_is_an_error() {
    let canned = Canned::new(lake_answers(&COLUMNS, &[], 7, "FAILED"));
    let error = lake_run(&canned).expect_err("a failed query").to_string();
    assert!(
        error.contains("q-1") && error.contains("failed") && error.contains("column not found"),
        "{error}"
    );
}

#[test]
fn print_sql_needs_no_credentials() {
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args("--athena db.trail --print-sql"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(0));
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        sql.contains("FROM \"db\".\"trail\"") && sql.contains("GROUP BY"),
        "{sql}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args("--logs x --print-sql"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn athena_ddl_writes_a_projected_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args([
            "athena-ddl",
            "--s3",
            "s3://trail-bucket/org",
            "--account",
            "111122223333",
            "--organization",
            "o-abc123def4",
            "--regions",
            "us-east-1,eu-west-1",
            "--table",
            "security.cloudtrail",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ddl = String::from_utf8_lossy(&out.stdout);
    assert!(
        ddl.starts_with("CREATE EXTERNAL TABLE security.cloudtrail ("),
        "{ddl}"
    );
    assert!(ddl.contains("'storage.location.template' = 's3://trail-bucket/org/AWSLogs/o-abc123def4/111122223333/CloudTrail/${region}/${timestamp}'"), "{ddl}");
    assert!(
        ddl.contains("'projection.region.values' = 'us-east-1,eu-west-1'"),
        "{ddl}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args([
            "athena-ddl",
            "--s3",
            "s3://b",
            "--account",
            "12",
            "--regions",
            "us-east-1",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
}

/// Records whose `eventTime` is not CloudTrail's form come back from the query as rows of their own (the
/// Athena table has the text): policygen places them as a run over the logs does, keeps those in the window
/// and reports the rest as unplaceable, counting each event a row stands for.
#[test]
fn rows_of_odd_event_times_are_placed_as_the_logs_place_them() {
    let mut records = super::support::aggregate::records_under(&root().join("examples/trail"));
    let mut changed = 0;
    for record in records.iter_mut() {
        let role = record.pointer("/userIdentity/sessionContext/sessionIssuer/userName");
        if role.and_then(Value::as_str) != Some("build-agent") {
            continue;
        }
        let time = match changed % 5 {
            0 => json!("2026-11-15 10:00:00"),
            1 => Value::Null,
            2 => json!("2026-11-15T10:00:00+01:00"),
            3 => json!("2026-12-01T00:30:00+01:00"),
            _ => json!("2026-11-01T00:30:00+01:00"),
        };
        match time {
            Value::Null => record.as_object_mut().map(|r| r.remove("eventTime")),
            time => record
                .as_object_mut()
                .map(|r| r.insert("eventTime".into(), time)),
        };
        changed += 1;
        if changed == 10 {
            break;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let trail = dir.path().join("trail.json");
    let body = json!({ "Records": records }).to_string();
    std::fs::write(&trail, body).expect("write");
    let logs = super::support::generate(&super::support::settings(&args(&format!(
        "--logs {}",
        trail.display()
    ))));

    let window = logs.time_window.clone();
    let principal = logs.principal_filter.clone().expect("a principal");
    let rows = super::support::aggregate::rows(&records, &principal, &window, &keys_from_maps());
    let canned = Canned::new(lake_answers(&COLUMNS, &rows, 7, "FINISHED"));
    let engine = lake_run(&canned).expect("an answer");

    use policygen::report::Code;
    assert_eq!(logs.diagnostics.count(Code::UnplaceableRecord), 4);
    assert_eq!(engine.diagnostics.count(Code::UnplaceableRecord), 4);
    assert_eq!(engine.parts[0].to_json(), logs.parts[0].to_json());
    assert_eq!(engine.stats.records_matched, logs.stats.records_matched);
    assert_eq!(engine.stats.records_mapped, logs.stats.records_mapped);
}
