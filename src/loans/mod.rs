//! Loans of corps members between municipalities (2015 guide, bilag 1). A coordinator
//! whose municipality has no suitable free member asks for one for a waiting course, in
//! general terms only; the national centre finds members with a free place across the
//! corps and forwards the request to a municipality; its coordinator accepts with a
//! member and a rate (the receiving municipality pays) or declines with a reason. The
//! receiving coordinator gives the course to the lent member, who then sees exactly that
//! course for the loan's period (row-level security, migration 0007). Ending the loan
//! ends the access and fixes the settlement: the hours logged × the rate. Every step is
//! in both municipalities' audit logs.

pub mod model;
pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{self, Done, Event, Reads};
use crate::citizens::PURPOSE_CASEWORK;
use crate::clock;
use crate::db::{Scope, TenantTx};
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::mail::{self, Notice, NoticeKind};
use crate::vocab::CourseState;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{COORDINATOR, NATIONAL, NATIONAL_OR_COORDINATOR, Route};
use crate::web::table::{self, List, ListSpec};
use model::{LoanState, RequestForm};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/forloeb/{id}/udlaan", COORDINATOR, request_page),
        Route::post("/forloeb/{id}/udlaan", COORDINATOR, request),
        Route::get("/udlaan", NATIONAL_OR_COORDINATOR, list_page).menu(130, |t| t.loans.nav_loans),
        Route::get("/udlaan/{id}", NATIONAL_OR_COORDINATOR, show_page),
        Route::post("/udlaan/{id}/videresend", NATIONAL, forward),
        Route::post("/udlaan/{id}/accepter", COORDINATOR, accept),
        Route::post("/udlaan/{id}/afvis", COORDINATOR, decline),
        Route::post("/udlaan/{id}/tildel", COORDINATOR, assign),
        Route::post("/udlaan/{id}/traek-tilbage", COORDINATOR, withdraw),
        Route::post("/udlaan/{id}/afslut", NATIONAL_OR_COORDINATOR, end),
        Route::get(
            "/udlaan/{id}/afregning",
            NATIONAL_OR_COORDINATOR,
            settlement_page,
        ),
    ]
}

/// Which party the signed-in user is to a loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Receiving,
    Lending,
    National,
}

fn side_of(tx: &TenantTx, loan: &repo::Loan) -> Option<Side> {
    match tx.scope() {
        Scope::National { .. } => Some(Side::National),
        scope => match scope.municipality_id() {
            Some(m) if m == loan.municipality_id => Some(Side::Receiving),
            Some(m) if Some(m) == loan.lending_municipality_id => Some(Side::Lending),
            _ => None,
        },
    }
}

/// The end of a step (`action`): in the signed-in user's own log and in each municipality
/// of the loan — the receiving one and `lending` — then on to `location`.
fn step_done(
    tx: &TenantTx,
    loan: &repo::Loan,
    lending: Option<Uuid>,
    action: &'static str,
    location: String,
) -> Done<'static> {
    let own = tx.scope().municipality_id();
    let event = Event::new(action).subject("loan", loan.id);
    let mut done = Done::to(location).audit(event.clone());
    for municipality in [Some(loan.municipality_id), lending] {
        if municipality.is_some() && municipality != own {
            done = done.audit_in(municipality, event.clone());
        }
    }
    done
}

/// Tells the coordinators of `to` about a step of the loan, naming the other municipality.
async fn tell(
    tx: &mut TenantTx,
    loan: &repo::Loan,
    kind: NoticeKind,
    to: Uuid,
    other: &str,
) -> Result<(), sqlx::Error> {
    let recipients = mail::notices::coordinators(tx, to).await?;
    let notice = Notice::new(kind, format!("/udlaan/{}", loan.id), &[other]);
    mail::tell(tx, &recipients, &notice).await
}

fn languages_label(t: &'static Messages, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| crate::vocab::label(t, c))
        .collect::<Vec<_>>()
        .join(", ")
}

