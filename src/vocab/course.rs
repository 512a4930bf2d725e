//! The kinds, states and session kinds of a course: shared by every feature that shows or counts courses.

use crate::i18n::Messages;

/// Defines a code-backed enum: `code()` for the database, `from_code()` back, `ALL`.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// The three kinds of course (2015 guide, annex 2).
    CourseKind { Mentor = "mentor", ParentCoaching = "parent_coaching", RelativesNetwork = "relatives_network" }
);

coded_enum!(
    /// The lifecycle: referred → matched → pre-meeting → active → ending → follow-up →
    /// closed, or cancelled at any point.
    CourseState {
        Referred = "referred",
        Matched = "matched",
        PreMeeting = "pre_meeting",
        Active = "active",
        Ending = "ending",
        FollowUp = "follow_up",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

coded_enum!(
    SessionKind {
        PreMeeting = "pre_meeting",
        Session = "session",
        NetworkMeeting = "network_meeting",
        FollowUp = "follow_up",
        PhoneOnline = "phone_online",
        ProfessionalsMeeting = "professionals_meeting",
    }
);

impl CourseKind {
    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            CourseKind::Mentor => t.courses.course_kind_mentor,
            CourseKind::ParentCoaching => t.courses.course_kind_parent_coaching,
            CourseKind::RelativesNetwork => t.courses.course_kind_relatives_network,
        }
    }

    /// The role a member needs to take this kind of course.
    pub fn member_role(self) -> super::Role {
        match self {
            CourseKind::Mentor => super::Role::Mentor,
            CourseKind::ParentCoaching | CourseKind::RelativesNetwork => super::Role::ParentCoach,
        }
    }

    /// Which citizens a course of this kind is with.
    pub fn citizen_kind(self) -> &'static str {
        match self {
            CourseKind::Mentor => "mentee",
            CourseKind::ParentCoaching | CourseKind::RelativesNetwork => "relative",
        }
    }

    /// The session kinds offered when logging a session of this course.
    pub fn session_kinds(self) -> &'static [SessionKind] {
        use SessionKind::*;
        match self {
            CourseKind::Mentor => &[
                Session,
                PhoneOnline,
                NetworkMeeting,
                ProfessionalsMeeting,
                PreMeeting,
                FollowUp,
            ],
            CourseKind::ParentCoaching => &[
                Session,
                PreMeeting,
                FollowUp,
                PhoneOnline,
                NetworkMeeting,
                ProfessionalsMeeting,
            ],
            CourseKind::RelativesNetwork => &[
                NetworkMeeting,
                PreMeeting,
                PhoneOnline,
                ProfessionalsMeeting,
                FollowUp,
            ],
        }
    }
}

impl CourseState {
    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            CourseState::Referred => t.courses.state_referred,
            CourseState::Matched => t.courses.state_matched,
            CourseState::PreMeeting => t.courses.state_pre_meeting,
            CourseState::Active => t.courses.state_active,
            CourseState::Ending => t.courses.state_ending,
            CourseState::FollowUp => t.courses.state_follow_up,
            CourseState::Closed => t.courses.state_closed,
            CourseState::Cancelled => t.courses.state_cancelled,
        }
    }

    /// States in which the member works on the course (they count against capacity).
    pub const LOAD: [CourseState; 4] = [
        CourseState::Matched,
        CourseState::PreMeeting,
        CourseState::Active,
        CourseState::Ending,
    ];

    pub fn is_open(self) -> bool {
        !matches!(self, CourseState::Closed | CourseState::Cancelled)
    }

    /// The states a course may move on to by hand. Matching (referred → matched) and
    /// cancelling have their own forms.
    pub fn next(self) -> &'static [CourseState] {
        use CourseState::*;
        match self {
            Referred => &[],
            Matched => &[PreMeeting, Active],
            PreMeeting => &[Active],
            Active => &[Ending],
            Ending => &[FollowUp, Closed, Active],
            FollowUp => &[Closed],
            Closed | Cancelled => &[],
        }
    }

    pub fn may_move_to(self, to: CourseState) -> bool {
        self.next().contains(&to)
    }
}

impl SessionKind {
    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            SessionKind::PreMeeting => t.courses.session_kind_pre_meeting,
            SessionKind::Session => t.courses.session_kind_session,
            SessionKind::NetworkMeeting => t.courses.session_kind_network_meeting,
            SessionKind::FollowUp => t.courses.session_kind_follow_up,
            SessionKind::PhoneOnline => t.courses.session_kind_phone_online,
            SessionKind::ProfessionalsMeeting => t.courses.session_kind_professionals_meeting,
        }
    }
}
