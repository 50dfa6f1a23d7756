//! What a LookupEvents run shows on a terminal: a spinner per region, and how far a full scan has come.

use crate::window::TimeWindow;
use chrono::{DateTime, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use tokio::time::Instant;

pub fn spinner(multi: &MultiProgress, enabled: bool, region: &str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = multi.add(ProgressBar::new_spinner());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} LookupEvents {prefix} [{elapsed}] {msg}")
    {
        bar.set_style(style);
    }
    bar.set_prefix(region.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// How far back a newest-first scan of `[from, to)` has come, and the time left at this rate.
pub fn scan_progress(oldest: Option<&str>, window: &TimeWindow, started: Instant) -> String {
    let Some(oldest) = oldest.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return String::new();
    };
    let span = (window.to - window.from).num_seconds().max(1) as f64;
    let done =
        ((window.to - oldest.with_timezone(&Utc)).num_seconds() as f64 / span).clamp(0.0, 1.0);
    let elapsed = started.elapsed().as_secs_f64();
    let eta = if done > 0.0 {
        format!(", about {:.0} s left", elapsed / done - elapsed)
    } else {
        String::new()
    };
    format!("back to {oldest} ({:.0}% of the window{eta})", done * 100.0)
}

pub fn oldest_time(events: &[String]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Time {
        #[serde(rename = "eventTime")]
        event_time: Option<String>,
    }
    events
        .iter()
        .filter_map(|e| serde_json::from_str::<Time>(e).ok()?.event_time)
        .min()
}
