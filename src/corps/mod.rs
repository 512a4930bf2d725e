//! Corps members: the profiles of the municipality's mentors and parent coaches, with the
//! attributes matching uses. Coordinators edit them; members edit their own languages
//! and availability.

pub mod model;
pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::Done;
use crate::auth::CurrentUser;

use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::{Role, TrainingStatus, roles_label};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{
    self, Choice, Difference, FieldErrors, Form, choices, differences, option_label, option_labels,
};
use crate::web::routes::{COORDINATOR, MEMBER, Route};
use crate::web::table::{self, List, ListSpec, Sort};
use crate::{clock, vocab};
use model::{Profile, ProfileForm};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/korps", COORDINATOR, list_page).menu(60, |t| t.common.nav_corps),
        Route::get("/korps/{id}", COORDINATOR, edit_page),
        Route::post("/korps/{id}", COORDINATOR, update),
        Route::get("/min-profil", MEMBER, own_page).menu(80, |t| t.common.nav_my_profile),
        Route::post("/min-profil", MEMBER, update_own),
    ]
}

static LIST: ListSpec = ListSpec {
    path: "/korps",
    search: true,
    filters: &["kind", "language", "free", "trained"],
    sorts: &["name", "free"],
    default_sort: Sort::asc("name"),
    ..ListSpec::PLAIN
};

pub struct ListRow {
    id: Uuid,
    name: String,
    kinds: String,
    training: String,
    trained: bool,
    available: bool,
    load: i64,
    capacity: i16,
    languages: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "corps/list.html")]
struct ListView {
    page: Page,
    kinds: Vec<(&'static str, &'static str)>,
    languages: Vec<(&'static str, String)>,
    list: List<ListRow>,
}

pub async fn list_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let mut query = LIST.read(query.as_deref());
    query
        .keep_one_of("kind", &[Role::Mentor.code(), Role::ParentCoach.code()])
        .keep("language", |code| {
            vocab::one_of(code, vocab::LANGUAGES).is_some()
        })
        .keep_one_of("free", &["1"])
        .keep_one_of("trained", &["1"]);
    let filter = repo::ListFilter {
        q: query.q(),
        kind: query.filter("kind"),
        language: query.filter("language"),
        free_only: query.flag("free"),
        trained_only: query.flag("trained"),
    };
    let list = table::load!(query, |limit, offset| repo::list(
        &mut tx, &filter, query.sort, limit, offset
    ));
    tx.commit().await?;
    let list = list.columns(
        t,
        &[
            (t.common.name, Some("name")),
            (t.common.roles, None),
            (t.common.training_status, None),
            (t.common.languages, None),
            (t.common.load, Some("free")),
            (t.common.status, None),
        ],
    );
    let list = list.map(|row| {
        let roles: Vec<Role> = row
            .roles
            .iter()
            .copied()
            .filter(|role| Role::MEMBER_ROLES.contains(role))
            .collect();
        ListRow {
            id: row.id,
            kinds: roles_label(&roles, t),
            training: row.training_status.label(t).to_string(),
            trained: row.training_status == TrainingStatus::Trained,
            available: row.active && row.user_active,
            load: row.load,
            capacity: row.capacity,
            languages: row
                .languages
                .iter()
                .map(|code| vocab::label(t, code))
                .collect::<Vec<_>>()
                .join(", "),
            name: row.name,
        }
    });
    Ok(ListView {
        kinds: Role::MEMBER_ROLES
            .iter()
            .map(|role| (role.code(), role.label(t)))
            .collect(),
        languages: vocab::options(t, vocab::LANGUAGES),
        page: page
            .titled(t.common.corps_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.corps_title, "/korps"),
        list,
    }
    .into_response())
}