// --- Request -------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "loans/request.html")]
struct RequestView {
    page: Page,
    course_id: Uuid,
    course_name: String,
    kind: &'static str,
    form: RequestForm,
    form_key: Uuid,
    errors: FieldErrors,
    languages: Vec<forms::Choice>,
}

/// The waiting course a loan may be requested for: visible, referred, of a kind that
/// is lent for, and without a loan under way.
/// The course a loan is asked for and its name (its citizens'), the view logged as a read
/// of each of them.
async fn waiting_course(
    tx: &mut TenantTx,
    reads: &Reads,
    id: Uuid,
    t: &'static Messages,
) -> AppResult<(crate::courses::repo::Course, String)> {
    let course = crate::courses::repo::get(tx, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    if course.state != CourseState::Referred || !model::may_request_for(course.kind) {
        return Err(AppError::NotFound);
    }
    let participants = crate::courses::repo::participants(tx, id).await?;
    let name = crate::courses::display_name(t, &course, &participants);
    reads.citizens(
        tx,
        Event::new("course_read")
            .course(course.id, course.municipality_id)
            .purpose(PURPOSE_CASEWORK)
            .details(serde_json::json!({ "page": "loan_request" })),
        participants.iter().map(|p| p.id),
    );
    Ok((course, name))
}

fn request_view(
    page: Page,
    course: &crate::courses::repo::Course,
    course_name: String,
    form: RequestForm,
    errors: FieldErrors,
) -> RequestView {
    let t = page.t;
    let options: Vec<(&'static str, String)> = crate::vocab::LANGUAGES
        .iter()
        .map(|code| (*code, crate::vocab::label(t, code)))
        .collect();
    RequestView {
        course_id: course.id,
        kind: course.kind.label(t),
        languages: forms::choices(&options, &form.languages),
        form_key: form.form_key.unwrap_or_else(Uuid::now_v7),
        form,
        errors,
        page: page
            .titled(t.loans.request_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(course_name.clone(), format!("/forloeb/{}", course.id))
            .crumb(
                t.loans.request_title,
                format!("/forloeb/{}/udlaan", course.id),
            ),
        course_name,
    }
}

pub async fn request_page(
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (course, name) = waiting_course(&mut tx, &reads, id, page.t).await?;
    // A loan is already under way for the course: show it rather than ask again.
    if let Some(loan) = repo::open_for_course(&mut tx, id).await? {
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/udlaan/{loan}")).into_response());
    }
    tx.commit().await?;
    let form = RequestForm {
        hours_per_week: "3".into(),
        period_from: clock::format_date(clock::today()),
        period_to: clock::format_date(crate::courses::rules::add_months(clock::today(), 6)),
        ..Default::default()
    };
    Ok(request_view(page, &course, name, form, FieldErrors::default()).into_response())
}

pub async fn request(
    mut tx: TenantTx,
    addr: ClientAddr,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (course, name) = waiting_course(&mut tx, &reads, id, t).await?;
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    let request = match model::validate_request(&form, t, clock::today()) {
        Ok(request) => request,
        Err(errors) => {
            tx.commit().await?;
            return Ok(forms::invalid(request_view(
                page, &course, name, form, errors,
            )));
        }
    };
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    if let Some(loan) = repo::open_for_course(&mut tx, id).await? {
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/udlaan/{loan}")).into_response());
    }
    let loan_id = repo::insert(&mut tx, id, course.kind, &request).await?;
    let loan = repo::get(&mut tx, loan_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let location = format!("/udlaan/{loan_id}");
    forms::complete(&mut tx, key, &location).await?;
    step_done(&tx, &loan, None, "loan_requested", location)
        .said(t.loans.requested)
        .finish(tx, addr, &session)
        .await
}

// --- List ----------------------------------------------------------------------------

static LIST: ListSpec = ListSpec {
    path: "/udlaan",
    filters: &["state"],
    ..ListSpec::PLAIN
};

pub struct ListRow {
    id: Uuid,
    receiving: String,
    lending: String,
    kind: &'static str,
    period: String,
    hours: String,
    state: &'static str,
    member: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "loans/list.html")]
struct ListView {
    page: Page,
    states: Vec<(&'static str, &'static str)>,
    list: List<ListRow>,
}

pub async fn list_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let mut query = LIST.read(query.as_deref());
    query.keep("state", |state| {
        state == "open" || LoanState::from_code(state).is_some()
    });
    let filter = match query.filter("state") {
        "" => repo::StateFilter::All,
        "open" => repo::StateFilter::Open,
        code => LoanState::from_code(code).map_or(repo::StateFilter::All, repo::StateFilter::Only),
    };
    let list = table::load!(query, |limit, offset| repo::page(
        &mut tx, filter, limit, offset
    ));
    tx.commit().await?;
    let list = list
        .columns(
            t,
            &[
                (t.loans.receiving, None),
                (t.common.course_kind, None),
                (t.loans.period, None),
                (t.loans.hours_per_week, None),
                (t.common.status, None),
                (t.loans.lending, None),
                (t.loans.member, None),
            ],
        )
        .map(|r| ListRow {
            id: r.id,
            receiving: r.municipality_name,
            lending: r.lending_name.unwrap_or_default(),
            kind: r.kind.label(t),
            period: format!(
                "{} – {}",
                clock::format_date(r.period_from),
                clock::format_date(r.period_to)
            ),
            hours: model::hours(r.hours_per_week),
            state: r.state.label(t),
            member: r.member_name.unwrap_or_default(),
        });
    let mut states = vec![("open", t.loans.state_open)];
    states.extend(LoanState::ALL.iter().map(|s| (s.code(), s.label(t))));
    Ok(ListView {
        page: page
            .titled(t.loans.title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.loans.title, "/udlaan"),
        states,
        list,
    }
    .into_response())
}

// --- One loan ------------------------------------------------------------------------

/// What the user typed into one of the loan page's forms, kept when it is shown again.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    rate: String,
    #[serde(default)]
    pays: Option<String>,
    #[serde(default)]
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "loans/show.html")]
struct ShowView {
    page: Page,
    loan: repo::Loan,
    state: LoanState,
    state_label: &'static str,
    side: Side,
    kind: &'static str,
    languages: String,
    period: String,
    hours_per_week: String,
    hours_logged: String,
    rate: String,
    candidates: Vec<repo::Candidate>,
    municipalities: Vec<(String, String)>,
    members: Vec<(String, String)>,
    entered: StepForm,
    errors: FieldErrors,
}

