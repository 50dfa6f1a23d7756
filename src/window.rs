//! The time window, half-open `[from, to)` on `eventTime`, in UTC.

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `from` and `to` as CloudTrail writes times (`2026-11-15T12:05:00Z`): such times compare as bytes.
    from_key: String,
    to_key: String,
    /// Both keys have the canonical form (a four-digit year), so byte comparison is time comparison. An
    /// open window ending at chrono's maximum (`+262143-…`) does not, and compares as times.
    keys_canonical: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WindowError {
    #[error("`{0}` is not a duration: use a number and a unit, like `90m`, `12h`, `30d` or `2w`")]
    BadDuration(String),
    #[error("`{0}` is not a date or time: use `2026-10-01` or `2026-10-01T12:00:00Z` (UTC)")]
    BadTime(String),
    #[error("the window is empty: `--from` {from} is not before `--to` {to}")]
    Empty { from: String, to: String },
}

fn key(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl TimeWindow {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, WindowError> {
        if from >= to {
            return Err(WindowError::Empty {
                from: key(&from),
                to: key(&to),
            });
        }
        let (from_key, to_key) = (key(&from), key(&to));
        Ok(TimeWindow {
            keys_canonical: is_canonical(&from_key) && is_canonical(&to_key),
            from_key,
            to_key,
            from,
            to,
        })
    }

    /// Every time there is: `maps coverage` reads all records, whenever they happened.
    pub fn unbounded() -> Self {
        TimeWindow {
            from: DateTime::<Utc>::MIN_UTC,
            to: DateTime::<Utc>::MAX_UTC,
            from_key: key(&DateTime::<Utc>::MIN_UTC),
            to_key: key(&DateTime::<Utc>::MAX_UTC),
            keys_canonical: false,
        }
    }

    /// `--since 30d` ending at `now`.
    pub fn since(duration: &str, now: DateTime<Utc>) -> Result<Self, WindowError> {
        TimeWindow::new(now - parse_duration(duration)?, now)
    }

    /// Whether an `eventTime` lies in the window. Unparseable times are outside: [`TimeWindow::place`] tells
    /// them apart.
    pub fn contains(&self, event_time: &str) -> bool {
        self.place(event_time) == Some(true)
    }

    /// Whether an `eventTime` lies in the window; `None` when it is not an RFC 3339 time, so the record
    /// cannot be placed.
    pub fn place(&self, event_time: &str) -> Option<bool> {
        if self.keys_canonical && is_canonical(event_time) {
            return Some(self.from_key.as_str() <= event_time && event_time < self.to_key.as_str());
        }
        let time = DateTime::parse_from_rfc3339(event_time).ok()?;
        let time = time.with_timezone(&Utc);
        Some(self.from <= time && time < self.to)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form CloudTrail writes.
pub fn is_canonical(time: &str) -> bool {
    let b = time.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

pub fn parse_duration(text: &str) -> Result<Duration, WindowError> {
    let bad = || WindowError::BadDuration(text.to_string());
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    if n == 0 || n > 100_000 {
        return Err(bad());
    }
    match unit {
        "m" | "min" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        "w" => Ok(Duration::weeks(n)),
        _ => Err(bad()),
    }
}

/// A date (`2026-10-01`, midnight UTC) or an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, WindowError> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(midnight) = date.and_hms_opt(0, 0, 0) {
            return Ok(midnight.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| WindowError::BadTime(text.to_string()))
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.from_key, self.to_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        parse_time(s).expect("valid time")
    }

    #[test]
    fn half_open() {
        let w = TimeWindow::new(t("2026-11-01"), t("2026-12-01")).expect("valid");
        assert!(w.contains("2026-11-01T00:00:00Z"));
        assert!(w.contains("2026-11-30T23:59:59Z"));
        assert!(!w.contains("2026-12-01T00:00:00Z"));
        assert!(!w.contains("2026-10-31T23:59:59Z"));
        assert!(w.contains("2026-11-15T12:00:00.123Z"));
        assert!(w.contains("2026-11-15T13:00:00+01:00"));
        assert!(!w.contains("yesterday"));
        assert_eq!(w.place("yesterday"), None);
        assert_eq!(w.place(""), None);
        assert_eq!(w.place("2026-10-01T00:00:00Z"), Some(false));
    }

    /// An open window's end formats as `+262143-…`, which sorts below every real time as text.
    #[test]
    fn unbounded_window_holds_every_time() {
        let w = TimeWindow::unbounded();
        for time in [
            "1970-01-01T00:00:00Z",
            "2026-11-15T12:05:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert!(w.contains(time), "{time}");
        }
        assert_eq!(w.place("soon"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_duration("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_duration("2w"), Ok(Duration::weeks(2)));
        for bad in ["", "d", "30", "30y", "0d", "-1d", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn since_and_errors() {
        let now = t("2026-12-03T05:00:00Z");
        let w = TimeWindow::since("2w", now).expect("valid");
        assert_eq!(
            w.to_string(),
            "[2026-11-19T05:00:00Z, 2026-12-03T05:00:00Z)"
        );
        assert!(TimeWindow::new(now, now).is_err());
        assert!(parse_time("2026-13-01").is_err());
        assert_eq!(t("2026-11-01T12:00:00Z"), t("2026-11-01T13:00:00+01:00"));
    }
}
