//! Application rounds and applications: kinds, states, the deadline in Danish time, the
//! advisory round's capacity, the form rules and file-type sniffing. No I/O.

use serde::Deserialize;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::clock;
use crate::i18n::{ApplicationMessages, fill};
use crate::vocab::REGIONS;
use crate::web::forms::{FieldErrors, parse_date};

/// Largest minutes file accepted (the 2022 guide's management-meeting minutes).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Longest free-text answer.
pub const MAX_TEXT: usize = 10_000;

crate::vocab::coded_enum!(
    RoundKind {
        /// Uddannelsesrunde (2015 guide): mentor, parent-coach and coordinator training.
        Training = "training",
        /// Rådgivningsforløb (2022 guide): twice a year, limited capacity.
        Advisory = "advisory",
    }
);

impl RoundKind {
    pub fn label(self, t: &ApplicationMessages) -> &'static str {
        match self {
            RoundKind::Training => t.kind_training,
            RoundKind::Advisory => t.kind_advisory,
        }
    }

    /// The criteria of the guide that reviewers score, as (code, label).
    pub fn criteria(self, t: &ApplicationMessages) -> &'static [(&'static str, &'static str)] {
        match self {
            RoundKind::Training => t.training_criteria,
            RoundKind::Advisory => t.advisory_criteria,
        }
    }
}

crate::vocab::coded_enum!(
    RoundState { Planned = "planned", Open = "open", Closed = "closed" }
);

impl RoundState {
    pub fn label(self, t: &ApplicationMessages) -> &'static str {
        match self {
            RoundState::Planned => t.round_planned,
            RoundState::Open => t.round_open,
            RoundState::Closed => t.round_closed,
        }
    }

    /// A planned or closed round may be opened (again), an open one closed; nothing else.
    pub fn can_move_to(self, to: RoundState) -> bool {
        matches!(
            (self, to),
            (RoundState::Planned | RoundState::Closed, RoundState::Open)
                | (RoundState::Open, RoundState::Closed)
        )
    }
}

crate::vocab::coded_enum!(
    ApplicationState {
        Draft = "draft",
        /// Submitted by the lead; waiting for partner municipalities to confirm.
        AwaitingPartners = "awaiting_partners",
        Submitted = "submitted",
        /// Submitted and being scored.
        UnderReview = "under_review",
        /// Training: approved with seats per programme.
        Approved = "approved",
        /// Advisory: accepted with a start date.
        Accepted = "accepted",
        /// Advisory: referred to a later start.
        Deferred = "deferred",
        Rejected = "rejected",
    }
);

impl ApplicationState {
    pub fn label(self, t: &ApplicationMessages) -> &'static str {
        match self {
            ApplicationState::Draft => t.state_draft,
            ApplicationState::AwaitingPartners => t.state_awaiting_partners,
            ApplicationState::Submitted => t.state_submitted,
            ApplicationState::UnderReview => t.state_under_review,
            ApplicationState::Approved => t.state_approved,
            ApplicationState::Accepted => t.state_accepted,
            ApplicationState::Deferred => t.state_deferred,
            ApplicationState::Rejected => t.state_rejected,
        }
    }

    /// The dkfds badge modifier.
    pub fn badge(self) -> &'static str {
        match self {
            ApplicationState::Approved | ApplicationState::Accepted => "badge-success",
            ApplicationState::Rejected => "badge-error",
            ApplicationState::Deferred | ApplicationState::AwaitingPartners => "badge-warning",
            ApplicationState::Submitted | ApplicationState::UnderReview => "badge-info",
            ApplicationState::Draft => "",
        }
    }

    pub fn is_decided(self) -> bool {
        matches!(
            self,
            ApplicationState::Approved
                | ApplicationState::Accepted
                | ApplicationState::Deferred
                | ApplicationState::Rejected
        )
    }

    /// Counts as submitted: in the reviewers' queue or decided.
    pub fn counts_as_submitted(self) -> bool {
        matches!(
            self,
            ApplicationState::Submitted | ApplicationState::UnderReview
        ) || self.is_decided()
    }

    /// The decisions a reviewer may take for a round of `kind`.
    pub fn decisions(kind: RoundKind) -> &'static [ApplicationState] {
        match kind {
            RoundKind::Training => &[ApplicationState::Approved, ApplicationState::Rejected],
            RoundKind::Advisory => &[
                ApplicationState::Accepted,
                ApplicationState::Deferred,
                ApplicationState::Rejected,
            ],
        }
    }

    /// The states a round's list can be filtered by: every state past the draft, of the
    /// decisions only those of the round's kind.
    pub fn list_filters(kind: RoundKind) -> Vec<ApplicationState> {
        ApplicationState::ALL
            .into_iter()
            .filter(|s| *s != ApplicationState::Draft)
            .filter(|s| !s.is_decided() || ApplicationState::decisions(kind).contains(s))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// A round's list of applications

/// Clears each filter of a round's list that the list does not know: a state must be one
/// past the draft, a region one of the five, a programme one of the three.
pub fn clean_list_filter(state: &mut String, region: &mut String, programme: &mut String) {
    if ApplicationState::from_code(state).is_none_or(|s| s == ApplicationState::Draft) {
        state.clear();
    }
    if !REGIONS.contains(&region.as_str()) {
        region.clear();
    }
    if Programme::from_code(programme).is_none() {
        programme.clear();
    }
}

/// The applicant municipalities per region, every region in `REGIONS` order (0 where none
/// applied), from (region, count) rows; a region that is not one of the five is left out.
pub fn region_counts(spread: &[(String, i64)]) -> Vec<(&'static str, i64)> {
    REGIONS
        .iter()
        .map(|code| {
            let count = spread
                .iter()
                .find(|(region, _)| region == code)
                .map_or(0, |(_, n)| *n);
            (*code, count)
        })
        .collect()
}

crate::vocab::coded_enum!(
    Programme { Mentor = "mentor", ParentCoach = "parent_coach", Coordinator = "coordinator" }
);

impl Programme {
    pub fn label(self, t: &ApplicationMessages) -> &'static str {
        match self {
            Programme::Mentor => t.programme_mentor,
            Programme::ParentCoach => t.programme_parent_coach,
            Programme::Coordinator => t.programme_coordinator,
        }
    }

    fn index(self) -> usize {
        match self {
            Programme::Mentor => 0,
            Programme::ParentCoach => 1,
            Programme::Coordinator => 2,
        }
    }
}

