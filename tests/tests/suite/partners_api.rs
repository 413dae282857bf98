//! Partner companies, campaigns and message templates over HTTP through the local runtime (issue 10, first half):
//! a partner of each kind with every setting, each validation rule named in a 422, versions, history, deletes refused
//! while records are attributed, write-only post keys, admin-only writes, the sources the forms offer, campaigns
//! with both uniqueness rules, and templates with merge fields and a masked preview.

use serde_json::{json, Value};
use vigil_domain::{CompanyId, PartnerId, UserId};
use vigil_store::keys;
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, LEAD_REP, OFFICE, OTHER_ADMIN};

const PARTNERS: &str = "/api/v1/partners";
const TEMPLATES: &str = "/api/v1/message-templates";
const POST_KEY: &str = "buyer-issued-intake-key-5521";

fn acme() -> CompanyId {
    CompanyId::parse("acme").expect("company id")
}

/// The `field` of every error of a problem body.
fn error_fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The code of the error naming `field`.
fn code_of<'a>(p: &'a Value, field: &str) -> &'a str {
    p["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["code"].as_str())
        .unwrap_or("")
}

async fn create(rt: &LocalRuntime, token: &str, body: Value) -> Value {
    let (status, p) = rt.post(token, PARTNERS, body).await;
    assert_eq!(status, 201, "{p}");
    p
}

/// The status and problem of a create that must be refused.
async fn refused(rt: &LocalRuntime, token: &str, body: Value) -> Value {
    let (status, p) = rt.post(token, PARTNERS, body.clone()).await;
    assert_eq!(status, 422, "{body} → {p}");
    p
}

fn lead_seller(name: &str) -> Value {
    json!({
        "name": name, "contact_person": "Alex", "phone": "801-555-0100", "email": "alex@abc-leads.com",
        "address1": "1 Lead Way", "city": "Provo", "state": "UT", "zip": "84601", "notes": "Pays on time",
        "kind": "outside", "sells_leads": true, "default_lead_location": "queue", "force_default_lead_location": true,
        "lead_purchase_emails": ["buy@abc-leads.com", "ops@abc-leads.com"], "lead_return_emails": ["ret@abc-leads.com"],
        "include_call_center_comments_with_return": true, "lead_queue_priority": "high"
    })
}

fn customer_seller(name: &str) -> Value {
    json!({
        "name": name, "sells_customers": true, "default_office_location_id": 2,
        "customer_purchase_emails": ["buy@seller.com"], "customer_return_emails": ["ret@seller.com"]
    })
}

