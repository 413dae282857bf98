//! Customer workflows over HTTP through the local runtime: definitions (validation naming each field by path,
//! versions, deactivation, admin only), enrollments (start, the open-enrollment conflict, ordering), every completion
//! strategy, automatic steps following the customer's data, optional steps, failure, warnings and the tab counters,
//! concurrent completions, View versus Create, and merge fields masked per the reader.
//!
//! Confidential values are compared without printing them, so a failure never shows one.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil_domain::{CompanyId, UserId};
use vigil_local::seed::SeedSize;
use vigil_local::TableLayer;
use vigil_store::{keys, Condition, Item, Key, Page, Query, StoreError, Table, TxOp, Update};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN};

const DEFS: &str = "/api/v1/settings/customer-workflows";
const BIRTHDATE: &str = "1980-05-17";

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn text(en: &str, es: &str) -> Value {
    json!({"en": en, "es": es})
}

/// Four steps, one per strategy: a script to acknowledge, contact details to pass or fail (generating a ticket),
/// emergency contacts completing themselves, and an optional upsell generating an appointment.
fn onboarding() -> Value {
    json!({
        "name": "Onboarding", "layout": "stepped", "languages": ["en", "es"],
        "steps": [
            {"title": text("Welcome call", "Llamada"), "type": "instructions", "completion": "acknowledge",
             "content": text("Hello {{customer.first_name}}, this is {{company.name}}. Born {{customer.birthdate}}.",
                             "Hola {{customer.first_name}}")},
            {"title": text("Contact details", "Contacto"), "content": text("", ""), "type": "confirm_contact",
             "completion": "pass_fail", "generates": {"ticket": {"subject": "Fix contact details"}}},
            {"title": text("Emergency contacts", "Contactos"), "content": text("", ""),
             "type": "review_emergency_contacts", "completion": "automatic"},
            {"title": text("Upsell", "Venta"), "content": text("", ""), "type": "review_equipment",
             "completion": "pass_fail", "optional": true, "generates": {"appointment": {"type": "sale"}}}
        ]
    })
}

async fn define(rt: &LocalRuntime, admin: &str, body: Value) -> Value {
    let (status, d) = rt.post(admin, DEFS, body).await;
    assert_eq!(status, 201, "{d}");
    d
}

async fn new_customer(rt: &LocalRuntime, token: &str, first: &str) -> u64 {
    let body = json!({
        "first_name": first, "last_name": "Enrollee", "primary_phone": "(801) 555-0142", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "77 Canyon Rd", "account_type": "residential",
        "office_location_id": 1, "birthdate": BIRTHDATE
    });
    let (status, c) = rt.post(token, "/api/v1/customers", body).await;
    assert_eq!(status, 201, "{}", c["detail"]);
    c["id"].as_u64().expect("customer id")
}

async fn start(rt: &LocalRuntime, token: &str, customer: u64, workflow: u64) -> (u16, Value) {
    rt.post(token, &format!("/api/v1/customers/{customer}/workflows"), json!({"workflow_id": workflow})).await
}

async fn enrollment(rt: &LocalRuntime, token: &str, id: u64) -> Value {
    let (status, e) = rt.get(token, &format!("/api/v1/enrollments/{id}")).await;
    assert_eq!(status, 200, "{e}");
    e
}

async fn complete(rt: &LocalRuntime, token: &str, e: &Value, step: u64, outcome: &str) -> (u16, Value) {
    let path = format!("/api/v1/enrollments/{}/steps/{step}/complete", e["id"]);
    rt.post(token, &path, json!({"outcome": outcome, "version": e["version"]})).await
}

fn step_status(e: &Value, step: usize) -> &str {
    e["steps"][step - 1]["status"].as_str().unwrap_or_default()
}

async fn tickets(rt: &LocalRuntime, token: &str, customer: u64) -> Vec<Value> {
    let (status, notes) = rt.get(token, &format!("/api/v1/customers/{customer}/notes")).await;
    assert_eq!(status, 200, "{notes}");
    notes["items"].as_array().unwrap().iter().filter(|n| n["data"]["ticket"] == true).cloned().collect()
}

