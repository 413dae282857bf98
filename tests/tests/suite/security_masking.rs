//! Security review, issue 9: every read path of a record shows each role what its section and confidential grants
//! allow, and nothing more. The same record is read through the leads route, the customer Home read, the preview,
//! the list rows, history, and the duplicate and conversion responses.
//!
//! Confidential values are checked by searching the response text, never printed: a failing assertion names the
//! path, not the value.

use serde_json::{json, Value};
use vigil_domain::lead::Ssn;
use vigil_domain::{CompanyId, RecordId, UserId};
use vigil_store::keys;
use vigil_tests::runtime::{send, LocalRuntime};
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN, SALES};

const SSN: &str = "123-45-6789";
const BIRTHDATE: &str = "1980-05-17";
/// The confidential values the customer below carries, none of which a user without the grant may read anywhere.
const SECRETS: [&str; 6] = ["6789", "1980-05", "CN-5521", "RX-8830", "4411", "123456789"];

fn acme() -> CompanyId {
    CompanyId::parse("acme").expect("company id")
}

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("record id")
}

/// No confidential value of the customer appears anywhere in `v`.
fn assert_no_secret(v: &Value, what: &str) {
    let text = v.to_string();
    for s in SECRETS {
        assert!(!text.contains(s), "{what} carries a confidential value");
    }
}

/// A customer at office location 1 (the sales rep's and installer's home) with every confidential field and
/// some sale and installation fields set.
async fn secret_customer(rt: &LocalRuntime, admin: &str) -> u64 {
    let body = json!({
        "first_name": "Connie", "last_name": "Confidential", "primary_phone": "(801) 555-0142", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "77 Canyon Rd", "email": "connie@example.com",
        "account_type": "residential", "office_location_id": 1, "ssn": SSN, "birthdate": BIRTHDATE,
        "confirmation_number": "CN-5521", "receiver_number": "RX-8830", "abort_code": "4411",
        "sale_date": "2026-01-10", "sold_by_id": "acme-sales-rep", "adt_number": "ADT-777",
        "install_date": "2026-02-01", "install_tech_id": "acme-installer", "spouse": "Sam"
    });
    let (status, c) = rt.post(admin, "/api/v1/customers", body).await;
    assert_eq!(status, 201, "{}", c["detail"]);
    id(&c)
}

/// A lead at the creator's home office (location 1).
async fn new_lead(rt: &LocalRuntime, token: &str, first: &str) -> Value {
    let (status, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{opts}");
    let source = &opts["sources"][0];
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": first,
        "last_name": "Leadsworth", "primary_phone": "8015550177", "disposition_id": opts["dispositions"][0]["id"],
        "city": "Provo", "state": "UT", "zip": "84601", "address1": "9 Elm St", "email": "lead@example.com"
    });
    let (status, lead) = rt.post(token, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    lead
}

/// Replaces the stored SSN ciphertext of a record with one the running keys cannot open (as after a key rotation).
async fn scramble_ssn(rt: &LocalRuntime, id: u64) {
    let svc = rt.services();
    let key = keys::record(&acme(), RecordId(id));
    let mut item = svc.table.get(&key).await.expect("read").expect("the record");
    let other = vigil_app::ssn::LocalKeys::from_secret(b"a key this runtime never had.....");
    let ssn = Ssn::parse("ssn", SSN).expect("valid SSN");
    let foreign = vigil_app::ssn::encrypt(&other, &acme(), RecordId(id), &ssn).expect("encrypt");
    item.insert("ssn_encrypted".into(), json!(foreign));
    svc.table.put(item, None).await.expect("write");
}

