//! Orders and accounting in headless Chromium against the local runtime: a sub-customer's Services checkboxes and
//! Install Tech Reports To are saved and reloaded; on the sub-customer, Apply Order Template
//! with a package and an extra equipment row pre-populates an invoice; the Accounting tab shows the parent banner,
//! and New Payment opens the parent's payment flow, where a new card (typed into the sandbox processor's form, never
//! sent to Vigil's API) pays the sub-customer's invoice; the parent's Transactions combine both.
//!
//! Needs `chromium` and `chromium-driver` (Debian); builds `web/dist` first when it is older than the portal's
//! sources. Screenshots land in `target/browser/`.

use reqwest::Method;
use serde_json::json;
use vigil_tests::browser::soon;
use vigil_tests::portal::{screenshot_path, Portal};
use vigil_tests::users::ADMIN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_invoice_on_a_sub_customer_is_paid_by_card_on_the_parent() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let customer = |first: &str| {
        json!({"first_name": first, "last_name": "Holdings", "primary_phone": "(801) 555-0142", "city": "Provo",
               "state": "UT", "zip": "84601", "address1": "9 Main St", "account_type": "residential",
               "office_location_id": 1})
    };
    let parent = portal.api(Method::POST, Some(&admin), "/api/v1/customers", Some(customer("Paragon"))).await;
    let child = portal.api(Method::POST, Some(&admin), "/api/v1/customers", Some(customer("Store"))).await;
    let (pid, cid) = (parent["id"].as_u64().unwrap(), child["id"].as_u64().unwrap());
    portal
        .api(
            Method::PATCH,
            Some(&admin),
            &format!("/api/v1/customers/{cid}"),
            Some(json!({"version": child["version"], "parent_id": pid})),
        )
        .await;
    let templates = portal.get(&admin, "/api/v1/order-templates").await;
    let template = templates["items"].as_array().unwrap().iter().find(|t| t["name"] == "Residential Standard").unwrap();
    let rate = template["mmrs"][0]["id"].as_u64().unwrap();

    let b = portal.browser_as(ADMIN).await;
    portal.open_customer(&b, cid).await;

    // The Installation card's Services are checkboxes, saved and shown again after a reload.
    b.find(r#"[data-testid="service-two_way_voice"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="service-cellular_backup"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="input-install_tech_reports_to_id"] option[value="acme-office"]"#)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="save-stay-bottom"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Customer saved", soon()).await.unwrap();
    portal.open_customer(&b, cid).await;
    let checked = |css: &'static str| {
        let b = &b;
        async move { b.execute("return document.querySelector(arguments[0]).checked;", json!([css])).await.unwrap() }
    };
    assert_eq!(checked(r#"[data-testid="service-two_way_voice"]"#).await, json!(true));
    assert_eq!(checked(r#"[data-testid="service-cellular_backup"]"#).await, json!(true));
    assert_eq!(checked(r#"[data-testid="service-aarp"]"#).await, json!(false));
    b.wait_for_value(r#"[data-testid="input-install_tech_reports_to_id"]"#, "acme-office", soon()).await.unwrap();

    // Apply Order Template from Sale Information: the template, its rate, its package and one extra row.
    b.find(r#"[data-testid="apply-order-template"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="template-card"]"#, "Residential Standard", soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for(&format!(r#"[data-testid="template-mmr"] option[value="{rate}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_text(r#"[data-testid="package-card"]"#, "Starter Package", soon()).await.unwrap().click().await.unwrap();
    // Applying without Sold By is refused, and the dialog says where.
    b.find(r#"[data-testid="apply-template"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="error-sold_by_id"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="add-equipment"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="row-0-equipment"] option[value="5"]"#, soon()).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="sold-by"] option[value="acme-sales-rep"]"#).await.unwrap().click().await.unwrap();
    b.find(r#"[data-testid="prepopulate-invoice"] input"#).await.unwrap().click().await.unwrap();
    b.screenshot(&screenshot_path("apply-order-template")).await.unwrap();
    b.find(r#"[data-testid="apply-template"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Order template applied", soon()).await.unwrap();
    // Panel, three sensors, a motion detector and the keypad row at its catalog price.
    let total = 19900 + 3 * 2999 + 4999 + 8900;
    let books = portal.get(&admin, &format!("/api/v1/customers/{cid}/accounting")).await;
    assert_eq!(books["invoices"][0]["total_cents"], total, "{books}");
    assert_eq!(books["invoices"][0]["bill_through"], pid);

    // The sub-customer's Accounting tab says where payments go; New Payment opens the parent's.
    b.find(r#"[data-testid="tab-accounting"]"#).await.unwrap().click().await.unwrap();
    let banner = b.wait_for(r#"[data-testid="sub-customer-banner"]"#, soon()).await.unwrap();
    assert!(
        banner
            .text()
            .await
            .unwrap()
            .contains("This is a sub-customer of Paragon Holdings — payments are received on the Parent Customer."),
        "{}",
        banner.text().await.unwrap()
    );
    b.find(r#"[data-testid="new-payment"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_path(&format!("/customers/{pid}/new-payment"), soon()).await.unwrap();
    b.wait_for(r#"[data-testid="payment-form"]"#, soon()).await.unwrap();

    // The parent has no card yet: a new one through the sandbox processor's form.
    b.find(r#"[data-testid="new-billing-method"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="billing-method-form"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="card-number"]"#).await.unwrap().send_keys("4242 4242 4242 4242").await.unwrap();
    b.find(r#"[data-testid="card-exp-month"]"#).await.unwrap().send_keys("12").await.unwrap();
    b.find(r#"[data-testid="card-exp-year"]"#).await.unwrap().send_keys("2031").await.unwrap();
    b.find(r#"[data-testid="card-cvc"]"#).await.unwrap().send_keys("123").await.unwrap();
    b.find(r#"[data-testid="billing-method-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(r#"[data-testid="billing-method"]"#, "Visa ending 4242", soon()).await.unwrap();

    // The payment form offers the sub-customer's invoice with what it owes.
    b.find(r#"[data-testid="new-payment"]"#).await.unwrap().click().await.unwrap();
    b.wait_for(r#"[data-testid="payment-form"]"#, soon()).await.unwrap();
    b.wait_for_text(r#"[data-testid="payment-invoice"]"#, &format!("sub-customer #{cid}"), soon()).await.unwrap();
    b.wait_for_value(r#"[data-testid="payment-amount"]"#, "427.96", soon()).await.unwrap();
    b.find(r#"[data-testid="payment-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Payment of $427.96 taken", soon()).await.unwrap();

    // The parent's Transactions combine the sub-customer's invoice and the parent's payment.
    b.wait_for_count(r#"[data-testid="transaction"]"#, 2, soon()).await.unwrap();
    b.find(&format!(r#"[data-testid="transaction"][data-kind="invoice"][data-customer="{cid}"]"#)).await.unwrap();
    b.find(&format!(r#"[data-testid="transaction"][data-kind="payment"][data-customer="{pid}"]"#)).await.unwrap();
    b.wait_for_text(r#"[data-testid="balance"]"#, "Balance: $0.00", soon()).await.unwrap();
    b.screenshot(&screenshot_path("parent-transactions")).await.unwrap();
    let child_books = portal.get(&admin, &format!("/api/v1/customers/{cid}/accounting")).await;
    assert_eq!(child_books["invoices"][0]["status"], "paid");
    b.close().await.unwrap();
}

/// Types into a field read on `change` and leaves it (a click on the form's heading), as a person tabbing on would.
async fn type_and_leave(b: &vigil_tests::browser::Browser, css: &str, text: &str) {
    let el = b.wait_for(css, soon()).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
    b.find(r#"[data-testid="catalog-form"] h2"#).await.unwrap().click().await.unwrap();
}

/// The catalog admin builds a package from equipment quantities and an order template from a ticked rate and
/// package: what is saved is exactly what was picked, a quantity set back to 0 included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_admin_saves_the_picked_equipment_rates_and_packages() {
    let portal = Portal::start_small().await;
    let admin = portal.token_for(ADMIN).await;
    let mmr = portal.get(&admin, "/api/v1/settings/mmr").await;
    let rate = mmr["rates"].as_array().unwrap().iter().find(|r| r["active"] == true).unwrap()["id"].as_u64().unwrap();
    let find = |catalog: &serde_json::Value, list: &str, name: &str| {
        catalog[list].as_array().unwrap().iter().find(|e| e["name"] == name).cloned().unwrap_or_default()
    };

    let b = portal.browser_as(ADMIN).await;
    b.navigate(&portal.url("/admin/catalog")).await.unwrap();
    b.wait_for(r#"[data-testid="catalog-form"]"#, soon()).await.unwrap();
    b.find(r#"[data-testid="catalog-kind"] option[value="package"]"#).await.unwrap().click().await.unwrap();
    type_and_leave(&b, r#"[data-testid="catalog-name"]"#, "Patio Bundle").await;
    for (id, quantity) in [(3, "2"), (1, "1"), (2, "4"), (2, "0")] {
        type_and_leave(&b, &format!(r#"[data-testid="catalog-pick-equipment"][data-id="{id}"]"#), quantity).await;
    }
    b.find(r#"[data-testid="catalog-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Patio Bundle added", soon()).await.unwrap();
    let catalog = portal.get(&admin, "/api/v1/settings/catalog").await;
    let package = find(&catalog, "packages", "Patio Bundle");
    assert_eq!(
        package["items"],
        json!([{"equipment_id": 1, "quantity": 1}, {"equipment_id": 3, "quantity": 2}]),
        "{catalog}"
    );
    let package_id = package["id"].as_u64().unwrap();

    b.find(r#"[data-testid="catalog-kind"] option[value="order_template"]"#).await.unwrap().click().await.unwrap();
    type_and_leave(&b, r#"[data-testid="catalog-name"]"#, "Patio Template").await;
    b.wait_for(&format!(r#"[data-testid="catalog-pick-rate"][data-id="{rate}"]"#), soon())
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(&format!(r#"[data-testid="catalog-pick-package"][data-id="{package_id}"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(r#"[data-testid="catalog-save"]"#).await.unwrap().click().await.unwrap();
    b.wait_for_text(".toast", "Patio Template added", soon()).await.unwrap();
    let catalog = portal.get(&admin, "/api/v1/settings/catalog").await;
    let template = find(&catalog, "order_templates", "Patio Template");
    assert_eq!((&template["mmr_ids"], &template["package_ids"]), (&json!([rate]), &json!([package_id])), "{catalog}");
    b.close().await.unwrap();
}
