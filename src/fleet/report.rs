//! fleet.json (for machines: versioned, sorted, no timestamps of its own, so the same input gives the same
//! bytes) and fleet.md (for people: the incomplete principals first, then one row each), and the exit code.

use super::granted::Granted;
use super::sso::SetRow;
use super::{FleetError, FleetSettings};
use crate::action::Action;
use crate::collector::Decoded;
use crate::output::Exit;
use crate::pipeline::Outcome;
use crate::principal::PrincipalKey;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

/// The version of fleet.json's layout; raised on any change a reader could trip over.
pub const FLEET_SCHEMA_VERSION: u32 = 1;

/// One written policy: a principal's (or a permission set's).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub account: String,
    pub kind: String,
    pub name: String,
    /// The policy file, relative to the output directory.
    pub file: String,
    pub complete: bool,
    /// Records of the principal in the window (each event once).
    pub records: u64,
    /// Distinct actions and services used (successful calls, and failed ones with `--include-denied`).
    pub actions: usize,
    pub services: usize,
    /// The earliest and latest used call (empty when nothing was used).
    pub first_seen: String,
    pub last_seen: String,
    /// Diagnostics by code: how many occurrences.
    pub diagnostics: BTreeMap<String, u64>,
    /// Why the policy may miss something, one line each (empty when complete).
    pub incomplete_reasons: Vec<String>,
    /// The single command that writes the same file.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub command: String,
    /// Granted vs used, when the principal was reviewed against its current policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Granted>,
    /// Why its current policies could not be read (`--current iam`): no review then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_error: Option<String>,
}

impl Row {
    pub fn of(key: &PrincipalKey, outcome: &Outcome, command: String) -> Row {
        let file = FleetSettings::relative_path(key).display().to_string();
        Row::of_named(
            key.account.as_str(),
            key.kind.as_str(),
            &key.name,
            &file,
            outcome,
            command,
        )
    }

    pub fn of_named(
        account: &str,
        kind: &str,
        name: &str,
        file: &str,
        outcome: &Outcome,
        command: String,
    ) -> Row {
        let used = &outcome.usage.used;
        let actions: BTreeSet<&str> = used.keys().map(|k| k.action.as_str()).collect();
        let services: BTreeSet<String> = actions
            .iter()
            .filter_map(|a| Action::parse(a).map(|a| a.prefix().to_ascii_lowercase()))
            .collect();
        let first_seen = used.values().map(|e| e.first_seen.as_str()).min();
        let last_seen = used.values().map(|e| e.last_seen.as_str()).max();
        let mut diagnostics = BTreeMap::new();
        for d in outcome.diagnostics.iter() {
            *diagnostics.entry(d.code.as_str().to_string()).or_default() += d.count;
        }
        Row {
            account: account.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            file: file.replace('\\', "/"),
            complete: !outcome.incomplete(),
            records: outcome.stats.records_matched,
            actions: actions.len(),
            services: services.len(),
            first_seen: first_seen.unwrap_or_default().to_string(),
            last_seen: last_seen.unwrap_or_default().to_string(),
            diagnostics,
            incomplete_reasons: outcome.incomplete_reasons(),
            command,
            current: outcome.review.as_ref().map(Granted::of),
            current_error: None,
        }
    }

    /// `account/kind/name`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.account, self.kind, self.name)
    }
}

/// What the input held as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    pub files_read: u64,
    pub files_skipped: u64,
    pub files_failed: u64,
    pub records_read: u64,
    /// Selected principals seen only outside the window: not written.
    pub principals_outside_window: usize,
    /// Records that did not parse and contain no written principal's name: one may be of a principal the
    /// fleet does not know, so the fleet is incomplete.
    pub unparsed_unattributed: u64,
    /// Diagnostics about the input's files, by code (each principal's counts include them).
    pub file_diagnostics: BTreeMap<String, u64>,
    /// Principals whose name no IAM role or user can have (damaged or forged records): not written, and the
    /// fleet is incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_names: Vec<String>,
    /// Rows of an Athena or CloudTrail Lake query that name no role or user (no account ID, no name), by
    /// why: how many events. Their calls are in no policy, so the fleet is incomplete.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unattributed_rows: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub schema_version: u32,
    pub window: String,
    pub input: InputSummary,
    /// Sorted by account, kind, name.
    pub principals: Vec<Row>,
    /// With `--kind sso`: what each permission set's policy covers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permission_sets: Vec<SetRow>,
    /// With `--current`: the reviewed principals, the least used share of their grants first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub over_privileged: Vec<String>,
    /// What the source did (an engine's query: its ID, rows, bytes scanned), for stderr: not in fleet.json,
    /// which the same input must write the same.
    #[serde(skip)]
    pub source: String,
}

