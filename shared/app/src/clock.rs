//! Time comes from a port so rules that depend on "today" are testable.

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// RFC 3339 in UTC with seconds, the format stored on items (sorts chronologically as text).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `YYYY-MM-DD` of the UTC day.
pub fn date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_sort_as_text() {
        let a = rfc3339(datetime!(2026-11-23 09:05:01.5 UTC));
        assert_eq!(a, "2026-11-23T09:05:01.500Z");
        assert!(a < rfc3339(datetime!(2026-11-23 10:00:00 UTC)));
        assert_eq!(date(datetime!(2026-01-02 23:59:59 UTC)), "2026-01-02");
    }
}
