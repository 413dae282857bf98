//! Credit checks over HTTP through the local runtime: every outcome of the sandbox bureau (chosen by the SSN's last
//! digit), apply vs skip, the customer's version on apply, a manual score, one pull per click under a repeated
//! `Idempotency-Key` and under a redelivered job, no SSN in the stored check or the logs, permissions, tenancy and
//! the add-on's settings.
//!
//! SSNs are compared without printing them, so a failure never shows one.

use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Index, Query, SortCond};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN, SALES};

/// Everything any test of this file logs (the runtime runs in this process).
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let _ = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .with_writer(move || Capture(sink.clone()))
            .try_init();
        buf
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn ssn(last: u8) -> String {
    format!("123-45-678{last}")
}

/// A customer at office location `location` with an SSN ending in `last` (or none).
async fn customer(rt: &LocalRuntime, token: &str, first: &str, last: Option<u8>, location: u32) -> Value {
    let mut body = json!({
        "first_name": first, "last_name": "Creditworthy", "primary_phone": "(801) 555-0142", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "77 Canyon Rd", "account_type": "residential",
        "office_location_id": location
    });
    if let Some(d) = last {
        body["ssn"] = json!(ssn(d));
    }
    let (status, c) = rt.post(token, "/api/v1/customers?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{}", c["detail"]);
    c
}