impl ShowView {
    fn ended(&self) -> bool {
        self.state == LoanState::Ended
    }
    fn receiving(&self) -> bool {
        self.side == Side::Receiving
    }
    fn lending(&self) -> bool {
        self.side == Side::Lending
    }
    fn national(&self) -> bool {
        self.side == Side::National
    }
    fn open(&self) -> bool {
        self.state.is_open()
    }
    fn agreed(&self) -> bool {
        self.state == LoanState::Agreed
    }
    fn forwarded(&self) -> bool {
        self.state == LoanState::Forwarded
    }
    /// The national centre forwards a new request or one a municipality declined.
    fn forwardable(&self) -> bool {
        matches!(self.state, LoanState::Requested | LoanState::Declined)
    }
    fn candidate_languages(&self, c: &repo::Candidate) -> String {
        languages_label(self.page.t, &c.languages)
    }
    fn day(&self, date: &Option<time::Date>) -> String {
        date.map(clock::format_date).unwrap_or_default()
    }
    fn region(&self, code: &str) -> &'static str {
        self.page.t.region_label(code)
    }
}

async fn load(tx: &mut TenantTx, id: Uuid) -> AppResult<(repo::Loan, Side)> {
    let loan = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let side = side_of(tx, &loan).ok_or(AppError::NotFound)?;
    Ok((loan, side))
}

