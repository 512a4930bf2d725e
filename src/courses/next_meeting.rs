//! The course's planned next meeting: when, how long, and where in general terms. Set by
//! whoever may log a session on the course; shown on the course page and carried by the
//! member's calendar feed, which names the course by its reference only.

use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use time::{PrimitiveDateTime, Time};
use tower_sessions::Session;
use uuid::Uuid;

use super::repo::{self, NextMeeting};
use super::views::Entered;
use super::{again, sessions};
use crate::audit::{Done, Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::web::Page;
use crate::web::forms::{FieldErrors, Form, parse_date};

/// The longest place text ("Biblioteket", "Jobcentret, mødelokale 2").
pub const PLACE_MAX: usize = 100;

/// The next-meeting form as typed (also what the course page shows in it).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    pub meeting_date: String,
    #[serde(default)]
    pub meeting_time: String,
    #[serde(default)]
    pub meeting_minutes: String,
    #[serde(default)]
    pub meeting_place: String,
    /// Sent by the "remove" button: the meeting is cleared, whatever the fields hold.
    #[serde(default)]
    pub clear: Option<String>,
}

impl MeetingForm {
    /// The form filled with a planned meeting (or empty, with a usual duration).
    pub fn of(meeting: Option<&NextMeeting>) -> MeetingForm {
        match meeting {
            Some(m) => MeetingForm {
                meeting_date: clock::format_date(m.starts.date()),
                meeting_time: format_time(m.starts.time()),
                meeting_minutes: m.minutes.to_string(),
                meeting_place: m.place.clone(),
                clear: None,
            },
            None => MeetingForm {
                meeting_minutes: "60".to_string(),
                ..MeetingForm::default()
            },
        }
    }

    /// The meeting to plan (`None`: clear it), or the messages by field. `now` is Danish
    /// local time: a meeting must not lie in the past.
    pub fn planned(
        &self,
        now: PrimitiveDateTime,
        t: &'static Messages,
    ) -> Result<Option<NextMeeting>, FieldErrors> {
        if self.clear.is_some() {
            return Ok(None);
        }
        let m = &t.calendar;
        let mut errors = FieldErrors::default();
        let date = match parse_date(&self.meeting_date) {
            None => {
                errors.add("meeting_date", t.common.date_invalid);
                None
            }
            Some(date) if date < now.date() => {
                errors.add("meeting_date", m.date_in_past);
                None
            }
            Some(date) => Some(date),
        };
        let time = parse_time(&self.meeting_time);
        match (date, time) {
            (_, None) => errors.add("meeting_time", m.time_invalid),
            (Some(date), Some(time)) if PrimitiveDateTime::new(date, time) < now => {
                errors.add("meeting_time", m.time_in_past)
            }
            _ => {}
        }
        let minutes = self
            .meeting_minutes
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|minutes| (15..=480).contains(minutes));
        if minutes.is_none() {
            errors.add("meeting_minutes", m.minutes_invalid);
        }
        let place = self.meeting_place.trim();
        if place.chars().count() > PLACE_MAX {
            errors.add("meeting_place", m.place_too_long);
        } else if place.chars().any(char::is_control) {
            errors.add("meeting_place", m.place_one_line);
        }
        match (date, time, minutes) {
            (Some(date), Some(time), Some(minutes)) if errors.is_empty() => Ok(Some(NextMeeting {
                starts: PrimitiveDateTime::new(date, time),
                minutes,
                place: place.to_string(),
            })),
            _ => Err(errors),
        }
    }
}

/// Reads a time as people write it: 14:30, 14.30 or 9:05.
pub fn parse_time(text: &str) -> Option<Time> {
    let (hours, minutes) = text.trim().split_once([':', '.'])?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    let hours = hours.parse::<u8>().ok()?;
    let minutes = minutes.parse::<u8>().ok()?;
    Time::from_hms(hours, minutes, 0).ok()
}