/// Takes the Contact Information section grant away from a demo user (their permissions are read per request).
async fn revoke_contact_information(rt: &LocalRuntime, user: &str) {
    let svc = rt.services();
    let key = keys::user(&acme(), &UserId::parse(user).expect("user id"));
    let mut item = svc.table.get(&key).await.expect("read").expect("the user");
    let sections = item["permissions"]["sections"].as_array().expect("sections").clone();
    let kept: Vec<Value> = sections.into_iter().filter(|s| s[0] != "contact_information").collect();
    item["permissions"]["sections"] = json!(kept);
    svc.table.put(item, None).await.expect("write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_route_answers_404_for_a_customer() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;
    let stranger = rt.sign_in(OTHER_ADMIN).await;
    let cid = secret_customer(&rt, &admin).await;
    let lead = format!("/api/v1/leads/{cid}");

    // The read that served any record kind: for every role, a customer is not a lead.
    for (who, token) in [("admin", &admin), ("office", &office), ("installer", &installer), ("stranger", &stranger)] {
        let (status, body) = rt.get(token, &lead).await;
        assert_eq!(status, 404, "GET {lead} as {who}");
        assert_no_secret(&body, "the 404");
    }
    // Every other lead operation on the ID answers the same, as for another company's ID.
    for (method, path, body) in [
        ("GET", format!("{lead}/preview"), None),
        ("GET", format!("{lead}/history"), None),
        ("PATCH", lead.clone(), Some(json!({"version": 1, "first_name": "X"}))),
        ("POST", format!("{lead}/stage"), Some(json!({"to": "contacted", "version": 1}))),
        ("PUT", format!("{lead}/tags"), Some(json!({"tag_ids": [], "version": 1}))),
        ("POST", format!("{lead}/convert"), Some(json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep"}))),
        ("DELETE", lead.clone(), None),
    ] {
        for (who, token) in [("admin", &admin), ("stranger", &stranger)] {
            let (status, _) = send(&rt, method, token, &path, body.clone()).await;
            assert_eq!(status, 404, "{method} {path} as {who}");
        }
    }
    // The customer is untouched and still read through its own route.
    let (status, home) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(status, 200);
    assert_eq!((home["kind"].as_str(), home["version"].as_u64()), (Some("customer"), Some(1)));

    // A lead still reads through the leads route.
    let l = new_lead(&rt, &office, "Lana").await;
    assert_eq!(rt.get(&office, &format!("/api/v1/leads/{}", id(&l))).await.0, 200);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_read_masks_confidential_fields_for_office_and_hides_sale_from_the_installer() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;
    let cid = secret_customer(&rt, &admin).await;
    let path = format!("/api/v1/customers/{cid}");

    // The admin holds every grant.
    let (_, a) = rt.get(&admin, &path).await;
    assert!(a["ssn"] == SSN && a["cards"]["personal"]["birthdate"] == BIRTHDATE, "admin reads the values");
    assert!(a["header"]["status_boxes"].as_array().unwrap().iter().any(|b| b["category"] == "funding"));

    // Office staff: every card, every confidential value masked, in the cards and in the flat record alike.
    let (status, o) = rt.get(&office, &path).await;
    assert_eq!(status, 200);
    for f in ["ssn", "birthdate", "confirmation_number", "receiver_number", "abort_code"] {
        assert_eq!(o[f], "***", "flat {f}");
    }
    assert_eq!(o["cards"]["installation"]["abort_code"], "***");
    assert_eq!(o["cards"]["sale"]["adt_number"], "ADT-777");
    assert_no_secret(&o, "the office read");
    assert!(o.get("ssn_encrypted").is_none() && o.get("ssn_last4_index").is_none());

    // The installer: no Sale Information, so no sale field anywhere (cards, flat record, header, status boxes);
    // installation and contact fields with confidential values masked.
    let (status, i) = rt.get(&installer, &path).await;
    assert_eq!(status, 200);
    assert_no_secret(&i, "the installer read");
    assert!(i["cards"].get("sale").is_none() && i["header"]["sale"].is_null());
    for f in ["sale_date", "sold_by_id", "adt_number", "funding_status", "canceled", "mmr_id"] {
        assert!(i.get(f).is_none(), "flat {f}");
    }
    let boxes: Vec<&str> =
        i["header"]["status_boxes"].as_array().unwrap().iter().filter_map(|b| b["category"].as_str()).collect();
    assert!(!boxes.contains(&"funding") && !boxes.contains(&"billing"), "sale status boxes: {boxes:?}");
    assert!(boxes.contains(&"monitoring"));
    assert!(!i.to_string().contains("ADT-777"));
    assert_eq!(i["install_date"], "2026-02-01");
    assert_eq!(i["cards"]["installation"]["confirmation_number"], "***");
    assert_eq!(i["cards"]["personal"]["primary_phone"], "8015550142");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installer_history_hides_sale_field_changes() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;
    let cid = secret_customer(&rt, &admin).await;
    let path = format!("/api/v1/customers/{cid}");
    let change = json!({"version": 1, "sale_date": "2026-01-11", "adt_number": "ADT-778", "spouse": "Sue",
                        "abort_code": "5522", "install_date": "2026-02-02"});
    let (status, _) = rt.patch(&admin, &path, change).await;
    assert_eq!(status, 200);

    let fields = |h: &Value| -> Vec<String> {
        h["items"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
    };
    let (status, for_office) = rt.get(&office, &format!("{path}/history?per_page=50")).await;
    assert_eq!(status, 200);
    let seen = fields(&for_office);
    for f in ["sale_date", "adt_number", "spouse", "abort_code", "install_date"] {
        assert!(seen.iter().any(|s| s == f), "office sees the {f} change");
    }
    assert!(!for_office.to_string().contains("5522"));

    let (status, for_installer) = rt.get(&installer, &format!("{path}/history?per_page=50")).await;
    assert_eq!(status, 200);
    let seen = fields(&for_installer);
    assert!(!seen.iter().any(|f| f == "sale_date" || f == "adt_number"), "sale changes hidden: {seen:?}");
    assert!(!for_installer.to_string().contains("ADT-77"));
    for f in ["spouse", "abort_code", "install_date", "created"] {
        assert!(seen.iter().any(|s| s == f), "the installer sees the {f} change");
    }
    let abort = for_installer["items"].as_array().unwrap().iter().find(|e| e["field"] == "abort_code").unwrap();
    assert_eq!((&abort["before"], &abort["after"]), (&json!("***"), &json!("***")));
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_and_list_rows_follow_the_contact_information_grant() {
    let rt = LocalRuntime::start_small().await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;
    let admin = rt.sign_in(ADMIN).await;
    let lead = new_lead(&rt, &office, "Priya").await;
    let lid = id(&lead);
    let cid = secret_customer(&rt, &admin).await;
    let row = |page: &Value, id: u64| page["items"].as_array().unwrap().iter().find(|r| r["id"] == id).cloned();

    // With the grant: contact details in the preview and the rows.
    let (_, preview) = rt.get(&office, &format!("/api/v1/leads/{lid}/preview")).await;
    assert_eq!(preview["primary_phone"], "8015550177");
    let (_, leads) = rt.get(&office, "/api/v1/leads?per_page=10").await;
    let r = row(&leads, lid).expect("the new lead is on the first page");
    assert_eq!((r["primary_phone"].as_str(), r["email"].as_str()), (Some("8015550177"), Some("lead@example.com")));
    // The installer's Customer List rows carry the contact details it may view and nothing confidential.
    let (status, customers) = rt.get(&installer, "/api/v1/customers?per_page=10").await;
    assert_eq!(status, 200, "{customers}");
    let r = row(&customers, cid).expect("the new customer is on the first page");
    assert_eq!(r["primary_phone"], "8015550142");
    assert_no_secret(&customers, "the installer's rows");

    // Without it: the names stay; phone, email and address are gone from the preview, the rows and the lead read.
    revoke_contact_information(&rt, "acme-office").await;
    let (status, preview) = rt.get(&office, &format!("/api/v1/leads/{lid}/preview")).await;
    assert_eq!(status, 200);
    assert_eq!(preview["first_name"], "Priya");
    assert!(preview["primary_phone"].is_null() && preview["email"].is_null());
    let (status, leads) = rt.get(&office, "/api/v1/leads?per_page=10").await;
    assert_eq!(status, 200, "{leads}");
    let r = row(&leads, lid).expect("still listed");
    assert_eq!(r["first_name"], "Priya");
    assert!(!r.to_string().contains("5550177") && !r.to_string().contains("lead@example.com"), "{r}");
    assert!(r["address1"].is_null());
    let (status, read) = rt.get(&office, &format!("/api/v1/leads/{lid}")).await;
    assert_eq!(status, 200);
    assert!(!read.to_string().contains("5550177") && read["email"].is_null());
    let (status, home) = rt.get(&office, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(status, 200);
    assert!(home["cards"].get("personal").is_none() && home.get("primary_phone").is_none());
    assert_eq!(home["header"]["name"], "Connie Confidential");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_response_is_masked_for_the_caller() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let sales = rt.sign_in(SALES).await;
    let cid = secret_customer(&rt, &admin).await;

    let (status, d) = send(&rt, "POST", &sales, &format!("/api/v1/customers/{cid}/duplicate"), None).await;
    assert_eq!(status, 201, "{d}");
    assert_no_secret(&d, "the duplicate response");
    assert_eq!(d["birthdate"], "***");
    assert_eq!(d["cards"]["installation"]["abort_code"], "***");
    assert!(d["ssn"].is_null(), "a duplicate starts without an SSN");
    assert_eq!(d["cards"]["sale"]["adt_number"], "ADT-777", "the sales rep holds Sale Information");
    // The admin sees what was copied.
    let (_, a) = rt.get(&admin, &format!("/api/v1/customers/{}", id(&d))).await;
    assert_eq!(a["birthdate"], BIRTHDATE);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_response_is_masked_for_the_caller() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let lead = new_lead(&rt, &office, "Carl").await;
    let lid = id(&lead);
    let path = format!("/api/v1/leads/{lid}");
    let (status, saved) = rt.patch(&admin, &path, json!({"version": 1, "ssn": SSN})).await;
    assert_eq!(status, 200);
    assert_eq!(saved["ssn"], SSN);

    let body = json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep", "version": 2});
    let (status, c) = rt.post(&office, &format!("{path}/convert"), body).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["kind"], "customer");
    assert_eq!((&c["ssn"], &c["cards"]["personal"]["ssn"]), (&json!("***"), &json!("***")));
    assert_no_secret(&c, "the conversion response");
    // Now a customer: the leads route no longer serves it.
    assert_eq!(rt.get(&admin, &path).await.0, 404);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecryptable_ssn_reads_as_masked() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let cid = secret_customer(&rt, &admin).await;
    let lead = new_lead(&rt, &admin, "Uma").await;
    let lid = id(&lead);
    let (status, _) = rt.patch(&admin, &format!("/api/v1/leads/{lid}"), json!({"version": 1, "ssn": SSN})).await;
    assert_eq!(status, 200);
    scramble_ssn(&rt, cid).await;
    scramble_ssn(&rt, lid).await;

    // The admin may read the SSN, but the keys cannot open it: the record still reads, the SSN as masked.
    let (status, home) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(status, 200, "{}", home["detail"]);
    assert_eq!((&home["ssn"], &home["cards"]["personal"]["ssn"]), (&json!("***"), &json!("***")));
    assert_eq!(home["birthdate"], BIRTHDATE, "the rest of the record is intact");
    let (status, read) = rt.get(&admin, &format!("/api/v1/leads/{lid}")).await;
    assert_eq!(status, 200, "{}", read["detail"]);
    assert_eq!(read["ssn"], "***");
    assert!(!read.to_string().contains("6789"));
    assert_eq!(rt.get(&admin, &format!("/api/v1/leads/{lid}/preview")).await.0, 200);
    assert_eq!(rt.get(&admin, &format!("/api/v1/customers/{lid}")).await.0, 200);
    rt.stop().await;
}