async fn lead_options(rt: &LocalRuntime, token: &str) -> Value {
    let (status, o) = rt.get(token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{o}");
    o
}

fn source_ids(options: &Value) -> Vec<u64> {
    options["sources"].as_array().expect("sources").iter().filter_map(|s| s["id"].as_u64()).collect()
}

async fn new_lead(rt: &LocalRuntime, token: &str, source: u64, campaign: Option<u64>) -> Value {
    let opts = lead_options(rt, token).await;
    let body = json!({
        "source_id": source, "campaign_id": campaign, "first_name": "Petra", "last_name": "Partnered",
        "primary_phone": "(801) 555-0123", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "5 Source St", "email": "petra@example.com"
    });
    let (status, lead) = rt.post(token, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    lead
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_of_each_kind_is_created_with_every_setting_and_post_keys_are_never_returned() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;

    let seller = create(&rt, &admin, lead_seller("Test Lead SELLER")).await;
    assert_eq!(seller["sells_leads"], true);
    assert_eq!(seller["default_lead_location"], "queue");
    assert_eq!(seller["lead_queue_priority"], "high");
    assert_eq!(seller["lead_purchase_emails"], json!(["buy@abc-leads.com", "ops@abc-leads.com"]));
    assert_eq!(seller["version"], 1);
    assert_eq!(seller["active"], true);

    let cust = create(&rt, &admin, customer_seller("Customer Seller Co")).await;
    assert_eq!(cust["default_office_location_id"], 2);
    assert_eq!(cust["sells_customers"], true);
    assert_eq!(cust["sells_leads"], false);

    let buyer = create(
        &rt,
        &admin,
        json!({
            "name": "Test Lead BUYER", "buys_leads": true, "lead_delivery_method": "vigil",
            "lead_post_url": "https://buyer.example.com/api/v1/public/leads", "lead_source_id": "1042",
            "lead_sale_emails": ["sales@buyer.example.com"], "lead_post_key": POST_KEY
        }),
    )
    .await;
    assert_eq!(buyer["lead_post_key_set"], true);
    assert_eq!(buyer["customer_post_key_set"], false);
    assert!(buyer.get("lead_post_key").is_none() && buyer.get("lead_post_key_encrypted").is_none(), "{buyer}");

    let cbuyer = create(
        &rt,
        &admin,
        json!({
            "name": "Customer Buyer Co", "buys_customers": true, "customer_delivery_method": "email",
            "customer_sale_emails": ["accounts@cbuyer.example.com"], "customer_source_id": "77"
        }),
    )
    .await;
    assert_eq!(cbuyer["customer_delivery_method"], "email");

    let inside = create(
        &rt,
        &admin,
        json!({"name": "Self Generated Too", "kind": "inside", "sells_leads": true, "default_lead_location": "pending",
               "allow_login": true, "login_username": "Desk@Self-Gen.example"}),
    )
    .await;
    assert_eq!(inside["kind"], "inside");
    assert_eq!(inside["login_username"], "Desk@Self-Gen.example");

    // Plain http is accepted to a loopback host only (the local runtime's demo).
    create(
        &rt,
        &admin,
        json!({"name": "Loopback BUYER", "buys_leads": true, "lead_delivery_method": "vigil",
               "lead_post_url": "http://127.0.0.1:8080/api/v1/public/leads"}),
    )
    .await;

    // The post key never comes back: not on the read, the list, the history, the patch answer, nor stored in clear.
    let id = buyer["id"].as_u64().expect("id");
    let path = format!("{PARTNERS}/{id}");
    let (_, read) = rt.get(&admin, &path).await;
    let (_, list) = rt.get(&admin, PARTNERS).await;
    let (_, history) = rt.get(&admin, &format!("{path}/history")).await;
    let (status, patched) =
        rt.patch(&admin, &path, json!({"version": 1, "notes": "rotated", "lead_post_key": "second-key-9931"})).await;
    assert_eq!(status, 200, "{patched}");
    let (_, history2) = rt.get(&admin, &format!("{path}/history")).await;
    for (what, v) in
        [("read", &read), ("list", &list), ("history", &history), ("patch", &patched), ("history", &history2)]
    {
        let text = v.to_string();
        assert!(!text.contains(POST_KEY) && !text.contains("second-key-9931"), "the {what} carries a post key");
    }
    assert_eq!(read["lead_post_key_set"], true);
    assert!(history2["items"].as_array().expect("items").iter().any(|e| e["field"] == "lead_post_key"));
    let stored = rt
        .services()
        .table
        .get(&keys::partner(&acme(), PartnerId(u32::try_from(id).expect("small id"))))
        .await
        .expect("read")
        .expect("the partner");
    let text = serde_json::to_string(&stored).expect("json");
    assert!(!text.contains("second-key-9931") && !text.contains(POST_KEY), "a post key is stored in clear");
    assert!(stored["lead_post_key_encrypted"].is_string());

    // `null` removes a key.
    let (status, cleared) = rt.patch(&admin, &path, json!({"version": 2, "lead_post_key": null})).await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["lead_post_key_set"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_validation_rule_names_its_field() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;

    let p = refused(&rt, &admin, json!({"contact_person": "Nobody"})).await;
    assert_eq!(error_fields(&p), ["name"]);
    assert_eq!(code_of(&p, "name"), "required");

    // Each list item is checked; the error names the list and never quotes the value.
    let mut body = lead_seller("Bad Emails");
    body["lead_return_emails"] = json!(["ok@seller.com", "not-an-address"]);
    let p = refused(&rt, &admin, body).await;
    assert_eq!(error_fields(&p), ["lead_return_emails"]);
    assert!(!p.to_string().contains("not-an-address"), "{p}");

    let p = refused(&rt, &admin, json!({"name": "Bad Contact", "email": "nope"})).await;
    assert_eq!(error_fields(&p), ["email"]);

    // Enums, every bad one at once.
    let p = refused(
        &rt,
        &admin,
        json!({"name": "Enums", "kind": "sideways", "sells_leads": true, "default_lead_location": "attic",
               "lead_queue_priority": "urgent", "buys_customers": true, "customer_delivery_method": "pigeon"}),
    )
    .await;
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["customer_delivery_method", "default_lead_location", "kind", "lead_queue_priority"]);
    assert_eq!(code_of(&p, "kind"), "not_allowed");

    // Conditional requirements.
    let p = refused(&rt, &admin, json!({"name": "Seller", "sells_leads": true, "sells_customers": true})).await;
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["default_lead_location", "default_office_location_id"]);
    let p = refused(&rt, &admin, json!({"name": "Seller", "sells_customers": true, "default_office_location_id": 99}))
        .await;
    assert_eq!(
        (error_fields(&p), code_of(&p, "default_office_location_id")),
        (vec!["default_office_location_id".to_owned()], "not_found")
    );
    let p = refused(&rt, &admin, json!({"name": "Buyer", "buys_leads": true})).await;
    assert_eq!(error_fields(&p), ["lead_delivery_method"]);
    let p = refused(&rt, &admin, json!({"name": "Buyer", "buys_leads": true, "lead_delivery_method": "vigil"})).await;
    assert_eq!((error_fields(&p), code_of(&p, "lead_post_url")), (vec!["lead_post_url".to_owned()], "required"));
    let p = refused(&rt, &admin, json!({"name": "Buyer", "buys_customers": true, "customer_delivery_method": "email"}))
        .await;
    assert_eq!(error_fields(&p), ["customer_sale_emails"]);
    let p = refused(&rt, &admin, json!({"name": "Login", "allow_login": true})).await;
    assert_eq!(error_fields(&p), ["login_username"]);
    let p = refused(&rt, &admin, json!({"name": "Login", "allow_login": true, "login_username": "self.gen"})).await;
    assert_eq!((error_fields(&p), code_of(&p, "login_username")), (vec!["login_username".to_owned()], "invalid"));

    // Post URLs: https, or http to loopback only; no credentials in them.
    for (url, code) in [
        ("http://buyer.example.com/api/v1/public/leads", "https_required"),
        ("http://10.0.0.7/intake", "https_required"),
        ("ftp://buyer.example.com/x", "invalid"),
        ("https://user:pw@buyer.example.com/x", "invalid"),
        ("buyer.example.com/intake", "invalid"),
    ] {
        let p = refused(
            &rt,
            &admin,
            json!({"name": "Url", "buys_leads": true, "lead_delivery_method": "vigil", "lead_post_url": url}),
        )
        .await;
        assert_eq!((error_fields(&p), code_of(&p, "lead_post_url")), (vec!["lead_post_url".to_owned()], code), "{url}");
    }

    // Auto-response templates must exist.
    let mut body = lead_seller("Templated");
    body["lead_auto_response_template_id"] = json!(999);
    body["customer_auto_response_template_id"] = json!(998);
    let p = refused(&rt, &admin, body).await;
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["customer_auto_response_template_id", "lead_auto_response_template_id"]);

    // Names are unique in the company, whatever their case; another company may use the same name.
    create(&rt, &admin, lead_seller("Unique Leads LLC")).await;
    let p = refused(&rt, &admin, lead_seller("unique leads llc")).await;
    assert_eq!((error_fields(&p), code_of(&p, "name")), (vec!["name".to_owned()], "taken"));
    let other = rt.sign_in(OTHER_ADMIN).await;
    create(&rt, &other, lead_seller("Unique Leads LLC")).await;

    // Unknown fields are refused rather than dropped.
    let p = refused(&rt, &admin, json!({"name": "Typo", "sells_lead": true})).await;
    assert_eq!(error_fields(&p), ["sells_lead"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_history_and_deletes_refused_while_records_are_attributed() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let p = create(&rt, &admin, lead_seller("Attributed Leads")).await;
    let id = p["id"].as_u64().expect("id");
    let path = format!("{PARTNERS}/{id}");

    // A stale version is 409 with what is stored; the right one saves and goes up by one.
    let (status, ok) = rt.patch(&admin, &path, json!({"version": 1, "lead_queue_priority": "medium"})).await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["version"], 2);
    let (status, stale) = rt.patch(&admin, &path, json!({"version": 1, "notes": "late"})).await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["current"]["lead_queue_priority"], "medium");
    let (status, missing) = rt.patch(&admin, &path, json!({"notes": "no version"})).await;
    assert_eq!((status, error_fields(&missing)), (422, vec!["version".to_owned()]));

    // The history has the creation and the change, with who and before/after.
    let (_, h) = rt.get(&admin, &format!("{path}/history")).await;
    let items = h["items"].as_array().expect("items");
    assert_eq!(items[0]["field"], "created");
    let change = items.iter().rev().find(|e| e["field"] == "lead_queue_priority").expect("the change");
    assert_eq!((change["before"].clone(), change["after"].clone()), (json!("high"), json!("medium")));
    assert_eq!(change["by"], "acme-admin");

    // A lead attributed to it: deleting is refused; deactivating keeps it readable and the lead's source named.
    let lead = new_lead(&rt, &admin, id, None).await;
    let (status, refused) = rt.delete(&admin, &format!("{path}?version=2")).await;
    assert_eq!(status, 409, "{refused}");
    let (status, off) = rt.patch(&admin, &path, json!({"version": 2, "active": false})).await;
    assert_eq!(status, 200, "{off}");
    let (status, still) = rt.get(&admin, &path).await;
    assert_eq!((status, still["active"].clone()), (200, json!(false)));
    let (status, list) = rt.get(&admin, &format!("/api/v1/leads?source={id}&submitted=true")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["source"]["name"], "Attributed Leads", "{list}");
    let (status, refused) = rt.delete(&admin, &format!("{path}?version=3")).await;
    assert_eq!(status, 409, "{refused}");

    // Moving the lead to another source unattributes it: now the partner may go.
    let other_source = source_ids(&lead_options(&rt, &admin).await)[0];
    let (status, moved) = rt
        .patch(
            &admin,
            &format!("/api/v1/leads/{}", lead["id"]),
            json!({"version": lead["version"], "source_id": other_source}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let (status, stale) = rt.delete(&admin, &format!("{path}?version=2")).await;
    assert_eq!(status, 409, "{stale}");
    let (status, _) = rt.delete(&admin, &format!("{path}?version=3")).await;
    assert_eq!(status, 204);
    let (status, _) = rt.get(&admin, &path).await;
    assert_eq!(status, 404);
    // Its name is free again.
    create(&rt, &admin, lead_seller("Attributed Leads")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_change_partners_and_other_companies_see_none() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let rep = rt.sign_in(LEAD_REP).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let p = create(&rt, &admin, lead_seller("Guarded Leads")).await;
    let id = p["id"].as_u64().expect("id");
    let path = format!("{PARTNERS}/{id}");

    // Office staff hold View Partner Companies: they read, and may not write.
    let (status, _) = rt.get(&office, &path).await;
    assert_eq!(status, 200);
    for (method, path, body) in [
        ("POST", PARTNERS.to_owned(), Some(lead_seller("Office Made"))),
        ("PATCH", path.clone(), Some(json!({"version": 1, "notes": "x"}))),
        ("DELETE", format!("{path}?version=1"), None),
        ("POST", format!("{path}/campaigns"), Some(json!({"name": "Nope"}))),
        ("POST", TEMPLATES.to_owned(), Some(json!({"name": "T", "subject": "S", "body": "B"}))),
    ] {
        let (status, _) = vigil_tests::runtime::send(&rt, method, &office, &path, body).await;
        assert_eq!(status, 403, "{method} {path} as office");
    }
    // A lead rep has no Partner Companies grant at all.
    for path in [PARTNERS.to_owned(), path.clone(), format!("{path}/history"), TEMPLATES.to_owned()] {
        let (status, _) = rt.get(&rep, &path).await;
        assert_eq!(status, 403, "GET {path} as lead rep");
    }
    // Another company's admin: the ID does not exist for them.
    let (status, _) = rt.get(&other, &path).await;
    assert_eq!(status, 404);
    let (status, _) = rt.patch(&other, &path, json!({"version": 1, "notes": "x"})).await;
    assert_eq!(status, 404);
    let (_, theirs) = rt.get(&other, PARTNERS).await;
    assert!(!theirs.to_string().contains("Guarded Leads"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_offer_the_active_partners_that_sell_that_kind() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let leads_only = create(&rt, &admin, lead_seller("Leads Only")).await["id"].as_u64().expect("id");
    let customers_only = create(&rt, &admin, customer_seller("Customers Only")).await["id"].as_u64().expect("id");
    let buyer = create(
        &rt,
        &admin,
        json!({"name": "Buyer Only", "buys_leads": true, "lead_delivery_method": "email", "lead_sale_emails": ["b@buyer.com"]}),
    )
    .await["id"]
        .as_u64()
        .expect("id");

    let lead_sources = source_ids(&lead_options(&rt, &admin).await);
    let (status, copts) = rt.get(&admin, "/api/v1/customers/form-options").await;
    assert_eq!(status, 200, "{copts}");
    let customer_sources = source_ids(&copts);
    assert!(lead_sources.contains(&leads_only) && !lead_sources.contains(&customers_only));
    assert!(customer_sources.contains(&customers_only) && !customer_sources.contains(&leads_only));
    assert!(!lead_sources.contains(&buyer) && !customer_sources.contains(&buyer));
    // The demo's inside source and "ABC Leads, Inc." are offered for leads; the demo buyers are not.
    let (_, all) = rt.get(&admin, PARTNERS).await;
    let id_of = |name: &str| {
        all["items"].as_array().expect("items").iter().find(|p| p["name"] == name).and_then(|p| p["id"].as_u64())
    };
    assert!(lead_sources.contains(&id_of("ABC Leads, Inc.").expect("seeded")));
    assert!(lead_sources.contains(&id_of("Self-Generated").expect("seeded")));
    assert!(!lead_sources.contains(&id_of("Test Customer BUYER").expect("seeded")));

    // Deactivated: no longer offered, still listed for admins.
    let (status, _) =
        rt.patch(&admin, &format!("{PARTNERS}/{leads_only}"), json!({"version": 1, "active": false})).await;
    assert_eq!(status, 200);
    assert!(!source_ids(&lead_options(&rt, &admin).await).contains(&leads_only));
    let (_, all) = rt.get(&admin, PARTNERS).await;
    assert!(all["items"].as_array().expect("items").iter().any(|p| p["id"] == leads_only && p["active"] == false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_are_unique_by_name_within_a_partner_and_by_external_pair_within_the_company() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let a = create(&rt, &admin, lead_seller("Campaign Partner A")).await["id"].as_u64().expect("id");
    let b = create(&rt, &admin, lead_seller("Campaign Partner B")).await["id"].as_u64().expect("id");
    let campaigns = |p: u64| format!("{PARTNERS}/{p}/campaigns");

    let (status, cold) = rt
        .post(
            &admin,
            &campaigns(a),
            json!({"name": "Cold Call", "description": "Phones", "direction": "inbound",
                   "external_partner_id": "77", "external_campaign_id": "1"}),
        )
        .await;
    assert_eq!(status, 201, "{cold}");
    assert_eq!((cold["partner_id"].as_u64(), cold["version"].as_u64()), (Some(a), Some(1)));

    // The same name in the same partner (any case) is taken; in another partner it is fine.
    let (status, p) = rt.post(&admin, &campaigns(a), json!({"name": "cold call"})).await;
    assert_eq!((status, code_of(&p, "name")), (422, "taken"), "{p}");
    let (status, other) = rt.post(&admin, &campaigns(b), json!({"name": "Cold Call", "direction": "outbound"})).await;
    assert_eq!(status, 201, "{other}");

    // The external pair is unique in the company, whichever partner; half a pair is refused.
    let (status, p) = rt
        .post(&admin, &campaigns(b), json!({"name": "Web", "external_partner_id": "77", "external_campaign_id": "1"}))
        .await;
    assert_eq!((status, code_of(&p, "external_campaign_id")), (422, "taken"), "{p}");
    let (status, p) = rt.post(&admin, &campaigns(b), json!({"name": "Web", "external_partner_id": "77"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["external_campaign_id".to_owned()]));
    let (status, p) = rt.post(&admin, &campaigns(b), json!({"name": "Web", "direction": "sideways"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["direction".to_owned()]));

    // Edit with version; moving the pair frees the old one.
    let cid = cold["id"].as_u64().expect("id");
    let (status, stale) =
        rt.patch(&admin, &format!("/api/v1/campaigns/{cid}"), json!({"version": 7, "name": "X"})).await;
    assert_eq!(status, 409, "{stale}");
    let (status, moved) = rt
        .patch(
            &admin,
            &format!("/api/v1/campaigns/{cid}"),
            json!({"version": 1, "external_campaign_id": "2", "name": "Cold Calls"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!((moved["name"].clone(), moved["version"].clone()), (json!("Cold Calls"), json!(2)));
    let (status, reuse) = rt
        .post(&admin, &campaigns(b), json!({"name": "Web", "external_partner_id": "77", "external_campaign_id": "1"}))
        .await;
    assert_eq!(status, 201, "{reuse}");

    // The lead form offers the campaign under its source; a lead carrying it blocks the campaign's delete.
    let opts = lead_options(&rt, &admin).await;
    let source = opts["sources"].as_array().expect("sources").iter().find(|s| s["id"] == a).expect("partner A");
    assert!(source["campaigns"].as_array().expect("campaigns").iter().any(|c| c["id"] == cid));
    let lead = new_lead(&rt, &admin, a, Some(cid)).await;
    let (status, list) = rt.get(&admin, &format!("/api/v1/leads?source={a}&campaign={cid}&submitted=true")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["id"], lead["id"]);
    let (status, _) = rt.delete(&admin, &format!("/api/v1/campaigns/{cid}?version=2")).await;
    assert_eq!(status, 409);
    let (_, listed) = rt.get(&admin, &campaigns(a)).await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    let other_id = other["id"].as_u64().expect("id");
    let (status, _) = rt.delete(&admin, &format!("/api/v1/campaigns/{other_id}?version=1")).await;
    assert_eq!(status, 204);

    // Campaign changes are in the partner's history.
    let (_, h) = rt.get(&admin, &format!("{PARTNERS}/{a}/history")).await;
    assert!(h["items"].as_array().expect("items").iter().any(|e| e["field"] == format!("campaign {cid}: name")), "{h}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_templates_refuse_unknown_merge_fields_and_preview_through_the_masking() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;

    let (status, p) = rt
        .post(&admin, TEMPLATES, json!({"name": "Bad", "subject": "Hi {{first_name}}", "body": "Your {{ssn}} here"}))
        .await;
    assert_eq!((status, error_fields(&p)), (422, vec!["body".to_owned()]), "{p}");
    assert_eq!(code_of(&p, "body"), "unknown_merge_field");
    assert!(p["errors"][0]["message"].as_str().unwrap_or("").contains("{{ssn}}"), "{p}");
    let (status, p) = rt.post(&admin, TEMPLATES, json!({"name": "Bad", "subject": "{{nope", "body": "x"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["subject".to_owned()]));

    let (status, t) = rt
        .post(
            &admin,
            TEMPLATES,
            json!({"name": "Returned", "subject": "Lead {{lead_id}} from {{partner_name}}",
                   "body": "{{first_name}} {{last_name}} <{{email}}> at {{company_name}}: {{return_reason}}"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let tid = t["id"].as_u64().expect("id");
    let (status, dup) = rt.post(&admin, TEMPLATES, json!({"name": "returned", "subject": "s", "body": "b"})).await;
    assert_eq!((status, code_of(&dup, "name")), (422, "taken"));
    let (status, stale) = rt.patch(&admin, &format!("{TEMPLATES}/{tid}"), json!({"version": 5, "subject": "x"})).await;
    assert_eq!(status, 409, "{stale}");
    let (status, p) = rt.patch(&admin, &format!("{TEMPLATES}/{tid}"), json!({"version": 1, "body": "{{last}}"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["body".to_owned()]));

    // A partner's auto-response names an existing template.
    let mut body = lead_seller("Auto Responder");
    body["lead_auto_response_template_id"] = json!(tid);
    let partner = create(&rt, &admin, body).await;
    assert_eq!(partner["lead_auto_response_template_id"], tid);

    // Office staff may not manage or preview templates.
    let (status, _) = rt.get(&office, TEMPLATES).await;
    assert_eq!(status, 403);

    // The preview merges the record as the caller may read it.
    let pid = partner["id"].as_u64().expect("id");
    let lead = new_lead(&rt, &admin, pid, None).await;
    let preview = format!("{TEMPLATES}/{tid}/preview");
    let (status, r) = rt.post(&admin, &preview, json!({"record_id": lead["id"]})).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["subject"], format!("Lead {} from Auto Responder", lead["id"]));
    assert!(
        r["body"].as_str().unwrap_or("").starts_with("Petra Partnered <petra@example.com> at Acme Alarm Co.: "),
        "{r}"
    );

    // Without the Contact Information section the names stay and the email is left out.
    let svc = rt.services();
    let key = keys::user(&acme(), &UserId::parse("acme-admin").expect("user id"));
    let mut item = svc.table.get(&key).await.expect("read").expect("the admin");
    let kept: Vec<Value> = item["permissions"]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .filter(|s| s[0] != "contact_information")
        .cloned()
        .collect();
    item["permissions"]["sections"] = json!(kept);
    svc.table.put(item, None).await.expect("write");
    let (status, r) = rt.post(&admin, &preview, json!({"record_id": lead["id"]})).await;
    assert_eq!(status, 200, "{r}");
    assert!(r["body"].as_str().unwrap_or("").starts_with("Petra Partnered <> at Acme Alarm Co.: "), "{r}");
    assert!(!r.to_string().contains("petra@example.com"));

    // A record the caller may not read, or another company's, is not found; deleting needs the version.
    let other = rt.sign_in(OTHER_ADMIN).await;
    let (status, _) = rt.post(&other, &preview, json!({"record_id": lead["id"]})).await;
    assert_eq!(status, 404);
    let (status, _) = rt.post(&admin, &preview, json!({"record_id": 99_999_999})).await;
    assert_eq!(status, 404);
    let (status, _) = rt.delete(&admin, &format!("{TEMPLATES}/{tid}")).await;
    assert_eq!(status, 422);
    let (status, _) = rt.delete(&admin, &format!("{TEMPLATES}/{tid}?version=1")).await;
    assert_eq!(status, 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_ids_continue_past_partners_and_campaigns_stored_before_their_sequences() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    // A company seeded before the sequences existed has partners and campaigns but no counters.
    let svc = rt.services();
    svc.table.delete(&keys::partner_sequence(&acme()), None).await.expect("delete");
    svc.table.delete(&keys::campaign_sequence(&acme()), None).await.expect("delete");
    let (_, all) = rt.get(&admin, PARTNERS).await;
    let items = all["items"].as_array().expect("items");
    let max_partner = items.iter().filter_map(|p| p["id"].as_u64()).max().expect("seeded partners");
    let campaign_ids: Vec<u64> = items
        .iter()
        .flat_map(|p| p["campaigns"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["id"].as_u64())
        .collect();

    let p = create(&rt, &admin, lead_seller("After The Sequence")).await;
    assert_eq!(p["id"].as_u64(), Some(max_partner + 1));
    let (status, c) = rt.post(&admin, &format!("{PARTNERS}/{}/campaigns", p["id"]), json!({"name": "First"})).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["id"].as_u64(), campaign_ids.iter().max().map(|m| m + 1));
}
