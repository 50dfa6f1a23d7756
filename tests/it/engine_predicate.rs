//! The Athena and CloudTrail Lake queries select and group a principal's records in SQL; a run over the logs
//! does it with `PrincipalFilter::matches` and `PrincipalKey::of`. The two must agree, or a query-built
//! policy silently misses calls. DuckDB (a SQL engine this project did not write, installed pinned by
//! `scripts/install-checkers.sh`) evaluates the single query's principal predicate and the fleet query's
//! principal columns over the real records of `tests/data/real`, as the trail table types them.

use super::support::{installed_tool, now, root, settings, shell_words};
use clap::Parser;
use policygen::cli::Cli;
use policygen::collector::query::by_principal::{self, FLEET_COLUMNS};
use policygen::collector::query::{build, Engine, Layout};
use policygen::event::Record;
use policygen::principal::{PrincipalFilter, PrincipalKey};
use policygen::settings::Settings;
use std::collections::BTreeSet;
use std::process::Command;

/// Loads the rows (one per record) into a table shaped as the trail table's `useridentity` column, then
/// prints whether each predicate selects its row, and each row's principal columns.
const DUCKDB: &str = r#"
import duckdb, json, sys
given = json.load(open(sys.argv[1]))
con = duckdb.connect()
con.execute("CREATE TABLE t (i INT, type VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR, issuer BOOLEAN, issuer_arn VARCHAR, issuer_username VARCHAR)")
con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", given["rows"])
con.execute("""CREATE VIEW trail AS SELECT i, {'type': type, 'arn': arn, 'accountid': accountid, 'username': username,
  'sessioncontext': {'sessionissuer': CASE WHEN issuer THEN {'arn': issuer_arn, 'username': issuer_username} END}}
  AS useridentity FROM t""")
selected = [con.execute(f"SELECT count(*) FROM trail WHERE i = {i} AND {where}").fetchone()[0] == 1
            for i, where in given["predicates"]]
keys = con.execute(f"SELECT {', '.join(given['columns'])} FROM trail ORDER BY i").fetchall()
print(json.dumps({"selected": selected, "keys": keys}))
"#;

/// The principal `policygen ARGS --athena db.trail` selects, and the principal clauses of its query (those
/// before the window's); `None` when the arguments are refused (an ARN of a record that is no valid ARN).
fn predicate(args: &str) -> Option<(PrincipalFilter, String)> {
    let words = shell_words(&format!(
        "{args} --from 2026-11-01 --to 2026-12-01 --athena db.trail"
    ));
    let cli = Cli::try_parse_from(std::iter::once("policygen".to_string()).chain(words)).ok()?;
    let settings = Settings::from_args(&cli.generate, now()).ok()?;
    let principal = settings.scope.principal.clone().expect("a principal");
    let engine = Engine::athena("db.trail", Layout::Plain).expect("engine");
    let sql = build(
        &engine,
        &principal,
        &settings.scope.window,
        &[],
        &Default::default(),
    );
    let clauses = sql.split_once("\nWHERE ").expect("a WHERE clause").1;
    let principal_part = clauses.split("\n  AND eventtime").next().expect("clauses");
    Some((principal, principal_part.replace("\n  AND ", " AND ")))
}

/// The expressions of the fleet query's principal columns (`principal_type`, `_account`, `_name`).
fn fleet_columns() -> Vec<String> {
    let engine = Engine::athena("db.trail", Layout::Plain).expect("engine");
    let window = settings(&shell_words(
        "--role r --from 2026-11-01 --to 2026-12-01 --logs .",
    ))
    .scope
    .window;
    let sql = by_principal::build(
        &engine,
        &Default::default(),
        &window,
        &[],
        &Default::default(),
    );
    let columns: Vec<String> = ["principal_type", "principal_account", "principal_name"]
        .iter()
        .map(|column| {
            sql.lines()
                .find_map(|l| {
                    l.trim()
                        .trim_end_matches(',')
                        .strip_suffix(&format!(" AS {column}"))
                })
                .unwrap_or_else(|| panic!("no `{column}` in\n{sql}"))
                .to_string()
        })
        .collect();
    columns
}

