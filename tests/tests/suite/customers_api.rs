//! The customer record over HTTP through the local runtime: the Home page read with section and confidential-field
//! masking, saving with grants and versions, plain create, converting a lead, parent/sub-customers, archive and
//! unarchive with their cascade, sub-records, delete, duplicate, history and tenancy.
//!
//! Confidential values (SSN, birthdate) are compared without printing them, so a failure never shows one.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Index, Query};
use vigil_tests::runtime::{eventually, send, LocalRuntime};
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN, SALES};

const SSN: &str = "123-45-6789";
const BIRTHDATE: &str = "1980-05-17";

/// A new customer at office location 1 (the sales rep's and installer's home), with extra fields.
async fn new_customer(rt: &LocalRuntime, token: &str, first: &str, extra: Value) -> Value {
    let mut body = json!({
        "first_name": first, "last_name": "Homeowner", "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
        "zip": "84601", "address1": "77 Canyon Rd", "account_type": "residential", "office_location_id": 1
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, c) = rt.post(token, "/api/v1/customers", body).await;
    assert_eq!(status, 201, "{}", c["detail"]);
    c
}

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("record id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_shows_cards_by_section_and_masks_confidential_fields() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;

    // Form options come from the company's seeded lists.
    let (status, opts) = rt.get(&office, "/api/v1/customers/form-options").await;
    assert_eq!(status, 200, "{opts}");
    assert_eq!(opts["office_locations"].as_array().unwrap().len(), 3);
    assert!(opts["sold_by"].as_array().unwrap().iter().any(|u| u["id"] == "acme-sales-rep"));
    assert!(opts["technicians"].as_array().unwrap().iter().any(|u| u["id"] == "acme-installer"));
    for list in ["mmr_rates", "monitoring_companies", "contract_terms", "activation_fees", "account_classes"] {
        assert!(!opts[list].as_array().unwrap().is_empty(), "{list}");
    }
    assert_eq!(opts["parent_child_billing"], true);
    let mmr = opts["mmr_rates"][1]["id"].as_u64().unwrap();

    let c = new_customer(
        &rt,
        &admin,
        "Connie",
        json!({"ssn": SSN, "birthdate": BIRTHDATE, "confirmation_number": "CN-5521", "abort_code": "4411", "sale_date": "2026-01-10",
               "sold_by_id": "acme-sales-rep", "contract_term_months": 36, "mmr_id": mmr, "credit_score": 712,
               "install_tech_id": "acme-installer", "installed": true, "services": ["cellular_backup", "two_way_voice"]}),
    )
    .await;
    let cid = id(&c);
    assert_eq!(c["kind"], "customer");
    assert_eq!(c["cards"]["personal"]["credit_grade"], "A");
    assert!(c["cards"]["sale"]["contract_months_remaining"].as_u64().is_some());
    assert_eq!(c["header"]["sale"]["sold_by"]["name"], "Sam Sales");
    assert_eq!(c["header"]["install"]["technician"]["name"], "Ian Installer");
    assert_eq!(c["header"]["location"]["name"], "Salt Lake City");
    assert_eq!(c["header"]["created_by"]["name"], "Avery Admin");
    assert!(c["header"]["status_boxes"].as_array().unwrap().iter().any(|b| b["label"] == "Monitored"));
    assert!(c["tabs"]["notes"].is_number() && c["warnings"]["notes"].is_boolean());

    // The admin holds every confidential grant.
    let (_, a) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    assert!(a["cards"]["personal"]["ssn"] == SSN, "admin sees the SSN");
    assert!(a["cards"]["personal"]["birthdate"] == BIRTHDATE, "admin sees the birthdate");
    assert_eq!(a["cards"]["installation"]["confirmation_number"], "CN-5521");

    // Office staff see the cards but every confidential field masked.
    let (status, o) = rt.get(&office, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(status, 200);
    assert!(o["cards"]["personal"]["ssn"].as_str().is_some_and(|s| s.starts_with("***")), "office sees a masked SSN");
    assert!(o["cards"]["personal"]["birthdate"] == "***", "office sees a masked birthdate");
    assert_eq!(o["cards"]["installation"]["confirmation_number"], "***");
    assert_eq!(o["cards"]["installation"]["abort_code"], "***");
    assert_eq!(o["cards"]["installation"]["receiver_number"], Value::Null, "nothing stored shows as null");
    assert!(
        !o.to_string().contains("6789") && !o.to_string().contains("1980"),
        "no confidential value leaks elsewhere"
    );

    // The installer has no Sale Information grant: that card and the sale badge are left out.
    let (status, i) = rt.get(&installer, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(status, 200);
    assert!(i["cards"].get("sale").is_none());
    assert!(i.get("sale_date").is_none() && i.get("sold_by_id").is_none(), "nor do the flat record's sale fields");
    assert!(i["header"]["sale"].is_null());
    assert!(i["cards"]["installation"].is_object());
    assert_eq!(i["editable"]["personal"], false);

    // A customer at another location is 403 for a user granted only at home.
    let elsewhere = new_customer(&rt, &admin, "Elsa", json!({"office_location_id": 2})).await;
    assert_eq!(rt.get(&installer, &format!("/api/v1/customers/{}", id(&elsewhere))).await.0, 403);

    // A lead's ID works too.
    let (_, leads) = rt.get(&admin, "/api/v1/leads?per_page=10").await;
    let lead_id = leads["items"][0]["id"].as_u64().unwrap();
    let (status, l) = rt.get(&admin, &format!("/api/v1/customers/{lead_id}")).await;
    assert_eq!(status, 200, "{l}");
    assert_eq!(l["kind"], "lead");
    assert!(l["cards"]["lead"].is_object() && l["cards"].get("sale").is_none());
    assert!(l["header"]["location"].is_null() && l["header"]["status_boxes"].as_array().unwrap().is_empty());
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_checks_grants_versions_and_writes_history() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let sales = rt.sign_in(SALES).await;
    let installer = rt.sign_in(INSTALLER).await;

    // Plain create requires the personal information and an office location.
    let (status, p) = rt.post(&admin, "/api/v1/customers", json!({"first_name": "No"})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["last_name", "primary_phone", "city", "state", "account_type", "office_location_id"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }

    let c = new_customer(&rt, &admin, "Sally", json!({})).await;
    let cid = id(&c);
    let path = format!("/api/v1/customers/{cid}");
    let v = c["version"].as_u64().unwrap();

    // The sales rep may change sale fields but not installation ones: 403 naming them.
    let (status, p) =
        rt.patch(&sales, &path, json!({"version": v, "installed": true, "abort_code": "1", "spouse": "Sam"})).await;
    assert_eq!(status, 403, "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("installed") && detail.contains("abort_code") && !detail.contains("spouse"), "{detail}");
    // The installer only views customers.
    assert_eq!(rt.patch(&installer, &path, json!({"version": v, "installed": true})).await.0, 403);

    // Office staff may enter an SSN where none exists, not change one.
    let (status, saved) =
        rt.patch(&office, &path, json!({"version": v, "ssn": SSN, "spouse": "Sam", "sale_date": "2026-02-01"})).await;
    assert_eq!(status, 200, "{}", saved["detail"]);
    assert!(saved["cards"]["personal"]["ssn"].as_str().is_some_and(|s| s.starts_with("***")), "masked for office");
    let v2 = saved["version"].as_u64().unwrap();
    assert_eq!(v2, v + 1);
    let (status, p) = rt.patch(&office, &path, json!({"version": v2, "ssn": "123-45-6780"})).await;
    assert_eq!(status, 403);
    assert!(p["detail"].as_str().unwrap().contains("ssn"));
    // Validation names the field.
    let (status, p) = rt.patch(&office, &path, json!({"version": v2, "mmr_id": 999, "sale_date": "2026-13-01"})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"mmr_id") && fields.contains(&"sale_date"), "{fields:?}");

    // A stale version is 409 with the current record.
    let (status, p) = rt.patch(&admin, &path, json!({"version": v, "spouse": "Pat"})).await;
    assert_eq!(status, 409);
    assert!(p["detail"].as_str().unwrap().contains("another user changed this customer"));
    assert_eq!(p["current"]["version"].as_u64(), Some(v2));
    assert_eq!(p["current"]["cards"]["personal"]["spouse"], "Sam");

    // History: newest first, paged with a signed cursor; SSN changes carry no value.
    let (status, h) = rt.get(&admin, &format!("{path}/history?per_page=10")).await;
    assert_eq!(status, 200, "{h}");
    let items = h["items"].as_array().unwrap();
    assert!(items.iter().any(|e| e["field"] == "spouse" && e["after"] == "Sam"));
    let ssn_entry = items.iter().find(|e| e["field"] == "ssn").expect("ssn history");
    assert!(ssn_entry["after"] == "***" || ssn_entry["after"] == "changed", "SSN history holds no value");
    assert!(!h.to_string().contains("6789"));
    assert!(items.windows(2).all(|w| w[0]["at"].as_str() >= w[1]["at"].as_str()));
    assert_eq!(items.last().unwrap()["field"], "created");
    for n in 0..12 {
        let cur = saved_version(&rt, &admin, &path).await;
        assert_eq!(
            rt.patch(&admin, &path, json!({"version": cur, "best_time_to_contact": format!("after {n}")})).await.0,
            200
        );
    }
    let (_, first) = rt.get(&admin, &format!("{path}/history?per_page=10")).await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (status, second) = rt.get(&admin, &format!("{path}/history?per_page=10&cursor={cursor}")).await;
    assert_eq!(status, 200);
    assert!(!second["items"].as_array().unwrap().is_empty());
    assert_ne!(first["items"][0], second["items"][0]);
    let (status, _) = rt.get(&admin, &format!("/api/v1/customers/1/history?per_page=10&cursor={cursor}")).await;
    assert_eq!(status, 400, "a cursor belongs to its record");
    rt.stop().await;
}

async fn saved_version(rt: &LocalRuntime, token: &str, path: &str) -> u64 {
    rt.get(token, path).await.1["version"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converting_a_lead_keeps_its_id_and_lands_as_a_customer() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, opts) = rt.get(&admin, "/api/v1/leads/form-options").await;
    let source = &opts["sources"][0];
    let disposition = opts["dispositions"][0]["id"].as_u64().unwrap();
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": "Lena", "last_name": "Leadsworth",
        "primary_phone": "8015550177", "disposition_id": disposition, "city": "Provo", "state": "UT", "zip": "84601"
    });
    let (status, lead) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    let lid = id(&lead);
    assert_eq!(
        rt.patch(&admin, &format!("/api/v1/leads/{lid}"), json!({"version": lead["version"], "rating": 3})).await.0,
        200
    );

    let (status, p) = rt.post(&admin, &format!("/api/v1/leads/{lid}/convert"), json!({"office_location_id": 2})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "sold_by_id");
    let (status, c) = rt
        .post(
            &admin,
            &format!("/api/v1/leads/{lid}/convert"),
            json!({"office_location_id": 2, "sold_by_id": "acme-sales-rep"}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(id(&c), lid);
    assert_eq!(c["kind"], "customer");
    assert_eq!(c["stage"], "converted");
    assert_eq!(c["cards"]["personal"]["first_name"], "Lena");
    assert_eq!(c["cards"]["sale"]["sold_by_id"], "acme-sales-rep");
    assert!(c["cards"].get("lead").is_none());
    assert_eq!(c["header"]["location"]["name"], "Boise");

    // Lead-only fields are gone from the stored profile; the record left the lead list for the customer list.
    let svc = rt.services();
    let co = CompanyId::parse("acme").unwrap();
    let stored = svc.table.get(&keys::record(&co, RecordId(lid))).await.unwrap().unwrap();
    assert_eq!(stored["rating"], 0);
    assert!(stored["disposition"].is_null());
    assert_eq!(stored["kind"], "customer");
    let lead_dups = svc.table.query(&Query::new(Index::Base, keys::record_pk(&co, RecordId(lid)))).await.unwrap();
    assert!(lead_dups
        .items
        .iter()
        .any(|i| i["SK"].as_str().unwrap().starts_with("HIST#") && i["field"] == "converted"));
    let (_, customers) = rt.get(&admin, "/api/v1/customers?per_page=10").await;
    assert_eq!(customers["items"][0]["id"].as_u64(), Some(lid), "newest first");

    // Converting twice finds no lead: a customer is not served by the leads route.
    assert_eq!(
        rt.post(
            &admin,
            &format!("/api/v1/leads/{lid}/convert"),
            json!({"office_location_id": 2, "sold_by_id": "acme-sales-rep"})
        )
        .await
        .0,
        404
    );

    let mail = eventually("the conversion email", Duration::from_secs(20), || async {
        let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
        outbox["items"]
            .as_array()?
            .iter()
            .find(|m| m["subject"].as_str().is_some_and(|s| s.contains(&format!("#{lid} is now a customer"))))
            .cloned()
    })
    .await;
    assert_eq!(mail["to"], ADMIN);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archiving_a_parent_cascades_to_sub_customers_and_unarchive_follows_the_rules() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let parent = new_customer(&rt, &admin, "Parker", json!({"business_name": "Parker Property Mgmt"})).await;
    let child = new_customer(&rt, &admin, "Chloe", json!({})).await;
    let other = new_customer(&rt, &admin, "Olga", json!({})).await;
    let (pid, cid) = (id(&parent), id(&child));

    // Parent picker: by business name and by ID.
    let (status, found) = rt.get(&admin, "/api/v1/customers/parent-candidates?q=Homeowner").await;
    assert_eq!(status, 200, "{found}");
    assert!(found["items"].as_array().unwrap().iter().any(|c| c["id"] == pid));
    // A later word of the business name, by prefix (the business-name word index, not the last name).
    let (status, found) = rt.get(&admin, "/api/v1/customers/parent-candidates?q=propert").await;
    assert_eq!(status, 200, "{found}");
    assert!(found["items"].as_array().unwrap().iter().any(|c| c["id"] == pid), "{found}");
    // First name, and "first last".
    let (_, found) = rt.get(&admin, "/api/v1/customers/parent-candidates?q=parker%20home").await;
    assert!(found["items"].as_array().unwrap().iter().any(|c| c["id"] == pid), "{found}");
    let (status, e) = rt.get(&admin, "/api/v1/customers/parent-candidates?q=p").await;
    assert_eq!((status, e["errors"][0]["field"].as_str()), (422, Some("q")));
    let (_, by_id) = rt.get(&admin, &format!("/api/v1/customers/parent-candidates?q={pid}")).await;
    assert_eq!(by_id["items"][0]["id"].as_u64(), Some(pid));

    // Link from the sub-customer; both headers show it.
    let (_, before) = rt.get(&admin, &format!("/api/v1/customers/{pid}")).await;
    let (status, linked) = rt
        .patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": child["version"], "parent_id": pid}))
        .await;
    assert_eq!(status, 200, "{linked}");
    assert_eq!(linked["header"]["parent"]["id"].as_u64(), Some(pid));
    let (_, p) = rt.get(&admin, &format!("/api/v1/customers/{pid}")).await;
    assert_eq!(p["header"]["children"][0]["id"].as_u64(), Some(cid));
    // Linking bumped the parent's version: a save of the parent made from a read before the link (which saw no
    // children) cannot give it a parent of its own.
    assert_eq!(p["version"].as_u64(), before["version"].as_u64().map(|v| v + 1));
    let stale = json!({"version": before["version"], "parent_id": id(&other)});
    assert_eq!(rt.patch(&admin, &format!("/api/v1/customers/{pid}"), stale).await.0, 409);
    // Sub-customers are no candidates; a parent cannot get a parent; no grandchildren.
    let (_, found) = rt.get(&admin, "/api/v1/customers/parent-candidates?q=Homeowner").await;
    assert!(!found["items"].as_array().unwrap().iter().any(|c| c["id"] == cid));
    let (status, e) = rt
        .patch(&admin, &format!("/api/v1/customers/{pid}"), json!({"version": p["version"], "parent_id": id(&other)}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(e["errors"][0]["code"], "has_children");
    let (_, o) = rt.get(&admin, &format!("/api/v1/customers/{}", id(&other))).await;
    let (status, e) = rt
        .patch(&admin, &format!("/api/v1/customers/{}", id(&other)), json!({"version": o["version"], "parent_id": cid}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(e["errors"][0]["code"], "sub_customer");

    // Sub-records: the ones archiving touches, and some it does not.
    let post = |rid: u64, col: &'static str, body: Value| {
        let (rt, admin) = (&rt, admin.clone());
        async move { rt.post(&admin, &format!("/api/v1/customers/{rid}/{col}"), body).await }
    };
    assert_eq!(post(pid, "recurring-invoices", json!({"amount_cents": 3999, "start_date": "2026-01-01"})).await.0, 201);
    assert_eq!(post(pid, "appointments", json!({"date": "2099-06-01", "kind": "tech"})).await.0, 201);
    assert_eq!(post(pid, "appointments", json!({"date": "2001-06-01"})).await.0, 201);
    assert_eq!(post(cid, "scheduled-payments", json!({"amount_cents": 5000, "date": "2099-01-15"})).await.0, 201);
    assert_eq!(post(cid, "notes", json!({"text": "Gate code changes monthly"})).await.0, 201);
    assert_eq!(post(cid, "contacts", json!({"name": "Neighbor Ned", "phone": "801-555-0100"})).await.0, 201);
    let (status, e) = post(cid, "equipment", json!({"quantity": 0})).await;
    assert_eq!(status, 422, "{e}");
    let (_, notes) = rt.get(&admin, &format!("/api/v1/customers/{cid}/notes")).await;
    assert_eq!(notes["items"][0]["data"]["text"], "Gate code changes monthly");
    let (_, c) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(c["tabs"]["notes"], 1);
    assert_eq!(c["tabs"]["contacts"], 1);

    // Office staff may not archive.
    assert_eq!(rt.post(&office, &format!("/api/v1/customers/{pid}/archive"), json!({"confirm": true})).await.0, 403);

    let (status, preview) = rt.get(&admin, &format!("/api/v1/customers/{pid}/archive-preview")).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["customer"]["recurring_invoices"].as_array().unwrap().len(), 1);
    assert_eq!(preview["customer"]["appointments"].as_array().unwrap().len(), 1, "only future appointments");
    assert_eq!(preview["sub_customers"][0]["id"].as_u64(), Some(cid));
    assert_eq!(preview["sub_customers"][0]["scheduled_payments"].as_array().unwrap().len(), 1);
    assert_eq!(preview["nothing_affected"], false);
    let (_, quiet) = rt.get(&admin, &format!("/api/v1/customers/{}/archive-preview", id(&other))).await;
    assert_eq!(quiet["nothing_affected"], true);

    assert_eq!(rt.post(&admin, &format!("/api/v1/customers/{pid}/archive"), json!({"confirm": false})).await.0, 422);
    let (status, archived) =
        rt.post(&admin, &format!("/api/v1/customers/{pid}/archive"), json!({"confirm": true})).await;
    assert_eq!(status, 200, "{archived}");
    assert_eq!(archived["archived"], true);
    assert_eq!(archived["actions"]["unarchive"], true);
    assert_eq!(archived["editable"]["personal"], false);
    // The Customer List's Archive Status filter.
    let (_, only) = rt.get(&admin, "/api/v1/customers?per_page=50&archived=archived_only").await;
    // Archived customers have their own counted partition: the page reads what it shows, and the total is exact.
    assert_eq!(
        (only["meta"]["access_path"].as_str(), only["meta"]["total_exact"].as_bool()),
        (Some("archived"), Some(true)),
        "{}",
        only["meta"]
    );
    assert_eq!(only["meta"]["total"].as_u64(), Some(only["items"].as_array().unwrap().len() as u64));
    let only: Vec<u64> = only["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["archived"], true);
            r["id"].as_u64().unwrap()
        })
        .collect();
    assert!(only.contains(&pid) && only.contains(&cid));
    let (_, active) = rt.get(&admin, "/api/v1/customers?per_page=50&archived=active_only").await;
    assert!(active["items"].as_array().unwrap().iter().all(|r| r["archived"] == false));
    assert_eq!(rt.get(&admin, "/api/v1/customers?archived=maybe").await.0, 422);
    let (_, c) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(c["archived"], true, "the sub-customer was archived with its parent");

    // Both are read-only.
    for (rid, version) in [(pid, archived["version"].clone()), (cid, c["version"].clone())] {
        let (status, e) =
            rt.patch(&admin, &format!("/api/v1/customers/{rid}"), json!({"version": version, "spouse": "X"})).await;
        assert_eq!(status, 409);
        assert!(e["detail"].as_str().unwrap().contains("archived"));
        assert_eq!(post(rid, "notes", json!({"text": "more"})).await.0, 409);
    }
    let (_, rinv) = rt.get(&admin, &format!("/api/v1/customers/{pid}/recurring-invoices")).await;
    assert_eq!(rinv["items"][0]["status"], "cancelled");
    let (_, appts) = rt.get(&admin, &format!("/api/v1/customers/{pid}/appointments")).await;
    assert!(
        appts["items"].as_array().unwrap().iter().any(|a| a["status"] == "scheduled"),
        "past appointments stay as they were"
    );

    // Unarchiving the sub-customer is blocked while the parent is archived.
    let (status, e) = rt.post(&admin, &format!("/api/v1/customers/{cid}/unarchive"), json!({"confirm": true})).await;
    assert_eq!(status, 409);
    assert!(e["detail"].as_str().unwrap().contains("unarchive the parent first"));
    // Parent only: the child stays archived; nothing cancelled comes back.
    let (status, p) = rt
        .post(
            &admin,
            &format!("/api/v1/customers/{pid}/unarchive"),
            json!({"confirm": true, "include_children": false}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["archived"], false);
    assert_eq!(rt.get(&admin, &format!("/api/v1/customers/{cid}")).await.1["archived"], true);
    let (_, rinv) = rt.get(&admin, &format!("/api/v1/customers/{pid}/recurring-invoices")).await;
    assert_eq!(rinv["items"][0]["status"], "cancelled");
    // Archive again, then unarchive with children.
    assert_eq!(rt.post(&admin, &format!("/api/v1/customers/{pid}/archive"), json!({"confirm": true})).await.0, 200);
    let (status, _) = rt
        .post(&admin, &format!("/api/v1/customers/{pid}/unarchive"), json!({"confirm": true, "include_children": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(rt.get(&admin, &format!("/api/v1/customers/{cid}")).await.1["archived"], false);

    // Unlink (null) from the sub-customer.
    let (_, c) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    let (status, c) = rt
        .patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": c["version"], "parent_id": null}))
        .await;
    assert_eq!(status, 200, "{c}");
    assert!(c["header"]["parent"].is_null());
    assert!(rt.get(&admin, &format!("/api/v1/customers/{pid}")).await.1["header"]["children"].is_null());
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_duplicate_and_tenancy() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let stranger = rt.sign_in(OTHER_ADMIN).await;
    let c = new_customer(&rt, &admin, "Dora", json!({"ssn": SSN, "spouse": "Dan", "account_number": "778812"})).await;
    let cid = id(&c);
    for n in 0..3 {
        let (s, _) =
            rt.post(&admin, &format!("/api/v1/customers/{cid}/notes"), json!({"text": format!("note {n}")})).await;
        assert_eq!(s, 201);
    }

    // Another company's user cannot see or touch it: it does not exist for them.
    assert_eq!(rt.get(&stranger, &format!("/api/v1/customers/{cid}")).await.0, 404);
    assert_eq!(
        rt.patch(&stranger, &format!("/api/v1/customers/{cid}"), json!({"version": 1, "spouse": "X"})).await.0,
        404
    );
    assert_eq!(rt.delete(&stranger, &format!("/api/v1/customers/{cid}")).await.0, 404);
    assert_eq!(rt.get(&stranger, &format!("/api/v1/customers/{cid}/notes")).await.0, 404);

    // Duplicate: a new customer without SSN, history or account number.
    let (status, d) = send(&rt, "POST", &admin, &format!("/api/v1/customers/{cid}/duplicate"), None).await;
    assert_eq!(status, 201, "{d}");
    let did = id(&d);
    assert_ne!(did, cid);
    assert!(d["cards"]["personal"]["ssn"].is_null());
    assert_eq!(d["cards"]["personal"]["spouse"], "Dan");
    assert!(d["cards"]["sale"]["account_number"].is_null());
    assert_eq!(d["tabs"]["notes"], 0);
    let (_, h) = rt.get(&admin, &format!("/api/v1/customers/{did}/history")).await;
    assert_eq!(h["items"].as_array().unwrap().len(), 1);

    // Delete needs the permission; then the whole partition goes, and nothing else.
    assert_eq!(rt.delete(&office, &format!("/api/v1/customers/{cid}")).await.0, 403);
    assert_eq!(rt.delete(&admin, &format!("/api/v1/customers/{cid}")).await.0, 204);
    assert_eq!(rt.get(&admin, &format!("/api/v1/customers/{cid}")).await.0, 404);
    let co = CompanyId::parse("acme").unwrap();
    let left = rt.services().table.query(&Query::new(Index::Base, keys::record_pk(&co, RecordId(cid)))).await.unwrap();
    assert!(left.items.is_empty(), "{} items left", left.items.len());
    assert_eq!(rt.get(&admin, &format!("/api/v1/customers/{did}")).await.0, 200, "the duplicate stays");
    assert_eq!(rt.delete(&admin, &format!("/api/v1/customers/{cid}")).await.0, 404);

    // A delete a crash interrupted (marker written, items left) is gone for readers and resumes when called again.
    let e = new_customer(&rt, &admin, "Eddie", json!({})).await;
    let eid = id(&e);
    for n in 0..4 {
        rt.post(
            &admin,
            &format!("/api/v1/customers/{eid}/contacts"),
            json!({"name": format!("C{n}"), "phone": "8015550101"}),
        )
        .await;
    }
    let svc = rt.services();
    let key = keys::record(&co, RecordId(eid));
    let mut profile = svc.table.get(&key).await.unwrap().unwrap();
    profile.insert("deleting".into(), json!(true));
    profile.retain(|k, _| !k.starts_with("GSI"));
    svc.table.put(profile, None).await.unwrap();
    assert_eq!(rt.get(&admin, &format!("/api/v1/customers/{eid}")).await.0, 404);
    let (_, list) = rt.get(&admin, "/api/v1/customers?per_page=10").await;
    assert!(!list["items"].as_array().unwrap().iter().any(|r| r["id"] == eid));
    assert_eq!(rt.delete(&admin, &format!("/api/v1/customers/{eid}")).await.0, 204);
    let left = svc.table.query(&Query::new(Index::Base, keys::record_pk(&co, RecordId(eid)))).await.unwrap();
    assert!(left.items.is_empty());
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_on_the_home_page_are_versioned_and_checked() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let installer = rt.sign_in(INSTALLER).await;
    let c = new_customer(&rt, &admin, "Tess", json!({})).await;
    let cid = id(&c);
    let (s, tag) = rt.post(&admin, "/api/v1/tags", json!({"name": "Key holder"})).await;
    assert_eq!(s, 201, "{tag}");
    let path = format!("/api/v1/customers/{cid}/tags");

    let (s, e) = rt.put(&admin, &path, json!({"tag_ids": [tag["id"]]})).await;
    assert_eq!((s, e["errors"][0]["field"].as_str()), (422, Some("version")));
    let (s, e) = rt.put(&admin, &path, json!({"tag_ids": [99999], "version": c["version"]})).await;
    assert_eq!((s, e["errors"][0]["field"].as_str()), (422, Some("tag_ids")));
    let (s, e) = rt.put(&admin, &path, json!({"tag_ids": ["x"], "version": c["version"]})).await;
    assert_eq!((s, e["errors"][0]["code"].as_str()), (422, Some("invalid")));

    let (s, saved) = rt.put(&admin, &path, json!({"tag_ids": [tag["id"]], "version": c["version"]})).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["tag_list"][0]["name"], "Key holder");
    assert_eq!(saved["version"].as_u64(), Some(c["version"].as_u64().unwrap() + 1));
    // The old version is stale now; the conflict carries the current record.
    let (s, e) = rt.put(&admin, &path, json!({"tag_ids": [], "version": c["version"]})).await;
    assert_eq!(s, 409);
    assert_eq!(e["current"]["tag_list"][0]["name"], "Key holder");
    // Without Customer Modify: 403.
    let (s, _) = rt.put(&installer, &path, json!({"tag_ids": [], "version": saved["version"]})).await;
    assert_eq!(s, 403);
    // The Customer List filters like the Leads list: the tag facet (moved in the same transaction), name prefixes.
    let (s, listed) = rt.get(&admin, &format!("/api/v1/customers?tags={}", tag["id"])).await;
    assert_eq!(s, 200, "{listed}");
    let ids: Vec<u64> = listed["items"].as_array().unwrap().iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, vec![cid], "{listed}");
    assert_eq!(listed["meta"]["access_path"], "tags");
    let (_, by_name) = rt.get(&admin, "/api/v1/customers?first_name=tes&last_name=homeo&per_page=50").await;
    assert!(by_name["items"].as_array().unwrap().iter().any(|r| r["id"].as_u64() == Some(cid)), "{by_name}");
    assert!(by_name["items"].as_array().unwrap().iter().all(|r| r["kind"] == "customer"));
    assert_eq!(rt.get(&admin, "/api/v1/customers?sort=zip").await.0, 422);
    // The change is in the history.
    let (_, hist) = rt.get(&admin, &format!("/api/v1/customers/{cid}/history")).await;
    assert!(hist["items"].as_array().unwrap().iter().any(|h| h["field"] == "tags"), "{hist}");
}

/// A family too big for one transaction is refused whole: nobody in it is archived (never half a family).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_too_big_for_one_transaction_is_refused_whole() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let parent = new_customer(&rt, &admin, "Bigfamily", json!({})).await;
    let pid = id(&parent);
    let mut children = Vec::new();
    for n in 0..16 {
        let child = new_customer(&rt, &admin, &format!("Kid{n}"), json!({})).await;
        let (s, linked) = rt
            .patch(
                &admin,
                &format!("/api/v1/customers/{}", id(&child)),
                json!({"version": child["version"], "parent_id": pid}),
            )
            .await;
        assert_eq!(s, 200, "{linked}");
        children.push(id(&child));
    }
    let (status, e) = rt.post(&admin, &format!("/api/v1/customers/{pid}/archive"), json!({"confirm": true})).await;
    assert_eq!(status, 409, "{e}");
    assert!(e["detail"].as_str().unwrap().contains("archive some sub-customers first"), "{e}");
    for rid in std::iter::once(pid).chain(children) {
        let (_, r) = rt.get(&admin, &format!("/api/v1/customers/{rid}")).await;
        assert_eq!(r["archived"], false, "customer {rid} was archived although the family was refused");
    }
}

/// A body's fields arrive in no particular order (JSON objects are maps), so a cancel date sent together with
/// Account Is Canceled is accepted whichever comes first; a cancel date without it names `canceled`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_date_with_canceled_in_one_body_is_accepted() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let c = new_customer(&rt, &admin, "Cancelled", json!({"canceled": true, "cancel_date": "2026-03-01"})).await;
    assert_eq!(c["canceled"], true, "{c}");
    assert_eq!(c["cancel_date"], "2026-03-01", "{c}");

    let c = new_customer(&rt, &admin, "Active", json!({})).await;
    let path = format!("/api/v1/customers/{}", id(&c));
    let version = c["version"].clone();
    let body = json!({"version": version, "cancel_date": "2026-04-01", "canceled": true, "cancel_reason": "moved"});
    let (status, saved) = rt.patch(&admin, &path, body).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["cancel_date"], "2026-04-01", "{saved}");

    let version = saved["version"].clone();
    let body = json!({"version": version, "canceled": false, "cancel_date": "2026-05-01"});
    let (status, p) = rt.patch(&admin, &path, body).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "canceled", "{p}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_customer_checks_for_duplicates_unless_allowed() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let first = new_customer(&rt, &admin, "Duffy", json!({})).await;

    // Same name, phone and address (case and punctuation aside): 409 listing the match, unless allowed.
    let again = json!({
        "first_name": "DUFFY", "last_name": "homeowner", "primary_phone": "801-555-0142", "city": "Provo", "state": "UT",
        "address1": "77 canyon rd.", "account_type": "residential", "office_location_id": 1
    });
    let (status, problem) = rt.post(&admin, "/api/v1/customers", again.clone()).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["current"]["duplicates"][0]["id"], first["id"]);
    assert_eq!(problem["current"]["duplicates"][0]["last_name"], "Homeowner");
    assert_eq!(problem["current"]["hidden_duplicates"], 0);
    assert_eq!(rt.post(&admin, "/api/v1/customers?allow_duplicates=maybe", again.clone()).await.0, 422);
    let (status, second) = rt.post(&admin, "/api/v1/customers?allow_duplicates=true", again.clone()).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], first["id"]);
    let (status, problem) = rt.post(&admin, "/api/v1/customers", again.clone()).await;
    assert_eq!(status, 409);
    assert_eq!(problem["current"]["duplicates"].as_array().unwrap().len(), 2);

    // An edit moves the lookup: the first no longer matches once its phone changed, and a deleted one is gone.
    let path = format!("/api/v1/customers/{}", id(&first));
    let (status, _) =
        rt.patch(&admin, &path, json!({"version": first["version"], "primary_phone": "801-555-0999"})).await;
    assert_eq!(status, 200);
    assert_eq!(rt.delete(&admin, &format!("/api/v1/customers/{}", id(&second))).await.0, 204);
    let (status, c) = rt.post(&admin, "/api/v1/customers", again).await;
    assert_eq!(status, 201, "{c}");

    // A lead with the same person is not a customer duplicate; the converted lead becomes one.
    let (_, opts) = rt.get(&admin, "/api/v1/leads/form-options").await;
    let lead_body = json!({
        "source_id": opts["sources"][0]["id"], "first_name": "Lou", "last_name": "Leadbetter",
        "primary_phone": "8015550155", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo", "state": "UT",
        "address1": "9 Elm St"
    });
    let (status, lead) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", lead_body).await;
    assert_eq!(status, 201, "{lead}");
    let person = json!({
        "first_name": "Lou", "last_name": "Leadbetter", "primary_phone": "8015550155", "city": "Provo", "state": "UT",
        "address1": "9 Elm St", "account_type": "residential", "office_location_id": 1
    });
    let (status, c) = rt.post(&admin, "/api/v1/customers", person.clone()).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(rt.delete(&admin, &format!("/api/v1/customers/{}", id(&c))).await.0, 204);
    let convert = json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep"});
    let (status, _) = rt.post(&admin, &format!("/api/v1/leads/{}/convert", id(&lead)), convert).await;
    assert_eq!(status, 200);
    let (status, problem) = rt.post(&admin, "/api/v1/customers", person).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["current"]["duplicates"][0]["id"], lead["id"]);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_record_changes_with_its_version_and_its_line_in_the_history() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let installer = rt.sign_in(INSTALLER).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let cid = id(&new_customer(&rt, &admin, "Ticketed", json!({})).await);
    let (status, t) = rt
        .post(&admin, &format!("/api/v1/customers/{cid}/notes"), json!({"text": "Keypad beeps", "ticket": true}))
        .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!((t["status"].as_str(), t["version"].as_u64()), (Some("open"), Some(1)));
    let path = format!("/api/v1/customers/{cid}/notes/{}", t["id"]);

    // Bad bodies name the field, and nothing changes.
    let (status, e) = rt.patch(&admin, &path, json!({"status": "closed"})).await;
    assert_eq!((status, e["errors"][0]["field"].as_str()), (422, Some("version")), "{e}");
    let (status, e) = rt.patch(&admin, &path, json!({"version": 1, "status": "done"})).await;
    assert_eq!((status, e["errors"][0]["field"].as_str()), (422, Some("status")), "{e}");
    let (status, e) = rt.patch(&admin, &path, json!({"version": 1, "text": ""})).await;
    assert_eq!((status, e["errors"][0]["field"].as_str()), (422, Some("text")), "{e}");
    let (status, e) = rt.patch(&admin, &format!("/api/v1/customers/{cid}/notes/x1"), json!({"version": 1})).await;
    assert_eq!((status, e["errors"][0]["field"].as_str()), (422, Some("item_id")), "{e}");
    assert_eq!(rt.patch(&admin, &format!("/api/v1/customers/{cid}/notes/999"), json!({"version": 1})).await.0, 404);
    // Another company finds nothing; the installer may not modify the customer.
    assert_eq!(rt.patch(&other, &path, json!({"version": 1, "status": "closed"})).await.0, 404);
    assert_eq!(rt.patch(&installer, &path, json!({"version": 1, "status": "closed"})).await.0, 403);

    // Closing the ticket raises its version, keeps its fields and takes it off the tab count.
    let (status, closed) = rt.patch(&admin, &path, json!({"version": 1, "status": "closed"})).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!((closed["status"].as_str(), closed["version"].as_u64()), (Some("closed"), Some(2)));
    assert_eq!(
        (closed["data"]["text"].as_str(), closed["data"]["ticket"].as_bool()),
        (Some("Keypad beeps"), Some(true))
    );
    let (_, c) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(c["tabs"]["notes"], 0, "{}", c["tabs"]);
    // A stale version is 409 with the item as stored.
    let (status, e) = rt.patch(&admin, &path, json!({"version": 1, "status": "open"})).await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["current"]["status"], "closed");

    // The History tab has the change, before and after.
    let (status, h) = rt.get(&admin, &format!("/api/v1/customers/{cid}/history?per_page=50")).await;
    assert_eq!(status, 200, "{h}");
    let lines: Vec<&Value> = h["items"].as_array().unwrap().iter().filter(|e| e["field"] == "ticket").collect();
    assert_eq!(lines.len(), 2, "created and closed: {h}");
    let change = lines.iter().find(|e| !e["before"].is_null()).expect("the change's line");
    assert!(change["after"].as_str().unwrap().ends_with("closed"), "{change}");
    assert!(!change["before"].as_str().unwrap().contains("closed"), "{change}");

    // Clearing an optional field with null; an emergency contact made inactive.
    let (_, ct) = rt
        .post(
            &admin,
            &format!("/api/v1/customers/{cid}/contacts"),
            json!({"name": "Ned", "phone": "801-555-0100", "relation": "Neighbor"}),
        )
        .await;
    let cpath = format!("/api/v1/customers/{cid}/contacts/{}", ct["id"]);
    let (status, ct) = rt.patch(&admin, &cpath, json!({"version": 1, "relation": null, "status": "inactive"})).await;
    assert_eq!(status, 200, "{ct}");
    assert!(ct["data"].get("relation").is_none(), "{ct}");
    assert_eq!((ct["status"].as_str(), ct["data"]["name"].as_str()), (Some("inactive"), Some("Ned")));

    // Archived customers take no change.
    let (status, _) = rt.post(&admin, &format!("/api/v1/customers/{cid}/archive"), json!({"confirm": true})).await;
    assert_eq!(status, 200);
    let (status, e) = rt.patch(&admin, &cpath, json!({"version": 2, "status": "active"})).await;
    assert_eq!(status, 409, "{e}");
}
