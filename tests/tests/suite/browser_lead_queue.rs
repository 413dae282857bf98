//! The lead queue and lead intake in headless Chromium against the local runtime: a lead rep requests a lead on the
//! Lead Queue page and returns it through the Leads list's Return dialog; the copy-paste HTML form
//! (`web/static/lead-form.html`, served by the runtime) posts a lead that then shows up.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::runtime::eventually;
use vigil_tests::users::{ADMIN, LEAD_REP};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_requests_and_returns_a_lead_and_the_html_form_posts_one() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let post = |token: &str, path: &str, body: Value| {
        let (portal, token, path) = (&portal, token.to_owned(), path.to_owned());
        async move { portal.api(reqwest::Method::POST, Some(&token), &path, Some(body)).await }
    };

    // The queue is open all day; ABC Leads (forced into the Queue) posts one lead.
    let settings = portal.get(&admin, "/api/v1/settings/lead-queue").await;
    portal
        .api(
            reqwest::Method::PUT,
            Some(&admin),
            "/api/v1/settings/lead-queue",
            Some(json!({"request_hours_start": 0, "request_hours_end": 24, "requestable_after_minutes": 0,
                        "requested_status": null, "blacklist_minutes": 60, "version": settings["version"]})),
        )
        .await;
    let abc = post(&admin, "/api/v1/intake-keys", json!({"name": "ABC's system", "partner_id": 11})).await;
    let abc_key = abc["key"].as_str().unwrap().to_owned();
    let receipt = post(
        &abc_key,
        "/api/v1/public/leads",
        json!({"first_name": "Quincy", "last_name": "Queueley", "primary_phone": "8015550111", "city": "Provo",
               "state": "UT"}),
    )
    .await;
    let receipt = receipt["receipt_id"].as_str().unwrap().to_owned();
    let lead_id = eventually("the posted lead", Duration::from_secs(30), || async {
        portal.get(&abc_key, &format!("/api/v1/public/receipts/{receipt}")).await["lead_id"].as_u64()
    })
    .await;

    // The rep requests it on the Lead Queue page and holds it.
    let b = portal.browser_as(LEAD_REP).await;
    b.find(r#"[data-testid="nav-lead-queue"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/lead-queue", soon()).await.unwrap();
    // The seeded leads the rep already holds are listed (leads with a rep read as assigned); the nav counts the queue.
    b.wait_for(r#"[data-testid="held-leads"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="nav-queue-count"]"#, "(1)", soon()).await.unwrap();
    b.find(r#"[data-testid="request-lead"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="held-lead"]"#, "Quincy Queueley", soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-queue-held")).await.unwrap();
    let rep = portal.token_for(LEAD_REP).await;
    let held = portal.get(&rep, &format!("/api/v1/leads/{lead_id}")).await;
    assert_eq!(held["location"], "assigned");

    // On the Leads list the rep checks it and returns it through the Return dialog.
    b.navigate(&portal.url("/leads?last_name=queueley")).await.unwrap();
    let row = format!(r#"[data-testid="record-row"][data-id="{lead_id}"] [data-testid="row-select"]"#);
    b.wait_for(&row, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="bulk-bar"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="bulk-return"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="return-dialog"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="return-reason"]"#).await.unwrap().send_keys("Wrong number").await.unwrap();
    b.find(r#"[data-testid="return-comments"]"#).await.unwrap().send_keys("Disconnected line").await.unwrap();
    b.find(r#"[data-testid="return-submit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Returned 1", soon()).await.unwrap();
    let returned = portal.get(&admin, &format!("/api/v1/leads/{lead_id}")).await;
    assert_eq!(returned["location"], "returned");

    // The HTML form, on this runtime's own origin with a web-form key, posts a lead that shows up.
    let origin = portal.url("");
    let form_key = post(&admin, "/api/v1/intake-keys", json!({"name": "Site form", "allowed_origins": [origin]})).await;
    let form_key = form_key["key"].as_str().unwrap().to_owned();
    b.navigate(&portal.url("/static/lead-form.html")).await.unwrap();
    b.wait_for(r#"#lead-form"#, soon()).await.unwrap();
    b.execute(
        r#"const f = document.getElementById('lead-form');
           f.elements['intake_key'].value = arguments[0];
           f.elements['source_id'].value = '1';"#,
        json!([form_key]),
    )
    .await
    .unwrap();
    for (name, value) in [
        ("first_name", "Hattie"),
        ("last_name", "Htmlform"),
        ("primary_phone", "(801) 555-0112"),
        ("city", "Provo"),
        ("state", "UT"),
    ] {
        b.find(&format!(r#"input[name="{name}"]"#)).await.unwrap().send_keys(value).await.unwrap();
    }
    b.find(r#"#lead-form button[type="submit"]"#).await.unwrap().click().await.unwrap();
    let found = eventually("the form's lead", Duration::from_secs(30), || async {
        let page = portal.get(&admin, "/api/v1/leads?last_name=htmlform&location=pending").await;
        page["items"].as_array().and_then(|rows| rows.first().cloned())
    })
    .await;
    assert_eq!(found["first_name"], "Hattie");
}
