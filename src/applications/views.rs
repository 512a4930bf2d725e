//! What the application pages show: the questions of each kind of round in the guide's
//! order (the same list for the form and the read-only view), and the decision.

use askama::Template;
use askama_web::WebTemplate;
use time::Date;
use uuid::Uuid;

use super::model::{
    ApplicationForm, ApplicationState, Programme, RoundForm, RoundKind, RoundState,
    candidates_field, deadline_passed, format_deadline,
};
use super::repo::{Application, ListRow, Round, RoundRow};
use crate::clock;
use crate::i18n::{ApplicationMessages, Messages, fill};
use crate::vocab::REGIONS;
use crate::web::Page;
use crate::web::chart;
use crate::web::forms::FieldErrors;
use crate::web::table::List;

pub struct Question {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// A one-line field (numbers, names, dates) rather than a text area.
    pub short: bool,
    pub required: bool,
}

pub struct Section {
    pub heading: &'static str,
    pub questions: Vec<Question>,
}

pub struct ProgrammeRow {
    pub code: &'static str,
    pub label: &'static str,
    pub candidates_label: String,
    pub ticked: bool,
    pub field: &'static str,
    pub candidates: String,
    pub error: Option<String>,
}

pub struct Commitment {
    pub name: &'static str,
    pub label: String,
    pub ticked: bool,
}

fn question(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: &str,
    errors: &FieldErrors,
) -> Question {
    Question {
        name,
        label,
        hint,
        value: value.to_string(),
        error: errors.get(name).map(str::to_string),
        short: false,
        required: true,
    }
}

fn short(mut q: Question) -> Question {
    q.short = true;
    q
}

fn optional(mut q: Question) -> Question {
    q.required = false;
    q
}

/// The free-text and one-line questions of the guide for `kind`, grouped as the guide does.
pub fn sections(
    kind: RoundKind,
    form: &ApplicationForm,
    errors: &FieldErrors,
    a: &'static ApplicationMessages,
) -> Vec<Section> {
    let q = |name, label, hint, value: &str| question(name, label, hint, value, errors);
    match kind {
        RoundKind::Training => vec![
            Section {
                heading: a.section_challenges,
                questions: vec![q(
                    "challenges",
                    a.q_challenges,
                    a.q_challenges_hint,
                    &form.challenges,
                )],
            },
            Section {
                heading: a.section_organisation,
                questions: vec![
                    q(
                        "organisation_staff",
                        a.q_organisation_staff,
                        "",
                        &form.organisation_staff,
                    ),
                    q(
                        "organisation_responsible",
                        a.q_organisation_responsible,
                        "",
                        &form.organisation_responsible,
                    ),
                    q(
                        "organisation_partners",
                        a.q_organisation_partners,
                        "",
                        &form.organisation_partners,
                    ),
                    q(
                        "organisation_coordination",
                        a.q_organisation_coordination,
                        "",
                        &form.organisation_coordination,
                    ),
                ],
            },
            Section {
                heading: a.section_recruitment,
                questions: vec![q(
                    "recruitment",
                    a.q_recruitment,
                    a.q_recruitment_hint,
                    &form.recruitment,
                )],
            },
            Section {
                heading: a.section_target_groups,
                questions: vec![q(
                    "target_groups",
                    a.q_target_groups,
                    a.q_target_groups_hint,
                    &form.target_groups,
                )],
            },
            Section {
                heading: a.section_management,
                questions: vec![
                    q(
                        "management_support",
                        a.q_management_support,
                        "",
                        &form.management_support,
                    ),
                    q(
                        "legal_basis",
                        a.q_legal_basis,
                        a.q_legal_basis_hint,
                        &form.legal_basis,
                    ),
                ],
            },
        ],
        RoundKind::Advisory => vec![
            Section {
                heading: a.section_motivation,
                questions: vec![q(
                    "motivation",
                    a.q_motivation,
                    a.q_motivation_hint,
                    &form.motivation,
                )],
            },
            Section {
                heading: a.section_challenges,
                questions: vec![q(
                    "challenges",
                    a.q_target_challenges,
                    a.q_target_challenges_hint,
                    &form.challenges,
                )],
            },
            Section {
                heading: a.section_indicators,
                questions: vec![
                    short(q(
                        "notifications_count",
                        a.q_notifications_count,
                        a.q_count_hint,
                        &form.notifications_count,
                    )),
                    short(q(
                        "measures_count",
                        a.q_measures_count,
                        a.q_count_hint,
                        &form.measures_count,
                    )),
                    optional(q(
                        "indicators_note",
                        a.q_indicators_note,
                        "",
                        &form.indicators_note,
                    )),
                ],
            },
            Section {
                heading: a.section_leadership,
                questions: vec![q(
                    "leadership_resources",
                    a.q_leadership_resources,
                    a.q_leadership_resources_hint,
                    &form.leadership_resources,
                )],
            },
            Section {
                heading: a.section_signature,
                questions: vec![
                    short(q(
                        "signatory_name",
                        a.q_signatory_name,
                        a.q_signatory_hint,
                        &form.signatory_name,
                    )),
                    short(q(
                        "signatory_title",
                        a.q_signatory_title,
                        "",
                        &form.signatory_title,
                    )),
                    short(q("signed_on", a.q_signed_on, a.date_hint, &form.signed_on)),
                ],
            },
            Section {
                heading: a.section_start,
                questions: vec![
                    short(q(
                        "preferred_start",
                        a.q_preferred_start,
                        a.date_hint,
                        &form.preferred_start,
                    )),
                    optional(q(
                        "earlier_assistance",
                        a.q_earlier_assistance,
                        a.q_earlier_assistance_hint,
                        &form.earlier_assistance,
                    )),
                ],
            },
        ],
    }
}

