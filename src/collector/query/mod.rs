//! SQL for the engines that scan CloudTrail where it lives: Amazon Athena over the trail bucket and
//! CloudTrail Lake. The principal, the window and the aggregation are pushed down, so the engine returns one
//! row per distinct call (with counts and first/last seen) instead of every event. Request, response and
//! additional data are projected down to the top-level keys some service map reads: unique values no map
//! needs (client tokens, timestamps) would otherwise make every event its own row.
//! Pure: building the text and reading rows back; running the query is `athena.rs` / `lake.rs`.

pub mod by_principal;
mod predicate;

use super::sink::Weight;
use crate::event::{Record, UserIdentity};
use crate::principal::PrincipalFilter;
use crate::window::TimeWindow;
use chrono::{Duration, SecondsFormat};
use predicate::{like, list, lit, principal_predicate, ACCOUNT};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Where the events are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// An Athena table over the trail bucket, in the documented CloudTrail schema (`database.table`).
    Athena {
        database: String,
        table: String,
        layout: Layout,
    },
    /// A CloudTrail Lake event data store, by ID.
    Lake { store: String },
}

/// How the Athena table is partitioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Partition projection by `region` and `timestamp` (`yyyy/MM/dd`), as `policygen athena-ddl` writes it.
    Projected,
    /// No partitions: every query scans the whole table.
    Plain,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("`{0}` is not a table: use `database.table` (letters, digits, `_`)")]
    BadTable(String),
    #[error("`{0}` is not an event data store ID or ARN")]
    BadStore(String),
}

impl Engine {
    pub fn athena(name: &str, layout: Layout) -> Result<Engine, QueryError> {
        let (database, table) = table_name(name)?;
        Ok(Engine::Athena {
            database,
            table,
            layout,
        })
    }

    /// An ID (`EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE`) or an ARN ending in `eventdatastore/ID`.
    pub fn lake(store: &str) -> Result<Engine, QueryError> {
        Ok(Engine::Lake {
            store: store_id(store)?,
        })
    }
}

/// `database.table` (letters, digits, `_`), split in two.
pub fn table_name(name: &str) -> Result<(String, String), QueryError> {
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match name.split_once('.') {
        Some((database, table)) if valid(database) && valid(table) => {
            Ok((database.to_string(), table.to_string()))
        }
        _ => Err(QueryError::BadTable(name.to_string())),
    }
}

/// The ID of an event data store given by ID or ARN.
pub fn store_id(store: &str) -> Result<String, QueryError> {
    let id = store.rsplit('/').next().unwrap_or(store);
    let arn_ok =
        !store.contains('/') || store.starts_with("arn:") && store.contains(":eventdatastore/");
    if arn_ok && !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(id.to_string())
    } else {
        Err(QueryError::BadStore(store.to_string()))
    }
}

