//! New Customer and Run Credit in headless Chromium against the local runtime: + New Customer on the Customer List
//! opens the cards in single-page mode; a customer that exists already brings the duplicate warning, Save anyway
//! creates it and lands on its Home page; there + Run Credit pulls from the sandbox bureau (the SSN ending in 2
//! scores 680, grade B), the result card shows it and Apply (confirmed) puts it on the customer.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::json;
use vigil_tests::browser::{soon, url_path};
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

/// Sets `window.vigilRemoved` once an element matching `arguments[0]` leaves the page.
const WATCH_REMOVALS: &str = "const css = arguments[0]; window.vigilRemoved = false;
    new MutationObserver((changes) => {
        for (const change of changes) {
            for (const node of change.removedNodes) {
                if (node.nodeType === 1 && (node.matches(css) || node.querySelector(css))) { window.vigilRemoved = true; }
            }
        }
    }).observe(document.body, { childList: true, subtree: true });";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_customer_with_a_duplicate_warning_then_run_and_apply_credit() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let existing = portal
        .api(
            reqwest::Method::POST,
            Some(&admin),
            "/api/v1/customers",
            Some(json!({
                "first_name": "Delia", "last_name": "Dupont", "primary_phone": "8015550123", "city": "Provo",
                "state": "UT", "address1": "5 Elm St", "account_type": "residential", "office_location_id": 1
            })),
        )
        .await;
    let existing_id = existing["id"].as_u64().expect("the existing customer");

    let b = portal.browser_as(ADMIN).await;
    // + New Customer keeps its button when Acme's customer-create workflows arrive and ▼ joins it: a re-created
    // button would lose a click landing then. Watched from before the Customer List opens (in the page, so that the
    // first render, made before the workflows are known, is seen whatever the timing).
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="nav-customers"]"#, soon()).await.unwrap();
    b.execute(WATCH_REMOVALS, json!([r#"[data-testid="new-customer"]"#])).await.unwrap();
    b.find(r#"[data-testid="nav-customers"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="new-customer-menu"]"#, soon()).await.unwrap();
    let removed = b.execute("return window.vigilRemoved;", json!([])).await.unwrap();
    assert_eq!(removed, json!(false), "+ New Customer was re-created when the workflows arrived");
    b.find(r#"[data-testid="new-customer"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/customers/new", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="card-personal"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="card-sale"]"#, soon()).await.unwrap();
    // Acme has an active ADT monitoring company: the PreCheck section is there, checked; this sale goes without.
    let css = r#"[data-testid="run-adt-precheck"]"#;
    let precheck = b.wait_for(css, soon()).await.unwrap();
    let checked = b.execute("return document.querySelector(arguments[0]).checked;", json!([css])).await.unwrap();
    assert_eq!(checked, json!(true), "Run ADT PreCheck is checked by default");
    b.find(r#"[data-testid="input-monitored_by_id"]"#).await.unwrap();
    precheck.click().await.unwrap();
    b.wait_gone(r#"[data-testid="input-monitored_by_id"]"#, soon()).await.unwrap();

    for (field, text) in [
        ("first_name", "Delia"),
        ("last_name", "Dupont"),
        ("primary_phone", "801-555-0123"),
        ("city", "Provo"),
        ("address1", "5 Elm St."),
        ("ssn", "123-45-6782"),
    ] {
        b.find(&format!(r#"[data-testid="input-{field}"]"#)).await.unwrap().send_keys(text).await.unwrap();
    }
    for (field, value) in [("state", "UT"), ("account_type", "residential"), ("office_location_id", "1")] {
        let option = format!(r#"[data-testid="input-{field}"] option[value="{value}"]"#);
        b.wait_for(&option, soon()).await.unwrap().click().await.unwrap();
    }
    b.find(r#"[data-testid="save-new-customer"]"#).await.unwrap().click().await.unwrap();
    let warning = b.wait_for(r#"[data-testid="duplicate"]"#, soon()).await.unwrap();
    assert_eq!(warning.attribute("data-id").await.unwrap(), Some(existing_id.to_string()));
    b.screenshot(&screenshot_path("new-customer-duplicate")).await.unwrap();
    assert!(url_path(&b.current_url().await.unwrap()).ends_with("/customers/new"), "nothing was saved");

    // Save anyway: the new customer's Home page.
    b.find(r#"[data-testid="save-anyway"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="customer-name"]"#, "Delia", soon()).await.unwrap();
    let path = url_path(&b.current_url().await.unwrap()).to_owned();
    let id: u64 = path.rsplit('/').next().and_then(|s| s.parse().ok()).expect("on a customer's page");
    assert_ne!(id, existing_id);

    // + Run Credit: the Credit tab's panel; the sandbox answers, the card shows it, Apply puts it on the customer.
    b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="action-run-credit"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path(&format!("/customers/{id}/credit"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="credit-bureau"]"#, "Sandbox bureau", soon()).await.unwrap();
    b.find(r#"[data-testid="run-credit"]"#).await.unwrap().click().await.unwrap();
    let card = b.wait_for(r#"[data-testid="credit-result"][data-status="completed"]"#, soon()).await.unwrap();
    assert!(card.text().await.unwrap().contains("Sandbox bureau"));
    assert_eq!(b.find(r#"[data-testid="credit-score"]"#).await.unwrap().text().await.unwrap(), "680");
    assert_eq!(b.find(r#"[data-testid="credit-grade"]"#).await.unwrap().text().await.unwrap(), "B");
    let transaction = b.find(r#"[data-testid="credit-transaction"]"#).await.unwrap().text().await.unwrap();
    assert!(transaction.starts_with("SBX-"));
    b.find(r#"[data-testid="credit-apply"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="credit-apply-dialog"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="credit-apply-confirm"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="credit-applied"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="credit-check"]"#, "Applied", soon()).await.unwrap();
    b.screenshot(&screenshot_path("new-customer-credit-applied")).await.unwrap();
    let home = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(home["cards"]["personal"]["credit_score"], 680);
    assert_eq!(home["cards"]["personal"]["credit_tracking_number"], transaction.as_str());
}
