//! Granted vs used, per principal, from its review: the over-privilege report of a fleet.

use crate::action::Action;
use crate::review::Review;
use serde::Serialize;
use std::collections::BTreeSet;

/// What a principal's current policies grant against what it used in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Granted {
    /// Actions the current policies grant (patterns expanded over the IAM catalogue): used, unused, and
    /// those CloudTrail cannot show a use of.
    pub granted_actions: usize,
    /// Granted actions the principal used.
    pub used_actions: usize,
    /// `used_actions / granted_actions` in per mille (an integer, so the file stays byte-stable).
    pub used_per_mille: u32,
    /// Granted, never used in the window: proposed for removal when the run is complete.
    pub unused_actions: BTreeSet<String>,
    /// Services every granted action of which went unused.
    pub unused_services: BTreeSet<String>,
    /// Used but not granted today.
    pub missing_actions: BTreeSet<String>,
}

impl Granted {
    pub fn of(review: &Review) -> Granted {
        let diff = &review.diff;
        let used: BTreeSet<&str> = diff.kept.iter().map(String::as_str).collect();
        let unused: BTreeSet<String> = diff.unused.keys().cloned().collect();
        let granted = used.len() + unused.len() + diff.not_logged.len();
        let service = |a: &str| {
            Action::parse(a)
                .map(|a| a.prefix().to_ascii_lowercase())
                .unwrap_or_default()
        };
        let used_services: BTreeSet<String> = used
            .iter()
            .copied()
            .chain(diff.not_logged.keys().map(String::as_str))
            .map(service)
            .collect();
        let unused_services = unused
            .iter()
            .map(|a| service(a))
            .filter(|s| !s.is_empty() && !used_services.contains(s))
            .collect();
        // Nothing granted: nothing over-granted either.
        let used_per_mille = (used.len() * 1000)
            .checked_div(granted)
            .map_or(1000, |n| u32::try_from(n).unwrap_or(1000));
        Granted {
            granted_actions: granted,
            used_actions: used.len(),
            used_per_mille,
            unused_actions: unused,
            unused_services,
            missing_actions: diff.added.keys().cloned().collect(),
        }
    }

    /// The share used, as `42.5%`.
    pub fn share(&self) -> String {
        format!("{}.{}%", self.used_per_mille / 10, self.used_per_mille % 10)
    }
}