/// The top-level keys the maps read, per body (`req`, `resp`, `add`).
pub type Keys = BTreeSet<(&'static str, String)>;

/// Every key any service map reads.
pub fn keys_from_maps() -> Keys {
    let registry = crate::mapper::catalogue::Registry::embedded();
    registry
        .prefixes()
        .into_iter()
        .filter_map(|prefix| registry.service(prefix)?.ok())
        .flat_map(|service| service.keys_read())
        .collect()
}

/// A SQL string literal.
/// A body projected to the keys the maps read, as a JSON text (NULL when the record has none).
fn projection(engine: &Engine, column: &str, body: &str, keys: &Keys) -> String {
    let wanted: Vec<&str> = keys
        .iter()
        .filter(|(b, _)| *b == body)
        .map(|(_, k)| k.as_str())
        .collect();
    if wanted.is_empty() {
        return "CAST(NULL AS VARCHAR)".to_string();
    }
    let filter = format!("(k, v) -> contains(ARRAY[{}], k)", list(&wanted));
    match engine {
        // Athena keeps the bodies as JSON text; TRY keeps a body that is not an object from failing the query.
        Engine::Athena { .. } => format!(
            "TRY(json_format(CAST(map_filter(CAST(json_parse({column}) AS MAP(VARCHAR, JSON)), {filter}) AS JSON)))"
        ),
        // Lake keeps them as maps of strings.
        Engine::Lake { .. } => format!("json_format(CAST(map_filter({column}, {filter}) AS JSON))"),
    }
}

/// The aggregation query for one principal and window.
pub fn build(
    engine: &Engine,
    principal: &PrincipalFilter,
    window: &TimeWindow,
    regions: &[String],
    keys: &Keys,
) -> String {
    let about = "the distinct calls of one principal in [from, to), with counts";
    aggregation(
        engine,
        about,
        principal_predicate(principal),
        &[],
        window,
        regions,
        keys,
    )
}

/// The distinct calls of the principals `predicates` select, in `window`, grouped by the call and by the
/// columns `by` (`expression AS name`, after [`COLUMNS`]) first, ordered by `by` first.
fn aggregation(
    engine: &Engine,
    about: &str,
    mut predicates: Vec<String>,
    by: &[String],
    window: &TimeWindow,
    regions: &[String],
    keys: &Keys,
) -> String {
    let mut sql = String::new();
    let resources = "array_join(transform(resources, r -> json_format(CAST(MAP(ARRAY['ARN', 'type'], ARRAY[r.arn, r.type]) AS JSON))), ',')";
    let (first, last, from) = match engine {
        Engine::Athena {
            database, table, ..
        } => (
            "coalesce(min(eventtime), '')",
            "max(eventtime)",
            format!("\"{database}\".\"{table}\""),
        ),
        Engine::Lake { store } => (
            "to_iso8601(min(eventtime))",
            "to_iso8601(max(eventtime))",
            store.clone(),
        ),
    };
    let _ = writeln!(sql, "-- policygen: {about}");
    let _ = writeln!(sql, "SELECT");
    let mut columns = vec![
        "eventsource".to_string(),
        "eventname".to_string(),
        "eventtype".to_string(),
        "awsregion".to_string(),
        "recipientaccountid".to_string(),
        "errorcode".to_string(),
        format!(
            "{} AS request",
            projection(engine, "requestparameters", "req", keys)
        ),
        format!(
            "{} AS response",
            projection(engine, "responseelements", "resp", keys)
        ),
        format!(
            "{} AS additional",
            projection(engine, "additionaleventdata", "add", keys)
        ),
        format!("{resources} AS resources"),
        "count(*) AS events".to_string(),
        format!("{first} AS first_seen"),
        format!("{last} AS last_seen"),
        "min(eventid) AS sample_event_id".to_string(),
        "min(errormessage) AS error_message".to_string(),
        "min(useridentity.arn) AS principal_arn".to_string(),
    ];
    columns.extend(by.iter().cloned());
    let _ = writeln!(sql, "  {}", columns.join(",\n  "));
    let _ = writeln!(sql, "FROM {from}");
    match engine {
        Engine::Athena { layout, .. } => {
            let key =
                |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
            // Athena's `eventtime` is the record's text. CloudTrail's form compares as bytes, as a run over
            // the logs compares it; any other text comes back as it is, in a row of its own (`PLACED_AS_IS`),
            // for policygen to place or report as the logs would, never to fall out of the window unseen.
            predicates.push(format!(
                "CASE WHEN {CANONICAL_TIME} THEN eventtime >= {} AND eventtime < {} ELSE true END",
                lit(&key(window.from)),
                lit(&key(window.to))
            ));
            if *layout == Layout::Projected {
                // Objects land in the folder of their delivery day, up to a day after the event.
                let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y/%m/%d").to_string();
                predicates.push(format!(
                    "\"timestamp\" BETWEEN {} AND {}",
                    lit(&day(window.from)),
                    lit(&day(window.to + Duration::days(1)))
                ));
                if !regions.is_empty() {
                    predicates.push(format!("region IN ({})", list(regions)));
                }
            }
        }
        Engine::Lake { .. } => {
            let stamp =
                |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
            predicates.push(format!(
                "eventtime >= timestamp {}",
                lit(&stamp(window.from))
            ));
            predicates.push(format!("eventtime < timestamp {}", lit(&stamp(window.to))));
        }
    }
    if !regions.is_empty() {
        predicates.push(format!("awsregion IN ({})", list(regions)));
    }
    let _ = writeln!(sql, "WHERE {}", predicates.join("\n  AND "));
    let call: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    let extra: Vec<String> = (1..=by.len())
        .map(|i| (COLUMNS.len() + i).to_string())
        .collect();
    let as_is = PLACED_AS_IS.to_string();
    let own_time = matches!(engine, Engine::Athena { .. }).then_some(&as_is);
    let group: Vec<&String> = call.iter().chain(&extra).chain(own_time).collect();
    // The rows of one call apart by their time's text come in one order too: a finding names its first row.
    let order: Vec<&String> = extra.iter().chain(&call).chain(own_time).collect();
    let joined = |list: &[&String]| {
        list.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(sql, "GROUP BY {}", joined(&group));
    let _ = writeln!(sql, "ORDER BY {}", joined(&order));
    sql
}

/// An `eventtime` in the form CloudTrail writes (`window::is_canonical`): fixed width, so bytes compare as times.
macro_rules! canonical_time {
    () => {
        r"regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z')"
    };
}
const CANONICAL_TIME: &str = canonical_time!();

/// Groups CloudTrail's times together and every other `eventtime` text (or none) apart, so a row's
/// `first_seen` is that text and policygen places the row as it places a record.
const PLACED_AS_IS: &str = concat!(
    "CASE WHEN ",
    canonical_time!(),
    " THEN NULL ELSE coalesce(eventtime, '') END"
);

/// The columns of a result row, by the names `build` gives them.
pub const COLUMNS: [&str; 16] = [
    "eventsource",
    "eventname",
    "eventtype",
    "awsregion",
    "recipientaccountid",
    "errorcode",
    "request",
    "response",
    "additional",
    "resources",
    "events",
    "first_seen",
    "last_seen",
    "sample_event_id",
    "error_message",
    "principal_arn",
];

/// One result row, owned; the record it stands for is borrowed from it, without writing it as JSON first.
pub struct Row {
    columns: Vec<Option<String>>,
    request: Option<Box<RawValue>>,
    response: Option<Box<RawValue>>,
    additional: Option<Box<RawValue>>,
    /// The row's `resources` as a JSON array.
    resources: Option<String>,
    /// How many events the row stands for, and the last of them.
    pub weight: Weight,
}

impl Row {
    /// A row in the order of [`COLUMNS`]; `None` without its call or its count.
    pub fn new(columns: Vec<Option<String>>) -> Option<Row> {
        let get = |name: &str| {
            COLUMNS
                .iter()
                .position(|c| *c == name)
                .and_then(|i| columns.get(i))
                .and_then(|v| v.as_deref())
        };
        get("eventsource")?;
        get("eventname")?;
        let count = get("events")?.parse::<u64>().ok()?;
        let first = get("first_seen")?;
        let weight = Weight {
            count,
            last_seen: get("last_seen").unwrap_or(first).to_string(),
        };
        let resources = get("resources")
            .filter(|list| !list.is_empty())
            .map(|list| format!("[{list}]"));
        Some(Row {
            request: body(get("request")),
            response: body(get("response")),
            additional: body(get("additional")),
            resources,
            weight,
            columns,
        })
    }

    fn get(&self, name: &str) -> Option<&str> {
        COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|i| self.columns.get(i))
            .and_then(|v| v.as_deref())
    }

    /// The record the row stands for: its first event's time and a sample eventID.
    pub fn record(&self) -> Record<'_> {
        let text = |name: &str| self.get(name).map(Cow::Borrowed);
        Record {
            event_version: Some(Cow::Borrowed("1.08")),
            // Athena's `''` for a record without `eventTime` (see `PLACED_AS_IS`).
            event_time: text("first_seen").filter(|time| !time.is_empty()),
            event_source: text("eventsource"),
            event_name: text("eventname"),
            event_type: text("eventtype"),
            event_id: text("sample_event_id"),
            aws_region: text("awsregion"),
            recipient_account_id: text("recipientaccountid"),
            error_code: text("errorcode"),
            error_message: text("error_message"),
            user_identity: Some(UserIdentity {
                arn: text("principal_arn"),
                ..UserIdentity::default()
            }),
            request_parameters: self.request.as_deref(),
            response_elements: self.response.as_deref(),
            additional_event_data: self.additional.as_deref(),
            resources: self
                .resources
                .as_deref()
                .and_then(|list| serde_json::from_str(list).ok()),
        }
    }
}

