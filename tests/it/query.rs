//! Athena and CloudTrail Lake pushdown: golden SQL for every principal kind and window shape, a parse
//! check in a Trino dialect, and proof that the aggregated rows give the same policy as the raw events.

use super::support::aggregate;

use super::support::{check_golden, fleet_settings, generate, root, settings};
use policygen::collector::athena::{feed, QueryReport};
use policygen::collector::query::{build, by_principal, keys_from_maps, Engine, Keys, Layout};
use policygen::collector::{Decoder, Scope};
use sqlparser::dialect::Dialect;
use sqlparser::parser::Parser;

/// Trino (Athena engine 3, CloudTrail Lake): double-quoted identifiers and `x -> expr` lambdas.
#[derive(Debug)]
struct Trino;

impl Dialect for Trino {
    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_ascii_alphabetic() || ch == '_'
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_ascii_alphanumeric() || ch == '_'
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '"'
    }
    fn supports_lambda_functions(&self) -> bool {
        true
    }
}

/// CloudTrail Lake names the event data store by its bare ID in FROM (as AWS's examples do), which Trino
/// proper would need quoted: quote it for the parser.
fn parses(sql: &str) -> Result<(), String> {
    let sql = match sql.lines().find_map(|l| l.strip_prefix("FROM ")) {
        Some(from) if !from.starts_with('"') => {
            sql.replace(&format!("FROM {from}\n"), &format!("FROM \"{from}\"\n"))
        }
        _ => sql.to_string(),
    };
    Parser::parse_sql(&Trino, &sql)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn words(line: &str) -> Vec<String> {
    super::support::shell_words(line)
}

/// A small fixed key set, so that the goldens do not change with every map edit.
fn keys() -> Keys {
    [
        ("req", "bucketName"),
        ("req", "key"),
        ("req", "functionName"),
        ("resp", "stackId"),
        ("add", "x-amz-id-2"),
    ]
    .into_iter()
    .map(|(b, k)| (b, k.to_string()))
    .collect()
}

/// `sql` parses and is the golden `tests/golden/sql/NAME.sql`.
fn check_sql(name: &str, sql: &str, failures: &mut Vec<String>) {
    if let Err(e) = parses(sql) {
        failures.push(format!("{name}: does not parse: {e}\n{sql}"));
    }
    let golden = root().join(format!("tests/golden/sql/{name}.sql"));
    check_golden(&golden, sql, failures);
}

#[test]
fn golden_sql_for_every_principal_and_window() {
    let cases = [
        ("role-name-athena-projected", "--role build-agent --from 2026-11-01 --to 2026-12-01 --athena db.trail"),
        ("role-arn-session-accounts", "--role arn:aws:iam::111122223333:role/ci/build-agent --session gh-* --account 111122223333 --account 444455556666 --from 2026-11-01T12:00:00Z --to 2026-11-02 --athena db.trail --regions us-east-1,eu-west-1"),
        ("user-name-athena-plain", "--user o.brien+ci@example --since 2w --to 2026-12-01 --athena db.trail --athena-layout plain"),
        ("user-arn-lake", "--user arn:aws:iam::111122223333:user/eng/alice --from 2026-11-01 --to 2026-12-01 --lake EXAMPLE-f852-4e8f-8bd1"),
        ("root-principal-lake", "--principal arn:aws:iam::111122223333:root --since 90d --to 2026-12-01 --lake arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-1 --regions us-east-1"),
        ("session-with-like-specials", "--role build_agent --session 100%_done? --from 2026-11-01 --to 2026-12-01 --athena db.trail"),
    ];
    let mut failures = Vec::new();
    for (name, line) in cases {
        let settings = settings(&words(line));
        let (engine, regions) = match &settings.source {
            policygen::collector::Source::Athena(a) => (a.engine(), a.regions.clone()),
            policygen::collector::Source::Lake(l) => (
                Engine::Lake {
                    store: l.store.clone(),
                },
                l.regions.clone(),
            ),
            _ => panic!("{name}: not a query source"),
        };
        let principal = settings.scope.principal.as_ref().expect("principal");
        let sql = build(
            &engine,
            principal,
            &settings.scope.window,
            &regions,
            &keys(),
        );
        check_sql(name, &sql, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The fleet's one query, grouped by principal, with its selection pushed down (`--account`, `--kind`,
/// `--name`; `--kind sso` as the prefix of Identity Center roles).
#[test]
fn golden_sql_of_the_fleets_query() {
    let out = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("fleet-athena-projected", "--from 2026-11-01 --to 2026-12-01 --athena db.trail"),
        ("fleet-athena-plain-sso-accounts-name", "--kind sso --name *Admin* --account 111122223333 --account 444455556666 --from 2026-11-01T12:00:00Z --to 2026-11-02 --athena db.trail --athena-layout plain --regions us-east-1,eu-west-1"),
        ("fleet-lake-users-like-specials", "--kind user --name ci_100%? --since 90d --to 2026-12-01 --lake arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-1 --regions us-east-1"),
    ];
    let mut failures = Vec::new();
    for (name, line) in cases {
        let mut words = words(line);
        words.extend(["--out-dir".into(), out.path().display().to_string()]);
        let settings = fleet_settings(&words);
        let (engine, regions) = settings.base.source.engine().expect("a query source");
        let grouping = settings.selection.grouping();
        let sql = by_principal::build(
            &engine,
            &grouping,
            &settings.base.scope.window,
            regions,
            &keys(),
        );
        check_sql(name, &sql, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_real_query_with_every_map_key_parses() {
    let settings = settings(&words(
        "--role build-agent --from 2026-11-01 --to 2026-12-01 --athena db.trail",
    ));
    let keys = keys_from_maps();
    assert!(keys.len() > 100, "the maps read only {} keys", keys.len());
    for engine in [
        Engine::athena("db.trail", Layout::Projected).expect("valid"),
        Engine::Lake {
            store: "EXAMPLE".into(),
        },
    ] {
        let sql = build(
            &engine,
            settings.scope.principal.as_ref().expect("principal"),
            &settings.scope.window,
            &[],
            &keys,
        );
        let fleet = by_principal::build(
            &engine,
            &Default::default(),
            &settings.scope.window,
            &[],
            &keys,
        );
        for sql in [sql, fleet] {
            assert!(
                sql.len() < 256 * 1024,
                "Athena limits a query to 256 KB; this one is {}",
                sql.len()
            );
            parses(&sql).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The rows the engine would return, fed through the row path, give exactly the policy that reading every
/// event gives: the projection keeps what the maps need.
#[test]
fn aggregated_rows_give_the_same_policy_as_the_events() {
    let trail = root().join("examples/trail");
    let line = format!(
        "--role build-agent --from 2026-11-01 --to 2026-12-01 --logs {}",
        trail.display()
    );
    let direct = generate(&settings(&words(&line)));
    let records = aggregate::records_under(&trail);
    let principal = direct_principal(&line);
    let window = settings(&words(&line)).scope.window;
    let rows = aggregate::rows(&records, &principal, &window, &keys_from_maps());
    assert!(
        rows.len() < direct.stats.records_matched as usize / 2,
        "{} rows for {} events",
        rows.len(),
        direct.stats.records_matched
    );
    let scope = Scope {
        principal: None,
        ..settings(&words(&line)).scope
    };
    let decoder = Decoder::new(
        scope,
        policygen::pipeline::run_sink(&settings(&words(&line))),
    );
    let mut partial = decoder.fresh();
    let mut report = QueryReport::default();
    for (index, row) in rows.iter().enumerate() {
        feed(
            "rows",
            index,
            row.clone(),
            &decoder,
            &mut partial,
            &mut report,
        )
        .expect("well-formed row");
    }
    let via_rows =
        policygen::pipeline::conclude(&settings(&words(&line)), None, partial, Default::default());
    assert_eq!(via_rows.policy.to_json(), direct.policy.to_json());
    assert_eq!(via_rows.stats.records_matched, direct.stats.records_matched);
    assert_eq!(
        via_rows.usage.denied.keys().collect::<Vec<_>>(),
        direct.usage.denied.keys().collect::<Vec<_>>()
    );
}

fn direct_principal(line: &str) -> policygen::principal::PrincipalFilter {
    settings(&words(line)).scope.principal.expect("principal")
}

/// `fleet --print-sql` prints the fleet's one query, which parses, without credentials or `--out-dir`; with
/// another source it is a usage error.
#[test]
fn the_fleets_query_is_printed_without_running() {
    let out = super::support::policygen(&[
        "fleet",
        "--since",
        "30d",
        "--lake",
        "EXAMPLE-f852-4e8f",
        "--kind",
        "sso",
        "--print-sql",
    ]);
    let sql = super::support::text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        super::support::text(&out.stderr)
    );
    parses(&sql).expect("the printed query parses");
    assert!(
        sql.contains(" AS principal_name") && sql.contains("LIKE 'AWSReservedSSO\\_%'"),
        "{sql}"
    );

    let out = super::support::policygen(&[
        "fleet",
        "--since",
        "30d",
        "--logs",
        "examples/trail",
        "--print-sql",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        super::support::text(&out.stderr)
            .contains("`--print-sql` prints the query of `--athena` or `--lake`"),
        "{}",
        super::support::text(&out.stderr)
    );
}