fn none_differ(differ: &[String]) {
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

#[test]
#[ignore = "needs duckdb: run by scripts/test.sh, which installs it"]
fn engine_queries_select_and_group_principals_as_the_logs_do_on_real_records() {
    let Some(python) = installed_tool("DUCKDB_PYTHON", "duckdb") else {
        return;
    };
    let text =
        std::fs::read_to_string(root().join("tests/data/real/records.jsonl")).expect("corpus");
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    let mut predicates = Vec::new();
    let mut expected = Vec::new();
    let mut by_arn_cases = 0;
    for (i, line) in text.lines().enumerate() {
        let Ok(record) = serde_json::from_str::<Record>(line) else {
            continue;
        };
        let Some(identity) = record.user_identity.as_ref() else {
            continue;
        };
        let issuer = identity
            .session_context
            .as_ref()
            .and_then(|c| c.session_issuer.as_ref());
        let arn = identity.arn.as_deref();
        rows.push(serde_json::json!([
            i,
            identity.kind.as_deref(),
            arn,
            identity.account_id.as_deref(),
            identity.user_name.as_deref(),
            issuer.is_some(),
            issuer.and_then(|i| i.arn.as_deref()),
            issuer.and_then(|i| i.user_name.as_deref()),
        ]));
        keys.push((i, PrincipalKey::of(&record)));

        let last = |s: Option<&str>| s.and_then(|s| s.rsplit('/').next()).map(str::to_string);
        let mut names = BTreeSet::new();
        let role_in_session = arn
            .and_then(|a| a.split_once(":assumed-role/"))
            .and_then(|(_, rest)| rest.split('/').next())
            .map(str::to_string);
        names.extend(role_in_session.map(|n| ("--role", n)));
        names.extend(last(issuer.and_then(|i| i.arn.as_deref())).map(|n| ("--role", n)));
        names.extend(
            identity
                .user_name
                .as_deref()
                .map(|n| ("--user", n.to_string())),
        );
        names.extend(last(arn).map(|n| ("--user", n)));
        // Each name alone, in the record's own account (its `accountId` or its ARN's), and in another.
        let own = identity
            .account_id
            .as_deref()
            .or_else(|| arn.and_then(|a| a.split(':').nth(4)))
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
        let accounts = BTreeSet::from([None, own, Some("111122223333")]);
        // A role's sessions: the record's own, any, and the first letters of its own (a glob).
        let session = arn.and_then(|a| a.rsplit_once('/')).map(|(_, s)| s);
        let mut sessions = BTreeSet::from([None, Some("*".to_string())]);
        sessions.extend(session.map(|s| Some(s.to_string())));
        sessions.extend(
            session
                .and_then(|s| s.get(..3))
                .map(|s| Some(format!("{s}*"))),
        );
        for (flag, name) in names {
            if !policygen::principal::valid_name(&name) {
                continue;
            }
            let sessions = if flag == "--role" {
                sessions.clone()
            } else {
                BTreeSet::from([None])
            };
            for (account, session) in accounts
                .iter()
                .flat_map(|a| sessions.iter().map(move |s| (a, s)))
            {
                let mut args = format!("{flag} {}", shlex::try_quote(&name).expect("quotable"));
                if let Some(account) = account {
                    args.push_str(&format!(" --account {account}"));
                }
                if let Some(session) = session {
                    args.push_str(&format!(
                        " --session {}",
                        shlex::try_quote(session).expect("quotable")
                    ));
                }
                let (filter, clauses) = predicate(&args).expect("a valid name");
                expected.push((args, i, filter.matches(&record)));
                predicates.push(serde_json::json!([i, clauses]));
            }
        }
        // By ARN: a role by its session issuer's, a user and any principal by their own.
        let mut by_arn = BTreeSet::new();
        by_arn.extend(issuer.and_then(|i| i.arn.as_deref()).map(|a| ("--role", a)));
        if identity.kind.as_deref() == Some("IAMUser") {
            by_arn.extend(arn.map(|a| ("--user", a)));
        }
        by_arn.extend(arn.map(|a| ("--principal", a)));
        for (flag, value) in by_arn {
            let args = format!("{flag} {}", shlex::try_quote(value).expect("quotable"));
            if let Some((filter, clauses)) = predicate(&args) {
                by_arn_cases += 1;
                expected.push((args, i, filter.matches(&record)));
                predicates.push(serde_json::json!([i, clauses]));
            }
        }
    }
    assert!(
        predicates.len() > 1000,
        "the corpus gives {} cases",
        predicates.len()
    );
    assert!(by_arn_cases > 500, "only {by_arn_cases} cases by ARN");
    let selected = expected.iter().filter(|(_, _, m)| *m).count();
    assert!(selected > 300, "only {selected} cases select their record");

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("given.json");
    let given =
        serde_json::json!({"rows": rows, "predicates": predicates, "columns": fleet_columns()});
    std::fs::write(&file, serde_json::to_vec(&given).expect("json")).expect("write");
    let out = Command::new(python)
        .args(["-c", DUCKDB])
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[derive(serde::Deserialize)]
    struct Answers {
        selected: Vec<bool>,
        keys: Vec<[Option<String>; 3]>,
    }
    let answers: Answers = serde_json::from_slice(&out.stdout).expect("duckdb's answers");

    assert_eq!(answers.selected.len(), expected.len());
    let differ: Vec<String> = expected
        .iter()
        .zip(&answers.selected)
        .filter(|((_, _, logs), sql)| logs != *sql)
        .map(|((args, i, logs), sql)| format!("{args}, record {i}: logs {logs}, SQL {sql}"))
        .collect();
    none_differ(&differ);

    // The fleet's row of a record names the principal the logs give it (or, as they do, none).
    assert_eq!(answers.keys.len(), keys.len());
    let attributed = keys.iter().filter(|(_, k)| k.is_some()).count();
    assert!(
        attributed > 500,
        "only {attributed} records have a principal"
    );
    let differ: Vec<String> = keys
        .iter()
        .zip(&answers.keys)
        .filter_map(|((i, logs), columns)| {
            let mut values = vec![None; FLEET_COLUMNS.len() - 3];
            values.extend(columns.iter().cloned());
            let sql = by_principal::principal(&values).ok();
            (sql != *logs).then(|| format!("record {i}: logs {logs:?}, SQL {sql:?}"))
        })
        .collect();
    none_differ(&differ);
}
