//! The customer record (Home) end to end in headless Chromium against the local runtime: editing a field with
//! Save & Stay, the conflict message when another session saved first, the masked SSN for a user without the
//! confidential grant, converting a lead and landing on the customer, and archiving a parent with its sub-customer
//! (both archived and read-only); the tag widget, the parent picker by business name, unarchiving with
//! sub-customers (found first through the Customer List's Archive Status filter), duplicate and delete.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`. Confidential values are compared without printing them.

use serde_json::{json, Value};
use std::time::Instant;
use vigil_tests::browser::{soon, Browser};
use vigil_tests::portal::{confirm_convert_dialog, fill_convert_dialog, screenshot_path, Portal};
use vigil_tests::users::{ADMIN, OFFICE};

const SSN: &str = "123-45-6789";

/// A new customer at office location 1 (where the office user works).
async fn new_customer(portal: &Portal, token: &str, first: &str, last: &str) -> Value {
    let body = json!({
        "first_name": first, "last_name": last, "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
        "zip": "84601", "address1": "77 Canyon Rd", "account_type": "residential", "office_location_id": 1
    });
    portal.api(reqwest::Method::POST, Some(token), "/api/v1/customers", Some(body)).await
}

async fn is_disabled(b: &Browser, css: &str) -> bool {
    b.find(css).await.unwrap().attribute("disabled").await.unwrap().is_some()
}

/// Clicks the element after scrolling it to the middle of the window, clear of the sticky header (WebDriver scrolls
/// only as far as the viewport's edge, where the header covers it).
async fn click_centered(b: &Browser, css: &str) {
    b.wait_for(css, soon()).await.unwrap();
    b.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", json!([css])).await.unwrap();
    b.find(css).await.unwrap().click().await.unwrap();
}

