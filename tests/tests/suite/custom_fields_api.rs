//! User-defined fields over HTTP through the local runtime: admins define them (others may not), bad definitions
//! are 422 naming the attribute, definitions carry versions, values are validated per type and saved on the
//! customer with history, required fields cannot be left empty, and another company's definitions are invisible.
//! Leads take values the same way (`POST`/`PATCH /api/v1/leads`), show them on their read and keep them converted.
//!
//! The first demo company (acme) is seeded with five fields: 1 Gate code (text), 2 Pets on site (checkbox,
//! required), 3 Panel location (select), 4 Dog count (number), 5 Warranty start (date).

use serde_json::{json, Value};
use vigil_domain::{CompanyId, RecordId};
use vigil_store::keys;
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, INSTALLER, LEAD_REP, OFFICE, OTHER_ADMIN, PARTNER};

const FIELDS: &str = "/api/v1/settings/custom-fields";

/// The `field` of every error of a problem body.
fn error_fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_owned()).collect()
}

async fn new_field(rt: &LocalRuntime, admin: &str, body: Value) -> Value {
    let (status, f) = rt.post(admin, FIELDS, body).await;
    assert_eq!(status, 201, "{f}");
    f
}

async fn new_customer(rt: &LocalRuntime, token: &str, custom: Value) -> (u16, Value) {
    let body = json!({
        "first_name": "Uma", "last_name": "Udf", "primary_phone": "(801) 555-0199", "city": "Provo", "state": "UT",
        "account_type": "residential", "office_location_id": 1, "custom_fields": custom
    });
    rt.post(token, "/api/v1/customers", body).await
}

