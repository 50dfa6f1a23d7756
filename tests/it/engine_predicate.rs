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
use policygen::window::{is_canonical, parse_time, TimeWindow};
use std::collections::{BTreeMap, BTreeSet};
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
    let principal_part = clauses
        .split("\n  AND CASE WHEN regexp_like(eventtime")
        .next()
        .expect("clauses");
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

/// What `script` prints for `given` (its first argument, a JSON file), read as `T`.
fn duckdb<T: serde::de::DeserializeOwned>(
    python: &str,
    script: &str,
    given: &serde_json::Value,
) -> T {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("given.json");
    std::fs::write(&file, serde_json::to_vec(given).expect("json")).expect("write");
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("duckdb's answers")
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

    let given =
        serde_json::json!({"rows": rows, "predicates": predicates, "columns": fleet_columns()});
    #[derive(serde::Deserialize)]
    struct Answers {
        selected: Vec<bool>,
        keys: Vec<[Option<String>; 3]>,
    }
    let answers: Answers = duckdb(&python, DUCKDB, &given);

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

/// Runs the Athena query's window clause and its grouping of times over a table of `eventtime` texts, and
/// prints each row's `first_seen` and count. `regexp_like` is Trino's name for what DuckDB calls
/// `regexp_matches` (a match anywhere; the pattern anchors itself).
const DUCKDB_WINDOW: &str = r#"
import duckdb, json, sys
given = json.load(open(sys.argv[1]))
con = duckdb.connect()
con.execute("CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)")
con.execute("CREATE TABLE trail (i INT, eventtime VARCHAR)")
con.executemany("INSERT INTO trail VALUES (?, ?)", given["rows"])
rows = con.execute(f"SELECT {given['first']}, count(*) FROM trail WHERE {given['where']} GROUP BY {given['group']}").fetchall()
print(json.dumps(rows))
"#;

/// The logs place a record by its `eventTime` text (`TimeWindow::place`); Athena's table has it as text too.
/// The query compares CloudTrail's own form in SQL and returns every other text (none, a date, an offset, a
/// fraction, garbage) in a row of its own, which policygen then places exactly as the logs would: the
/// records each side keeps, drops and reports as unplaceable are the same.
#[test]
#[ignore = "needs duckdb: run by scripts/test.sh, which installs it"]
fn athena_window_places_records_as_the_logs_do() {
    let Some(python) = installed_tool("DUCKDB_PYTHON", "duckdb") else {
        return;
    };
    let text =
        std::fs::read_to_string(root().join("tests/data/real/records.jsonl")).expect("corpus");
    let mut times: Vec<Option<String>> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Record>(line).ok())
        .map(|record| record.event_time.map(|t| t.into_owned()))
        .collect();
    let odd = [
        "2026-11-01T00:00:00Z",
        "2026-10-31T23:59:59Z",
        "2026-11-30T23:59:59Z",
        "2026-12-01T00:00:00Z",
        "2026-11-15T10:00:05Z",
        "2026-11-15T10:00:07Z",
        "2026-13-45T99:99:99Z",
        "2026-11-01T00:00:00.5Z",
        "2026-10-31T23:59:59.999Z",
        "2026-11-15T10:00:06.9Z",
        "2026-11-01T01:00:00+02:00",
        "2026-11-30T23:30:00-01:00",
        "2026-12-01T00:30:00+01:00",
        "2026-11-15t10:00:06z",
        "2026-11-15 10:00:06Z",
        "2026-11-15 10:00:06",
        "2026-11-15",
        "yesterday",
        "",
        "2026-11-15T10:00:06Z\n",
        "x\n2026-11-15T10:00:06Z",
    ];
    // Each odd time twice, so a row stands for more than one record.
    for time in odd.iter().chain(&odd) {
        times.push(Some(time.to_string()));
    }
    times.extend([None, None]);
    let rows: Vec<_> = times
        .iter()
        .enumerate()
        .map(|(i, time)| serde_json::json!([i, time]))
        .collect();
    let canonical_in = |window: &TimeWindow| {
        let count = times
            .iter()
            .flatten()
            .filter(|t| is_canonical(t) && window.place(t) == Some(true))
            .count();
        count as u64
    };

    for (from, to) in [
        ("2026-11-01", "2026-12-01"),
        ("2026-11-15T10:00:05Z", "2026-11-15T10:00:07Z"),
        ("2019-01-01", "2024-06-15T12:00:00Z"),
    ] {
        let window = TimeWindow::new(parse_time(from).expect("from"), parse_time(to).expect("to"))
            .expect("a window");
        let (principal, _) = predicate("--role r").expect("a principal");
        let engine = Engine::athena("db.trail", Layout::Plain).expect("engine");
        let sql = build(&engine, &principal, &window, &[], &Default::default());
        let line = |start: &str| {
            sql.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix(start))
                .unwrap_or_else(|| panic!("no `{start}` in\n{sql}"))
        };
        let first = sql
            .lines()
            .find_map(|l| l.trim().strip_suffix(" AS first_seen,"))
            .expect("first_seen");
        let clause = format!("CASE WHEN {}", line("AND CASE WHEN "));
        let group = line("GROUP BY ");
        let group = &group[group.find("CASE WHEN").expect("the time's group")..];
        let given =
            serde_json::json!({"rows": rows, "first": first, "where": clause, "group": group});
        let answers: Vec<(String, u64)> = duckdb(&python, DUCKDB_WINDOW, &given);

        // The logs: each record placed by its own text.
        let mut logs: BTreeMap<String, (Option<bool>, u64)> = BTreeMap::new();
        for time in &times {
            let text = time.clone().unwrap_or_default();
            if !is_canonical(&text) {
                logs.entry(text.clone())
                    .or_insert((window.place(&text), 0))
                    .1 += 1;
            }
        }
        // The engine: CloudTrail's form already in the window, in rows; everything else by its text alone.
        let mut sql_side = BTreeMap::new();
        let mut in_window = 0;
        for (first, count) in answers {
            if is_canonical(&first) {
                assert_eq!(window.place(&first), Some(true), "{first} in {window}");
                in_window += count;
            } else {
                assert!(sql_side
                    .insert(first.clone(), (window.place(&first), count))
                    .is_none());
            }
        }
        assert_eq!(in_window, canonical_in(&window), "{window}");
        assert!(in_window > 0 || from.starts_with("2026-11-15"), "{window}");
        assert_eq!(sql_side, logs, "{window}");
        let unplaceable = logs.values().filter(|(p, _)| p.is_none()).count();
        assert!(unplaceable >= 6, "{window}: {logs:?}");
    }
}
