//! The Leads pages end to end in headless Chromium against the local runtime: the tag filter with each operator
//! (rows compared with the API's answer to the same query, and restored from the URL on reload), New Lead with a bad
//! ZIP and then a good one picked from the ZIP suggestions, landing on the new lead and moving its stage.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use serde_json::{json, Value};
use std::time::{Instant, SystemTime};
use vigil_tests::browser::{soon, url_path, Browser};
use vigil_tests::portal::{screenshot_path, Portal};

/// The IDs of the rows the table shows now.
async fn shown_ids(b: &Browser) -> Vec<String> {
    let mut ids = Vec::new();
    for row in b.find_all(r#"[data-testid="record-row"]"#).await.unwrap_or_default() {
        if let Ok(Some(id)) = row.attribute("data-id").await {
            ids.push(id);
        }
    }
    ids
}

/// Waits until the table shows exactly `want` (an empty list: the "no leads match" state).
async fn wait_for_rows(b: &Browser, want: &[String], what: &str) {
    let deadline = soon();
    loop {
        let ids = shown_ids(b).await;
        let empty_ok = want.is_empty()
            && !b
                .find_all(r#"[data-testid="empty-state"], [data-testid="empty-page"]"#)
                .await
                .unwrap_or_default()
                .is_empty();
        if (!want.is_empty() && ids == want) || empty_ok {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: the table shows {ids:?}, the API answered {want:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

fn ids_of(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|r| r["id"].to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_filter_with_each_operator_matches_the_api_and_survives_a_reload() {
    let portal = Portal::start().await;
    let (email, token) = portal.user("office").await;
    let tags = portal.get(&token, "/api/v1/tags").await;
    let tags = tags.get("items").unwrap_or(&tags).as_array().expect("tags").clone();
    assert!(tags.len() >= 2, "the demo company has tags: {tags:?}");
    let (a, c) = (tags[0]["id"].as_u64().unwrap(), tags[1]["id"].as_u64().unwrap());

    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 900).await.unwrap();
    portal.sign_in(&b, &email).await;
    b.wait_for_path("/leads", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="record-row"]"#, soon()).await.unwrap();

    // Open the flyout and pick the two tags.
    b.find(r#"[data-testid="filter-toggle"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="filter-flyout"]"#, soon()).await.unwrap();
    for t in [a, c] {
        b.wait_for(&format!(r#"[data-testid="filter-tags"] [data-testid="option"][data-value="{t}"]"#), soon())
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for(&format!(r#"[data-testid="filter-tags"] [data-testid="pill"][data-value="{t}"]"#), soon())
            .await
            .unwrap();
    }

    for op in ["any", "all", "none", "not_all"] {
        if b.find_all(r#"[data-testid="filter-flyout"]"#).await.unwrap().is_empty() {
            b.find(r#"[data-testid="filter-toggle"]"#).await.unwrap().click().await.unwrap();
        }
        b.wait_for(&format!(r#"[data-testid="filter-tags-op"] option[value="{op}"]"#), soon())
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.find(r#"[data-testid="filter-submit"]"#).await.unwrap().click().await.unwrap();
        let expected = ids_of(&portal.get(&token, &format!("/api/v1/leads?tags={a},{c}&tags_op={op}")).await);
        // The URL holds the filter.
        let deadline = soon();
        loop {
            let url = b.current_url().await.unwrap();
            if url.contains(&format!("tags_op={op}")) && url.contains("tags=") {
                break;
            }
            assert!(Instant::now() < deadline, "the URL does not hold the tag filter: {url}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        wait_for_rows(&b, &expected, &format!("tags_op={op}")).await;
        // Every row agrees with the operator, as the rows' tags say.
        for row in b.find_all(r#"[data-testid="record-row"]"#).await.unwrap() {
            let row_tags: Vec<u64> = row
                .attribute("data-tags")
                .await
                .unwrap()
                .unwrap_or_default()
                .split(',')
                .filter_map(|t| t.parse().ok())
                .collect();
            let (has_a, has_c) = (row_tags.contains(&a), row_tags.contains(&c));
            let ok = match op {
                "any" => has_a || has_c,
                "all" => has_a && has_c,
                "none" => !has_a && !has_c,
                _ => !(has_a && has_c),
            };
            assert!(ok, "tags_op={op}: a row has tags {row_tags:?}");
        }
        b.screenshot(&screenshot_path(&format!("leads-tags-{op}"))).await.unwrap();
    }

    // A bookmarked view: reloading the URL restores the filter and the same rows.
    let url = b.current_url().await.unwrap();
    let expected = ids_of(&portal.get(&token, &format!("/api/v1/leads?tags={a},{c}&tags_op=not_all")).await);
    b.navigate(&url).await.unwrap();
    wait_for_rows(&b, &expected, "after reload").await;
    b.find(r#"[data-testid="filter-toggle"]"#).await.unwrap().click().await.unwrap();
    let op = b.wait_for(r#"[data-testid="filter-tags-op"]"#, soon()).await.unwrap().value().await.unwrap();
    assert_eq!(op, "not_all");
    assert_eq!(b.find_all(r#"[data-testid="filter-tags"] [data-testid="pill"]"#).await.unwrap().len(), 2);

    // Clear keeps sort and per-page, drops the tags.
    b.find(r#"[data-testid="filter-per-page"] option[value="10"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="filter-submit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="record-row"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="filter-toggle"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="filter-clear"]"#, soon()).await.unwrap().click().await.unwrap();
    let expected = ids_of(&portal.get(&token, "/api/v1/leads?per_page=10").await);
    wait_for_rows(&b, &expected, "after Clear").await;
    let url = b.current_url().await.unwrap();
    assert!(url.contains("per_page=10") && !url.contains("tags="), "{url}");

    // The preview eye loads the side panel on demand.
    let first = expected[0].clone();
    b.find(&format!(r#"[data-testid="record-row"][data-id="{first}"] [data-testid="preview-eye"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_text(r#"[data-testid="preview-id"]"#, &first, soon()).await.unwrap();
    b.screenshot(&screenshot_path("leads-preview")).await.unwrap();
    b.find(r#"[data-testid="preview-close"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="preview-panel"]"#, soon()).await.unwrap();

    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_lead_rejects_a_bad_zip_then_lands_on_the_new_lead_and_moves_its_stage() {
    let portal = Portal::start().await;
    let (email, token) = portal.user("office").await;
    let options = portal.get(&token, "/api/v1/leads/form-options").await;
    let source = options["sources"][0]["id"].as_u64().expect("a source");
    let disposition = options["dispositions"][0]["id"].as_u64().expect("a lead status");

    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 900).await.unwrap();
    portal.sign_in(&b, &email).await;
    b.wait_for(r#"[data-testid="new-lead"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for_path("/leads/new", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="input-source_id"]"#, soon()).await.unwrap();

    let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis() % 1_000_000;
    let last = format!("Browsertest{stamp}");
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
    b.find(r#"[data-testid="input-first_name"]"#).await.unwrap().send_keys("Zoe").await.unwrap();
    b.find(r#"[data-testid="input-last_name"]"#).await.unwrap().send_keys(&last).await.unwrap();
    b.find(r#"[data-testid="input-primary_phone"]"#)
        .await
        .unwrap()
        .send_keys(&format!("801555{:04}", stamp % 10_000))
        .await
        .unwrap();
    b.find(r#"[data-testid="input-city"]"#).await.unwrap().send_keys("Provo").await.unwrap();
    b.find(r#"[data-testid="input-state"] option[value="UT"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="input-zip"]"#).await.unwrap().send_keys("22").await.unwrap();
    b.find(r#"[data-testid="save-lead"]"#).await.unwrap().click().await.unwrap();

    // The ZIP's message sits beside the ZIP field, and nothing was created.
    let msg = b
        .wait_for(r#"[data-testid="field-zip"] [data-testid="error-zip"]"#, soon())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(msg.contains("ZIP"), "{msg}");
    assert_eq!(url_path(&b.current_url().await.unwrap()), "/leads/new");
    b.screenshot(&screenshot_path("new-lead-bad-zip")).await.unwrap();

    // A good ZIP, picked from the suggestions, fills city, state and county.
    let zip = b.find(r#"[data-testid="input-zip"]"#).await.unwrap();
    zip.send_keys("\u{E003}\u{E003}846").await.unwrap();
    b.wait_for(r#"[data-testid="zip-suggestion"][data-zip="84601"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("new-lead-zip-suggestions")).await.unwrap();
    b.find(r#"[data-testid="zip-suggestion"][data-zip="84601"]"#).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="zip-suggestions"]"#, soon()).await.unwrap();
    assert_eq!(b.find(r#"[data-testid="input-zip"]"#).await.unwrap().value().await.unwrap(), "84601");
    assert_eq!(b.find(r#"[data-testid="input-city"]"#).await.unwrap().value().await.unwrap(), "Provo");
    assert_eq!(b.find(r#"[data-testid="input-state"]"#).await.unwrap().value().await.unwrap(), "UT");
    assert_eq!(b.find(r#"[data-testid="input-county"]"#).await.unwrap().value().await.unwrap(), "Utah County");
    assert!(b.find_all(r#"[data-testid="error-zip"]"#).await.unwrap().is_empty());
    b.find(r#"[data-testid="save-lead"]"#).await.unwrap().click().await.unwrap();

    // Lands on the new lead.
    let deadline = soon();
    let id = loop {
        let path = url_path(&b.current_url().await.unwrap()).to_owned();
        if let Some(id) =
            path.strip_prefix("/leads/").filter(|s| s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty())
        {
            break id.to_owned();
        }
        if let Ok(d) = b.find(r#"[data-testid="create-anyway"]"#).await {
            d.click().await.unwrap();
        }
        assert!(Instant::now() < deadline, "did not land on the new lead (at {path})");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let name = b.wait_for(r#"[data-testid="record-name"]"#, soon()).await.unwrap().text().await.unwrap();
    assert!(name.contains(&last), "{name}");
    let lead = portal.get(&token, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(
        (lead["zip"].as_str(), lead["county"].as_str(), lead["stage"].as_str()),
        (Some("84601"), Some("Utah County"), Some("new"))
    );

    // Only the allowed moves are offered: New → Contacted; then Qualified or Unqualified.
    b.wait_for_text(r#"[data-testid="lead-stage"]"#, "New", soon()).await.unwrap();
    let moves = b.find_all(r#"[data-testid="stage-move"]"#).await.unwrap();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].attribute("data-stage").await.unwrap().as_deref(), Some("contacted"));
    moves[0].click().await.unwrap();
    b.wait_for_text(r#"[data-testid="lead-stage"]"#, "Contacted", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="stage-move"][data-stage="unqualified"]"#, soon()).await.unwrap();
    let mut offered = Vec::new();
    for m in b.find_all(r#"[data-testid="stage-move"]"#).await.unwrap() {
        offered.push(m.attribute("data-stage").await.unwrap().unwrap_or_default());
    }
    assert_eq!(offered, vec!["qualified", "unqualified"]);
    assert_eq!(portal.get(&token, &format!("/api/v1/leads/{id}")).await["stage"], "contacted");

    // Four stars: saved with the version, and the lead turns hot.
    b.find(r#"[data-testid="star"][data-value="4"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="rating"][data-value="4"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="lead-hot"]"#, soon()).await.unwrap();
    assert_eq!(portal.get(&token, &format!("/api/v1/leads/{id}")).await["rating"], 4);
    b.screenshot(&screenshot_path("new-lead-landed")).await.unwrap();

    b.close().await.unwrap();
}

/// A fresh lead of the demo company (duplicates allowed), as the API returns it.
async fn new_lead(portal: &Portal, token: &str, last_name: &str) -> Value {
    let options = portal.get(token, "/api/v1/leads/form-options").await;
    let body = json!({
        "source_id": options["sources"][0]["id"], "disposition_id": options["dispositions"][0]["id"],
        "first_name": "Edith", "last_name": last_name, "primary_phone": "8015550199", "city": "Provo", "state": "UT", "zip": "84601",
    });
    portal.api(reqwest::Method::POST, Some(token), "/api/v1/leads?allow_duplicates=true", Some(body)).await
}

async fn status_of(portal: &Portal, token: &str, path: &str) -> u16 {
    portal.call(reqwest::Method::GET, Some(token), path, None).await.0
}

fn stamp() -> u128 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis() % 1_000_000
}

/// Replaces what a field holds with `text` (select-all, then type).
async fn retype(b: &Browser, css: &str, text: &str) {
    let el = b.wait_for(css, soon()).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn shown_score(b: &Browser) -> u64 {
    b.find(r#"[data-testid="lead-score"]"#).await.unwrap().text().await.unwrap().trim().parse().expect("a score")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_qualification_fields_rescores_the_lead_and_bad_values_show_beside_their_fields() {
    let portal = Portal::start().await;
    let (email, token) = portal.user("office").await;
    let lead = new_lead(&portal, &token, &format!("Scoretest{}", stamp())).await;
    let id = lead["id"].to_string();
    assert_eq!(lead["ssn"], Value::Null);

    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 1000).await.unwrap();
    portal.sign_in(&b, &email).await;
    b.navigate(&portal.url(&format!("/leads/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="lead-details"]"#, soon()).await.unwrap();
    // The SSN is enterable (none stored) once the page knows how the server shows it.
    let deadline = soon();
    while b.find(r#"[data-testid="edit-ssn"]"#).await.unwrap().attribute("disabled").await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the SSN field never became enterable");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let before = shown_score(&b).await;
    assert_eq!(before, lead["score"].as_u64().unwrap());

    // Bad values: the message sits beside each field and nothing is saved.
    retype(&b, r#"[data-testid="edit-website"]"#, "not a website").await;
    retype(&b, r#"[data-testid="edit-employees"]"#, "lots").await;
    b.find(r#"[data-testid="save-details"]"#).await.unwrap().click().await.unwrap();
    let msg = b
        .wait_for(r#"[data-testid="ld-field-website"] [data-testid="ld-error-website"]"#, soon())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(msg.contains("web address"), "{msg}");
    let msg = b
        .wait_for(r#"[data-testid="ld-field-employees"] [data-testid="ld-error-employees"]"#, soon())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(msg.contains("whole number"), "{msg}");
    b.screenshot(&screenshot_path("lead-edit-errors")).await.unwrap();
    assert_eq!(portal.get(&token, &format!("/api/v1/leads/{id}")).await["version"], lead["version"]);

    // Good values: a senior title in a best-fit industry at a big company scores higher, factor by factor.
    retype(&b, r#"[data-testid="edit-website"]"#, "https://acme-example.com").await;
    retype(&b, r#"[data-testid="edit-employees"]"#, "1500").await;
    retype(&b, r#"[data-testid="edit-job_title"]"#, "Chief Executive Officer").await;
    b.find(r#"[data-testid="edit-industry"] option[value="Technology"]"#).await.unwrap().click().await.unwrap();
    retype(&b, r#"[data-testid="edit-web_visits"]"#, "6").await;
    b.find(r#"[data-testid="edit-do_not_call"]"#).await.unwrap().click().await.unwrap();
    retype(&b, r#"[data-testid="edit-ssn"]"#, "123-45-6789").await;
    assert!(
        b.find_all(r#"[data-testid="ld-error-website"]"#).await.unwrap().is_empty(),
        "typing clears the field's error"
    );
    b.find(r#"[data-testid="save-details"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="details-saved"]"#, soon()).await.unwrap();
    let saved = portal.get(&token, &format!("/api/v1/leads/{id}")).await;
    let after = saved["score"].as_u64().unwrap();
    assert!(after > before, "score {before} → {after}");
    b.wait_for_text(r#"[data-testid="lead-score"]"#, &after.to_string(), soon()).await.unwrap();
    let industry = b
        .find(r#"[data-testid="score-factor"][data-factor="industry_fit"] td.num"#)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(industry.trim(), "0", "industry fit now adds points");
    assert_eq!(
        (saved["employees"].as_u64(), saved["industry"].as_str(), saved["do_not_call"].as_bool()),
        (Some(1500), Some("Technology"), Some(true))
    );
    assert_eq!(saved["website"], "https://acme-example.com");
    // Office staff may enter an SSN but not read it back: the server masks it, and so does the page.
    assert_eq!(saved["ssn"], "***");
    b.wait_for_text(r#"[data-testid="ssn-masked"]"#, "***", soon()).await.unwrap();
    // The history lists the changes.
    b.wait_for(r#"[data-testid="history-entry"][data-field="job_title"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="history-entry"][data-field="ssn"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-edit-saved")).await.unwrap();

    // Someone else saves first: the page's version is stale, and it says so.
    let version = saved["version"].as_u64().unwrap();
    portal
        .api(
            reqwest::Method::PATCH,
            Some(&token),
            &format!("/api/v1/leads/{id}"),
            Some(json!({ "timeline": "Next year", "version": version })),
        )
        .await;
    retype(&b, r#"[data-testid="edit-timeline"]"#, "This quarter").await;
    b.find(r#"[data-testid="save-details"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="details-conflict"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="details-reload"]"#).await.unwrap().click().await.unwrap();
    let deadline = soon();
    // The page reloads the lead: the form is gone for a moment, then back with the other user's change.
    loop {
        let shown = match b.find(r#"[data-testid="edit-timeline"]"#).await {
            Ok(input) => input.value().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if shown == "Next year" {
            break;
        }
        assert!(Instant::now() < deadline, "the reload did not bring the other user's change");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_deletes_a_lead_after_confirming_and_lands_on_the_list() {
    let portal = Portal::start().await;
    let (office_email, office_token) = portal.user("office").await;
    let (email, token) = portal.user("admin").await;
    let lead = new_lead(&portal, &token, &format!("Deletetest{}", stamp())).await;
    let id = lead["id"].to_string();

    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 900).await.unwrap();
    // Office staff may not delete leads: no button.
    portal.sign_in(&b, &office_email).await;
    b.navigate(&portal.url(&format!("/leads/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="lead-details"]"#, soon()).await.unwrap();
    assert!(b.find_all(r#"[data-testid="delete-lead"]"#).await.unwrap().is_empty());
    assert_eq!(status_of(&portal, &office_token, &format!("/api/v1/leads/{id}")).await, 200);
    b.find(r#"[data-testid="sign-out"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/sign-in", soon()).await.unwrap();

    portal.sign_in(&b, &email).await;
    b.navigate(&portal.url(&format!("/leads/{id}"))).await.unwrap();
    b.wait_for(r#"[data-testid="delete-lead"]"#, soon()).await.unwrap().click().await.unwrap();
    // Cancel keeps it.
    b.wait_for(r#"[data-testid="delete-cancel"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_gone(r#"[data-testid="delete-confirm"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="delete-lead"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="delete-confirm"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("lead-delete-confirm")).await.unwrap();
    b.find(r#"[data-testid="delete-confirm-yes"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path("/leads", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="leads-page"]"#, soon()).await.unwrap();
    assert_eq!(status_of(&portal, &token, &format!("/api/v1/leads/{id}")).await, 404);

    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stage_status_and_rep_filters_match_the_api_and_an_admin_sets_score_weights_and_creates_a_tag() {
    let portal = Portal::start().await;
    let (email, token) = portal.user("admin").await;
    let options = portal.get(&token, "/api/v1/leads/form-options").await;
    let status = options["dispositions"][0]["name"].as_str().expect("a lead status").to_owned();
    let reps = portal.get(&token, "/api/v1/customers/form-options").await;
    let rep = reps["lead_reps"][0]["id"].as_str().expect("a lead rep").to_owned();

    let b = Browser::start().await.unwrap();
    b.set_window_size(1280, 1000).await.unwrap();
    portal.sign_in(&b, &email).await;
    b.wait_for_path("/leads", soon()).await.unwrap();
    b.wait_for(r#"[data-testid="record-row"]"#, soon()).await.unwrap();
    b.wait_for(r#"[data-testid="new-lead"]"#, soon()).await.unwrap();

    // Stage and lead status together, then a lead rep alone.
    b.find(r#"[data-testid="filter-toggle"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="filter-stage"] option[value="contacted"]"#, soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for(&format!(r#"[data-testid="filter-disposition"] option[value="{status}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.screenshot(&screenshot_path("leads-flyout-pipeline")).await.unwrap();
    b.find(r#"[data-testid="filter-submit"]"#).await.unwrap().click().await.unwrap();
    let expected = ids_of(&portal.get(&token, &format!("/api/v1/leads?stage=contacted&disposition={status}")).await);
    wait_for_rows(&b, &expected, "stage and status").await;
    let url = b.current_url().await.unwrap();
    assert!(url.contains("stage=contacted") && url.contains("disposition="), "{url}");

    b.find(r#"[data-testid="filter-toggle"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="filter-clear"]"#, soon()).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="filter-rep"] option[value="{rep}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="filter-submit"]"#).await.unwrap().click().await.unwrap();
    let page = portal.get(&token, &format!("/api/v1/leads?rep={rep}")).await;
    wait_for_rows(&b, &ids_of(&page), "rep").await;
    // A short page with a cursor is not the end of the list.
    let short = page["next_cursor"].is_string() && page["items"].as_array().unwrap().len() < 25;
    assert_eq!(!b.find_all(r#"[data-testid="more-may-follow"]"#).await.unwrap().is_empty(), short);

    // The nav's Pending count is the queue summary's.
    let summary = portal.get(&token, "/api/v1/lead-queue").await;
    let pending = summary["pending"].as_u64().expect("an admin sees the Pending count");
    b.wait_for_text(r#"[data-testid="nav-pending-count"]"#, &format!("({pending})"), soon()).await.unwrap();

    // Bulk Reassign: two of the rep's leads go to another lead rep.
    let other = reps["lead_reps"].as_array().unwrap().iter().filter_map(|u| u["id"].as_str()).find(|id| *id != rep);
    let other = other.expect("a second lead rep").to_owned();
    let rows = b.find_all(r#"[data-testid="record-row"]"#).await.unwrap();
    assert!(rows.len() >= 2, "the rep has two leads to reassign");
    let mut picked = Vec::new();
    for row in &rows[..2] {
        picked.push(row.attribute("data-id").await.unwrap().expect("a row's id"));
        row.find(r#"[data-testid="row-select"]"#).await.unwrap().click().await.unwrap();
    }
    b.wait_for_text(r#"[data-testid="bulk-count"]"#, "2 selected", soon()).await.unwrap();
    b.find(r#"[data-testid="bulk-reassign"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(&format!(r#"[data-testid="reassign-lead-rep"] option[value="{other}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="reassign-submit"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Reassigned 2 lead(s)", soon()).await.unwrap();
    for id in &picked {
        let lead = portal.get(&token, &format!("/api/v1/leads/{id}")).await;
        assert_eq!(lead["lead_rep_id"], other.as_str(), "lead {id}");
    }

    // Admin: weights over 100 in total are refused beside the form; a good set is saved.
    b.navigate(&portal.url("/admin")).await.unwrap();
    retype(&b, r#"[data-testid="weight-engagement"]"#, "60").await;
    b.find(r#"[data-testid="save-weights"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="weight-error-weights"]"#, soon()).await.unwrap();
    retype(&b, r#"[data-testid="weight-engagement"]"#, "10").await;
    b.find(r#"[data-testid="best-industry"][data-value="Retail"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="save-weights"]"#).await.unwrap().click().await.unwrap();
    let deadline = soon();
    loop {
        let w = portal.get(&token, "/api/v1/settings/lead-scoring").await;
        if w["engagement"] == 10 && w["best_industries"].as_array().unwrap().iter().any(|i| i == "Retail") {
            break;
        }
        assert!(Instant::now() < deadline, "the weights were not saved: {w}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A new tag shows in the list and is there for the leads.
    let name = format!("Browsertag{}", stamp());
    // (Enter submits: the weights' toast may cover the button at the bottom of the window.)
    retype(&b, r#"[data-testid="admin-new-tag"]"#, &format!("{name}\u{E007}")).await;
    b.wait_for_text(r#"[data-testid="admin-tags"]"#, &name, soon()).await.unwrap();
    let tags = portal.get(&token, "/api/v1/tags").await;
    assert!(tags.get("items").unwrap_or(&tags).as_array().unwrap().iter().any(|t| t["name"] == name.as_str()));
    // The same name again is refused beside the field.
    retype(&b, r#"[data-testid="admin-new-tag"]"#, &format!("{}\u{E007}", name.to_lowercase())).await;
    b.wait_for(r#"[data-testid="admin-tag-error"]"#, soon()).await.unwrap();
    b.screenshot(&screenshot_path("admin-lead-settings")).await.unwrap();

    b.close().await.unwrap();
}
