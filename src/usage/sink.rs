//! The mapping sink: each record of the principal through the mapper, into the usage set, with the
//! diagnostics of what it could not map or bind. Failed calls are kept apart: denied ones for the summary
//! and the review, the others to be judged against the policy written (`verify`).

use super::{DeniedKey, Evidence, FailedCall, FailedKey, UsageKey, UsageSet};
use crate::collector::sink::{Origin, Sink, Weight};
use crate::event::{denied_action, is_access_denied, Record};
use crate::mapper::{EntryRef, Mapper, Outcome, Wildcard};
use crate::report::{Code, Diagnostics, Location, Severity, Stats};
use std::collections::BTreeSet;

#[derive(Default)]
pub struct MappingSink {
    mapper: Mapper,
    /// Grant failed calls too (`--include-denied`).
    include_denied: bool,
    pub usage: UsageSet,
    pub diagnostics: Diagnostics,
    /// The mapping counters: mapped, no permission, failed, unmapped.
    pub stats: Stats,
}

impl MappingSink {
    pub fn new(include_denied: bool) -> MappingSink {
        MappingSink {
            include_denied,
            ..MappingSink::default()
        }
    }

    /// What a call would have needed: its usage entries, or none when it does not map to any.
    fn needs(&self, record: &Record) -> BTreeSet<UsageKey> {
        let Outcome::Grants(grants) = self.mapper.map_record(record).outcome else {
            return BTreeSet::new();
        };
        grants
            .into_iter()
            .flat_map(|grant| {
                grant.resources.into_iter().map(move |resource| UsageKey {
                    action: grant.action.clone(),
                    resource,
                    region: record.region().to_string(),
                    facts: grant.facts.clone(),
                })
            })
            .collect()
    }

    /// A failed call: denied calls are listed (and granted only with `--include-denied`), other failures
    /// are judged later against the policy written. `true` when the call is to be granted anyway.
    fn failed(
        &mut self,
        record: &Record,
        code: &str,
        at: &Location,
        weight: Option<&Weight>,
    ) -> bool {
        let call = call(record);
        self.stats.records_failed_calls += weight.map_or(1, |w| w.count);
        if is_access_denied(code) {
            // The action the message names, else the one the call maps to, else the call itself.
            let message = record.error_message.as_deref().unwrap_or("");
            let action = denied_action(message)
                .map(str::to_string)
                .or_else(|| self.needs(record).into_iter().next().map(|k| k.action))
                .unwrap_or_else(|| call.clone());
            let key = DeniedKey {
                action: action.clone(),
                error_code: code.to_string(),
            };
            self.usage.add_denied(key, evidence(record, None, weight));
            if !self.include_denied {
                let why = format!("`{code}` for `{call}`: not granted (use `--include-denied` to grant denied calls)");
                self.diagnostics
                    .add(Code::DeniedCall, action, why, Some(at.clone()));
                return false;
            }
        } else if !self.include_denied {
            // Whether it is a warning depends on the policy written: a throttled call that also
            // succeeded is routine.
            let key = FailedKey {
                call,
                error_code: code.to_string(),
            };
            let failed = FailedCall {
                evidence: evidence(record, None, weight),
                needs: self.needs(record),
                first: Some(at.clone()),
            };
            self.usage.add_failed(key, failed);
            return false;
        }
        let why = format!("failed with `{code}`, granted by `--include-denied`");
        self.diagnostics
            .add(Code::DeniedCallGranted, call, why, Some(at.clone()));
        true
    }

    fn map(&mut self, record: &Record, at: &Location, weight: Option<&Weight>) {
        let events = weight.map_or(1, |w| w.count);
        let call = call(record);
        let mapping = self.mapper.map_record(record);
        let entry = mapping.entry.as_ref();
        let location = || Some(at.clone());
        let (code, why) = match mapping.outcome {
            Outcome::Grants(grants) if grants.is_empty() => {
                self.stats.records_unmapped += events;
                let why = format!(
                    "{} applies to no part of this record: the policy does not allow the call",
                    entry.map(ToString::to_string).unwrap_or_default()
                );
                (Code::UnsoundResult, why)
            }
            Outcome::Grants(grants) => {
                self.stats.records_mapped += events;
                // Grants that wait for what the principal's other records reveal are kept apart.
                let grants =
                    self.usage
                        .defer(grants, mapping.reveals, &call, record.region(), || {
                            (evidence(record, entry, weight), location())
                        });
                for grant in grants {
                    let wildcard = match &grant.wildcard {
                        Some(Wildcard::StarOnly) => Some((
                            Code::StarOnlyAction,
                            "the IAM catalogue lists no resource types for it".to_string(),
                        )),
                        Some(Wildcard::Unbound(why)) => Some((
                            Code::WildcardResource,
                            format!(
                                "{why} (`{call}`, {})",
                                entry.map(ToString::to_string).unwrap_or_default()
                            ),
                        )),
                        Some(Wildcard::Segment(why)) => Some((Code::WildcardSegment, why.clone())),
                        None => None,
                    };
                    if let Some((code, why)) = wildcard {
                        self.diagnostics
                            .add(code, grant.action.clone(), why, location());
                    }
                    for resource in grant.resources {
                        let key = UsageKey {
                            action: grant.action.clone(),
                            resource,
                            region: record.region().to_string(),
                            facts: grant.facts.clone(),
                        };
                        let repeated = weight.is_none()
                            && self.usage.add_repeat(&key, |existing| {
                                existing.add_event(
                                    record.time(),
                                    record.id(),
                                    entry,
                                    caller(record),
                                )
                            });
                        if !repeated {
                            self.usage.add(key, evidence(record, entry, weight));
                        }
                    }
                }
                return;
            }
            Outcome::NoPermission(why) => {
                self.stats.records_no_permission += events;
                (Code::NoPermissionNeeded, why)
            }
            Outcome::Internal(why) => {
                self.stats.records_no_permission += events;
                (Code::ServiceInternalEvent, why)
            }
            Outcome::Console(why) => {
                self.stats.records_no_permission += events;
                (Code::ConsoleEvent, why)
            }
            Outcome::Unmapped(why) => {
                self.stats.records_unmapped += events;
                (Code::UnmappedEvent, why)
            }
        };
        self.diagnostics.add(code, call, why, location());
    }
}

