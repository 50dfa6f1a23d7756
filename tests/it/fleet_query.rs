//! `policygen fleet --athena/--lake`: ONE query grouped by principal, and each principal's policy is the
//! file that fleet.json's `command` (the single command) writes from that principal's own rows, byte for
//! byte, with the same verdict, record count and diagnostics. Athena runs against moto with seeded results
//! and the real binary; Lake through the library with its answers canned on the real SDK client.

use super::support::aggregate::{fleet_rows, records_under, rows};
use super::support::canned::Canned;
use super::support::engines::{lake_answers, policygen_at, seed_athena};
use super::support::{
    emulator, example_trail, fleet_settings, settings, shell_words, text, WINDOW,
};
use policygen::collector::query::by_principal::{principal, FLEET_COLUMNS};
use policygen::collector::query::{keys_from_maps, COLUMNS};
use policygen::fleet::FleetReport;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

type Rows = Vec<Vec<Option<String>>>;

const STORE: &str = "EXAMPLE-f852-4e8f-8bd1";
const ATHENA: [&str; 4] = [
    "--athena",
    "db.cloudtrail_logs",
    "--athena-output",
    "s3://athena-results/policygen/",
];

/// The example trail (4 principals, `build-agent` in two accounts), an IAM user of a third account, and
/// a role session without its session issuer: no single query selects it, so its row names no principal.
fn records() -> Vec<Value> {
    let mut records = records_under(&example_trail());
    let identity = |kind: &str, arn: &str, account: &str| json!({ "type": kind, "principalId": "AIDAEXAMPLE", "arn": arn, "accountId": account });
    let mut user = identity(
        "IAMUser",
        "arn:aws:iam::777788889999:user/ci-bot",
        "777788889999",
    );
    user["userName"] = json!("ci-bot");
    let orphan = identity(
        "AssumedRole",
        "arn:aws:sts::111122223333:assumed-role/orphan-role/s1",
        "111122223333",
    );
    for (id, identity) in [("extra-1", user), ("extra-2", orphan)] {
        records.push(json!({
            "eventVersion": "1.08", "userIdentity": identity, "eventTime": "2026-11-10T10:00:00Z",
            "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "awsRegion": "us-east-1",
            "requestParameters": null, "responseElements": null, "eventID": id,
            "eventType": "AwsApiCall", "recipientAccountId": "111122223333"
        }));
    }
    records
}

fn window() -> policygen::window::TimeWindow {
    let words = ["--role", "any"]
        .into_iter()
        .chain(WINDOW)
        .map(String::from);
    settings(&words.collect::<Vec<_>>()).scope.window
}

/// Makes the rows whose sample event is `id` unplaceable in the window: their first time is no time.
fn damage(rows: &mut Rows, id: &str) {
    let at = |name: &str| COLUMNS.iter().position(|c| *c == name).expect("a column");
    for row in rows.iter_mut() {
        if row[at("sample_event_id")].as_deref() == Some(id) {
            row[at("first_seen")] = Some("2026-11-10 at noon".into());
        }
    }
}

/// The fleet's rows and, per principal, the rows its single query returns (computed on their own, with the
/// single command's filter); the first row of the principal named `damaged` is made unplaceable in both.
fn answers(records: &[Value], damaged: Option<&str>) -> (Rows, BTreeMap<String, Rows>) {
    let keys = keys_from_maps();
    let mut fleet = fleet_rows(records, &window(), &keys);
    let mut singles: BTreeMap<String, Rows> = BTreeMap::new();
    let principals: BTreeMap<_, _> = fleet
        .iter()
        .filter_map(|row| Some((principal(row).ok()?, &row[COLUMNS.len()..])))
        .collect();
    for (key, by) in principals {
        let single = rows(records, &key.filter(), &window(), &keys);
        let mut own: Rows = fleet
            .iter()
            .filter(|r| r[COLUMNS.len()..] == *by)
            .map(|r| r[..COLUMNS.len()].to_vec())
            .collect();
        own.sort();
        let mut sorted = single.clone();
        sorted.sort();
        assert_eq!(
            own, sorted,
            "{key}: the fleet's rows are its single query's"
        );
        singles.insert(key.to_string(), single);
    }
    let sample = COLUMNS.iter().position(|c| *c == "sample_event_id");
    let first_of = |name: &str| {
        let row = fleet
            .iter()
            .find(|r| r.last().cloned().flatten().as_deref() == Some(name));
        row.and_then(|r| r[sample?].clone())
    };
    if let Some(id) = damaged.and_then(first_of) {
        damage(&mut fleet, &id);
        singles.values_mut().for_each(|rows| damage(rows, &id));
    }
    (fleet, singles)
}

