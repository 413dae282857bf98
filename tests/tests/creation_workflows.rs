//! Creation workflows over HTTP through the local runtime: the admin definitions (steps fixed per type, the ADT
//! rule, lead-create needs a custom field, versioned changes), the list the split buttons read (active ones the
//! caller's role and permissions may start), a customer's wizard (created by the Information step, each later step
//! completed or skipped in order, stored with the record so a reload resumes, masked like every record read), and
//! the lead-create and lead-conversion workflows' custom fields.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN, SALES};

const ADMIN_LIST: &str = "/api/v1/settings/creation-workflows";
const AVAILABLE: &str = "/api/v1/creation-workflows";
/// The demo's Smart Sales and Simple Sales customer-create workflows, and its lead ones.
const SMART_SALES: u64 = 4;
const SIMPLE_SALES: u64 = 3;
const TRADE_SHOW: u64 = 6;
const CONVERSION: u64 = 7;

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|w| w["name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn first_error(p: &Value) -> (String, String) {
    (
        p["errors"][0]["field"].as_str().unwrap_or_default().to_owned(),
        p["errors"][0]["code"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_define_creation_workflows_and_the_split_buttons_list_what_each_role_may_start() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;

    // The demo has one of each type; steps follow the manual's table exactly.
    let (status, list) = rt.get(&admin, ADMIN_LIST).await;
    assert_eq!(status, 200, "{list}");
    assert!(names(&list).contains(&"Smart Sales".to_owned()), "{list}");
    let (_, smart) = rt.get(&admin, &format!("{ADMIN_LIST}/{SMART_SALES}")).await;
    assert_eq!(
        smart["steps"],
        json!([
            "information",
            "qualify",
            "order",
            "equipment",
            "contacts",
            "payment_information",
            "review",
            "work_order",
            "schedule",
            "next_step"
        ])
    );

    let (status, simple) = rt
        .post(&admin, ADMIN_LIST, json!({"name": "Door to door", "kind": "customer_create", "type": "simple_sales"}))
        .await;
    assert_eq!(status, 201, "{simple}");
    assert_eq!(
        simple["steps"],
        json!(["information", "qualify", "order", "equipment", "contacts", "payment_information", "review"])
    );
    let (status, adt) =
        rt.post(&admin, ADMIN_LIST, json!({"name": "ADT door", "kind": "customer_create", "type": "adt"})).await;
    assert_eq!(status, 201, "Acme has an active ADT monitoring company: {adt}");
    assert_eq!(
        adt["steps"],
        json!(["information", "qualify", "order", "payment_method", "work_order", "schedule", "next_step"])
    );

    // A customer-create workflow needs its type; `adt` needs an active ADT monitoring company (Bluebird has none).
    let (status, p) = rt.post(&admin, ADMIN_LIST, json!({"name": "No type", "kind": "customer_create"})).await;
    assert_eq!((status, first_error(&p)), (422, ("type".into(), "required".into())));
    let other = rt.sign_in(OTHER_ADMIN).await;
    let (status, p) =
        rt.post(&other, ADMIN_LIST, json!({"name": "ADT", "kind": "customer_create", "type": "adt"})).await;
    assert_eq!((status, first_error(&p)), (422, ("type".into(), "no_adt".into())), "{p}");

    // A lead-create workflow shows at least one custom field, and only existing active ones.
    let (status, p) = rt.post(&admin, ADMIN_LIST, json!({"name": "Bare", "kind": "lead_create"})).await;
    assert_eq!((status, first_error(&p)), (422, ("custom_field_ids".into(), "required".into())));
    let (status, p) =
        rt.post(&admin, ADMIN_LIST, json!({"name": "Ghost", "kind": "lead_create", "custom_field_ids": [999]})).await;
    assert_eq!((status, first_error(&p)), (422, ("custom_field_ids".into(), "unknown".into())));
    let (status, office_only) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "Office callback", "kind": "lead_create", "custom_field_ids": [1, 1, 4], "roles": ["office"]}),
        )
        .await;
    assert_eq!(status, 201, "{office_only}");
    assert_eq!(office_only["custom_field_ids"], json!([1, 4]));
    assert_eq!(office_only["steps"], json!(["information"]));

    // Changes take the version read; kind and type are fixed.
    let path = format!("{ADMIN_LIST}/{}", simple["id"]);
    let (status, renamed) = rt.patch(&admin, &path, json!({"name": "Door to door v2", "version": 1})).await;
    assert_eq!((status, renamed["version"].clone()), (200, json!(2)), "{renamed}");
    let (status, p) = rt.patch(&admin, &path, json!({"name": "Stale", "version": 1})).await;
    assert_eq!(status, 409, "{p}");
    let (status, p) = rt.patch(&admin, &path, json!({"type": "smart_sales", "version": 2})).await;
    assert_eq!((status, first_error(&p)), (422, ("type".into(), "fixed".into())));

    // Only admins manage them.
    let office = rt.sign_in(OFFICE).await;
    let (status, _) = rt.get(&office, ADMIN_LIST).await;
    assert_eq!(status, 403);
    let (status, _) = rt.post(&office, ADMIN_LIST, json!({"name": "Mine", "kind": "lead_conversion"})).await;
    assert_eq!(status, 403);

    // The split buttons' list: active ones the caller's role and permissions allow.
    let sales = rt.sign_in(SALES).await;
    let installer = rt.sign_in(INSTALLER).await;
    let (_, for_office) = rt.get(&office, AVAILABLE).await;
    let (_, for_sales) = rt.get(&sales, AVAILABLE).await;
    let (status, for_installer) = rt.get(&installer, AVAILABLE).await;
    assert_eq!(status, 200, "{for_installer}");
    assert!(names(&for_office).contains(&"Office callback".to_owned()), "{for_office}");
    assert!(
        !names(&for_sales).contains(&"Office callback".to_owned()),
        "a role the workflow does not name: {for_sales}"
    );
    assert!(
        names(&for_sales).contains(&"Door to door v2".to_owned())
            && names(&for_sales).contains(&"Trade Show Capture".to_owned())
    );
    assert!(
        !names(&for_installer).iter().any(|n| n == "Door to door v2" || n == "Trade Show Capture"),
        "an installer creates neither customers nor leads: {for_installer}"
    );
    // Only active custom fields may be pulled in.
    let (_, fields) = rt.get(&admin, "/api/v1/settings/custom-fields").await;
    let dogs = fields["items"].as_array().and_then(|a| a.iter().find(|f| f["id"] == 4)).cloned().unwrap_or_default();
    let (status, p) = rt
        .patch(&admin, "/api/v1/settings/custom-fields/4", json!({"active": false, "version": dogs["version"]}))
        .await;
    assert_eq!(status, 200, "{p}");
    let (status, p) = rt
        .patch(&admin, &format!("{ADMIN_LIST}/{}", office_only["id"]), json!({"custom_field_ids": [4], "version": 1}))
        .await;
    assert_eq!((status, first_error(&p)), (422, ("custom_field_ids".into(), "unknown".into())), "{p}");

    // Retired workflows leave the list.
    let (status, _) = rt.patch(&admin, &path, json!({"active": false, "version": 2})).await;
    assert_eq!(status, 200);
    let (_, for_sales) = rt.get(&sales, AVAILABLE).await;
    assert!(!names(&for_sales).contains(&"Door to door v2".to_owned()), "{for_sales}");
    rt.stop().await;
}

