//! The portal end to end in headless Chromium, against the local runtime (real HTTP, seeded demo data).
//!
//! Expectations come from the API itself (the demo users, `me`, the first page of leads), so the test follows the
//! seed instead of copying it. Screenshots land in `target/browser/` for a human to look at.
//!
//! Needs `chromium` and `chromium-driver` (Debian). If `web/dist` is missing or older than the portal's sources,
//! the test builds it first with the same code as `cargo xtask` (infra/xtask/src/web.rs).
//! `VIGIL_BROWSER_BASE_URL=http://127.0.0.1:PORT` runs the test against a portal that is already running instead.

use serde_json::Value;
use vigil_tests::browser::{soon, url_path, Browser};
use vigil_tests::portal::{screenshot_path, Portal};

/// The first company's demo user with `role`.
fn first_company_user(users: &[Value], role: &str) -> Value {
    let company = users.first().expect("the runtime has demo users")["company"].clone();
    users
        .iter()
        .find(|u| u["company"] == company && u["role"] == role)
        .unwrap_or_else(|| panic!("the first company ({company}) has no {role} demo user"))
        .clone()
}

/// Clicks the demo user `email` on the sign-in page.
async fn sign_in_as(b: &Browser, email: &str) {
    let button = b.wait_for(&format!(r#"[data-testid="dev-user"][data-email="{email}"]"#), soon()).await.unwrap();
    button.click().await.unwrap();
}

/// What the total above the list says for `meta`.
fn total_text(meta: &Value, noun: &str) -> String {
    let n = meta["total"].as_u64().expect("a total");
    let noun = if n == 1 { noun.trim_end_matches('s') } else { noun };
    let n = n
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(",");
    if meta["total_exact"].as_bool().unwrap_or(true) {
        format!("{n} {noun}")
    } else {
        format!("about {n} {noun}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_user_signs_in_browses_leads_opens_one_and_signs_out() {
    let portal = Portal::start().await;
    let users = portal.demo_users().await;
    let office = first_company_user(&users, "office");
    let email = office["email"].as_str().unwrap();
    let token = portal.token_for(email).await;
    let me = portal.get(&token, "/api/v1/me").await;
    let first_page = portal.get(&token, "/api/v1/leads?per_page=25").await;
    let rows = first_page["items"].as_array().expect("lead rows");
    assert!(!rows.is_empty(), "the seed gives the first company leads");

    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 900).await.unwrap();

    // A deep link while signed out goes to sign-in, and back there after signing in.
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="dev-user"]"#, soon()).await.unwrap();
    assert_eq!(url_path(&b.current_url().await.unwrap()), "/sign-in");
    let groups = b.find_all(r#"[data-testid="company-group"]"#).await.unwrap();
    assert!(!groups.is_empty());
    assert_eq!(groups[0].attribute("data-company").await.unwrap().as_deref(), office["company"].as_str());
    b.screenshot(&screenshot_path("sign-in")).await.unwrap();
    sign_in_as(&b, email).await;
    b.wait_for_path("/leads", soon()).await.unwrap();

    // Navigation per role, and who is signed in.
    b.wait_for(r#"[data-testid="top-nav"]"#, soon()).await.unwrap();
    for (section, testid) in [("leads", "nav-leads"), ("customers", "nav-customers"), ("admin", "nav-admin")] {
        let shown = !b.find_all(&format!(r#"[data-testid="{testid}"]"#)).await.unwrap().is_empty();
        assert_eq!(shown, me["nav"][section].as_bool().unwrap(), "{section} in the navigation for {}", me["role"]);
    }
    let name = b.find(r#"[data-testid="user-name"]"#).await.unwrap().text().await.unwrap();
    assert_eq!(name, me["name"].as_str().unwrap());
    let company = b.find(r#"[data-testid="user-company"]"#).await.unwrap().text().await.unwrap();
    assert!(company.contains(me["company_name"].as_str().unwrap()), "{company}");

    // The leads table: the API's first page, newest first, and its total.
    b.wait_for(r#"[data-testid="record-row"]"#, soon()).await.unwrap();
    let shown = b.find_all(r#"[data-testid="record-row"]"#).await.unwrap();
    assert_eq!(shown.len(), rows.len());
    assert_eq!(shown[0].attribute("data-id").await.unwrap(), Some(rows[0]["id"].to_string()));
    let total = b.find(r#"[data-testid="records-total"]"#).await.unwrap().text().await.unwrap();
    assert_eq!(total, total_text(&first_page["meta"], "leads"));
    assert!(
        !b.find(r#"[data-testid="records-cards"]"#).await.unwrap().is_displayed().await.unwrap(),
        "no cards on a wide screen"
    );
    b.screenshot(&screenshot_path("leads-desktop")).await.unwrap();

    // Paging follows next_cursor; the other list starts on its own first page.
    if first_page["next_cursor"].is_string() {
        b.find(r#"[data-testid="next-page"]"#).await.unwrap().click().await.unwrap();
        b.wait_for_text(r#"[data-testid="page-number"]"#, "Page 2", soon()).await.unwrap();
        let first_id = rows[0]["id"].to_string();
        let deadline = soon();
        loop {
            let top = b.find(r#"[data-testid="record-row"]"#).await.unwrap().attribute("data-id").await.unwrap();
            if top.as_deref() != Some(first_id.as_str()) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "page 2 still shows page 1's rows");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        b.find(r#"[data-testid="previous-page"]"#).await.unwrap().click().await.unwrap();
        b.wait_for_text(r#"[data-testid="page-number"]"#, "Page 1", soon()).await.unwrap();
        b.find(r#"[data-testid="next-page"]"#).await.unwrap().click().await.unwrap();
        b.wait_for_text(r#"[data-testid="page-number"]"#, "Page 2", soon()).await.unwrap();
    }
    if me["nav"]["customers"].as_bool().unwrap() {
        b.find(r#"[data-testid="nav-customers"]"#).await.unwrap().click().await.unwrap();
        b.wait_for_path("/customers", soon()).await.unwrap();
        b.wait_for(r#"[data-testid="customers-page"] [data-testid="record-row"], [data-testid="customers-page"] [data-testid="empty-state"]"#, soon())
            .await
            .unwrap();
        if let Ok(n) = b.find(r#"[data-testid="page-number"]"#).await {
            assert_eq!(n.text().await.unwrap(), "Page 1");
        }
        assert!(b.find_all(r#"[data-testid="toast"]"#).await.unwrap().is_empty(), "no error on the customers list");
        b.find(r#"[data-testid="nav-leads"]"#).await.unwrap().click().await.unwrap();
        b.wait_for_path("/leads", soon()).await.unwrap();
        b.wait_for(&format!(r#"[data-testid="record-row"][data-id="{}"]"#, rows[0]["id"]), soon()).await.unwrap();
    }

    // Open the newest lead.
    let lead = &rows[0];
    let id = lead["id"].as_u64().unwrap();
    b.wait_for(&format!(r#"[data-testid="record-row"][data-id="{id}"] [data-testid="record-link"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_path(&format!("/leads/{id}"), soon()).await.unwrap();
    let heading = b.wait_for(r#"[data-testid="record-name"]"#, soon()).await.unwrap().text().await.unwrap();
    assert!(
        heading.contains(lead["first_name"].as_str().unwrap()) && heading.contains(lead["last_name"].as_str().unwrap()),
        "{heading}"
    );
    assert_eq!(b.find(r#"[data-testid="field-id"]"#).await.unwrap().text().await.unwrap(), id.to_string());
    let kind = b.find(r#"[data-testid="record-kind"]"#).await.unwrap().text().await.unwrap();
    assert_eq!(kind, format!("Lead #{id}"));
    b.screenshot(&screenshot_path("lead-record")).await.unwrap();

    // An address the portal does not have.
    b.navigate(&portal.url("/no-such-page")).await.unwrap();
    b.wait_for(r#"[data-testid="not-found"]"#, soon()).await.unwrap();

    // Sign out: back at sign-in, and the list is out of reach until signing in again.
    b.find(r#"[data-testid="sign-out"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/sign-in", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="dev-user"]"#, soon()).await.unwrap();
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for(r#"[data-testid="dev-user"]"#, soon()).await.unwrap();
    assert_eq!(url_path(&b.current_url().await.unwrap()), "/sign-in");

    // A token the server no longer accepts signs the user out with a message.
    b.execute("localStorage.setItem('vigil.token', JSON.stringify('not-a-valid-token'))", serde_json::json!([]))
        .await
        .unwrap();
    b.navigate(&portal.url("/leads")).await.unwrap();
    b.wait_for_text(r#"[data-testid="toast-title"]"#, "Your session has ended", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="dev-user"]"#, soon()).await.unwrap();
    assert_eq!(url_path(&b.current_url().await.unwrap()), "/sign-in");
    b.find(r#"[data-testid="toast-dismiss"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="toast"]"#, soon()).await.unwrap();

    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_phone_width_lists_are_cards_and_the_menu_folds() {
    let portal = Portal::start().await;
    let users = portal.demo_users().await;
    let admin = first_company_user(&users, "admin");
    let email = admin["email"].as_str().unwrap();
    let token = portal.token_for(email).await;
    let first_page = portal.get(&token, "/api/v1/leads?per_page=25").await;
    let rows = first_page["items"].as_array().expect("lead rows");
    assert!(!rows.is_empty(), "the seed gives the first company leads");

    let b = Browser::start().await.unwrap();
    b.set_window_size(375, 740).await.unwrap();
    b.navigate(&portal.url("/sign-in")).await.unwrap();
    sign_in_as(&b, email).await;
    b.wait_for_path("/leads", soon()).await.unwrap();

    // Cards instead of the table.
    b.wait_for(r#"[data-testid="record-card"]"#, soon()).await.unwrap();
    assert_eq!(b.find_all(r#"[data-testid="record-card"]"#).await.unwrap().len(), rows.len());
    assert!(
        !b.find(r#"[data-testid="records-table"]"#).await.unwrap().is_displayed().await.unwrap(),
        "no table at phone width"
    );
    let width: u64 = b
        .execute("return document.documentElement.scrollWidth", serde_json::json!([]))
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(width <= 375, "the page scrolls sideways at phone width ({width}px)");

    // The navigation folds behind Menu.
    assert!(
        !b.find(r#"[data-testid="nav-leads"]"#).await.unwrap().is_displayed().await.unwrap(),
        "links hidden until Menu"
    );
    b.screenshot(&screenshot_path("leads-phone")).await.unwrap();
    b.find(r#"[data-testid="nav-menu-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="nav-admin"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("menu-phone")).await.unwrap();

    // Admin: office locations, partner companies with campaigns, and the sandbox outbox.
    b.find(r#"[data-testid="nav-admin"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/admin", soon()).await.unwrap();
    b.wait_gone(r#"[data-testid="nav-admin"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="office-location"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="partner"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="outbox-email"], [data-testid="outbox-empty"]"#, soon()).await.unwrap();
    let label = b.find(r#"[data-testid="sandbox-label"]"#).await.unwrap().text().await.unwrap();
    assert!(label.to_lowercase().contains("sandbox"), "{label}");
    b.screenshot(&screenshot_path("admin-phone")).await.unwrap();

    // A card opens its record.
    b.navigate(&portal.url("/leads")).await.unwrap();
    let id = rows[0]["id"].as_u64().unwrap();
    b.wait_for(&format!(r#"[data-testid="record-card"][data-id="{id}"] [data-testid="record-card-link"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_path(&format!("/leads/{id}"), soon()).await.unwrap();
    b.wait_for(r#"[data-testid="record-name"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-record-phone")).await.unwrap();

    b.find(r#"[data-testid="nav-menu-button"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="sign-out"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path("/sign-in", soon()).await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_role_lands_on_a_section_it_may_open() {
    let portal = Portal::start().await;
    let users = portal.demo_users().await;
    let company = users[0]["company"].clone();
    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 900).await.unwrap();

    for user in users.iter().filter(|u| u["company"] == company) {
        let email = user["email"].as_str().unwrap();
        let me = portal.get(&portal.token_for(email).await, "/api/v1/me").await;
        let nav = &me["nav"];
        b.navigate(&portal.url("/")).await.unwrap();
        sign_in_as(&b, email).await;
        b.wait_for(r#"[data-testid="top-nav"]"#, soon()).await.unwrap();
        for (section, testid) in [("leads", "nav-leads"), ("customers", "nav-customers"), ("admin", "nav-admin")] {
            let shown = !b.find_all(&format!(r#"[data-testid="{testid}"]"#)).await.unwrap().is_empty();
            assert_eq!(shown, nav[section].as_bool().unwrap(), "{section} in the navigation of {email}");
        }
        // Home is the first section the user may open, and it loads without an error.
        let landing = if nav["leads"] == true {
            Some(("/leads", r#"[data-testid="record-row"], [data-testid="empty-state"]"#))
        } else if nav["customers"] == true {
            Some(("/customers", r#"[data-testid="record-row"], [data-testid="empty-state"]"#))
        } else if nav["admin"] == true {
            Some(("/admin", r#"[data-testid="office-location"]"#))
        } else {
            None
        };
        match landing {
            Some((path, content)) => {
                b.wait_for_path(path, soon()).await.unwrap();
                b.wait_for(content, soon()).await.unwrap();
            }
            None => {
                b.wait_for(r#"[data-testid="no-sections"]"#, soon()).await.unwrap();
            }
        }
        let toasts = b.find_all(r#"[data-testid="toast-title"]"#).await.unwrap();
        let mut messages = Vec::new();
        for t in toasts {
            messages.push(t.text().await.unwrap());
        }
        assert!(messages.is_empty(), "{email} ({}) sees errors: {messages:?}", me["role"]);
        b.find(r#"[data-testid="sign-out"]"#).await.unwrap().click().await.unwrap();
        b.wait_for(r#"[data-testid="dev-user"]"#, soon()).await.unwrap();
    }
    b.close().await.unwrap();
}