/// fleet.json's `command` for a principal, writing to `target` instead.
fn command(row: &policygen::fleet::Row, target: &Path) -> Vec<String> {
    let mut words = shell_words(&row.command);
    assert_eq!(words.remove(0), "policygen", "{}", row.command);
    let o = words.iter().position(|w| w == "-o").expect("-o");
    words[o + 1] = target.display().to_string();
    words
}

fn by_code(run: &policygen::Outcome) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for d in run.diagnostics.iter() {
        *out.entry(d.code.as_str().to_string()).or_default() += d.count;
    }
    out
}

fn fleet_words(out: &Path, source: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = WINDOW.map(String::from).to_vec();
    words.extend(source.iter().map(|w| w.to_string()));
    words.extend(["--out-dir".into(), out.display().to_string()]);
    words
}

#[test]
fn lake_fleet_is_one_query_and_each_policy_is_the_single_commands() {
    let records = records();
    // A row of alice cannot be placed in the window: hers, in the fleet as in her single run.
    let (fleet, singles) = answers(&records, Some("alice"));
    let out = tempfile::tempdir().expect("tempdir");
    let fleet_settings = fleet_settings(&fleet_words(out.path(), &["--lake", STORE]));
    let canned = Canned::new(lake_answers(&FLEET_COLUMNS, &fleet, 9, "FINISHED"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let report: FleetReport = runtime
        .block_on(policygen::fleet::fleet(&fleet_settings, &canned.sources()))
        .expect("an answer");
    let calls = canned.requests();
    let starts: Vec<&(String, String)> = calls.iter().filter(|c| c.0 == "StartQuery").collect();
    assert_eq!(starts.len(), 1, "one query for the fleet");
    let start: Value = serde_json::from_str(&starts[0].1).expect("a JSON body");
    let statement = start["QueryStatement"].as_str().unwrap_or_default();
    assert!(
        statement.contains("GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 19"),
        "{statement}"
    );
    assert_eq!(canned.left(), 0, "every page read");

    let ids: Vec<String> = report.principals.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "111122223333/role/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
            "111122223333/role/build-agent",
            "111122223333/user/alice",
            "444455556666/role/build-agent",
            "777788889999/user/ci-bot",
        ]
    );
    let mut failures = Vec::new();
    for row in &report.principals {
        let target = out.path().join("single.json");
        let words = command(row, &target);
        assert!(words.contains(&STORE.to_string()), "{words:?}");
        let canned = Canned::new(lake_answers(&COLUMNS, &singles[&row.id()], 9, "FINISHED"));
        let single = settings(&words);
        let run = runtime
            .block_on(policygen::generate(&single, &canned.sources()))
            .expect("an answer");
        policygen::output::write(&run, &single.output).expect("written");
        let expected = std::fs::read(&target).expect("single output");
        let got = std::fs::read(out.path().join(&row.file)).expect("fleet output");
        if expected != got {
            failures.push(format!(
                "{}: the policy differs\n--- single\n{}\n--- fleet\n{}",
                row.id(),
                text(&expected),
                text(&got)
            ));
        }
        let same = (row.complete, row.records, &row.diagnostics)
            == (!run.incomplete(), run.stats.records_matched, &by_code(&run));
        if !same {
            failures.push(format!(
                "{}: fleet {} {} {:?}, single {} {} {:?}",
                row.id(),
                row.complete,
                row.records,
                row.diagnostics,
                !run.incomplete(),
                run.stats.records_matched,
                by_code(&run)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // The unplaceable row is alice's, counted as the events it stands for; the row without a principal is
    // the fleet's, and it is incomplete.
    let incomplete: Vec<String> = report.incomplete().iter().map(|r| r.id()).collect();
    assert_eq!(incomplete, ["111122223333/user/alice"]);
    let alice = &report.principals[2];
    assert_eq!(alice.diagnostics.get("unplaceable-record"), Some(&9));
    assert_eq!(
        report.input.unattributed_rows,
        BTreeMap::from([(
            "role sessions of account `111122223333` without a role name".to_string(),
            1
        )])
    );
    assert_eq!(report.input.records_read, 1018 - 60 - 30 + 2);
    assert!(!report.complete());
    let json = std::fs::read_to_string(out.path().join("fleet.json")).expect("fleet.json");
    assert!(json.contains("\"unattributed_rows\""), "{json}");
    let md = std::fs::read_to_string(out.path().join("fleet.md")).expect("fleet.md");
    assert!(
        md.contains("**1 events of the query name no principal** (role sessions of account `111122223333` without a role name)"),
        "{md}"
    );
}

/// `--kind sso` and `--name` are pushed down, and the permission set's policy is written as from the logs.
#[test]
fn lake_fleet_of_permission_sets() {
    let (fleet, _) = answers(&records(), None);
    let out = tempfile::tempdir().expect("tempdir");
    let words = fleet_words(
        out.path(),
        &["--lake", STORE, "--kind", "sso", "--name", "*Admin*"],
    );
    let canned = Canned::new(lake_answers(&FLEET_COLUMNS, &fleet, 50, "FINISHED"));
    let report = tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::fleet::fleet(
            &fleet_settings(&words),
            &canned.sources(),
        ))
        .expect("an answer");
    let start: Value = serde_json::from_str(&canned.requests()[0].1).expect("a JSON body");
    let statement = start["QueryStatement"].as_str().unwrap_or_default();
    assert!(
        statement.contains("useridentity.type = 'AssumedRole'")
            && statement.contains("LIKE 'AWSReservedSSO\\_%' ESCAPE '\\'")
            && statement.contains("LIKE '%Admin%' ESCAPE '\\'"),
        "{statement}"
    );
    assert_eq!(report.permission_sets.len(), 1);
    let logs_out = tempfile::tempdir().expect("tempdir");
    let trail = example_trail().display().to_string();
    let logs = fleet_words(logs_out.path(), &["--logs", &trail, "--kind", "sso"]);
    let _ = tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::fleet::fleet(
            &fleet_settings(&logs),
            &Default::default(),
        ))
        .expect("an answer");
    let file = "sso/AdministratorAccess.json";
    assert_eq!(
        text(&std::fs::read(out.path().join(file)).expect("from the query")),
        text(&std::fs::read(logs_out.path().join(file)).expect("from the logs"))
    );
}

/// The real binary against moto's Athena: the fleet's one query, then each principal's single command
/// (fleet.json's `command`) with that principal's rows; every file the same, every run complete.
#[test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
fn athena_fleet_writes_each_single_commands_file() {
    let endpoint = emulator();
    // Moto queues seeded results per account and region: this test's own region.
    let region = "ap-southeast-2";
    let mut records = records();
    records.retain(|r| r["eventID"] != "extra-2");
    let (fleet, singles) = answers(&records, None);
    seed_athena(&endpoint, region, &FLEET_COLUMNS, &fleet);
    let out = tempfile::tempdir().expect("tempdir");
    let words = fleet_words(out.path(), &ATHENA);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let run = policygen_at(&endpoint, region, &[&["fleet"], &words[..]].concat());
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Athena query")
            && stderr.contains("fleet: 5 policies written, 0 incomplete"),
        "{stderr}"
    );
    let json = std::fs::read_to_string(out.path().join("fleet.json")).expect("fleet.json");
    let report: Value = serde_json::from_str(&json).expect("json");
    let principals = report["principals"].as_array().expect("principals");
    assert_eq!(principals.len(), 5);
    for row in principals {
        let field = |name: &str| row[name].as_str().unwrap_or_default().to_string();
        let key = format!("{}/{}/{}", field("account"), field("kind"), field("name"));
        seed_athena(&endpoint, region, &COLUMNS, &singles[&key]);
        let target = out.path().join("single.json");
        let mut words = shell_words(&field("command"));
        assert_eq!(words.remove(0), "policygen");
        assert!(words
            .windows(2)
            .any(|w| w == ["--athena", "db.cloudtrail_logs"]));
        let o = words.iter().position(|w| w == "-o").expect("-o");
        words[o + 1] = target.display().to_string();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let single = policygen_at(&endpoint, region, &words);
        assert_eq!(
            single.status.code(),
            Some(0),
            "{key}: {}",
            text(&single.stderr)
        );
        assert_eq!(
            text(&std::fs::read(&target).expect("single output")),
            text(&std::fs::read(out.path().join(field("file"))).expect("fleet output")),
            "{key}"
        );
    }
}
