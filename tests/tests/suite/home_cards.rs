//! Every field of the customer Home cards over HTTP on the embedded default: Sale information (call center rep,
//! source and campaign, discount affiliate, the locks), Installation (install appointment, ADC receiver phone,
//! Services with Pulse only under an ADT monitor) and the customer's Lead information, each saved through the
//! versioned `PATCH` and read back, refused when locked or not offered, and masked by the caller's grants.

use serde_json::{json, Value};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN};

async fn new_customer(rt: &LocalRuntime, token: &str, first: &str) -> Value {
    let body = json!({
        "first_name": first, "last_name": "Cardholder", "primary_phone": "(801) 555-0177", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "12 Elm St", "account_type": "residential", "office_location_id": 1
    });
    let (status, c) = rt.post(token, "/api/v1/customers?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{}", c["detail"]);
    c
}

async fn patch(rt: &LocalRuntime, token: &str, c: &Value, mut body: Value) -> (u16, Value) {
    body["version"] = c["version"].clone();
    rt.patch(token, &format!("/api/v1/customers/{}", c["id"]), body).await
}

fn refused(status: u16, e: &Value) -> (u16, &str, &str) {
    (status, e["errors"][0]["field"].as_str().unwrap_or(""), e["errors"][0]["code"].as_str().unwrap_or(""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_new_home_card_field_is_saved_and_read_back() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, opts) = rt.get(&admin, "/api/v1/customers/form-options").await;
    let disposition = opts["dispositions"][0]["id"].as_u64().unwrap();
    let phone = opts["adc_receiver_phones"][0].as_str().unwrap().to_owned();
    let adt = opts["adt_monitoring_company_ids"][0].as_u64().unwrap();
    let other_monitor = opts["monitoring_companies"].as_array().unwrap().iter().find(|m| m["id"] != adt).unwrap()["id"]
        .as_u64()
        .unwrap();
    let source = opts["sources"].as_array().unwrap().iter().find(|s| !s["campaigns"].as_array().unwrap().is_empty());
    let source = source.expect("a customer seller with campaigns");

    let c = new_customer(&rt, &admin, "Fieldy").await;
    // No install appointment yet: nothing to choose, and the admin may schedule one.
    assert_eq!((c["install_appointments"].as_array().unwrap().len(), &c["may_schedule"]), (0, &json!(true)));
    assert_eq!(c["locked"], json!([]));
    let (status, saved) = patch(
        &rt,
        &admin,
        &c,
        json!({"discount_affiliate": "AARP", "discount_affiliate_member_number": "M-100", "adc_receiver_phone": phone,
               "services": ["two_way_voice", "maintenance", "pulse"], "monitoring_company_id": adt,
               "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"],
               "callback_date": "2026-12-01", "lead_disposition_id": disposition, "lead_status": "assigned",
               "callcenter_comments": "Call after 5", "lead_comments": "Wants cameras"}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{}", c["id"])).await;
    let (sale, install, info) = (&home["cards"]["sale"], &home["cards"]["installation"], &home["cards"]["lead_info"]);
    assert_eq!(
        (&sale["discount_affiliate"], &sale["discount_affiliate_member_number"]),
        (&json!("AARP"), &json!("M-100"))
    );
    assert_eq!((&sale["source_id"], &sale["campaign_id"]), (&source["id"], &source["campaigns"][0]["id"]));
    assert_eq!(install["adc_receiver_phone"], phone);
    assert_eq!(install["receiver_number"], phone, "the ADC receiver phone fills the receiver number");
    assert_eq!(install["services"], json!(["maintenance", "pulse", "two_way_voice"]));
    assert_eq!((&info["callback_date"], &info["lead_disposition_id"]), (&json!("2026-12-01"), &json!(disposition)));
    assert_eq!((&info["lead_status"], &info["callcenter_comments"]), (&json!("assigned"), &json!("Call after 5")));
    assert_eq!(info["lead_comments"], "Wants cameras");
    assert!(info["created_at"].is_string() && info["lead_contacts"].is_array());
    assert!(info.as_object().unwrap().contains_key("lead_rep_id"), "a lead admin sees the lead rep at Assigned");
    assert_eq!(sale["funding_status"], Value::Null);
    let (_, history) = rt.get(&admin, &format!("/api/v1/customers/{}/history", c["id"])).await;
    let fields: Vec<&str> = history["items"].as_array().unwrap().iter().filter_map(|h| h["field"].as_str()).collect();
    for f in ["lead_comments", "lead_status", "services", "discount_affiliate", "adc_receiver_phone"] {
        assert!(fields.contains(&f), "history has {f}: {fields:?}");
    }

    // Values out of their lists are refused, naming the field.
    for (body, field) in [
        (json!({"lead_status": "bogus"}), "lead_status"),
        (json!({"lead_disposition_id": 999}), "lead_disposition_id"),
        (json!({"discount_affiliate": "Nobody"}), "discount_affiliate"),
        (json!({"adc_receiver_phone": "555"}), "adc_receiver_phone"),
        (json!({"install_appointment_id": 9}), "install_appointment_id"),
        (json!({"callcenter_comments": "x".repeat(2001)}), "callcenter_comments"),
    ] {
        let (status, e) = patch(&rt, &admin, &home, body).await;
        assert_eq!((status, e["errors"][0]["field"].as_str()), (422, Some(field)), "{e}");
    }
    // Pulse is a service only with an ADT monitor: moving off ADT with Pulse kept is refused, as is Pulse alone.
    let (status, e) = patch(&rt, &admin, &home, json!({"monitoring_company_id": other_monitor})).await;
    assert_eq!(refused(status, &e), (422, "services", "adt_only"));
    let plain = new_customer(&rt, &admin, "Plain").await;
    let (status, e) = patch(&rt, &admin, &plain, json!({"services": ["pulse"]})).await;
    assert_eq!(refused(status, &e), (422, "services", "adt_only"));

    // Installation Appointment: a choice among the customer's scheduled install appointments.
    let cid = home["id"].as_u64().unwrap();
    for date in ["2099-03-01", "2099-04-01"] {
        let (s, _) = rt
            .post(&admin, &format!("/api/v1/customers/{cid}/appointments"), json!({"date": date, "kind": "tech"}))
            .await;
        assert_eq!(s, 201);
    }
    let (_, home) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    let appts = home["install_appointments"].as_array().unwrap();
    assert_eq!(appts.len(), 2);
    let (status, saved) = patch(&rt, &admin, &home, json!({"install_appointment_id": appts[1]["id"]})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["cards"]["installation"]["install_appointment_id"], appts[1]["id"]);

    // A converted lead's customer keeps its lead information.
    let (_, lead_opts) = rt.get(&admin, "/api/v1/leads/form-options").await;
    let lead_body = json!({"source_id": lead_opts["sources"][0]["id"], "first_name": "Leah", "last_name": "Convert",
        "primary_phone": "8015550133", "disposition_id": lead_opts["dispositions"][0]["id"], "city": "Provo",
        "state": "UT", "zip": "84601"});
    let (status, lead) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", lead_body).await;
    assert_eq!(status, 201, "{lead}");
    let (status, lead) = rt
        .patch(
            &admin,
            &format!("/api/v1/leads/{}", lead["id"]),
            json!({"next_followup": "2099-01-05", "version": lead["version"]}),
        )
        .await;
    assert_eq!(status, 200, "{lead}");
    let (status, converted) = rt
        .post(
            &admin,
            &format!("/api/v1/leads/{}/convert", lead["id"]),
            json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep", "version": lead["version"]}),
        )
        .await;
    assert_eq!(status, 200, "{converted}");
    let info = &converted["cards"]["lead_info"];
    assert_eq!(info["lead_disposition_id"], lead_opts["dispositions"][0]["id"]);
    assert_eq!((&info["callback_date"], &info["call_center_rep"]), (&json!("2099-01-05"), &json!("Avery Admin")));
    assert_eq!(info["created_at"], lead["created_at"]);
    assert!(info["lead_status"].is_string());
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_fields_are_refused_and_a_hidden_affiliate_is_kept() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;

    // Monitored By is locked on a customer linked to a central station (every fifth demo customer).
    let mut linked = None;
    for id in (5..400).step_by(5) {
        let (status, c) = rt.get(&admin, &format!("/api/v1/customers/{id}")).await;
        if status == 200 && c["kind"] == "customer" && c["archived"] == false {
            linked = Some(c);
            break;
        }
    }
    let linked = linked.expect("a demo customer linked to a central station");
    assert!(linked["cards"]["sale"]["central_station_account"].is_string());
    assert_eq!(linked["locked"], json!(["monitoring_company_id"]));
    let now = linked["cards"]["sale"]["monitoring_company_id"].as_u64();
    let other = if now == Some(3) { 4 } else { 3 };
    let (status, e) = patch(&rt, &admin, &linked, json!({"monitoring_company_id": other})).await;
    assert_eq!(refused(status, &e), (422, "monitoring_company_id", "locked"));
    let (status, _) = patch(&rt, &admin, &linked, json!({"dealer_number": "D-1002"})).await;
    assert_eq!(status, 200, "the rest of the card still saves");

    // Bluebird locks the lead rep and offers no discount affiliates.
    let blue = rt.sign_in(OTHER_ADMIN).await;
    let (_, opts) = rt.get(&blue, "/api/v1/customers/form-options").await;
    let rep = opts["lead_reps"][0]["id"].clone();
    let c = new_customer(&rt, &blue, "Locky").await;
    assert_eq!(c["locked"], json!(["lead_rep_id"]));
    let sale = c["cards"]["sale"].as_object().unwrap();
    assert!(!sale.contains_key("discount_affiliate") && !sale.contains_key("discount_affiliate_member_number"));
    let (status, e) = patch(&rt, &blue, &c, json!({"lead_rep_id": rep})).await;
    assert_eq!(refused(status, &e), (422, "lead_rep_id", "locked"));
    let (status, e) = patch(&rt, &blue, &c, json!({"discount_affiliate": "AARP"})).await;
    assert_eq!(refused(status, &e), (422, "discount_affiliate", "not_found"));

    // An affiliate saved while Acme offered it stays on the card, and saves of other fields keep it, once the
    // company offers none; a customer without one no longer shows the fields.
    let kept = new_customer(&rt, &admin, "Keeper").await;
    let (status, kept) = patch(&rt, &admin, &kept, json!({"discount_affiliate": "Military"})).await;
    assert_eq!(status, 200, "{kept}");
    let co = vigil_domain::CompanyId::parse("acme").unwrap();
    let mut o = vigil_app::customers::options(rt.services(), &co).await.unwrap();
    o.discount_affiliates.clear();
    rt.services().table.put(vigil_app::customers::options_item(&co, &o), None).await.unwrap();
    let (status, saved) = patch(&rt, &admin, &kept, json!({"dealer_number": "D-1001"})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["cards"]["sale"]["discount_affiliate"], "Military");
    let bare = new_customer(&rt, &admin, "Bare").await;
    assert!(!bare["cards"]["sale"].as_object().unwrap().contains_key("discount_affiliate"));
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_fields_are_masked_by_grants() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let installer = rt.sign_in(INSTALLER).await;
    let (_, opts) = rt.get(&admin, "/api/v1/customers/form-options").await;
    let phone = opts["adc_receiver_phones"][0].clone();
    let c = new_customer(&rt, &admin, "Masky").await;
    let (status, c) = patch(
        &rt,
        &admin,
        &c,
        json!({"adc_receiver_phone": phone, "callcenter_comments": "private note", "lead_status": "queue"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    let path = format!("/api/v1/customers/{}", c["id"]);

    // The installer has no Sale Information: no lead information card and none of its fields in the record.
    let (_, i) = rt.get(&installer, &path).await;
    assert!(i["cards"].get("lead_info").is_none() && i["cards"].get("sale").is_none());
    assert!(i.get("callcenter_comments").is_none() && i.get("lead_status").is_none());
    assert_eq!(i["cards"]["installation"]["adc_receiver_phone"], phone);
    assert_eq!(i["cards"]["installation"]["receiver_number"], "***");

    // Office staff see the card; the receiver number the phone filled stays masked, and a new phone is refused
    // because it would overwrite that hidden number.
    let (_, o) = rt.get(&office, &path).await;
    assert_eq!(o["cards"]["lead_info"]["callcenter_comments"], "private note");
    assert_eq!(o["cards"]["installation"]["receiver_number"], "***");
    let (status, _) = patch(&rt, &office, &o, json!({"adc_receiver_phone": opts["adc_receiver_phones"][1]})).await;
    assert_eq!(status, 403);
    // History never keeps the receiver number, whoever reads it.
    let (_, h) = rt.get(&admin, &format!("{path}/history")).await;
    let receiver = h["items"].as_array().unwrap().iter().find(|x| x["field"] == "receiver_number").unwrap();
    assert_eq!(receiver["after"], "***");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_company_finds_none_of_this_companys_home_cards() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let c = new_customer(&rt, &admin, "Private").await;
    let id = c["id"].as_u64().unwrap();
    let home = format!("/api/v1/customers/{id}");

    // Not found, rather than forbidden: another company's IDs do not exist for them.
    let (status, e) = rt.get(&other, &home).await;
    assert_eq!(status, 404, "{e}");
    for body in [
        json!({"lead_status": "assigned", "callcenter_comments": "Not yours", "lead_comments": "Not yours"}),
        json!({"services": ["maintenance"], "adc_receiver_phone": "8015550100"}),
        json!({"discount_affiliate": "AARP", "dealer_number": "D-9"}),
        json!({"install_appointment_id": 1}),
    ] {
        let (status, e) = patch(&rt, &other, &c, body.clone()).await;
        assert_eq!(status, 404, "{body}: {e}");
    }
    let (status, e) = rt.get(&other, &format!("{home}/history")).await;
    assert_eq!(status, 404, "{e}");
    let (status, e) =
        rt.post(&other, &format!("{home}/appointments"), json!({"date": "2099-03-01", "kind": "tech"})).await;
    assert_eq!(status, 404, "{e}");

    // Nothing changed for the owner: same version, same cards, no appointment.
    let (status, after) = rt.get(&admin, &home).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["version"], c["version"]);
    assert_eq!(after["cards"], c["cards"]);
    assert_eq!(after["install_appointments"], json!([]));
    rt.stop().await;
}