/// The card row of field `id` on a Home page read.
fn card_value(c: &Value, id: u64) -> Value {
    c["cards"]["custom_fields"]
        .as_array()
        .expect("custom fields card")
        .iter()
        .find(|f| f["id"] == id)
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_define_fields_and_nobody_else_may() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let other = rt.sign_in(OTHER_ADMIN).await;

    // Whoever may view customers or leads reads the definitions; the seed's five, in order.
    let (status, list) = rt.get(&office, FIELDS).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(names(&list), ["Gate code", "Pets on site", "Panel location", "Dog count", "Warranty start"]);
    assert_eq!(list["items"][2]["field_type"], "select");
    assert_eq!(list["items"][1]["required"], true);
    for who in [LEAD_REP, INSTALLER] {
        assert_eq!(rt.get(&rt.sign_in(who).await, FIELDS).await.0, 200, "{who} reads the definitions");
    }
    assert_eq!(rt.get(&rt.sign_in(PARTNER).await, FIELDS).await.0, 403);

    // Only Company Settings Modify (admins) defines.
    let (status, _) = rt.post(&office, FIELDS, json!({"name": "Office made", "field_type": "text"})).await;
    assert_eq!(status, 403);

    // Bad definitions are 422 naming the attribute.
    for (body, field) in [
        (json!({"field_type": "text"}), "name"),
        (json!({"name": "x".repeat(61), "field_type": "text"}), "name"),
        (json!({"name": "Colour", "field_type": "colour"}), "field_type"),
        (json!({"name": "Colour"}), "field_type"),
        (json!({"name": "Colour", "field_type": "select"}), "options"),
        (json!({"name": "Colour", "field_type": "select", "options": ["Red", "red"]}), "options"),
        (json!({"name": "Colour", "field_type": "select", "options": ["Red", " "]}), "options"),
        (json!({"name": "Colour", "field_type": "number", "options": ["1"]}), "options"),
        (json!({"name": "Colour", "field_type": "text", "required": "yes"}), "required"),
        (json!({"name": "GATE CODE", "field_type": "text"}), "name"),
    ] {
        let (status, p) = rt.post(&admin, FIELDS, body.clone()).await;
        assert_eq!(status, 422, "{body} -> {p}");
        assert!(error_fields(&p).contains(&field.to_owned()), "{body} names {field}: {p}");
    }
    let (status, p) = rt.post(&admin, FIELDS, json!("not an object")).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["body".to_owned()]));

    let f = new_field(
        &rt,
        &admin,
        json!({"name": "Siren colour", "field_type": "select", "options": ["Red", "Blue"], "required": true}),
    )
    .await;
    let fid = f["id"].as_u64().unwrap();
    assert_eq!((f["version"].as_u64(), f["active"].as_bool(), f["position"].as_u64()), (Some(1), Some(true), Some(6)));
    assert_eq!(f["options"], json!(["Red", "Blue"]));
    let path = format!("{FIELDS}/{fid}");

    // Updates take the version; the type is fixed; a stale version is 409 with the definition as it is now.
    let (status, p) = rt.patch(&admin, &path, json!({"version": 1, "field_type": "text"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["field_type".to_owned()]));
    let (status, p) = rt.patch(&admin, &path, json!({"name": "Siren"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["version".to_owned()]));
    let (status, p) = rt.patch(&admin, &path, json!({"version": 1, "name": "Dog COUNT"})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["name".to_owned()]), "names stay unique ignoring case");
    let (status, f2) = rt
        .patch(
            &admin,
            &path,
            json!({"version": 1, "name": "Siren", "options": ["Red", "Blue", "Green"], "position": 0}),
        )
        .await;
    assert_eq!(status, 200, "{f2}");
    assert_eq!((f2["name"].as_str(), f2["version"].as_u64()), (Some("Siren"), Some(2)));
    let (status, p) = rt.patch(&admin, &path, json!({"version": 1, "required": false})).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["current"]["version"], 2);
    let (status, _) = rt.patch(&office, &path, json!({"version": 2, "name": "Mine"})).await;
    assert_eq!(status, 403);
    let (_, list) = rt.get(&admin, FIELDS).await;
    assert_eq!(names(&list)[0], "Siren", "position 0 sorts first");

    // Another company sees none of it and cannot reach it by ID.
    let (status, theirs) = rt.get(&other, FIELDS).await;
    assert_eq!(status, 200);
    assert!(theirs["items"].as_array().unwrap().is_empty(), "{theirs}");
    assert_eq!(rt.patch(&other, &path, json!({"version": 2, "name": "Theirs"})).await.0, 404);
    assert_eq!(rt.delete(&other, &format!("{path}?version=2")).await.0, 404);
    let (status, theirs) = new_customer(&rt, &other, json!({ fid.to_string(): "Red" })).await;
    assert_eq!(status, 422, "{theirs}");
    assert_eq!(error_fields(&theirs), [format!("custom_fields.{fid}")]);

    // Delete takes the version read: none is 422 naming it, a stale one 409 with the field as it is; then 204, gone,
    // and again 404.
    assert_eq!(rt.delete(&office, &format!("{path}?version=2")).await.0, 403);
    let (status, p) = rt.delete(&admin, &path).await;
    assert_eq!((status, p["errors"][0]["field"].as_str()), (422, Some("version")), "{p}");
    let (status, p) = rt.delete(&admin, &format!("{path}?version=1")).await;
    assert_eq!((status, p["current"]["version"].as_u64()), (409, Some(2)), "{p}");
    assert_eq!(rt.delete(&admin, &format!("{path}?version=2")).await.0, 204);
    assert!(!names(&rt.get(&admin, FIELDS).await.1).contains(&"Siren".to_owned()));
    assert_eq!(rt.delete(&admin, &format!("{path}?version=2")).await.0, 404);
    // The name is free again once its field is gone.
    let (status, again) = rt.post(&admin, FIELDS, json!({"name": "siren", "field_type": "text"})).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(rt.patch(&admin, &format!("{FIELDS}/abc"), json!({"version": 1})).await.0, 422);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_are_validated_saved_shown_and_in_history() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let installer = rt.sign_in(INSTALLER).await;
    let code = new_field(&rt, &admin, json!({"name": "Alarm passcode", "field_type": "text", "required": true})).await;
    let cid_field = code["id"].as_u64().unwrap();
    let key = cid_field.to_string();

    // Create: required fields must be filled (the seeded required checkbox is answered by leaving it unchecked).
    let (status, p) = new_customer(&rt, &admin, json!({})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(error_fields(&p), [format!("custom_fields.{key}")]);
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("Alarm passcode"), "{p}");
    let (status, c) = new_customer(&rt, &admin, json!({ key.clone(): "4455", "3": "Garage" })).await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_u64().unwrap();
    let path = format!("/api/v1/customers/{id}");
    assert_eq!(card_value(&c, cid_field), "4455");
    assert_eq!(card_value(&c, 3), "Garage");
    assert_eq!(card_value(&c, 1), Value::Null);
    assert_eq!(c["editable"]["custom_fields"], true);
    let card = c["cards"]["custom_fields"].as_array().unwrap();
    assert_eq!(
        card[0],
        json!({"id": 1, "name": "Gate code", "field_type": "text", "required": false, "options": [], "value": null})
    );
    assert_eq!(card[2]["options"][0], "Garage");

    // Each type's bad value is 422 naming custom_fields.<id>, with the label in the message.
    let mut version = c["version"].as_u64().unwrap();
    let code_field = format!("custom_fields.{key}");
    for (value, field, label) in [
        (json!({"4": "two"}), "custom_fields.4", "Dog count"),
        (json!({"5": "2023-02-30"}), "custom_fields.5", "Warranty start"),
        (json!({"5": "03/01/2024"}), "custom_fields.5", "Warranty start"),
        (json!({"3": "Attic"}), "custom_fields.3", "Panel location"),
        (json!({"2": "yes"}), "custom_fields.2", "Pets on site"),
        (json!({"1": "x".repeat(501)}), "custom_fields.1", "Gate code"),
        (json!({"1": 42}), "custom_fields.1", "Gate code"),
        (json!({"99": "x"}), "custom_fields.99", "99"),
        (json!({ key.clone(): null }), code_field.as_str(), "Alarm passcode"),
        (json!({ key.clone(): "  " }), code_field.as_str(), "Alarm passcode"),
    ] {
        let (status, p) = rt.patch(&admin, &path, json!({"version": version, "custom_fields": value.clone()})).await;
        assert_eq!(status, 422, "{value} -> {p}");
        assert_eq!(error_fields(&p), [field.to_owned()], "{value}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains(label), "{value} -> {p}");
    }
    let (status, p) = rt.patch(&admin, &path, json!({"version": version, "custom_fields": [1]})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["custom_fields".to_owned()]));

    // Good values of every type, with another field in the same save.
    let body = json!({"version": version, "city": "Orem", "custom_fields": {"1": " #1234 ", "2": true, "3": "Basement", "4": 2, "5": "2024-02-29"}});
    let (status, c) = rt.patch(&admin, &path, body).await;
    assert_eq!(status, 200, "{c}");
    version = c["version"].as_u64().unwrap();
    let (_, c) = rt.get(&admin, &path).await;
    assert_eq!(c["city"], "Orem");
    for (fid, want) in [
        (1, json!("#1234")),
        (2, json!(true)),
        (3, json!("Basement")),
        (4, json!(2)),
        (5, json!("2024-02-29")),
        (cid_field, json!("4455")),
    ] {
        assert_eq!(card_value(&c, fid), want, "field {fid}");
    }
    assert_eq!(c["custom_fields"]["4"], 2, "the record carries the values too");

    // Partial: only the keys sent change; null clears.
    let (status, c) =
        rt.patch(&admin, &path, json!({"version": version, "custom_fields": {"4": null, "1": "#9"}})).await;
    assert_eq!(status, 200, "{c}");
    version = c["version"].as_u64().unwrap();
    assert_eq!(
        (card_value(&c, 4), card_value(&c, 1), card_value(&c, 3)),
        (Value::Null, json!("#9"), json!("Basement"))
    );
    // Nothing changed: no new version.
    let (_, same) = rt.patch(&admin, &path, json!({"version": version, "custom_fields": {"1": "#9"}})).await;
    assert_eq!(same["version"].as_u64(), Some(version));
    // A stale record version is 409 as for every other field.
    assert_eq!(rt.patch(&admin, &path, json!({"version": version - 1, "custom_fields": {"1": "x"}})).await.0, 409);

    // History: one entry per changed field, named custom_fields.<id>.
    let (status, h) = rt.get(&admin, &format!("{path}/history?per_page=50")).await;
    assert_eq!(status, 200);
    let entries: Vec<&Value> =
        h["items"].as_array().unwrap().iter().filter(|e| e["field"] == "custom_fields.4").collect();
    assert_eq!(entries.len(), 2, "{h}");
    assert!(entries.iter().any(|e| e["before"] == 2 && e["after"] == Value::Null), "{h}");
    assert!(h["items"].as_array().unwrap().iter().any(|e| e["field"] == "custom_fields.1" && e["after"] == "#9"));
    assert!(!h["items"].as_array().unwrap().iter().any(|e| e["field"] == "custom_fields"), "no whole-map entries");

    // Viewers see the card read-only; they cannot save values.
    let (status, seen) = rt.get(&installer, &path).await;
    assert_eq!(status, 200);
    assert_eq!((card_value(&seen, 3), &seen["editable"]["custom_fields"]), (json!("Basement"), &json!(false)));
    assert_eq!(rt.patch(&installer, &path, json!({"version": version, "custom_fields": {"1": "x"}})).await.0, 403);

    // Older records without the new required field still save unrelated changes.
    let (_, page) = rt.get(&admin, "/api/v1/customers?per_page=10").await;
    let old = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .find(|i| *i != id)
        .expect("a seeded customer");
    let (_, o) = rt.get(&admin, &format!("/api/v1/customers/{old}")).await;
    let (status, saved) =
        rt.patch(&admin, &format!("/api/v1/customers/{old}"), json!({"version": o["version"], "spouse": "Pat"})).await;
    assert_eq!(status, 200, "{saved}");

    // Duplicate copies the values.
    let (status, dup) = rt.post(&admin, &format!("{path}/duplicate"), json!({})).await;
    assert_eq!(status, 201, "{dup}");
    assert_eq!((card_value(&dup, 3), card_value(&dup, cid_field)), (json!("Basement"), json!("4455")));

    // A deactivated field leaves the card and takes no values.
    let (status, _) = rt.patch(&admin, &format!("{FIELDS}/3"), json!({"version": 1, "active": false})).await;
    assert_eq!(status, 200);
    let (_, c) = rt.get(&admin, &path).await;
    assert!(!c["cards"]["custom_fields"].as_array().unwrap().iter().any(|f| f["id"] == 3));
    let (status, p) = rt.patch(&admin, &path, json!({"version": c["version"], "custom_fields": {"3": "Garage"}})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["custom_fields.3".to_owned()]));

    // A company without definitions shows no card.
    let other = rt.sign_in(OTHER_ADMIN).await;
    let (_, page) = rt.get(&other, "/api/v1/customers?per_page=10").await;
    let theirs = page["items"][0]["id"].as_u64().unwrap();
    let (_, t) = rt.get(&other, &format!("/api/v1/customers/{theirs}")).await;
    assert!(t["cards"].get("custom_fields").is_none(), "{}", t["cards"]);
    assert_eq!(t["editable"]["custom_fields"], false);
    rt.stop().await;
}