impl FleetReport {
    pub fn new(
        settings: &FleetSettings,
        mut principals: Vec<Row>,
        permission_sets: Vec<SetRow>,
        shared: &Decoded,
        principals_outside_window: usize,
        unparsed_unattributed: u64,
    ) -> FleetReport {
        principals
            .sort_by(|a, b| (&a.account, &a.kind, &a.name).cmp(&(&b.account, &b.kind, &b.name)));
        let mut reviewed: Vec<&Row> = principals.iter().filter(|r| r.current.is_some()).collect();
        reviewed.sort_by_key(|r| {
            let g = r.current.as_ref().map_or((0, 0), |g| {
                (g.used_per_mille, usize::MAX - g.unused_actions.len())
            });
            (g, r.id())
        });
        let mut file_diagnostics = BTreeMap::new();
        for d in shared.diagnostics.iter() {
            *file_diagnostics
                .entry(d.code.as_str().to_string())
                .or_default() += d.count;
        }
        let s = &shared.stats;
        FleetReport {
            schema_version: FLEET_SCHEMA_VERSION,
            window: settings.base.scope.window.to_string(),
            input: InputSummary {
                files_read: s.files_read,
                files_skipped: s.files_skipped,
                files_failed: s.files_failed,
                records_read: s.records_read,
                principals_outside_window,
                unparsed_unattributed,
                file_diagnostics,
                invalid_names: Vec::new(),
                unattributed_rows: BTreeMap::new(),
            },
            over_privileged: reviewed.iter().map(|r| r.id()).collect(),
            principals,
            permission_sets,
            source: String::new(),
        }
    }

    pub fn incomplete(&self) -> Vec<&Row> {
        self.principals.iter().filter(|r| !r.complete).collect()
    }

