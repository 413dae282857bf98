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

    // Who may start it and what Finish enrolls into are checked like the rest: an unknown role, a customer workflow
    // that does not exist in this company (Bluebird's own is none of Acme's), or an inactive one is a 422 naming
    // its field.
    let (status, p) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "R", "kind": "customer_create", "type": "standard", "roles": ["wizard"]}),
        )
        .await;
    assert_eq!((status, first_error(&p)), (422, ("roles".into(), "unknown".into())), "{p}");
    let (status, theirs) =
        rt.post(&other, "/api/v1/settings/customer-workflows", one_step_workflow("Bluebird only")).await;
    assert_eq!(status, 201, "{theirs}");
    let (_, ours) = rt.get(&admin, "/api/v1/settings/customer-workflows").await;
    assert!(ours["items"].as_array().is_some_and(|a| a.iter().all(|w| w["id"] != theirs["id"])), "{ours}");
    for id in [json!(999), theirs["id"].clone()] {
        let (status, p) = rt
            .post(
                &admin,
                ADMIN_LIST,
                json!({"name": "E", "kind": "customer_create", "type": "standard", "enroll_workflow_id": id}),
            )
            .await;
        assert_eq!((status, first_error(&p)), (422, ("enroll_workflow_id".into(), "not_found".into())), "{p}");
    }
    let (status, p) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "E", "kind": "lead_create", "custom_field_ids": [1], "enroll_workflow_id": 1}),
        )
        .await;
    assert_eq!((status, first_error(&p)), (422, ("enroll_workflow_id".into(), "invalid".into())), "{p}");
    // A deactivated customer workflow is no new enrollment target.
    let (status, retired) = rt.post(&admin, "/api/v1/settings/customer-workflows", one_step_workflow("Retired")).await;
    assert_eq!(status, 201, "{retired}");
    let (status, off) = rt
        .patch(
            &admin,
            &format!("/api/v1/settings/customer-workflows/{}", retired["id"]),
            json!({"version": retired["version"], "active": false}),
        )
        .await;
    assert_eq!((status, &off["active"]), (200, &json!(false)), "{off}");
    let (status, p) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "E", "kind": "customer_create", "type": "standard", "enroll_workflow_id": retired["id"]}),
        )
        .await;
    assert_eq!((status, first_error(&p)), (422, ("enroll_workflow_id".into(), "inactive".into())), "{p}");
    // A lead workflow's field may be optional, but only one it shows.
    let (status, p) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "O", "kind": "lead_create", "custom_field_ids": [1], "optional_custom_field_ids": [4]}),
        )
        .await;
    assert_eq!((status, first_error(&p)), (422, ("optional_custom_field_ids".into(), "not_listed".into())), "{p}");

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
    let (onboarding, standard) = enrolling_workflow(&rt, &admin, "Standard + onboarding", "standard").await;
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

    // A field the workflow marks optional is shown but not required.
    let (status, relaxed) = rt
        .post(
            &admin,
            ADMIN_LIST,
            json!({"name": "Relaxed capture", "kind": "lead_create", "custom_field_ids": [1, 3],
                "optional_custom_field_ids": [3]}),
        )
        .await;
    assert_eq!((status, relaxed["optional_custom_field_ids"].clone()), (201, json!([3])), "{relaxed}");
    let mut body = lead("Rhea");
    body["creation_workflow_id"] = relaxed["id"].clone();
    let (status, p) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body.clone()).await;
    assert_eq!((status, first_error(&p)), (422, ("custom_fields.1".into(), "required".into())), "{p}");
    body["custom_fields"] = json!({"1": "77#"});
    let (status, l) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "without the optional field: {l}");

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

/// A customer workflow of one acknowledged English instructions step.
fn one_step_workflow(name: &str) -> Value {
    json!({"name": name, "layout": "stepped", "languages": ["en"], "steps": [
        {"title": {"en": "Call"}, "content": {"en": "Hi"}, "type": "instructions", "completion": "acknowledge"}
    ]})
}

/// A customer-create workflow of `kind` that enrolls at Finish in the demo's onboarding workflow: the onboarding
/// workflow's ID and the new creation workflow.
async fn enrolling_workflow(rt: &LocalRuntime, admin: &str, name: &str, kind: &str) -> (Value, Value) {
    let (_, defs) = rt.get(admin, "/api/v1/settings/customer-workflows").await;
    let onboarding = defs["items"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["name"] == "New Customer Onboarding"))
        .map(|w| w["id"].clone())
        .expect("the demo's onboarding workflow");
    let body = json!({"name": name, "kind": "customer_create", "type": kind, "enroll_workflow_id": onboarding});
    let (status, made) = rt.post(admin, ADMIN_LIST, body).await;
    assert_eq!(status, 201, "{made}");
    (onboarding, made)
}