/// Converting a lead keeps the values it holds (written straight to the store here, as leads made before the lead
/// API took values hold them; `leads_take_values_like_customers` converts one given them through the API).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converting_a_lead_keeps_its_values() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, opts) = rt.get(&admin, "/api/v1/leads/form-options").await;
    let source = &opts["sources"][0];
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": "Cora", "last_name": "Convert",
        "primary_phone": "8015550166", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo", "state": "UT", "zip": "84601"
    });
    let (status, lead) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    let lid = lead["id"].as_u64().unwrap();

    let table = &rt.services().table;
    let key = keys::record(&CompanyId::parse("acme").unwrap(), RecordId(lid));
    let mut item = table.get(&key).await.unwrap().expect("lead item");
    item.insert("custom_fields".into(), json!({"1": "#77", "4": 1}));
    table.put(item, None).await.unwrap();

    let (status, c) = rt
        .post(
            &admin,
            &format!("/api/v1/leads/{lid}/convert"),
            json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep"}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["kind"], "customer");
    assert_eq!((card_value(&c, 1), card_value(&c, 4)), (json!("#77"), json!(1)));
    assert_eq!(c["editable"]["custom_fields"], true);
    rt.stop().await;
}

/// A New Lead body (the first source, campaign and status of the form options) with these custom fields.
async fn lead_body(rt: &LocalRuntime, token: &str, first: &str, custom: Option<Value>) -> Value {
    let (status, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{opts}");
    let source = &opts["sources"][0];
    let mut body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": first, "last_name": "Udf",
        "primary_phone": "8015550142", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo", "state": "UT", "zip": "84601"
    });
    if let Some(c) = custom {
        body["custom_fields"] = c;
    }
    body
}

