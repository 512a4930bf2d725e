//! Demo application rounds: a past (closed, decided) and an open round of each kind, with
//! applications from the demo municipalities in every state — draft, awaiting a partner,
//! submitted, under review, approved, accepted, deferred, rejected — and one joint
//! application. Loaded once: nothing happens when a round exists.

use sqlx::{Connection, PgConnection};
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::applications::model::{Scores, danish_instant, score_total};
use crate::clock;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// A small, valid PDF: the minutes of a management meeting.
const MINUTES_PDF: &[u8] = b"%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 88 >> stream
BT /F1 14 Tf 72 770 Td (Referat af ledelsesmoede i Direktionen for Born og Unge) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
";

struct Round {
    kind: &'static str,
    title: String,
    description: &'static str,
    state: &'static str,
    deadline: OffsetDateTime,
    capacity: Option<i16>,
    corps_until: Option<Date>,
}

#[derive(Default)]
struct Training {
    candidates: [Option<i16>; 3],
    challenges: &'static str,
    staff: &'static str,
    responsible: &'static str,
    partners: &'static str,
    coordination: &'static str,
    recruitment: &'static str,
    target_groups: &'static str,
    management: &'static str,
    legal: &'static str,
    committed: bool,
}

#[derive(Default)]
struct Advisory {
    motivation: &'static str,
    challenges: &'static str,
    notifications: Option<i32>,
    measures: Option<i32>,
    note: &'static str,
    leadership: &'static str,
    signatory: (&'static str, &'static str),
    signed_days_before_deadline: Option<i64>,
    preferred_start_after_deadline: Option<i64>,
    earlier: &'static str,
}

struct Decision {
    reason: &'static str,
    seats: [Option<i16>; 3],
    start_after_deadline: Option<i64>,
}

