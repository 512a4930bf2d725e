//! Tenancy, enforced twice: row-level security in PostgreSQL (checked as korps_app,
//! never as a superuser) and 404 for other municipalities' ids over HTTP.

use korps::db::Scope;

use crate::support::TestApp;

/// Every table with a municipality_id column.
async fn tenant_tables(app: &TestApp) -> Vec<String> {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "SELECT c.table_schema || '.' || c.table_name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.column_name = 'municipality_id' AND t.table_type = 'BASE TABLE'
           AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
         ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_tenant_table_has_row_level_security_enabled_and_forced() {
    let app = TestApp::spawn().await;
    let tables = tenant_tables(&app).await;
    assert!(
        tables.contains(&"public.memberships".to_string()),
        "{tables:?}"
    );
    let mut conn = app.owner_conn().await;
    for table in tables {
        let (enabled, forced): (bool, bool) = sqlx::query_as(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass",
        )
        .bind(&table)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert!(
            enabled && forced,
            "{table}: row-level security enabled={enabled} forced={forced}"
        );
    }
}

#[tokio::test]
async fn without_a_tenant_no_tenant_rows_are_visible() {
    let app = TestApp::spawn().await;
    // Make sure every tenant table has rows of more than one municipality.
    app.login("koordinator.aarhus@example.org").await;
    app.login("koordinator.odense@example.org").await;
    for table in tenant_tables(&app).await {
        let total: i64 = app.scalar(&format!("SELECT count(*) FROM {table}")).await;
        assert!(
            total > 0,
            "{table} has no rows to hide; the test would prove nothing"
        );
        let mut tx = app.tenant_tx(Scope::Anonymous).await;
        let visible: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(tx.conn())
            .await
            .unwrap();
        assert_eq!(
            visible, 0,
            "{table}: {visible} of {total} rows visible with no tenant set"
        );
    }
}

#[tokio::test]
async fn a_tenant_sees_none_of_another_tenants_rows() {
    let app = TestApp::spawn().await;
    app.login("koordinator.aarhus@example.org").await;
    app.login("koordinator.odense@example.org").await;
    let aarhus = app.municipality_id("Aarhus").await;
    let odense = app.municipality_id("Odense").await;
    let user = app.user_id("koordinator.aarhus@example.org").await;
    for table in tenant_tables(&app).await {
        let mut tx = app
            .tenant_tx(Scope::Municipality {
                user_id: user,
                municipality_id: aarhus,
            })
            .await;
        // A loan is seen by both parties: the lending municipality's rows are its own.
        let lending = if table == "public.loans" {
            " AND lending_municipality_id IS DISTINCT FROM $1"
        } else {
            ""
        };
        let foreign: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE municipality_id IS DISTINCT FROM $1{lending}"
        ))
        .bind(aarhus)
        .fetch_one(tx.conn())
        .await
        .unwrap();
        assert_eq!(
            foreign, 0,
            "{table}: rows of other municipalities visible to Aarhus"
        );
        let own: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE municipality_id = $1"
        ))
        .bind(aarhus)
        .fetch_one(tx.conn())
        .await
        .unwrap();
        assert!(own > 0, "{table}: Aarhus sees its own rows");
        let odense_rows: i64 = app
            .scalar(&format!(
                "SELECT count(*) FROM {table} WHERE municipality_id = '{odense}'"
            ))
            .await;
        assert!(odense_rows > 0, "{table} has Odense rows to hide");
    }
}

#[tokio::test]
async fn a_tenant_cannot_write_rows_into_another_tenant() {
    let app = TestApp::spawn().await;
    let aarhus = app.municipality_id("Aarhus").await;
    let odense = app.municipality_id("Odense").await;
    let user = app.user_id("koordinator.aarhus@example.org").await;
    let mut tx = app
        .tenant_tx(Scope::Municipality {
            user_id: user,
            municipality_id: aarhus,
        })
        .await;
    let result = sqlx::query("INSERT INTO memberships (id, user_id, municipality_id, roles) VALUES (gen_random_uuid(), $1, $2, ARRAY['mentor'])")
        .bind(user)
        .bind(odense)
        .execute(tx.conn())
        .await;
    assert!(
        result.is_err(),
        "row-level security refuses a membership in another municipality"
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed() {
    let app = TestApp::spawn().await;
    app.login("koordinator.aarhus@example.org").await;
    let mut conn = app.owner_conn().await;
    let update = sqlx::query("UPDATE audit_log SET action = 'x'")
        .execute(&mut conn)
        .await;
    assert!(
        update.is_err(),
        "not even the owner may update the audit log"
    );
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&mut conn)
        .await;
    assert!(
        delete.is_err(),
        "not even the owner may delete from the audit log"
    );
}

#[tokio::test]
async fn another_municipalitys_staff_answer_404() {
    let app = TestApp::spawn().await;
    let odense = app.login("koordinator.odense@example.org").await;
    let aarhus_mentor = app.user_id("mentor.aarhus@example.org").await;
    for path in [
        format!("/medarbejdere/{aarhus_mentor}"),
        format!("/medarbejdere/{aarhus_mentor}/deaktiver"),
        format!("/medarbejdere/{aarhus_mentor}/nulstil-adgangskode"),
    ] {
        assert_eq!(odense.get(&path).await.status, 404, "GET {path}");
    }
    for path in [
        format!("/medarbejdere/{aarhus_mentor}"),
        format!("/medarbejdere/{aarhus_mentor}/deaktiver"),
        format!("/medarbejdere/{aarhus_mentor}/aktiver"),
        format!("/medarbejdere/{aarhus_mentor}/nulstil-adgangskode"),
    ] {
        let page = odense
            .post(
                &path,
                &[
                    ("name", "X"),
                    ("email", "x@example.org"),
                    ("roles", "mentor"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(page.status, 404, "POST {path}");
    }
    let active: bool = app
        .scalar(&format!(
            "SELECT active FROM users WHERE id = '{aarhus_mentor}'"
        ))
        .await;
    assert!(active, "nothing changed");
    let list = odense.get("/medarbejdere").await;
    assert!(
        !list.text.contains("Ahmad Rahimi"),
        "Aarhus staff are not listed in Odense"
    );
}

#[tokio::test]
async fn start_up_refuses_a_runtime_role_that_bypasses_row_level_security() {
    let app = TestApp::spawn().await;
    // Connected as the superuser without switching to korps_app.
    let superuser = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(app.owner.clone())
        .await
        .unwrap();
    let refused = korps::db::ensure_row_level_security_applies(&superuser).await;
    assert!(refused.is_err_and(|message| message.contains("refusing to serve")));
    assert!(
        korps::db::ensure_row_level_security_applies(&app.pool)
            .await
            .is_ok()
    );
}
