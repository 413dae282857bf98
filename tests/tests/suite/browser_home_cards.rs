//! The customer Home cards in headless Chromium against the local runtime: the Installation card's Services
//! checkboxes (Pulse offered under an ADT monitor) and the Lead information fields are saved, the page is reloaded
//! and the values are seen again; with no install appointment, the Schedule link opens the Appointments tab; and each
//! quick action of the header opens its flow's form.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use reqwest::Method;
use serde_json::json;
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_and_lead_information_are_saved_and_shown_after_a_reload() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let opts = portal.get(&admin, "/api/v1/customers/form-options").await;
    let adt = opts["adt_monitoring_company_ids"][0].clone();
    let disposition = opts["dispositions"][1]["id"].as_u64().unwrap();
    let body = json!({"first_name": "Cora", "last_name": "Checkbox", "primary_phone": "(801) 555-0148", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "4 Oak St", "account_type": "residential", "office_location_id": 1,
        "monitoring_company_id": adt});
    let c = portal.api(Method::POST, Some(&admin), "/api/v1/customers?allow_duplicates=true", Some(body)).await;
    let id = c["id"].as_u64().unwrap();

    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, id).await;
    b.wait_for(r#"[data-testid="card-lead_info"]"#, soon()).await.unwrap();
    // Pulse is offered because Monitored By is an ADT monitoring company.
    b.wait_for(r#"[data-testid="service-pulse"]"#, soon()).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="service-guard_response"]"#).await.unwrap().click().await.unwrap();
    b.find(&format!(r#"[data-testid="input-lead_disposition_id"] option[value="{disposition}"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="input-lead_status"] option[value="assigned"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="input-callcenter_comments"]"#).await.unwrap().send_keys("Prefers mornings").await.unwrap();
    b.find(r#"[data-testid="input-lead_comments"]"#).await.unwrap().send_keys("Asked about cameras").await.unwrap();
    b.find(r#"[data-testid="save-stay-bottom"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Customer saved", soon()).await.unwrap();

    portal.open_customer(&b, id).await;
    b.wait_for(r#"[data-testid="service-pulse"]"#, soon()).await.unwrap();
    let checked = |css: &'static str| {
        let b = &b;
        async move { b.execute("return document.querySelector(arguments[0]).checked;", json!([css])).await.unwrap() }
    };
    assert_eq!(checked(r#"[data-testid="service-pulse"]"#).await, json!(true));
    assert_eq!(checked(r#"[data-testid="service-guard_response"]"#).await, json!(true));
    assert_eq!(checked(r#"[data-testid="service-aarp"]"#).await, json!(false));
    b.wait_for_value(r#"[data-testid="input-lead_disposition_id"]"#, &disposition.to_string(), soon()).await.unwrap();
    b.wait_for_value(r#"[data-testid="input-lead_status"]"#, "assigned", soon()).await.unwrap();
    b.wait_for_value(r#"[data-testid="input-callcenter_comments"]"#, "Prefers mornings", soon()).await.unwrap();
    b.wait_for_value(r#"[data-testid="input-lead_comments"]"#, "Asked about cameras", soon()).await.unwrap();
    // At Assigned, a lead admin sees the lead rep on the card.
    b.find(r#"[data-testid="card-lead_info"] [data-testid="input-lead_rep_id"]"#).await.unwrap();
    // The Entered date reads as the portal's date and time elsewhere (the browser's en-US locale string), not as the
    // stored RFC 3339 text.
    let stored = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    let created = stored["cards"]["lead_info"]["created_at"].as_str().expect("an entered date").to_owned();
    let readable = b.execute("return new Date(arguments[0]).toLocaleString('en-US');", json!([created])).await.unwrap();
    let readable = readable.as_str().unwrap();
    assert!(!readable.contains('T') && readable != created, "{readable}");
    b.wait_for_value(r#"[data-testid="card-lead_info"] [data-testid="input-created_at"]"#, readable, soon())
        .await
        .unwrap();
    // The lead rep is on the Sale and the Lead information cards: every id on the page is still unique, so each
    // label names its own input.
    let repeated = b
        .execute(
            "const ids = [...document.querySelectorAll('[id]')].map(e => e.id); \
             return ids.filter((id, i) => ids.indexOf(id) !== i);",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(repeated, json!([]), "ids used twice on the customer's Home page");
    b.execute(r#"document.querySelector('[data-testid="card-lead_info"]').scrollIntoView();"#, json!([]))
        .await
        .unwrap();
    b.screenshot(&screenshot_path("home-cards-lead-information")).await.unwrap();
    let saved = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(saved["cards"]["installation"]["services"], json!(["guard_response", "pulse"]));

    // No install appointment yet: the Installation card's Schedule link opens the Appointments tab.
    b.find(r#"[data-testid="schedule-install"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path(&format!("/customers/{id}/appointments"), soon()).await.unwrap();
    b.wait_for(r#"[data-testid="item-form"]"#, soon()).await.unwrap();

    // Each quick action opens its real flow: the page and the form that starts it.
    for (action, path, form) in [
        ("action-new-invoice", "new-invoice", "invoice-form"),
        ("action-new-billing-method", "new-billing-method", "billing-method-form"),
        ("action-new-payment", "new-payment", "payment-form"),
        ("action-run-credit", "credit", "credit-form"),
        ("action-new-work-order", "work-orders", "work-order-form"),
        ("action-new-notes", "notes", "item-form"),
        ("action-new-contacts", "contacts", "item-form"),
        ("action-new-equipment", "equipment", "item-form"),
    ] {
        portal.open_customer(&b, id).await;
        b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
        b.wait_for(&format!(r#"[data-testid="{action}"]"#), soon()).await.unwrap().click().await.unwrap();
        b.wait_for_path(&format!("/customers/{id}/{path}"), soon()).await.unwrap();
        b.wait_for(&format!(r#"[data-testid="{form}"]"#), soon()).await.unwrap();
    }
    b.close().await.unwrap();
}