/// The customer's Workflows tab: how many enrollments it lists, and the header's count.
async fn enrollments(rt: &LocalRuntime, token: &str, id: &Value) -> (usize, Value) {
    let (_, list) = rt.get(token, &format!("/api/v1/customers/{id}/workflows")).await;
    let (_, home) = rt.get(token, &format!("/api/v1/customers/{id}")).await;
    (list["items"].as_array().map_or(0, Vec::len), home["tabs"]["workflows"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuing_a_step_needs_its_work_done_and_finish_enrolls_in_the_same_transaction() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, flow) = enrolling_workflow(&rt, &admin, "Smart + onboarding", "smart_sales").await;
    let (status, c) = rt
        .post(
            &admin,
            "/api/v1/customers?allow_duplicates=true",
            new_customer("Stepa", flow["id"].as_u64().unwrap_or(0)),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].clone();
    let mut version = c["version"].clone();
    let (status, w) = advance(&rt, &admin, &id, "qualify", "skip", &version).await;
    assert_eq!(status, 200, "{w}");
    version = w["customer"]["version"].clone();

    // Each step's Continue needs its work: the 422 names the step, and Skip stays the way on without it.
    let customer = |p: &str| format!("/api/v1/customers/{id}/{p}");
    let (_, templates) = rt.get(&admin, "/api/v1/order-templates").await;
    let template = templates["items"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["mmrs"].as_array().is_some_and(|m| !m.is_empty())))
        .cloned()
        .expect("a demo template with monthly rates");
    let sid = id.as_u64().unwrap_or(0);
    let steps: [(&str, &str); 4] = [
        ("order", "Order: apply an order template"),
        ("payment_information", "Payment Information: add a billing method"),
        ("work_order", "Work Order: create a work order"),
        ("schedule", "Schedule: schedule an appointment"),
    ];
    for (step, says) in steps {
        for skipped in ["equipment", "contacts"].iter().filter(|_| step == "payment_information") {
            let (status, w) = advance(&rt, &admin, &id, skipped, "skip", &version).await;
            assert_eq!(status, 200, "{w}");
            version = w["customer"]["version"].clone();
        }
        if step == "work_order" {
            let (status, w) = advance(&rt, &admin, &id, "review", "complete", &version).await;
            assert_eq!(status, 200, "Review has nothing to do: {w}");
            version = w["customer"]["version"].clone();
        }
        let (status, p) = advance(&rt, &admin, &id, step, "complete", &version).await;
        assert_eq!((status, first_error(&p)), (422, ("step".into(), "not_done".into())), "{step}: {p}");
        let message = p["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(says), "{step}: {message}");
        let (status, p) = match step {
            "order" => {
                let body = json!({"order_template_id": template["id"], "mmr_id": template["mmrs"][0]["id"],
                    "version": version});
                rt.post(&admin, &customer("apply-order-template"), body).await
            }
            "payment_information" => (201, vigil_tests::orders::billing_method(&rt, &admin, sid).await),
            "work_order" => rt.post(&admin, &customer("work-orders"), json!({"type": "installation"})).await,
            _ => rt.post(&admin, &customer("appointments"), json!({"date": "2031-04-02", "kind": "tech"})).await,
        };
        assert!(status == 200 || status == 201, "{step}'s work: {p}");
        let (_, now) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
        let (status, w) = advance(&rt, &admin, &id, step, "complete", &now["version"]).await;
        assert_eq!(status, 200, "{step} once done: {w}");
        assert!(w["state"]["completed_steps"].as_array().is_some_and(|s| s.contains(&json!(step))), "{w}");
        version = w["customer"]["version"].clone();
    }

    // Finish and its enrollment are one transaction: when the enrollment's writes are refused (its lookup item is
    // taken here), the wizard is not finished either, and nothing is enrolled.
    let svc = rt.services();
    let co = vigil_domain::CompanyId::parse("acme").expect("company");
    let seq = svc.table.get(&vigil_store::keys::enrollment_sequence(&co)).await.expect("read");
    let next = seq.and_then(|i| i.get("value").and_then(Value::as_u64)).unwrap_or(0) + 1;
    let blocker = vigil_store::keys::enrollment_lookup(&co, next);
    svc.table.put(blocker.to_item(), None).await.expect("block the next enrollment");
    let (status, p) = advance(&rt, &admin, &id, "next_step", "complete", &version).await;
    assert_eq!(status, 409, "{p}");
    let (_, w) = rt.get(&admin, &format!("/api/v1/customers/{id}/wizard")).await;
    assert_eq!((w["state"]["step"].clone(), w["state"]["finished"].clone()), (json!("next_step"), json!(false)));
    assert_eq!(enrollments(&rt, &admin, &id).await, (0, json!(0)));

    // Without the obstacle the same Finish enrolls, and the header's Workflows count says so.
    svc.table.delete(&blocker, None).await.expect("unblock");
    let (status, done) = advance(&rt, &admin, &id, "next_step", "complete", &w["customer"]["version"]).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"]["finished"], true);
    assert_eq!(enrollments(&rt, &admin, &id).await, (1, json!(1)));
    rt.stop().await;
}