/// A number per programme: candidates applied for, or seats granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerProgramme(pub [Option<i16>; 3]);

impl PerProgramme {
    pub fn get(&self, programme: Programme) -> Option<i16> {
        self.0[programme.index()]
    }

    pub fn set(&mut self, programme: Programme, value: Option<i16>) {
        self.0[programme.index()] = value;
    }

    pub fn applied(&self) -> Vec<Programme> {
        Programme::ALL
            .into_iter()
            .filter(|p| self.get(*p).is_some_and(|n| n > 0))
            .collect()
    }

    pub fn total(&self) -> i64 {
        self.0.iter().flatten().map(|n| i64::from(*n)).sum()
    }
}

// ---------------------------------------------------------------------------------------
// The deadline, in Danish time

/// The instant of a Danish wall-clock time. In the autumn hour that occurs twice the later
/// one is taken (the applicant's favour); a time skipped in spring does not exist: None.
pub fn danish_instant(date: Date, time: Time) -> Option<OffsetDateTime> {
    let local = PrimitiveDateTime::new(date, time);
    [2, 1]
        .into_iter()
        .filter_map(|hours| {
            let offset = UtcOffset::from_hms(hours, 0, 0).ok()?;
            let instant = local.assume_offset(offset);
            (clock::danish_offset(instant) == offset).then_some(instant)
        })
        .max()
}

/// Submissions are accepted up to and including the deadline.
pub fn deadline_passed(deadline: OffsetDateTime, now: OffsetDateTime) -> bool {
    now > deadline
}

/// "25-11-2015 kl. 12:00" in Danish time.
pub fn format_deadline(deadline: OffsetDateTime, t: &ApplicationMessages) -> String {
    let local = clock::to_danish(deadline);
    fill(
        t.at_time,
        &[
            &clock::format_date(local.date()),
            &format!("{:02}:{:02}", local.hour(), local.minute()),
        ],
    )
}

/// Reads "12:00" or "12.00".
pub fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once([':', '.'])?;
    Time::from_hms(h.trim().parse().ok()?, m.trim().parse().ok()?, 0).ok()
}

// ---------------------------------------------------------------------------------------
// Capacity of an advisory round

/// May one more application be accepted, with `accepted` already accepted?
pub fn within_capacity(capacity: i16, accepted: i64) -> bool {
    accepted < i64::from(capacity)
}

// ---------------------------------------------------------------------------------------
// The uploaded file: what it is, by its first bytes, never by its name

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    /// Word, Excel or PowerPoint 2007+ (a zip holding `[Content_Types].xml`).
    OfficeOpenXml,
    /// Word, Excel or PowerPoint 97–2003 (an OLE compound file).
    OfficeLegacy,
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") && contains(bytes, b"[Content_Types].xml") {
        Some(FileKind::OfficeOpenXml)
    } else if bytes.starts_with(&OLE_MAGIC) {
        Some(FileKind::OfficeLegacy)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

impl FileKind {
    /// The content type to serve it as: from what the bytes are, refined by the
    /// extension only among the types the bytes allow.
    pub fn content_type(self, file_name: &str) -> &'static str {
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        match (self, extension.as_str()) {
            (FileKind::Pdf, _) => "application/pdf",
            (FileKind::OfficeOpenXml, "xlsx") => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            (FileKind::OfficeOpenXml, "pptx") => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            (FileKind::OfficeOpenXml, _) => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            (FileKind::OfficeLegacy, "xls") => "application/vnd.ms-excel",
            (FileKind::OfficeLegacy, "ppt") => "application/vnd.ms-powerpoint",
            (FileKind::OfficeLegacy, _) => "application/msword",
        }
    }
}

