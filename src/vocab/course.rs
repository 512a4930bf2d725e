//! The kinds, states and session kinds of a course: shared by every feature that shows or counts courses.

use crate::i18n::Messages;

use super::coded::coded_enum;

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
    pub fn citizen_kind(self) -> CitizenKind {
        match self {
            CourseKind::Mentor => CitizenKind::Mentee,
            CourseKind::ParentCoaching | CourseKind::RelativesNetwork => CitizenKind::Relative,
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

coded_enum!(
    /// Who a citizen is in a course: the young person (mentee) or a relative.
    CitizenKind { Mentee = "mentee", Relative = "relative" }
);

coded_enum!(
    /// What an entry in a course's history records (`course_events.kind`).
    CourseEventKind {
        Created = "created",
        Matched = "matched",
        State = "state",
        Extended = "extended",
        Cancelled = "cancelled",
    }
);

coded_enum!(
    /// The answer to "were the goals reached" when a course ends.
    GoalsReached { Yes = "yes", Partly = "partly", No = "no" }
);

coded_enum!(
    /// What a measurement measures: the progress rating, the three risk assessments and
    /// the wellbeing and mastery scales before and after (`measurements.kind`).
    MeasurementKind {
        Progress = "progress",
        RiskMentor = "risk_mentor",
        RiskCitizen = "risk_citizen",
        RiskParents = "risk_parents",
        WellbeingPre = "wellbeing_pre",
        WellbeingPost = "wellbeing_post",
        MasteryPre = "mastery_pre",
        MasteryPost = "mastery_post",
    }
);

coded_enum!(
    /// Whether a LAT tool is filled in before or after (`tool_answers.phase`).
    ToolPhase { Pre = "pre", Post = "post" }
);

coded_enum!(
    /// How far a corps member is with the training (`corps_members.training_status`).
    TrainingStatus { Untrained = "untrained", InTraining = "in_training", Trained = "trained" }
);

impl CitizenKind {
    /// The kind on the other side of a relation (a mentee's relative and back).
    pub fn other(self) -> CitizenKind {
        match self {
            CitizenKind::Mentee => CitizenKind::Relative,
            CitizenKind::Relative => CitizenKind::Mentee,
        }
    }
}

coded_enum!(
    /// A scale a LAT tool scores before and after a course (WHO-5 wellbeing, life
    /// mastery): the first part of its measurement kinds, as the dashboards group them.
    Scale { Wellbeing = "wellbeing", Mastery = "mastery" }
);

impl MeasurementKind {
    /// What a scale's score is stored as in one phase: wellbeing before is `wellbeing_pre`.
    pub fn scored(scale: Scale, phase: ToolPhase) -> MeasurementKind {
        match (scale, phase) {
            (Scale::Wellbeing, ToolPhase::Pre) => MeasurementKind::WellbeingPre,
            (Scale::Wellbeing, ToolPhase::Post) => MeasurementKind::WellbeingPost,
            (Scale::Mastery, ToolPhase::Pre) => MeasurementKind::MasteryPre,
            (Scale::Mastery, ToolPhase::Post) => MeasurementKind::MasteryPost,
        }
    }
}

impl ToolPhase {
    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            ToolPhase::Pre => t.common.phase_pre,
            ToolPhase::Post => t.common.phase_post,
        }
    }
}

impl TrainingStatus {
    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            TrainingStatus::Untrained => t.common.training_untrained,
            TrainingStatus::InTraining => t.common.training_in_training,
            TrainingStatus::Trained => t.common.training_trained,
        }
    }
}

impl GoalsReached {
    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            GoalsReached::Yes => t.courses.goals_yes,
            GoalsReached::Partly => t.courses.goals_partly,
            GoalsReached::No => t.courses.goals_no,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scored_measurement_is_named_by_its_scale_and_phase() {
        for (scale, name) in [(Scale::Wellbeing, "wellbeing"), (Scale::Mastery, "mastery")] {
            for phase in ToolPhase::ALL {
                assert_eq!(
                    MeasurementKind::scored(scale, phase).code(),
                    format!("{name}_{}", phase.code())
                );
            }
        }
    }
}
