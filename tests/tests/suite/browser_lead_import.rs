//! Leads › Import in headless Chromium against the local runtime: the admin chooses a small CSV (the browser PUTs it
//! to the upload URL), keeps the suggested mapping, picks the source, dry-runs (the bad row is listed by row and
//! field), runs, watches the progress bar reach done, and finds the imported leads in the Leads list.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use std::time::{Duration, Instant};
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_imports_a_csv_through_the_wizard_and_finds_the_leads() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let b = portal.browser_as(ADMIN).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bought-list.csv");
    std::fs::write(
        &file,
        "First Name,Last Name,Phone,Email,City,State,Zip\n\
         Wanda,Wizardly,801-555-7601,wanda.wizardly@mail.test,Provo,UT,84601\n\
         Walt,Wizardly,801-555-7602,not an email,Provo,UT,84601\n\
         Wes,Wizardly,801-555-7603,,Provo,UT,84601\n",
    )
    .unwrap();

    // From the Leads list's Import link, as a user gets there.
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="import-leads"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path("/leads/import", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="lead-import"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="import-file"]"#).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    // The header's suggestion is prefilled: Phone maps to the primary phone.
    b.wait_for(r#"[data-testid="import-mapping"]"#, soon()).await.unwrap();
    b.wait_for_value(r#"[data-testid="map-2"]"#, "primary_phone", soon()).await.unwrap();
    b.find(r#"[data-testid="import-source"] option[value="1"]"#).await.unwrap().click().await.unwrap();

    b.find(r#"[data-testid="import-dry-run-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="import-valid"]"#, "2 of 3 rows are valid", soon()).await.unwrap();
    let row = b.wait_for_text(r#"[data-testid="import-error-row"]"#, "email", soon()).await.unwrap();
    assert!(row.text().await.unwrap().starts_with('2'), "the bad row is row 2");
    b.screenshot(&screenshot_path("import-dry-run")).await.unwrap();

    b.find(r#"[data-testid="import-run-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="import-progress-bar"]"#, soon()).await.unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    b.wait_for_text(r#"[data-testid="import-status"]"#, "done", until).await.unwrap();
    let bar = b.find(r#"[data-testid="import-progress-bar"]"#).await.unwrap();
    assert_eq!(bar.attribute("value").await.unwrap().as_deref(), Some("100"));
    b.wait_for(r#"[data-testid="import-revert-button"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("import-done")).await.unwrap();

    b.navigate(&portal.url("/leads?last_name=wizardly")).await.unwrap();
    b.wait_for_count(r#"[data-testid="record-row"]"#, 2, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="records-total"]"#, "2", soon()).await.unwrap();
    let page = portal.get(&admin, "/api/v1/leads?last_name=wizardly").await;
    assert_eq!(page["meta"]["total"], 2, "{page}");
}
