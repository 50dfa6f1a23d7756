//! From the resources one action was used on to the resources its statement names. Two steps:
//!
//! 1. **Per-run identifiers become `*`** ([`names::identifiers`] finds them). Dates, timestamps, hex IDs and
//!    parts of the session name always do: the next run or period brings a new one. UUIDs, AWS resource
//!    IDs, numbers and random IDs do unless the evidence shows long-lived resources: every value at that
//!    place was there from the first day and was used again (on another day or in another session), such as
//!    a KMS key or the subnet every build launches into. A value first seen later (turnover) makes the place
//!    per-run; so does a value seen in one run only, except a resource's whole ID (`key/…`, `subnet/…`) of a
//!    type the principal does not create: a key a run was pointed at is still there for the next one.
//! 2. **The crowd rule**: past `--max-resources` in one container (a bucket, a resource type), whole
//!    components become `*`, one place at a time, the one with the most distinct values first, and each
//!    step names the values it merged.
//!
//! Stable words (buckets, prefixes, log groups, tables, stacks, environments) never become `*` in step 1.

use crate::names::{self, IdKind, Item, Name, Span};
use crate::usage::Evidence;
use std::collections::{BTreeMap, BTreeSet};

/// What the usage set shows about one resource of an action: the UTC days it was first and last used, and
/// the first session names that used it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub first_day: String,
    pub last_day: String,
    pub sessions: BTreeSet<String>,
}

impl Seen {
    pub fn of(evidence: &Evidence) -> Seen {
        let day = |time: &str| time.get(..10).unwrap_or(time).to_string();
        Seen {
            first_day: day(&evidence.first_seen),
            last_day: day(&evidence.last_seen),
            sessions: evidence.sessions.clone(),
        }
    }

    pub fn merge(&mut self, other: &Seen) {
        if other.first_day < self.first_day {
            self.first_day.clone_from(&other.first_day);
        }
        if other.last_day > self.last_day {
            self.last_day.clone_from(&other.last_day);
        }
        crate::usage::keep_first(&mut self.sessions, &other.sessions, crate::usage::SESSIONS);
    }

    /// Used again after its first run: on another day, or by another session.
    fn recurs(&self) -> bool {
        self.first_day != self.last_day || self.sessions.len() > 1
    }
}

/// The identifiers of one kind that became `*` in a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub distinct: usize,
    /// The first two, in sort order.
    pub examples: BTreeSet<String>,
}

/// One resource of the statement and what was observed behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// The observed resources it stands for.
    pub observed: usize,
    /// The first observed resources, in sort order.
    pub examples: BTreeSet<String>,
    /// The per-run identifiers that became `*`, by kind.
    pub identifiers: BTreeMap<IdKind, Values>,
}

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

/// The resources of one statement and how they came about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generalisation {
    /// Resource → what it stands for. Exact resources stand for themselves.
    pub resources: BTreeMap<String, Written>,
    pub crowded: Vec<Crowded>,
}

/// One observed resource on its way to a pattern.
struct Parsed {
    original: String,
    name: Name,
    spans: Vec<Span>,
    /// Whether each of `spans` becomes `*`, decided place by place from the left.
    chosen: Vec<bool>,
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

    fn pattern(&self) -> Name {
        Name {
            head: self.name.head.clone(),
            resource: names::generalise(&self.name, &self.chosen_spans(self.spans.len())),
            s3: self.name.s3,
        }
    }
}