/// The file's own name without any folder, control characters or quotes, at most 120
/// characters; "bilag" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\' | '/'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        "bilag".to_string()
    } else {
        cleaned
    }
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266).
pub fn attachment_header(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

// ---------------------------------------------------------------------------------------
// The round form (national staff)

#[derive(Debug, Default, Clone, Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub deadline_date: String,
    #[serde(default)]
    pub deadline_time: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub corps_until: String,
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub form_key: Option<uuid::Uuid>,
}

pub struct ValidRound {
    pub kind: RoundKind,
    pub title: String,
    pub description: String,
    pub deadline: OffsetDateTime,
    pub capacity: Option<i16>,
    pub corps_until: Option<Date>,
}

impl RoundForm {
    pub fn validate(&self, t: &ApplicationMessages) -> Result<ValidRound, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = RoundKind::from_code(&self.kind);
        if kind.is_none() {
            errors.add("kind", t.choose_round_kind);
        }
        let title = self.title.trim();
        if title.chars().count() < 2 || title.chars().count() > 200 {
            errors.add("title", t.enter_round_title);
        }
        let description = self.description.trim();
        if description.chars().count() > MAX_TEXT {
            errors.add("description", t.text_too_long);
        }
        let date = parse_date(&self.deadline_date);
        if date.is_none() {
            errors.add("deadline_date", t.deadline_date_invalid);
        }
        let time = parse_time(&self.deadline_time);
        if time.is_none() {
            errors.add("deadline_time", t.deadline_time_invalid);
        }
        let deadline = match (date, time) {
            (Some(date), Some(time)) => {
                let instant = danish_instant(date, time);
                if instant.is_none() {
                    errors.add("deadline_time", t.deadline_time_missing_in_dst);
                }
                instant
            }
            _ => None,
        };
        let mut capacity = None;
        let mut corps_until = None;
        match kind {
            Some(RoundKind::Advisory) => match self.capacity.trim().parse::<i16>() {
                Ok(n) if (1..=100).contains(&n) => capacity = Some(n),
                _ => errors.add("capacity", t.round_capacity_invalid),
            },
            Some(RoundKind::Training) => {
                corps_until = parse_date(&self.corps_until);
                if corps_until.is_none() {
                    errors.add("corps_until", t.corps_until_invalid);
                }
            }
            None => {}
        }
        match (errors.is_empty(), kind, deadline) {
            (true, Some(kind), Some(deadline)) => Ok(ValidRound {
                kind,
                title: title.to_string(),
                description: description.to_string(),
                deadline,
                capacity,
                corps_until,
            }),
            _ => Err(errors),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The application form (coordinators)

/// What a coordinator typed, as typed. Multipart text parts are read into this.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ApplicationForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub programmes: Vec<String>,
    #[serde(default)]
    pub mentor_candidates: String,
    #[serde(default)]
    pub parent_coach_candidates: String,
    #[serde(default)]
    pub coordinator_candidates: String,
    #[serde(default)]
    pub challenges: String,
    #[serde(default)]
    pub organisation_staff: String,
    #[serde(default)]
    pub organisation_responsible: String,
    #[serde(default)]
    pub organisation_partners: String,
    #[serde(default)]
    pub organisation_coordination: String,
    #[serde(default)]
    pub recruitment: String,
    #[serde(default)]
    pub target_groups: String,
    #[serde(default)]
    pub management_support: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub commit_lend: Option<String>,
    #[serde(default)]
    pub commit_method: Option<String>,
    #[serde(default)]
    pub commit_corps: Option<String>,
    #[serde(default)]
    pub motivation: String,
    #[serde(default)]
    pub notifications_count: String,
    #[serde(default)]
    pub measures_count: String,
    #[serde(default)]
    pub indicators_note: String,
    #[serde(default)]
    pub leadership_resources: String,
    #[serde(default)]
    pub signatory_name: String,
    #[serde(default)]
    pub signatory_title: String,
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    pub preferred_start: String,
    #[serde(default)]
    pub earlier_assistance: String,
}

/// A draft that can be stored: every value well-formed, not necessarily complete.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Draft {
    pub candidates: PerProgramme,
    pub challenges: String,
    pub organisation_staff: String,
    pub organisation_responsible: String,
    pub organisation_partners: String,
    pub organisation_coordination: String,
    pub recruitment: String,
    pub target_groups: String,
    pub management_support: String,
    pub legal_basis: String,
    pub commit_lend: bool,
    pub commit_method: bool,
    pub commit_corps: bool,
    pub motivation: String,
    pub notifications_count: Option<i32>,
    pub measures_count: Option<i32>,
    pub indicators_note: String,
    pub leadership_resources: String,
    pub signatory_name: String,
    pub signatory_title: String,
    pub signed_on: Option<Date>,
    pub preferred_start: Option<Date>,
    pub earlier_assistance: String,
}

impl ApplicationForm {
    pub fn submitting(&self) -> bool {
        self.action == "submit"
    }

