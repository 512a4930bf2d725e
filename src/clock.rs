//! Danish time. Deadlines, "today" and the dates users see are Danish (Europe/Copenhagen):
//! UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC to the last Sunday of
//! October 01:00 UTC (the EU rule).

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

fn last_sunday(year: i32, month: Month) -> Date {
    let last = Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
        .expect("valid date");
    let back = last.weekday().number_days_from_sunday();
    last - Duration::days(i64::from(back))
}

/// The offset from UTC in Denmark at `instant`.
pub fn danish_offset(instant: OffsetDateTime) -> UtcOffset {
    let utc = instant.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let one = Time::from_hms(1, 0, 0).expect("valid time");
    let summer_starts = PrimitiveDateTime::new(last_sunday(year, Month::March), one).assume_utc();
    let summer_ends = PrimitiveDateTime::new(last_sunday(year, Month::October), one).assume_utc();
    let hours = if utc >= summer_starts && utc < summer_ends {
        2
    } else {
        1
    };
    UtcOffset::from_hms(hours, 0, 0).expect("valid offset")
}

pub fn to_danish(instant: OffsetDateTime) -> OffsetDateTime {
    instant.to_offset(danish_offset(instant))
}

pub fn now() -> OffsetDateTime {
    to_danish(OffsetDateTime::now_utc())
}

/// Today's date in Denmark.
pub fn today() -> Date {
    now().date()
}

pub fn this_year() -> i32 {
    today().year()
}

/// "22-11-2026", as Danish users write dates.
pub fn format_date(date: Date) -> String {
    format!(
        "{:02}-{:02}-{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// "22-11-2026 14:05" in Danish time.
pub fn format_datetime(instant: OffsetDateTime) -> String {
    let local = to_danish(instant);
    format!(
        "{} {:02}:{:02}",
        format_date(local.date()),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn summer_and_winter_time() {
        assert_eq!(
            danish_offset(datetime!(2026-01-15 12:00 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            danish_offset(datetime!(2026-07-15 12:00 UTC)).whole_hours(),
            2
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            danish_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            danish_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            danish_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            danish_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(),
            1
        );
    }

    #[test]
    fn the_danish_date_turns_at_danish_midnight() {
        assert_eq!(
            to_danish(datetime!(2026-11-22 23:30 UTC)).date(),
            time::macros::date!(2026 - 11 - 23)
        );
        assert_eq!(
            format_date(time::macros::date!(2026 - 03 - 01)),
            "01-03-2026"
        );
    }
}