pub async fn load(conn: &mut PgConnection) -> Result<(), AnyError> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM application_rounds")
        .fetch_one(&mut *conn)
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let mut tx = conn.begin().await?;
    // As the owner, but through the national policies (and the lead's, for partners).
    national(&mut tx).await?;
    let national_user: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'national@example.org'")
            .fetch_optional(&mut *tx)
            .await?;
    let today = clock::today();
    let year = today.year();
    let noon = Time::from_hms(12, 0, 0)?;
    let at_noon = |date: Date| danish_instant(date, noon).unwrap_or_else(clock::now);

    // A past training round, closed and decided.
    let past_training = round(
        &mut tx,
        &Round {
            kind: "training",
            title: format!("Mentor- og forældrecoachuddannelse {}", year - 1),
            description: "Nationalt Center for Forebyggelse af Ekstremisme udbyder grunduddannelsen som mentor, pårørende/forældrecoach og koordinator: seks dage, fordelt på tre gange to dage med overnatning.",
            state: "closed",
            deadline: at_noon(today - Duration::days(330)),
            capacity: None,
            corps_until: Date::from_calendar_date(year + 2, time::Month::December, 31).ok(),
        },
        national_user,
    )
    .await?;
    let aarhus = training(&mut tx, past_training, 751, "approved", &Training {
        candidates: [Some(3), Some(2), None],
        challenges: "Vi ser en stigning i bekymringshenvendelser om unge mellem 15 og 22 år, der færdes i højreekstreme og militant islamistiske miljøer online. Infohuset modtog 41 henvendelser sidste år.",
        staff: "Seks medarbejdere fra SSP, familieafdelingen og jobcentret; to koordinatorer deler opgaven.",
        responsible: "Afdelingschefen for Børn og Unge har det overordnede ansvar.",
        partners: "Østjyllands Politi, infohuset, UU og ungdomsuddannelserne deltager i den tværfaglige styregruppe.",
        coordination: "Koordinatorerne holder månedlig løsningsfokuseret coaching med hver mentor og forældrecoach og deltager i de nationale netværksmøder.",
        recruitment: "Vi rekrutterer medarbejdere med erfaring fra relationsarbejde og sikrer frikøb af timer, så relationen til den unge ikke afbrydes ved jobskifte.",
        target_groups: "Gennem infohuset, SSP-netværket og skolernes trivselsteams; vi udarbejder en kort folder om mentorindsatsen til lokale aktører.",
        management: "Direktionen for Sociale Forhold og Beskæftigelse har godkendt indsatsen og finansieringen af de frikøbte timer.",
        legal: "Serviceloven § 52, stk. 3, nr. 6 (kontaktperson) og lov om aktiv beskæftigelse (mentorstøtte).",
        committed: true,
    }, &[]).await?;
    decide(&mut tx, aarhus, "approved", &Decision {
        reason: "Tilsagn: velbeskrevet tværfaglig organisering med tydelig ledelsesopbakning. Der gives to mentorpladser af hensyn til den geografiske spredning.",
        seats: [Some(2), Some(2), None],
        start_after_deadline: None,
    }, None, national_user).await?;
    review(
        &mut tx,
        aarhus,
        &[
            (
                "challenges",
                5,
                "Tydeligt og dokumenteret udfordringsbillede.",
            ),
            ("commitments", 5, ""),
            ("anchoring", 4, "Styregruppe med politi og UU."),
            ("management_support", 5, "Direktionsgodkendt."),
            ("organisation", 4, ""),
            ("recruitment", 4, "Frikøb af timer sikrer stabilitet."),
            ("target_groups", 4, ""),
            ("spread", 3, "Midtjylland er allerede dækket."),
        ],
        national_user,
    )
    .await?;

    let copenhagen = training(&mut tx, past_training, 101, "approved", &Training {
        candidates: [Some(4), None, Some(1)],
        challenges: "København og Høje-Taastrup oplever unge, der tiltrækkes af militante miljøer, og søger sammen for at kunne udlåne mentorer på tværs af kommunegrænsen.",
        staff: "Otte medarbejdere i de to kommuners SSP+ og ungeenheder.",
        responsible: "Københavns Kommune, Socialforvaltningen, er ansvarlig kommune; Høje-Taastrup har en kontaktperson i Center for Børn og Familie.",
        partners: "Københavns Politi, Vestegnens Politi og de to infohuse.",
        coordination: "Fælles koordinator i København med supervision hver anden uge; udlån aftales efter korpsets regler.",
        recruitment: "Mentorerne rekrutteres blandt erfarne gadeplansmedarbejdere; kontinuitet sikres ved faste makkerpar.",
        target_groups: "Via infohusene og bekymringsrådgivningen; informationsmøder for skoler og boligsociale medarbejdere.",
        management: "Begge kommuners direktioner har tiltrådt ansøgningen.",
        legal: "Serviceloven § 11 og § 52.",
        committed: true,
    }, &[(169, true)]).await?;
    decide(&mut tx, copenhagen, "approved", &Decision {
        reason: "Tilsagn til den fælles ansøgning: stærkt samarbejde på tværs af kommunegrænsen, som styrker korpsets udlånsmuligheder.",
        seats: [Some(4), None, Some(1)],
        start_after_deadline: None,
    }, None, national_user).await?;
    review(
        &mut tx,
        copenhagen,
        &[
            ("challenges", 5, ""),
            ("commitments", 5, "Begge kommuner har bekræftet."),
            ("anchoring", 5, ""),
            ("management_support", 4, ""),
            ("organisation", 4, ""),
            ("recruitment", 3, "Kunne beskrives mere konkret."),
            ("target_groups", 4, ""),
            ("spread", 4, ""),
        ],
        national_user,
    )
    .await?;

    let aalborg = training(
        &mut tx,
        past_training,
        851,
        "rejected",
        &Training {
            candidates: [None, Some(2), None],
            challenges: "Enkelte bekymringshenvendelser om unge i to boligområder.",
            staff: "To medarbejdere i familieafdelingen.",
            responsible: "Familiechefen.",
            partners: "Nordjyllands Politi.",
            coordination: "Supervision efter behov.",
            recruitment: "Medarbejderne udpeges af lederen.",
            target_groups: "Via SSP.",
            management: "Afdelingen bakker op.",
            legal: "Serviceloven.",
            committed: true,
        },
        &[],
    )
    .await?;
    decide(&mut tx, aalborg, "rejected", &Decision {
        reason: "Afslag: ledelsesopbakningen til finansiering og forankringen af indsatsen er ikke tilstrækkeligt beskrevet. I opfordres til at søge igen i næste runde.",
        seats: [None, None, None],
        start_after_deadline: None,
    }, None, national_user).await?;
    review(
        &mut tx,
        aalborg,
        &[
            ("challenges", 3, ""),
            ("commitments", 4, ""),
            ("anchoring", 2, "Ingen tværfaglig organisering."),
            ("management_support", 1, "Ingen beslutning om finansiering."),
            ("organisation", 2, ""),
            ("recruitment", 2, ""),
            ("target_groups", 2, ""),
        ],
        national_user,
    )
    .await?;

    // A past advisory round, closed and decided within its capacity.
    let past_advisory = round(
        &mut tx,
        &Round {
            kind: "advisory",
            title: format!("Rådgivningsforløb, efteråret {}", year - 1),
            description: "Gratis rådgivningsforløb om styrket praksis i sager om minoritetsetniske børn, unge og familier. Forløbet varer ca. 6 måneder.",
            state: "closed",
            deadline: at_noon(today - Duration::days(200)),
            capacity: Some(2),
            corps_until: None,
        },
        national_user,
    )
    .await?;
    let odense_past = advisory(&mut tx, past_advisory, 461, "accepted", &Advisory {
        motivation: "Vi ønsker en fælles faglig praksis for håndtering af underretninger om minoritetsetniske familier og vil forankre den i vores nye handleguide.",
        challenges: "Underretninger om negativ social kontrol håndteres forskelligt fra team til team, og der mangler viden om æresrelaterede konflikter.",
        notifications: Some(212),
        measures: Some(48),
        note: "Tallene er fra fagsystemet for det seneste kalenderår.",
        leadership: "Familiechefen og to afdelingsledere deltager i arbejdsgruppen og i alle sparringsmøder.",
        signatory: ("Henrik Bundgaard", "Direktør for Børn og Unge"),
        signed_days_before_deadline: Some(10),
        preferred_start_after_deadline: Some(60),
        earlier: "Ingen.",
    }, true).await?;
    decide(&mut tx, odense_past, "accepted", &Decision {
        reason: "Optaget: tydelig motivation, fokus på implementering og dokumenteret ledelsesopbakning.",
        seats: [None, None, None],
        start_after_deadline: Some(75),
    }, Some(today - Duration::days(200)), national_user).await?;
    review(
        &mut tx,
        odense_past,
        &[
            ("motivation", 5, "Eksplicit fokus på implementering."),
            ("challenges", 5, ""),
            ("indicators", 4, ""),
            ("leadership", 5, ""),
            ("implementation", 5, ""),
            ("need", 5, "Ingen tidligere bistand."),
        ],
        national_user,
    )
    .await?;

    let aarhus_past = advisory(
        &mut tx,
        past_advisory,
        751,
        "rejected",
        &Advisory {
            motivation: "Vi vil gerne have inspiration til vores arbejde.",
            challenges: "Vi har få sager om målgruppen.",
            notifications: Some(35),
            measures: Some(6),
            note: "",
            leadership: "Teamlederen deltager efter behov.",
            signatory: ("Karin Møller", "Centerchef"),
            signed_days_before_deadline: Some(3),
            preferred_start_after_deadline: Some(30),
            earlier: "SIRI's rådgivning om forebyggelse af ekstremisme i 2021.",
        },
        true,
    )
    .await?;
    decide(&mut tx, aarhus_past, "rejected", &Decision {
        reason: "Afslag: kommunen har for nylig modtaget bistand fra SIRI, og udfordringsbilledet ligger kun delvist inden for rådgivningens rammer.",
        seats: [None, None, None],
        start_after_deadline: None,
    }, None, national_user).await?;

    let aalborg_past = advisory(&mut tx, past_advisory, 851, "deferred", &Advisory {
        motivation: "Vi vil styrke opsporingen i dagtilbud og skoler og samarbejdet med myndighedsafdelingen.",
        challenges: "Få underretninger fra almenområdet om familier med minoritetsetnisk baggrund.",
        notifications: Some(96),
        measures: Some(21),
        note: "",
        leadership: "Børne- og familiechefen deltager i sparringsmøderne.",
        signatory: ("Lars Kristiansen", "Direktør for Familie- og Beskæftigelsesforvaltningen"),
        signed_days_before_deadline: Some(5),
        preferred_start_after_deadline: Some(45),
        earlier: "Ingen.",
    }, true).await?;
    decide(&mut tx, aalborg_past, "deferred", &Decision {
        reason: "Runden var fuld. I henvises til opstart i næste runde, hvor ansøgningen behandles med forrang.",
        seats: [None, None, None],
        start_after_deadline: None,
    }, None, national_user).await?;

    // The open rounds.
    let open_training = round(
        &mut tx,
        &Round {
            kind: "training",
            title: format!("Mentor- og forældrecoachuddannelse {year}"),
            description: "Centeret udbyder igen grunduddannelsen som mentor og pårørende/forældrecoach samt som koordinator for kommunalt ansatte medarbejdere med en socialfaglig baggrund.",
            state: "open",
            deadline: at_noon(today + Duration::days(30)),
            capacity: None,
            corps_until: Date::from_calendar_date(year + 3, time::Month::December, 31).ok(),
        },
        national_user,
    )
    .await?;
    training(&mut tx, open_training, 751, "draft", &Training {
        candidates: [Some(2), None, None],
        challenges: "Flere unge fra Gellerup og Bispehaven søges rekrutteret til ekstremistiske miljøer via sociale medier.",
        ..Training::default()
    }, &[(169, false)]).await?;
    training(&mut tx, open_training, 461, "awaiting_partners", &Training {
        candidates: [Some(2), Some(2), Some(1)],
        challenges: "Odense og Aalborg har begge unge i risiko og ønsker at dele et korps af forældrecoaches.",
        staff: "Fem medarbejdere i Odense og tre i Aalborg.",
        responsible: "Odense Kommune, Børn- og Ungeforvaltningen, er ansvarlig kommune.",
        partners: "Fyns Politi, Nordjyllands Politi og infohusene.",
        coordination: "Koordinatoren i Odense leder supervisionen; Aalborg deltager online hver måned.",
        recruitment: "Forældrecoaches rekrutteres blandt familiebehandlere med erfaring i pårørendenetværk.",
        target_groups: "Gennem infohusene og forældreforeninger.",
        management: "Begge direktioner har givet tilsagn om frikøb.",
        legal: "Serviceloven § 11, stk. 3, og § 52.",
        committed: true,
    }, &[(851, false)]).await?;
    training(&mut tx, open_training, 101, "submitted", &Training {
        candidates: [Some(3), Some(3), None],
        challenges: "Vi ser fortsat unge i København, der færdes i militante miljøer, og har brug for flere forældrecoaches.",
        staff: "Ti medarbejdere i SSP+.",
        responsible: "Socialforvaltningen.",
        partners: "Københavns Politi og infohuset.",
        coordination: "Ugentlig sparring i koordinatorteamet.",
        recruitment: "Intern opslag og faste makkerpar.",
        target_groups: "Infohuset og bekymringsrådgivningen.",
        management: "Socialudvalget har afsat midler.",
        legal: "Serviceloven § 52.",
        committed: true,
    }, &[]).await?;
    let hoje_taastrup = training(&mut tx, open_training, 169, "under_review", &Training {
        candidates: [Some(1), Some(1), None],
        challenges: "Enkelte unge i Gadehavegård viser bekymringstegn; vi vil have egne uddannede i stedet for at låne.",
        staff: "Tre medarbejdere i Center for Børn og Familie.",
        responsible: "Centerchefen for Børn og Familie.",
        partners: "Vestegnens Politi og SSP.",
        coordination: "Supervision hos koordinatoren hver anden uge.",
        recruitment: "Medarbejdere med erfaring fra gadeplan.",
        target_groups: "Via SSP og skolerne.",
        management: "Direktionen bakker op.",
        legal: "Serviceloven § 11.",
        committed: true,
    }, &[]).await?;
    review(
        &mut tx,
        hoje_taastrup,
        &[
            ("challenges", 3, "Få sager, men en klar begrundelse."),
            ("commitments", 5, ""),
            ("anchoring", 3, ""),
        ],
        national_user,
    )
    .await?;

    let open_advisory = round(
        &mut tx,
        &Round {
            kind: "advisory",
            title: format!("Rådgivningsforløb, foråret {}", year + 1),
            description: "Kommuner, der ønsker at styrke deres håndtering af sager om mistrivsel hos børn, unge og familier med minoritetsetnisk baggrund, kan ansøge om gratis rådgivning.",
            state: "open",
            deadline: at_noon(today + Duration::days(45)),
            capacity: Some(3),
            corps_until: None,
        },
        national_user,
    )
    .await?;
    advisory(&mut tx, open_advisory, 461, "submitted", &Advisory {
        motivation: "Vi vil fortsætte udviklingen fra sidste forløb og udbrede den fælles praksis til almenområdet.",
        challenges: "Skoler og dagtilbud underretter sjældent om negativ social kontrol.",
        notifications: Some(230),
        measures: Some(52),
        note: "",
        leadership: "Skolechefen og dagtilbudschefen deltager i arbejdsgruppen.",
        signatory: ("Henrik Bundgaard", "Direktør for Børn og Unge"),
        signed_days_before_deadline: Some(40),
        preferred_start_after_deadline: Some(90),
        earlier: "Rådgivningsforløb i sidste runde.",
    }, true).await?;
    advisory(&mut tx, open_advisory, 101, "draft", &Advisory {
        motivation: "Vi overvejer at søge om rådgivning om sagsbehandlingen i Borgercenter Børn og Unge.",
        ..Advisory::default()
    }, false).await?;
    tx.commit().await?;
    Ok(())
}

