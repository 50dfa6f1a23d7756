//! What Athena or CloudTrail Lake returns for policygen's query, computed locally from records: the same
//! filter, projection and GROUP BY as the SQL in `src/collector/query/`. Tests use it to check that the
//! rows carry everything the maps need, and to seed the emulator's query results; the fleet's query too.

use policygen::collector::query::by_principal::FLEET_COLUMNS;
use policygen::collector::query::{Keys, COLUMNS};
use policygen::event::Record;
use policygen::principal::PrincipalFilter;
use policygen::window::{is_canonical, TimeWindow};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A row's columns, NULL as `None`.
type Row = Vec<Option<String>>;
/// The text of a time that is not CloudTrail's form, sorted as SQL sorts it (CloudTrail's, NULL, last).
type TimeText = (bool, Option<String>);

#[derive(Default)]
struct Group {
    count: u64,
    first: String,
    last: String,
    id: Option<String>,
    message: Option<String>,
    arn: Option<String>,
}

fn min_opt(slot: &mut Option<String>, value: Option<&str>) {
    if let Some(v) = value {
        if slot.as_deref().is_none_or(|s| v < s) {
            *slot = Some(v.to_string());
        }
    }
}

/// `json_format(CAST(map_filter(…, k IN keys) AS JSON))`: NULL for a missing body or one that is not an object.
fn project(body: Option<&Value>, keys: &Keys, which: &str) -> Option<String> {
    let Value::Object(map) = body? else {
        return None;
    };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| keys.contains(&(which, (*k).clone())))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if keys.iter().all(|(b, _)| *b != which) {
        return None;
    }
    Some(Value::Object(kept).to_string())
}

/// The result rows, in `COLUMNS` order, for every record of `principal` in `window`.
pub fn rows(
    records: &[Value],
    principal: &PrincipalFilter,
    window: &TimeWindow,
    keys: &Keys,
) -> Vec<Vec<Option<String>>> {
    aggregate(records, window, keys, |record, _| {
        principal.matches(record).then(Vec::new)
    })
}

/// The rows of the fleet's query, in `FLEET_COLUMNS` order: every role's and user's records in `window`,
/// grouped by principal as the SQL selects it (the identity type, the account, the session issuer's name or
/// the user name), sorted by principal.
pub fn fleet_rows(records: &[Value], window: &TimeWindow, keys: &Keys) -> Vec<Vec<Option<String>>> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let rows = aggregate(records, window, keys, |_, value| {
        let identity = value.get("userIdentity")?;
        let name = match identity.get("type")?.as_str()? {
            "AssumedRole" => identity.pointer("/sessionContext/sessionIssuer/userName"),
            "IAMUser" => identity.get("userName"),
            _ => return None,
        };
        Some(vec![
            text(identity.get("type")),
            text(identity.get("accountId")),
            text(name),
        ])
    });
    debug_assert!(rows.iter().all(|r| r.len() == FLEET_COLUMNS.len()));
    rows
}

/// The aggregation of the records `by` selects (giving the extra columns they are grouped by, which come
/// after [`COLUMNS`] and sort first).
fn aggregate(
    records: &[Value],
    window: &TimeWindow,
    keys: &Keys,
    by: impl Fn(&Record, &Value) -> Option<Vec<Option<String>>>,
) -> Vec<Vec<Option<String>>> {
    // (the extra columns, the call, an `eventtime` that is not CloudTrail's form) → the aggregates.
    let mut groups: BTreeMap<(Row, Row, TimeText), Group> = BTreeMap::new();
    for value in records {
        let text = value.to_string();
        let Ok(record) = serde_json::from_str::<Record>(&text) else {
            continue;
        };
        // CloudTrail's form of time is compared in SQL; any other text comes back in a row of its own.
        let time = record.event_time.as_deref();
        let as_is = match time {
            Some(time) if is_canonical(time) => None,
            other => Some(other.unwrap_or_default().to_string()),
        };
        if as_is.is_none() && !window.contains(record.time()) {
            continue;
        }
        let Some(extra) = by(&record, value) else {
            continue;
        };
        let s = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
        let resources = value
            .get("resources")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|r| {
                        serde_json::json!({"ARN": r.get("ARN"), "type": r.get("type")}).to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            });
        let key = vec![
            s("eventSource"),
            s("eventName"),
            s("eventType"),
            s("awsRegion"),
            s("recipientAccountId"),
            s("errorCode"),
            project(value.get("requestParameters"), keys, "req"),
            project(value.get("responseElements"), keys, "resp"),
            project(value.get("additionalEventData"), keys, "add"),
            resources,
        ];
        // Ordered as the SQL orders the text of a time: CloudTrail's (NULL) last.
        let group = groups
            .entry((extra, key, (as_is.is_none(), as_is)))
            .or_default();
        let time = record.time().to_string();
        if group.count == 0 || time < group.first {
            group.first.clone_from(&time);
        }
        if time > group.last {
            group.last = time;
        }
        group.count += 1;
        min_opt(&mut group.id, Some(record.id()).filter(|i| !i.is_empty()));
        min_opt(&mut group.message, record.error_message.as_deref());
        min_opt(
            &mut group.arn,
            record.user_identity.as_ref().and_then(|u| u.arn.as_deref()),
        );
    }
    groups
        .into_iter()
        .map(|((extra, mut row, _), g)| {
            row.extend([
                Some(g.count.to_string()),
                Some(g.first),
                Some(g.last),
                g.id,
                g.message,
                g.arn,
            ]);
            debug_assert_eq!(row.len(), COLUMNS.len());
            row.extend(extra);
            row
        })
        .collect()
}

/// Every record of the files under `dir` (CloudTrail's `{"Records": [...]}` objects, gzip or not).
pub fn records_under(dir: &std::path::Path) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                stack.push(entry.path());
            }
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let mut text = Vec::new();
        if bytes.starts_with(&[0x1f, 0x8b]) {
            use std::io::Read;
            if flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut text)
                .is_err()
            {
                continue;
            }
        } else {
            text = bytes;
        }
        if let Ok(Value::Object(top)) = serde_json::from_slice::<Value>(&text) {
            if let Some(Value::Array(records)) = top.get("Records") {
                out.extend(records.iter().cloned());
            }
        }
    }
    out
}
