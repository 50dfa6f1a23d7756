//! The shapes a log file comes in (`{"Records":[…]}`, a bare array, JSON lines, one record, LookupEvents
//! output, a digest), recognised by a streaming parse that keeps the records before any damage; and how a
//! file that holds no log is told from one that is damaged.

use crate::event::Record;
use memchr::memmem;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

pub const FOREIGN_RECORDS: &str =
    "JSON objects without any CloudTrail field (`eventVersion`, `eventSource`, `eventName`, `eventTime`): not a CloudTrail log";

/// Whether a file's bytes name any field every CloudTrail record has. Cheap on real logs: the first record
/// has them.
pub fn has_record_keys(body: &[u8]) -> bool {
    [
        &b"\"eventVersion\""[..],
        b"\"eventSource\"",
        b"\"eventName\"",
        b"\"eventTime\"",
    ]
    .iter()
    .any(|key| memmem::find(body, key).is_some())
}

/// Whether a file or key is named as CloudTrail names its log objects:
/// `<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<unique>.json[.gz]`.
pub fn is_trail_object(name: &str) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let parts: Vec<&str> = file.split('_').collect();
    parts.len() >= 5
        && parts[0].len() == 12
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && parts[1] == "CloudTrail"
        && super::s3::key_time(file).is_some()
        && (file.ends_with(".json.gz") || file.ends_with(".json"))
}

/// A parser error without the strings it quotes: serde names a string of the wrong type by its value
/// (`invalid type: string "..."`), and the strings of a record can be credentials or passwords.
pub fn redacted(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            // serde writes the value Debug-escaped: skip to its closing quote.
            let mut escaped = false;
            for c in chars.by_ref() {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    _ => {}
                }
            }
            out.push_str("…\"");
        }
    }
    out
}

pub enum Shape {
    Records,
    Single,
    JsonLines,
    LookupEvents(Vec<String>),
    Digest,
    Other,
}

/// What the top-level object of a JSON file told about its shape.
#[derive(Default)]
pub struct Top {
    has_records: bool,
    lookup_events: Option<Vec<String>>,
    digest: bool,
    record_fields: bool,
}

impl Top {
    pub fn shape(self) -> Shape {
        if self.has_records {
            Shape::Records
        } else if let Some(events) = self.lookup_events {
            Shape::LookupEvents(events)
        } else if self.digest {
            Shape::Digest
        } else if self.record_fields {
            Shape::Single
        } else {
            Shape::Other
        }
    }
}

/// Collects the raw records of an array into a vector owned by the caller, so that the records before a
/// syntax error survive it.
pub struct RecordsSeed<'s, 'de>(pub &'s mut Vec<&'de RawValue>);

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<&'de RawValue>()? {
            self.0.push(record);
        }
        Ok(())
    }
}

pub struct TopSeed<'s, 'de> {
    pub records: &'s mut Vec<&'de RawValue>,
    pub top: &'s mut Top,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(serde::Deserialize)]
struct LookupEvent {
    #[serde(rename = "CloudTrailEvent")]
    cloudtrail_event: Option<String>,
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "Records" => {
                    self.top.has_records = true;
                    map.next_value_seed(RecordsSeed(self.records))?;
                }
                "Events" => {
                    let events: Vec<LookupEvent> = map.next_value()?;
                    self.top.lookup_events = Some(
                        events
                            .into_iter()
                            .filter_map(|e| e.cloudtrail_event)
                            .collect(),
                    );
                }
                "digestPublicKeyFingerprint"
                | "digestSignatureAlgorithm"
                | "previousDigestS3Object" => {
                    self.top.digest = true;
                    map.next_value::<IgnoredAny>()?;
                }
                "eventVersion" | "eventName" | "eventSource" => {
                    self.top.record_fields = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Every record of a whole, valid CloudTrail object (`{"Records":[…]}` and nothing else, or a bare array of
/// records) in one pass; `None` for anything else, which is then split and read record by record. When
/// every record is wanted (a fleet, an index), splitting first walks the bytes twice.
pub fn whole_records(body: &[u8]) -> Option<Vec<Record<'_>>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let records = serde::Deserializer::deserialize_any(&mut de, Whole).ok()?;
    de.end().ok()?;
    Some(records)
}

struct Whole;

impl<'de> Visitor<'de> for Whole {
    type Value = Vec<Record<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let only_records = |key: Option<Cow<'de, str>>| key.is_some_and(|k| k == "Records");
        if !only_records(map.next_key()?) {
            return Err(serde::de::Error::custom("not a `Records` object"));
        }
        let records = map.next_value::<Vec<Record<'de>>>()?;
        match map.next_key::<Cow<'de, str>>()? {
            None => Ok(records),
            Some(_) => Err(serde::de::Error::custom("more than `Records`")),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Vec::<Record<'de>>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::{is_trail_object, redacted, whole_records};

    #[test]
    fn trail_object_names() {
        assert!(is_trail_object("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/111122223333_CloudTrail_us-east-1_20261102T1205Z_MVZFBwDgAWmKh7xj.json.gz"));
        assert!(is_trail_object(
            "111122223333_CloudTrail_eu-west-1_20261102T1205Z_x.json"
        ));
        assert!(!is_trail_object(
            "111122223333_CloudTrail-Digest_us-east-1_20261102T1205Z_x.json.gz"
        ));
        assert!(!is_trail_object("events.json.gz"));
        assert!(!is_trail_object(
            "1111_CloudTrail_us-east-1_20261102T1205Z_x.json.gz"
        ));
    }

    #[test]
    fn parser_errors_do_not_quote_the_input() {
        let e = serde_json::from_str::<Vec<u8>>(r#""a \" secret""#).expect_err("a string");
        assert_eq!(
            redacted(&e),
            "invalid type: string \"…\", expected a sequence at line 1 column 13"
        );
    }

    #[test]
    fn whole_objects_are_read_in_one_pass_and_anything_else_is_left_to_the_splitter() {
        let record = r#"{"eventVersion":"1.08","eventName":"ListBuckets","eventTime":"2026-11-01T00:00:00Z"}"#;
        let count = |text: String| whole_records(text.as_bytes()).map(|r| r.len());
        assert_eq!(
            count(format!(r#" {{"Records": [{record}, {record}]}} "#)),
            Some(2)
        );
        assert_eq!(count(format!("[{record}]")), Some(1));
        assert_eq!(count(r#"{"Records":[]}"#.to_string()), Some(0));
        // The splitter reads these record by record, naming what is wrong.
        for other in [
            format!(r#"{{"Records":[{record}],"More":1}}"#),
            format!(r#"{{"Other":1,"Records":[{record}]}}"#),
            format!(r#"{{"Records":[{record},7]}}"#),
            format!(r#"{{"Records":[{record},{{"eventName":5}}]}}"#),
            format!(r#"{{"Records":[{record}]}} trailing"#),
            format!(r#"{{"Records":[{record}]"#),
            record.to_string(),
        ] {
            assert_eq!(count(other.clone()), None, "{other}");
        }
        let mut invalid = format!(r#"{{"Records":[{record}]}}"#).into_bytes();
        invalid[30] = 0xff;
        assert!(whole_records(&invalid).is_none());
    }
}
