//! `--athena` against moto's Athena (results seeded through moto's API), driven by the real binary, and
//! `--lake` through the pipeline with CloudTrail Lake's answers canned: the policy from the engine's rows must
//! equal the policy from reading the same events as files.

use super::support::canned::Canned;
use super::support::emulator;
use policygen::collector::query::{keys_from_maps, COLUMNS};
use policygen::collector::Sources;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;

const WINDOW: &str = "--role build-agent --from 2026-11-01 --to 2026-12-01";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn policygen(args: &[&str], endpoint: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .current_dir(root())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("binary runs")
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

/// A POST of JSON to the emulator's own API.
fn post(endpoint: &str, path: &str, body: &Value) {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("emulator reachable");
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 2"), "{path}: {response}");
}

#[test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
fn athena_rows_give_the_policy_of_the_files() {
    let endpoint = emulator();
    let (rows, files_policy) = expected();
    // Athena returns the column names as the first row; NULL is a datum without a value.
    let datum = |v: &Option<String>| match v {
        Some(v) => json!({ "VarCharValue": v }),
        None => json!({}),
    };
    let header =
        json!({ "Data": COLUMNS.iter().map(|c| json!({ "VarCharValue": c })).collect::<Vec<_>>() });
    let mut result_rows = vec![header];
    result_rows.extend(
        rows.iter()
            .map(|r| json!({ "Data": r.iter().map(datum).collect::<Vec<_>>() })),
    );
    let column_info: Vec<Value> = COLUMNS
        .iter()
        .map(|c| json!({ "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c, "Label": c, "Type": "varchar", "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true }))
        .collect();
    post(
        &endpoint,
        "/moto-api/static/athena/query-results",
        &json!({ "account_id": "123456789012", "region": "us-east-1", "results": [{ "rows": result_rows, "column_info": column_info }] }),
    );
    // The query passes through QUEUED and RUNNING first, so the polling is exercised.
    post(
        &endpoint,
        "/moto-api/state-manager/set-transition",
        &json!({ "model_name": "athena::execution", "transition": { "progression": "manual", "times": 2 } }),
    );
    let words = args("--athena db.cloudtrail_logs --athena-output s3://athena-results/policygen/");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = policygen(&words, &endpoint);
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

/// CloudTrail Lake's answers, in order: StartQuery, DescribeQuery (QUEUED, RUNNING, then `last_status`) and
/// GetQueryResults in pages of `page` rows, each row a list of one-entry maps as Lake returns them.
fn lake_answers(
    rows: &[Vec<Option<String>>],
    page: usize,
    last_status: &str,
) -> Vec<(u16, String)> {
    let mut answers = vec![(200, json!({ "QueryId": "q-1" }).to_string())];
    for status in ["QUEUED", "RUNNING", last_status] {
        let describe = json!({ "QueryId": "q-1", "QueryStatus": status,
            "QueryStatistics": { "BytesScanned": 1234 }, "ErrorMessage": "Query failed: column not found" });
        answers.push((200, describe.to_string()));
    }
    let pages: Vec<&[Vec<Option<String>>]> = rows.chunks(page).collect();
    for (index, chunk) in pages.iter().enumerate() {
        let rows: Vec<Value> = chunk
            .iter()
            .map(|row| {
                COLUMNS
                    .iter()
                    .zip(row)
                    .filter_map(|(c, v)| v.as_ref().map(|v| json!({ *c: v })))
                    .collect()
            })
            .collect();
        let mut answer = json!({ "QueryStatus": "FINISHED", "QueryResultRows": rows });
        if index + 1 < pages.len() {
            answer["NextToken"] = json!((index + 1).to_string());
        }
        answers.push((200, answer.to_string()));
    }
    answers
}

/// `--lake` through the pipeline, its answers canned.
fn lake_run(canned: &Canned) -> Result<policygen::Outcome, policygen::Error> {
    let words: Vec<String> = args("--lake EXAMPLE-f852-4e8f-8bd1");
    let settings = super::support::settings(&words);
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("AKIDTEST", "secret", None, None, "test"),
            ),
        )
        .http_client(canned.clone())
        .build();
    let sources = Sources { aws: Some(config) };
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::generate(&settings, &sources))
}

#[test]
fn lake_rows_give_the_policy_of_the_files() {
    let (rows, files_policy) = expected();
    let canned = Canned::new(lake_answers(&rows, 7, "FINISHED"));
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
    let canned = Canned::new(lake_answers(&[], 7, "FAILED"));
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