async fn show_view(
    tx: &mut TenantTx,
    page: Page,
    loan: repo::Loan,
    side: Side,
    entered: StepForm,
    errors: FieldErrors,
) -> AppResult<ShowView> {
    let t = page.t;
    let state = loan.state;
    let candidates = if side == Side::National && state.is_open() {
        repo::candidates(tx, loan.kind, loan.municipality_id, &loan.languages).await?
    } else {
        Vec::new()
    };
    let municipalities = if side == Side::National && state.is_open() {
        crate::municipalities::repo::areas(tx)
            .await?
            .into_iter()
            .filter(|m| m.id != loan.municipality_id)
            .map(|m| (m.id.to_string(), m.name))
            .collect()
    } else {
        Vec::new()
    };
    let members = if side == Side::Lending && state == LoanState::Forwarded {
        repo::own_members(tx, loan.kind)
            .await?
            .into_iter()
            .map(|m| {
                let label = if m.free > 0 {
                    format!("{} ({} {})", m.name, m.free, t.loans.free_places)
                } else {
                    format!("{} ({})", m.name, t.loans.fully_occupied)
                };
                (m.id.to_string(), label)
            })
            .collect()
    } else {
        Vec::new()
    };
    let hours_logged = match (state, loan.settled_hours) {
        (LoanState::Ended, Some(h)) => model::hours(h),
        (LoanState::Agreed, _) => model::hours(repo::hours(tx, loan.id).await?),
        _ => String::new(),
    };
    let title = format!("{} · {}", t.loans.loan, loan.municipality_name);
    Ok(ShowView {
        state_label: state.label(t),
        state,
        side,
        kind: loan.kind.label(t),
        languages: languages_label(t, &loan.languages),
        period: format!(
            "{} – {}",
            clock::format_date(loan.period_from),
            clock::format_date(loan.period_to)
        ),
        hours_per_week: model::hours(loan.hours_per_week),
        hours_logged,
        rate: loan.hourly_rate.map(model::kroner).unwrap_or_default(),
        candidates,
        municipalities,
        members,
        entered,
        errors,
        page: page
            .titled(title.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(t.loans.title, "/udlaan")
            .crumb(title, format!("/udlaan/{}", loan.id)),
        loan,
    })
}

pub async fn show_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (loan, side) = load(&mut tx, id).await?;
    audit::record(&mut tx, addr, Event::new("loan_read").subject("loan", id)).await?;
    let view = show_view(
        &mut tx,
        page,
        loan,
        side,
        StepForm::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

/// A step on a loan: ready to take, or answered already because the form was stale.
enum Begun {
    Ready(Box<(repo::Loan, Side, Page)>),
    Stale(Response),
}

/// Locks the loan and checks the step may be taken by this side in this state with the
/// version the form was shown with. A stale form (someone took a step meanwhile) gets the
/// loan page as it is now, with what was typed and a message at the top (409).
async fn begin_step(
    tx: &mut TenantTx,
    page: Page,
    id: Uuid,
    form: &StepForm,
    sides: &[Side],
    states: &[LoanState],
) -> AppResult<Begun> {
    let (state, version) = repo::lock(tx, id).await?.ok_or(AppError::NotFound)?;
    let (loan, side) = load(tx, id).await?;
    if !sides.contains(&side) {
        return Err(AppError::NotFound);
    }
    if version != form.version || !states.contains(&state) {
        let t = page.t;
        let mut errors = FieldErrors::default();
        errors.add(
            "state",
            crate::i18n::fill(t.loans.changed_meanwhile, &[state.label(t)]),
        );
        let view = show_view(tx, page, loan, side, form.clone(), errors).await?;
        return Ok(Begun::Stale(forms::stale(view)));
    }
    Ok(Begun::Ready(Box::new((loan, side, page))))
}

/// The loan, side and page of a step that may be taken, or the stale form's answer.
macro_rules! ready {
    ($begun:expr) => {
        match $begun {
            Begun::Ready(ready) => *ready,
            Begun::Stale(answer) => return Ok(answer),
        }
    };
}

/// Shows the loan page again with the messages at the fields and the input kept.
async fn again(
    mut tx: TenantTx,
    page: Page,
    loan: repo::Loan,
    side: Side,
    form: StepForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let view = show_view(&mut tx, page, loan, side, form, errors).await?;
    tx.commit().await?;
    Ok(forms::invalid(view))
}

pub async fn forward(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, side, page) = ready!(
        begin_step(
            &mut tx,
            page,
            id,
            &form,
            &[Side::National],
            &[LoanState::Requested, LoanState::Declined],
        )
        .await?
    );
    let lending = form
        .municipality
        .parse::<Uuid>()
        .ok()
        .filter(|m| *m != loan.municipality_id);
    let lending = match lending {
        Some(m)
            if crate::municipalities::repo::get(&mut tx, m)
                .await?
                .is_some() =>
        {
            m
        }
        _ => {
            let mut errors = FieldErrors::default();
            errors.add("municipality", t.loans.choose_municipality);
            return again(tx, page, loan, side, form, errors).await;
        }
    };
    repo::forward(&mut tx, id, lending, form.note.trim()).await?;
    tell(
        &mut tx,
        &loan,
        NoticeKind::LoanForwarded,
        lending,
        &loan.municipality_name,
    )
    .await?;
    let location = format!("/udlaan/{id}");
    step_done(&tx, &loan, Some(lending), "loan_forwarded", location)
        .said(t.loans.forwarded)
        .finish(tx, addr, &session)
        .await
}

pub async fn accept(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, side, page) = ready!(
        begin_step(
            &mut tx,
            page,
            id,
            &form,
            &[Side::Lending],
            &[LoanState::Forwarded],
        )
        .await?
    );
    let mut errors = FieldErrors::default();
    let member = form.member.parse::<Uuid>().ok();
    // The member's row is locked before their free places are counted, so two answers
    // cannot lend the same last place (2015 guide: a fully occupied member is not lent).
    let member = match member {
        Some(m) if repo::lock_member(&mut tx, m).await? => {
            let free = repo::own_members(&mut tx, loan.kind)
                .await?
                .into_iter()
                .find(|o| o.id == m)
                .map(|o| o.free);
            match free {
                Some(free) if free > 0 => Some(m),
                Some(_) => {
                    errors.add("member", t.loans.member_full);
                    None
                }
                None => {
                    errors.add("member", t.loans.choose_member);
                    None
                }
            }
        }
        _ => {
            errors.add("member", t.loans.choose_member);
            None
        }
    };
    let rate = model::parse_decimal(&form.rate).filter(|r| (0.0..=5000.0).contains(r));
    if rate.is_none() {
        errors.add("rate", t.loans.rate_invalid);
    }
    if form.pays.is_none() {
        errors.add("pays", t.loans.pays_required);
    }
    let (Some(member), Some(rate), true) = (member, rate, errors.is_empty()) else {
        return again(tx, page, loan, side, form, errors).await;
    };
    repo::agree(&mut tx, id, member, rate, clock::today()).await?;
    let lender = loan.lending_name.clone().unwrap_or_default();
    tell(
        &mut tx,
        &loan,
        NoticeKind::LoanAgreed,
        loan.municipality_id,
        &lender,
    )
    .await?;
    let location = format!("/udlaan/{id}");
    step_done(
        &tx,
        &loan,
        loan.lending_municipality_id,
        "loan_agreed",
        location,
    )
    .said(t.loans.agreed)
    .finish(tx, addr, &session)
    .await
}

