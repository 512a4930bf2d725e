//! Demo content for each demo municipality: member profiles, citizens with consents and
//! relations, courses in every state with sessions over the last two years, and the
//! coordinator's coaching log — so every page has something true to show.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, PgConnection};
use time::{Date, Duration};
use uuid::Uuid;

use crate::clock;
use crate::courses::rules::add_months;
use crate::vocab::{CitizenKind, Role};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

const MENTEE_NAMES: &[(&str, &str)] = &[
    ("Yusuf", "male"),
    ("Emil", "male"),
    ("Sara", "female"),
    ("Ali", "male"),
    ("Mikkel", "male"),
    ("Amina", "female"),
    ("Jonas", "male"),
    ("Hamza", "male"),
    ("Laura", "female"),
    ("Omar", "male"),
    ("Frederik", "male"),
    ("Leyla", "female"),
    ("Mathias", "male"),
    ("Ibrahim", "male"),
    ("Nanna", "female"),
    ("Adam", "male"),
    ("Rasmus", "male"),
    ("Zainab", "female"),
];
const SURNAMES: &[&str] = &[
    "Hansen", "Ahmed", "Nielsen", "Hussein", "Jensen", "Yilmaz", "Pedersen", "Mohamed", "Larsen",
    "Khan", "Andersen", "Rahman",
];
const PARENT_NAMES: &[(&str, &str)] = &[
    ("Fatma", "mother"),
    ("Hassan", "father"),
    ("Lone", "mother"),
    ("Kim", "father"),
    ("Aisha", "mother"),
    ("Bo", "father"),
];
const LANGUAGE_SETS: &[&[&str]] = &[
    &["da"],
    &["da", "ar"],
    &["da", "so"],
    &["da", "tr"],
    &["da", "en"],
    &["da", "ur"],
    &["da", "fa"],
];
const CULTURES: &[&str] = &[
    "danish",
    "middle_eastern",
    "east_african",
    "south_asian",
    "balkan",
];