    /// The form of a stored draft.
    pub fn of(draft: &Draft) -> ApplicationForm {
        let number = |n: Option<i16>| n.map(|n| n.to_string()).unwrap_or_default();
        let date = |d: Option<Date>| d.map(clock::format_date).unwrap_or_default();
        let tick = |b: bool| b.then(|| "1".to_string());
        ApplicationForm {
            action: String::new(),
            version: None,
            programmes: draft
                .candidates
                .applied()
                .iter()
                .map(|p| p.code().to_string())
                .collect(),
            mentor_candidates: number(draft.candidates.get(Programme::Mentor)),
            parent_coach_candidates: number(draft.candidates.get(Programme::ParentCoach)),
            coordinator_candidates: number(draft.candidates.get(Programme::Coordinator)),
            challenges: draft.challenges.clone(),
            organisation_staff: draft.organisation_staff.clone(),
            organisation_responsible: draft.organisation_responsible.clone(),
            organisation_partners: draft.organisation_partners.clone(),
            organisation_coordination: draft.organisation_coordination.clone(),
            recruitment: draft.recruitment.clone(),
            target_groups: draft.target_groups.clone(),
            management_support: draft.management_support.clone(),
            legal_basis: draft.legal_basis.clone(),
            commit_lend: tick(draft.commit_lend),
            commit_method: tick(draft.commit_method),
            commit_corps: tick(draft.commit_corps),
            motivation: draft.motivation.clone(),
            notifications_count: draft
                .notifications_count
                .map(|n| n.to_string())
                .unwrap_or_default(),
            measures_count: draft
                .measures_count
                .map(|n| n.to_string())
                .unwrap_or_default(),
            indicators_note: draft.indicators_note.clone(),
            leadership_resources: draft.leadership_resources.clone(),
            signatory_name: draft.signatory_name.clone(),
            signatory_title: draft.signatory_title.clone(),
            signed_on: date(draft.signed_on),
            preferred_start: date(draft.preferred_start),
            earlier_assistance: draft.earlier_assistance.clone(),
        }
    }

    pub fn ticked(&self, programme: Programme) -> bool {
        self.programmes.iter().any(|code| code == programme.code())
    }

    /// Checks that every value is well-formed (numbers are numbers, dates are dates,
    /// texts are not too long). Blank is fine: a draft may be incomplete.
    pub fn parse(&self, kind: RoundKind, t: &ApplicationMessages) -> Result<Draft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut text = |field: &'static str, value: &str| -> String {
            let value = value.trim();
            if value.chars().count() > MAX_TEXT {
                errors.add(field, t.text_too_long);
            }
            value.to_string()
        };
        let mut draft = Draft {
            challenges: text("challenges", &self.challenges),
            ..Draft::default()
        };
        match kind {
            RoundKind::Training => {
                draft.organisation_staff = text("organisation_staff", &self.organisation_staff);
                draft.organisation_responsible =
                    text("organisation_responsible", &self.organisation_responsible);
                draft.organisation_partners =
                    text("organisation_partners", &self.organisation_partners);
                draft.organisation_coordination =
                    text("organisation_coordination", &self.organisation_coordination);
                draft.recruitment = text("recruitment", &self.recruitment);
                draft.target_groups = text("target_groups", &self.target_groups);
                draft.management_support = text("management_support", &self.management_support);
                draft.legal_basis = text("legal_basis", &self.legal_basis);
                draft.commit_lend = self.commit_lend.is_some();
                draft.commit_method = self.commit_method.is_some();
                draft.commit_corps = self.commit_corps.is_some();
                for (programme, value) in [
                    (Programme::Mentor, &self.mentor_candidates),
                    (Programme::ParentCoach, &self.parent_coach_candidates),
                    (Programme::Coordinator, &self.coordinator_candidates),
                ] {
                    if !self.ticked(programme) {
                        continue;
                    }
                    let field = candidates_field(programme);
                    match value.trim() {
                        "" => {}
                        value => match value.parse::<i16>() {
                            Ok(n) if (1..=50).contains(&n) => {
                                draft.candidates.set(programme, Some(n))
                            }
                            _ => errors.add(field, t.candidates_invalid),
                        },
                    }
                }
            }
            RoundKind::Advisory => {
                draft.motivation = text("motivation", &self.motivation);
                draft.indicators_note = text("indicators_note", &self.indicators_note);
                draft.leadership_resources =
                    text("leadership_resources", &self.leadership_resources);
                draft.signatory_name = text("signatory_name", &self.signatory_name);
                draft.signatory_title = text("signatory_title", &self.signatory_title);
                draft.earlier_assistance = text("earlier_assistance", &self.earlier_assistance);
                for (field, value, target) in [
                    (
                        "notifications_count",
                        &self.notifications_count,
                        &mut draft.notifications_count,
                    ),
                    (
                        "measures_count",
                        &self.measures_count,
                        &mut draft.measures_count,
                    ),
                ] {
                    match value.trim() {
                        "" => {}
                        value => match value.parse::<i32>() {
                            Ok(n) if (0..=1_000_000).contains(&n) => *target = Some(n),
                            _ => errors.add(field, t.count_invalid),
                        },
                    }
                }
                for (field, value, target) in [
                    ("signed_on", &self.signed_on, &mut draft.signed_on),
                    (
                        "preferred_start",
                        &self.preferred_start,
                        &mut draft.preferred_start,
                    ),
                ] {
                    match value.trim() {
                        "" => {}
                        value => match parse_date(value) {
                            Some(date) => *target = Some(date),
                            None => errors.add(field, t.date_invalid),
                        },
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }
}

pub fn candidates_field(programme: Programme) -> &'static str {
    match programme {
        Programme::Mentor => "mentor_candidates",
        Programme::ParentCoach => "parent_coach_candidates",
        Programme::Coordinator => "coordinator_candidates",
    }
}

pub fn seats_field(programme: Programme) -> &'static str {
    match programme {
        Programme::Mentor => "mentor_seats",
        Programme::ParentCoach => "parent_coach_seats",
        Programme::Coordinator => "coordinator_seats",
    }
}

