//! The Leads list's short searches, By Source view and a lead's Home page Copilot, end to end in headless Chromium
//! against the local runtime: a two-letter last name typed into Find Leads fills the first page and shows its total,
//! By Source lists the sources with their counts and a group opens the list filtered to it, and the Copilot on the
//! lead's Home page (`/customers/{id}` of a record still in lead status) qualifies the lead.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::json;
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_letter_search_by_source_and_the_home_page_copilot() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let opts = portal.api(reqwest::Method::GET, Some(&admin), "/api/v1/leads/form-options", None).await;
    let source = &opts["sources"][0];
    // 26 leads whose last names start with "qx", a prefix no demo name has: one more than a page.
    let mut last = None;
    for n in 0..26 {
        let body = json!({
            "source_id": source["id"], "first_name": format!("Quinn{n}"), "last_name": format!("Qxavier{n}"),
            "primary_phone": format!("80155{:05}", 20_000 + n), "disposition_id": opts["dispositions"][0]["id"],
            "city": "Provo", "state": "UT", "zip": "84601"
        });
        let lead =
            portal.api(reqwest::Method::POST, Some(&admin), "/api/v1/leads?allow_duplicates=true", Some(body)).await;
        last = lead["id"].as_u64();
    }
    let lid = last.unwrap();

    let b = portal.browser_as(ADMIN).await;
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="filter-toggle"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="filter-last-name"]"#, soon()).await.unwrap().send_keys("qx").await.unwrap();
    b.find(r#"[data-testid="filter-submit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_count(r#"[data-testid="record-row"]"#, 25, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="records-total"]"#, "26 leads", soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-search-two-letters")).await.unwrap();

    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="view-tab"][data-view="by_source"]"#, soon()).await.unwrap().click().await.unwrap();
    let group = format!(r#"[data-testid="source-group"][data-source="{}"]"#, source["id"]);
    let count = b.wait_for(&format!("{group} [data-testid=group-count]"), soon()).await.unwrap().text().await.unwrap();
    b.screenshot(&screenshot_path("lead-search-by-source")).await.unwrap();
    b.find(&format!("{group} button")).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="record-row"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="records-total"]"#, &count, soon()).await.unwrap();

    b.navigate(&portal.url(&format!("/customers/{lid}"))).await.unwrap();
    b.wait_for(r#"[data-testid="customer-is-lead"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="copilot-qualify"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="copilot-total"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="copilot-bant"][data-dimension="budget"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-home-copilot")).await.unwrap();
    let _ = b.close().await;
}