async fn run(rt: &LocalRuntime, token: &str, cid: u64, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut req =
        rt.http().post(rt.url(&format!("/api/v1/customers/{cid}/credit-checks"))).bearer_auth(token).json(&body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn sandbox() -> Value {
    json!({"bureau": "sandbox", "bureau_fields": {}})
}

/// The check once the bureau answered.
async fn settled(rt: &LocalRuntime, token: &str, cid: u64, check: u64) -> Value {
    eventually("the bureau's answer", Duration::from_secs(20), || async {
        let (_, list) = rt.get(token, &format!("/api/v1/customers/{cid}/credit-checks")).await;
        list["items"].as_array()?.iter().find(|c| c["id"] == check && c["status"] != "pending").cloned()
    })
    .await
}

async fn stored_checks(rt: &LocalRuntime, cid: u64) -> Vec<Value> {
    let co = CompanyId::parse("acme").unwrap();
    let q = Query::new(Index::Base, keys::record_pk(&co, RecordId(cid)))
        .sort(SortCond::BeginsWith(keys::CREDIT_CHECK_PREFIX.into()));
    rt.services().table.query(&q).await.unwrap().items.into_iter().map(Value::Object).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sandbox_outcome_and_no_ssn_in_the_check_or_the_logs() {
    let logs = captured();
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let expected: [(&str, Option<u64>, Option<&str>); 10] = [
        ("completed", Some(780), Some("A")),
        ("completed", Some(720), Some("A")),
        ("completed", Some(680), Some("B")),
        ("completed", Some(630), Some("C")),
        ("completed", Some(580), Some("D")),
        ("completed", Some(520), Some("F")),
        ("declined", None, None),
        ("no_hit", None, None),
        ("error", None, None),
        ("error", None, None),
    ];
    let mut cids = Vec::new();
    for (digit, (status, score, grade)) in expected.iter().enumerate() {
        let d = u8::try_from(digit).unwrap();
        let cid = customer(&rt, &admin, &format!("Digit{digit}"), Some(d), 1).await["id"].as_u64().unwrap();
        let (code, check) = run(&rt, &admin, cid, Some(&format!("click-{digit}")), sandbox()).await;
        assert_eq!(code, 202, "{check}");
        assert_eq!(check["status"], "pending");
        assert_eq!(check["applied"], false);
        assert_eq!(check["bureau_name"], "Sandbox bureau");
        let done = settled(&rt, &admin, cid, check["id"].as_u64().unwrap()).await;
        assert_eq!(done["status"], *status, "SSN ending in {digit}");
        assert_eq!(done["score"].as_u64(), *score, "SSN ending in {digit}");
        assert_eq!(done["grade"].as_str(), *grade, "SSN ending in {digit}");
        assert!(done["run_at"].is_string());
        match *status {
            "completed" | "declined" => assert!(done["transaction_id"].as_str().unwrap().starts_with("SBX-")),
            _ => assert!(done["transaction_id"].is_null()),
        }
        if digit == 8 {
            assert!(done["reason"].as_str().unwrap().contains("in time"), "a timeout says so");
        }
        cids.push(cid);
    }

    // Neither the stored checks nor anything logged holds an SSN, in any spelling.
    let spellings: Vec<String> = (0..10).flat_map(|d| [ssn(d), ssn(d).replace('-', "")]).collect();
    for cid in &cids {
        for item in stored_checks(&rt, *cid).await {
            let text = item.to_string();
            assert!(item.get("ssn").is_none() && item.get("ssn_encrypted").is_none(), "a check keeps no SSN field");
            assert!(!spellings.iter().any(|s| text.contains(s.as_str())), "a stored check holds no SSN");
        }
    }
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(text.contains("credit check pulled"), "the pulls were logged");
    assert!(!spellings.iter().any(|s| text.contains(s.as_str())), "no SSN in the logs");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_skip_manual_and_the_customers_version() {
    let rt = LocalRuntime::start_small().await;
    let sales = rt.sign_in(SALES).await;
    let c = customer(&rt, &sales, "Apply", Some(2), 1).await;
    let cid = c["id"].as_u64().unwrap();
    let (_, first) = run(&rt, &sales, cid, Some("a-1"), sandbox()).await;
    let first = settled(&rt, &sales, cid, first["id"].as_u64().unwrap()).await;
    let (_, second) = run(&rt, &sales, cid, Some("a-2"), sandbox()).await;
    let second = settled(&rt, &sales, cid, second["id"].as_u64().unwrap()).await;
    assert_ne!(first["id"], second["id"], "Run Credit Again is another check");

    // Skip: a check that is not applied leaves the customer as it was.
    let (_, home) = rt.get(&sales, &format!("/api/v1/customers/{cid}")).await;
    assert!(home["cards"]["personal"]["credit_score"].is_null());
    assert_eq!(home["version"], c["version"]);

    // Apply with a stale version: 409, nothing applied.
    let apply = |check: &Value| format!("/api/v1/credit-checks/{}/apply", check["id"]);
    let stale = c["version"].as_u64().unwrap() + 5;
    let (status, problem) = rt.post(&sales, &apply(&first), json!({"version": stale})).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(rt.post(&sales, &apply(&first), json!({})).await.0, 422, "the version is required");
    let (status, home) = rt.post(&sales, &apply(&first), json!({"version": c["version"]})).await;
    assert_eq!(status, 200, "{home}");
    assert_eq!(home["cards"]["personal"]["credit_score"], 680);
    assert_eq!(home["cards"]["personal"]["credit_grade"], "B");
    assert_eq!(home["cards"]["personal"]["credit_tracking_number"], first["transaction_id"]);
    let (_, list) = rt.get(&sales, &format!("/api/v1/customers/{cid}/credit-checks")).await;
    let applied: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|c| c["applied"] == true).collect();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0]["id"], first["id"]);

    // Applying the other makes it the only active one.
    let (status, home) = rt.post(&sales, &apply(&second), json!({"version": home["version"]})).await;
    assert_eq!(status, 200, "{home}");
    assert_eq!(home["cards"]["personal"]["credit_tracking_number"], second["transaction_id"]);
    let (_, list) = rt.get(&sales, &format!("/api/v1/customers/{cid}/credit-checks")).await;
    let applied: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|c| c["applied"] == true).collect();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0]["id"], second["id"]);
    let (_, history) = rt.get(&sales, &format!("/api/v1/customers/{cid}/history")).await;
    assert!(history["items"].as_array().unwrap().iter().any(|h| h["field"] == "credit_tracking_number"));

    // A declined check cannot be applied.
    let declined_customer = customer(&rt, &sales, "Declined", Some(6), 1).await;
    let did = declined_customer["id"].as_u64().unwrap();
    let (_, d) = run(&rt, &sales, did, Some("d-1"), sandbox()).await;
    settled(&rt, &sales, did, d["id"].as_u64().unwrap()).await;
    let (status, problem) = rt.post(&sales, &apply(&d), json!({"version": declined_customer["version"]})).await;
    assert_eq!(status, 422, "{problem}");

    // A score entered by hand is a completed manual check, applied at once.
    let path = format!("/api/v1/customers/{cid}/credit-checks/manual");
    assert_eq!(rt.post(&sales, &path, json!({"score": 99, "version": home["version"]})).await.0, 422);
    let (status, home) =
        rt.post(&sales, &path, json!({"score": 705, "transaction_id": "PHONE-1", "version": home["version"]})).await;
    assert_eq!(status, 201, "{home}");
    assert_eq!(home["cards"]["personal"]["credit_score"], 705);
    assert_eq!(home["cards"]["personal"]["credit_tracking_number"], "PHONE-1");
    let (_, list) = rt.get(&sales, &format!("/api/v1/customers/{cid}/credit-checks")).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["bureau"], "manual");
    assert_eq!(items[0]["applied"], true);
    assert_eq!(items.iter().filter(|c| c["applied"] == true).count(), 1);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_is_one_pull_under_a_repeated_key_and_a_redelivered_job() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let cid = customer(&rt, &admin, "Once", Some(1), 1).await["id"].as_u64().unwrap();

    // The same click sent three times, two of them at once: one check.
    let (a, b) = tokio::join!(run(&rt, &admin, cid, Some("click-once"), sandbox()), async {
        run(&rt, &admin, cid, Some("click-once"), sandbox()).await
    });
    let (c_status, c) = run(&rt, &admin, cid, Some("click-once"), sandbox()).await;
    assert_eq!((a.0, b.0, c_status), (202, 202, 202));
    assert_eq!(a.1["id"], b.1["id"]);
    assert_eq!(a.1["id"], c["id"]);
    let id = c["id"].as_u64().unwrap();
    settled(&rt, &admin, cid, id).await;
    let (_, list) = rt.get(&admin, &format!("/api/v1/customers/{cid}/credit-checks")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, again) = run(&rt, &admin, cid, Some("click-once"), sandbox()).await;
    assert_eq!(again["id"], c["id"]);
    assert_eq!(again["status"], "completed", "a repeat answers the check as it is now");
    let bad = "x".repeat(200);
    assert_eq!(run(&rt, &admin, cid, Some(&bad), sandbox()).await.0, 422);

    // The job delivered again: the worker has handled its key, so nothing runs.
    let svc = rt.services();
    let key = format!("credit:acme:{id}");
    let envelope = json!({
        "idempotency_key": key,
        "job": {"type": "pull_credit", "company": "acme", "customer_id": cid, "check_id": id}
    })
    .to_string();
    let outcome = vigil_app::jobs::handle_message(svc, &envelope).await.unwrap();
    assert_eq!(outcome, vigil_app::jobs::Outcome::Duplicate);
    // Even with the worker's memory gone, a settled check is not pulled again.
    svc.table.delete(&keys::idempotency("jobs", &key), None).await.unwrap();
    let before = stored_checks(&rt, cid).await;
    assert_eq!(before[0]["pulls"], 1);
    let outcome = vigil_app::jobs::handle_message(svc, &envelope).await.unwrap();
    assert_eq!(outcome, vigil_app::jobs::Outcome::Done);
    assert_eq!(stored_checks(&rt, cid).await, before, "the check is untouched");

    // A pull that started and never recorded its answer (a crash) is not pulled again: it ends as an error.
    let co = CompanyId::parse("acme").unwrap();
    let mut lost = before[0].as_object().unwrap().clone();
    for (k, v) in [("status", json!("pending")), ("pull_started_at", json!("2026-01-01T00:00:00Z"))] {
        lost.insert(k.into(), v);
    }
    for k in ["score", "grade", "transaction_id", "run_at"] {
        lost.insert(k.into(), Value::Null);
    }
    lost.insert("SK".into(), json!(keys::credit_check(&co, RecordId(cid), 999_999).sk));
    lost.insert("id".into(), json!(999_999));
    svc.table.put(lost, None).await.unwrap();
    let envelope = json!({
        "idempotency_key": "credit:acme:999999",
        "job": {"type": "pull_credit", "company": "acme", "customer_id": cid, "check_id": 999_999}
    })
    .to_string();
    vigil_app::jobs::handle_message(svc, &envelope).await.unwrap();
    let checks = stored_checks(&rt, cid).await;
    let crashed = checks.iter().find(|c| c["id"] == 999_999).unwrap();
    assert_eq!(crashed["status"], "error");
    assert_eq!(crashed["pulls"], 1, "no second bureau call");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_tenancy_and_the_add_on_settings() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let sales = rt.sign_in(SALES).await;
    let installer = rt.sign_in(INSTALLER).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let cid = customer(&rt, &admin, "Granted", Some(0), 1).await["id"].as_u64().unwrap();
    let list = format!("/api/v1/customers/{cid}/credit-checks");

    // Office staff see the Credit tab but may not run credit; the installer has no Credit Reports at all.
    assert_eq!(run(&rt, &office, cid, None, sandbox()).await.0, 403);
    assert_eq!(rt.get(&office, &list).await.0, 200);
    assert_eq!(rt.get(&installer, &list).await.0, 403);
    // The sales rep runs credit at their home office only.
    assert_eq!(run(&rt, &sales, cid, None, sandbox()).await.0, 202);
    let away = customer(&rt, &admin, "Away", Some(0), 2).await["id"].as_u64().unwrap();
    assert_eq!(run(&rt, &sales, away, None, sandbox()).await.0, 403);

    // Another company reaches neither the customer nor its checks.
    let (_, check) = run(&rt, &admin, cid, Some("t-1"), sandbox()).await;
    let check = settled(&rt, &admin, cid, check["id"].as_u64().unwrap()).await;
    assert_eq!(rt.get(&other, &list).await.0, 404);
    assert_eq!(run(&rt, &other, cid, None, sandbox()).await.0, 404);
    let apply = format!("/api/v1/credit-checks/{}/apply", check["id"]);
    assert_eq!(rt.post(&other, &apply, json!({"version": 1})).await.0, 404);
    assert_eq!(rt.post(&office, &apply, json!({"version": 1})).await.0, 403);

    // A customer without an SSN, a bureau not offered, a field the bureau does not take: 422 naming each.
    let bare = customer(&rt, &admin, "Bare", None, 1).await["id"].as_u64().unwrap();
    let (status, p) = run(&rt, &admin, bare, None, sandbox()).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "ssn");
    let (status, p) = run(&rt, &admin, cid, None, json!({"bureau": "equifax"})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "bureau");
    let (status, p) = run(&rt, &admin, cid, None, json!({"bureau": "sandbox", "bureau_fields": {"pin": "1"}})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "bureau_fields.pin");
    let bad_address = json!({"bureau": "sandbox", "previous_address": {"address1": "", "city": "Ogden", "state": "UT", "zip": "84401"}});
    let (status, p) = run(&rt, &admin, cid, None, bad_address).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "previous_address.address1");

    // Settings: on with the sandbox in the demo; admins change them with the version; off refuses runs (422).
    let (status, s) = rt.get(&admin, "/api/v1/settings/credit").await;
    assert_eq!(status, 200);
    assert_eq!(s["enabled"], true);
    assert_eq!(s["bureaus"], json!(["sandbox"]));
    assert_eq!(s["available"][0]["name"], "Sandbox bureau");
    assert_eq!(rt.get(&installer, "/api/v1/settings/credit").await.0, 403);
    let put = |body: Value| async { rt.put(&admin, "/api/v1/settings/credit", body).await };
    assert_eq!(put(json!({"enabled": true, "bureaus": ["sandbox"], "version": 99})).await.0, 409);
    assert_eq!(put(json!({"enabled": true, "bureaus": ["equifax"], "version": s["version"]})).await.0, 422);
    assert_eq!(put(json!({"enabled": true, "bureaus": [], "version": s["version"]})).await.0, 422);
    assert_eq!(
        rt.put(&office, "/api/v1/settings/credit", json!({"enabled": false, "version": s["version"]})).await.0,
        403
    );
    let (status, off) = put(json!({"enabled": false, "bureaus": ["sandbox"], "version": s["version"]})).await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["version"], s["version"].as_u64().unwrap() + 1);
    let (status, p) = run(&rt, &admin, cid, Some("t-2"), sandbox()).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["code"], "disabled");
    // Bluebird's settings are its own.
    let (_, theirs) = rt.get(&other, "/api/v1/settings/credit").await;
    assert_eq!(theirs["enabled"], true);
    rt.stop().await;
}