    /// Every policy written is complete, and something was written: like a single run that matched no
    /// record, a fleet of nobody (an empty input, a window without calls) is no answer to trust.
    pub fn complete(&self) -> bool {
        !self.principals.is_empty()
            && self.incomplete().is_empty()
            && self.input.unparsed_unattributed == 0
            && self.input.invalid_names.is_empty()
            && self.input.unattributed_rows.is_empty()
            && self.principals.iter().all(|r| r.current_error.is_none())
    }

    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Fleet policies, {}\n", self.window);
        let incomplete = self.incomplete();
        let complete = self.principals.len() - incomplete.len();
        let _ = writeln!(
            out,
            "{} policies written: {complete} complete, {} incomplete.\n",
            self.principals.len(),
            incomplete.len()
        );
        if !incomplete.is_empty() {
            let _ = writeln!(
                out,
                "**Incomplete** (the policy may miss something the principal did; see `fleet.json` for every reason):\n"
            );
            for row in &incomplete {
                let first = row.incomplete_reasons.first().cloned().unwrap_or_default();
                let more = row.incomplete_reasons.len().saturating_sub(1);
                let more = if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "- `{}`: {}{more}", row.id(), first.replace('|', "\\|"));
            }
            out.push('\n');
        }
        if !self.input.invalid_names.is_empty() {
            let names: Vec<String> = self
                .input
                .invalid_names
                .iter()
                .map(|n| format!("`{}`", n.replace('|', "\\|").replace('`', "'")))
                .collect();
            let _ = writeln!(
                out,
                "**Not written, names no role or user can have** (damaged or forged records): {}\n",
                names.join(", ")
            );
        }
        if self.principals.is_empty() {
            let _ = writeln!(
                out,
                "**No role or user made a call in the window**: check the window and the input.\n"
            );
        }
        for (why, events) in &self.input.unattributed_rows {
            let _ = writeln!(
                out,
                "**{events} events of the query name no principal** ({}): they are in no policy.\n",
                why.replace('|', "\\|")
            );
        }
        if self.input.unparsed_unattributed > 0 {
            let _ = writeln!(
                out,
                "**{} records did not parse and name no principal written**: one of them may be of a principal missing here.\n",
                self.input.unparsed_unattributed
            );
        }
        let i = &self.input;
        let _ = writeln!(
            out,
            "Input: {} files read, {} skipped, {} failed; {} records. {} principals were seen only outside the window.\n",
            i.files_read, i.files_skipped, i.files_failed, i.records_read, i.principals_outside_window
        );
        if !self.over_privileged.is_empty() {
            let _ = writeln!(out, "## Granted vs used, least used first\n");
            let _ = writeln!(
                out,
                "| Principal | Granted actions | Used | Share used | Unused services | Unused actions |"
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---|---|");
            for id in &self.over_privileged {
                let Some(row) = self.principals.iter().find(|r| &r.id() == id) else {
                    continue;
                };
                let Some(g) = &row.current else { continue };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} | {} |",
                    id,
                    g.granted_actions,
                    g.used_actions,
                    g.share(),
                    list(&g.unused_services, 8),
                    list(&g.unused_actions, 8),
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "## Policies\n");
        let _ = writeln!(
            out,
            "| Principal | Policy | Records | Actions | Services | First seen | Last seen | Diagnostics | Complete |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---|---|---|---|");
        for row in &self.principals {
            let diagnostics: Vec<String> = row
                .diagnostics
                .iter()
                .map(|(code, n)| format!("{code} x{n}"))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | [{}]({}) | {} | {} | {} | {} | {} | {} | {} |",
                row.id(),
                row.file,
                row.file,
                row.records,
                row.actions,
                row.services,
                row.first_seen,
                row.last_seen,
                diagnostics.join(", "),
                if row.complete { "yes" } else { "**no**" },
            );
        }
        if !self.permission_sets.is_empty() {
            let _ = writeln!(out, "\n## Permission sets\n");
            let _ = writeln!(out, "| Permission set | Policy | Accounts | Roles |");
            let _ = writeln!(out, "|---|---|---|---|");
            for set in &self.permission_sets {
                let _ = writeln!(
                    out,
                    "| {} | [{}]({}) | {} | {} |",
                    set.permission_set,
                    set.file,
                    set.file,
                    set.accounts.join(", "),
                    set.roles
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        out
    }

    pub fn write(&self, dir: &Path) -> Result<(), FleetError> {
        for (name, text) in [("fleet.json", self.json()), ("fleet.md", self.markdown())] {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| FleetError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// Prints what matters on stderr and gives the exit code: 0 only when every policy written is
    /// complete.
    pub fn finish(&self, quiet: bool) -> u8 {
        let incomplete = self.incomplete();
        if !quiet {
            eprint!("{}", self.source);
            eprintln!(
                "fleet: {} policies written, {} incomplete ({} files, {} records)",
                self.principals.len(),
                incomplete.len(),
                self.input.files_read,
                self.input.records_read
            );
        }
        for row in &incomplete {
            eprintln!("incomplete: {}", row.id());
            for reason in row.incomplete_reasons.iter().take(3) {
                eprintln!("  {reason}");
            }
        }
        for row in self.principals.iter().filter(|r| r.current_error.is_some()) {
            eprintln!(
                "not reviewed: {}: {}",
                row.id(),
                row.current_error.as_deref().unwrap_or_default()
            );
        }
        for name in &self.input.invalid_names {
            eprintln!("incomplete: `{name}` is no valid role or user name: not written");
        }
        if self.principals.is_empty() {
            eprintln!(
                "incomplete: no role or user made a call in the window ({} records read)",
                self.input.records_read
            );
        }
        for (why, events) in &self.input.unattributed_rows {
            eprintln!(
                "incomplete: {events} events of the query name no principal ({why}): in no policy"
            );
        }
        if self.input.unparsed_unattributed > 0 {
            eprintln!(
                "incomplete: {} records did not parse and name no principal written",
                self.input.unparsed_unattributed
            );
        }
        if self.complete() {
            Exit::Complete.code()
        } else {
            Exit::Incomplete.code()
        }
    }
}

/// The first `n` items, and how many more.
fn list(items: &BTreeSet<String>, n: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(n).map(|i| format!("`{i}`")).collect();
    if items.len() > n {
        shown.push(format!("… {} more", items.len() - n));
    }
    shown.join(", ")
}
