//! Diagnostics with stable codes, the run summary and the evidence behind every action.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How much a diagnostic matters. `Incomplete` means the policy may not allow everything the principal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Note,
    Warning,
    Incomplete,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $meaning:literal;)*) => {
        /// Every diagnostic policygen can report; `docs/diagnostics.md` documents each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning),* }
            }
        }
    };
}

codes! {
    UnreadableFile = "unreadable-file", Incomplete, "a log file or directory could not be read";
    InvalidFile = "invalid-file", Incomplete, "a log file is not valid gzip or JSON (truncated, corrupt)";
    MalformedRecord = "malformed-record", Incomplete, "a record has fields of the wrong type and was skipped";
    UnplaceableRecord = "unplaceable-record", Incomplete, "a record of the principal has no readable `eventTime`: it cannot be placed in the window";
    UnsoundResult = "unsound-result", Incomplete, "a call the principal made is not allowed by the written policy, or a mapped call gave no action: a policygen defect";
    UnmappedEvent = "unmapped-event", Incomplete, "no service map knows this event: the policy does not allow it";
    BrokenServiceMap = "broken-service-map", Incomplete, "an embedded service map does not load: its events are unmapped and its actions unknown, a policygen defect";
    NoRecords = "no-records", Incomplete, "no CloudTrail record was read at all: the policy is empty because the input was";
    NoMatchingRecords = "no-matching-records", Incomplete, "records were read, but none of the principal in the window: a misspelt principal, or the wrong window";
    SeveralPrincipals = "several-principals", Warning, "a role or user name matched principals of several accounts, merged into one policy";
    NotCloudtrail = "not-cloudtrail", Warning, "a JSON file that holds no CloudTrail records was skipped";
    WildcardResource = "wildcard-resource", Warning, "an action that supports resource-level permissions got `*`";
    WildcardSegment = "wildcard-segment", Note, "a part of an ARN is `*`: one no record carries (a stack's UUID), or a per-run identifier (a date, a run number)";
    ResourceResolved = "resource-resolved", Note, "a resource one call named partially was resolved through another record of the principal in the window";
    ResourceGeneralised = "resource-generalised", Warning, "past `--max-resources` in one container, whole name components became `*`";
    FailedCallSkipped = "failed-call-skipped", Warning, "a call that failed with an error other than access denied was not granted";
    FailedCallGrantedAnyway = "failed-call-granted-anyway", Note, "a call failed (throttled, not found), but the policy grants it anyway: the same call also succeeded";
    DeniedCall = "denied-call", Warning, "the principal was denied a call; it is not granted";
    DeniedCallGranted = "denied-call-granted", Warning, "a failed call was granted because of `--include-denied`";
    DigestFile = "digest-file", Note, "a CloudTrail digest file was skipped";
    NonApiEvent = "non-api-event", Note, "an Insights or service event was skipped: it carries no permission";
    NoPermissionNeeded = "no-permission-needed", Note, "the call needs no IAM permission";
    ServiceInternalEvent = "service-internal-event", Note, "an event AWS writes for itself was skipped";
    ConsoleEvent = "console-event", Note, "a console page action, not an API call, was skipped: it carries no permission to allow";
    UnknownEventVersion = "unknown-event-version", Note, "a record of an eventVersion policygen was not built for was read as version 1";
    DuplicateEvent = "duplicate-event", Note, "the same event was delivered more than once and counted once";
    StarOnlyAction = "star-only-action", Note, "the action supports only `\"Resource\": \"*\"`";
    PolicySizeExceeded = "policy-size-exceeded", Warning, "the policy is over the IAM size limit of its policy type, or in more parts than one identity takes";
    InlineTotalExceeded = "inline-total-exceeded", Warning, "the policy is over what all inline policies of one user, group or role may total: denied by default, IAM would reject it";
    NothingNeeded = "nothing-needed", Note, "nothing the principal did needs a permission: the policy is one statement that allows only `sts:GetCallerIdentity`";
    ConditionNotEvaluated = "condition-not-evaluated", Warning, "a current statement has conditions policygen cannot evaluate: carried over unchanged";
    RemovalsWithheld = "removals-withheld", Note, "the run is incomplete, so the review proposes no removal";
}

/// What a diagnostic does to a run, set per code with `--allow`, `--warn`, `--deny` or `[diagnostics]` in
/// `policygen.toml`: `allow` hides it (it stays in `--summary-json`), `warn` shows it, `deny` shows it and
/// fails the run (exit 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl Code {
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }

    /// The level without `--allow`/`--warn`/`--deny`: notes are allowed (shown with `-v`), warnings warn,
    /// and what makes the policy incomplete or unusable is denied.
    pub fn default_level(self) -> Level {
        match (self, self.severity()) {
            (Code::InlineTotalExceeded, _) | (_, Severity::Incomplete) => Level::Deny,
            (_, Severity::Warning) => Level::Warn,
            (_, Severity::Note) => Level::Allow,
        }
    }
}

/// The level of every code: the defaults, `--deny-warnings`, then what is set per code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    /// Levels set per code; the last one given for a code wins.
    pub set: BTreeMap<Code, Level>,
    /// Deny every warning whose level is not set.
    pub deny_warnings: bool,
}