pub async fn decline(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, side, page) = ready!(
        begin_step(
            &mut tx,
            page,
            id,
            &form,
            &[Side::Lending],
            &[LoanState::Forwarded],
        )
        .await?
    );
    if form.reason.trim().is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("reason", t.loans.reason_required);
        return again(tx, page, loan, side, form, errors).await;
    }
    repo::decline(&mut tx, id, form.reason.trim()).await?;
    let lender = loan.lending_name.clone().unwrap_or_default();
    tell(
        &mut tx,
        &loan,
        NoticeKind::LoanDeclined,
        loan.municipality_id,
        &lender,
    )
    .await?;
    let lending = loan.lending_municipality_id;
    let location = "/udlaan".to_string();
    step_done(&tx, &loan, lending, "loan_declined", location)
        .said(t.loans.declined)
        .finish(tx, addr, &session)
        .await
}

pub async fn assign(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, _, _) = ready!(
        begin_step(
            &mut tx,
            page,
            id,
            &form,
            &[Side::Receiving],
            &[LoanState::Agreed]
        )
        .await?
    );
    if loan.assigned_on.is_some() || !repo::assign(&mut tx, &loan, clock::today()).await? {
        return Err(AppError::Conflict);
    }
    let note = format!(
        "{}: {}",
        t.loans.lent_from,
        loan.lending_name.clone().unwrap_or_default()
    );
    crate::courses::repo::event(
        &mut tx,
        loan.course_id,
        crate::vocab::CourseEventKind::Matched,
        Some(CourseState::Referred),
        Some(CourseState::Matched),
        &note,
    )
    .await?;
    if let Some(member) = loan.member_id {
        crate::courses::notify::assigned(&mut tx, loan.course_id, member).await?;
    }
    let location = format!("/udlaan/{id}");
    step_done(
        &tx,
        &loan,
        loan.lending_municipality_id,
        "loan_assigned",
        location,
    )
    .said(t.loans.assigned)
    .finish(tx, addr, &session)
    .await
}

