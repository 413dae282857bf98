//! A lead's local hour, from its state or province: a small table of UTC offsets (standard time, the zone where most
//! of the state's people live) with the US and Canadian daylight-saving rule (second Sunday of March to the first
//! Sunday of November), applied by UTC date, so the hour around a switch may be off by one. Arizona, Hawaii,
//! Saskatchewan and Yukon keep one offset all year.

use time::{Date, Month, OffsetDateTime};

/// Standard-time offset in hours, and whether the place observes daylight saving time.
fn zone(state: &str) -> (i8, bool) {
    match state.trim().to_ascii_uppercase().as_str() {
        "CT" | "DE" | "DC" | "FL" | "GA" | "IN" | "KY" | "ME" | "MD" | "MA" | "MI" | "NH" | "NJ" | "NY" | "NC"
        | "OH" | "PA" | "RI" | "SC" | "VT" | "VA" | "WV" | "ON" | "QC" | "NU" => (-5, true),
        "AL" | "AR" | "IL" | "IA" | "KS" | "LA" | "MN" | "MS" | "MO" | "NE" | "ND" | "OK" | "SD" | "TN" | "TX"
        | "WI" | "MB" => (-6, true),
        "SK" => (-6, false),
        "CO" | "ID" | "MT" | "NM" | "UT" | "WY" | "AB" | "NT" => (-7, true),
        "AZ" | "YT" => (-7, false),
        "CA" | "NV" | "OR" | "WA" | "BC" => (-8, true),
        "AK" => (-9, true),
        "HI" => (-10, false),
        "NB" | "NS" | "PE" | "NL" => (-4, true),
        "PR" | "VI" => (-4, false),
        "GU" | "MP" => (10, false),
        "AS" => (-11, false),
        _ => (-6, true),
    }
}

fn nth_sunday(year: i32, month: Month, n: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let offset = (7 + 7 - first.weekday().number_days_from_sunday()) % 7;
    first.checked_add(time::Duration::days(i64::from(offset) + 7 * i64::from(n.saturating_sub(1))))
}

fn daylight_saving(date: Date) -> bool {
    let (Some(start), Some(end)) =
        (nth_sunday(date.year(), Month::March, 2), nth_sunday(date.year(), Month::November, 1))
    else {
        return false;
    };
    date >= start && date < end
}

/// The hour (0–23) it is now where a lead in `state` lives.
pub fn local_hour(state: &str, now: OffsetDateTime) -> u8 {
    let (offset, dst) = zone(state);
    let shift = i64::from(offset) + i64::from(dst && daylight_saving(now.date()));
    let local = now + time::Duration::hours(shift);
    local.hour()
}

/// Hours from now until the lead's local hour is `start` (1–24), for saying when a lead outside its window opens.
pub fn hours_until(state: &str, now: OffsetDateTime, start: u8) -> i64 {
    let h = i64::from(local_hour(state, now));
    (i64::from(start) - h).rem_euclid(24).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn local_hours_follow_the_zone_and_daylight_saving() {
        // 15:00 UTC in January: 8 am in Utah, 10 am in New York; in July 9 am and 11 am; Arizona stays at 8.
        let winter = datetime!(2030-01-15 15:00 UTC);
        let summer = datetime!(2030-07-15 15:00 UTC);
        assert_eq!(local_hour("UT", winter), 8);
        assert_eq!(local_hour("NY", winter), 10);
        assert_eq!(local_hour("UT", summer), 9);
        assert_eq!(local_hour("AZ", summer), 8);
        assert_eq!(local_hour("HI", winter), 5);
        assert_eq!(nth_sunday(2030, Month::March, 2), Date::from_calendar_date(2030, Month::March, 10).ok());
    }
}
