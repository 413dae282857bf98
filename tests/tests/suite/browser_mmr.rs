//! The breakout monthly rate (MMR) picker end to end in headless Chromium against the local runtime: as the first
//! demo company's admin, open a customer, Choose Rate, narrow with the filters, Use This Rate, Save & Stay, reload
//! and see the rate; a mismatched (legacy) rate's card carries the warning banner and its Use This Rate is disabled
//! for a customer who does not have it; Clear empties the field.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::{json, Value};
use std::time::Instant;
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

fn rate_id(settings: &Value, name: &str) -> u64 {
    settings["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["id"].as_u64())
        .unwrap_or_else(|| panic!("no rate {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breakout_picker_filters_chooses_saves_and_guards_mismatched_rates() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let settings = portal.get(&admin, "/api/v1/settings/mmr").await;
    assert_eq!(settings["mode"], "breakout");
    let standard = rate_id(&settings, "Standard");
    let legacy = rate_id(&settings, "Legacy Cellular");
    let body = json!({
        "first_name": "Rita", "last_name": "Rates", "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
        "account_type": "residential", "office_location_id": 1
    });
    let c = portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/customers", Some(body)).await;
    let id = c["id"].as_u64().unwrap();

    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, id).await;
    b.wait_for_text(r#"[data-testid="mmr-current"]"#, "--", soon()).await.unwrap();
    assert!(
        b.find_all(r#"[data-testid="input-mmr_a_la_carte"]"#).await.unwrap().is_empty(),
        "a la carte is the simple mode's"
    );
    let choose = b.wait_for_text(r#"[data-testid="mmr-choose"]"#, "Choose Rate", soon()).await.unwrap();
    choose.click().await.unwrap();
    b.wait_for(r#"[data-testid="mmr-picker"] [data-testid="mmr-filters"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="mmr-rate"]"#, soon()).await.unwrap();
    let every = b.find_all(r#"[data-testid="mmr-rate"]"#).await.unwrap().len();

    // Total $39.99, then Monitoring $34.99 and Warranty $5.00: only Standard is left.
    b.find(r#"[data-testid="mmr-filter-total"] option[value="3999"]"#).await.unwrap().click().await.unwrap();
    let deadline = soon();
    loop {
        let totals: Vec<String> = {
            let mut out = Vec::new();
            for el in b.find_all(r#"[data-testid="mmr-total"]"#).await.unwrap() {
                out.push(el.text().await.unwrap_or_default());
            }
            out
        };
        if !totals.is_empty() && totals.len() < every && totals.iter().all(|t| t == "$39.99") {
            break;
        }
        assert!(Instant::now() < deadline, "the total filter did not narrow the list: {totals:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    b.find(r#"[data-testid="mmr-filter-item-1"] option[value="3499"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="mmr-filter-item-3"] option[value="500"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_count(r#"[data-testid="mmr-rate"]"#, 1, soon()).await.unwrap();
    let card = b.find(&format!(r#"[data-testid="mmr-rate"][data-id="{standard}"]"#)).await.unwrap();
    assert!(card.text().await.unwrap().contains("Warranty"), "the card shows its breakdown");
    b.screenshot(&screenshot_path("mmr-picker-filtered")).await.unwrap();
    card.find(r#"[data-testid="mmr-use"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="mmr-picker"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="mmr-current"]"#, "$39.99 · Standard", soon()).await.unwrap();

    // The picker leaves the page scrolled with the top Save & Stay under the sticky header: back to the top first,
    // as a person would scroll up to it.
    b.execute("window.scrollTo(0, 0)", serde_json::json!([])).await.unwrap();
    b.find(r#"[data-testid="save-stay-top"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Customer saved", soon()).await.unwrap();
    let stored = portal.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(stored["cards"]["sale"]["mmr_id"].as_u64(), Some(standard));
    portal.open_customer(&b, id).await;
    b.wait_for_text(r#"[data-testid="mmr-current"]"#, "$39.99 · Standard", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="mmr-choose"]"#, "Change Rate", soon()).await.unwrap();
    b.screenshot(&screenshot_path("mmr-sale-card")).await.unwrap();

    // The legacy rate: warning banner, Use This Rate disabled with the reason, for this customer who lacks it.
    b.find(r#"[data-testid="mmr-choose"]"#).await.unwrap().click().await.unwrap();
    let legacy_card = b.wait_for(&format!(r#"[data-testid="mmr-rate"][data-id="{legacy}"]"#), soon()).await.unwrap();
    let banner = legacy_card.find(r#"[data-testid="mmr-mismatch"]"#).await.unwrap();
    assert!(banner.text().await.unwrap().contains("doesn't match"));
    let use_it = legacy_card.find(r#"[data-testid="mmr-use"]"#).await.unwrap();
    assert!(
        use_it.attribute("disabled").await.unwrap().is_some(),
        "a mismatched rate cannot be given to another customer"
    );
    assert!(legacy_card.find(r#"[data-testid="mmr-use-why"]"#).await.is_ok());
    let standard_card = b.find(&format!(r#"[data-testid="mmr-rate"][data-id="{standard}"]"#)).await.unwrap();
    assert!(standard_card
        .find(r#"[data-testid="mmr-use"]"#)
        .await
        .unwrap()
        .attribute("disabled")
        .await
        .unwrap()
        .is_none());
    b.screenshot(&screenshot_path("mmr-picker-mismatch")).await.unwrap();

    // Clear empties the field (until saved).
    b.find(r#"[data-testid="mmr-clear"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="mmr-picker"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="mmr-current"]"#, "--", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="unsaved"]"#, soon()).await.unwrap();
    let _ = b.close().await;
}