async fn national(tx: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('app.national', 'on', true), set_config('app.municipality_id', '', true)")
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn round(tx: &mut PgConnection, r: &Round, by: Option<Uuid>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO application_rounds (id, kind, title, description, state, deadline, capacity, corps_until, created_by, opened_at, closed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6 - interval '60 days', CASE WHEN $5 = 'closed' THEN $6 END)",
    )
    .bind(id)
    .bind(r.kind)
    .bind(&r.title)
    .bind(r.description)
    .bind(r.state)
    .bind(r.deadline)
    .bind(r.capacity)
    .bind(r.corps_until)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

async fn municipality(tx: &mut PgConnection, code: i16) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM municipalities WHERE code = $1")
        .bind(code)
        .fetch_one(&mut *tx)
        .await
}

async fn coordinator(
    tx: &mut PgConnection,
    municipality_id: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE municipality_id = $1 AND 'coordinator' = ANY (roles) ORDER BY created_at LIMIT 1",
    )
    .bind(municipality_id)
    .fetch_optional(&mut *tx)
    .await
}

/// A training application; `partners` are (municipality code, confirmed).
async fn training(
    tx: &mut PgConnection,
    round_id: Uuid,
    code: i16,
    state: &str,
    a: &Training,
    partners: &[(i16, bool)],
) -> Result<Uuid, sqlx::Error> {
    let municipality_id = municipality(tx, code).await?;
    let by = coordinator(tx, municipality_id).await?;
    let id = Uuid::now_v7();
    let submitted = state != "draft" && state != "awaiting_partners";
    sqlx::query(
        "INSERT INTO applications (id, round_id, municipality_id, state,
            mentor_candidates, parent_coach_candidates, coordinator_candidates,
            challenges, organisation_staff, organisation_responsible, organisation_partners,
            organisation_coordination, recruitment, target_groups, management_support, legal_basis,
            commit_lend, commit_method, commit_corps, created_by, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $17, $18,
                 CASE WHEN $4 <> 'draft' THEN $18 END,
                 CASE WHEN $19 THEN (SELECT deadline - interval '3 days' FROM application_rounds WHERE id = $2) END)",
    )
    .bind(id)
    .bind(round_id)
    .bind(municipality_id)
    .bind(state)
    .bind(a.candidates[0])
    .bind(a.candidates[1])
    .bind(a.candidates[2])
    .bind(a.challenges)
    .bind(a.staff)
    .bind(a.responsible)
    .bind(a.partners)
    .bind(a.coordination)
    .bind(a.recruitment)
    .bind(a.target_groups)
    .bind(a.management)
    .bind(a.legal)
    .bind(a.committed)
    .bind(by)
    .bind(submitted)
    .execute(&mut *tx)
    .await?;
    for (partner_code, confirmed) in partners {
        let partner_id = municipality(tx, *partner_code).await?;
        let partner_coordinator = coordinator(tx, partner_id).await?;
        // Partners are written through the lead municipality's policy.
        sqlx::query("SELECT set_config('app.national', '', true), set_config('app.municipality_id', $1, true)")
            .bind(municipality_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO application_partners (application_id, partner_municipality_id, municipality_id, confirmed_at, confirmed_by)
             VALUES ($1, $2, $3, CASE WHEN $4 THEN now() - interval '200 days' END, CASE WHEN $4 THEN $5 END)",
        )
        .bind(id)
        .bind(partner_id)
        .bind(municipality_id)
        .bind(confirmed)
        .bind(partner_coordinator)
        .execute(&mut *tx)
        .await?;
        national(tx).await?;
    }
    Ok(id)
}