async fn home(rt: &LocalRuntime, token: &str, customer: u64) -> Value {
    let (status, c) = rt.get(token, &format!("/api/v1/customers/{customer}")).await;
    assert_eq!(status, 200, "{c}");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_are_validated_by_path_versioned_and_admin_only() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;

    // Every problem at once, each named by its path.
    let mut bad = onboarding();
    bad["steps"][2]["title"].as_object_mut().unwrap().remove("es");
    bad["steps"][0]["content"]["en"] = json!("Your size: {{customer.shoe_size}}");
    bad["steps"][1]["type"] = json!("confirm_fields");
    bad["steps"][1]["fields"] = json!([]);
    bad["steps"][3]["completion"] = json!("whenever");
    bad["layout"] = json!("carousel");
    let (status, p) = rt.post(&admin, DEFS, bad).await;
    assert_eq!(status, 422, "{p}");
    let f = fields(&p);
    for want in ["steps[2].title.es", "steps[0].content.en", "steps[1].fields", "steps[3].completion", "layout"] {
        assert!(f.iter().any(|x| x == want), "{want} not in {f:?}");
    }
    assert!(!p.to_string().contains("shoe_size"), "the problem never quotes the text sent");
    // Plain instructions have nothing to wait for.
    let mut bad = onboarding();
    bad["steps"][0]["completion"] = json!("automatic");
    assert_eq!(fields(&rt.post(&admin, DEFS, bad).await.1), ["steps[0].completion"]);
    // A generated ticket goes to someone who can work it: a user of this company, not another company's.
    let mut bad = onboarding();
    bad["steps"][0]["generates"] = json!({"ticket": {"subject": "Call back", "assignee_id": "bluebird-admin"}});
    assert_eq!(fields(&rt.post(&admin, DEFS, bad).await.1), ["steps[0].generates.ticket.assignee_id"]);

    // Only admins define workflows.
    let (status, _) = rt.post(&office, DEFS, onboarding()).await;
    assert_eq!(status, 403);
    let d = define(&rt, &admin, onboarding()).await;
    assert_eq!(d["version"], 1);
    assert_eq!(d["steps"][0]["type"], "instructions");
    assert_eq!(d["steps"][1]["generates"]["ticket"]["subject"], "Fix contact details");
    assert_eq!(d["steps"][3]["generates"]["appointment"]["type"], "sale");
    let path = format!("{DEFS}/{}", d["id"]);

    // An edit is a new version; the old one stays readable; a stale version is refused with what is stored.
    let (status, _) = rt.patch(&office, &path, json!({"version": 1, "name": "Mine"})).await;
    assert_eq!(status, 403);
    let (status, v2) = rt.patch(&admin, &path, json!({"version": 1, "name": "Onboarding v2"})).await;
    assert_eq!(status, 200, "{v2}");
    assert_eq!((v2["version"].as_u64(), v2["name"].as_str()), (Some(2), Some("Onboarding v2")));
    let (status, p) = rt.patch(&admin, &path, json!({"version": 1, "name": "Lost"})).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["current"]["version"], 2);
    let (status, p) = rt.patch(&admin, &path, json!({"version": 2, "languages": ["en", "es", "fr"]})).await;
    assert_eq!(status, 422, "{p}");
    assert!(fields(&p).contains(&"steps[0].title.fr".to_owned()), "{p}");
    let (_, v1) = rt.get(&admin, &format!("{path}?version=1")).await;
    assert_eq!(v1["name"], "Onboarding");
    let (_, current) = rt.get(&office, &path).await;
    assert_eq!(current["version"], 2);

    // Deactivating hides it from everyone but admins; there is no delete.
    let (status, _) = rt.patch(&admin, &path, json!({"version": 2, "active": false})).await;
    assert_eq!(status, 200);
    let listed = |list: &Value| list["items"].as_array().unwrap().iter().any(|w| w["id"] == d["id"]);
    assert!(!listed(&rt.get(&office, DEFS).await.1));
    assert!(listed(&rt.get(&admin, DEFS).await.1));
    let (status, _) = rt.delete(&admin, &path).await;
    assert_eq!(status, 405);
    // Another company never sees it.
    let other = rt.sign_in(OTHER_ADMIN).await;
    assert_eq!(rt.get(&other, &path).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_strategy_completes_its_steps_and_the_enrollment_keeps_its_version() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let d = define(&rt, &admin, onboarding()).await;
    let wid = d["id"].as_u64().unwrap();
    let customer = new_customer(&rt, &office, "Strategy").await;

    let (status, started) = start(&rt, &office, customer, wid).await;
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["status"], "pending");
    assert_eq!(started["progress"], json!({"done": 0, "total": 4}));
    // A second start of an open workflow answers the existing enrollment.
    let (status, p) = start(&rt, &office, customer, wid).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["current"]["id"], started["id"]);
    assert_eq!(home(&rt, &office, customer).await["tabs"]["workflows"], 1);

    // The definition moves on; the enrollment keeps the version it started with.
    let mut v2 = onboarding();
    v2["version"] = json!(1);
    v2["steps"].as_array_mut().unwrap().push(json!({"title": text("Extra", "Extra"), "content": text("", ""),
        "type": "instructions", "completion": "acknowledge"}));
    let (status, _) = rt.patch(&admin, &format!("{DEFS}/{wid}"), v2).await;
    assert_eq!(status, 200);
    let e = enrollment(&rt, &office, started["id"].as_u64().unwrap()).await;
    assert_eq!((e["workflow_version"].as_u64(), e["steps"].as_array().unwrap().len()), (Some(1), 4));
    assert_eq!(e["layout"], "stepped");
    assert!(e["steps"][0]["content"].as_str().unwrap().starts_with("Hello Strategy, this is Acme"), "{e}");
    let es = rt.get(&office, &format!("/api/v1/enrollments/{}?language=es", e["id"])).await.1;
    assert_eq!(es["steps"][0]["content"], "Hola Strategy");

    // Each strategy takes its own outcomes; automatic steps complete themselves.
    let (status, p) = complete(&rt, &office, &e, 1, "passed").await;
    assert_eq!((status, fields(&p)), (422, vec!["outcome".to_owned()]));
    let (status, p) = complete(&rt, &office, &e, 3, "passed").await;
    assert_eq!((status, fields(&p)), (422, vec!["outcome".to_owned()]));
    assert_eq!(complete(&rt, &office, &e, 9, "passed").await.0, 404);
    let (status, e) = complete(&rt, &office, &e, 1, "acknowledged").await;
    assert_eq!(status, 200, "{e}");
    assert_eq!((e["status"].as_str(), step_status(&e, 1)), (Some("in_progress"), "acknowledged"));
    assert_eq!(e["progress"], json!({"done": 1, "total": 4}));
    // A stale version is refused with the enrollment as stored.
    let mut stale = e.clone();
    stale["version"] = json!(1);
    let (status, p) = complete(&rt, &office, &stale, 2, "passed").await;
    assert_eq!(status, 409);
    assert_eq!(p["current"]["version"], e["version"]);

    let (status, e) = complete(&rt, &office, &e, 2, "passed").await;
    assert_eq!(status, 200, "{e}");
    let t = tickets(&rt, &office, customer).await;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["data"]["text"], "Fix contact details");

    // An emergency contact completes the automatic step.
    assert_eq!(e["steps"][2]["requirement_met"], false);
    let body = json!({"name": "Sam Enrollee", "phone": "801-555-0199"});
    let (status, _) = rt.post(&office, &format!("/api/v1/customers/{customer}/contacts"), body).await;
    assert_eq!(status, 201);
    let e = enrollment(&rt, &office, e["id"].as_u64().unwrap()).await;
    assert_eq!(step_status(&e, 3), "completed");
    // The optional step does not block moving on, but the enrollment completes only once it is done.
    assert_eq!(e["status"], "in_progress");
    let (status, e) = complete(&rt, &office, &e, 4, "passed").await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["status"], "completed");
    assert_eq!(e["progress"], json!({"done": 4, "total": 4}));
    let (_, appts) = rt.get(&office, &format!("/api/v1/customers/{customer}/appointments")).await;
    assert_eq!(appts["items"].as_array().unwrap().len(), 1, "{appts}");
    assert_eq!(appts["items"][0]["data"]["kind"], "sale");
    // A finished workflow takes no more completions, and may be started again.
    assert_eq!(complete(&rt, &office, &e, 4, "passed").await.0, 409);
    let (status, again) = start(&rt, &office, customer, wid).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["workflow_version"], 2);
    // The customer already has an emergency contact: the new enrollment's automatic step completed as it started.
    assert_eq!((again["status"].as_str(), again["progress"]["done"].as_u64()), (Some("in_progress"), Some(1)));

    // The tab lists by status: in progress before completed.
    let (_, list) = rt.get(&office, &format!("/api/v1/customers/{customer}/workflows")).await;
    let statuses: Vec<&str> = list["items"].as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["in_progress", "completed"]);
    assert_eq!(list["can_start"], true);
    assert_eq!(home(&rt, &office, customer).await["tabs"]["workflows"], 2);

    // Every enrollment event is a line of the customer's history.
    let (_, history) = rt.get(&office, &format!("/api/v1/customers/{customer}/history?per_page=50")).await;
    let events: Vec<String> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == "workflow")
        .map(|h| h["after"].as_str().unwrap_or_default().to_owned())
        .collect();
    for want in [
        ": started",
        "step 1 (Welcome call) acknowledged",
        "step 2 (Contact details) passed",
        "step 3 completed automatically",
        "step 4 (Upsell) passed; the workflow is completed",
    ] {
        assert!(events.iter().any(|e| e.contains(want)), "{want} not in {events:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_and_requirements_that_stop_holding_raise_the_warning() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let checked = define(
        &rt,
        &admin,
        json!({"name": "Email check", "layout": "single_page", "languages": ["en"], "steps": [
            {"title": {"en": "Email"}, "content": {"en": ""}, "type": "confirm_fields", "fields": ["email"],
             "completion": "automatic"},
            {"title": {"en": "Review"}, "content": {"en": ""}, "type": "instructions", "completion": "pass_fail"}
        ]}),
    )
    .await;
    let customer = new_customer(&rt, &office, "Warned").await;
    let (_, started) = start(&rt, &office, customer, checked["id"].as_u64().unwrap()).await;
    let id = started["id"].as_u64().unwrap();
    assert_eq!(home(&rt, &office, customer).await["warnings"]["workflows"], false);

    // Filling in the email completes the automatic step; clearing it again raises the warning.
    let c = home(&rt, &office, customer).await;
    let (status, c) = rt
        .patch(
            &office,
            &format!("/api/v1/customers/{customer}"),
            json!({"version": c["version"], "email": "w@example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    let e = enrollment(&rt, &office, id).await;
    assert_eq!((step_status(&e, 1), e["warning"].as_bool()), ("completed", Some(false)));
    let (status, _) = rt
        .patch(&office, &format!("/api/v1/customers/{customer}"), json!({"version": c["version"], "email": null}))
        .await;
    assert_eq!(status, 200);
    let e = enrollment(&rt, &office, id).await;
    assert_eq!((step_status(&e, 1), e["steps"][0]["warning"].as_bool()), ("completed", Some(true)));
    assert_eq!(e["warning"], true);
    let h = home(&rt, &office, customer).await;
    assert_eq!((h["tabs"]["workflows"].as_u64(), h["warnings"]["workflows"].as_bool()), (Some(1), Some(true)));

    // A failed required step fails the enrollment; the warning stays while it is failed.
    let (status, e) = complete(&rt, &office, &e, 2, "failed").await;
    assert_eq!(status, 200, "{e}");
    assert_eq!((e["status"].as_str(), e["warning"].as_bool()), (Some("failed"), Some(true)));

    // A fresh failure on another customer: the counter follows each enrollment, not each step.
    let other = new_customer(&rt, &office, "Failing").await;
    let (_, started) = start(&rt, &office, other, checked["id"].as_u64().unwrap()).await;
    let e = enrollment(&rt, &office, started["id"].as_u64().unwrap()).await;
    assert_eq!(home(&rt, &office, other).await["warnings"]["workflows"], false);
    let (_, e) = complete(&rt, &office, &e, 2, "failed").await;
    assert_eq!(e["status"], "failed");
    let h = home(&rt, &office, other).await;
    assert_eq!((h["tabs"]["workflows"].as_u64(), h["warnings"]["workflows"].as_bool()), (Some(1), Some(true)));
}

/// Watches the table under the runtime. While `armed`, holds the first reads of an enrollment until `readers`
/// requests have all read it, so concurrent completions are all based on the same version (without it the runtime may
/// serve them one after another and never race). Records the sort keys each transaction writes.
struct SameRead {
    inner: Arc<dyn Table>,
    armed: AtomicBool,
    barrier: tokio::sync::Barrier,
    transactions: Mutex<Vec<Vec<String>>>,
}

impl SameRead {
    fn layer(readers: usize) -> (Arc<Mutex<Option<Arc<SameRead>>>>, TableLayer) {
        let gate: Arc<Mutex<Option<Arc<SameRead>>>> = Arc::default();
        let slot = gate.clone();
        let layer = TableLayer::new(move |inner| {
            let g = Arc::new(SameRead {
                inner,
                armed: AtomicBool::new(false),
                barrier: tokio::sync::Barrier::new(readers),
                transactions: Mutex::default(),
            });
            *slot.lock().expect("lock") = Some(g.clone());
            g
        });
        (gate, layer)
    }
}

#[async_trait::async_trait]
impl Table for SameRead {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let read = self.inner.get(key).await;
        if key.sk.starts_with(keys::ENROLLMENT_PREFIX) && self.armed.load(Ordering::SeqCst) {
            // A deadline rather than a hang should the requests never meet.
            let met = tokio::time::timeout(Duration::from_secs(20), self.barrier.wait()).await;
            self.armed.store(false, Ordering::SeqCst);
            assert!(met.is_ok(), "the concurrent completions never read the enrollment together");
        }
        read
    }
    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        self.inner.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        self.inner.update(key, update, cond).await
    }
    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        self.inner.delete(key, cond).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        self.inner.batch_put(items).await
    }
    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.inner.batch_delete(keys).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        let written = ops
            .iter()
            .filter_map(|op| match op {
                TxOp::Put { item, .. } => item.get(vigil_store::SK)?.as_str().map(str::to_owned),
                _ => None,
            })
            .collect();
        self.transactions.lock().expect("lock").push(written);
        self.inner.transact(ops).await
    }
    async fn increment(&self, key: &Key, by: i64) -> Result<i64, StoreError> {
        self.inner.increment(key, by).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_completing_the_same_step_at_once_make_one_completion_and_one_ticket() {
    const RACERS: usize = 2;
    let (gate, layer) = SameRead::layer(RACERS);
    let rt = LocalRuntime::start_with(|c| {
        c.seed = Some(SeedSize { leads: 20, customers: 5 });
        c.table_layer = Some(layer);
    })
    .await;
    let gate = gate.lock().expect("lock").clone().expect("the runtime used the layer");
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let d = define(&rt, &admin, onboarding()).await;
    let customer = new_customer(&rt, &office, "Racer").await;
    let (_, started) = start(&rt, &office, customer, d["id"].as_u64().unwrap()).await;
    let e = enrollment(&rt, &office, started["id"].as_u64().unwrap()).await;

    gate.armed.store(true, Ordering::SeqCst);
    let (a, b) = tokio::join!(complete(&rt, &admin, &e, 2, "passed"), complete(&rt, &office, &e, 2, "passed"));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    // The answers carry the admin's view of the script (a birthdate): only their details are printed.
    assert_eq!(statuses, [200, 409], "{} / {}", a.1["detail"], b.1["detail"]);
    assert_eq!(tickets(&rt, &office, customer).await.len(), 1);
    let e = enrollment(&rt, &office, e["id"].as_u64().unwrap()).await;
    assert_eq!((step_status(&e, 2), e["version"].as_u64()), ("passed", Some(2)));
}

/// Takes Customer Workflows Create away from a demo user, leaving View (permissions are read per request).
async fn view_only(rt: &LocalRuntime, user: &str) {
    let svc = rt.services();
    let key = keys::user(&CompanyId::parse("acme").unwrap(), &UserId::parse(user).expect("user id"));
    let mut item = svc.table.get(&key).await.expect("read").expect("the user");
    for g in item["permissions"]["grants"].as_array_mut().expect("grants") {
        if g["resource"] == "customer_workflows" {
            g["actions"] = json!(["view"]);
        }
    }
    svc.table.put(item, None).await.expect("write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn view_only_users_read_enrollments_and_merge_fields_are_masked_per_reader() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;
    let d = define(&rt, &admin, onboarding()).await;
    let wid = d["id"].as_u64().unwrap();
    let customer = new_customer(&rt, &admin, "Masked").await;
    let (_, started) = start(&rt, &admin, customer, wid).await;
    let id = started["id"].as_u64().unwrap();

    // The birthdate is confidential: the admin's script shows it, the office user's reads `***`.
    let mine = enrollment(&rt, &admin, id).await;
    assert!(mine["steps"][0]["content"].as_str().unwrap().ends_with(&format!("Born {BIRTHDATE}.")));
    let theirs = enrollment(&rt, &office, id).await;
    assert!(theirs["steps"][0]["content"].as_str().unwrap().ends_with("Born ***."));
    assert!(!theirs.to_string().contains(BIRTHDATE), "the office user's read carries no birthdate");

    // With View only: reads work, New Workflow is off, writes are 403.
    let office_user = office_user_id(&rt, &office).await;
    view_only(&rt, &office_user).await;
    let (status, list) = rt.get(&office, &format!("/api/v1/customers/{customer}/workflows")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["can_start"], false);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let e = enrollment(&rt, &office, id).await;
    assert_eq!(e["can_complete"], false);
    assert_eq!(complete(&rt, &office, &e, 1, "acknowledged").await.0, 403);
    let other = new_customer(&rt, &admin, "Unstarted").await;
    assert_eq!(start(&rt, &office, other, wid).await.0, 403);
    assert_eq!(step_status(&enrollment(&rt, &admin, id).await, 1), "pending");

    // Without Customer Workflows at all, nothing is readable.
    assert_eq!(rt.get(&installer, &format!("/api/v1/customers/{customer}/workflows")).await.0, 403);
    assert_eq!(rt.get(&installer, &format!("/api/v1/enrollments/{id}")).await.0, 403);
    // Another company's enrollment IDs do not exist.
    let stranger = rt.sign_in(OTHER_ADMIN).await;
    assert_eq!(rt.get(&stranger, &format!("/api/v1/enrollments/{id}")).await.0, 404);
}

async fn office_user_id(rt: &LocalRuntime, token: &str) -> String {
    let (status, me) = rt.get(token, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    me["id"].as_str().expect("the user's id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_two_workflows_and_customers_enrolled_at_different_stages() {
    let rt = LocalRuntime::start_small().await;
    for user in [ADMIN, OTHER_ADMIN] {
        let token = rt.sign_in(user).await;
        let (_, defs) = rt.get(&token, DEFS).await;
        let names: Vec<&str> = defs["items"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["New Customer Onboarding", "Annual Inspection"]);
        let onboarding = &defs["items"][0];
        assert_eq!(
            (onboarding["layout"].as_str(), onboarding["languages"].clone()),
            (Some("stepped"), json!(["en", "es"]))
        );
        assert!(onboarding["steps"][3]["generates"]["ticket"].is_object(), "the upsell step generates a ticket");
        assert_eq!(defs["items"][1]["layout"], "single_page");

        let (_, page) = rt.get(&token, "/api/v1/customers?per_page=50&sort=id&dir=asc").await;
        let mut statuses = Vec::new();
        let mut warned = 0;
        for c in page["items"].as_array().unwrap() {
            let (_, list) = rt.get(&token, &format!("/api/v1/customers/{}/workflows", c["id"])).await;
            for e in list["items"].as_array().into_iter().flatten() {
                statuses.push(e["status"].as_str().unwrap().to_owned());
                warned += usize::from(e["warning"] == true);
            }
        }
        statuses.sort();
        assert_eq!(statuses, ["completed", "failed", "in_progress", "pending"], "{user}");
        assert_eq!(warned, 1, "{user}");
    }
}

/// The re-check of automatic steps is queued in the transaction of the change that calls for it, so it still happens
/// when the process ends between the commit and the re-check it runs at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_re_check_is_queued_with_the_change_and_runs_from_the_queue() {
    let (gate, layer) = SameRead::layer(1);
    let rt = LocalRuntime::start_with(|c| {
        c.seed = Some(SeedSize { leads: 20, customers: 5 });
        c.table_layer = Some(layer);
    })
    .await;
    let gate = gate.lock().expect("lock").clone().expect("the runtime used the layer");
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let checked = define(
        &rt,
        &admin,
        json!({"name": "Email on file", "layout": "single_page", "languages": ["en"], "steps": [
            {"title": {"en": "Email"}, "content": {"en": ""}, "type": "confirm_fields", "fields": ["email"],
             "completion": "automatic"}
        ]}),
    )
    .await;
    let customer = new_customer(&rt, &office, "Queued").await;
    let (_, started) = start(&rt, &office, customer, checked["id"].as_u64().unwrap()).await;
    let id = started["id"].as_u64().unwrap();
    let c = home(&rt, &office, customer).await;
    let (status, _) = rt
        .patch(
            &office,
            &format!("/api/v1/customers/{customer}"),
            json!({"version": c["version"], "email": "q@example.com"}),
        )
        .await;
    assert_eq!(status, 200);
    let saves: Vec<Vec<String>> = gate.transactions.lock().expect("lock").clone();
    let with_recheck = |sk: &str| {
        saves.iter().any(|tx| tx.iter().any(|k| k == sk) && tx.iter().any(|k| k.contains("workflow-recheck:")))
    };
    assert!(with_recheck("PROFILE"), "the customer's save queues its re-check: {saves:?}");
    assert!(with_recheck(
        &keys::enrollment(&CompanyId::parse("acme").unwrap(), vigil_domain::RecordId(customer), id).sk
    ));

    // A change saved by a process that ended before its own re-check: only the queued job brings the step along.
    let co = CompanyId::parse("acme").unwrap();
    let record = vigil_domain::RecordId(customer);
    let table = rt.services().table.clone();
    let mut item = table.get(&keys::record(&co, record)).await.expect("read").expect("the customer");
    item.insert("email".into(), Value::Null);
    table.put(item, None).await.expect("email cleared behind the app's back");
    let job = vigil_app::jobs::Job::RecheckWorkflows {
        company: co.clone(),
        customer: record,
        by: UserId::parse(&office_user_id(&rt, &office).await).unwrap(),
    };
    table
        .transact(vec![vigil_app::jobs::pending(&co, "workflow-recheck:test", job).expect("job")])
        .await
        .expect("queued");
    vigil_tests::runtime::eventually("the queued re-check", Duration::from_secs(20), || async {
        let e = enrollment(&rt, &office, id).await;
        (e["steps"][0]["warning"] == true).then_some(())
    })
    .await;
}

/// The customer's history, newest first, as `token` may read it.
async fn history(rt: &LocalRuntime, token: &str, customer: u64) -> Vec<Value> {
    let (status, h) = rt.get(token, &format!("/api/v1/customers/{customer}/history?per_page=50")).await;
    assert_eq!(status, 200, "{}", h["detail"]);
    h["items"].as_array().expect("history items").clone()
}

/// The `after` of each history line about `field`.
fn lines(history: &[Value], field: &str) -> Vec<String> {
    history.iter().filter(|h| h["field"] == field).map(|h| h["after"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Takes the Contact Information section away from a demo user (permissions are read per request).
async fn without_contact_information(rt: &LocalRuntime, user: &str) {
    let svc = rt.services();
    let key = keys::user(&CompanyId::parse("acme").unwrap(), &UserId::parse(user).expect("user id"));
    let mut item = svc.table.get(&key).await.expect("read").expect("the user");
    item["permissions"]["sections"].as_array_mut().expect("sections").retain(|s| s[0] != "contact_information");
    svc.table.put(item, None).await.expect("write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_steps_complete_from_a_customer_edit_and_sub_records_are_lines_of_its_history() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let office_id = office_user_id(&rt, &office).await;
    let confirm = define(
        &rt,
        &admin,
        json!({"name": "Confirm in place", "layout": "single_page", "languages": ["en"], "steps": [
            {"title": {"en": "Contact"}, "content": {"en": ""}, "type": "confirm_contact", "completion": "automatic"},
            {"title": {"en": "Contacts"}, "content": {"en": ""}, "type": "review_emergency_contacts",
             "completion": "automatic"},
            {"title": {"en": "Kit"}, "content": {"en": ""}, "type": "instructions", "completion": "pass_fail",
             "generates": {"ticket": {"subject": "Ship the yard sign"}}}
        ]}),
    )
    .await;
    let customer = new_customer(&rt, &office, "Historied").await;
    let (_, started) = start(&rt, &office, customer, confirm["id"].as_u64().unwrap()).await;
    let id = started["id"].as_u64().unwrap();
    // The customer has no email yet: confirming contact details waits for it.
    let e = enrollment(&rt, &office, id).await;
    assert_eq!((step_status(&e, 1), e["steps"][0]["requirement_met"].as_bool()), ("pending", Some(false)));

    // The enrollment page saves the field in place with the customer's version, as the Home page does.
    let c = home(&rt, &office, customer).await;
    let path = format!("/api/v1/customers/{customer}");
    let (status, c) = rt.patch(&office, &path, json!({"version": c["version"], "email": "h@example.com"})).await;
    assert_eq!(status, 200, "{}", c["detail"]);
    let e = enrollment(&rt, &office, id).await;
    assert_eq!(step_status(&e, 1), "completed", "{}", e["steps"][0]);
    assert_eq!(e["progress"]["done"], 1);
    // Saved from a stale read, the edit is refused with the customer as stored now, for the page to show.
    let (status, p) = rt.patch(&office, &path, json!({"version": 1, "primary_phone": "801-555-0100"})).await;
    assert_eq!(status, 409, "{}", p["detail"]);
    assert_eq!(p["current"]["version"], c["version"]);
    assert_eq!(p["current"]["cards"]["personal"]["email"], "h@example.com");
    let (status, _) = rt.patch(&office, &path, json!({"version": c["version"], "primary_phone": "801-555-0100"})).await;
    assert_eq!(status, 200);

    // Every sub-record created is a line of the customer's history, by whoever created it.
    let created = [
        ("notes", json!({"text": "Gate code is on the fridge"}), "note", "Gate code is on the fridge"),
        (
            "contacts",
            json!({"name": "Hal Neighbor", "phone": "801-555-0111", "relation": "Neighbor"}),
            "contact",
            "Hal Neighbor · 8015550111 · Neighbor",
        ),
        (
            "equipment",
            json!({"name": "Door sensor", "quantity": 3, "zone": "Front"}),
            "equipment",
            "Door sensor · x3 · Front",
        ),
        ("appointments", json!({"date": "2031-04-02", "kind": "tech"}), "appointment", "2031-04-02 · tech"),
        (
            "recurring-invoices",
            json!({"amount_cents": 3999, "start_date": "2031-05-01"}),
            "recurring_invoice",
            "$39.99 · monthly · 2031-05-01",
        ),
        (
            "scheduled-payments",
            json!({"amount_cents": 12000, "date": "2031-05-15"}),
            "scheduled_payment",
            "$120.00 · 2031-05-15",
        ),
    ];
    for (segment, body, _, _) in &created {
        let (status, s) = rt.post(&office, &format!("/api/v1/customers/{customer}/{segment}"), body.clone()).await;
        assert_eq!(status, 201, "{segment}: {}", s["detail"]);
    }
    // The emergency contact completed the automatic step, and passing the last step generated a ticket.
    let e = enrollment(&rt, &office, id).await;
    assert_eq!(step_status(&e, 2), "completed");
    let (status, e) = complete(&rt, &office, &e, 3, "passed").await;
    assert_eq!((status, e["status"].as_str()), (200, Some("completed")), "{}", e["detail"]);

    let h = history(&rt, &admin, customer).await;
    for (segment, _, field, summary) in &created {
        let got = lines(&h, field);
        assert!(got.iter().any(|l| l.ends_with(summary)), "{segment}: {summary:?} not in {got:?}");
    }
    let contact = h.iter().find(|x| x["field"] == "contact").expect("the contact's line");
    assert_eq!((contact["by"].as_str(), &contact["before"]), (Some(office_id.as_str()), &Value::Null));
    assert!(lines(&h, "ticket").iter().any(|l| l.ends_with("Ship the yard sign")), "the generated ticket's line");
    // A line about a sub-record never carries the customer's confidential fields, even to a reader who may see them.
    let sub_fields =
        ["note", "ticket", "contact", "equipment", "appointment", "recurring_invoice", "scheduled_payment"];
    let sub_lines: Vec<&Value> =
        h.iter().filter(|x| sub_fields.contains(&x["field"].as_str().unwrap_or_default())).collect();
    assert_eq!(sub_lines.len(), created.len() + 1, "one line per sub-record and the generated ticket");
    assert!(sub_lines.iter().all(|x| !x.to_string().contains(BIRTHDATE)), "no birthdate in a sub-record's line");

    // A reader without Contact Information loses the customer's own contact fields from the history, but keeps the
    // sub-record lines: they say no more than the sub-record tabs, which show them to whoever may read the customer.
    let before = history(&rt, &office, customer).await;
    assert!(!lines(&before, "primary_phone").is_empty());
    without_contact_information(&rt, &office_id).await;
    let after = history(&rt, &office, customer).await;
    assert!(lines(&after, "primary_phone").is_empty() && lines(&after, "email").is_empty(), "contact fields hidden");
    assert_eq!(lines(&after, "contact"), lines(&before, "contact"));
    let (_, contacts) = rt.get(&office, &format!("/api/v1/customers/{customer}/contacts")).await;
    assert_eq!(contacts["items"][0]["data"]["phone"], "8015550111", "the tab shows what the line says");
}