/// What the guide asks for before an application can be submitted, as messages next to
/// the fields that lack it. `programmes_ticked` are the programmes the form ticked.
pub fn missing_for_submission(
    kind: RoundKind,
    draft: &Draft,
    programmes_ticked: &[Programme],
    has_minutes: bool,
    t: &ApplicationMessages,
) -> FieldErrors {
    fn required(errors: &mut FieldErrors, field: &'static str, value: &str, message: &str) {
        if value.trim().is_empty() {
            errors.add(field, message);
        }
    }
    let mut errors = FieldErrors::default();
    let e = &mut errors;
    match kind {
        RoundKind::Training => {
            if programmes_ticked.is_empty() {
                e.add("programmes", t.choose_programme);
            }
            for programme in programmes_ticked {
                if draft.candidates.get(*programme).is_none() {
                    e.add(candidates_field(*programme), t.candidates_invalid);
                }
            }
            required(e, "challenges", &draft.challenges, t.describe_challenges);
            required(
                e,
                "organisation_staff",
                &draft.organisation_staff,
                t.describe_organisation_staff,
            );
            required(
                e,
                "organisation_responsible",
                &draft.organisation_responsible,
                t.describe_organisation_responsible,
            );
            required(
                e,
                "organisation_partners",
                &draft.organisation_partners,
                t.describe_organisation_partners,
            );
            required(
                e,
                "organisation_coordination",
                &draft.organisation_coordination,
                t.describe_organisation_coordination,
            );
            required(e, "recruitment", &draft.recruitment, t.describe_recruitment);
            required(
                e,
                "target_groups",
                &draft.target_groups,
                t.describe_target_groups,
            );
            required(
                e,
                "management_support",
                &draft.management_support,
                t.describe_management_support,
            );
            required(e, "legal_basis", &draft.legal_basis, t.describe_legal_basis);
            if !(draft.commit_lend && draft.commit_method && draft.commit_corps) {
                e.add("commit_lend", t.tick_commitments);
            }
        }
        RoundKind::Advisory => {
            required(e, "motivation", &draft.motivation, t.describe_motivation);
            required(
                e,
                "challenges",
                &draft.challenges,
                t.describe_target_challenges,
            );
            if draft.notifications_count.is_none() {
                e.add("notifications_count", t.count_invalid);
            }
            if draft.measures_count.is_none() {
                e.add("measures_count", t.count_invalid);
            }
            required(
                e,
                "leadership_resources",
                &draft.leadership_resources,
                t.describe_leadership_resources,
            );
            if !has_minutes {
                e.add("minutes", t.attach_minutes);
            }
            required(
                e,
                "signatory_name",
                &draft.signatory_name,
                t.enter_signatory_name,
            );
            required(
                e,
                "signatory_title",
                &draft.signatory_title,
                t.enter_signatory_title,
            );
            if draft.signed_on.is_none() {
                e.add("signed_on", t.date_invalid);
            }
            if draft.preferred_start.is_none() {
                e.add("preferred_start", t.date_invalid);
            }
        }
    }
    errors
}

// ---------------------------------------------------------------------------------------
// The review (national staff)

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct CriterionScore {
    pub score: Option<i16>,
    #[serde(default)]
    pub note: String,
}

/// Scores by criterion code.
pub type Scores = std::collections::BTreeMap<String, CriterionScore>;

/// Reads `score_<code>` and `note_<code>` for each criterion of `kind`.
pub fn parse_scores(
    kind: RoundKind,
    fields: &[(String, String)],
    t: &ApplicationMessages,
) -> (Scores, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut scores = Scores::new();
    let value = |name: String| {
        fields
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.trim().to_string())
            .unwrap_or_default()
    };
    for (code, _) in kind.criteria(t) {
        let score_text = value(format!("score_{code}"));
        let note = value(format!("note_{code}"));
        let score = match score_text.as_str() {
            "" => None,
            text => match text.parse::<i16>() {
                Ok(n) if (1..=5).contains(&n) => Some(n),
                _ => {
                    errors.add(format!("score_{code}"), t.score_invalid);
                    None
                }
            },
        };
        if note.chars().count() > MAX_TEXT {
            errors.add(format!("note_{code}"), t.text_too_long);
        }
        scores.insert((*code).to_string(), CriterionScore { score, note });
    }
    (scores, errors)
}