/// 14:30.
pub fn format_time(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// "12-05-2026 kl. 14:30 · 60 min. · Biblioteket", as the course page shows it.
pub fn describe(t: &'static Messages, meeting: &NextMeeting) -> String {
    let mut text = format!(
        "{} {} {} · {} {}",
        clock::format_date(meeting.starts.date()),
        t.calendar.next_meeting_at,
        format_time(meeting.starts.time()),
        meeting.minutes,
        t.calendar.next_meeting_minutes_short
    );
    if !meeting.place.is_empty() {
        text.push_str(" · ");
        text.push_str(&meeting.place);
    }
    text
}

/// Plans or clears the next meeting (the course's member or a coordinator).
pub async fn set_next_meeting(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, _, _) = sessions::loggable(&mut tx, &user, id, t).await?;
    let now = clock::to_danish(clock::now());
    let planned = match form.planned(PrimitiveDateTime::new(now.date(), now.time()), t) {
        Ok(planned) => planned,
        Err(errors) => {
            let entered = Entered {
                errors,
                meeting: Some(Box::new(form)),
                ..Entered::default()
            };
            return again(tx, &reads, &user, page, id, entered).await;
        }
    };
    if !repo::set_next_meeting(&mut tx, id, planned.as_ref()).await? {
        return Err(AppError::NotFound);
    }
    Done::to(format!("/forloeb/{id}#naeste-moede"))
        .audit(
            Event::new("next_meeting_set")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "planned": planned.is_some() })),
        )
        .said(if planned.is_some() {
            t.calendar.next_meeting_saved
        } else {
            t.calendar.next_meeting_cleared
        })
        .finish(tx, addr, &session)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form(date: &str, time: &str, minutes: &str, place: &str) -> MeetingForm {
        MeetingForm {
            meeting_date: date.into(),
            meeting_time: time.into(),
            meeting_minutes: minutes.into(),
            meeting_place: place.into(),
            clear: None,
        }
    }

    const NOW: PrimitiveDateTime = datetime!(2026-05-12 10:00);

    fn da() -> &'static Messages {
        crate::i18n::Locale::Da.messages()
    }

    #[test]
    fn a_meeting_later_today_or_after_is_planned_with_its_place_trimmed() {
        let planned = form("12-05-2026", "14.30", "90", "  Biblioteket ")
            .planned(NOW, da())
            .unwrap()
            .unwrap();
        assert_eq!(planned.starts, datetime!(2026-05-12 14:30));
        assert_eq!(planned.minutes, 90);
        assert_eq!(planned.place, "Biblioteket");
        assert!(
            form("2026-06-01", "9:05", "15", "")
                .planned(NOW, da())
                .is_ok()
        );
    }

    #[test]
    fn a_past_date_a_past_time_a_bad_duration_and_a_long_place_are_refused_at_their_fields() {
        let errors = form("11-05-2026", "25:00", "10", &"x".repeat(101))
            .planned(NOW, da())
            .unwrap_err();
        assert_eq!(errors.get("meeting_date"), Some(da().calendar.date_in_past));
        assert_eq!(errors.get("meeting_time"), Some(da().calendar.time_invalid));
        assert_eq!(
            errors.get("meeting_minutes"),
            Some(da().calendar.minutes_invalid)
        );
        assert_eq!(
            errors.get("meeting_place"),
            Some(da().calendar.place_too_long)
        );
        let earlier_today = form("12-05-2026", "09:59", "60", "")
            .planned(NOW, da())
            .unwrap_err();
        assert_eq!(
            earlier_today.get("meeting_time"),
            Some(da().calendar.time_in_past)
        );
        // 100 characters (not bytes) are allowed: Danish letters count once.
        assert!(
            form("13-05-2026", "10:00", "60", &"æ".repeat(100))
                .planned(NOW, da())
                .is_ok()
        );
    }

    #[test]
    fn the_remove_button_clears_whatever_the_fields_hold() {
        let mut clear = form("", "", "", "");
        clear.clear = Some("1".into());
        assert!(clear.planned(NOW, da()).unwrap().is_none());
    }

    #[test]
    fn times_are_read_as_people_write_them() {
        assert_eq!(parse_time("14:30"), Some(time::macros::time!(14:30)));
        assert_eq!(parse_time("9.05"), Some(time::macros::time!(9:05)));
        assert_eq!(parse_time("1430"), None);
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("14:3"), None);
    }
}