fn new_customer(first: &str, workflow: u64) -> Value {
    json!({
        "first_name": first, "last_name": "Wizard", "primary_phone": "(801) 555-0177", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "9 Wizard Way", "account_type": "residential",
        "office_location_id": 1, "ssn": "123-45-6781", "creation_workflow_id": workflow
    })
}

async fn advance(
    rt: &LocalRuntime,
    token: &str,
    id: &Value,
    step: &str,
    action: &str,
    version: &Value,
) -> (u16, Value) {
    rt.post(
        token,
        &format!("/api/v1/customers/{id}/wizard"),
        json!({"step": step, "action": action, "version": version}),
    )
    .await
}

async fn apply_credit(rt: &LocalRuntime, token: &str, id: &Value) {
    let resp = rt
        .http()
        .post(rt.url(&format!("/api/v1/customers/{id}/credit-checks")))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("wizard-{id}"))
        .json(&json!({"bureau": "sandbox", "bureau_fields": {}}))
        .send()
        .await
        .expect("run credit");
    assert_eq!(resp.status().as_u16(), 202);
    let check: Value = resp.json().await.expect("check");
    let check_id = check["id"].clone();
    eventually("the bureau's answer", Duration::from_secs(20), || async {
        let (_, list) = rt.get(token, &format!("/api/v1/customers/{id}/credit-checks")).await;
        list["items"].as_array()?.iter().find(|c| c["id"] == check_id && c["status"] == "completed").cloned()
    })
    .await;
    let (_, c) = rt.get(token, &format!("/api/v1/customers/{id}")).await;
    let (status, p) =
        rt.post(token, &format!("/api/v1/credit-checks/{check_id}/apply"), json!({"version": c["version"]})).await;
    assert_eq!(status, 200, "{p}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wizard_moves_one_step_at_a_time_is_stored_with_the_customer_and_lead_workflows_capture_their_fields() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;

    // Information is the first save: the customer exists, its wizard stands at the next step.
    let (status, c) =
        rt.post(&admin, "/api/v1/customers?allow_duplicates=true", new_customer("Wanda", SMART_SALES)).await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].clone();
    assert_eq!(c["wizard"]["step"], "qualify", "{}", c["wizard"]);
    assert_eq!(c["wizard"]["completed_steps"], json!(["information"]));
    // The plain create's duplicate check holds for the wizard's first save too.
    let (status, dup) = rt.post(&admin, "/api/v1/customers", new_customer("Wanda", SMART_SALES)).await;
    assert_eq!(status, 409, "{dup}");
    // A workflow of another kind is no start path for a customer.
    let (status, p) =
        rt.post(&admin, "/api/v1/customers?allow_duplicates=true", new_customer("Wrong", TRADE_SHOW)).await;
    assert_eq!((status, first_error(&p).0), (422, "creation_workflow_id".into()));

    // A "reload": reading the customer again gives the stored step.
    let (_, again) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(again["wizard"]["step"], "qualify");
    let (status, w) = rt.get(&admin, &format!("/api/v1/customers/{id}/wizard")).await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["steps"][1]["status"], "current");
    assert_eq!(w["steps"][0]["status"], "completed");
    let version = w["customer"]["version"].clone();

    // Steps go in order and belong to the workflow.
    let (status, p) = advance(&rt, &admin, &id, "order", "skip", &version).await;
    assert_eq!((status, first_error(&p)), (422, ("step".into(), "out_of_order".into())), "{p}");
    let (status, p) = advance(&rt, &admin, &id, "sale", "complete", &version).await;
    assert_eq!((status, first_error(&p)), (422, ("step".into(), "not_in_workflow".into())));
    // Running credit never advances; Continue needs an applied result.
    let (status, p) = advance(&rt, &admin, &id, "qualify", "complete", &version).await;
    assert_eq!((status, first_error(&p)), (422, ("step".into(), "not_applied".into())));
    apply_credit(&rt, &admin, &id).await;
    let (_, w) = rt.get(&admin, &format!("/api/v1/customers/{id}/wizard")).await;
    assert_eq!(w["state"]["step"], "qualify", "applying credit does not move the wizard");
    let (status, p) = advance(&rt, &admin, &id, "qualify", "complete", &version).await;
    assert_eq!(status, 409, "a stale version: {p}");
    let mut version = w["customer"]["version"].clone();
    let (status, w) = advance(&rt, &admin, &id, "qualify", "complete", &version).await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["state"]["step"], "order");
    version = w["customer"]["version"].clone();
    for step in ["order", "equipment", "contacts", "payment_information", "review", "work_order", "schedule"] {
        let (status, w) = advance(&rt, &admin, &id, step, "skip", &version).await;
        assert_eq!(status, 200, "{step}: {w}");
        version = w["customer"]["version"].clone();
    }
    let (_, mid) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(mid["wizard"]["step"], "next_step", "resumes at the stored step");
    let (status, done) = advance(&rt, &admin, &id, "next_step", "complete", &version).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"]["finished"], true);
    assert_eq!(done["state"]["step"], Value::Null);
    assert_eq!(done["state"]["completed_steps"], json!(["information", "qualify", "next_step"]));
    assert_eq!(done["state"]["skipped_steps"].as_array().map(Vec::len), Some(7));
    let (status, p) = advance(&rt, &admin, &id, "next_step", "complete", &done["customer"]["version"]).await;
    assert_eq!((status, first_error(&p)), (422, ("step".into(), "finished".into())));

    // The wizard read is masked like every record read: the admin sees the SSN, a sales rep does not.
    assert_eq!(done["customer"]["ssn"], "123-45-6781");
    let sales = rt.sign_in(SALES).await;
    let (status, w) = rt.get(&sales, &format!("/api/v1/customers/{id}/wizard")).await;
    if status == 200 {
        assert_eq!(w["customer"]["ssn"], "***", "{}", w["customer"]);
    } else {
        assert_eq!(status, 403, "a sales rep of another office: {w}");
    }

    // A step the caller may not use says why and is skipped instead (a sales rep adds no equipment).
    let mut body = new_customer("Sally", SIMPLE_SALES);
    body["ssn"] = Value::Null;
    let (status, c) = rt.post(&sales, "/api/v1/customers?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{c}");
    let sid = c["id"].clone();
    let (_, w) = rt.get(&sales, &format!("/api/v1/customers/{sid}/wizard")).await;
    let equipment =
        w["steps"].as_array().and_then(|s| s.iter().find(|s| s["step"] == "equipment")).cloned().unwrap_or_default();
    assert_eq!(equipment["available"], false, "{equipment}");
    assert!(equipment["reason"].as_str().is_some_and(|r| r.contains("equipment")), "{equipment}");
    let mut version = w["customer"]["version"].clone();
    for step in ["qualify", "order"] {
        let (status, w) = advance(&rt, &sales, &sid, step, "skip", &version).await;
        assert_eq!(status, 200, "{w}");
        version = w["customer"]["version"].clone();
    }
    let (status, p) = advance(&rt, &sales, &sid, "equipment", "complete", &version).await;
    assert_eq!((status, first_error(&p)), (422, ("step".into(), "unavailable".into())), "{p}");
    let (status, _) = advance(&rt, &sales, &sid, "equipment", "skip", &version).await;
    assert_eq!(status, 200);
    // At Finish a workflow may enroll the new customer in a customer workflow (issue 14).
    let (_, defs) = rt.get(&admin, "/api/v1/settings/customer-workflows").await;
    let onboarding = defs["items"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["name"] == "New Customer Onboarding"))
        .map(|w| w["id"].clone())
        .expect("the demo's onboarding workflow");
    let (status, standard) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "Standard + onboarding", "kind": "customer_create", "type": "standard",
                "enroll_workflow_id": onboarding}),
        )
        .await;
    assert_eq!(status, 201, "{standard}");
    let sw = standard["id"].as_u64().expect("an ID");
    let (_, c) = rt.post(&admin, "/api/v1/customers?allow_duplicates=true", new_customer("Enid", sw)).await;
    let eid = c["id"].clone();
    let enrolled =
        |list: &Value| list["items"].as_array().is_some_and(|a| a.iter().any(|e| e["workflow_id"] == onboarding));
    let (_, before) = rt.get(&admin, &format!("/api/v1/customers/{eid}/workflows")).await;
    assert!(!enrolled(&before), "not before Finish: {before}");
    let mut version = c["version"].clone();
    for step in ["sale", "installation"] {
        let (status, w) = advance(&rt, &admin, &eid, step, "skip", &version).await;
        assert_eq!(status, 200, "{w}");
        version = w["customer"]["version"].clone();
    }
    let (_, after) = rt.get(&admin, &format!("/api/v1/customers/{eid}/workflows")).await;
    assert!(enrolled(&after), "enrolled at Finish: {after}");

    // A customer created without a workflow has no wizard.
    let mut plain = new_customer("Plain", SMART_SALES);
    plain.as_object_mut().map(|o| o.remove("creation_workflow_id"));
    let (_, p) = rt.post(&admin, "/api/v1/customers?allow_duplicates=true", plain).await;
    assert!(p.get("wizard").is_none_or(Value::is_null), "{p}");
    let (status, _) = rt.get(&admin, &format!("/api/v1/customers/{}/wizard", p["id"])).await;
    assert_eq!(status, 404);

    // Lead-create: the workflow's custom fields are required on top of the form's.
    let (_, opts) = rt.get(&admin, "/api/v1/leads/form-options").await;
    let source = &opts["sources"][0];
    let lead = |first: &str| {
        json!({
            "source_id": source["id"], "first_name": first, "last_name": "Showgoer", "primary_phone": "8015550188",
            "disposition_id": opts["dispositions"][0]["id"], "city": "Provo", "state": "UT",
            "creation_workflow_id": TRADE_SHOW
        })
    };
    let (status, p) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", lead("Tia")).await;
    assert_eq!((status, first_error(&p)), (422, ("custom_fields.1".into(), "required".into())), "{p}");
    let mut body = lead("Tia");
    body["custom_fields"] = json!({"1": "4321#"});
    let (status, l) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{l}");
    assert_eq!(l["custom_fields"]["1"], "4321#", "{l}");

    // Lead-conversion: captures its field, then converts like the simple convert (same ID).
    let mut body = lead("Cora");
    body.as_object_mut().map(|o| o.remove("creation_workflow_id"));
    let (_, l) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body).await;
    let convert = |fields: Option<Value>| {
        let mut b = json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep", "version": l["version"],
            "creation_workflow_id": CONVERSION});
        if let Some(f) = fields {
            b["custom_fields"] = f;
        }
        b
    };
    let path = format!("/api/v1/leads/{}/convert", l["id"]);
    let (status, p) = rt.post(&admin, &path, convert(None)).await;
    assert_eq!((status, first_error(&p)), (422, ("custom_fields.3".into(), "required".into())), "{p}");
    let (status, c) = rt.post(&admin, &path, convert(Some(json!({"3": "Garage"})))).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!((c["id"].clone(), c["kind"].clone()), (l["id"].clone(), json!("customer")));
    assert_eq!(c["custom_fields"]["3"], "Garage", "{c}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_company_finds_none_of_this_companys_creation_workflows_or_wizards() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    // Both demo companies have the same seeded workflows (same IDs), so the one tried is Acme's own, made here.
    let (status, made) = rt
        .post(&admin, ADMIN_LIST, json!({"name": "Acme only", "kind": "customer_create", "type": "simple_sales"}))
        .await;
    assert_eq!(status, 201, "{made}");
    let path = format!("{ADMIN_LIST}/{}", made["id"]);
    let (status, c) =
        rt.post(&admin, "/api/v1/customers?allow_duplicates=true", new_customer("Private", SMART_SALES)).await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].clone();
    let wizard = format!("/api/v1/customers/{id}/wizard");
    let (status, before) = rt.get(&admin, &wizard).await;
    assert_eq!(status, 200, "{before}");

    // Not found, rather than forbidden: another company's IDs do not exist for them.
    let (status, p) = rt.get(&other, &path).await;
    assert_eq!(status, 404, "{p}");
    let (status, p) = rt.patch(&other, &path, json!({"name": "Taken over", "active": false, "version": 1})).await;
    assert_eq!(status, 404, "{p}");
    let (status, p) = rt.get(&other, &wizard).await;
    assert_eq!(status, 404, "{p}");
    let (status, p) = advance(&rt, &other, &id, "qualify", "skip", &before["customer"]["version"]).await;
    assert_eq!(status, 404, "{p}");

    // Nothing changed for the owner.
    let (status, again) = rt.get(&admin, &path).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!((&again["name"], &again["active"], &again["version"]), (&json!("Acme only"), &json!(true), &json!(1)));
    let (_, after) = rt.get(&admin, &wizard).await;
    assert_eq!(after, before);
    rt.stop().await;
}