/// The programmes of a training application, with candidates (and seats once decided).
pub fn programme_rows(
    form: &ApplicationForm,
    errors: &FieldErrors,
    a: &'static ApplicationMessages,
) -> Vec<ProgrammeRow> {
    Programme::ALL
        .into_iter()
        .map(|p| {
            let field = candidates_field(p);
            ProgrammeRow {
                code: p.code(),
                label: p.label(a),
                candidates_label: fill(a.candidates_for, &[p.label(a)]),
                ticked: form.ticked(p),
                field,
                candidates: match p {
                    Programme::Mentor => form.mentor_candidates.clone(),
                    Programme::ParentCoach => form.parent_coach_candidates.clone(),
                    Programme::Coordinator => form.coordinator_candidates.clone(),
                },
                error: errors.get(field).map(str::to_string),
            }
        })
        .collect()
}

pub fn commitments(
    form: &ApplicationForm,
    corps_until: Option<Date>,
    a: &'static ApplicationMessages,
) -> Vec<Commitment> {
    let until = corps_until.map(clock::format_date).unwrap_or_default();
    vec![
        Commitment {
            name: "commit_lend",
            label: a.commit_lend.to_string(),
            ticked: form.commit_lend.is_some(),
        },
        Commitment {
            name: "commit_method",
            label: a.commit_method.to_string(),
            ticked: form.commit_method.is_some(),
        },
        Commitment {
            name: "commit_corps",
            label: fill(a.commit_corps, &[&until]),
            ticked: form.commit_corps.is_some(),
        },
    ]
}

/// The round as the application pages show it.
pub struct RoundSummary {
    pub id: uuid::Uuid,
    pub title: String,
    pub kind: &'static str,
    pub is_training: bool,
    pub description: String,
    pub deadline: String,
    pub state: &'static str,
}

impl RoundSummary {
    pub fn of(round: &Round, a: &'static ApplicationMessages) -> RoundSummary {
        RoundSummary {
            id: round.id,
            title: round.title.clone(),
            kind: round.kind.label(a),
            is_training: round.kind == RoundKind::Training,
            description: round.description.clone(),
            deadline: format_deadline(round.deadline, a),
            state: round.state.label(a),
        }
    }
}

