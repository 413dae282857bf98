//! The lead page's Sales Copilot and the conversion with an opportunity, end to end in headless Chromium against
//! the local runtime: qualify a lead from the panel (the BANT table with its total), convert it with an
//! opportunity from the Convert dialog, and find the opportunity on the customer's Home.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::json;
use vigil_tests::browser::soon;
use vigil_tests::portal::{confirm_convert_dialog, fill_convert_dialog, screenshot_path, Portal};
use vigil_tests::users::ADMIN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copilot_qualifies_and_converting_with_an_opportunity_shows_it_on_the_customer() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let opts = portal.api(reqwest::Method::GET, Some(&admin), "/api/v1/leads/form-options", None).await;
    let source = &opts["sources"][0];
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": "Opal", "last_name": "Opportune",
        "primary_phone": "8015550155", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo", "state": "UT", "zip": "84601"
    });
    let lead = portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/leads?allow_duplicates=true", Some(body)).await;
    let lid = lead["id"].as_u64().unwrap();
    portal
        .api(
            reqwest::Method::PATCH,
            Some(&admin),
            &format!("/api/v1/leads/{lid}"),
            Some(json!({"version": lead["version"], "budget": 5000, "job_title": "Owner"})),
        )
        .await;

    let b = portal.browser_as(ADMIN).await;
    b.navigate(&portal.url(&format!("/leads/{lid}"))).await.unwrap();
    b.wait_for(r#"[data-testid="copilot-qualify"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="copilot-total"]"#, "50", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="copilot-bant"][data-dimension="budget"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="copilot-next"][data-kind="schedule_call"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-copilot")).await.unwrap();

    b.find(r#"[data-testid="convert-lead"]"#).await.unwrap().click().await.unwrap();
    fill_convert_dialog(&b, 2).await;
    b.find(r#"[data-testid="convert-with-opportunity"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="convert-opportunity-name"]"#, soon())
        .await
        .unwrap()
        .send_keys("Opal's shop alarm")
        .await
        .unwrap();
    b.find(r#"[data-testid="convert-opportunity-amount"]"#).await.unwrap().send_keys("2,500.50").await.unwrap();
    b.screenshot(&screenshot_path("lead-convert-opportunity")).await.unwrap();
    confirm_convert_dialog(&b).await;
    b.wait_for_path(&format!("/customers/{lid}"), soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="opportunity-name"]"#, "Opal's shop alarm", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="opportunity-amount"]"#, "$2500.50", soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="opportunity-stage"]"#, "Prospecting", soon()).await.unwrap();
    b.screenshot(&screenshot_path("customer-opportunities")).await.unwrap();
    let opps =
        portal.api(reqwest::Method::GET, Some(&admin), &format!("/api/v1/customers/{lid}/opportunities"), None).await;
    assert_eq!(opps["items"][0]["amount"], 250050, "{opps}");
    let _ = b.close().await;
}
