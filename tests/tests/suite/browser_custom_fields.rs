//! User-defined fields end to end in headless Chromium against the local runtime: the admin adds a field on the
//! Admin page (the server's message shows next to the name when it is missing), then on a customer's Home page
//! fills custom fields of every input kind, saves with Save & Stay together with another field, reloads and reads
//! the values back; clearing a required field shows the server's error under its input. A lead's page shows the
//! same inputs in its edit form and saves them with the lead's Save.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::{json, Value};
use vigil_tests::browser::{soon, Browser};
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

/// WebDriver's Backspace key.
const BACKSPACE: &str = "\u{E003}";

fn input(id: u64) -> String {
    format!(r#"[data-testid="input-custom_fields.{id}"]"#)
}

async fn is_checked(b: &Browser, css: &str) -> bool {
    let v = b.execute("return document.querySelector(arguments[0]).checked;", json!([css])).await.unwrap();
    v == Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_defines_a_field_and_the_home_page_saves_values() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let b = portal.browser_as(ADMIN).await;

    // Admin page: the seeded fields are listed; a field without a name gets the server's message beside the name.
    b.navigate(&portal.url("/admin")).await.unwrap();
    b.wait_for_text(r#"[data-testid="custom-field-name"]"#, "Gate code", soon()).await.unwrap();
    b.find(r#"[data-testid="custom-field-input-required"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="create-custom-field"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="custom-field-error-name"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="custom-field-input-name"]"#).await.unwrap().send_keys("Alarm passcode").await.unwrap();
    b.find(r#"[data-testid="create-custom-field"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="custom-field-row"]"#, "Alarm passcode", soon()).await.unwrap();
    b.wait_gone(r#"[data-testid="custom-field-error-name"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("custom-fields-admin")).await.unwrap();
    let defs = portal.get(&admin, "/api/v1/settings/custom-fields").await;
    let passcode = defs["items"].as_array().unwrap().iter().find(|f| f["name"] == "Alarm passcode").expect("created")
        ["id"]
        .as_u64()
        .unwrap();
    assert_eq!(defs["items"].as_array().unwrap().iter().find(|f| f["id"] == passcode).unwrap()["required"], true);

    // A customer (the required passcode must come along on create).
    let body = json!({
        "first_name": "Ursula", "last_name": "Udef", "primary_phone": "(801) 555-0177", "city": "Provo", "state": "UT",
        "account_type": "residential", "office_location_id": 1, "custom_fields": { passcode.to_string(): "1357" }
    });
    let c = portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/customers", Some(body)).await;
    let id = c["id"].as_u64().expect("customer created");

    // Home page: fill custom fields of each kind and another card's field, Save & Stay.
    b.navigate(&portal.url(&format!("/customers/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="card-custom_fields"]"#, soon()).await.unwrap();
    b.wait_for_value(&input(passcode), "1357", soon()).await.unwrap();
    let required_label =
        b.find(r#"[data-testid="card-custom_fields"] label[for="udf-2"]"#).await.unwrap().text().await.unwrap();
    assert!(required_label.contains('*'), "required fields are marked: {required_label}");
    b.find(&input(1)).await.unwrap().send_keys("#4455").await.unwrap();
    b.find(&format!(r#"{} option[value="Basement"]"#, input(3))).await.unwrap().click().await.unwrap();
    b.find(&input(2)).await.unwrap().click().await.unwrap();
    b.find(&input(4)).await.unwrap().send_keys("2").await.unwrap();
    let spouse = b.find(r#"[data-testid="input-spouse"]"#).await.unwrap();
    spouse.send_keys("Uli Udef").await.unwrap();
    b.find(r#"[data-testid="save-stay-top"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Customer saved", soon()).await.unwrap();
    let stored = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(stored["cards"]["personal"]["spouse"], "Uli Udef", "saved in the same form");
    assert_eq!(
        stored["custom_fields"],
        json!({"1": "#4455", "2": true, "3": "Basement", "4": 2, passcode.to_string(): "1357"})
    );

    // Reload: the values come back from the server.
    b.navigate(&portal.url(&format!("/customers/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="card-custom_fields"]"#, soon()).await.unwrap();
    b.wait_for_value(&input(1), "#4455", soon()).await.unwrap();
    b.wait_for_value(&input(3), "Basement", soon()).await.unwrap();
    b.wait_for_value(&input(4), "2", soon()).await.unwrap();
    assert!(is_checked(&b, &input(2)).await, "Pets on site stays checked");
    b.screenshot(&screenshot_path("custom-fields-card")).await.unwrap();

    // Clearing the required passcode: the server's message shows under its input, and nothing is saved.
    let el = b.find(&input(passcode)).await.unwrap();
    el.send_keys(&BACKSPACE.repeat(4)).await.unwrap();
    b.find(r#"[data-testid="save-stay-bottom"]"#).await.unwrap().click().await.unwrap();
    let err = b.wait_for(&format!(r#"[data-testid="error-custom_fields.{passcode}"]"#), soon()).await.unwrap();
    assert!(err.text().await.unwrap().contains("Alarm passcode is required"), "{}", err.text().await.unwrap());
    b.screenshot(&screenshot_path("custom-fields-error")).await.unwrap();
    let again = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(again["custom_fields"][passcode.to_string()], "1357");
    let _ = b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lead_page_edits_custom_fields_with_the_lead() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let f = portal
        .api(
            reqwest::Method::POST,
            Some(&admin),
            "/api/v1/settings/custom-fields",
            Some(json!({"name": "Site contact", "field_type": "text", "required": true})),
        )
        .await;
    let contact = f["id"].as_u64().expect("field created");
    let options = portal.get(&admin, "/api/v1/leads/form-options").await;
    let body = json!({
        "source_id": options["sources"][0]["id"], "disposition_id": options["dispositions"][0]["id"], "first_name": "Lou",
        "last_name": "Udef", "primary_phone": "8015550133", "city": "Provo", "state": "UT", "zip": "84601",
        "custom_fields": { contact.to_string(): "Pat" }
    });
    let lead = portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/leads?allow_duplicates=true", Some(body)).await;
    let id = lead["id"].as_u64().expect("lead created");
    let b = portal.browser_as(ADMIN).await;

    // The lead page's edit form has a Custom fields section with the lead's values.
    b.navigate(&portal.url(&format!("/leads/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="fieldset-custom_fields"]"#, soon()).await.unwrap();
    b.wait_for_value(&input(contact), "Pat", soon()).await.unwrap();
    let legend = b.find(r#"[data-testid="fieldset-custom_fields"] legend"#).await.unwrap().text().await.unwrap();
    assert_eq!(legend, "Custom fields");

    // Clearing the required field: the server's message under its input, nothing saved.
    b.find(&input(contact)).await.unwrap().send_keys(&BACKSPACE.repeat(3)).await.unwrap();
    b.find(&input(1)).await.unwrap().send_keys("#8080").await.unwrap();
    b.find(r#"[data-testid="save-details"]"#).await.unwrap().click().await.unwrap();
    let err = b
        .wait_for(
            &format!(r#"[data-testid="fieldset-custom_fields"] [data-testid="error-custom_fields.{contact}"]"#),
            soon(),
        )
        .await
        .unwrap();
    assert!(err.text().await.unwrap().contains("Site contact is required"), "{}", err.text().await.unwrap());
    b.screenshot(&screenshot_path("lead-custom-fields-error")).await.unwrap();
    assert_eq!(portal.get(&admin, &format!("/api/v1/leads/{id}")).await["version"], lead["version"]);

    // Fixed, with a select, a number and a profile field in the same Save.
    // Typed in one go: the first key clears the error, and the input must keep the focus for the rest.
    b.find(&input(contact)).await.unwrap().send_keys("Sam").await.unwrap();
    b.wait_gone(&format!(r#"[data-testid="error-custom_fields.{contact}"]"#), soon()).await.unwrap();
    b.wait_for_value(&input(contact), "Sam", soon()).await.unwrap();
    b.find(&format!(r#"{} option[value="Garage"]"#, input(3))).await.unwrap().click().await.unwrap();
    // Not a whole number: it is written into the request, and read back into the input, by the float writer.
    b.find(&input(4)).await.unwrap().send_keys("3.25").await.unwrap();
    b.find(r#"[data-testid="edit-job_title"]"#).await.unwrap().send_keys("Owner").await.unwrap();
    b.find(r#"[data-testid="save-details"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="details-saved"]"#, soon()).await.unwrap();
    let saved = portal.get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(saved["job_title"], "Owner");
    assert_eq!(saved["custom_fields"], json!({"1": "#8080", "3": "Garage", "4": 3.25, contact.to_string(): "Sam"}));
    b.wait_for(r#"[data-testid="history-entry"][data-field="custom_fields.4"]"#, soon()).await.unwrap();

    // Reload: the values come back from the server.
    b.navigate(&portal.url(&format!("/leads/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="fieldset-custom_fields"]"#, soon()).await.unwrap();
    b.wait_for_value(&input(1), "#8080", soon()).await.unwrap();
    b.wait_for_value(&input(3), "Garage", soon()).await.unwrap();
    b.wait_for_value(&input(4), "3.25", soon()).await.unwrap();
    b.wait_for_value(&input(contact), "Sam", soon()).await.unwrap();
    assert!(!is_checked(&b, &input(2)).await, "Pets on site was left alone");
    b.screenshot(&screenshot_path("lead-custom-fields")).await.unwrap();
    let _ = b.close().await;
}

/// New Lead shows the company's custom fields: a required one left empty comes back with the server's message under
/// its input and nothing is created; filled in, the lead lands with the value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_lead_takes_custom_fields() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let field = portal
        .api(
            reqwest::Method::POST,
            Some(&admin),
            "/api/v1/settings/custom-fields",
            Some(json!({"name": "Door color", "field_type": "text", "required": true})),
        )
        .await;
    let fid = field["id"].as_u64().unwrap();
    let options = portal.get(&admin, "/api/v1/leads/form-options").await;
    let source = options["sources"][0]["id"].as_u64().expect("a source");
    let disposition = options["dispositions"][0]["id"].as_u64().expect("a lead status");

    let b = portal.browser_as(ADMIN).await;
    b.navigate(&portal.url("/leads/new")).await.unwrap();
    b.wait_for(&input(fid), soon()).await.unwrap();
    b.find(&format!(r#"[data-testid="input-source_id"] option[value="{source}"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(&format!(r#"[data-testid="input-disposition_id"] option[value="{disposition}"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="input-first_name"]"#).await.unwrap().send_keys("Dora").await.unwrap();
    b.find(r#"[data-testid="input-last_name"]"#).await.unwrap().send_keys("Doorcolor").await.unwrap();
    b.find(r#"[data-testid="input-primary_phone"]"#).await.unwrap().send_keys("8015550177").await.unwrap();
    b.find(r#"[data-testid="input-city"]"#).await.unwrap().send_keys("Provo").await.unwrap();
    b.find(r#"[data-testid="input-state"] option[value="UT"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="save-lead"]"#).await.unwrap().click().await.unwrap();

    let msg = b
        .wait_for_text(&format!(r#"[data-testid="error-custom_fields.{fid}"]"#), "required", soon())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(msg.contains("Door color"), "{msg}");
    assert!(b.current_url().await.unwrap().ends_with("/leads/new"), "nothing was created");
    b.screenshot(&screenshot_path("custom-fields-new-lead-required")).await.unwrap();

    b.find(&input(fid)).await.unwrap().send_keys("Red").await.unwrap();
    b.wait_gone(&format!(r#"[data-testid="error-custom_fields.{fid}"]"#), soon()).await.unwrap();
    b.find(r#"[data-testid="save-lead"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="record-name"]"#, soon()).await.unwrap();
    let path = vigil_tests::browser::url_path(&b.current_url().await.unwrap()).to_owned();
    let id = path.strip_prefix("/leads/").expect("landed on the lead");
    let lead = portal.get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead["custom_fields"][fid.to_string()], "Red", "{lead}");
    let _ = b.close().await;
}