impl Sink for MappingSink {
    fn record(&mut self, record: &Record, origin: &Origin, weight: Option<&Weight>) {
        let at = origin.location(record.id());
        if let Some(code) = record.error_code.as_deref().filter(|c| !c.is_empty()) {
            if !self.failed(record, code, &at, weight) {
                return;
            }
        }
        self.map(record, &at, weight);
    }

    fn merge(&mut self, other: Self) {
        self.usage.merge(other.usage);
        self.diagnostics.merge(other.diagnostics);
        self.stats.merge(&other.stats);
    }

    fn fresh(&self) -> Self {
        MappingSink::new(self.include_denied)
    }

    fn locate(&mut self, record: &Record, origin: &Origin) {
        let mut copy = self.fresh();
        copy.record(record, origin, None);
        self.diagnostics.note_locations(copy.diagnostics);
        self.usage.note_locations(copy.usage);
    }

    fn incomplete(&self) -> bool {
        self.diagnostics.worst() == Some(Severity::Incomplete)
    }
}

/// `eventSource eventName`, the subject of a call's diagnostics.
fn call(record: &Record) -> String {
    format!("{} {}", record.source(), record.name())
}

fn caller<'r>(record: &'r Record) -> Option<&'r str> {
    record.user_identity.as_ref().and_then(|u| u.arn.as_deref())
}

fn evidence(record: &Record, entry: Option<&EntryRef>, weight: Option<&Weight>) -> Evidence {
    let mut evidence = Evidence::new(record.time(), record.id(), entry).in_session(caller(record));
    if let Some(weight) = weight {
        evidence.count = weight.count;
        evidence.last_seen.clone_from(&weight.last_seen);
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::MappingSink;
    use crate::collector::{Decoder, Scope};
    use crate::window::TimeWindow;

    /// An event of an unknown service under an unknown `eventVersion`, and a failed call.
    const LOG: &str = r#"{"Records":[
      {"eventVersion":"2.0","eventTime":"2026-11-05T10:00:00Z","eventSource":"nosuch.amazonaws.com",
       "eventName":"DoThing","eventID":"e1","awsRegion":"us-east-1","recipientAccountId":"111122223333",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u","accountId":"111122223333"}},
      {"eventVersion":"1.08","eventTime":"2026-11-05T10:01:00Z","eventSource":"s3.amazonaws.com",
       "eventName":"GetObject","eventID":"e2","errorCode":"SlowDown","awsRegion":"us-east-1",
       "recipientAccountId":"111122223333","requestParameters":{"bucketName":"b","key":"k"},
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u","accountId":"111122223333"}}]}"#;

    /// Every finding of the log read as two files, one worker, in `order`: code, subject, count, where.
    fn findings(order: [&str; 2]) -> Vec<String> {
        let scope = Scope {
            principal: None,
            window: TimeWindow::unbounded(),
            strict: false,
        };
        let decoder = Decoder::new(scope, MappingSink::new(false));
        let mut out = decoder.fresh();
        for name in order {
            decoder.read(name, LOG.as_bytes(), &mut out);
        }
        let place = |l: &Option<crate::report::Location>| {
            l.as_ref()
                .map(|l| format!("{} record {:?}", l.file, l.record))
        };
        let diagnostics = out.decoded.diagnostics.iter();
        let mut lines: Vec<String> = diagnostics
            .chain(out.sink.diagnostics.iter())
            .map(|d| {
                format!(
                    "{} {} x{} at {:?}",
                    d.code,
                    d.subject,
                    d.count,
                    place(&d.first)
                )
            })
            .collect();
        lines.extend(out.sink.usage.failed.iter().map(|(key, failed)| {
            let (call, count) = (&key.call, failed.evidence.count);
            format!("failed {call} x{count} at {:?}", place(&failed.first))
        }));
        lines.sort();
        lines
    }

    /// The later copy of a duplicate delivery read first is the one taken; what the event's findings name
    /// is still its earliest copy, so the report is the same whichever file a worker read first.
    #[test]
    fn a_duplicate_read_out_of_order_is_named_at_its_earliest_copy() {
        let in_order = findings(["a.json", "b.json"]);
        assert_eq!(findings(["b.json", "a.json"]), in_order);
        let named_b: Vec<&String> = in_order.iter().filter(|l| l.contains("b.json")).collect();
        assert!(
            named_b.iter().all(|l| l.starts_with("duplicate-event")),
            "{in_order:#?}"
        );
        assert!(
            in_order
                .iter()
                .any(|l| l.starts_with("unknown-event-version"))
                && in_order.iter().any(|l| l.starts_with("unmapped-event"))
                && in_order
                    .iter()
                    .any(|l| l.starts_with("failed s3.amazonaws.com GetObject x1")),
            "{in_order:#?}"
        );
    }
}
