//! Step 1 of the generalisation (`group`): which per-run identifiers become `*`, decided place by place
//! from the left.

use super::Seen;
use crate::names::{self, IdKind, Name, Span};
use std::collections::{BTreeMap, BTreeSet};

/// One observed resource on its way to a pattern.
pub(super) struct Parsed {
    pub(super) original: String,
    pub(super) name: Name,
    pub(super) spans: Vec<Span>,
    /// Whether each of `spans` becomes `*`, decided place by place from the left.
    pub(super) chosen: Vec<bool>,
}

impl Parsed {
    fn chosen_spans(&self, upto: usize) -> Vec<Span> {
        self.spans[..upto]
            .iter()
            .zip(&self.chosen)
            .filter(|(_, chosen)| **chosen)
            .map(|(span, _)| *span)
            .collect()
    }

    /// The resource before span `index`, with the identifiers chosen so far as `*`: where the span is.
    fn context(&self, index: usize) -> String {
        let before = Name {
            head: self.name.head.clone(),
            resource: self.name.resource[..self.spans[index].start].to_vec(),
            s3: self.name.s3,
        };
        let general = names::generalise(&before, &self.chosen_spans(index));
        format!("{}{}", before.head, names::render(&general))
    }

    pub(super) fn pattern(&self) -> Name {
        Name {
            head: self.name.head.clone(),
            resource: names::generalise(&self.name, &self.chosen_spans(self.spans.len())),
            s3: self.name.s3,
        }
    }
}

/// Decides, place by place from the left, which identifiers become `*`. A place is the resource before the
/// span (with the places to its left already decided) and the span's kind.
pub(super) fn decide(
    parsed: &mut [Parsed],
    observed: &BTreeMap<String, Seen>,
    created: &BTreeSet<String>,
) {
    let rounds = parsed.iter().map(|p| p.spans.len()).max().unwrap_or(0);
    for round in 0..rounds {
        let mut places: BTreeMap<(String, IdKind), Vec<usize>> = BTreeMap::new();
        for (i, p) in parsed.iter().enumerate() {
            if let Some(span) = p.spans.get(round) {
                places
                    .entry((p.context(round), span.kind))
                    .or_default()
                    .push(i);
            }
        }
        for ((_, kind), members) in places {
            // A resource's whole ID of a type the principal does not create: a key, a pool, a detector the
            // run was pointed at, still there for the next one.
            let pointed_at = members.iter().all(|&i| {
                let p = &parsed[i];
                whole_id(&p.name, p.spans[round]) && !created.contains(&p.name.container())
            });
            // A hex ID is a digest or a commit by nature, except as the whole ID of a resource other than an S3
            // object (a GuardDuty detector, a Cloud9 environment): then the evidence decides, as for a UUID.
            let resource_id =
                kind == IdKind::Hex && pointed_at && members.iter().all(|&i| !parsed[i].name.s3);
            let per_run = (kind.always() && !resource_id) || {
                let mut values: BTreeMap<String, Seen> = BTreeMap::new();
                for &i in &members {
                    let p = &parsed[i];
                    let span = p.spans[round];
                    let value = names::render(&p.name.resource[span.start..span.end]);
                    let seen = &observed[&p.original];
                    match values.get_mut(&value) {
                        Some(existing) => existing.merge(seen),
                        None => {
                            values.insert(value, seen.clone());
                        }
                    }
                }
                let first = values.values().map(|s| s.first_day.as_str()).min();
                let turnover = values.values().any(|v| Some(v.first_day.as_str()) > first);
                let once = values.values().any(|v| !v.recurs());
                // A token that is not an identifier by its shape needs many values to be one.
                let many = kind != IdKind::Varying || values.len() >= 3;
                many && (turnover || (once && !pointed_at))
            };
            for i in members {
                parsed[i].chosen.push(per_run);
            }
        }
    }
}

/// Whether a span is a resource's whole ID: it starts the component after the resource type (`key/…`,
/// `subnet/…`; after `/restapis/` for API Gateway, whose resource part starts with `/`) and ends with a
/// component (`identitypool/us-east-1:<UUID>` spans two).
fn whole_id(name: &Name, span: Span) -> bool {
    let components = name.components();
    let leading_slash = components.first().is_some_and(|(start, end)| start == end);
    let at = usize::from(leading_slash) + 1;
    components
        .get(at)
        .is_some_and(|&(start, _)| start == span.start)
        && components[at..].iter().any(|&(_, end)| end == span.end)
}