async fn advisory(
    tx: &mut PgConnection,
    round_id: Uuid,
    code: i16,
    state: &str,
    a: &Advisory,
    with_minutes: bool,
) -> Result<Uuid, sqlx::Error> {
    let municipality_id = municipality(tx, code).await?;
    let by = coordinator(tx, municipality_id).await?;
    let deadline: OffsetDateTime =
        sqlx::query_scalar("SELECT deadline FROM application_rounds WHERE id = $1")
            .bind(round_id)
            .fetch_one(&mut *tx)
            .await?;
    let deadline_day = clock::to_danish(deadline).date();
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO applications (id, round_id, municipality_id, state, motivation, challenges,
            notifications_count, measures_count, indicators_note, leadership_resources,
            signatory_name, signatory_title, signed_on, preferred_start, earlier_assistance,
            created_by, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 CASE WHEN $4 <> 'draft' THEN $16 END,
                 CASE WHEN $4 <> 'draft' THEN $17::timestamptz - interval '2 days' END)",
    )
    .bind(id)
    .bind(round_id)
    .bind(municipality_id)
    .bind(state)
    .bind(a.motivation)
    .bind(a.challenges)
    .bind(a.notifications)
    .bind(a.measures)
    .bind(a.note)
    .bind(a.leadership)
    .bind(a.signatory.0)
    .bind(a.signatory.1)
    .bind(
        a.signed_days_before_deadline
            .map(|days| deadline_day - Duration::days(days)),
    )
    .bind(
        a.preferred_start_after_deadline
            .map(|days| deadline_day + Duration::days(days)),
    )
    .bind(a.earlier)
    .bind(by)
    .bind(deadline)
    .execute(&mut *tx)
    .await?;
    if with_minutes {
        sqlx::query("SELECT set_config('app.national', '', true), set_config('app.municipality_id', $1, true)")
            .bind(municipality_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO application_files (id, application_id, municipality_id, file_name, content_type, size_bytes, content, uploaded_by)
             VALUES ($1, $2, $3, 'Referat ledelsesmøde.pdf', 'application/pdf', $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(municipality_id)
        .bind(MINUTES_PDF.len() as i32)
        .bind(MINUTES_PDF)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        national(tx).await?;
    }
    Ok(id)
}

async fn decide(
    tx: &mut PgConnection,
    id: Uuid,
    outcome: &str,
    d: &Decision,
    start_from: Option<Date>,
    by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let start_on = match (d.start_after_deadline, start_from) {
        (Some(days), Some(from)) => Some(from + Duration::days(days)),
        _ => None,
    };
    sqlx::query(
        "UPDATE applications SET state = $2, decision_reason = $3, mentor_seats = $4,
                parent_coach_seats = $5, coordinator_seats = $6, start_on = $7,
                decided_by = $8, decided_at = submitted_at + interval '20 days'
         WHERE id = $1",
    )
    .bind(id)
    .bind(outcome)
    .bind(d.reason)
    .bind(d.seats[0])
    .bind(d.seats[1])
    .bind(d.seats[2])
    .bind(start_on)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn review(
    tx: &mut PgConnection,
    id: Uuid,
    scores: &[(&str, i16, &str)],
    by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let scores: Scores = scores
        .iter()
        .map(|(code, score, note)| {
            (
                (*code).to_string(),
                crate::applications::model::CriterionScore {
                    score: Some(*score),
                    note: (*note).to_string(),
                },
            )
        })
        .collect();
    let (total, count) = score_total(&scores);
    sqlx::query(
        "INSERT INTO application_reviews (application_id, scores, total_score, scored_count, updated_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(serde_json::to_value(&scores).unwrap_or_default())
    .bind(total)
    .bind(count)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