/// The decision as the applicant sees it.
pub struct DecisionView {
    pub outcome: &'static str,
    pub badge: &'static str,
    pub reason: String,
    pub seats: Vec<(&'static str, i16)>,
    pub start_on: String,
    pub decided_on: String,
}

pub fn decision_view(application: &Application, t: &'static Messages) -> Option<DecisionView> {
    let a = &t.apps;
    if !application.state.is_decided() {
        return None;
    }
    Some(DecisionView {
        outcome: application.state.label(a),
        badge: application.state.badge(),
        reason: application.decision_reason.clone(),
        seats: if application.state == ApplicationState::Approved {
            Programme::ALL
                .into_iter()
                .filter_map(|p| application.seats.get(p).map(|n| (p.label(a), n)))
                .collect()
        } else {
            Vec::new()
        },
        start_on: application
            .start_on
            .map(clock::format_date)
            .unwrap_or_default(),
        decided_on: application
            .decided_at
            .map(|at| clock::format_date(clock::to_danish(at).date()))
            .unwrap_or_default(),
    })
}

/// The fields whose saved value differs from what the user typed (the 409 page).
pub fn differences(
    kind: RoundKind,
    yours: &ApplicationForm,
    theirs: &ApplicationForm,
    corps_until: Option<Date>,
    t: &'static Messages,
) -> Vec<crate::web::forms::Difference> {
    crate::web::forms::differences(
        shown(kind, yours, corps_until, t),
        shown(kind, theirs, corps_until, t),
    )
}

/// Every answer of an application as a reader sees it: (label, value).
fn shown(
    kind: RoundKind,
    form: &ApplicationForm,
    corps_until: Option<Date>,
    t: &'static Messages,
) -> Vec<(String, String)> {
    let a = &t.apps;
    let none = FieldErrors::default();
    let yes_no = |b: bool| if b { t.common.yes } else { t.common.no }.to_string();
    let mut rows = Vec::new();
    if kind == RoundKind::Training {
        for row in programme_rows(form, &none, a) {
            let value = if row.ticked {
                row.candidates.clone()
            } else {
                t.common.no.to_string()
            };
            rows.push((row.label.to_string(), value));
        }
    }
    for section in sections(kind, form, &none, a) {
        for question in section.questions {
            rows.push((question.label.to_string(), question.value));
        }
    }
    if kind == RoundKind::Training {
        for commitment in commitments(form, corps_until, a) {
            rows.push((commitment.label, yes_no(commitment.ticked)));
        }
    }
    rows
}

// ---------------------------------------------------------------------------------------
// The rounds (national staff)

pub struct RoundListRow {
    id: Uuid,
    title: String,
    kind: &'static str,
    state: &'static str,
    open: bool,
    deadline: String,
    received: i64,
    undecided: i64,
    accepted: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/rounds.html")]
pub struct RoundsView {
    page: Page,
    list: List<RoundListRow>,
}

impl RoundsView {
    pub fn new(page: Page, rounds: List<RoundRow>) -> RoundsView {
        let t = page.t;
        let a = &t.apps;
        let list = rounds
            .columns(
                t,
                &[
                    (a.round_title, None),
                    (a.round_kind, None),
                    (t.common.status, None),
                    (a.deadline, None),
                    (a.received, None),
                    (a.undecided, None),
                    (a.granted, None),
                ],
            )
            .right_aligned(&[4, 5, 6])
            .map(|row| RoundListRow {
                id: row.round.id,
                title: row.round.title.clone(),
                kind: row.round.kind.label(a),
                state: row.round.state.label(a),
                open: row.round.state == RoundState::Open,
                deadline: format_deadline(row.round.deadline, a),
                received: row.received,
                undecided: row.undecided,
                accepted: match row.round.capacity {
                    Some(capacity) => format!("{} / {capacity}", row.accepted),
                    None => row.accepted.to_string(),
                },
            });
        RoundsView {
            page: page
                .titled(a.rounds_title)
                .crumb(t.common.nav_start, "/")
                .crumb(a.rounds_title, "/ansoegningsrunder"),
            list,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/round_form.html")]
pub struct RoundFormView {
    page: Page,
    action: String,
    form: RoundForm,
    errors: FieldErrors,
    form_key: String,
    version: i32,
    editing: bool,
    kind_options: Vec<(&'static str, &'static str)>,
    /// Saved by someone else meanwhile: the fields that differ (409).
    stale: Option<Vec<crate::web::forms::Difference>>,
}

impl RoundFormView {
    pub fn new(page: Page, form: RoundForm, errors: FieldErrors, existing: Option<&Round>) -> Self {
        let t = page.t;
        let a = &t.apps;
        let (title, action) = match existing {
            Some(round) => (
                round.title.clone(),
                format!("/ansoegningsrunder/{}/rediger", round.id),
            ),
            None => (a.new_round.to_string(), "/ansoegningsrunder".to_string()),
        };
        let mut page = page
            .titled(title.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(a.rounds_title, "/ansoegningsrunder");
        if let Some(round) = existing {
            page = page.crumb(
                round.title.clone(),
                format!("/ansoegningsrunder/{}", round.id),
            );
        }
        let page = page.crumb(
            if existing.is_some() {
                t.common.edit
            } else {
                a.new_round
            },
            action.clone(),
        );
        RoundFormView {
            page,
            action,
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            version: form
                .version
                .or(existing.map(|round| round.version))
                .unwrap_or_default(),
            editing: existing.is_some(),
            kind_options: RoundKind::ALL
                .iter()
                .map(|kind| (kind.code(), kind.label(a)))
                .collect(),
            form,
            errors,
            stale: None,
        }
    }

    /// The form again after someone else saved the round first (409): `theirs` is the
    /// saved round.
    pub fn stale(mut self, theirs: &RoundForm) -> Self {
        let shown = |form: &RoundForm| {
            let a = &self.page.t.apps;
            vec![
                (a.round_title, form.title.clone()),
                (a.round_description, form.description.clone()),
                (a.deadline_date, form.deadline_date.clone()),
                (a.deadline_time, form.deadline_time.clone()),
                (a.capacity, form.capacity.clone()),
                (a.corps_until, form.corps_until.clone()),
            ]
        };
        self.stale = Some(crate::web::forms::differences(
            shown(&self.form),
            shown(theirs),
        ));
        self
    }
}

/// The form of a saved round, its deadline in Danish time.
pub fn round_form(round: &Round) -> RoundForm {
    let local = clock::to_danish(round.deadline);
    RoundForm {
        kind: round.kind.code().to_string(),
        title: round.title.clone(),
        description: round.description.clone(),
        deadline_date: clock::format_date(local.date()),
        deadline_time: format!("{:02}:{:02}", local.hour(), local.minute()),
        capacity: round.capacity.map(|c| c.to_string()).unwrap_or_default(),
        corps_until: round
            .corps_until
            .map(clock::format_date)
            .unwrap_or_default(),
        version: Some(round.version),
        form_key: None,
    }
}

pub struct ApplicationRow {
    id: Uuid,
    municipality: String,
    region: &'static str,
    state: &'static str,
    badge: &'static str,
    programmes: String,
    partners: i64,
    score: String,
    submitted: String,
}

impl ApplicationRow {
    fn new(row: ListRow, kind: RoundKind, t: &'static Messages) -> ApplicationRow {
        let a = &t.apps;
        let state = row.state;
        ApplicationRow {
            id: row.id,
            municipality: row.municipality_name,
            region: t.region_label(&row.region),
            state: state.label(a),
            badge: state.badge(),
            programmes: if kind == RoundKind::Training {
                row.candidates
                    .applied()
                    .into_iter()
                    .map(|p| format!("{} ({})", p.label(a), row.candidates.get(p).unwrap_or(0)))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                row.preferred_start
                    .map(clock::format_date)
                    .unwrap_or_default()
            },
            partners: row.partners,
            score: match (row.total_score, row.scored_count) {
                (Some(total), Some(n)) if n > 0 => {
                    fill(a.score_of_n, &[&total.to_string(), &n.to_string()])
                }
                _ => a.not_scored.to_string(),
            },
            submitted: row
                .submitted_at
                .map(|at| clock::format_date(clock::to_danish(at).date()))
                .unwrap_or_default(),
        }
    }
}

/// What a round's page reads besides the round: its applications as filtered and sorted,
/// the applicant municipalities per region, the programme mix and the accepted count.
pub struct RoundFigures {
    pub list: List<ListRow>,
    /// (region code, municipalities) in `REGIONS` order.
    pub regions: Vec<(&'static str, i64)>,
    /// (applications, candidates, seats) per programme in `Programme::ALL` order.
    pub mix: [(i64, i64, i64); 3],
    pub accepted: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/round.html")]
pub struct RoundView {
    page: Page,
    round: RoundSummary,
    open: bool,
    capacity: Option<i16>,
    corps_until: String,
    deadline_passed: bool,
    state_options: Vec<(&'static str, &'static str)>,
    region_options: Vec<(&'static str, &'static str)>,
    programme_options: Vec<(&'static str, &'static str)>,
    list: List<ApplicationRow>,
    regions: Vec<(&'static str, i64)>,
    region_chart: String,
    mix: Vec<(&'static str, i64, i64, i64)>,
    accepted: i64,
}

impl RoundView {
    pub fn new(page: Page, round: &Round, figures: RoundFigures) -> RoundView {
        let t = page.t;
        let a = &t.apps;
        let id = round.id;
        let list = figures.list.columns(
            t,
            &[
                (t.common.municipality, Some("municipality")),
                (t.common.region, Some("region")),
                (
                    if round.kind == RoundKind::Training {
                        a.programmes
                    } else {
                        a.q_preferred_start
                    },
                    None,
                ),
                (t.common.status, Some("state")),
                (a.total_score, Some("score")),
                (a.submitted_on, Some("submitted")),
            ],
        );
        let regions: Vec<(&'static str, i64)> = figures
            .regions
            .iter()
            .map(|(code, n)| (t.region_label(code), *n))
            .collect();
        RoundView {
            page: page
                .titled(round.title.clone())
                .crumb(t.common.nav_start, "/")
                .crumb(a.rounds_title, "/ansoegningsrunder")
                .crumb(round.title.clone(), format!("/ansoegningsrunder/{id}")),
            open: round.state == RoundState::Open,
            capacity: round.capacity,
            corps_until: round
                .corps_until
                .map(clock::format_date)
                .unwrap_or_default(),
            deadline_passed: deadline_passed(round.deadline, clock::now()),
            round: RoundSummary::of(round, a),
            state_options: ApplicationState::list_filters(round.kind)
                .into_iter()
                .map(|s| (s.code(), s.label(a)))
                .collect(),
            region_options: REGIONS.iter().map(|r| (*r, t.region_label(r))).collect(),
            programme_options: Programme::ALL
                .iter()
                .map(|p| (p.code(), p.label(a)))
                .collect(),
            list: list.map(|row| ApplicationRow::new(row, round.kind, t)),
            region_chart: region_chart(&regions, a),
            regions,
            mix: Programme::ALL
                .iter()
                .zip(figures.mix)
                .map(|(p, (apps, candidates, seats))| (p.label(a), apps, candidates, seats))
                .collect(),
            accepted: figures.accepted,
        }
    }
}

/// The applicant municipalities per region as a bar chart; none when no one applied.
fn region_chart(regions: &[(&'static str, i64)], a: &'static ApplicationMessages) -> String {
    if !regions.iter().any(|(_, n)| *n > 0) {
        return String::new();
    }
    let description = regions
        .iter()
        .map(|(label, n)| format!("{label}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    chart::bar_chart(
        "region-chart",
        a.spread_title,
        &description,
        &regions
            .iter()
            .map(|(label, n)| chart::Bar {
                label: label.to_string(),
                value: Some(*n as f64),
                shown: n.to_string(),
            })
            .collect::<Vec<_>>(),
    )
}
