//! What Athena or CloudTrail Lake returns for policygen's query, computed locally from records: the same
//! filter, projection and GROUP BY as the SQL in `src/collector/query.rs`. Tests use it to check that the
//! rows carry everything the maps need, and to seed the emulator's query results.

use policygen::collector::query::{Keys, COLUMNS};
use policygen::event::Record;
use policygen::principal::PrincipalFilter;
use policygen::window::TimeWindow;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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
    let mut groups: BTreeMap<Vec<Option<String>>, Group> = BTreeMap::new();
    for value in records {
        let text = value.to_string();
        let Ok(record) = serde_json::from_str::<Record>(&text) else {
            continue;
        };
        if !principal.matches(&record) || !window.contains(record.time()) {
            continue;
        }
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
        let group = groups.entry(key).or_default();
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
    let rows: Vec<Vec<Option<String>>> = groups
        .into_iter()
        .map(|(mut key, g)| {
            key.extend([
                Some(g.count.to_string()),
                Some(g.first),
                Some(g.last),
                g.id,
                g.message,
                g.arn,
            ]);
            key
        })
        .collect();
    debug_assert!(rows.iter().all(|r| r.len() == COLUMNS.len()));
    rows
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
