//! Orders over HTTP through the local runtime (issue 12): the catalog admin (versions, unique names, 422s naming
//! fields, company-scoped), the active order templates, applying one (MMR of the template, package of the template,
//! each Additional Equipment rule, Sold By, Pre-populate & Add, the row bound) with nothing applied on any bad row,
//! and work orders from the customer's equipment.

use serde_json::{json, Value};
use vigil_tests::orders::{fields, new_customer};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN};

/// The demo catalog's IDs (see `seed::demo_catalog`).
const PANEL: u64 = 1;
const SENSOR: u64 = 2;
const SMOKE: u64 = 4;
const KEYPAD: u64 = 5;
const COLLECTION_ITEM: u64 = 6;
const INACTIVE_ITEM: u64 = 7;
const WIRELESS: u64 = 8;
const STARTER: u64 = 10;
const RESIDENTIAL: u64 = 11;
const EQUIPMENT_ONLY: u64 = 12;
const SELLER: &str = "acme-sales-rep";

async fn residential_rates(rt: &LocalRuntime, token: &str) -> Vec<u64> {
    let (status, t) = rt.get(token, "/api/v1/order-templates").await;
    assert_eq!(status, 200, "{t}");
    let r = t["items"].as_array().unwrap().iter().find(|t| t["id"] == RESIDENTIAL).unwrap().clone();
    r["mmrs"].as_array().unwrap().iter().map(|m| m["id"].as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_active_templates_come_with_their_rates_and_packages() {
    let rt = LocalRuntime::start_small().await;
    let office = rt.sign_in(OFFICE).await;
    let (status, t) = rt.get(&office, "/api/v1/order-templates").await;
    assert_eq!(status, 200, "{t}");
    let items = t["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["Residential Standard", "Equipment Only"]);
    let r = &items[0];
    assert_eq!(r["mmrs"].as_array().unwrap().len(), 2, "{r}");
    let p = &r["packages"][0];
    assert_eq!(p["name"], "Starter Package");
    // Panel $199.00 + 3 sensors at $29.99 + a motion detector at $49.99.
    assert_eq!(p["total_cents"], 19900 + 3 * 2999 + 4999);
    assert_eq!(items[1]["mmrs"], json!([]));

    // Deactivating a template takes it off the list.
    let admin = rt.sign_in(ADMIN).await;
    let (_, catalog) = rt.get(&admin, "/api/v1/settings/catalog").await;
    let only = catalog["order_templates"].as_array().unwrap().iter().find(|t| t["id"] == EQUIPMENT_ONLY).unwrap();
    let (status, saved) = rt
        .patch(
            &admin,
            &format!("/api/v1/settings/catalog/{EQUIPMENT_ONLY}"),
            json!({"kind": "order_template", "version": only["version"], "active": false}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let (_, t) = rt.get(&office, "/api/v1/order-templates").await;
    assert_eq!(t["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_a_template_adds_the_rate_the_equipment_and_an_invoice_together() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let c = new_customer(&rt, &admin, "Tess").await;
    let id = c["id"].as_u64().unwrap();
    let rates = residential_rates(&rt, &admin).await;
    let body = json!({
        "order_template_id": RESIDENTIAL, "mmr_id": rates[1], "package_id": STARTER,
        "additional_equipment": [
            {"equipment_id": KEYPAD, "quantity": 2, "charge": null, "wire_type_id": WIRELESS},
            {"equipment_id": null, "quantity": "", "charge": null, "wire_type_id": null},
            {"equipment_id": SMOKE, "charge": 0}
        ],
        "sold_by_id": SELLER, "prepopulate": "invoice", "version": c["version"]
    });
    let (status, applied) = rt.post(&admin, &format!("/api/v1/customers/{id}/apply-order-template"), body).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["version"], c["version"].as_u64().unwrap() + 1);
    assert_eq!(applied["mmr_id"], rates[1]);
    // Three package rows and two additional rows (the blank one skipped).
    let eq = applied["equipment"].as_array().unwrap();
    let rows: Vec<(u64, u64, u64)> = eq
        .iter()
        .map(|e| {
            let d = &e["data"];
            (d["equipment_id"].as_u64().unwrap(), d["quantity"].as_u64().unwrap(), d["charge_cents"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(rows, [(PANEL, 1, 19900), (SENSOR, 3, 2999), (3, 1, 4999), (KEYPAD, 2, 8900), (SMOKE, 1, 0)]);
    assert!(eq.iter().all(|e| e["data"]["sold_by_id"] == SELLER), "{applied}");
    assert_eq!(eq[3]["data"]["wire_type_id"], WIRELESS);
    let inv = &applied["document"];
    assert_eq!(inv["kind"], "invoice");
    assert_eq!(inv["lines"].as_array().unwrap().len(), 5);
    assert_eq!(inv["total_cents"], 19900 + 3 * 2999 + 4999 + 2 * 8900);

    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(home["version"], applied["version"]);
    assert_eq!(home["tabs"]["equipment"], 5);
    assert_eq!(home["tabs"]["accounting"], 1);
    let (_, equipment) = rt.get(&admin, &format!("/api/v1/customers/{id}/equipment")).await;
    assert_eq!(equipment["items"].as_array().unwrap().len(), 5);
    let (_, acct) = rt.get(&admin, &format!("/api/v1/customers/{id}/accounting")).await;
    assert_eq!(acct["invoices"][0]["id"], inv["id"]);

    // A quote the same way, from a template without rates.
    let body = json!({
        "order_template_id": EQUIPMENT_ONLY, "additional_equipment": [{"equipment_id": SENSOR, "quantity": 4}],
        "sold_by_id": SELLER, "prepopulate": "quote", "version": applied["version"]
    });
    let (status, q) = rt.post(&admin, &format!("/api/v1/customers/{id}/apply-order-template"), body).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(
        (q["document"]["kind"].as_str(), q["document"]["total_cents"].as_u64()),
        (Some("quote"), Some(4 * 2999))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_is_a_422_naming_its_field_and_nothing_is_applied() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let c = new_customer(&rt, &admin, "Rhea").await;
    let id = c["id"].as_u64().unwrap();
    let rates = residential_rates(&rt, &admin).await;
    let path = format!("/api/v1/customers/{id}/apply-order-template");
    let good_row = json!({"equipment_id": KEYPAD, "quantity": 1});
    let base = || {
        json!({"order_template_id": RESIDENTIAL, "mmr_id": rates[0], "package_id": STARTER,
               "additional_equipment": [good_row.clone()], "sold_by_id": SELLER, "prepopulate": "invoice",
               "version": c["version"]})
    };
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    let row = |r: Value| with("additional_equipment", json!([good_row.clone(), r]));
    let too_many: Vec<Value> = (0..21).map(|_| good_row.clone()).collect();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("unknown template", with("order_template_id", json!(999)), "order_template_id"),
        ("rate required", with("mmr_id", Value::Null), "mmr_id"),
        ("rate not of the template", with("mmr_id", json!(999)), "mmr_id"),
        (
            "package not of the template",
            {
                let mut b = with("order_template_id", json!(EQUIPMENT_ONLY));
                b["mmr_id"] = Value::Null;
                b
            },
            "package_id",
        ),
        ("collection item", row(json!({"equipment_id": COLLECTION_ITEM})), "additional_equipment[1].equipment_id"),
        ("inactive item", row(json!({"equipment_id": INACTIVE_ITEM})), "additional_equipment[1].equipment_id"),
        ("unknown item", row(json!({"equipment_id": 999})), "additional_equipment[1].equipment_id"),
        (
            "a wire type is not equipment",
            row(json!({"equipment_id": WIRELESS})),
            "additional_equipment[1].equipment_id",
        ),
        ("row without an item", row(json!({"quantity": 2})), "additional_equipment[1].equipment_id"),
        ("quantity 0", row(json!({"equipment_id": KEYPAD, "quantity": 0})), "additional_equipment[1].quantity"),
        ("quantity 1.5", row(json!({"equipment_id": KEYPAD, "quantity": 1.5})), "additional_equipment[1].quantity"),
        ("negative charge", row(json!({"equipment_id": KEYPAD, "charge": -1})), "additional_equipment[1].charge"),
        (
            "unknown wire type",
            row(json!({"equipment_id": KEYPAD, "wire_type_id": 999})),
            "additional_equipment[1].wire_type_id",
        ),
        (
            "equipment as wire type",
            row(json!({"equipment_id": KEYPAD, "wire_type_id": PANEL})),
            "additional_equipment[1].wire_type_id",
        ),
        ("sold by required with a package", with("sold_by_id", Value::Null), "sold_by_id"),
        ("sold by off the list", with("sold_by_id", json!("acme-installer")), "sold_by_id"),
        ("too many rows", with("additional_equipment", json!(too_many)), "additional_equipment"),
        ("nothing to invoice", json!({"prepopulate": "invoice", "version": c["version"]}), "prepopulate"),
        ("a rate without a template", json!({"mmr_id": rates[0], "version": c["version"]}), "mmr_id"),
    ];
    for (what, body, field) in cases {
        let (status, p) = rt.post(&admin, &path, body).await;
        assert_eq!(status, 422, "{what}: {p}");
        assert_eq!(fields(&p), [field], "{what}: {p}");
        if field == "additional_equipment" {
            assert!(p["errors"][0]["message"].as_str().unwrap().contains("20"), "the bound is said: {p}");
        }
    }
    // Sold By is required for a row even without a package.
    let body = json!({"additional_equipment": [good_row.clone()], "version": c["version"]});
    let (status, p) = rt.post(&admin, &path, body).await;
    assert_eq!((status, fields(&p)), (422, vec!["sold_by_id".to_owned()]), "{p}");
    // A stale version is a conflict.
    let (status, p) = rt.post(&admin, &path, with("version", json!(c["version"].as_u64().unwrap() + 7))).await;
    assert_eq!(status, 409, "{p}");
    // Nothing of any of those landed.
    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(home["version"], c["version"]);
    assert_eq!(home["tabs"]["equipment"], 0);
    let (_, acct) = rt.get(&admin, &format!("/api/v1/customers/{id}/accounting")).await;
    assert_eq!((acct["invoices"].as_array().unwrap().len(), acct["quotes"].as_array().unwrap().len()), (0, 0));
    // And the good body applies.
    let (status, p) = rt.post(&admin, &path, base()).await;
    assert_eq!(status, 200, "{p}");
    // Only users who may change Sale Information apply templates.
    let installer = rt.sign_in(INSTALLER).await;
    let (status, _) = rt.post(&installer, &path, json!({"version": p["version"]})).await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_is_admin_edited_with_versions_unique_names_and_named_errors() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let cat = "/api/v1/settings/catalog";
    let (status, e) =
        rt.post(&admin, cat, json!({"kind": "equipment", "name": "Glass Break", "default_charge_cents": 3500})).await;
    assert_eq!(status, 201, "{e}");
    assert_eq!((e["version"].as_u64(), e["active"].as_bool()), (Some(1), Some(true)));
    let eid = e["id"].as_u64().unwrap();
    let (status, p) = rt.post(&admin, cat, json!({"kind": "equipment", "name": "glass break"})).await;
    assert_eq!((status, fields(&p)), (422, vec!["name".to_owned()]), "{p}");
    let (status, p) = rt.post(&admin, cat, json!({"kind": "equipment", "name": "", "default_charge_cents": -5})).await;
    assert_eq!((status, fields(&p)), (422, vec!["name".to_owned(), "default_charge_cents".to_owned()]), "{p}");
    let (status, p) = rt
        .post(
            &admin,
            cat,
            json!({"kind": "package", "name": "Bad", "items": [{"equipment_id": COLLECTION_ITEM, "quantity": 1}]}),
        )
        .await;
    assert_eq!((status, fields(&p)), (422, vec!["items[0].equipment_id".to_owned()]), "{p}");
    let (status, p) =
        rt.post(&admin, cat, json!({"kind": "order_template", "name": "Bad", "package_ids": [STARTER, 999]})).await;
    assert_eq!((status, fields(&p)), (422, vec!["package_ids[1]".to_owned()]), "{p}");
    let (status, p) = rt.post(&admin, cat, json!({"kind": "sold_by", "user_id": "acme-installer"})).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["name"], "Ian Installer");
    let (status, p) = rt.post(&admin, cat, json!({"kind": "sold_by", "user_id": "acme-installer"})).await;
    assert_eq!((status, fields(&p)), (422, vec!["user_id".to_owned()]), "{p}");

    let path = format!("{cat}/{eid}");
    let (status, saved) = rt
        .patch(
            &admin,
            &path,
            json!({"kind": "equipment", "version": 1, "name": "Glass-Break Detector", "active": false}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!((saved["version"].as_u64(), saved["active"].as_bool()), (Some(2), Some(false)));
    let (status, p) = rt.patch(&admin, &path, json!({"kind": "equipment", "version": 1, "name": "Again"})).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["current"]["name"], "Glass-Break Detector");
    // The old name is free again; the new one is taken.
    let (status, _) = rt.post(&admin, cat, json!({"kind": "equipment", "name": "Glass Break"})).await;
    assert_eq!(status, 201);

    let (status, _) = rt.post(&office, cat, json!({"kind": "wire_type", "name": "Fiber"})).await;
    assert_eq!(status, 403);
    let (status, _) = rt.patch(&other, &path, json!({"kind": "equipment", "version": 2, "name": "Mine"})).await;
    assert_eq!(status, 404);
    let (_, theirs) = rt.get(&other, cat).await;
    assert!(!theirs.to_string().contains("Glass"), "another company's catalog is its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_orders_take_the_customers_equipment_and_edit_with_their_version() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let c = new_customer(&rt, &admin, "Walt").await;
    let id = c["id"].as_u64().unwrap();
    let (_, e1) = rt.post(&admin, &format!("/api/v1/customers/{id}/equipment"), json!({"name": "Panel"})).await;
    let (_, e2) =
        rt.post(&admin, &format!("/api/v1/customers/{id}/equipment"), json!({"name": "Sensor", "quantity": 3})).await;
    let path = format!("/api/v1/customers/{id}/work-orders");
    let body = json!({"type": "installation", "equipment_item_ids": [e1["id"], e2["id"]], "notes": "Front door first"});
    let (status, wo) = rt.post(&admin, &path, body).await;
    assert_eq!(status, 201, "{wo}");
    assert_eq!((wo["status"].as_str(), wo["version"].as_u64()), (Some("open"), Some(1)));
    assert_eq!(wo["items"][1], json!({"equipment_item_id": e2["id"], "name": "Sensor", "quantity": 3}));
    let (status, p) = rt.post(&admin, &path, json!({"type": "teleport", "equipment_item_ids": [999]})).await;
    assert_eq!((status, fields(&p)), (422, vec!["type".to_owned(), "equipment_item_ids[0]".to_owned()]), "{p}");
    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(home["tabs"]["work_orders"], 1);

    let (status, saved) = rt.patch(&admin, &path, json!({"id": wo["id"], "version": 1, "status": "completed"})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!((saved["status"].as_str(), saved["version"].as_u64()), (Some("completed"), Some(2)));
    let (status, p) = rt.patch(&admin, &path, json!({"id": wo["id"], "version": 1, "notes": "late"})).await;
    assert_eq!(status, 409, "{p}");
    let (_, list) = rt.get(&admin, &path).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(home["tabs"]["work_orders"], 0, "completed work orders leave the count");
    let other = rt.sign_in(OTHER_ADMIN).await;
    assert_eq!(rt.get(&other, &path).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installation_card_saves_services_and_whom_the_tech_reports_to() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let c = new_customer(&rt, &admin, "Ines").await;
    let id = c["id"].as_u64().unwrap();
    let path = format!("/api/v1/customers/{id}");
    let body = json!({"version": c["version"], "services": ["cellular_backup", "two_way_voice"],
                      "install_tech_reports_to_id": "acme-office"});
    let (status, saved) = rt.patch(&admin, &path, body).await;
    assert_eq!(status, 200, "{saved}");
    let (_, home) = rt.get(&admin, &path).await;
    let card = &home["cards"]["installation"];
    assert_eq!(card["services"], json!(["cellular_backup", "two_way_voice"]), "{card}");
    assert_eq!(card["install_tech_reports_to_id"], "acme-office");
    let (_, history) = rt.get(&admin, &format!("{path}/history")).await;
    assert!(history.to_string().contains("install_tech_reports_to_id"), "the change is in the history");
    let (status, p) =
        rt.patch(&admin, &path, json!({"version": home["version"], "install_tech_reports_to_id": "nobody-here"})).await;
    assert_eq!((status, fields(&p)), (422, vec!["install_tech_reports_to_id".to_owned()]), "{p}");
    // Whoever sees the Installation card sees it.
    let installer = rt.sign_in(INSTALLER).await;
    let (_, seen) = rt.get(&installer, &path).await;
    assert_eq!(seen["cards"]["installation"]["install_tech_reports_to_id"], "acme-office");
}
