//! Database roles: the server logs in as a role that row-level security applies to
//! (no superuser, no BYPASSRLS, owns nothing), the SECURITY DEFINER functions belong to
//! a role made for them with `pg_temp` last in their search_path, and `users` is row-level
//! secured like the tenant tables.

use korps::db::{self, Scope};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use uuid::Uuid;

use crate::support::TestApp;

async fn runtime_conn(app: &TestApp) -> sqlx::pool::PoolConnection<sqlx::Postgres> {
    app.pool.acquire().await.unwrap()
}

#[tokio::test]
async fn the_runtime_role_is_no_superuser_cannot_bypass_rls_and_owns_nothing() {
    let app = TestApp::spawn().await;
    let mut conn = runtime_conn(&app).await;
    // The role the pool logged in as; a SET ROLE could be undone, so session_user counts.
    let (login, current): (String, String) =
        sqlx::query_as("SELECT session_user::text, current_user::text")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(login, db::APP_ROLE, "the pool logs in as korps_app");
    assert_eq!(current, login, "and does not switch roles");

    let (superuser, bypasses): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert!(!superuser, "{login} is a superuser");
    assert!(!bypasses, "{login} has BYPASSRLS");

    let owned: Vec<String> = sqlx::query_scalar(
        "SELECT c.oid::regclass::text FROM pg_class c
         WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = session_user)
         UNION ALL
         SELECT p.oid::regprocedure::text FROM pg_proc p
         WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = session_user)",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(owned.is_empty(), "{login} owns {owned:?}");
    let users_owner: String = sqlx::query_scalar(
        "SELECT relowner::regrole::text FROM pg_class WHERE oid = 'users'::regclass",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_ne!(
        users_owner, login,
        "the tables belong to the migration owner"
    );

    // Nor may it reach such a role by membership (SET ROLE, or inherited privileges).
    let privileged: Vec<String> = sqlx::query_scalar(
        "SELECT r.rolname::text FROM pg_roles r
         WHERE pg_has_role(session_user, r.oid, 'MEMBER') AND r.rolname <> session_user
           AND (r.rolsuper OR r.rolbypassrls
                OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid)
                OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = r.oid))",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(
        privileged.is_empty(),
        "{login} is a member of {privileged:?}"
    );
}

#[tokio::test]
async fn every_security_definer_function_belongs_to_korps_definer_with_pg_temp_last() {
    let app = TestApp::spawn().await;
    let mut conn = app.owner_conn().await;
    let functions: Vec<(String, String, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT p.oid::regprocedure::text, p.proowner::regrole::text, p.proconfig
         FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        functions.len() >= 20,
        "the definer functions were found: {functions:?}"
    );
    for (function, owner, config) in &functions {
        assert_eq!(owner, "korps_definer", "{function} belongs to {owner}");
        let search_path = config
            .iter()
            .flatten()
            .find_map(|setting| setting.strip_prefix("search_path="))
            .unwrap_or_else(|| panic!("{function} sets no search_path"));
        let last = search_path.split(',').map(str::trim).next_back();
        assert_eq!(
            last,
            Some("pg_temp"),
            "{function}: search_path {search_path:?} must end with pg_temp"
        );
    }
    let (login, superuser, bypasses): (bool, bool, bool) = sqlx::query_as(
        "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'korps_definer'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(
        !login && !superuser && !bypasses,
        "korps_definer: login {login}, superuser {superuser}, BYPASSRLS {bypasses}"
    );
}

#[tokio::test]
async fn users_has_row_level_security_enabled_and_forced() {
    let app = TestApp::spawn().await;
    let (enabled, forced): (bool, bool) = sqlx::query_as(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'users'::regclass",
    )
    .fetch_one(&mut app.owner_conn().await)
    .await
    .unwrap();
    assert!(enabled, "row-level security is enabled on users");
    assert!(forced, "row-level security is forced on users");
}