impl Levels {
    pub fn level(&self, code: Code) -> Level {
        match self.set.get(&code) {
            Some(level) => *level,
            None if self.deny_warnings && code.severity() == Severity::Warning => Level::Deny,
            None => code.default_level(),
        }
    }

    /// Whether a diagnostic is shown without `-v`.
    pub fn shown(&self, code: Code) -> bool {
        self.level(code) > Level::Allow
    }

    /// The diagnostics that fail the run by their level (exit 4): denied ones that do not already make it
    /// incomplete (exit 1).
    pub fn denied<'d>(&self, diagnostics: &'d Diagnostics) -> Vec<&'d Diagnostic> {
        diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Incomplete && self.level(d.code) == Level::Deny)
            .collect()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The usage index stores diagnostics by code.
impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = String::deserialize(d)?;
        Code::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{text}`")))
    }
}

/// Where a diagnostic was first seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

/// One diagnostic, aggregated over every occurrence of the same code and subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// What it is about: an event (`s3.amazonaws.com GetFoo`), an action, a file.
    pub subject: String,
    pub detail: String,
    pub count: u64,
    /// The first occurrence, in input order of files and records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Location>,
}

/// Diagnostics keyed by code and subject, so that a million denied calls make one line.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    entries: BTreeMap<(Code, String), Diagnostic>,
}

impl Diagnostics {
    pub fn add(
        &mut self,
        code: Code,
        subject: impl Into<String>,
        detail: impl Into<String>,
        at: Option<Location>,
    ) {
        self.add_n(code, subject.into(), detail.into(), at, 1);
    }

    /// Adds `count` occurrences at once.
    pub fn add_n(
        &mut self,
        code: Code,
        subject: String,
        detail: String,
        at: Option<Location>,
        count: u64,
    ) {
        let entry = self
            .entries
            .entry((code, subject.clone()))
            .or_insert_with(|| Diagnostic {
                code,
                severity: code.severity(),
                subject,
                detail: detail.clone(),
                count: 0,
                first: at.clone(),
            });
        entry.count += count;
        // Keep the smallest location so the report does not depend on the order files were processed in.
        if at.is_some() && (entry.first.is_none() || at < entry.first) {
            entry.first = at;
            entry.detail = detail;
        }
    }

    /// The locations of `other`'s findings, none of them counted: an earlier copy of an event counted already.
    pub fn note_locations(&mut self, other: Diagnostics) {
        for d in other.entries.into_values() {
            self.add_n(d.code, d.subject, d.detail, d.first, 0);
        }
    }

    /// Adds copies of findings kept elsewhere (an index's objects, another collection), counts and all.
    pub fn add_copies<'a>(&mut self, found: impl IntoIterator<Item = &'a Diagnostic>) {
        for d in found {
            let (subject, detail) = (d.subject.clone(), d.detail.clone());
            self.add_n(d.code, subject, detail, d.first.clone(), d.count);
        }
    }

    pub fn merge(&mut self, other: Diagnostics) {
        for (_, d) in other.entries {
            self.add_n(d.code, d.subject, d.detail, d.first, d.count);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.entries.values()
    }

    pub fn worst(&self) -> Option<Severity> {
        self.entries.values().map(|d| d.severity).max()
    }

    pub fn count(&self, code: Code) -> u64 {
        self.entries
            .values()
            .filter(|d| d.code == code)
            .map(|d| d.count)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Counters of one run, shown in the summary and in `--summary-json`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub files_read: u64,
    pub files_skipped: u64,
    pub files_failed: u64,
    /// Files not opened: the delivery time in their name is outside the window.
    pub files_outside_window: u64,
    pub bytes_read: u64,
    pub records_read: u64,
    pub records_matched: u64,
    pub records_mapped: u64,
    pub records_failed_calls: u64,
    pub records_no_permission: u64,
    pub records_unmapped: u64,
    pub records_duplicate: u64,
}

impl Stats {
    pub fn merge(&mut self, other: &Stats) {
        self.files_read += other.files_read;
        self.files_skipped += other.files_skipped;
        self.files_failed += other.files_failed;
        self.files_outside_window += other.files_outside_window;
        self.bytes_read += other.bytes_read;
        self.records_read += other.records_read;
        self.records_matched += other.records_matched;
        self.records_mapped += other.records_mapped;
        self.records_failed_calls += other.records_failed_calls;
        self.records_no_permission += other.records_no_permission;
        self.records_unmapped += other.records_unmapped;
        self.records_duplicate += other.records_duplicate;
    }
}

/// The diagnostics that make a run incomplete, one line each.
pub fn incomplete_reasons(diagnostics: &Diagnostics, stopped: bool) -> Vec<String> {
    let mut out: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Incomplete)
        .map(|d| {
            let times = if d.count > 1 {
                format!(" (x{})", d.count)
            } else {
                String::new()
            };
            format!("`{}` {}: {}{times}", d.code, d.subject, d.detail)
        })
        .collect();
    if stopped {
        out.push("stopped at the first input problem (`--strict`)".to_string());
    }
    out
}
