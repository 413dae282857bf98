//! Customer workflows end to end in headless Chromium against the local runtime: the admin builds a two-language
//! workflow with the step builder, then an office user opens a customer's Workflows tab, starts it from Manage
//! Workflows, acknowledges a step, fills in a missing contact detail in place and passes the step (which generates a
//! ticket), adds an emergency contact from the next step, which completes by itself, sees the enrollment complete and
//! the tab's count badge appear.
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
    // A third step completes itself once the customer has an emergency contact.
    a.find(r#"[data-testid="add-step"]"#).await.unwrap().click().await.unwrap();
    a.wait_for(r#"[data-testid="step-2-type"]"#, soon()).await.unwrap();
    for option in [
        r#"[data-testid="step-2-type"] option[value="review_emergency_contacts"]"#,
        r#"[data-testid="step-2-completion"] option[value="automatic"]"#,
    ] {
        a.find(option).await.unwrap().click().await.unwrap();
    }
    let typed = [
        ("step-2-title-en", "Emergency contacts"),
        ("step-2-content-en", "Ask for someone to call."),
        ("step-2-title-es", "Contactos"),
        ("step-2-content-es", "Pida un contacto."),
    ];
    for (testid, text) in typed {
        let css = format!(r#"[data-testid="{testid}"]"#);
        a.wait_for(&css, soon()).await.unwrap().send_keys(text).await.unwrap();
    }
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
    assert_eq!(
        (w["steps"][2]["type"].as_str(), w["steps"][2]["completion"].as_str()),
        (Some("review_emergency_contacts"), Some("automatic"))
    );
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
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "0 of 3", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="step-content"]"#, "Hi Wendy, welcome to Acme Alarm Co.", soon()).await.unwrap();
    b.wait_for_text(&format!("{tab} .count"), "1", soon()).await.unwrap();

    // Acknowledge the script, then, on the next page of the stepper, fill in the missing email in place and pass the
    // contact step.
    b.find(r#"[data-testid="step-acknowledge"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "1 of 3", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-status"]"#, "In Progress", soon()).await.unwrap();
    b.find(r#"[data-testid="step-next"]"#).await.unwrap().click().await.unwrap();
    let confirm = r#"[data-testid="step-body-confirm-contact"]"#;
    b.wait_for_value(&format!(r#"{confirm} [data-testid="input-first_name"]"#), "Wendy", soon()).await.unwrap();
    b.wait_for_value(&format!(r#"{confirm} [data-testid="input-primary_phone"]"#), "8015550142", soon()).await.unwrap();
    let email = format!(r#"{confirm} [data-testid="input-email"]"#);
    b.find(&email).await.unwrap().send_keys("wendy@example.com").await.unwrap();
    b.find(&format!(r#"{confirm} [data-testid="step-save"]"#)).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"{confirm} [data-testid="step-saved"]"#), soon()).await.unwrap();
    b.screenshot(&screenshot_path("workflow-confirm-in-place")).await.unwrap();
    let saved = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(saved["cards"]["personal"]["email"], "wendy@example.com");
    b.wait_for(r#"[data-testid="step-pass"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "2 of 3", soon()).await.unwrap();

    // The emergency contacts step has none yet; adding one from the step completes it, and with it the workflow.
    b.find(r#"[data-testid="step-next"]"#).await.unwrap().click().await.unwrap();
    let contacts = r#"[data-testid="step-body-contacts"]"#;
    b.wait_for(&format!(r#"{contacts} [data-testid="items-empty"]"#), soon()).await.unwrap();
    b.wait_for(r#"[data-testid="step-automatic"]"#, soon()).await.unwrap();
    b.find(&format!(r#"{contacts} [data-testid="add-emergency-contact"]"#)).await.unwrap().click().await.unwrap();
    let field = |f: &str| format!(r#"{contacts} [data-testid="item-{f}"]"#);
    b.wait_for(&field("name"), soon()).await.unwrap().send_keys("Hal Neighbor").await.unwrap();
    b.find(&field("phone")).await.unwrap().send_keys("801-555-0111").await.unwrap();
    b.find(&field("create")).await.unwrap().click().await.unwrap();
    b.wait_for_text(&format!(r#"{contacts} [data-testid="item-row"]"#), "Hal Neighbor", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="step-status"]"#, "Completed", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-status"]"#, "Completed", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-progress"]"#, "3 of 3", soon()).await.unwrap();
    b.screenshot(&screenshot_path("workflow-completed")).await.unwrap();

    // The ticket it generated is on the Notes & Tickets tab; the list shows the enrollment as completed.
    b.find(r#"[data-testid="tab-notes"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="customer-page"]"#, "Send the welcome kit", soon()).await.unwrap();
    // Closing it from its row; the change gets its line in the History tab below.
    let status = r#"[data-testid="item-row"] [data-testid="item-status"]"#;
    b.find(&format!(r#"{status} option[value="closed"]"#)).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="item-status"].item-closed"#, soon()).await.unwrap();
    b.find(tab).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="enrollment-status"]"#, "Completed", soon()).await.unwrap();
    b.wait_for_text(&format!("{tab} .count"), "1", soon()).await.unwrap();
    // The History tab has the enrollment's events.
    b.find(r#"[data-testid="tab-history"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="history"]"#, "step 2 (Contact details) passed", soon()).await.unwrap();
    // And the emergency contact added from the step.
    b.wait_for_text(r#"[data-testid="history"]"#, "Hal Neighbor", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="history"]"#, "Send the welcome kit · closed", soon()).await.unwrap();
    b.close().await.unwrap();
}
