//! The feed as an iCalendar file (RFC 5545) that Outlook and Google Calendar subscribe to:
//! a VTIMEZONE for Europe/Copenhagen, timed events in that zone, all-day events as dates,
//! a stable UID per event and a DTSTAMP in UTC. `icalendar` writes CRLF line ends and
//! folds lines longer than 75 octets. No I/O here; the events come from `repo`.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use icalendar::{
    Calendar, CalendarComponent, CalendarDateTime, Component, Event, EventLike, Property,
};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

pub const TZID: &str = "Europe/Copenhagen";

/// Danish time since 1996: CET (+01:00), and CEST (+02:00) from the last Sunday of March
/// 02:00 to the last Sunday of October 03:00.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE
TZID:Europe/Copenhagen
X-LIC-LOCATION:Europe/Copenhagen
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
";

/// When an event takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// From `starts` to `ends`, Danish local time.
    Timed {
        starts: PrimitiveDateTime,
        ends: PrimitiveDateTime,
    },
    /// Whole days, `first` to `last` inclusive.
    Days { first: Date, last: Date },
}

/// One event of the feed. `uid` is stable across fetches (`<kind>-<id>@korps`), so a
/// moved meeting moves in the subscriber's calendar instead of appearing twice.
#[derive(Debug, Clone)]
pub struct Item {
    pub uid: String,
    pub summary: String,
    pub location: String,
    pub when: When,
}

/// The calendar named `name` with `items`, stamped `now`.
pub fn calendar(name: &str, items: &[Item], now: OffsetDateTime) -> String {
    let stamp = DateTime::<Utc>::from_timestamp(now.unix_timestamp(), 0).unwrap_or_default();
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Korps//Kalender//DA"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .append_property(Property::new("X-WR-CALNAME", name))
        .append_property(Property::new("X-WR-TIMEZONE", TZID))
        // Subscribers look again every hour (Outlook reads the X- form, RFC 7986 the other).
        .append_property(
            Property::new("REFRESH-INTERVAL", "PT1H")
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    calendar.push(
        CalendarComponent::from_str(VTIMEZONE).expect("the Europe/Copenhagen VTIMEZONE parses"),
    );
    for item in items {
        calendar.push(event(item, stamp));
    }
    calendar.done().to_string()
}

fn event(item: &Item, stamp: DateTime<Utc>) -> Event {
    let mut event = Event::new();
    event
        .uid(&item.uid)
        .timestamp(stamp)
        .summary(&item.summary)
        .class(icalendar::Class::Private);
    if !item.location.is_empty() {
        event.location(&item.location);
    }
    match item.when {
        When::Timed { starts, ends } => {
            event
                .starts(in_copenhagen(starts))
                .ends(in_copenhagen(ends));
        }
        When::Days { first, last } => {
            // DTEND of an all-day event is the day after the last (exclusive).
            event
                .starts(naive_date(first))
                .ends(naive_date(last + Duration::days(1)));
        }
    }
    event.done()
}

fn in_copenhagen(local: PrimitiveDateTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: NaiveDateTime::new(
            naive_date(local.date()),
            NaiveTime::from_hms_opt(local.hour().into(), local.minute().into(), 0)
                .unwrap_or_default(),
        ),
        tzid: TZID.to_string(),
    }
}

fn naive_date(date: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        date.year(),
        u8::from(date.month()).into(),
        date.day().into(),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn sample() -> String {
        let items = [
            Item {
                uid: "meeting-0191f1d4-1111-7222-8333-444455556666@korps".into(),
                summary: "Møde i forløb F-556666".into(),
                location: "Biblioteket, mødelokale 2; 1. sal".into(),
                when: When::Timed {
                    starts: datetime!(2026-07-01 14:30),
                    ends: datetime!(2026-07-01 16:00),
                },
            },
            Item {
                uid: "module-1@korps".into(),
                summary: format!("Uddannelse: {}", "Modul 2 – ".repeat(12)),
                location: String::new(),
                when: When::Days {
                    first: date!(2026 - 09 - 14),
                    last: date!(2026 - 09 - 15),
                },
            },
        ];
        calendar(
            "Korps – mine møder",
            &items,
            datetime!(2026-05-12 08:00 UTC),
        )
    }

    #[test]
    fn timed_events_name_the_copenhagen_zone_and_all_day_events_end_the_day_after() {
        let ics = sample();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.contains("BEGIN:VTIMEZONE\r\n"));
        assert!(ics.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"));
        assert!(ics.contains("DTSTART;TZID=Europe/Copenhagen:20260701T143000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Copenhagen:20260701T160000\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20260914\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20260916\r\n"));
        assert!(ics.contains("DTSTAMP:20260512T080000Z\r\n"));
        assert!(ics.contains("UID:module-1@korps\r\n"));
        assert!(ics.contains(r"LOCATION:Biblioteket\, mødelokale 2\; 1. sal"));
        assert_eq!(ics.matches("PRODID").count(), 1);
    }

    #[test]
    fn every_line_ends_in_crlf_and_is_at_most_75_octets() {
        let ics = sample();
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        let lines: Vec<&str> = ics.split("\r\n").collect();
        assert!(lines.iter().all(|line| !line.contains('\n')));
        assert!(lines.iter().all(|line| line.len() <= 75), "{ics}");
        assert!(
            lines.iter().any(|line| line.starts_with(' ')),
            "the long summary is folded"
        );
    }
}