/// Loads content into every demo municipality that has no citizens yet.
pub async fn load(conn: &mut PgConnection) -> Result<(), AnyError> {
    let municipalities: Vec<(Uuid, i16)> =
        sqlx::query_as("SELECT id, code FROM municipalities WHERE code = ANY ($1) ORDER BY code")
            .bind(super::DEMO_CODES)
            .fetch_all(&mut *conn)
            .await?;
    for (municipality_id, code) in municipalities {
        let mut tx = conn.begin().await?;
        // As the owner, but inside the municipality: row-level security holds even for an
        // owner that is not a superuser.
        sqlx::query("SELECT set_config('app.municipality_id', $1, true)")
            .bind(municipality_id.to_string())
            .execute(&mut *tx)
            .await?;
        let existing: i64 =
            sqlx::query_scalar("SELECT count(*) FROM citizens WHERE municipality_id = $1")
                .bind(municipality_id)
                .fetch_one(&mut *tx)
                .await?;
        if existing == 0 {
            Municipality {
                id: municipality_id,
                rng: StdRng::seed_from_u64(code as u64),
                today: clock::today(),
            }
            .fill(&mut tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

struct Municipality {
    id: Uuid,
    rng: StdRng,
    today: Date,
}

struct Member {
    id: Uuid,
    user_id: Uuid,
    mentor: bool,
    coach: bool,
}

impl Municipality {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn days_ago(&self, days: i64) -> Date {
        self.today - Duration::days(days)
    }

    async fn fill(&mut self, tx: &mut PgConnection) -> Result<(), AnyError> {
        let members = self.profiles(tx).await?;
        let coordinator: Uuid = sqlx::query_scalar(
            "SELECT user_id FROM memberships WHERE municipality_id = $1 AND 'coordinator' = ANY (roles) ORDER BY created_at LIMIT 1",
        )
        .bind(self.id)
        .fetch_one(&mut *tx)
        .await?;
        let mentors: Vec<&Member> = members.iter().filter(|m| m.mentor).collect();
        let coaches: Vec<&Member> = members.iter().filter(|m| m.coach).collect();

        // (kind, state, started how many days ago, ended how many days ago). Each kind's
        // courses go round its members in turn, so the demo logins (the first members)
        // have active courses.
        let plan: &[(&str, &str, i64, Option<i64>)] = &[
            ("mentor", "active", 120, None),
            ("parent_coaching", "active", 25, None),
            ("mentor", "active", 40, None),
            ("parent_coaching", "pre_meeting", 12, None),
            ("mentor", "referred", 0, None),
            ("parent_coaching", "referred", 0, None),
            ("mentor", "matched", 5, None),
            ("parent_coaching", "follow_up", 400, Some(100)),
            ("mentor", "pre_meeting", 12, None),
            ("parent_coaching", "ending", 200, Some(3)),
            ("mentor", "active", 300, None),
            ("parent_coaching", "closed", 600, Some(300)),
            ("mentor", "ending", 260, Some(3)),
            ("mentor", "closed", 700, Some(420)),
            ("mentor", "cancelled", 200, None),
        ];
        let (mut next_mentor, mut next_coach) = (0, 0);
        for (i, (kind, state, started_ago, ended_ago)) in plan.iter().enumerate() {
            let (pool, next) = if *kind == "mentor" {
                (&mentors, &mut next_mentor)
            } else {
                (&coaches, &mut next_coach)
            };
            if pool.is_empty() {
                continue;
            }
            let member = if *state == "referred" {
                None
            } else {
                *next += 1;
                Some(pool[(*next - 1) % pool.len()])
            };
            let mentee = self
                .citizen(tx, CitizenKind::Mentee, i, *started_ago + 20)
                .await?;
            let parent = self
                .citizen(tx, CitizenKind::Relative, i, *started_ago + 20)
                .await?;
            sqlx::query("INSERT INTO citizen_relations (id, municipality_id, mentee_id, relative_id, relation) VALUES ($1, $2, $3, $4, $5)")
                .bind(Uuid::now_v7())
                .bind(self.id)
                .bind(mentee)
                .bind(parent)
                .bind(self.pick(&["mother", "father"]).to_string())
                .execute(&mut *tx)
                .await?;
            let participant = if *kind == "mentor" { mentee } else { parent };
            self.course(
                tx,
                kind,
                state,
                member,
                &[participant],
                *started_ago,
                *ended_ago,
                coordinator,
            )
            .await?;
        }
        // A relatives' network with ten parents, facilitated by a parent coach.
        if let Some(facilitator) = coaches.first() {
            let mut participants = Vec::new();
            for i in 0..10 {
                participants.push(self.citizen(tx, CitizenKind::Relative, 20 + i, 200).await?);
            }
            self.course(
                tx,
                "relatives_network",
                "active",
                Some(facilitator),
                &participants,
                180,
                None,
                coordinator,
            )
            .await?;
        }
        // A waiting mentee must never meet the first mentor (they know each other), and
        // one session was corrected after the day it was logged.
        if let Some(first) = mentors.first() {
            sqlx::query(
                "INSERT INTO member_conflicts (id, municipality_id, citizen_id, member_id, reason, recorded_by)
                 SELECT $1, $2, p.citizen_id, $3, 'prior_contact', $4 FROM courses c JOIN course_participants p ON p.course_id = c.id
                 WHERE c.municipality_id = $2 AND c.state = 'referred' AND c.kind = 'mentor' LIMIT 1",
            )
            .bind(Uuid::now_v7())
            .bind(self.id)
            .bind(first.id)
            .bind(coordinator)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "WITH s AS (SELECT id FROM course_sessions WHERE municipality_id = $2 AND notes <> '' ORDER BY held_on LIMIT 1)
             INSERT INTO course_session_versions (id, municipality_id, session_id, version, held_on, duration_minutes, kind,
                    participants, notes, tools, next_step, changed_by, replaced_at)
             SELECT $1, $2, cs.id, 1, cs.held_on, cs.duration_minutes, cs.kind, cs.participants, 'Første udkast til noter.',
                    cs.tools, cs.next_step, cs.logged_by, cs.created_at + interval '2 days'
             FROM course_sessions cs JOIN s ON s.id = cs.id",
        )
        .bind(Uuid::now_v7())
        .bind(self.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE course_sessions SET version = 2 WHERE id IN (SELECT session_id FROM course_session_versions WHERE municipality_id = $1)",
        )
        .bind(self.id)
        .execute(&mut *tx)
        .await?;
        // The coordinator coached most members last month and some this month.
        for (i, member) in members.iter().enumerate() {
            for months_ago in [1, 2] {
                let held = add_months(self.today, -months_ago);
                self.coaching(tx, member.id, coordinator, held).await?;
            }
            if i % 2 == 0 {
                let held = self.today.replace_day(1).expect("day 1")
                    + Duration::days(i64::from(self.today.day().saturating_sub(1).min(3)));
                self.coaching(tx, member.id, coordinator, held).await?;
            }
        }
        Ok(())
    }

    async fn profiles(&mut self, tx: &mut PgConnection) -> Result<Vec<Member>, AnyError> {
        let users: Vec<(Uuid, Vec<Role>)> = sqlx::query_as(
            "SELECT m.user_id, m.roles FROM memberships m WHERE m.municipality_id = $1
               AND (roles && ARRAY['mentor', 'parent_coach']) ORDER BY m.created_at",
        )
        .bind(self.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut members = Vec::new();
        for (user_id, roles) in users {
            let trained_days_ago = self.rng.random_range(400..2000);
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO corps_members (id, municipality_id, user_id, training_status, trained_on, capacity, gender, birth_year,
                        languages, cultural_background, religion_competence, politics_competence, temperament, experience, availability)
                 VALUES ($1, $2, $3, 'trained', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (municipality_id, user_id) DO UPDATE SET training_status = 'trained'
                 RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(self.id)
            .bind(user_id)
            .bind(self.days_ago(trained_days_ago))
            .bind(self.rng.random_range(2..5_i16))
            .bind(*self.pick(&["female", "male"]))
            .bind(self.rng.random_range(1965..1998_i16))
            .bind(self.pick(LANGUAGE_SETS).iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .bind(*self.pick(CULTURES))
            .bind(self.rng.random_bool(0.5))
            .bind(self.rng.random_bool(0.3))
            .bind(self.rng.random_range(1..6_i16))
            .bind(vec![self.pick(&["psychiatric", "behavioural", "extremism"]).to_string(), "extremism".to_string()])
            .bind(vec!["daytime".to_string(), self.pick(&["evenings", "weekends"]).to_string()])
            .fetch_one(&mut *tx)
            .await?;
            members.push(Member {
                id,
                user_id,
                mentor: roles.contains(&Role::Mentor),
                coach: roles.contains(&Role::ParentCoach),
            });
        }
        Ok(members)
    }

    async fn citizen(
        &mut self,
        tx: &mut PgConnection,
        kind: CitizenKind,
        index: usize,
        referred_ago: i64,
    ) -> Result<Uuid, AnyError> {
        let id = Uuid::now_v7();
        let (first, gender) = if kind == CitizenKind::Mentee {
            MENTEE_NAMES[index % MENTEE_NAMES.len()]
        } else {
            let (name, relation) = PARENT_NAMES[index % PARENT_NAMES.len()];
            (
                name,
                if relation == "mother" {
                    "female"
                } else {
                    "male"
                },
            )
        };
        let name = format!("{first} {}", self.pick(SURNAMES));
        let this_year = self.today.year() as i16;
        let birth_year = if kind == CitizenKind::Mentee {
            this_year - self.rng.random_range(15..25_i16)
        } else {
            this_year - self.rng.random_range(38..60_i16)
        };
        let criteria = if kind == CitizenKind::Mentee {
            vec![
                self.pick(&["extremist_environment", "signs_of_concern", "vulnerable"])
                    .to_string(),
            ]
        } else {
            vec!["relative_of_concern".to_string()]
        };
        let wants_gender = self.rng.random_bool(0.4).then(|| gender.to_string());
        let wants_language = self
            .rng
            .random_bool(0.3)
            .then(|| self.pick(&["ar", "so", "tr"]).to_string());
        sqlx::query(
            "INSERT INTO citizens (id, municipality_id, kind, name, birth_year, gender, languages, cultural_background, referred_on,
                    referral_source, referred_by, criteria, legal_basis, preferred_gender, preferred_language,
                    needs_religion_politics, needed_temperament, needed_experience, needed_availability, other_efforts)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(id)
        .bind(self.id)
        .bind(kind)
        .bind(&name)
        .bind(birth_year)
        .bind(gender)
        .bind(self.pick(LANGUAGE_SETS).iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .bind(*self.pick(CULTURES))
        .bind(self.days_ago(referred_ago))
        .bind(*self.pick(&["infohouse", "infohouse", "school", "social_services", "police", "family"]))
        .bind(*self.pick(&["SSP-konsulent", "Infohusets koordinator", "Skolens AKT-lærer", ""]))
        .bind(criteria)
        .bind(*self.pick(&["social_services_act", "social_services_act", "active_employment_act"]))
        .bind(wants_gender)
        .bind(wants_language)
        .bind(self.rng.random_bool(0.4))
        .bind(self.rng.random_bool(0.6).then(|| self.rng.random_range(1..6_i16)))
        .bind(vec!["extremism".to_string()])
        .bind(vec![self.pick(&["daytime", "evenings"]).to_string()])
        .bind(if self.rng.random_bool(0.4) { vec!["action_plan_141".to_string()] } else { Vec::new() })
        .execute(&mut *tx)
        .await?;
        for (consent, probability) in [
            ("participation", 1.0),
            ("handover", 0.7),
            ("evaluation", 0.6),
        ] {
            if self.rng.random_bool(probability) {
                sqlx::query(
                    "INSERT INTO consents (id, municipality_id, citizen_id, kind, given_by, given_on, recorded_by)
                     SELECT $1, $2, $3, $4, $5, $6, (SELECT user_id FROM memberships WHERE municipality_id = $2 LIMIT 1)",
                )
                .bind(Uuid::now_v7())
                .bind(self.id)
                .bind(id)
                .bind(consent)
                .bind(if kind == CitizenKind::Mentee && birth_year > this_year - 18 { "guardian" } else { "citizen" })
                .bind(self.days_ago(referred_ago.saturating_sub(5).max(0)))
                .execute(&mut *tx)
                .await?;
            }
        }
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn course(
        &mut self,
        tx: &mut PgConnection,
        kind: &str,
        state: &str,
        member: Option<&Member>,
        participants: &[Uuid],
        started_ago: i64,
        ended_ago: Option<i64>,
        coordinator: Uuid,
    ) -> Result<(), AnyError> {
        let id = Uuid::now_v7();
        let referred_on = self.days_ago(started_ago + 20);
        let matched_on = member.map(|_| self.days_ago(started_ago + 10));
        let started_on = (!matches!(state, "referred" | "matched" | "pre_meeting")
            && member.is_some())
        .then(|| self.days_ago(started_ago));
        let ended_on = ended_ago.map(|days| self.days_ago(days));
        let closed_on = match state {
            "closed" => ended_on.map(|d| d + Duration::days(190).min(self.today - d)),
            "cancelled" => Some(self.days_ago(started_ago.saturating_sub(30))),
            _ => None,
        };
        let title = if kind == "relatives_network" {
            "Pårørendenetværket"
        } else {
            ""
        };
        sqlx::query(
            "INSERT INTO courses (id, municipality_id, kind, title, member_id, state, referred_on, matched_on, started_on, ended_on,
                    closed_on, goals_reached, end_note, cancel_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id)
        .bind(self.id)
        .bind(kind)
        .bind(title)
        .bind(member.map(|m| m.id))
        .bind(state)
        .bind(referred_on)
        .bind(matched_on)
        .bind(started_on)
        .bind(ended_on)
        .bind(closed_on)
        .bind(ended_on.map(|_| *self.pick(&["yes", "partly", "yes", "no"])))
        .bind(if ended_on.is_some() { "Arbejdet med fast dagsrytme, skolegang og at tage afstand fra miljøet." } else { "" })
        .bind(if state == "cancelled" { "Borgeren flyttede ud af kommunen." } else { "" })
        .execute(&mut *tx)
        .await?;
        for citizen in participants {
            sqlx::query("INSERT INTO course_participants (course_id, citizen_id, municipality_id, joined_on) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(citizen)
                .bind(self.id)
                .bind(referred_on)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO course_events (id, municipality_id, course_id, at, actor_id, kind, to_state) VALUES ($1, $2, $3, $4::date, $5, 'created', 'referred')",
        )
        .bind(Uuid::now_v7())
        .bind(self.id)
        .bind(id)
        .bind(referred_on)
        .bind(coordinator)
        .execute(&mut *tx)
        .await?;
        if let (Some(member), Some(matched_on)) = (member, matched_on) {
            sqlx::query(
                "INSERT INTO course_events (id, municipality_id, course_id, at, actor_id, kind, from_state, to_state) VALUES ($1, $2, $3, $4::date, $5, 'matched', 'referred', 'matched')",
            )
            .bind(Uuid::now_v7())
            .bind(self.id)
            .bind(id)
            .bind(matched_on)
            .bind(coordinator)
            .execute(&mut *tx)
            .await?;
            if state == "pre_meeting" || started_on.is_some() {
                self.session(
                    tx,
                    id,
                    member.user_id,
                    matched_on + Duration::days(4),
                    "pre_meeting",
                    60,
                )
                .await?;
            }
            if let Some(start) = started_on {
                let end = ended_on.or(closed_on).unwrap_or(self.today);
                // Mentor courses weekly; coaching every three to six weeks; networks every ten weeks.
                let (step, kind_code, minutes) = match kind {
                    "mentor" => (7, "session", 60),
                    "parent_coaching" => (self.rng.random_range(21..42), "session", 105),
                    _ => (70, "network_meeting", 110),
                };
                let mut day = start;
                // The newest active mentor course lacks recent contact, so something is overdue.
                let stop = if kind == "mentor" && state == "active" && started_ago == 120 {
                    end - Duration::days(12)
                } else {
                    end
                };
                while day <= stop {
                    let kind_here = if kind == "mentor" && self.rng.random_bool(0.2) {
                        "phone_online"
                    } else {
                        kind_code
                    };
                    self.session(tx, id, member.user_id, day, kind_here, minutes)
                        .await?;
                    day += Duration::days(step + self.rng.random_range(-1..2));
                }
                self.tools(tx, id, member.user_id, kind, start, ended_on)
                    .await?;
                if state == "follow_up" {
                    if let Some(ended) = ended_on {
                        self.session(
                            tx,
                            id,
                            member.user_id,
                            add_months(ended, 3),
                            "follow_up",
                            60,
                        )
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The LAT tools of a course: pre measurement at the start, the development plan with
    /// a progress rating every six weeks (mostly rising), a risk assessment every quarter,
    /// an agreement for parent coaching, and the post measurement at the end.
    async fn tools(
        &mut self,
        tx: &mut PgConnection,
        course: Uuid,
        by: Uuid,
        kind: &str,
        start: Date,
        ended: Option<Date>,
    ) -> Result<(), AnyError> {
        let end = ended.unwrap_or(self.today);
        let wellbeing_pre = self.rng.random_range(5..=14_i16);
        let mastery_pre = self.rng.random_range(6..=12_i16);
        self.measurement(
            tx,
            course,
            by,
            start + Duration::days(7),
            "pre",
            wellbeing_pre,
            mastery_pre,
        )
        .await?;
        if kind == "parent_coaching" {
            let answers = serde_json::json!({ "goals": [
                { "goal": "Tale med vores søn uden at det ender i skænderi", "success": "Tre rolige samtaler om ugen" },
                { "goal": "Vide, hvem han ses med", "success": "Han fortæller selv om sine venner" }
            ]});
            self.tool(
                tx,
                course,
                by,
                start + Duration::days(3),
                "agreement",
                None,
                answers,
                &[],
            )
            .await?;
        }
        let mut rating: i16 = self.rng.random_range(2..=4);
        let mut day = start + Duration::days(14);
        while day <= end {
            let answers = serde_json::json!({
                "goals": [{ "goal": "Komme i skole hver dag", "step_1": "Stå op kl. 7 på hverdage",
                            "status_1": if rating > 5 { "done" } else { "started" },
                            "step_2": "Aftale med studievejlederen", "status_2": "planned" }],
                "progress": rating
            });
            self.tool(
                tx,
                course,
                by,
                day,
                "development_plan",
                None,
                answers,
                &[("progress", f64::from(rating))],
            )
            .await?;
            rating = (rating + self.rng.random_range(-1..=2)).clamp(1, 10);
            day += Duration::days(42);
        }
        let mut scale: i16 = self.rng.random_range(2..=4);
        let mut day = start + Duration::days(10);
        while day <= end {
            let citizen = (scale + self.rng.random_range(-1..=2)).clamp(0, 10);
            let parents = (scale + self.rng.random_range(-2..=1)).clamp(0, 10);
            let answers = serde_json::json!({
                "worry_1": "Han bruger meget tid på fora med ekstremistisk indhold.",
                "working_well": "Han har et godt forhold til sin storesøster og vil gerne have et arbejde.",
                "next_steps": "Ugentlige samtaler; kontakt til jobcentret.",
                "scale_mentor": scale, "scale_citizen": citizen, "scale_parents": parents
            });
            let measures = [
                ("risk_mentor", f64::from(scale)),
                ("risk_citizen", f64::from(citizen)),
                ("risk_parents", f64::from(parents)),
            ];
            self.tool(
                tx,
                course,
                by,
                day,
                "risk_assessment",
                None,
                answers,
                &measures,
            )
            .await?;
            scale = (scale + self.rng.random_range(0..=2)).clamp(0, 10);
            day += Duration::days(90);
        }
        if let Some(ended) = ended {
            let wellbeing_post = (wellbeing_pre + self.rng.random_range(-2..=8)).clamp(0, 25);
            let mastery_post = (mastery_pre + self.rng.random_range(-1..=6)).clamp(0, 20);
            self.measurement(tx, course, by, ended, "post", wellbeing_post, mastery_post)
                .await?;
        }
        Ok(())
    }

    /// A WHO-5 and life-mastery measurement with the given raw sums spread over the items.
    #[allow(clippy::too_many_arguments)]
    async fn measurement(
        &mut self,
        tx: &mut PgConnection,
        course: Uuid,
        by: Uuid,
        on: Date,
        phase: &str,
        wellbeing: i16,
        mastery: i16,
    ) -> Result<(), AnyError> {
        let spread = |total: i16, top: i16| -> Vec<i16> {
            (0..5).map(|i| ((total + 4 - i) / 5).min(top)).collect()
        };
        let (who5, mastery_items) = (spread(wellbeing, 5), spread(mastery, 4));
        let mut answers = serde_json::Map::new();
        for (i, v) in who5.iter().enumerate() {
            answers.insert(format!("who5_{}", i + 1), serde_json::json!(v.to_string()));
        }
        for (i, v) in mastery_items.iter().enumerate() {
            answers.insert(
                format!("mastery_{}", i + 1),
                serde_json::json!(v.to_string()),
            );
        }
        let wellbeing_kind = format!("wellbeing_{phase}");
        let mastery_kind = format!("mastery_{phase}");
        let measures = [
            (
                wellbeing_kind.as_str(),
                f64::from(who5.iter().sum::<i16>() * 4),
            ),
            (
                mastery_kind.as_str(),
                f64::from(mastery_items.iter().sum::<i16>() * 5),
            ),
        ];
        self.tool(
            tx,
            course,
            by,
            on,
            "measurement",
            Some(phase),
            serde_json::Value::Object(answers),
            &measures,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn tool(
        &mut self,
        tx: &mut PgConnection,
        course: Uuid,
        by: Uuid,
        on: Date,
        tool: &str,
        phase: Option<&str>,
        answers: serde_json::Value,
        measures: &[(&str, f64)],
    ) -> Result<(), AnyError> {
        if on > self.today {
            return Ok(());
        }
        let answer = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO tool_answers (id, municipality_id, course_id, tool, version, phase, answers, filled_on, filled_by, created_at)
             VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $7::date + time '15:00')",
        )
        .bind(answer)
        .bind(self.id)
        .bind(course)
        .bind(tool)
        .bind(phase)
        .bind(answers)
        .bind(on)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        for (kind, value) in measures {
            sqlx::query(
                "INSERT INTO measurements (id, municipality_id, course_id, answer_id, kind, value, measured_on)
                 VALUES ($1, $2, $3, $4, $5, $6::float8, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(self.id)
            .bind(course)
            .bind(answer)
            .bind(*kind)
            .bind(*value)
            .bind(on)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    async fn session(
        &mut self,
        tx: &mut PgConnection,
        course: Uuid,
        by: Uuid,
        on: Date,
        kind: &str,
        minutes: i16,
    ) -> Result<(), AnyError> {
        if on > self.today {
            return Ok(());
        }
        const NOTES: &[&str] = &[
            "Talte om ugen, der gik, og hvad der lykkedes.",
            "Gennemgik skolegang og fremmøde. Aftalte at tage kontakt til studievejleder.",
            "Samtale om venskaber og fritid. Mentee var åben og i godt humør.",
            "Arbejdede med skalering: fra 4 til 5 siden sidst.",
            "Kort samtale i telefon om et møde på jobcentret.",
        ];
        const STEPS: &[&str] = &[
            "Følge op på skolen",
            "Besøg i fritidsklubben",
            "Forberede møde med sagsbehandler",
            "Øve samtalen med far",
            "",
        ];
        sqlx::query(
            "INSERT INTO course_sessions (id, municipality_id, course_id, held_on, duration_minutes, kind, participants, notes, tools,
                    next_step, logged_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $4::date + time '16:00')",
        )
        .bind(Uuid::now_v7())
        .bind(self.id)
        .bind(course)
        .bind(on)
        .bind(minutes)
        .bind(kind)
        .bind(*self.pick(&["Mentee", "Mentee og mor", "Forælder", ""]))
        .bind(*self.pick(NOTES))
        .bind(if self.rng.random_bool(0.3) { vec!["development_plan".to_string()] } else { Vec::new() })
        .bind(*self.pick(STEPS))
        .bind(by)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    async fn coaching(
        &mut self,
        tx: &mut PgConnection,
        member: Uuid,
        coordinator: Uuid,
        on: Date,
    ) -> Result<(), AnyError> {
        if on > self.today {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO coaching_log (id, municipality_id, member_id, coordinator_id, held_on, notes, next_step) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(self.id)
        .bind(member)
        .bind(coordinator)
        .bind(on)
        .bind(*self.pick(&["Bedste håb: at mentee kommer i skole hver dag. Skalering 6.", "Drøftede et svært forløb; undtagelser fundet.", "Tillid 8, vigtighed 9, parathed 7."]))
        .bind(*self.pick(&["Prøve en ny mødeform", "Inddrage forældrene", "Følge op næste måned"]))
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}
