//! The Admin page's monthly monitoring rate (MMR) editor end to end in headless Chromium against the local runtime.
//! As the breakout company's admin: the legacy rate carries the mismatch badge, a new rate's total is the sum of
//! the amounts typed per line item, a bad amount is refused in the portal (nothing sent), the save reads back
//! through the API, a duplicate item name comes back as a message beside the item, and a save over another admin's
//! change is a conflict with a Reload. As the simple company's admin: a rate with a typed total is offered to
//! customers (the form options' `mmr_rates`).
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::Value;
use vigil_tests::browser::{soon, Browser};
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::{ADMIN, OTHER_ADMIN};

const RATE: &str = r#"[data-testid="mmr-admin-rate"]"#;
const NEW_RATE: &str = r#"[data-testid="mmr-admin-rate"][data-new="true"]"#;

/// Replaces what the input matching `css` holds with `text`, as a user typing would.
async fn retype(b: &Browser, css: &str, text: &str) {
    let el = b.wait_for(css, soon()).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
    b.wait_for_value(css, text, soon()).await.unwrap();
}

fn rate<'a>(settings: &'a Value, name: &str) -> &'a Value {
    settings["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no rate {name} in {settings}"))
}

async fn open_editor(portal: &Portal, b: &Browser, rates: usize) {
    b.navigate(&portal.url("/admin")).await.unwrap();
    b.wait_for(r#"[data-testid="mmr-admin-form"]"#, soon()).await.unwrap();
    b.wait_for_count(RATE, rates, soon()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_save_and_guard_the_monthly_rates() {
    let portal = Portal::start_small().await;

    // ---- Acme: breakout mode, four items, 13 rates.
    let admin = portal.token_for(ADMIN).await;
    let before = portal.get(&admin, "/api/v1/settings/mmr").await;
    assert_eq!(before["mode"], "breakout");
    let count = before["rates"].as_array().unwrap().len();
    let version = before["version"].as_u64().unwrap();
    let legacy = rate(&before, "Legacy Cellular")["id"].as_u64().unwrap();
    let basic = rate(&before, "Basic")["id"].as_u64().unwrap();

    let b = portal.browser_as(ADMIN).await;
    open_editor(&portal, &b, count).await;
    let badge =
        b.wait_for(&format!(r#"{RATE}[data-id="{legacy}"] [data-testid="mmr-rate-mismatch"]"#), soon()).await.unwrap();
    assert_eq!(badge.text().await.unwrap(), "Breakdown doesn't match the current items");
    assert!(b
        .find_all(&format!(r#"{RATE}[data-id="{basic}"] [data-testid="mmr-rate-mismatch"]"#))
        .await
        .unwrap()
        .is_empty());
    b.wait_for_text(&format!(r#"{RATE}[data-id="{basic}"] [data-testid="mmr-rate-total"]"#), "$29.99", soon())
        .await
        .unwrap();

    // A new rate: the total is the sum of the line amounts, read-only.
    b.find(r#"[data-testid="mmr-add-rate"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_count(RATE, count + 1, soon()).await.unwrap();
    assert!(
        b.find_all(&format!(r#"{NEW_RATE} input[data-testid="mmr-rate-total"]"#)).await.unwrap().is_empty(),
        "breakout totals are computed"
    );
    retype(&b, &format!(r#"{NEW_RATE} [data-testid="mmr-rate-name"]"#), "Premium Plus").await;
    for (item, amount) in [(1, "44.99"), (2, "10"), (3, "$5.00"), (4, "0")] {
        retype(&b, &format!(r#"{NEW_RATE} [data-testid="mmr-rate-item-{item}"]"#), amount).await;
    }
    b.wait_for_text(&format!(r#"{NEW_RATE} [data-testid="mmr-rate-total"]"#), "$59.99", soon()).await.unwrap();

    // A bad amount: the message beside the input, and Save sends nothing.
    let video = format!(r#"{NEW_RATE} [data-testid="mmr-rate-item-4"]"#);
    retype(&b, &video, "12.3x").await;
    b.wait_for_text(&format!(r#"{NEW_RATE} [data-testid="mmr-money-error"]"#), "e.g. 39.99", soon()).await.unwrap();
    b.find(r#"[data-testid="mmr-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="mmr-errors"]"#, "nothing was sent", soon()).await.unwrap();
    b.screenshot(&screenshot_path("mmr-admin-bad-amount")).await.unwrap();
    assert_eq!(
        portal.get(&admin, "/api/v1/settings/mmr").await["version"].as_u64(),
        Some(version),
        "nothing was saved"
    );
    retype(&b, &video, "0").await;
    b.wait_gone(r#"[data-testid="mmr-money-error"]"#, soon()).await.unwrap();
    b.wait_gone(r#"[data-testid="mmr-errors"]"#, soon()).await.unwrap();

    b.find(r#"[data-testid="mmr-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "MMR settings saved", soon()).await.unwrap();
    let saved = portal.get(&admin, "/api/v1/settings/mmr").await;
    assert_eq!(saved["version"].as_u64(), Some(version + 1));
    assert_eq!(saved["rates"].as_array().unwrap().len(), count + 1);
    let premium = rate(&saved, "Premium Plus");
    assert_eq!(premium["amount_cents"], 5999);
    assert_eq!(premium["active"], true);
    assert_eq!(premium["mismatch"], false);
    let lines: Vec<(u64, u64)> = premium["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["item_id"].as_u64().unwrap(), l["amount_cents"].as_u64().unwrap()))
        .collect();
    assert_eq!(lines, [(1, 4499), (2, 1000), (3, 500), (4, 0)]);
    let premium_id = premium["id"].as_u64().unwrap();
    // The editor reloaded: the rate is a saved one now.
    let premium_row = format!(r#"{RATE}[data-id="{premium_id}"][data-new="false"]"#);
    b.wait_for(&premium_row, soon()).await.unwrap();
    b.wait_for_value(&format!(r#"{premium_row} [data-testid="mmr-rate-name"]"#), "Premium Plus", soon()).await.unwrap();

    // The server's 422: a duplicate item name, shown beside that item and in the summary.
    let financing = r#"[data-testid="mmr-item"][data-id="2"] [data-testid="mmr-item-name"]"#;
    retype(&b, financing, "monitoring").await;
    b.find(r#"[data-testid="mmr-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(
        r#"[data-testid="mmr-item"][data-id="2"] [data-testid="mmr-field-error"]"#,
        "another item has this name",
        soon(),
    )
    .await
    .unwrap();
    b.wait_for_text(r#"[data-testid="mmr-errors"]"#, r#"Line item "monitoring""#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("mmr-admin-invalid")).await.unwrap();
    retype(&b, financing, "Financing").await;

    // Another admin saves in between: this save is a conflict, and theirs is not overwritten.
    let mut theirs = portal.get(&admin, "/api/v1/settings/mmr").await;
    theirs["items"][3]["name"] = "Video Cloud".into();
    portal.api(reqwest::Method::PUT, Some(&admin), "/api/v1/settings/mmr", Some(theirs)).await;
    b.find(&format!(r#"{premium_row} [data-testid="mmr-rate-active"]"#)).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="mmr-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(
        r#"[data-testid="mmr-conflict"]"#,
        "Another admin changed the MMR settings; reload to see their changes",
        soon(),
    )
    .await
    .unwrap();
    b.screenshot(&screenshot_path("mmr-admin-conflict")).await.unwrap();
    let now = portal.get(&admin, "/api/v1/settings/mmr").await;
    assert_eq!(now["version"].as_u64(), Some(version + 2));
    assert_eq!(rate(&now, "Premium Plus")["active"], true, "the stale save changed nothing");
    b.find(r#"[data-testid="mmr-reload"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_value(r#"[data-testid="mmr-item"][data-id="4"] [data-testid="mmr-item-name"]"#, "Video Cloud", soon())
        .await
        .unwrap();
    b.wait_gone(r#"[data-testid="mmr-conflict"]"#, soon()).await.unwrap();
    let _ = b.close().await;

    // ---- Bluebird: simple mode, the total is typed.
    let admin = portal.token_for(OTHER_ADMIN).await;
    let before = portal.get(&admin, "/api/v1/settings/mmr").await;
    assert_eq!(before["mode"], "simple");
    let count = before["rates"].as_array().unwrap().len();
    let b = portal.browser_as(OTHER_ADMIN).await;
    open_editor(&portal, &b, count).await;
    assert!(b.find_all(r#"[data-testid="mmr-items"]"#).await.unwrap().is_empty(), "line items are the breakout mode's");
    b.find(r#"[data-testid="mmr-add-rate"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_count(RATE, count + 1, soon()).await.unwrap();
    retype(&b, &format!(r#"{NEW_RATE} [data-testid="mmr-rate-name"]"#), "Bluebird Premium").await;
    retype(&b, &format!(r#"{NEW_RATE} [data-testid="mmr-rate-total"]"#), "64.50").await;
    b.find(r#"[data-testid="mmr-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "MMR settings saved", soon()).await.unwrap();
    b.screenshot(&screenshot_path("mmr-admin-simple")).await.unwrap();
    let options = portal.get(&admin, "/api/v1/customers/form-options").await;
    let offered = options["mmr_rates"].as_array().unwrap();
    assert!(
        offered.iter().any(|r| r["name"] == "Bluebird Premium" && r["amount_cents"] == 6450),
        "the new rate is in the customers' MMR dropdown: {offered:?}"
    );
    let saved = portal.get(&admin, "/api/v1/settings/mmr").await;
    let premium = rate(&saved, "Bluebird Premium");
    assert_eq!(premium["line_items"][0]["amount_cents"], 6450, "its one line follows the typed total: {premium}");
    let _ = b.close().await;
}