/// The card row of field `id` on a lead read (`custom_fields_card`).
fn lead_card_value(l: &Value, id: u64) -> Value {
    l["custom_fields_card"]
        .as_array()
        .expect("custom fields card on the lead read")
        .iter()
        .find(|f| f["id"] == id)
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_take_values_like_customers() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let rep = rt.sign_in(LEAD_REP).await;
    let office = rt.sign_in(OFFICE).await;
    let signer =
        new_field(&rt, &admin, json!({"name": "Contract signer", "field_type": "text", "required": true})).await;
    let key = signer["id"].as_u64().unwrap().to_string();
    let signer_field = format!("custom_fields.{key}");
    const LEADS: &str = "/api/v1/leads?allow_duplicates=true";

    // Create: a required text field must be given (the seeded required checkbox is answered by leaving it unset),
    // exactly as for a new customer; bad values are reported with the form's own problems.
    let (status, p) = rt.post(&admin, LEADS, lead_body(&rt, &admin, "Lena", None).await).await;
    assert_eq!((status, error_fields(&p)), (422, vec![signer_field.clone()]), "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("Contract signer"), "{p}");
    let mut body = lead_body(&rt, &admin, "Lena", Some(json!({ key.clone(): "Pat", "3": "Attic" }))).await;
    body["first_name"] = json!("");
    let (status, p) = rt.post(&admin, LEADS, body).await;
    assert_eq!(status, 422, "{p}");
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["custom_fields.3", "first_name"], "{p}");
    let (status, p) =
        rt.post(&admin, LEADS, lead_body(&rt, &admin, "Lena", Some(json!({ key.clone(): "  " }))).await).await;
    assert_eq!((status, error_fields(&p)), (422, vec![signer_field.clone()]), "blank is not an answer: {p}");
    let (status, lead) = rt
        .post(&admin, LEADS, lead_body(&rt, &admin, "Lena", Some(json!({ key.clone(): " Pat ", "3": "Garage" }))).await)
        .await;
    assert_eq!(status, 201, "{lead}");
    assert_eq!(lead["custom_fields"], json!({ key.clone(): "Pat", "3": "Garage" }));
    let id = lead["id"].as_u64().unwrap();
    let path = format!("/api/v1/leads/{id}");

    // The lead page's read: the card rows (every active definition in order) with the lead's values.
    let (status, l) = rt.get(&admin, &path).await;
    assert_eq!(status, 200, "{l}");
    assert_eq!(
        (lead_card_value(&l, 3), lead_card_value(&l, signer["id"].as_u64().unwrap()), lead_card_value(&l, 1)),
        (json!("Garage"), json!("Pat"), Value::Null)
    );
    assert_eq!(
        l["custom_fields_card"][0],
        json!({"id": 1, "name": "Gate code", "field_type": "text", "required": false, "options": [], "value": null})
    );
    // The Home read of a lead says the values are editable (through the lead's PATCH) for who may modify it.
    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!((home["kind"].as_str(), &home["editable"]["custom_fields"]), (Some("lead"), &json!(true)));
    assert_eq!(card_value(&home, 3), "Garage");

    // PATCH: bad values are 422 naming custom_fields.<id>, with a profile field's problem in the same answer.
    let mut version = l["version"].as_u64().unwrap();
    for (value, field) in [
        (json!({"4": "two"}), "custom_fields.4"),
        (json!({"5": "2023-02-30"}), "custom_fields.5"),
        (json!({"3": "Attic"}), "custom_fields.3"),
        (json!({"2": "yes"}), "custom_fields.2"),
        (json!({"99": "x"}), "custom_fields.99"),
        (json!({ key.clone(): null }), signer_field.as_str()),
    ] {
        let (status, p) = rt.patch(&admin, &path, json!({"version": version, "custom_fields": value.clone()})).await;
        assert_eq!((status, error_fields(&p)), (422, vec![field.to_owned()]), "{value} -> {p}");
    }
    let (status, p) = rt.patch(&admin, &path, json!({"version": version, "custom_fields": [1]})).await;
    assert_eq!((status, error_fields(&p)), (422, vec!["custom_fields".to_owned()]));
    let (status, p) =
        rt.patch(&admin, &path, json!({"version": version, "rating": 9, "custom_fields": {"4": "two"}})).await;
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!((status, fields), (422, vec!["custom_fields.4".to_owned(), "rating".to_owned()]), "{p}");

    // Good values with another field in the same save: one new version.
    let body = json!({"version": version, "job_title": "Owner", "custom_fields": {"1": " #12 ", "2": true, "4": 2, "5": "2024-02-29"}});
    let (status, l) = rt.patch(&admin, &path, body).await;
    assert_eq!(status, 200, "{l}");
    assert_eq!(l["version"].as_u64(), Some(version + 1));
    version += 1;
    assert_eq!(l["job_title"], "Owner");
    assert_eq!(
        l["custom_fields"],
        json!({"1": "#12", "2": true, "3": "Garage", "4": 2, "5": "2024-02-29", key.clone(): "Pat"})
    );
    // Partial: only the keys sent change; null clears; the same values again are no new version.
    let (status, l) =
        rt.patch(&admin, &path, json!({"version": version, "custom_fields": {"4": null, "3": "Basement"}})).await;
    assert_eq!(status, 200, "{l}");
    version += 1;
    assert_eq!(
        (l["custom_fields"].get("4"), &l["custom_fields"]["3"], &l["custom_fields"]["1"]),
        (None, &json!("Basement"), &json!("#12"))
    );
    let (_, same) = rt.patch(&admin, &path, json!({"version": version, "custom_fields": {"3": "Basement"}})).await;
    assert_eq!(same["version"].as_u64(), Some(version));
    // The lead's version rules as for every other field: required, and stale is 409.
    assert_eq!(rt.patch(&admin, &path, json!({"custom_fields": {"1": "x"}})).await.0, 422);
    assert_eq!(rt.patch(&admin, &path, json!({"version": version - 1, "custom_fields": {"1": "x"}})).await.0, 409);
    let (_, l) = rt.get(&admin, &path).await;
    assert_eq!((lead_card_value(&l, 3), lead_card_value(&l, 4)), (json!("Basement"), Value::Null));

    // History: one entry per changed value, named custom_fields.<id>, never the whole map.
    let (status, h) = rt.get(&admin, &format!("{path}/history")).await;
    assert_eq!(status, 200, "{h}");
    let items = h["items"].as_array().unwrap();
    let of = |f: &str| items.iter().filter(|e| e["field"] == f).collect::<Vec<_>>();
    assert_eq!(of("custom_fields.4").len(), 2, "{h}");
    assert!(of("custom_fields.4").iter().any(|e| e["before"] == Value::Null && e["after"] == 2), "{h}");
    assert!(of("custom_fields.4").iter().any(|e| e["before"] == 2 && e["after"] == Value::Null), "{h}");
    assert!(of("custom_fields.3").iter().any(|e| e["before"] == "Garage" && e["after"] == "Basement"), "{h}");
    assert_eq!(of("job_title").len(), 1);
    assert!(of("custom_fields").is_empty(), "no whole-map entries: {h}");

    // Whoever may modify the lead sets them: an own-only lead rep on their own lead, not on someone else's.
    let (status, mine) =
        rt.post(&rep, LEADS, lead_body(&rt, &rep, "Remy", Some(json!({ key.clone(): "Remy" }))).await).await;
    assert_eq!(status, 201, "{mine}");
    let (status, mine) = rt
        .patch(
            &rep,
            &format!("/api/v1/leads/{}", mine["id"]),
            json!({"version": mine["version"], "custom_fields": {"1": "#5"}}),
        )
        .await;
    assert_eq!((status, &mine["custom_fields"]["1"]), (200, &json!("#5")), "{mine}");
    assert_eq!(rt.patch(&rep, &path, json!({"version": version, "custom_fields": {"1": "x"}})).await.0, 403);
    assert_eq!(rt.patch(&office, &path, json!({"version": version, "custom_fields": {"1": "#13"}})).await.0, 200);

    // Conversion keeps them; the converted lead is locked for the lead API.
    let (status, c) = rt
        .post(&admin, &format!("{path}/convert"), json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep"}))
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["kind"], "customer");
    assert_eq!(
        c["custom_fields"],
        json!({"1": "#13", "2": true, "3": "Basement", "5": "2024-02-29", key.clone(): "Pat"})
    );
    assert_eq!((card_value(&c, 3), card_value(&c, 1)), (json!("Basement"), json!("#13")));
    // The lead API answers for leads only (the customer's PATCH takes over).
    assert_eq!(rt.patch(&admin, &path, json!({"version": c["version"], "custom_fields": {"1": "x"}})).await.0, 404);
    rt.stop().await;
}

