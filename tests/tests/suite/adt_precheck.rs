//! Monitoring companies and ADT PreCheck over HTTP through the local runtime: every field Run ADT PreCheck needs is
//! named in the 422 (business ones for commercial accounts only, dealer number only when the monitoring company
//! requires it), the PreCheck runs as a job after the save with each sandbox outcome (chosen by the zip's last
//! digit), Refresh runs it again, and the admin settings of monitoring companies.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, OFFICE, OTHER_ADMIN};

const ADT: u64 = 1;
const BRINKS: u64 = 2;

fn base(first: &str) -> Value {
    json!({
        "first_name": first, "last_name": "Prechecked", "primary_phone": "(801) 555-0142", "city": "Provo",
        "state": "UT", "account_type": "residential", "office_location_id": 1
    })
}

fn full(first: &str, zip: &str) -> Value {
    let mut b = base(first);
    for (k, v) in [
        ("run_adt_precheck", json!(true)),
        ("monitored_by_id", json!(ADT)),
        ("birthdate", json!("1980-05-17")),
        ("ssn", json!("123-45-6781")),
        ("email", json!("pre@check.test")),
        ("address1", json!("77 Canyon Rd")),
        ("zip", json!(zip)),
        ("county", json!("Utah")),
    ] {
        b[k] = v;
    }
    b
}

