//! The creation wizards in headless Chromium against the local runtime, one runtime and one browser for every
//! scenario: Simple Sales from Information to Review with credit applied on the Qualify step; Smart Sales to Finish
//! landing on the new customer's Home page, reloaded mid-wizard and resuming at the stored step; a lead created
//! through a lead-create workflow with its custom field; a lead converted through a lead-conversion workflow
//! (same ID, the customer's Home page). The admin form sets Smart Sales to enroll at Finish, and its customer is
//! enrolled.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::json;
use vigil_tests::browser::{soon, url_path, Browser};
use vigil_tests::portal::{confirm_convert_dialog, fill_convert_dialog, screenshot_path, Portal};
use vigil_tests::users::ADMIN;

/// The demo's creation workflows (`vigil_app::creation_workflows::demo_items`).
const SIMPLE_SALES: u64 = 3;
const SMART_SALES: u64 = 4;
const TRADE_SHOW: u64 = 6;
const CONVERSION: u64 = 7;

async fn fill_information(b: &Browser, first: &str, last: &str, phone: &str, ssn: Option<&str>) {
    b.wait_for(r#"[data-testid="card-personal"]"#, soon()).await.unwrap();
    // Acme has an active ADT monitoring company; these sales go without PreCheck.
    b.wait_for(r#"[data-testid="run-adt-precheck"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="input-monitored_by_id"]"#, soon()).await.unwrap();
    let mut fields = vec![("first_name", first), ("last_name", last), ("primary_phone", phone), ("city", "Provo")];
    fields.push(("address1", "12 Wizard Way"));
    if let Some(ssn) = ssn {
        fields.push(("ssn", ssn));
    }
    for (field, text) in fields {
        b.find(&format!(r#"[data-testid="input-{field}"]"#)).await.unwrap().send_keys(text).await.unwrap();
    }
    for (field, value) in [("state", "UT"), ("account_type", "residential"), ("office_location_id", "1")] {
        let option = format!(r#"[data-testid="input-{field}"] option[value="{value}"]"#);
        b.wait_for(&option, soon()).await.unwrap().click().await.unwrap();
    }
}

/// The customer ID of a `/customers/{id}/wizard` page.
async fn wizard_id(b: &Browser) -> u64 {
    let deadline = soon();
    loop {
        let url = b.current_url().await.unwrap();
        let path = url_path(&url).to_owned();
        let parts: Vec<&str> = path.split('/').collect();
        if let ["", "customers", id, "wizard"] = parts.as_slice() {
            if let Ok(id) = id.parse() {
                return id;
            }
        }
        assert!(std::time::Instant::now() < deadline, "not on a wizard page: {path}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn at_step(b: &Browser, step: &str) {
    b.wait_for(&format!(r#"[data-testid="wizard-page"][data-step="{step}"]"#), soon()).await.unwrap();
    b.wait_for(&format!(r#"[data-testid="wizard-step-{step}"][data-status="current"]"#), soon()).await.unwrap();
}

async fn skip(b: &Browser, step: &str) {
    at_step(b, step).await;
    b.find(r#"[data-testid="wizard-skip"]"#).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creation_wizards_for_customers_and_leads() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let b = portal.browser_as(ADMIN).await;

    // Admin › Creation Workflows lists the demo's workflows with their steps; the form adds one.
    b.navigate(&portal.url("/admin")).await.unwrap();
    b.wait_for(r#"[data-testid="admin-link-creation-workflows"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path("/admin/creation-workflows", soon()).await.unwrap();
    let row = b.wait_for(&format!(r#"[data-testid="creation-workflow-{SMART_SALES}"]"#), soon()).await.unwrap();
    assert!(row.text().await.unwrap().contains("Work Order › Schedule › Next Step"));
    b.find(r#"[data-testid="new-creation-workflow"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="cw-name"]"#, soon()).await.unwrap().send_keys("Door Knock Sales\t").await.unwrap();
    b.find(r#"[data-testid="cw-type"] option[value="smart_sales"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="cw-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="creation-workflows"]"#, "Door Knock Sales", soon()).await.unwrap();
    b.screenshot(&screenshot_path("wizard-admin")).await.unwrap();
    let list = portal.get(&admin, "/api/v1/settings/creation-workflows").await;
    let made = list["items"].as_array().and_then(|a| a.iter().find(|w| w["name"] == "Door Knock Sales")).cloned();
    assert_eq!(made.map(|w| w["type"].clone()), Some(json!("smart_sales")));
    // The demo's Smart Sales now enrolls at Finish: the form offers the active customer workflows.
    let defs = portal.get(&admin, "/api/v1/settings/customer-workflows").await;
    let onboarding = defs["items"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["name"] == "New Customer Onboarding"))
        .and_then(|w| w["id"].as_u64())
        .expect("the demo's onboarding workflow");
    b.find(&format!(r#"[data-testid="creation-workflow-{SMART_SALES}"] button"#)).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="cw-enroll"] option[value="{onboarding}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="cw-role-sales_rep"]"#).await.unwrap();
    b.find(r#"[data-testid="cw-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="creation-workflow-form"]"#, soon()).await.unwrap();
    let smart_flow = portal.get(&admin, &format!("/api/v1/settings/creation-workflows/{SMART_SALES}")).await;
    assert_eq!(smart_flow["enroll_workflow_id"], json!(onboarding), "{smart_flow}");

    // Simple Sales, picked from ▼ of + New Customer: Information (the first save), then Qualify with credit applied
    // (running it does not move the wizard; Continue does), Order to Payment Information skipped, Review.
    b.navigate(&portal.url("/customers")).await.unwrap();
    b.wait_for(r#"[data-testid="new-customer-menu"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="workflow-{SIMPLE_SALES}"]"#), soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path(&format!("/customers/new/wizard/{SIMPLE_SALES}"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="new-customer-title"]"#, "Simple Sales", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="wizard-step-information"][data-status="current"]"#, soon()).await.unwrap();
    // Until the first save the restart split button stays at the top.
    b.find(r#"[data-testid="restart-new-customer-split"]"#).await.unwrap();
    fill_information(&b, "Sima", "Simplesale", "8015550161", Some("123-45-6782")).await;
    b.find(r#"[data-testid="save-new-customer"]"#).await.unwrap().click().await.unwrap();
    let id = wizard_id(&b).await;
    at_step(&b, "qualify").await;
    assert!(
        b.find_all(r#"[data-testid="restart-new-customer-split"]"#).await.unwrap().is_empty(),
        "gone after the save"
    );
    b.wait_for_text(r#"[data-testid="credit-bureau"]"#, "Sandbox bureau", soon()).await.unwrap();
    b.find(r#"[data-testid="run-credit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="credit-result"][data-status="completed"]"#, soon()).await.unwrap();
    at_step(&b, "qualify").await;
    b.find(r#"[data-testid="credit-apply"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="credit-apply-dialog"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="credit-apply-confirm"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="credit-applied"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("wizard-simple-sales-qualify")).await.unwrap();
    b.find(r#"[data-testid="wizard-complete"]"#).await.unwrap().click().await.unwrap();
    for step in ["order", "equipment", "contacts", "payment_information"] {
        skip(&b, step).await;
    }
    at_step(&b, "review").await;
    b.wait_for_text(r#"[data-testid="review-credit-score"]"#, "680", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="wizard-step-qualify"][data-status="completed"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("wizard-simple-sales-review")).await.unwrap();
    let home = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(home["wizard"]["step"], "review", "{}", home["wizard"]);
    assert_eq!(home["cards"]["personal"]["credit_score"], 680);

    // Smart Sales to Finish: a reload mid-wizard resumes at the step stored with the customer.
    b.navigate(&portal.url(&format!("/customers/new/wizard/{SMART_SALES}"))).await.unwrap();
    b.wait_for_text(r#"[data-testid="new-customer-title"]"#, "Smart Sales", soon()).await.unwrap();
    fill_information(&b, "Smitty", "Smartsale", "8015550162", None).await;
    b.find(r#"[data-testid="save-new-customer"]"#).await.unwrap().click().await.unwrap();
    let smart = wizard_id(&b).await;
    skip(&b, "qualify").await;
    skip(&b, "order").await;
    at_step(&b, "equipment").await;
    b.navigate(&portal.url(&format!("/customers/{smart}/wizard"))).await.unwrap();
    at_step(&b, "equipment").await;
    b.wait_for(r#"[data-testid="wizard-step-order"][data-status="skipped"]"#, soon()).await.unwrap();
    for step in ["equipment", "contacts", "payment_information", "review", "work_order", "schedule"] {
        skip(&b, step).await;
    }
    at_step(&b, "next_step").await;
    b.wait_for_text(r#"[data-testid="wizard-complete"]"#, "Finish", soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path(&format!("/customers/{smart}"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="customer-name"]"#, "Smitty", soon()).await.unwrap();
    b.screenshot(&screenshot_path("wizard-smart-sales-finished")).await.unwrap();
    let home = portal.get(&admin, &format!("/api/v1/customers/{smart}")).await;
    assert_eq!(home["wizard"]["finished"], true, "{}", home["wizard"]);
    // Finish enrolled the customer in the workflow the admin form chose.
    assert_eq!(home["tabs"]["workflows"], 1, "{}", home["tabs"]);
    let enrolled = portal.get(&admin, &format!("/api/v1/customers/{smart}/workflows")).await;
    assert_eq!(enrolled["items"][0]["workflow_id"], json!(onboarding), "{enrolled}");

    // A lead through a lead-create workflow: its custom field on top, required, saved with the lead.
    let options = portal.get(&admin, "/api/v1/leads/form-options").await;
    let source = options["sources"][0]["id"].as_u64().expect("a source");
    let disposition = options["dispositions"][0]["id"].as_u64().expect("a lead status");
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="new-lead-menu"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="workflow-{TRADE_SHOW}"]"#), soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path(&format!("/leads/new/wizard/{TRADE_SHOW}"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="new-lead-title"]"#, "Trade Show Capture", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="input-custom_fields.1"]"#, soon()).await.unwrap();
    for (field, value) in [("source_id", source), ("disposition_id", disposition)] {
        let option = format!(r#"[data-testid="input-{field}"] option[value="{value}"]"#);
        b.wait_for(&option, soon()).await.unwrap().click().await.unwrap();
    }
    for (field, text) in
        [("first_name", "Tess"), ("last_name", "Tradeshow"), ("primary_phone", "8015550163"), ("city", "Provo")]
    {
        b.find(&format!(r#"[data-testid="input-{field}"]"#)).await.unwrap().send_keys(text).await.unwrap();
    }
    b.find(r#"[data-testid="input-state"] option[value="UT"]"#).await.unwrap().click().await.unwrap();
    // Without the workflow's field the save names it.
    b.find(r#"[data-testid="save-lead"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="error-custom_fields.1"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="input-custom_fields.1"]"#).await.unwrap().send_keys("4321#\t").await.unwrap();
    b.find(r#"[data-testid="save-lead"]"#).await.unwrap().click().await.unwrap();
    let deadline = soon();
    let lead_id: u64 = loop {
        let url = b.current_url().await.unwrap();
        let path = url_path(&url).to_owned();
        if let Some(id) = path.strip_prefix("/leads/").and_then(|s| s.parse().ok()) {
            break id;
        }
        assert!(std::time::Instant::now() < deadline, "not on the new lead's page: {path}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    b.screenshot(&screenshot_path("wizard-lead-create")).await.unwrap();
    let lead = portal.get(&admin, &format!("/api/v1/leads/{lead_id}")).await;
    assert_eq!(lead["custom_fields"]["1"], "4321#", "{lead}");

    // The same lead converted through the lead-conversion workflow: its field first, then the simple convert.
    b.navigate(&portal.url(&format!("/leads/{lead_id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="convert-lead-menu"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="workflow-{CONVERSION}"]"#), soon()).await.unwrap().click().await.unwrap();
    // The location and Sold By first: their options arrive with the form options, and the field is chosen once the
    // dialog has everything it loads.
    fill_convert_dialog(&b, 1).await;
    b.wait_for(r#"[data-testid="input-custom_fields.3"] option[value="Garage"]"#, soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for(r#"[data-testid="input-custom_fields.3"] option[value="Garage"]:checked"#, soon()).await.unwrap();
    confirm_convert_dialog(&b).await;
    b.wait_for_path(&format!("/customers/{lead_id}"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="customer-name"]"#, "Tess", soon()).await.unwrap();
    b.screenshot(&screenshot_path("wizard-lead-converted")).await.unwrap();
    let customer = portal.get(&admin, &format!("/api/v1/customers/{lead_id}")).await;
    assert_eq!(customer["kind"], "customer");
    assert_eq!(customer["custom_fields"]["3"], json!("Garage"), "{}", customer["custom_fields"]);
}
