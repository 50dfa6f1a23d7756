//! How a run ends. Each outcome a CI gate acts on has its own exit code, as `terraform plan
//! -detailed-exitcode` has; 0 is only ever a complete run (and, with `--check`, no drift).

use crate::pipeline::Outcome;
use crate::report::Levels;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Complete; with `--check`, the current policy already grants exactly the proposal.
    Complete,
    /// The input was incomplete: the policy may not allow everything the principal did.
    Incomplete,
    /// A usage or fatal error: no answer at all.
    Error,
    /// With `--check`: complete, and the current policy differs from the proposal.
    Drift,
    /// Complete, but a diagnostic whose level is `deny` was reported (`--deny CODE`, `--deny-warnings`).
    Denied,
}

impl Exit {
    /// The exit of a run that produced `outcome`. When several apply, the first of incomplete, denied,
    /// drift wins: an incomplete run's drift is not to be trusted, and a denied diagnostic is a failure of
    /// the proposal itself.
    pub fn of(outcome: &Outcome, levels: &Levels, check: bool) -> Exit {
        if outcome.incomplete() {
            Exit::Incomplete
        } else if !levels.denied(&outcome.diagnostics).is_empty() {
            Exit::Denied
        } else if check && outcome.differs() {
            Exit::Drift
        } else {
            Exit::Complete
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Exit::Complete => 0,
            Exit::Incomplete => 1,
            Exit::Error => 2,
            Exit::Drift => 3,
            Exit::Denied => 4,
        }
    }

    /// A word for `--summary-json` and the action's outputs.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Complete => "complete",
            Exit::Incomplete => "incomplete",
            Exit::Error => "error",
            Exit::Drift => "drift",
            Exit::Denied => "denied",
        }
    }
}
