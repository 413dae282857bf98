//! Monthly monitoring rates (MMR) over HTTP through the local runtime: the company configuration (read, admin-only
//! write, validation naming the field, stale versions), the breakout picker's filters and mismatch flags, and what
//! a customer may be given (a mismatched rate stays with the customer who has it, and goes to nobody else; simple
//! mode picks from the dropdown list).

use serde_json::{json, Value};
use vigil_tests::runtime::{send, LocalRuntime};
use vigil_tests::users::{ADMIN, OFFICE, OTHER_ADMIN};

async fn new_customer(rt: &LocalRuntime, token: &str, first: &str, extra: Value) -> (u16, Value) {
    let mut body = json!({
        "first_name": first, "last_name": "Ratepayer", "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
        "account_type": "residential", "office_location_id": 1
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    rt.post(token, "/api/v1/customers", body).await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn ids(list: &Value) -> Vec<u64> {
    list["items"].as_array().unwrap().iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

fn rate<'a>(settings: &'a Value, name: &str) -> &'a Value {
    settings["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no rate named {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_read_by_staff_and_changed_by_admins_with_validation_and_versions() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;

    // The first demo company is in breakout mode with four items and a legacy (mismatched) rate.
    let (status, s) = rt.get(&office, "/api/v1/settings/mmr").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["mode"], "breakout");
    let items: Vec<&str> = s["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(items, ["Monitoring", "Financing", "Warranty", "Video"]);
    assert!(s["rates"].as_array().unwrap().len() >= 12);
    assert_eq!(rate(&s, "Legacy Cellular")["mismatch"], true);
    assert_eq!(rate(&s, "Standard")["mismatch"], false);
    assert_eq!(rate(&s, "Standard")["line_items"][0]["name"], "Monitoring");
    let version = s["version"].as_u64().unwrap();

    // Only admins change it.
    let (status, _) = rt.put(&office, "/api/v1/settings/mmr", s.clone()).await;
    assert_eq!(status, 403);

    // Validation names the field.
    let mut bad = s.clone();
    bad["rates"][2]["line_items"][0]["item_id"] = json!(77);
    bad["rates"][0]["name"] = json!("x".repeat(61));
    bad["rates"][1]["amount_cents"] = json!(34.99);
    let (status, p) = rt.put(&admin, "/api/v1/settings/mmr", bad).await;
    assert_eq!(status, 422, "{p}");
    let f = fields(&p);
    for want in ["rates[2].line_items[0].item_id", "rates[0].name", "rates[1].amount_cents"] {
        assert!(f.iter().any(|x| x == want), "{want} not in {f:?}");
    }
    // Breakout totals are the sum of the lines; rates are deactivated, never removed.
    let mut bad = s.clone();
    bad["rates"][3]["amount_cents"] = json!(1);
    assert_eq!(fields(&rt.put(&admin, "/api/v1/settings/mmr", bad).await.1), ["rates[3].amount_cents"]);
    let mut bad = s.clone();
    bad["rates"].as_array_mut().unwrap().remove(0);
    assert_eq!(fields(&rt.put(&admin, "/api/v1/settings/mmr", bad).await.1), ["rates"]);

    // A valid change: deactivate Basic, add a rate; the version moves on.
    let mut next = s.clone();
    next["rates"][0]["active"] = json!(false);
    next["rates"].as_array_mut().unwrap().push(json!({
        "name": "Premium", "amount_cents": 8999,
        "line_items": [{"item_id": 1, "amount_cents": 4999}, {"item_id": 2, "amount_cents": 2000}, {"item_id": 3, "amount_cents": 1000}, {"item_id": 4, "amount_cents": 1000}]
    }));
    let (status, saved) = rt.put(&admin, "/api/v1/settings/mmr", next.clone()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"].as_u64(), Some(version + 1));
    let premium = rate(&saved, "Premium");
    assert!(premium["id"].as_u64().unwrap() > 13 && premium["mismatch"] == false);
    assert_eq!(premium["line_items"][1]["name"], "Financing");

    // The same body again carries a stale version.
    let (status, p) = rt.put(&admin, "/api/v1/settings/mmr", next).await;
    assert_eq!(status, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("another admin changed the MMR settings"));
    assert_eq!(p["current"]["version"].as_u64(), Some(version + 1));

    // Form options: the mode, and only the rates a customer can be given (not Basic now, no legacy rates).
    let (_, opts) = rt.get(&office, "/api/v1/customers/form-options").await;
    assert_eq!(opts["mmr_mode"], "breakout");
    let names: Vec<&str> = opts["mmr_rates"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"Premium") && !names.contains(&"Basic") && !names.contains(&"Legacy Cellular"),
        "{names:?}"
    );
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_filters_and_a_mismatched_rate_stays_with_its_customer() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, s) = rt.get(&admin, "/api/v1/settings/mmr").await;
    let legacy = rate(&s, "Legacy Cellular")["id"].as_u64().unwrap();
    let standard = rate(&s, "Standard");
    let standard_id = standard["id"].as_u64().unwrap();

    // Everything active, with the filter choices.
    let (status, all) = rt.get(&admin, "/api/v1/customers/mmr-rates").await;
    assert_eq!(status, 200, "{all}");
    let every = ids(&all);
    assert!(
        every.contains(&legacy) && !every.contains(&rate(&s, "Retired Basic")["id"].as_u64().unwrap()),
        "inactive rates are not offered"
    );
    assert!(all["filters"]["total"].as_array().unwrap().contains(&json!(3999)));
    let item_filters: Vec<&str> =
        all["filters"]["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(item_filters, ["Monitoring", "Financing", "Warranty", "Video"]);
    assert!(all["filters"]["items"][0]["amounts"].as_array().unwrap().contains(&json!(3499)));
    let legacy_card = all["items"].as_array().unwrap().iter().find(|r| r["id"] == legacy).unwrap();
    assert_eq!(legacy_card["mismatch"], true);
    assert_eq!(legacy_card["assignable"], false);
    assert_eq!(legacy_card["line_items"][1]["name"], "Cellular", "the legacy line keeps its name");

    // Total narrows; items narrow further.
    let (_, by_total) = rt.get(&admin, "/api/v1/customers/mmr-rates?total=3999").await;
    let t = ids(&by_total);
    assert!(t.len() >= 2 && t.len() < every.len() && t.contains(&standard_id), "{t:?}");
    assert!(by_total["items"].as_array().unwrap().iter().all(|r| r["amount_cents"] == 3999));
    let (_, by_items) = rt.get(&admin, "/api/v1/customers/mmr-rates?total=3999&items=1:3499,3:500").await;
    assert_eq!(ids(&by_items), [standard_id]);
    assert_eq!(by_items["filters"], all["filters"], "filter choices do not shrink with the filters");
    let (_, by_item) = rt.get(&admin, "/api/v1/customers/mmr-rates?items=2:1500").await;
    assert!(by_item["items"].as_array().unwrap().iter().all(|r| r["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["item_id"] == 2 && l["amount_cents"] == 1500)));
    assert!(!ids(&by_item).is_empty());
    for bad in ["total=12.50", "items=1-3499", "items=x:1", "customer_id=abc"] {
        let (status, p) = rt.get(&admin, &format!("/api/v1/customers/mmr-rates?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {p}");
        assert_eq!(fields(&p), [bad.split('=').next().unwrap()], "{bad}");
    }

    // A customer with a rate that mismatches: put the legacy rate on one directly (as it was before the items
    // changed), since nobody can be given it now.
    let (status, c) = new_customer(&rt, &admin, "Lucy", json!({"mmr_id": standard_id})).await;
    assert_eq!(status, 201, "{c}");
    let cid = c["id"].as_u64().unwrap();
    assert_eq!(c["cards"]["sale"]["mmr"]["id"].as_u64(), Some(standard_id));
    assert_eq!(c["cards"]["sale"]["mmr"]["mismatch"], false);
    assert_eq!(c["cards"]["sale"]["mmr"]["line_items"].as_array().unwrap().len(), 4);
    let (status, p) =
        rt.patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": c["version"], "mmr_id": legacy})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(fields(&p), ["mmr_id"]);
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("no longer matches your company's MMR items"));
    let (status, p) = new_customer(&rt, &admin, "Nora", json!({"mmr_id": legacy})).await;
    assert_eq!(status, 422, "create refuses it too: {p}");
    assert_eq!(fields(&p), ["mmr_id"]);

    // The seeded customer holding it: find it through the store, then save another field and keep the rate.
    let holder = holder_of(&rt, legacy).await;
    let path = format!("/api/v1/customers/{holder}");
    let (_, h) = rt.get(&admin, &path).await;
    assert_eq!(h["cards"]["sale"]["mmr"]["mismatch"], true);
    let (status, saved) =
        rt.patch(&admin, &path, json!({"version": h["version"], "mmr_id": legacy, "spouse": "Kept"})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["cards"]["sale"]["mmr_id"].as_u64(), Some(legacy));
    assert_eq!(saved["cards"]["personal"]["spouse"], "Kept");
    // For its own customer the picker offers it.
    let (_, mine) = rt.get(&admin, &format!("/api/v1/customers/mmr-rates?customer_id={holder}")).await;
    let card = mine["items"].as_array().unwrap().iter().find(|r| r["id"] == legacy).unwrap();
    assert_eq!((card["mismatch"].clone(), card["assignable"].clone()), (json!(true), json!(true)));
    // A duplicate is another customer: it starts without the rate rather than failing.
    let (status, d) = send(&rt, "POST", &admin, &format!("{path}/duplicate"), None).await;
    assert_eq!(status, 201, "{d}");
    assert!(d["cards"]["sale"]["mmr_id"].is_null() && d["cards"]["sale"]["mmr"].is_null());
    let (status, d2) = send(&rt, "POST", &admin, &format!("/api/v1/customers/{cid}/duplicate"), None).await;
    assert_eq!(status, 201);
    assert_eq!(d2["cards"]["sale"]["mmr_id"].as_u64(), Some(standard_id), "a matching rate is copied");

    // Unknown rate IDs are refused.
    let (_, c) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    let (status, p) =
        rt.patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": c["version"], "mmr_id": 999})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["code"], "not_found");
    // Clearing the rate is always fine.
    let (status, cleared) =
        rt.patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": c["version"], "mmr_id": null})).await;
    assert_eq!(status, 200, "{cleared}");
    assert!(cleared["cards"]["sale"]["mmr"].is_null());
    rt.stop().await;
}

/// The seeded customer of the first company whose rate is `rate` (there is exactly one for the legacy rate).
async fn holder_of(rt: &LocalRuntime, rate: u64) -> u64 {
    use vigil_domain::record::{Kind, Record};
    use vigil_store::{keys, Index, Query};
    let co = vigil_domain::CompanyId::parse("acme").unwrap();
    let (pk, _) = keys::records_by_id_gsi2(&co, Kind::Customer, vigil_domain::RecordId(0));
    let page = rt.services().table.query(&Query::new(Index::Gsi2, pk).limit(500)).await.unwrap();
    let holders: Vec<u64> = page
        .items
        .into_iter()
        .filter_map(|i| serde_json::from_value::<Record>(Value::Object(i)).ok())
        .filter(|r| r.lead.customer.mmr_id == Some(rate as u32))
        .map(|r| r.id.0)
        .collect();
    assert_eq!(holders.len(), 1, "{holders:?}");
    holders[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simple_mode_company_picks_from_the_dropdown_list() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(OTHER_ADMIN).await;
    let (_, s) = rt.get(&admin, "/api/v1/settings/mmr").await;
    assert_eq!(s["mode"], "simple");
    let (_, opts) = rt.get(&admin, "/api/v1/customers/form-options").await;
    assert_eq!(opts["mmr_mode"], "simple");
    let names: Vec<&str> = opts["mmr_rates"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Basic", "Standard", "Interactive", "Video"]);
    let video = opts["mmr_rates"][3]["id"].as_u64().unwrap();
    assert_eq!(opts["mmr_rates"][3]["amount_cents"], 5999);

    let (status, c) = new_customer(&rt, &admin, "Simon", json!({})).await;
    assert_eq!(status, 201, "{c}");
    let path = format!("/api/v1/customers/{}", c["id"]);
    let (status, saved) =
        rt.patch(&admin, &path, json!({"version": c["version"], "mmr_id": video, "mmr_a_la_carte": true})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["cards"]["sale"]["mmr_id"].as_u64(), Some(video));
    assert_eq!(saved["cards"]["sale"]["mmr_a_la_carte"], true);
    assert_eq!(saved["cards"]["sale"]["mmr"]["name"], "Video");
    assert_eq!(saved["cards"]["sale"]["mmr"]["mismatch"], false, "nothing mismatches in simple mode");
    let (status, p) = rt.patch(&admin, &path, json!({"version": saved["version"], "mmr_id": 42})).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&p), ["mmr_id"]);

    // A deactivated rate stays with its customer and goes to nobody new.
    let mut next = s.clone();
    next["rates"][3]["active"] = json!(false);
    let (status, _) = rt.put(&admin, "/api/v1/settings/mmr", next).await;
    assert_eq!(status, 200);
    let (status, kept) = rt.patch(&admin, &path, json!({"version": saved["version"], "spouse": "Still Video"})).await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["cards"]["sale"]["mmr_id"].as_u64(), Some(video));
    let (status, p) = new_customer(&rt, &admin, "Vera", json!({"mmr_id": video})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["code"], "inactive");
    rt.stop().await;
}
