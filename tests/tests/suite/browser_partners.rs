//! Admin › Partner Companies in headless Chromium against the local runtime: the admin adds a partner company that
//! sells leads in the form laid out like the manual; a bad address in an email list is refused with the server's
//! message beside that field; saved, the partner's page shows its empty Returns section and its Campaigns dialog adds
//! a campaign (and deletes it again).
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use vigil_tests::browser::{soon, url_path};
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_adds_a_partner_company_and_a_campaign() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let b = portal.browser_as(ADMIN).await;

    // The list shows the seeded partners; Add Partner Company opens the empty form.
    b.navigate(&portal.url("/admin/partners")).await.unwrap();
    b.wait_for_text(r#"[data-testid="partner-row"]"#, "ABC Leads, Inc.", soon()).await.unwrap();
    b.find(r#"[data-testid="add-partner"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/admin/partners/new", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="partner-form"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="partner-required-name"]"#).await.unwrap();

    // A partner that sells leads, with one address in its purchase list that is not one.
    b.find(r#"[data-testid="partner-input-name"]"#).await.unwrap().send_keys("Door-to-Door Leads Co").await.unwrap();
    b.find(r#"[data-testid="partner-input-sells_leads"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="partner-required-default_lead_location"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="partner-input-default_lead_location"] option[value="queue"]"#)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let emails = b.find(r#"[data-testid="partner-input-lead_purchase_emails"]"#).await.unwrap();
    emails.send_keys("buyer@d2d-leads.com\nnot an address").await.unwrap();
    b.find(r#"[data-testid="partner-save"]"#).await.unwrap().click().await.unwrap();
    let err = b.wait_for(r#"[data-testid="partner-error-lead_purchase_emails"]"#, soon()).await.unwrap();
    assert!(err.text().await.unwrap().contains("address 2"), "the message names the bad address's place");
    assert!(url_path(&b.current_url().await.unwrap()).ends_with("/admin/partners/new"), "nothing was saved");
    b.screenshot(&screenshot_path("partner-bad-email")).await.unwrap();

    // Fixed, it saves and the page becomes the partner's.
    let emails = b.find(r#"[data-testid="partner-input-lead_purchase_emails"]"#).await.unwrap();
    emails.clear().await.unwrap();
    emails.send_keys("buyer@d2d-leads.com").await.unwrap();
    b.find(r#"[data-testid="partner-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "saved", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="partner-campaigns"]"#, soon()).await.unwrap();
    let list = portal.get(&admin, "/api/v1/partners").await;
    let saved = list["items"].as_array().unwrap().iter().find(|p| p["name"] == "Door-to-Door Leads Co").expect("saved");
    assert_eq!(saved["sells_leads"], true);
    assert_eq!(saved["default_lead_location"], "queue");
    assert_eq!(saved["lead_purchase_emails"], serde_json::json!(["buyer@d2d-leads.com"]));
    let id = saved["id"].as_u64().unwrap();
    b.wait_for_path(&format!("/admin/partners/{id}"), soon()).await.unwrap();
    // The new partner's Returns section: both counts at zero and its empty state.
    b.wait_for_text(r#"[data-testid="returns-counts"]"#, "Rejected duplicates: 0", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="returns-empty"]"#, "No returns or rejected duplicates yet", soon()).await.unwrap();

    // The Campaigns dialog adds a campaign.
    b.find(r#"[data-testid="partner-campaigns"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="campaign-dialog"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="campaigns-empty"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="campaign-input-name"]"#).await.unwrap().send_keys("Door Knock").await.unwrap();
    b.find(r#"[data-testid="campaign-add"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="campaign-row"]"#, "Door Knock", soon()).await.unwrap();
    b.screenshot(&screenshot_path("partner-campaigns")).await.unwrap();
    let campaigns = portal.get(&admin, &format!("/api/v1/partners/{id}/campaigns")).await;
    assert_eq!(campaigns["items"][0]["name"], "Door Knock");
    assert_eq!(campaigns["items"][0]["direction"], "inbound");

    // No lead carries it yet, so it may be deleted from the dialog.
    b.find(r#"[data-testid="campaign-delete"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="campaigns-empty"]"#, soon()).await.unwrap();
}

/// The demo partner login sees only its partner company's customers, without the SSN or the sub-record tabs; the
/// admin sells a customer from its quick actions and sees the delivery on the buying partner's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_login_reads_its_customers_and_an_admin_sells_a_customer_and_two_leads() {
    use serde_json::json;
    use vigil_tests::users::PARTNER;
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let customer = |first: &str, source: u64| {
        let (portal, admin, first) = (&portal, admin.clone(), first.to_owned());
        async move {
            let body = json!({"first_name": first, "last_name": "Partnered", "primary_phone": "8015550142",
                "city": "Provo", "state": "UT", "office_location_id": 1, "account_type": "residential", "ssn": "123-45-6789",
                "birthdate": "1980-05-17"});
            let c = portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/customers", Some(body)).await;
            let id = c["id"].as_u64().expect("id");
            let path = format!("/api/v1/customers/{id}");
            let patch = json!({"version": c["version"], "source_id": source});
            portal.api(reqwest::Method::PATCH, Some(&admin), &path, Some(patch)).await;
            id
        }
    };
    // Source 1 is the demo partner login's partner company; 14 the seeded customer buyer (by email).
    let mine = customer("Mina", 1).await;
    let theirs = customer("Theo", 2).await;

    let b = portal.browser_as(PARTNER).await;
    b.wait_for(r#"[data-testid="nav-customers"]"#, soon()).await.unwrap();
    assert!(b.find_all(r#"[data-testid="nav-leads"], [data-testid="nav-admin"]"#).await.unwrap().is_empty());
    b.navigate(&portal.url("/customers")).await.unwrap();
    b.wait_for(&format!(r#"[data-testid="record-row"][data-id="{mine}"]"#), soon()).await.unwrap();
    assert!(b.find_all(&format!(r#"[data-testid="record-row"][data-id="{theirs}"]"#)).await.unwrap().is_empty());
    portal.open_customer(&b, mine).await;
    let page = b.find(r#"[data-testid="customer-page"]"#).await.unwrap().text().await.unwrap();
    assert!(!page.contains("6789") && !page.contains("1980"), "the partner reads no SSN or birthdate");
    assert!(b.find_all(r#"[data-testid="tab-notes"]"#).await.unwrap().is_empty(), "no sub-record tabs");
    b.screenshot(&screenshot_path("partner-login-customer")).await.unwrap();
    b.close().await.unwrap();

    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, mine).await;
    b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="action-sell"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="sell-partner"] option[value="14"]"#, soon()).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="sell-confirm"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Sold to", soon()).await.unwrap();
    b.navigate(&portal.url("/admin/partners/14")).await.unwrap();
    let row = format!(r#"[data-testid="sale-row"][data-record="{mine}"] [data-testid="sale-status"]"#);
    b.wait_for_text(&row, "Delivered", soon()).await.unwrap();

    // Two leads sold from the Leads list to the lead buyer (13, which posts them to the other demo company), and
    // both deliveries on its page.
    let lead = |first: &str| {
        let (portal, admin, first) = (&portal, admin.clone(), first.to_owned());
        async move {
            let body = json!({"source_id": 11, "first_name": first, "last_name": "Sellwell", "primary_phone": "8015550143",
                "city": "Orem", "state": "UT", "disposition_id": 1, "address1": format!("{first} Way")});
            let l = portal
                .api(reqwest::Method::POST, Some(&admin), "/api/v1/leads?allow_duplicates=true", Some(body))
                .await;
            l["id"].as_u64().expect("id")
        }
    };
    let sold = [lead("Sally").await, lead("Simon").await];
    b.navigate(&portal.url("/leads?last_name=sellwell")).await.unwrap();
    for id in sold {
        let select = format!(r#"[data-testid="record-row"][data-id="{id}"] [data-testid="row-select"]"#);
        b.wait_for(&select, soon()).await.unwrap().click().await.unwrap();
    }
    b.wait_for_text(r#"[data-testid="bulk-count"]"#, "2 selected", soon()).await.unwrap();
    b.find(r#"[data-testid="bulk-sell"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="sell-partner"] option[value="13"]"#, soon()).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="sell-submit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "queued", soon()).await.unwrap();
    b.navigate(&portal.url("/admin/partners/13")).await.unwrap();
    for id in sold {
        let row = format!(r#"[data-testid="sale-row"][data-record="{id}"] [data-testid="sale-status"]"#);
        b.wait_for_text(&row, "Delivered", soon()).await.unwrap();
    }
    b.screenshot(&screenshot_path("partner-lead-sales")).await.unwrap();
}