/// Generalises the resources one action (with one set of conditions) was used on. `exact` keeps every
/// observed name.
/// `created` holds the containers (`arn:aws:ec2:us-east-1:1:instance`) the principal creates resources in:
/// its calls name `container/*`, as `ec2:RunInstances` does for the instance it launches.
pub fn generalise(
    observed: &BTreeMap<String, Seen>,
    max_resources: usize,
    exact: bool,
    created: &BTreeSet<String>,
) -> Generalisation {
    let mut parsed: Vec<Parsed> = observed
        .iter()
        .map(|(resource, seen)| {
            let name = Name::parse(resource);
            let sessions: Vec<String> = seen.sessions.iter().cloned().collect();
            let spans = if exact {
                Vec::new()
            } else {
                names::identifiers(&name.resource, &sessions)
            };
            Parsed {
                original: resource.clone(),
                name,
                spans,
                chosen: Vec::new(),
            }
        })
        .collect();
    decide(&mut parsed, observed, created);

    let mut written: BTreeMap<String, (Name, Written)> = BTreeMap::new();
    for p in &parsed {
        let pattern = p.pattern();
        let entry = written
            .entry(pattern.render())
            .or_insert_with(|| (pattern, Written::default()));
        for (span, _) in p.spans.iter().zip(&p.chosen).filter(|(_, c)| **c) {
            let value = names::render(&p.name.resource[span.start..span.end]);
            entry
                .1
                .identifiers
                .entry(span.kind)
                .or_default()
                .examples
                .insert(value);
        }
    }
    // Distinct values per kind, then keep two examples.
    for (_, w) in written.values_mut() {
        for values in w.identifiers.values_mut() {
            values.distinct = values.examples.len();
            while values.examples.len() > 2 {
                values.examples.pop_last();
            }
        }
    }

    let mut names: Vec<Name> = written.values().map(|(n, _)| n.clone()).collect();
    names = without_covered(names);
    let mut crowded = Vec::new();
    if !exact {
        let mut by_container: BTreeMap<String, Vec<Name>> = BTreeMap::new();
        for name in names {
            by_container.entry(name.container()).or_default().push(name);
        }
        names = Vec::new();
        for (container, members) in by_container {
            if members.len() <= max_resources || container.is_empty() {
                names.extend(members);
                continue;
            }
            let before = members.len();
            let (after, merges) = crowd(members, max_resources);
            crowded.push(Crowded {
                container,
                before,
                after: after.len(),
                merges,
            });
            names.extend(after);
        }
        names = without_covered(names);
    }

    // What each resource of the statement stands for.
    let mut resources: BTreeMap<String, Written> = BTreeMap::new();
    let rendered: BTreeMap<String, &Name> = names.iter().map(|n| (n.render(), n)).collect();
    let wild: Vec<(&String, &&Name)> = rendered
        .iter()
        .filter(|(_, n)| n.resource.iter().any(|i| !matches!(i, Item::Lit(_))))
        .collect();
    for p in &parsed {
        let pattern = p.pattern();
        let text = pattern.render();
        let resource = match rendered.get_key_value(&text) {
            Some((resource, _)) => resource,
            None => match wild.iter().find(|(_, n)| covers(n, &pattern)) {
                Some((resource, _)) => *resource,
                None => continue,
            },
        };
        let entry = resources.entry(resource.clone()).or_default();
        entry.observed += 1;
        crate::usage::keep_first(
            &mut entry.examples,
            &BTreeSet::from([p.original.clone()]),
            3,
        );
        if let Some((_, w)) = written.get(&text) {
            for (kind, values) in &w.identifiers {
                let mine = entry.identifiers.entry(*kind).or_default();
                mine.distinct = mine.distinct.max(values.distinct);
                crate::usage::keep_first(&mut mine.examples, &values.examples, 2);
            }
        }
    }
    for text in rendered.into_keys() {
        resources.entry(text).or_default();
    }
    Generalisation { resources, crowded }
}

