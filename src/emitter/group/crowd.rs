//! Step 2 of the generalisation (`group`), the crowd rule: past `--max-resources` in one container, whole
//! components become `*`, the most variable place first, each step named.

use crate::names::{self, Item, Name};
use std::collections::{BTreeMap, BTreeSet};

/// One step of the crowd rule: a place became `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// A resource after the step, showing where the `*` went.
    pub example: String,
    /// How many distinct values the place had.
    pub distinct: usize,
    /// The first values, in sort order.
    pub values: Vec<String>,
    /// Whether any of them holds a word ([`names::has_word`]): stable names merged, not only identifiers.
    pub stable: bool,
}

/// The crowd rule in one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crowded {
    pub container: String,
    pub before: usize,
    pub after: usize,
    pub merges: Vec<Merge>,
}

/// The crowd rule: replaces whole components by `*`, the place with the most distinct values first (the
/// deeper one on a tie), until at most `threshold` resources are left. A place is a component index among
/// resources with the same number of components.
pub(super) fn crowd(mut members: Vec<Name>, threshold: usize) -> (Vec<Name>, Vec<Merge>) {
    let mut merges = Vec::new();
    while members.len() > threshold {
        let mut places: BTreeMap<(usize, usize), BTreeSet<Vec<Item>>> = BTreeMap::new();
        for m in &members {
            let components = m.components();
            for (index, (start, end)) in components.iter().enumerate().skip(1) {
                places
                    .entry((components.len(), index))
                    .or_default()
                    .insert(m.resource[*start..*end].to_vec());
            }
        }
        let best = places
            .iter()
            .filter(|(_, values)| values.len() > 1)
            .max_by_key(|((shape, index), values)| (values.len(), *index, usize::MAX - shape));
        let Some((&(shape, index), values)) = best else {
            // Only the depth differs: everything under the container.
            let values: BTreeSet<String> = members
                .iter()
                .filter_map(|m| {
                    let c = m.components();
                    c.get(1).map(|(s, e)| names::render(&m.resource[*s..*e]))
                })
                .collect();
            let first = &members[0];
            let (_, end) = first.components()[0];
            let mut resource = first.resource[..end].to_vec();
            resource.extend([
                first.resource.get(end).copied().unwrap_or(Item::Lit('/')),
                Item::Any,
            ]);
            let all = Name {
                resource,
                ..first.clone()
            };
            merges.push(Merge {
                example: all.render(),
                distinct: values.len(),
                stable: members.iter().any(|m| {
                    let c = m.components();
                    c.get(1)
                        .is_some_and(|(s, e)| names::has_word(&m.resource[*s..*e]))
                }),
                values: values.into_iter().take(3).collect(),
            });
            return (vec![all], merges);
        };
        let rendered: Vec<String> = values.iter().map(|v| names::render(v)).collect();
        let stable = values.iter().any(|v| names::has_word(v));
        let distinct = values.len();
        let mut next: BTreeMap<String, Name> = BTreeMap::new();
        for m in members {
            let components = m.components();
            let m = if components.len() == shape {
                let (start, end) = components[index];
                let mut resource = m.resource[..start].to_vec();
                resource.push(Item::Any);
                resource.extend_from_slice(&m.resource[end..]);
                Name { resource, ..m }
            } else {
                m
            };
            next.insert(m.render(), m);
        }
        members = next.into_values().collect();
        let example = members
            .iter()
            .find(|m| m.components().len() == shape)
            .map(Name::render)
            .unwrap_or_default();
        merges.push(Merge {
            example,
            distinct,
            values: rendered.into_iter().take(3).collect(),
            stable,
        });
    }
    (members, merges)
}
