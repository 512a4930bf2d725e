//! The start page: "what needs my attention", one section per role the user holds.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use serde_json::json;

use crate::audit::{Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::clock;
use crate::courses::due::{self, DueRow};
use crate::courses::{self, repo as courses_repo};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::vocab::Role;
use crate::vocab::{CourseKind, CourseState};
use crate::web::Page;
use crate::web::routes::{Access, Route};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/tilgaengelighed", Access::Public, accessibility_page),
        Route::get("/", Access::SignedIn, start_page).menu(10, |t| t.common.nav_start),
    ]
}

pub struct CourseLink {
    pub id: Uuid,
    pub name: String,
    pub state: &'static str,
    pub detail: String,
    /// The last progress rating and its date, for the member's own courses.
    pub rating: String,
    /// A small SVG trend line of the ratings.
    pub trend: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/start.html")]
struct StartView {
    page: Page,
    national: bool,
    coordinator: bool,
    member: bool,
    active_staff: i64,
    municipality_due: Vec<DueRow>,
    coaching_due: Vec<DueRow>,
    waiting: Vec<CourseLink>,
    own_due: Vec<DueRow>,
    own_courses: Vec<CourseLink>,
    /// Open rounds, applications and decisions (coordinators); the review queue (national).
    apps: crate::applications::StartSection,
    /// Cohorts with seats to nominate and coming modules (coordinators); coming modules,
    /// events and attendance to record (national).
    training: crate::training::StartSection,
    form_key: String,
    /// Courses of another municipality the member works on as a lent member.
    lent: Vec<CourseLink>,
    /// Loans waiting for this user's side: (to forward, to answer, to assign).
    loans: crate::loans::repo::Waiting,
}

pub async fn start_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
) -> AppResult<Response> {
    let t = page.t;
    let coordinator = user.has(Role::Coordinator);
    let member = user.has(Role::Mentor) || user.has(Role::ParentCoach);
    let link = |id: Uuid,
                kind: CourseKind,
                title: &str,
                citizens: Option<String>,
                state: CourseState,
                detail: String| CourseLink {
        id,
        name: courses::course_name(t, kind, title, citizens.as_deref().unwrap_or_default()),
        state: state.label(t),
        detail,
        rating: String::new(),
        trend: String::new(),
    };
    let (mut active_staff, mut municipality_due, mut coaching_due, mut waiting) =
        (0, Vec::new(), Vec::new(), Vec::new());
    if coordinator {
        active_staff = crate::staff::repo::count_active(&mut tx).await?;
        municipality_due = due::for_courses(&mut tx, None, t).await?;
        coaching_due = due::coaching_due(&mut tx, t).await?;
        waiting = courses_repo::waiting(&mut tx, 20)
            .await?
            .into_iter()
            .map(|w| {
                link(
                    w.id,
                    w.kind,
                    &w.title,
                    w.citizens,
                    CourseState::Referred,
                    clock::format_date(w.referred_on),
                )
            })
            .collect();
    }
    let (mut own_due, mut own_courses) = (Vec::new(), Vec::new());
    if member {
        if let Some(member_id) = courses_repo::member_of_user(&mut tx, user.id).await? {
            own_due = due::for_courses(&mut tx, Some(member_id), t).await?;
            let filter = courses_repo::ListFilter {
                kind: None,
                state: None,
                open_only: true,
                member_id: Some(member_id),
                q: "",
            };
            own_courses = courses_repo::list(&mut tx, &filter, "referred_on", true, 50, 0)
                .await?
                .into_iter()
                .map(|row| {
                    let last = row.last_session.map(clock::format_date).unwrap_or_default();
                    link(row.id, row.kind, &row.title, row.citizens, row.state, last)
                })
                .collect();
            let ids: Vec<Uuid> = own_courses.iter().map(|c| c.id).collect();
            let ratings = crate::tools::repo::ratings(&mut tx, &ids).await?;
            for course in &mut own_courses {
                let values: Vec<&crate::tools::repo::Rating> = ratings
                    .iter()
                    .filter(|r| r.course_id == course.id)
                    .collect();
                if let Some(last) = values.last() {
                    course.rating =
                        format!("{} ({})", last.value, clock::format_date(last.measured_on));
                }
                let numbers: Vec<f64> = values.iter().map(|r| r.value).collect();
                let label = format!(
                    "{}: {}",
                    t.common.progress_rating,
                    numbers
                        .iter()
                        .map(f64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                course.trend = crate::web::chart::sparkline(&label, &numbers, 1.0, 10.0);
            }
        }
    }
    let apps = crate::applications::start_section(&mut tx, &user, t).await?;
    let lent_courses = if member {
        crate::loans::repo::my_loan_courses(&mut tx).await?
    } else {
        Vec::new()
    };
    let lent: Vec<CourseLink> = lent_courses
        .iter()
        .map(|c| {
            let until = format!(
                "{} · {} {}",
                c.municipality_name,
                t.loans.lent_until,
                clock::format_date(c.period_to)
            );
            link(
                c.id,
                c.kind,
                &c.title,
                c.citizens.clone(),
                CourseState::Matched,
                until,
            )
        })
        .collect();
    let loans = crate::loans::repo::waiting(&mut tx).await?;
    let training = crate::training::start_section(&mut tx, &user, t).await?;
    // The start page names citizens (due items, waiting, own and lent courses): a read of
    // each; a lent course's municipality logs it too.
    if let Some(own) = tx.scope().municipality_id() {
        let mut shown: Vec<(Uuid, Uuid)> = municipality_due
            .iter()
            .chain(&own_due)
            .filter_map(|row| row.course_id)
            .chain(waiting.iter().map(|c| c.id))
            .chain(own_courses.iter().map(|c| c.id))
            .map(|id| (id, own))
            .collect();
        shown.extend(lent_courses.iter().map(|c| (c.id, c.municipality_id)));
        shown.sort();
        shown.dedup();
        let event = Event::new("course_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "page": "start" }));
        courses::log_courses_shown(&mut tx, &reads, event, &shown).await?;
    }
    tx.commit().await?;
    Ok(StartView {
        page: page.titled(t.home.start_title),
        national: user.has(Role::National),
        coordinator,
        member,
        active_staff,
        municipality_due,
        coaching_due,
        waiting,
        own_due,
        own_courses,
        apps,
        training,
        form_key: Uuid::new_v4().to_string(),
        lent,
        loans,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accessibility.html")]
struct AccessibilityView {
    page: Page,
}

pub async fn accessibility_page(page: Page) -> Response {
    let t = page.t;
    AccessibilityView {
        page: page.titled(t.common.a11y_title),
    }
    .into_response()
}