/// Decides, place by place from the left, which identifiers become `*`. A place is the resource before the
/// span (with the places to its left already decided) and the span's kind.
fn decide(parsed: &mut [Parsed], observed: &BTreeMap<String, Seen>, created: &BTreeSet<String>) {
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
            let per_run = kind.always() || {
                let mut values: BTreeMap<String, Seen> = BTreeMap::new();
                let mut pointed_at = true;
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
                    let whole_id = p.name.components().get(1) == Some(&(span.start, span.end));
                    pointed_at &= whole_id && !created.contains(&p.name.container());
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

/// Whether every resource `specific` matches is matched by `general` (same head; `*` and `?` of `general`
/// are wildcards, those of `specific` match only a `*` of `general`).
pub fn covers(general: &Name, specific: &Name) -> bool {
    general.head == specific.head && covers_items(&general.resource, &specific.resource)
}

fn covers_items(general: &[Item], specific: &[Item]) -> bool {
    let (mut g, mut s) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while s < specific.len() {
        match general.get(g) {
            Some(Item::Any) => {
                backtrack = Some((g, s));
                g += 1;
            }
            Some(Item::One) if matches!(specific[s], Item::Lit(_)) => {
                g += 1;
                s += 1;
            }
            Some(Item::Lit(c)) if specific[s] == Item::Lit(*c) => {
                g += 1;
                s += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    g = star + 1;
                    s = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    general[g..].iter().all(|item| *item == Item::Any)
}

/// Drops the resources another one already covers.
fn without_covered(names: Vec<Name>) -> Vec<Name> {
    let wild: Vec<&Name> = names
        .iter()
        .filter(|n| n.resource.iter().any(|i| !matches!(i, Item::Lit(_))))
        .collect();
    let mut out: Vec<Name> = names
        .iter()
        // Of two resources that cover each other, the one written first in sort order stays.
        .filter(|n| {
            !wild
                .iter()
                .any(|w| w != n && covers(w, n) && (!covers(n, w) || w.render() < n.render()))
        })
        .cloned()
        .collect();
    out.sort_by_key(Name::render);
    out.dedup();
    out
}

/// The crowd rule: replaces whole components by `*`, the place with the most distinct values first (the
/// deeper one on a tie), until at most `threshold` resources are left. A place is a component index among
/// resources with the same number of components.
fn crowd(mut members: Vec<Name>, threshold: usize) -> (Vec<Name>, Vec<Merge>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(first: &str, last: &str, sessions: &[&str]) -> Seen {
        Seen {
            first_day: first.into(),
            last_day: last.into(),
            sessions: sessions.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn run(items: &[(&str, Seen)], max: usize) -> Vec<String> {
        let observed: BTreeMap<String, Seen> = items
            .iter()
            .map(|(r, s)| (r.to_string(), s.clone()))
            .collect();
        generalise(&observed, max, false, &BTreeSet::new())
            .resources
            .into_keys()
            .collect()
    }

    #[test]
    fn per_run_numbers_become_stars_even_when_seen_once() {
        let got = run(
            &[(
                "arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-4411",
                seen("2026-11-02", "2026-11-02", &["gh-run-4411"]),
            )],
            20,
        );
        assert_eq!(
            got,
            ["arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-*"]
        );
    }

    #[test]
    fn long_lived_ids_stay_exact_and_turnover_generalises() {
        let key = |id: &str| format!("arn:aws:kms:us-east-1:1:key/{id}");
        let a = "2b164095-6f02-424f-9f4e-2166ede18709";
        let b = "78513033-587e-4f7e-8859-194258220bac";
        let stable = run(
            &[
                (&key(a), seen("2026-11-02", "2026-11-20", &["s1", "s2"])),
                (&key(b), seen("2026-11-02", "2026-11-19", &["s1", "s3"])),
            ],
            20,
        );
        assert_eq!(stable, [key(a), key(b)]);
        // A key first used on a later day: keys come and go, so the place is per-run.
        let turnover = run(
            &[
                (&key(a), seen("2026-11-02", "2026-11-20", &["s1", "s2"])),
                (&key(b), seen("2026-11-09", "2026-11-19", &["s1", "s3"])),
            ],
            20,
        );
        assert_eq!(turnover, [key("*")]);
        // One run: a key the run was pointed at stays; an instance of a type the principal creates does not.
        let once = run(&[(&key(a), seen("2026-11-02", "2026-11-02", &["s1"]))], 20);
        assert_eq!(once, [key(a)]);
        let instance = "arn:aws:ec2:us-east-1:1:instance/i-0123456789abcdef0".to_string();
        let observed =
            BTreeMap::from([(instance.clone(), seen("2026-11-02", "2026-11-02", &["s1"]))]);
        let created = BTreeSet::from(["arn:aws:ec2:us-east-1:1:instance".to_string()]);
        let made = generalise(&observed, 20, false, &created);
        assert_eq!(
            made.resources.into_keys().collect::<Vec<_>>(),
            ["arn:aws:ec2:us-east-1:1:instance/i-*"]
        );
        assert_eq!(
            run(
                &[(&instance, seen("2026-11-02", "2026-11-02", &["s1"]))],
                20
            ),
            [instance]
        );
    }

    #[test]
    fn places_are_decided_from_the_left() {
        // A tenant ID that lives on, a file ID per run.
        let tenant = "0a1b2c3d-0000-4000-8000-000000000001";
        let items: Vec<(String, Seen)> = (1..=5)
            .map(|d| {
                (
                    format!("arn:aws:s3:::b/tenants/{tenant}/files/{d}f0e1d2c-0000-4000-8000-00000000000{d}.json"),
                    seen(&format!("2026-11-0{d}"), &format!("2026-11-0{d}"), &["s"]),
                )
            })
            .chain([(
                format!("arn:aws:s3:::b/tenants/{tenant}/profile.json"),
                seen("2026-11-01", "2026-11-05", &["s"]),
            )])
            .collect();
        let refs: Vec<(&str, Seen)> = items.iter().map(|(r, s)| (r.as_str(), s.clone())).collect();
        assert_eq!(
            run(&refs, 20),
            [
                format!("arn:aws:s3:::b/tenants/{tenant}/files/*.json"),
                format!("arn:aws:s3:::b/tenants/{tenant}/profile.json"),
            ]
        );
    }

    #[test]
    fn tokens_with_digits_need_many_values_coming_and_going() {
        let pods: Vec<(String, Seen)> = ["xk2lp", "m8zq4", "p2w9c"]
            .iter()
            .enumerate()
            .map(|(d, pod)| {
                let day = format!("2026-11-0{}", d + 1);
                (
                    format!("arn:aws:s3:::b/reports/report-{pod}.pdf"),
                    seen(&day, &day, &["s"]),
                )
            })
            .collect();
        let refs: Vec<(&str, Seen)> = pods.iter().map(|(r, s)| (r.as_str(), s.clone())).collect();
        assert_eq!(run(&refs, 20), ["arn:aws:s3:::b/reports/report-*.pdf"]);
        assert_eq!(run(&refs[..2], 20).len(), 2);
        let runtime = run(
            &[(
                "arn:aws:s3:::b/layers/python311/deps.zip",
                seen("2026-11-01", "2026-11-01", &["s"]),
            )],
            20,
        );
        assert_eq!(runtime, ["arn:aws:s3:::b/layers/python311/deps.zip"]);
    }

    #[test]
    fn crowd_rule_merges_the_most_variable_place_and_names_it() {
        let items: Vec<(String, Seen)> = ["acme", "globex", "initech", "umbrella"]
            .iter()
            .flat_map(|c| {
                ["summary.pdf", "detail.pdf"].map(|f| {
                    (
                        format!("arn:aws:s3:::b/reports/{c}/{f}"),
                        seen("2026-11-01", "2026-11-09", &["a", "b"]),
                    )
                })
            })
            .collect();
        let observed: BTreeMap<String, Seen> = items.into_iter().collect();
        let g = generalise(&observed, 3, false, &BTreeSet::new());
        assert_eq!(
            g.resources.keys().collect::<Vec<_>>(),
            [
                "arn:aws:s3:::b/reports/*/detail.pdf",
                "arn:aws:s3:::b/reports/*/summary.pdf"
            ]
        );
        let merge = &g.crowded[0].merges[0];
        assert!(merge.stable);
        assert_eq!(merge.distinct, 4);
        assert_eq!(merge.values, ["acme", "globex", "initech"]);
        assert_eq!(
            g.resources["arn:aws:s3:::b/reports/*/detail.pdf"].observed,
            4
        );
        // `--exact`: nothing changes.
        assert_eq!(
            generalise(&observed, 3, true, &BTreeSet::new())
                .resources
                .len(),
            8
        );
    }

    #[test]
    fn covered_resources_are_dropped() {
        let got = run(
            &[
                (
                    "arn:aws:ec2:us-east-1:1:image/ami-0123456789abcdef0",
                    seen("2026-11-01", "2026-11-20", &["a", "b"]),
                ),
                (
                    "arn:aws:ec2:us-east-1:1:image/ami-0fedcba9876543210",
                    seen("2026-11-05", "2026-11-05", &["c"]),
                ),
            ],
            20,
        );
        assert_eq!(got, ["arn:aws:ec2:us-east-1:1:image/ami-*"]);
        let a = Name::parse("arn:aws:s3:::b/x/*");
        assert!(covers(&a, &Name::parse("arn:aws:s3:::b/x/y/*.zip")));
        assert!(!covers(
            &Name::parse("arn:aws:s3:::b/x/?"),
            &Name::parse("arn:aws:s3:::b/x/*")
        ));
        assert!(!covers(
            &Name::parse("arn:aws:s3:::b/x/${*}"),
            &Name::parse("arn:aws:s3:::b/x/*")
        ));
    }
}