/// (sum of the scores given, how many criteria were scored).
pub fn score_total(scores: &Scores) -> (i16, i16) {
    scores
        .values()
        .filter_map(|s| s.score)
        .fold((0, 0), |(sum, n), score| (sum + score, n + 1))
}

// ---------------------------------------------------------------------------------------
// The decision (national staff)

#[derive(Debug, Default, Clone, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub mentor_seats: String,
    #[serde(default)]
    pub parent_coach_seats: String,
    #[serde(default)]
    pub coordinator_seats: String,
    #[serde(default)]
    pub start_on: String,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: ApplicationState,
    pub reason: String,
    pub seats: PerProgramme,
    pub start_on: Option<Date>,
}

impl DecisionForm {
    /// `applied` are the programmes the application asked for (training rounds).
    pub fn validate(
        &self,
        kind: RoundKind,
        applied: &[Programme],
        t: &ApplicationMessages,
    ) -> Result<Decision, FieldErrors> {
        let mut errors = FieldErrors::default();
        let outcome = ApplicationState::from_code(&self.outcome)
            .filter(|outcome| ApplicationState::decisions(kind).contains(outcome));
        if outcome.is_none() {
            errors.add("outcome", t.choose_outcome);
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.add("reason", t.enter_reason);
        } else if reason.chars().count() > MAX_TEXT {
            errors.add("reason", t.text_too_long);
        }
        let mut seats = PerProgramme::default();
        if outcome == Some(ApplicationState::Approved) {
            for (programme, value) in [
                (Programme::Mentor, &self.mentor_seats),
                (Programme::ParentCoach, &self.parent_coach_seats),
                (Programme::Coordinator, &self.coordinator_seats),
            ] {
                if !applied.contains(&programme) {
                    continue;
                }
                match value.trim() {
                    "" => seats.set(programme, Some(0)),
                    value => match value.parse::<i16>() {
                        Ok(n) if (0..=50).contains(&n) => seats.set(programme, Some(n)),
                        _ => errors.add(seats_field(programme), t.seats_invalid),
                    },
                }
            }
            if errors.get("mentor_seats").is_none()
                && errors.get("parent_coach_seats").is_none()
                && errors.get("coordinator_seats").is_none()
                && seats.total() == 0
            {
                let first = applied.first().copied().unwrap_or(Programme::Mentor);
                errors.add(seats_field(first), t.seats_required);
            }
        }
        let mut start_on = None;
        if outcome == Some(ApplicationState::Accepted) {
            start_on = parse_date(&self.start_on);
            if start_on.is_none() {
                errors.add("start_on", t.start_on_invalid);
            }
        }
        match outcome {
            Some(outcome) if errors.is_empty() => Ok(Decision {
                outcome,
                reason: reason.to_string(),
                seats,
                start_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use time::macros::{date, datetime, time};

    fn t() -> &'static ApplicationMessages {
        &Locale::Da.messages().apps
    }

    #[test]
    fn a_danish_deadline_is_the_danish_wall_clock_in_winter_and_summer() {
        assert_eq!(
            danish_instant(date!(2015 - 11 - 25), time!(12:00)),
            Some(datetime!(2015-11-25 11:00 UTC))
        );
        assert_eq!(
            danish_instant(date!(2026 - 06 - 01), time!(12:00)),
            Some(datetime!(2026-06-01 10:00 UTC))
        );
    }

    #[test]
    fn deadline_on_the_nights_the_clocks_change() {
        // 29 March 2026: 02:00–03:00 does not exist in Denmark.
        assert_eq!(danish_instant(date!(2026 - 03 - 29), time!(02:30)), None);
        assert_eq!(
            danish_instant(date!(2026 - 03 - 29), time!(03:00)),
            Some(datetime!(2026-03-29 01:00 UTC))
        );
        // 25 October 2026: 02:30 happens twice; the later one counts.
        assert_eq!(
            danish_instant(date!(2026 - 10 - 25), time!(02:30)),
            Some(datetime!(2026-10-25 01:30 UTC))
        );
        assert_eq!(
            danish_instant(date!(2026 - 10 - 25), time!(23:59)),
            Some(datetime!(2026-10-25 22:59 UTC))
        );
    }

    #[test]
    fn submission_is_accepted_up_to_and_including_the_deadline() {
        let deadline = danish_instant(date!(2026 - 03 - 30), time!(12:00)).unwrap();
        assert!(!deadline_passed(deadline, datetime!(2026-03-30 10:00 UTC)));
        assert!(deadline_passed(
            deadline,
            datetime!(2026-03-30 10:00:01 UTC)
        ));
        // 11:30 UTC is 13:30 in Danish summer time: too late, although before 12:00 UTC.
        assert!(deadline_passed(deadline, datetime!(2026-03-30 11:30 UTC)));
        assert_eq!(format_deadline(deadline, t()), "30-03-2026 kl. 12:00");
    }

    #[test]
    fn a_round_opens_from_planned_or_closed_and_closes_only_when_open() {
        use RoundState::*;
        let allowed: Vec<(RoundState, RoundState)> = [Planned, Open, Closed]
            .into_iter()
            .flat_map(|from| [Planned, Open, Closed].map(|to| (from, to)))
            .filter(|(from, to)| from.can_move_to(*to))
            .collect();
        assert_eq!(allowed, [(Planned, Open), (Open, Closed), (Closed, Open)]);
    }

    #[test]
    fn a_round_list_is_filtered_by_states_past_the_draft_and_its_kinds_decisions() {
        use ApplicationState::*;
        let undecided = [AwaitingPartners, Submitted, UnderReview];
        let mut training = undecided.to_vec();
        training.extend([Approved, Rejected]);
        assert_eq!(
            ApplicationState::list_filters(RoundKind::Training),
            training
        );
        let mut advisory = undecided.to_vec();
        advisory.extend([Accepted, Deferred, Rejected]);
        assert_eq!(
            ApplicationState::list_filters(RoundKind::Advisory),
            advisory
        );
    }

    #[test]
    fn unknown_list_filters_are_cleared_known_ones_kept() {
        let clean = |state: &str, region: &str, programme: &str| {
            let (mut s, mut r, mut p) =
                (state.to_string(), region.to_string(), programme.to_string());
            clean_list_filter(&mut s, &mut r, &mut p);
            (s, r, p)
        };
        let kept = |s: &str, r: &str, p: &str| (s.to_string(), r.to_string(), p.to_string());
        assert_eq!(
            clean("submitted", "hovedstaden", "mentor"),
            kept("submitted", "hovedstaden", "mentor")
        );
        assert_eq!(clean("draft", "Hovedstaden", "mentors"), kept("", "", ""));
        assert_eq!(
            clean("bogus", "nordjylland", ""),
            kept("", "nordjylland", "")
        );
        assert_eq!(
            clean("deferred", "", "coordinator"),
            kept("deferred", "", "coordinator")
        );
        assert_eq!(clean("", "", ""), kept("", "", ""));
    }

    #[test]
    fn the_spread_lists_every_region_in_order_with_zero_where_none_applied() {
        let spread = vec![
            ("nordjylland".to_string(), 2),
            ("hovedstaden".to_string(), 5),
            ("atlantis".to_string(), 9),
        ];
        assert_eq!(
            region_counts(&spread),
            [
                ("hovedstaden", 5),
                ("sjaelland", 0),
                ("syddanmark", 0),
                ("midtjylland", 0),
                ("nordjylland", 2)
            ]
        );
        assert!(region_counts(&[]).iter().all(|(_, n)| *n == 0));
        assert_eq!(region_counts(&[]).len(), 5);
    }

    #[test]
    fn capacity_allows_exactly_as_many_as_it_says() {
        assert!(within_capacity(2, 0));
        assert!(within_capacity(2, 1));
        assert!(!within_capacity(2, 2));
        assert!(!within_capacity(1, 5));
    }

    #[test]
    fn files_are_known_by_their_first_bytes_not_their_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        let mut docx = b"PK\x03\x04rest of a zip".to_vec();
        docx.extend_from_slice(b"...[Content_Types].xml...");
        assert_eq!(sniff(&docx), Some(FileKind::OfficeOpenXml));
        assert_eq!(
            sniff(b"PK\x03\x04just a zip"),
            None,
            "a zip is not a document"
        );
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]),
            Some(FileKind::OfficeLegacy)
        );
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(FileKind::Pdf.content_type("referat.exe"), "application/pdf");
        assert_eq!(
            FileKind::OfficeLegacy.content_type("Referat.XLS"),
            "application/vnd.ms-excel"
        );
    }

    #[test]
    fn file_names_lose_folders_and_quotes() {
        assert_eq!(clean_file_name("C:\\Users\\x\\referat.pdf"), "referat.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b;c.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(".."), "bilag");
        assert_eq!(
            attachment_header("Referat ø.pdf"),
            "attachment; filename=\"Referat _.pdf\"; filename*=UTF-8''Referat%20%C3%B8.pdf"
        );
    }

    #[test]
    fn a_round_needs_a_deadline_that_exists_and_a_capacity_when_advisory() {
        let form = RoundForm {
            kind: "advisory".into(),
            title: "Rådgivningsforløb, efteråret 2026".into(),
            deadline_date: "29-03-2026".into(),
            deadline_time: "02:30".into(),
            capacity: "0".into(),
            ..Default::default()
        };
        let errors = form.validate(t()).err().unwrap();
        assert_eq!(
            errors.get("deadline_time"),
            Some(t().deadline_time_missing_in_dst)
        );
        assert_eq!(errors.get("capacity"), Some(t().round_capacity_invalid));
        let form = RoundForm {
            deadline_time: "12.00".into(),
            capacity: "4".into(),
            ..form
        };
        let valid = form.validate(t()).ok().unwrap();
        assert_eq!(valid.capacity, Some(4));
        assert_eq!(valid.deadline, datetime!(2026-03-29 10:00 UTC));
    }

    #[test]
    fn a_training_application_needs_every_answer_and_all_three_commitments() {
        let form = ApplicationForm {
            programmes: vec!["mentor".into(), "parent_coach".into()],
            mentor_candidates: "3".into(),
            parent_coach_candidates: "".into(),
            coordinator_candidates: "7".into(),
            challenges: "Unge i bydelen".into(),
            commit_lend: Some("1".into()),
            ..Default::default()
        };
        let draft = form.parse(RoundKind::Training, t()).ok().unwrap();
        assert_eq!(draft.candidates.get(Programme::Mentor), Some(3));
        assert_eq!(
            draft.candidates.get(Programme::Coordinator),
            None,
            "an unticked programme is not applied for"
        );
        let missing = missing_for_submission(
            RoundKind::Training,
            &draft,
            &[Programme::Mentor, Programme::ParentCoach],
            false,
            t(),
        );
        assert_eq!(
            missing.get("parent_coach_candidates"),
            Some(t().candidates_invalid)
        );
        assert_eq!(missing.get("commit_lend"), Some(t().tick_commitments));
        assert!(missing.get("challenges").is_none());
        assert_eq!(missing.get("recruitment"), Some(t().describe_recruitment));
        let bad = ApplicationForm {
            mentor_candidates: "mange".into(),
            ..form
        };
        assert_eq!(
            bad.parse(RoundKind::Training, t())
                .err()
                .unwrap()
                .get("mentor_candidates"),
            Some(t().candidates_invalid)
        );
    }

    #[test]
    fn an_advisory_application_needs_the_minutes_and_a_signature() {
        let form = ApplicationForm {
            motivation: "Vi vil styrke praksis".into(),
            challenges: "Underretninger".into(),
            notifications_count: "120".into(),
            measures_count: "31".into(),
            leadership_resources: "Afdelingsleder deltager".into(),
            signatory_name: "Birgit Holm".into(),
            signatory_title: "Direktør".into(),
            signed_on: "01-09-2026".into(),
            preferred_start: "2027-01-15".into(),
            ..Default::default()
        };
        let draft = form.parse(RoundKind::Advisory, t()).ok().unwrap();
        assert_eq!(draft.preferred_start, Some(date!(2027 - 01 - 15)));
        let missing = missing_for_submission(RoundKind::Advisory, &draft, &[], false, t());
        assert_eq!(missing.iter().count(), 1);
        assert_eq!(missing.get("minutes"), Some(t().attach_minutes));
        assert!(missing_for_submission(RoundKind::Advisory, &draft, &[], true, t()).is_empty());
    }

    #[test]
    fn scores_are_one_to_five_per_criterion_of_the_guide() {
        let fields = vec![
            ("score_motivation".to_string(), "4".to_string()),
            ("note_motivation".to_string(), "Klar motivation".to_string()),
            ("score_challenges".to_string(), "6".to_string()),
        ];
        let (scores, errors) = parse_scores(RoundKind::Advisory, &fields, t());
        assert_eq!(errors.get("score_challenges"), Some(t().score_invalid));
        assert_eq!(scores["motivation"].score, Some(4));
        assert_eq!(scores.len(), RoundKind::Advisory.criteria(t()).len());
        assert_eq!(score_total(&scores), (4, 1));
    }

    #[test]
    fn a_decision_needs_a_reason_and_seats_or_a_start() {
        let approved = DecisionForm {
            outcome: "approved".into(),
            reason: "Godt beskrevet organisering".into(),
            mentor_seats: "2".into(),
            parent_coach_seats: "9".into(),
            ..Default::default()
        };
        let decision = approved
            .validate(RoundKind::Training, &[Programme::Mentor], t())
            .ok()
            .unwrap();
        assert_eq!(decision.seats.get(Programme::Mentor), Some(2));
        assert_eq!(
            decision.seats.get(Programme::ParentCoach),
            None,
            "no seats for a programme not applied for"
        );
        let none = DecisionForm {
            mentor_seats: "0".into(),
            ..approved.clone()
        };
        assert_eq!(
            none.validate(RoundKind::Training, &[Programme::Mentor], t())
                .err()
                .unwrap()
                .get("mentor_seats"),
            Some(t().seats_required)
        );
        let accepted_in_training = DecisionForm {
            outcome: "accepted".into(),
            ..approved
        };
        assert!(
            accepted_in_training
                .validate(RoundKind::Training, &[], t())
                .is_err()
        );
        let accepted = DecisionForm {
            outcome: "accepted".into(),
            reason: "Motiveret".into(),
            ..Default::default()
        };
        assert_eq!(
            accepted
                .validate(RoundKind::Advisory, &[], t())
                .err()
                .unwrap()
                .get("start_on"),
            Some(t().start_on_invalid)
        );
    }
}
