//! Customer workflows end to end in headless Chromium against the local runtime: the admin builds a two-language
//! workflow with the step builder, then an office user opens a customer's Workflows tab, starts it from Manage
//! Workflows, acknowledges a step, passes the next (which generates a ticket), sees the enrollment complete and the
//! tab's count badge appear.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::json;
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::{ADMIN, OFFICE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_starts_a_workflow_completes_its_steps_and_the_tab_badge_follows() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    // The admin builds a two-language workflow with the step builder; the preview fills a sample customer in.
    let a = portal.browser_as(ADMIN).await;
    a.navigate(&portal.url("/admin")).await.unwrap();
    a.wait_for(r#"[data-testid="workflow-new"]"#, soon()).await.unwrap().click().await.unwrap();
    a.wait_for(r#"[data-testid="workflow-editor"]"#, soon()).await.unwrap();
    a.find(r#"[data-testid="workflow-name"]"#).await.unwrap().send_keys("Welcome Checklist").await.unwrap();
    let languages = a.find(r#"[data-testid="workflow-languages"]"#).await.unwrap();
    languages.clear().await.unwrap();
    languages.send_keys("en, es").await.unwrap();
    let typed = [
        ("step-0-title-en", "Greeting"),
        ("step-0-content-en", "Hi {{customer.first_name}}, welcome to {{company.name}}."),
        ("step-0-title-es", "Saludo"),
        ("step-0-content-es", "Hola {{customer.first_name}}"),
    ];
    for (testid, text) in typed {
        let css = format!(r#"[data-testid="{testid}"]"#);
        a.wait_for(&css, soon()).await.unwrap().send_keys(text).await.unwrap();
    }
    a.wait_for_text(r#"[data-testid="step-0-preview-en"]"#, "Hi Ann, welcome to Acme Alarm Co.", soon()).await.unwrap();
    a.find(r#"[data-testid="add-step"]"#).await.unwrap().click().await.unwrap();
    a.wait_for(r#"[data-testid="step-1-type"]"#, soon()).await.unwrap();
    for option in [
        r#"[data-testid="step-1-type"] option[value="confirm_contact"]"#,
        r#"[data-testid="step-1-completion"] option[value="pass_fail"]"#,
        r#"[data-testid="step-1-generates"] option[value="ticket"]"#,
    ] {
        a.find(option).await.unwrap().click().await.unwrap();
    }
    let typed = [
        ("step-1-subject", "Send the welcome kit"),
        ("step-1-title-en", "Contact details"),
        ("step-1-content-en", "Read back the phone on file."),
        ("step-1-title-es", "Contacto"),
        ("step-1-content-es", "Confirme el teléfono."),
    ];
    for (testid, text) in typed {
        let css = format!(r#"[data-testid="{testid}"]"#);
        a.wait_for(&css, soon()).await.unwrap().send_keys(text).await.unwrap();
    }
    // The ticket goes to a person of the company, chosen by name; the subject typed before is kept.
    let assignee = r#"[data-testid="step-1-assignee"] option[value="acme-office"]"#;
    a.wait_for(assignee, soon()).await.unwrap().click().await.unwrap();
    a.find(r#"[data-testid="workflow-save"]"#).await.unwrap().click().await.unwrap();
    a.wait_for_text(r#"[data-testid="workflow-row"]"#, "Welcome Checklist", soon()).await.unwrap();
    a.screenshot(&screenshot_path("workflow-admin")).await.unwrap();
    a.close().await.unwrap();
    let defs = portal.get(&admin, "/api/v1/settings/customer-workflows").await;
    let w = defs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Welcome Checklist")
        .expect("the saved workflow");
    assert_eq!(w["languages"], json!(["en", "es"]));
    assert_eq!(w["steps"][1]["generates"]["ticket"]["subject"], "Send the welcome kit");
    assert_eq!(w["steps"][1]["generates"]["ticket"]["assignee_id"], "acme-office");
    let workflow = w["id"].as_u64().expect("the new workflow");
    let body = json!({
        "first_name": "Wendy", "last_name": "Workflow", "primary_phone": "(801) 555-0142", "city": "Provo",
        "state": "UT", "account_type": "residential", "office_location_id": 1
    });
    let c = portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/customers", Some(body)).await;
    let id = c["id"].as_u64().expect("the new customer");

    let b = portal.browser_as(OFFICE).await;
    portal.open_customer(&b, id).await;
    let tab = r#"[data-testid="tab-customer-workflows"]"#;
    assert!(b.find_all(&format!("{tab} .count")).await.unwrap().is_empty(), "no badge before any enrollment");
    b.find(tab).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="no-enrollments"]"#, soon()).await.unwrap();

    // New Workflow › Manage Workflows › Start opens the enrollment.
    b.find(r#"[data-testid="new-workflow"]"#).await.unwrap().click().await.unwrap();
    let choice = format!(r#"[data-testid="workflow-choice-{workflow}"] [data-testid="workflow-start"]"#);
    b.wait_for(&choice, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="enrollment-page"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "0 of 2", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="step-content"]"#, "Hi Wendy, welcome to Acme Alarm Co.", soon()).await.unwrap();
    b.wait_for_text(&format!("{tab} .count"), "1", soon()).await.unwrap();

    // Acknowledge the script, then pass the contact step on the next page of the stepper.
    b.find(r#"[data-testid="step-acknowledge"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "1 of 2", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-status"]"#, "In Progress", soon()).await.unwrap();
    b.find(r#"[data-testid="step-next"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="step-pass"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-status"]"#, "Completed", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "2 of 2", soon()).await.unwrap();
    b.screenshot(&screenshot_path("workflow-completed")).await.unwrap();

    // The ticket it generated is on the Notes & Tickets tab; the list shows the enrollment as completed.
    b.find(r#"[data-testid="tab-notes"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="customer-page"]"#, "Send the welcome kit", soon()).await.unwrap();
    b.find(tab).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-status"]"#, "Completed", soon()).await.unwrap();
    b.wait_for_text(&format!("{tab} .count"), "1", soon()).await.unwrap();
    // The History tab has the enrollment's events.
    b.find(r#"[data-testid="tab-history"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="history"]"#, "step 2 (Contact details) passed", soon()).await.unwrap();
    b.close().await.unwrap();
}