/// A request or response body of a row. Lake returns nested values as strings of JSON: those are parsed
/// back (the one rewrite a body needs); Athena's `json_format` text is used as it is.
fn body(text: Option<&str>) -> Option<Box<RawValue>> {
    let text = text?;
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let nested = |v: &Value| matches!(v, Value::String(s) if s.starts_with(['{', '[']));
    if !map.values().any(nested) {
        return RawValue::from_string(text.to_string()).ok();
    }
    let map: Map<String, Value> = map
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) if s.starts_with(['{', '[']) => {
                let parsed = serde_json::from_str(&s).unwrap_or(Value::String(s));
                (k, parsed)
            }
            other => (k, other),
        })
        .collect();
    serde_json::value::to_raw_value(&map).ok()
}

/// `policygen athena-ddl`: a CREATE TABLE for a trail's logs in one account, partition-projected by region
/// and day, in the column layout AWS documents for CloudTrail.
pub fn athena_ddl(table: &str, location: &str, regions: &[String], since: &str) -> String {
    let location = location.trim_end_matches('/');
    format!(
        "CREATE EXTERNAL TABLE {table} (
  eventversion STRING,
  useridentity STRUCT<
    type: STRING, principalid: STRING, arn: STRING, accountid: STRING, invokedby: STRING,
    accesskeyid: STRING, username: STRING,
    onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING, STRING>>>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  eventcategory STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
)
COMMENT 'CloudTrail logs, partition-projected by region and day (written by policygen athena-ddl)'
PARTITIONED BY (region STRING, `timestamp` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '{location}/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.region.type' = 'enum',
  'projection.region.values' = '{regions}',
  'projection.timestamp.type' = 'date',
  'projection.timestamp.format' = 'yyyy/MM/dd',
  'projection.timestamp.range' = '{since},NOW',
  'projection.timestamp.interval' = '1',
  'projection.timestamp.interval.unit' = 'DAYS',
  'storage.location.template' = '{location}/${{region}}/${{timestamp}}'
);
",
        regions = regions.join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::parse_time;

    #[test]
    fn literals_and_globs_are_escaped() {
        assert_eq!(lit("o'brien"), "'o''brien'");
        assert_eq!(like("gh-*_x%?"), "gh-%\\_x\\%_");
    }

    #[test]
    fn engines_validate_names() {
        assert!(Engine::athena("db.cloudtrail_logs", Layout::Plain).is_ok());
        assert!(Engine::athena("db.t; DROP TABLE x", Layout::Plain).is_err());
        assert!(Engine::athena("table", Layout::Plain).is_err());
        assert_eq!(
            Engine::lake(
                "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f"
            )
            .ok(),
            Some(Engine::Lake {
                store: "EXAMPLE-f852-4e8f".into()
            })
        );
        assert!(Engine::lake("x'; --").is_err());
    }

    #[test]
    fn rows_become_weighted_records() {
        let mut row: Vec<Option<String>> = vec![None; COLUMNS.len()];
        let set = |row: &mut Vec<Option<String>>, name: &str, value: &str| {
            let i = COLUMNS.iter().position(|c| *c == name).expect("column");
            row[i] = Some(value.to_string());
        };
        set(&mut row, "eventsource", "dynamodb.amazonaws.com");
        set(&mut row, "eventname", "TransactWriteItems");
        set(
            &mut row,
            "request",
            r#"{"transactItems":"[{\"put\":{\"tableName\":\"t\"}}]"}"#,
        );
        set(
            &mut row,
            "resources",
            r#"{"ARN":"arn:aws:dynamodb:us-east-1:1:table/t","type":"AWS::DynamoDB::Table"}"#,
        );
        set(&mut row, "events", "42");
        set(&mut row, "first_seen", "2026-11-01T00:00:00Z");
        set(&mut row, "last_seen", "2026-11-20T00:00:00Z");
        let row = Row::new(row).expect("complete row");
        let record = row.record();
        let request: serde_json::Value =
            serde_json::from_str(record.request_parameters.expect("a request").get())
                .expect("json");
        assert_eq!(request["transactItems"][0]["put"]["tableName"], "t");
        let resources = record.resources.as_ref().expect("resources");
        let kind = resources[0].resource().and_then(|r| r.kind.as_deref());
        assert_eq!(kind, Some("AWS::DynamoDB::Table"));
        assert_eq!(record.time(), "2026-11-01T00:00:00Z");
        assert_eq!(row.weight.count, 42);
        assert_eq!(row.weight.last_seen, "2026-11-20T00:00:00Z");
        let window = TimeWindow::new(
            parse_time("2026-11-01").expect("t"),
            parse_time("2026-12-01").expect("t"),
        );
        assert!(window.is_ok());
    }
}