async fn set_field(b: &Browser, field: &str, text: &str) {
    let el = b.find(&format!(r#"[data-testid="input-{field}"]"#)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_home_saves_warns_of_conflicts_masks_converts_and_archives() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    save_and_stay_then_conflict(&portal, &admin).await;
    ssn_masked_for_office(&portal, &admin).await;
    convert_a_lead(&portal, &admin).await;
    archive_parent_with_child(&portal, &admin).await;
}

/// Save & Stay keeps the page and the value survives a reload; a save from another session in between makes the
/// browser's next save show the conflict message, and Reload brings the other session's value.
async fn save_and_stay_then_conflict(portal: &Portal, admin: &str) {
    let c = new_customer(portal, admin, "Sadie", "Staywell").await;
    let id = c["id"].as_u64().unwrap();
    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, id).await;
    assert_eq!(b.find(r#"[data-testid="customer-name"]"#).await.unwrap().text().await.unwrap(), "Sadie Staywell");

    set_field(&b, "spouse", "Sam Staywell").await;
    b.find(r#"[data-testid="save-stay-top"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Customer saved", soon()).await.unwrap();
    assert!(b.current_url().await.unwrap().ends_with(&format!("/customers/{id}")), "Save & Stay stays");
    let stored = portal.api(reqwest::Method::GET, Some(admin), &format!("/api/v1/customers/{id}"), None).await;
    assert_eq!(stored["cards"]["personal"]["spouse"], "Sam Staywell");
    b.navigate(&portal.url(&format!("/customers/{id}"))).await.unwrap();
    b.wait_for_value(r#"[data-testid="input-spouse"]"#, "Sam Staywell", soon()).await.unwrap();
    b.screenshot(&screenshot_path("customer-home")).await.unwrap();

    // A second session saves with the version the browser has too.
    let version = stored["version"].clone();
    portal
        .api(
            reqwest::Method::PATCH,
            Some(admin),
            &format!("/api/v1/customers/{id}"),
            Some(json!({"version": version, "spouse": "Other Session"})),
        )
        .await;
    set_field(&b, "best_time_to_contact", "Evenings").await;
    b.find(r#"[data-testid="save-stay-bottom"]"#).await.unwrap().click().await.unwrap();
    let conflict = b.wait_for(r#"[data-testid="save-conflict"]"#, soon()).await.unwrap();
    assert!(
        conflict.text().await.unwrap().contains("another user changed this customer"),
        "{}",
        conflict.text().await.unwrap()
    );
    b.screenshot(&screenshot_path("customer-conflict")).await.unwrap();
    // The message shows beside the bottom buttons too, where the user clicked.
    b.find(r#"[data-testid="save-message-bottom"] [data-testid="conflict-reload"]"#)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_value(r#"[data-testid="input-spouse"]"#, "Other Session", soon()).await.unwrap();
    b.wait_gone(r#"[data-testid="save-conflict"]"#, soon()).await.unwrap();
    let _ = b.close().await;
}

/// The admin sees the SSN; the office user (no confidential grant) sees it masked and cannot edit it.
async fn ssn_masked_for_office(portal: &Portal, admin: &str) {
    let c = new_customer(portal, admin, "Masha", "Masked").await;
    let id = c["id"].as_u64().unwrap();
    portal
        .api(
            reqwest::Method::PATCH,
            Some(admin),
            &format!("/api/v1/customers/{id}"),
            Some(json!({"version": c["version"], "ssn": SSN})),
        )
        .await;

    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, id).await;
    let shown = b.find(r#"[data-testid="input-ssn"]"#).await.unwrap().value().await.unwrap();
    assert!(shown == SSN, "the admin does not see the stored SSN");
    let _ = b.close().await;

    let b = portal.browser_as(OFFICE).await;
    portal.open_customer(&b, id).await;
    let shown = b.find(r#"[data-testid="input-ssn"]"#).await.unwrap().value().await.unwrap();
    assert!(shown.starts_with("***") && !shown.contains("6789"), "the office user sees an unmasked SSN");
    assert!(is_disabled(&b, r#"[data-testid="input-ssn"]"#).await, "a masked SSN is not editable");
    b.screenshot(&screenshot_path("customer-ssn-masked")).await.unwrap();
    let _ = b.close().await;
}

/// Convert to Customer on a lead: choose the office location and who sold it, land on the customer (same ID).
async fn convert_a_lead(portal: &Portal, admin: &str) {
    let opts = portal.api(reqwest::Method::GET, Some(admin), "/api/v1/leads/form-options", None).await;
    let source = &opts["sources"][0];
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": "Lena", "last_name": "Leadsworth",
        "primary_phone": "8015550177", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo", "state": "UT", "zip": "84601"
    });
    let lead = portal.api(reqwest::Method::POST, Some(admin), "/api/v1/leads?allow_duplicates=true", Some(body)).await;
    let lid = lead["id"].as_u64().unwrap();

    let b = portal.browser_as(ADMIN).await;
    b.navigate(&portal.url(&format!("/leads/{lid}"))).await.unwrap();
    b.wait_for(r#"[data-testid="convert-lead"]"#, soon()).await.unwrap().click().await.unwrap();
    fill_convert_dialog(&b, 2).await;
    b.screenshot(&screenshot_path("customer-convert")).await.unwrap();
    confirm_convert_dialog(&b).await;
    b.wait_for_path(&format!("/customers/{lid}"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="customer-name"]"#, "Lena Leadsworth", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="location"]"#, "Boise", soon()).await.unwrap();
    let stored = portal.api(reqwest::Method::GET, Some(admin), &format!("/api/v1/customers/{lid}"), None).await;
    assert_eq!(stored["kind"], "customer");
    assert_eq!(stored["cards"]["sale"]["sold_by_id"], "acme-sales-rep");
    let _ = b.close().await;
}

/// Archiving a parent archives its sub-customer too; both pages say so and take no saves.
async fn archive_parent_with_child(portal: &Portal, admin: &str) {
    let parent = new_customer(portal, admin, "Parker", "Parentson").await;
    let child = new_customer(portal, admin, "Chloe", "Childers").await;
    let (pid, cid) = (parent["id"].as_u64().unwrap(), child["id"].as_u64().unwrap());
    portal
        .api(
            reqwest::Method::PATCH,
            Some(admin),
            &format!("/api/v1/customers/{cid}"),
            Some(json!({"version": child["version"], "parent_id": pid})),
        )
        .await;

    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, pid).await;
    b.wait_for(r#"[data-testid="children-indicator"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="action-archive"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="archive-children"]"#, soon()).await.unwrap();
    assert!(is_disabled(&b, r#"[data-testid="archive-confirm"]"#).await, "archiving waits for the confirmation box");
    b.find(r#"[data-testid="archive-confirm-check"]"#).await.unwrap().click().await.unwrap();
    b.screenshot(&screenshot_path("customer-archive-dialog")).await.unwrap();
    b.find(r#"[data-testid="archive-confirm"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="archived-banner"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="status-box"][data-category="account"]"#, "Archived", soon()).await.unwrap();
    assert!(
        is_disabled(&b, r#"[data-testid="save-top"]"#).await
            && is_disabled(&b, r#"[data-testid="save-stay-bottom"]"#).await
    );
    assert!(
        is_disabled(&b, r#"[data-testid="input-first_name"]"#).await,
        "an archived customer's fields are read-only"
    );
    // Archived: the quick actions offer only Unarchive.
    b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="action-unarchive"]"#, soon()).await.unwrap();
    assert!(b
        .find_all(r#"[data-testid="action-archive"], [data-testid="action-delete"], [data-testid^="action-new-"]"#)
        .await
        .unwrap()
        .is_empty());
    b.screenshot(&screenshot_path("customer-archived-parent")).await.unwrap();

    // The sub-customer went with it.
    portal.open_customer(&b, cid).await;
    b.wait_for(r#"[data-testid="parent-indicator"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="archived-banner"]"#, soon()).await.unwrap();
    assert!(is_disabled(&b, r#"[data-testid="save-stay-top"]"#).await);
    let (status, e) = portal
        .call(
            reqwest::Method::PATCH,
            Some(admin),
            &format!("/api/v1/customers/{cid}"),
            Some(json!({"version": 999, "spouse": "X"})),
        )
        .await;
    assert_eq!(status, 409);
    assert!(e["detail"].as_str().unwrap_or_default().contains("archived"));
    b.screenshot(&screenshot_path("customer-archived-child")).await.unwrap();
    let _ = b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_home_tags_parent_picker_unarchive_duplicate_and_delete() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let b = portal.browser_as(ADMIN).await;
    tags_added_and_removed(&b, &portal, &admin).await;
    parent_found_by_business_name(&b, &portal, &admin).await;
    unarchive_with_children(&b, &portal, &admin).await;
    duplicate_then_delete(&b, &portal, &admin).await;
    let _ = b.close().await;
}

/// The tag widget adds a company tag from its select and removes it with the chip's ×; each is saved at once.
async fn tags_added_and_removed(b: &Browser, portal: &Portal, admin: &str) {
    let c = new_customer(portal, admin, "Tabitha", "Tagger").await;
    let id = c["id"].as_u64().unwrap();
    let tag =
        portal.api(reqwest::Method::POST, Some(admin), "/api/v1/tags", Some(json!({"name": "Browser VIP"}))).await;
    let tag_id = tag["id"].as_u64().unwrap();
    portal.open_customer(b, id).await;
    b.wait_for(r#"[data-testid="no-tags"]"#, soon()).await.unwrap();
    b.wait_for(&format!(r#"[data-testid="tag-add"] option[value="{tag_id}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_text(&format!(r#"[data-testid="customer-tag"][data-tag="{tag_id}"]"#), "Browser VIP", soon())
        .await
        .unwrap();
    let stored = portal.get(admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(stored["tag_list"][0]["name"], "Browser VIP");
    b.screenshot(&screenshot_path("customer-tags")).await.unwrap();
    // The Customer List's tag filter finds exactly this customer.
    b.navigate(&portal.url("/customers")).await.unwrap();
    b.wait_for(r#"[data-testid="customer-filter-toggle"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="cf-tag"] option[value="{tag_id}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="cf-submit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="record-row"][data-id="{id}"]"#), soon()).await.unwrap();
    assert_eq!(b.find_all(r#"[data-testid="record-row"]"#).await.unwrap().len(), 1, "only the tagged customer");
    portal.open_customer(b, id).await;

    // A field edited before the tag change is still there and saves with the record's new version.
    set_field(b, "spouse", "Tom Tagger").await;
    b.find(r#"[data-testid="tag-remove"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="no-tags"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="save-stay-top"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="unsaved"]"#, soon()).await.unwrap();
    let stored = portal.get(admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(stored["tag_list"], json!([]));
    assert_eq!(stored["cards"]["personal"]["spouse"], "Tom Tagger");
}

/// The parent picker finds a top-level customer by a word of its business name; Save & Stay links them.
async fn parent_found_by_business_name(b: &Browser, portal: &Portal, admin: &str) {
    let body = json!({
        "first_name": "Pam", "last_name": "Owner", "business_name": "Quuxworth Property Holdings", "primary_phone": "(801) 555-0190",
        "city": "Provo", "state": "UT", "account_type": "commercial", "office_location_id": 1
    });
    let parent = portal.api(reqwest::Method::POST, Some(admin), "/api/v1/customers", Some(body)).await;
    let pid = parent["id"].as_u64().unwrap();
    let child = new_customer(portal, admin, "Carl", "Renter").await;
    let cid = child["id"].as_u64().unwrap();
    portal.open_customer(b, cid).await;
    let search = b.wait_for(r#"[data-testid="parent-search"]"#, soon()).await.unwrap();
    search.send_keys("propert").await.unwrap();
    b.find(r#"[data-testid="parent-search-go"]"#).await.unwrap().click().await.unwrap();
    click_centered(b, &format!(r#"[data-testid="parent-candidate"][data-id="{pid}"]"#)).await;
    click_centered(b, r#"[data-testid="save-stay-top"]"#).await;
    b.wait_for(r#"[data-testid="parent-indicator"]"#, soon()).await.unwrap();
    let stored = portal.get(admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(stored["header"]["parent"]["id"], json!(pid));
    b.screenshot(&screenshot_path("customer-parent-linked")).await.unwrap();
}

/// Unarchiving a parent with "this customer and its sub-customers" brings both back.
async fn unarchive_with_children(b: &Browser, portal: &Portal, admin: &str) {
    let parent = new_customer(portal, admin, "Uma", "Unarchive").await;
    let child = new_customer(portal, admin, "Ulla", "Unarchive").await;
    let (pid, cid) = (parent["id"].as_u64().unwrap(), child["id"].as_u64().unwrap());
    portal
        .api(
            reqwest::Method::PATCH,
            Some(admin),
            &format!("/api/v1/customers/{cid}"),
            Some(json!({"version": child["version"], "parent_id": pid})),
        )
        .await;
    portal
        .api(
            reqwest::Method::POST,
            Some(admin),
            &format!("/api/v1/customers/{pid}/archive"),
            Some(json!({"confirm": true})),
        )
        .await;

    // The Customer List's flyout: Archive Status "Archived only" lists the archived family, badged.
    b.navigate(&portal.url("/customers")).await.unwrap();
    b.wait_for(r#"[data-testid="customer-filter-toggle"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="cf-archived"] option[value="archived_only"]"#, soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="cf-last-name"]"#).await.unwrap().send_keys("Unarchive").await.unwrap();
    b.find(r#"[data-testid="cf-submit"]"#).await.unwrap().click().await.unwrap();
    for id in [pid, cid] {
        b.wait_for(&format!(r#"[data-testid="record-row"][data-id="{id}"] [data-testid="archived-badge"]"#), soon())
            .await
            .unwrap();
    }
    assert_eq!(
        b.find_all(r#"[data-testid="record-row"]"#).await.unwrap().len(),
        2,
        "only the archived Unarchive family"
    );
    b.screenshot(&screenshot_path("customer-list-archived-only")).await.unwrap();
    // The filter is in the URL: a reload (or a bookmark) shows the same list.
    let url = b.current_url().await.unwrap();
    assert!(url.contains("archived=archived_only") && url.contains("last_name=Unarchive"), "{url}");
    b.navigate(&url).await.unwrap();
    b.wait_for(&format!(r#"[data-testid="record-row"][data-id="{pid}"] [data-testid="archived-badge"]"#), soon())
        .await
        .unwrap();
    assert_eq!(
        b.find_all(r#"[data-testid="record-row"]"#).await.unwrap().len(),
        2,
        "the reloaded list keeps the filter"
    );

    portal.open_customer(b, pid).await;
    b.wait_for(r#"[data-testid="archived-banner"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="action-unarchive"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="unarchive-with-children"]"#, soon()).await.unwrap().click().await.unwrap();
    assert!(is_disabled(b, r#"[data-testid="unarchive-confirm"]"#).await, "unarchiving waits for the confirmation box");
    b.find(r#"[data-testid="unarchive-confirm-check"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="unarchive-confirm"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="status-box"][data-category="account"]"#, "Active", soon()).await.unwrap();
    b.wait_gone(r#"[data-testid="archived-banner"]"#, soon()).await.unwrap();
    assert!(!is_disabled(b, r#"[data-testid="input-first_name"]"#).await, "an unarchived customer is editable again");
    let child_now = portal.get(admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(child_now["archived"], json!(false), "the sub-customer came back with its parent");
}

/// Duplicate lands on the copy (a new ID, same name); Delete on the copy returns to the list and the copy is gone.
async fn duplicate_then_delete(b: &Browser, portal: &Portal, admin: &str) {
    let original = new_customer(portal, admin, "Dolly", "Duplicate").await;
    let id = original["id"].as_u64().unwrap();
    portal.open_customer(b, id).await;
    b.find(r#"[data-testid="quick-actions-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="action-duplicate"]"#, soon()).await.unwrap().click().await.unwrap();
    let deadline = soon();
    let copy_id = loop {
        let url = b.current_url().await.unwrap();
        let path = vigil_tests::browser::url_path(&url).to_owned();
        if let Some(n) = path.strip_prefix("/customers/").and_then(|s| s.parse::<u64>().ok()).filter(|n| *n != id) {
            break n;
        }
        assert!(Instant::now() < deadline, "duplicating did not land on the copy (at {path})");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    b.wait_for_text(r#"[data-testid="customer-id"]"#, &format!("#{copy_id}"), soon()).await.unwrap();
    assert_eq!(b.find(r#"[data-testid="customer-name"]"#).await.unwrap().text().await.unwrap(), "Dolly Duplicate");

    b.find(r#"[data-testid="delete-top"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="delete-confirm"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path("/customers", soon()).await.unwrap();
    let (status, _) =
        portal.call(reqwest::Method::GET, Some(admin), &format!("/api/v1/customers/{copy_id}"), None).await;
    assert_eq!(status, 404, "the deleted copy is gone");
    let (status, _) = portal.call(reqwest::Method::GET, Some(admin), &format!("/api/v1/customers/{id}"), None).await;
    assert_eq!(status, 200, "the original stays");
}