/// Names are unique per company by a conditional write on a name item, so admins racing to create the same name end
/// with one field, and a rename onto a taken name (any case) is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_creates_of_one_name_make_one_field() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let body = json!({"name": "Dog's name", "field_type": "text"});
    let answers =
        futures::future::join_all((0..8).map(|_| async { rt.post(&admin, FIELDS, body.clone()).await })).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, p) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!((*status, p["errors"][0]["code"].as_str()), (422, Some("taken")), "{p}");
    }
    let (_, list) = rt.get(&admin, FIELDS).await;
    assert_eq!(names(&list).iter().filter(|n| n.as_str() == "Dog's name").count(), 1);

    let (status, other) = rt.post(&admin, FIELDS, json!({"name": "Cat's name", "field_type": "text"})).await;
    assert_eq!(status, 201, "{other}");
    let path = format!("{FIELDS}/{}", other["id"]);
    let (status, p) = rt.patch(&admin, &path, json!({"version": 1, "name": "DOG'S NAME"})).await;
    assert_eq!((status, p["errors"][0]["code"].as_str()), (422, Some("taken")), "{p}");
    // A rename frees the old name.
    assert_eq!(rt.patch(&admin, &path, json!({"version": 1, "name": "Pet's name"})).await.0, 200);
    assert_eq!(rt.post(&admin, FIELDS, json!({"name": "cat's name", "field_type": "text"})).await.0, 201);
    rt.stop().await;
}