pub async fn withdraw(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, _, _) = ready!(
        begin_step(
            &mut tx,
            page,
            id,
            &form,
            &[Side::Receiving],
            &[
                LoanState::Requested,
                LoanState::Forwarded,
                LoanState::Declined,
            ],
        )
        .await?
    );
    repo::withdraw(&mut tx, id).await?;
    let location = format!("/udlaan/{id}");
    step_done(
        &tx,
        &loan,
        loan.lending_municipality_id,
        "loan_withdrawn",
        location,
    )
    .said(t.loans.withdrawn)
    .finish(tx, addr, &session)
    .await
}

pub async fn end(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, _, _) = ready!(
        begin_step(
            &mut tx,
            page,
            id,
            &form,
            &[Side::Receiving, Side::Lending, Side::National],
            &[LoanState::Agreed],
        )
        .await?
    );
    repo::end(&mut tx, id, clock::today()).await?;
    let lending = loan.lending_municipality_id;
    // Both municipalities hear of it, each naming the other; not the one that ended it.
    let own = tx.scope().municipality_id();
    let lender = loan.lending_name.clone().unwrap_or_default();
    let parties = [
        (Some(loan.municipality_id), lender.as_str()),
        (lending, loan.municipality_name.as_str()),
    ];
    for (municipality, other) in parties {
        if let Some(municipality) = municipality.filter(|m| Some(*m) != own) {
            tell(&mut tx, &loan, NoticeKind::LoanEnded, municipality, other).await?;
        }
    }
    let location = format!("/udlaan/{id}/afregning");
    step_done(&tx, &loan, lending, "loan_ended", location)
        .said(t.loans.ended)
        .finish(tx, addr, &session)
        .await
}

// --- Settlement ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "loans/settlement.html")]
struct SettlementView {
    page: Page,
    loan: repo::Loan,
    kind: &'static str,
    period: String,
    hours: String,
    rate: String,
    amount: String,
    ended: String,
    today: String,
}

/// The settlement statement for both municipalities: hours × rate; the receiving
/// municipality pays. Printable.
pub async fn settlement_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let t = page.t;
    let (loan, _) = load(&mut tx, id).await?;
    if loan.state != LoanState::Ended {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    let hours = loan.settled_hours.unwrap_or_default();
    let rate = loan.hourly_rate.unwrap_or_default();
    let title = t.loans.settlement_title;
    Ok(SettlementView {
        kind: loan.kind.label(t),
        period: format!(
            "{} – {}",
            clock::format_date(loan.period_from),
            clock::format_date(loan.ended_on.unwrap_or(loan.period_to).min(loan.period_to))
        ),
        hours: model::hours(hours),
        rate: model::kroner(rate),
        amount: model::kroner(model::amount(hours, rate)),
        ended: loan.ended_on.map(clock::format_date).unwrap_or_default(),
        today: clock::format_date(clock::today()),
        page: page
            .titled(title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.loans.title, "/udlaan")
            .crumb(t.loans.loan, format!("/udlaan/{id}"))
            .crumb(title, format!("/udlaan/{id}/afregning")),
        loan,
    }
    .into_response())
}