fn fields(problem: &Value) -> Vec<String> {
    let mut f: Vec<String> = problem["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    f.sort();
    f
}

async fn settled(rt: &LocalRuntime, token: &str, id: u64, attempt: u64) -> Value {
    eventually("the PreCheck's answer", Duration::from_secs(20), || async {
        let (_, p) = rt.get(token, &format!("/api/v1/customers/{id}/adt-precheck")).await;
        (p["attempt"] == attempt && p["status"] != "pending").then_some(p)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_adt_precheck_names_every_field_it_needs() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    const CUSTOMERS: &str = "/api/v1/customers?allow_duplicates=true";

    let mut b = base("Bare");
    b["run_adt_precheck"] = json!(true);
    let (status, p) = rt.post(&admin, CUSTOMERS, b.clone()).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(fields(&p), ["address1", "birthdate", "county", "email", "monitored_by_id", "ssn", "zip"]);

    // Commercial accounts also need the business name and contact.
    b["account_type"] = json!("commercial");
    let (_, p) = rt.post(&admin, CUSTOMERS, b.clone()).await;
    let f = fields(&p);
    assert!(f.contains(&"business_name".to_owned()) && f.contains(&"business_contact".to_owned()), "{f:?}");

    // Only an active ADT company can run it; the dealer number only when that company requires one.
    let mut other = full("Brinks", "84600");
    other["monitored_by_id"] = json!(BRINKS);
    let (status, p) = rt.post(&admin, CUSTOMERS, other).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "monitored_by_id");
    let (_, adt) = rt.get(&admin, &format!("/api/v1/settings/monitoring-companies/{ADT}")).await;
    let path = format!("/api/v1/settings/monitoring-companies/{ADT}");
    let (status, adt) =
        rt.patch(&admin, &path, json!({"dealer_number_required": true, "version": adt["version"]})).await;
    assert_eq!(status, 200, "{adt}");
    let (status, p) = rt.post(&admin, CUSTOMERS, full("Dealer", "84600")).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&p), ["dealer_number"]);
    let mut with_dealer = full("Dealer", "84600");
    with_dealer["dealer_number"] = json!("D-1001");
    let (status, c) = rt.post(&admin, CUSTOMERS, with_dealer).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["cards"]["sale"]["monitoring_company_id"], ADT);

    // Cleared, the flag asks for nothing more; no PreCheck runs.
    let mut off = base("Unchecked");
    off["run_adt_precheck"] = json!(false);
    let (status, c) = rt.post(&admin, CUSTOMERS, off).await;
    assert_eq!(status, 201, "{c}");
    let (_, p) = rt.get(&admin, &format!("/api/v1/customers/{}/adt-precheck", c["id"])).await;
    assert_eq!(p["status"], "none");

    // A company without an active ADT monitoring company cannot run it.
    let bluebird = rt.sign_in(OTHER_ADMIN).await;
    let (status, p) = rt.post(&bluebird, CUSTOMERS, full("Blue", "84600")).await;
    assert_eq!(status, 422);
    assert!(fields(&p).contains(&"run_adt_precheck".to_owned()), "{p}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_precheck_runs_after_the_save_and_refresh_runs_it_again() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let mut ids = Vec::new();
    for (zip, expected) in
        [("84600", "approved"), ("84607", "needs_review"), ("84608", "declined"), ("84609", "unavailable")]
    {
        let (status, c) =
            rt.post(&admin, "/api/v1/customers?allow_duplicates=true", full(&format!("Zip{zip}"), zip)).await;
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_u64().unwrap();
        let p = settled(&rt, &admin, id, 1).await;
        assert_eq!(p["status"], expected, "zip {zip}");
        assert_eq!(p["monitoring_company_id"], ADT);
        assert_eq!(p["result"]["provider"], "Sandbox ADT PreCheck");
        ids.push((id, c));
    }

    // Refresh after correcting the zip: a second run, pending until ADT answers.
    let (id, c) = ids.pop().unwrap();
    let (status, c) =
        rt.patch(&admin, &format!("/api/v1/customers/{id}"), json!({"zip": "84601", "version": c["version"]})).await;
    assert_eq!(status, 200, "{c}");
    let (status, p) = rt.post(&admin, &format!("/api/v1/customers/{id}/adt-precheck"), json!({})).await;
    assert_eq!(status, 202, "{p}");
    assert_eq!(p["attempt"], 2);
    let p = settled(&rt, &admin, id, 2).await;
    assert_eq!(p["status"], "approved");

    // No SSN in the stored PreCheck; another company reaches none of it.
    let co = vigil_domain::CompanyId::parse("acme").unwrap();
    let item = rt.services().table.get(&vigil_store::keys::precheck(&co, vigil_domain::RecordId(id))).await.unwrap();
    let text = Value::Object(item.unwrap()).to_string();
    assert!(!text.contains("123-45-6781") && !text.contains("123456781"), "the PreCheck keeps no SSN");
    let bluebird = rt.sign_in(OTHER_ADMIN).await;
    assert_eq!(rt.get(&bluebird, &format!("/api/v1/customers/{id}/adt-precheck")).await.0, 404);
    assert_eq!(rt.post(&bluebird, &format!("/api/v1/customers/{id}/adt-precheck"), json!({})).await.0, 404);

    // With PreCheck Order Enabled off, a customer saved with the flag gets no run.
    let path = format!("/api/v1/settings/monitoring-companies/{ADT}");
    let (_, adt) = rt.get(&admin, &path).await;
    let (status, _) =
        rt.patch(&admin, &path, json!({"precheck_order_enabled": false, "version": adt["version"]})).await;
    assert_eq!(status, 200);
    let (status, c) = rt.post(&admin, "/api/v1/customers?allow_duplicates=true", full("Unordered", "84600")).await;
    assert_eq!(status, 201, "{c}");
    let (_, p) = rt.get(&admin, &format!("/api/v1/customers/{}/adt-precheck", c["id"])).await;
    assert_eq!(p["status"], "none");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_keep_the_monitoring_companies() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    const LIST: &str = "/api/v1/settings/monitoring-companies";
    let (status, list) = rt.get(&office, LIST).await;
    assert_eq!(status, 200);
    let adt = list["items"].as_array().unwrap().iter().find(|m| m["kind"] == "adt").unwrap().clone();
    assert_eq!((adt["active"].clone(), adt["precheck_order_enabled"].clone()), (json!(true), json!(true)));

    let body = json!({"name": "Guardian Central", "kind": "other", "active": true});
    assert_eq!(rt.post(&office, LIST, body.clone()).await.0, 403);
    let (status, created) = rt.post(&admin, LIST, body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["dealer_number_required"], false);
    assert_eq!(rt.post(&admin, LIST, json!({"kind": "adt"})).await.0, 422);
    // The customer cards offer the active ones.
    let offered =
        |opts: &Value| opts["monitoring_companies"].as_array().unwrap().iter().any(|m| m["name"] == "Guardian Central");
    assert!(offered(&rt.get(&admin, "/api/v1/customers/form-options").await.1));
    let path = format!("{LIST}/{}", created["id"]);
    let (status, got) = rt.get(&admin, &path).await;
    assert_eq!((status, got["name"].clone()), (200, json!("Guardian Central")));
    assert_eq!(rt.patch(&admin, &path, json!({"active": false, "version": 9})).await.0, 409);
    let (status, saved) = rt.patch(&admin, &path, json!({"active": false, "version": got["version"]})).await;
    assert_eq!(status, 200);
    assert_eq!((saved["active"].clone(), saved["version"].clone()), (json!(false), json!(2)));
    assert!(!offered(&rt.get(&admin, "/api/v1/customers/form-options").await.1), "an inactive one is not offered");
    let bluebird = rt.sign_in(OTHER_ADMIN).await;
    assert_eq!(rt.get(&bluebird, &path).await.0, 404);
    rt.stop().await;
}