/// The choices a profile form offers.
pub struct Choices {
    pub genders: Vec<(&'static str, String)>,
    pub languages: Vec<(&'static str, String)>,
    pub cultures: Vec<(&'static str, String)>,
    pub experience: Vec<(&'static str, String)>,
    pub availability: Vec<(&'static str, String)>,
    pub training: Vec<(&'static str, &'static str)>,
}

impl Choices {
    pub fn new(t: &'static Messages) -> Self {
        Choices {
            genders: vocab::options(t, vocab::GENDERS),
            languages: vocab::options(t, vocab::LANGUAGES),
            cultures: vocab::options(t, vocab::CULTURES),
            experience: vocab::options(t, vocab::EXPERIENCE),
            availability: vocab::options(t, vocab::AVAILABILITY),
            training: TrainingStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label(t)))
                .collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "corps/edit.html")]
struct EditView {
    page: Page,
    member_id: Uuid,
    name: String,
    kinds: String,
    load: i64,
    form: ProfileForm,
    errors: FieldErrors,
    choices: Choices,
    /// Saved by someone else meanwhile: the fields that differ (409).
    stale: Option<Vec<Difference>>,
    training: crate::training::TrainingHistory,
}

fn form_of(member: &repo::Member) -> ProfileForm {
    let p = &member.profile;
    ProfileForm {
        active: p.active.then(|| "1".to_string()),
        training_status: p.training_status.code().to_string(),
        trained_on: p.trained_on.map(clock::format_date).unwrap_or_default(),
        capacity: p.capacity.to_string(),
        gender: p.gender.clone().unwrap_or_default(),
        birth_year: p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        languages: p.languages.clone(),
        cultural_background: p.cultural_background.clone().unwrap_or_default(),
        religion_competence: p.religion_competence.then(|| "1".to_string()),
        politics_competence: p.politics_competence.then(|| "1".to_string()),
        temperament: p.temperament.map(|v| v.to_string()).unwrap_or_default(),
        experience: p.experience.clone(),
        availability: p.availability.clone(),
        notes: p.notes.clone(),
        version: member.version,
    }
}

fn edit_view(
    page: Page,
    member: &repo::Member,
    form: ProfileForm,
    errors: FieldErrors,
    training: crate::training::TrainingHistory,
) -> EditView {
    let t = page.t;
    let roles: Vec<Role> = member
        .roles
        .iter()
        .copied()
        .filter(|role| Role::MEMBER_ROLES.contains(role))
        .collect();
    EditView {
        member_id: member.id,
        name: member.name.clone(),
        kinds: roles_label(&roles, t),
        load: member.load,
        form,
        errors,
        choices: Choices::new(t),
        stale: None,
        training,
        page: page
            .titled(member.name.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.corps_title, "/korps")
            .crumb(member.name.clone(), format!("/korps/{}", member.id)),
    }
}

async fn member(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Member> {
    repo::get(tx, Some(id), None)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_page(mut tx: TenantTx, page: Page, Path(id): Path<Uuid>) -> AppResult<Response> {
    let member = member(&mut tx, id).await?;
    let training = crate::training::history(&mut tx, member.id, page.t).await?;
    tx.commit().await?;
    Ok(edit_view(
        page,
        &member,
        form_of(&member),
        FieldErrors::default(),
        training,
    )
    .into_response())
}

pub async fn update(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let t = page.t;
    let current = member(&mut tx, id).await?;
    let training = crate::training::history(&mut tx, current.id, t).await?;
    let profile: Profile = match form.validate(clock::this_year(), t) {
        Ok(profile) => profile,
        Err(errors) => {
            return Ok(forms::invalid(edit_view(
                page, &current, form, errors, training,
            )));
        }
    };
    if !repo::update(&mut tx, id, &profile, form.version).await? {
        // Read again: the version saved in between may be newer than the one read above.
        let current = member(&mut tx, id).await?;
        let view = edit_view(
            page,
            &current,
            ProfileForm {
                version: current.version,
                ..form
            },
            FieldErrors::default(),
            training,
        )
        .stale(&form_of(&current));
        return Ok(forms::stale(view));
    }
    Done::to(format!("/korps/{id}"))
        .said(t.corps.profile_saved)
        .finish(tx, addr, &session)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "corps/own.html")]
struct OwnView {
    page: Page,
    form: ProfileForm,
    capacity: i16,
    load: i64,
    choices: Choices,
    training: crate::training::TrainingHistory,
    /// Saved by the coordinator meanwhile: the fields that differ (409).
    stale: Option<Vec<Difference>>,
}

pub async fn own_page(user: CurrentUser, mut tx: TenantTx, page: Page) -> AppResult<Response> {
    let member = own(&mut tx, &user).await?;
    let view = own_view(&mut tx, page, &member, form_of(&member)).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

async fn own(tx: &mut TenantTx, user: &CurrentUser) -> AppResult<repo::Member> {
    repo::get(tx, None, Some(user.id))
        .await?
        .ok_or(AppError::NotFound)
}

async fn own_view(
    tx: &mut TenantTx,
    page: Page,
    member: &repo::Member,
    form: ProfileForm,
) -> AppResult<OwnView> {
    let training = crate::training::history(tx, member.id, page.t).await?;
    let t = page.t;
    Ok(OwnView {
        form,
        capacity: member.profile.capacity,
        load: member.load,
        choices: Choices::new(t),
        training,
        stale: None,
        page: page
            .titled(t.corps.my_profile)
            .crumb(t.common.nav_start, "/")
            .crumb(t.corps.my_profile, "/min-profil"),
    })
}

#[derive(Debug, Deserialize)]
pub struct OwnForm {
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    availability: Vec<String>,
    #[serde(default)]
    version: i32,
}

/// A member's own languages and availability. The coordinator edits the same profile:
/// a save over theirs answers 409 with both versions.
pub async fn update_own(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<OwnForm>,
) -> AppResult<Response> {
    let member = own(&mut tx, &user).await?;
    let languages = vocab::known(&form.languages, vocab::LANGUAGES);
    let availability = vocab::known(&form.availability, vocab::AVAILABILITY);
    if !repo::update_own(&mut tx, member.id, &languages, &availability, form.version).await? {
        let theirs = form_of(&member);
        let typed = ProfileForm {
            languages,
            availability,
            ..theirs.clone()
        };
        let mut view = own_view(&mut tx, page, &member, typed).await?;
        let t = view.page.t;
        let shown = |form: &ProfileForm| {
            vec![
                (
                    t.common.languages,
                    option_labels(&view.choices.languages, &form.languages),
                ),
                (
                    t.corps.availability,
                    option_labels(&view.choices.availability, &form.availability),
                ),
            ]
        };
        view.stale = Some(differences(shown(&view.form), shown(&theirs)));
        return Ok(forms::stale(view));
    }
    Done::to("/min-profil")
        .said(page.t.corps.profile_saved)
        .finish(tx, addr, &session)
        .await
}

impl EditView {
    /// The form after a save over someone else's: `theirs` is the saved profile.
    fn stale(mut self, theirs: &ProfileForm) -> Self {
        self.stale = Some(differences(self.shown(&self.form), self.shown(theirs)));
        self
    }

    /// Every field as a reader sees it: (label, value with options' labels).
    fn shown(&self, form: &ProfileForm) -> Vec<(&'static str, String)> {
        let (t, c) = (self.page.t, &self.choices);
        let yes_no = |ticked: &Option<String>| {
            if ticked.is_some() {
                t.common.yes
            } else {
                t.common.no
            }
            .to_string()
        };
        vec![
            (t.corps.member_available, yes_no(&form.active)),
            (t.corps.capacity, form.capacity.clone()),
            (
                t.common.training_status,
                option_label(&c.training, &form.training_status),
            ),
            (t.common.trained_on, form.trained_on.clone()),
            (
                t.corps.availability,
                option_labels(&c.availability, &form.availability),
            ),
            (t.common.gender, option_label(&c.genders, &form.gender)),
            (t.common.birth_year, form.birth_year.clone()),
            (
                t.common.languages,
                option_labels(&c.languages, &form.languages),
            ),
            (
                t.common.cultural_background,
                option_label(&c.cultures, &form.cultural_background),
            ),
            (
                t.corps.religion_competence,
                yes_no(&form.religion_competence),
            ),
            (
                t.corps.politics_competence,
                yes_no(&form.politics_competence),
            ),
            (
                t.corps.temperament,
                option_label(&self.temperaments(), &form.temperament),
            ),
            (
                t.corps.experience,
                option_labels(&c.experience, &form.experience),
            ),
            (t.corps.notes, form.notes.clone()),
        ]
    }

    fn checked_languages(&self) -> Vec<Choice> {
        choices(&self.choices.languages, &self.form.languages)
    }
    fn checked_availability(&self) -> Vec<Choice> {
        choices(&self.choices.availability, &self.form.availability)
    }
    fn checked_experience(&self) -> Vec<Choice> {
        choices(&self.choices.experience, &self.form.experience)
    }
    fn temperaments(&self) -> Vec<(&'static str, String)> {
        temperament_options(self.page.t)
    }
}

impl OwnView {
    fn checked_languages(&self) -> Vec<Choice> {
        choices(&self.choices.languages, &self.form.languages)
    }
    fn checked_availability(&self) -> Vec<Choice> {
        choices(&self.choices.availability, &self.form.availability)
    }
}

/// 1 (caring, familial) … 5 (authoritative, formal), with the ends named.
pub fn temperament_options(t: &'static Messages) -> Vec<(&'static str, String)> {
    ["1", "2", "3", "4", "5"]
        .into_iter()
        .map(|value| {
            let label = match value {
                "1" => format!("1 – {}", t.corps.temperament_caring),
                "5" => format!("5 – {}", t.corps.temperament_formal),
                other => other.to_string(),
            };
            (value, label)
        })
        .collect()
}