#[tokio::test]
async fn start_up_refuses_a_runtime_role_that_is_a_superuser_or_reaches_one() {
    let app = TestApp::spawn().await;
    // The test databases' owner is the cluster's superuser.
    let mut owner = app.owner_conn().await;
    let refused = db::check_runtime_role(&mut owner).await;
    let message = refused.expect_err("a superuser runtime connection is refused");
    assert!(message.contains("is a superuser"), "{message}");
    assert!(message.contains("refusing to serve"), "{message}");

    // A login that is no superuser itself but may become korps_definer, which owns the
    // definer functions (and passes row-level security on every table).
    let role = format!("korps_test_{}", Uuid::new_v4().simple());
    owner
        .execute(
            format!("CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE korps_app").as_str(),
        )
        .await
        .unwrap();
    let login = app.owner.clone().username(&role);
    let mut member = login.connect().await.unwrap();
    let plain = db::check_runtime_role(&mut member).await;
    owner
        .execute(format!("GRANT korps_definer TO {role}").as_str())
        .await
        .unwrap();
    let reaching = db::check_runtime_role(&mut member).await;
    member.close().await.unwrap();
    owner
        .execute(format!("DROP ROLE {role}").as_str())
        .await
        .unwrap();
    assert_eq!(plain, Ok(()), "a member of korps_app alone may serve");
    let message = reaching.expect_err("a member of korps_definer is refused");
    assert!(
        message.contains("member of korps_definer, which owns functions"),
        "{message}"
    );

    let mut runtime = runtime_conn(&app).await;
    assert_eq!(db::check_runtime_role(&mut runtime).await, Ok(()));
}

async fn visible_users(app: &TestApp, scope: Scope) -> Vec<Uuid> {
    let mut tx = app.tenant_tx(scope).await;
    sqlx::query_scalar("SELECT id FROM users")
        .fetch_all(tx.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn before_login_no_user_is_visible_and_a_user_sees_their_own_account() {
    let app = TestApp::spawn().await;
    let total: i64 = app.scalar("SELECT count(*) FROM users").await;
    assert!(total > 5, "there are users to hide");
    assert_eq!(
        visible_users(&app, Scope::Anonymous).await,
        Vec::<Uuid>::new()
    );
    assert_eq!(visible_users(&app, Scope::Job).await, Vec::<Uuid>::new());
    let mentor = app.user_id("mentor.aarhus@example.org").await;
    assert_eq!(
        visible_users(&app, Scope::User { user_id: mentor }).await,
        vec![mentor]
    );
    // Yet the login finds the account, through its function.
    let mut tx = app.tenant_tx(Scope::Anonymous).await;
    let account = korps::auth::repo::login_account(&mut tx, "MENTOR.aarhus@example.org")
        .await
        .unwrap();
    assert_eq!(account.map(|account| account.id), Some(mentor));
}

#[tokio::test]
async fn a_municipality_sees_no_user_of_another_municipality_without_a_membership_there() {
    let app = TestApp::spawn().await;
    let odense = app.municipality_id("Odense").await;
    let coordinator = app.user_id("koordinator.odense@example.org").await;
    let visible = visible_users(
        &app,
        Scope::Municipality {
            user_id: coordinator,
            municipality_id: odense,
        },
    )
    .await;
    // Users who neither belong to Odense nor are shown to it for a reason: a corps member
    // lent to Odense, or someone who wrote in Odense's audit log.
    let mut conn: PgConnection = app.owner_conn().await;
    let strangers: Vec<Uuid> = sqlx::query_scalar(
        "SELECT u.id FROM users u
         WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.municipality_id = $1)
           AND NOT EXISTS (SELECT 1 FROM loans l JOIN corps_members cm ON cm.id = l.member_id
                           WHERE cm.user_id = u.id AND l.municipality_id = $1 AND l.state IN ('agreed', 'ended'))
           AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.actor_id = u.id AND a.municipality_id = $1)",
    )
    .bind(odense)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let aarhus_mentor = app.user_id("mentor.aarhus@example.org").await;
    assert!(
        strangers.contains(&aarhus_mentor),
        "Aarhus' mentor has nothing to do with Odense: the test has someone to hide"
    );
    let seen: Vec<&Uuid> = strangers.iter().filter(|id| visible.contains(id)).collect();
    assert!(
        seen.is_empty(),
        "Odense sees {} users of other municipalities: {seen:?}",
        seen.len()
    );
    let own = app.user_id("mentor.odense@example.org").await;
    assert!(
        visible.contains(&own) && visible.contains(&coordinator),
        "Odense sees its own staff"
    );
}
