//! Converting a lead with or without an opportunity, over HTTP on the embedded default: the person becomes the
//! primary contact, the opportunity opens in Prospecting closing 90 days out, the confirmation email lists both,
//! and a wrong opportunity is 422 naming its field with nothing converted.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, INSTALLER, OTHER_ADMIN};

async fn new_lead(rt: &LocalRuntime, token: &str, first: &str) -> Value {
    let (_, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    let source = &opts["sources"][0];
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": first,
        "last_name": "Dealmaker", "primary_phone": "8015550166", "disposition_id": opts["dispositions"][0]["id"],
        "city": "Provo", "state": "UT", "zip": "84601", "email": "deal@example.com"
    });
    let (status, lead) = rt.post(token, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    lead
}

async fn convert(rt: &LocalRuntime, token: &str, lead: &Value, opportunity: Option<Value>) -> (u16, Value) {
    let mut body = json!({"office_location_id": 2, "sold_by_id": "acme-sales-rep", "version": lead["version"]});
    if let Some(o) = opportunity {
        body["opportunity"] = o;
    }
    rt.post(token, &format!("/api/v1/leads/{}/convert", lead["id"]), body).await
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the civil-from-days algorithm run backwards).
fn day_number(date: &str) -> i64 {
    let p: Vec<i64> = date.split('-').map(|s| s.parse().unwrap()).collect();
    let (y, m, d) = (p[0] - i64::from(p[1] <= 2), p[1], p[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converting_with_an_opportunity_opens_it_and_makes_the_person_the_primary_contact() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let lead = new_lead(&rt, &admin, "Olga").await;
    let id = lead["id"].clone();
    let (status, c) = convert(&rt, &admin, &lead, Some(json!({"name": "Olga's HQ alarm", "amount": 250000}))).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["kind"], "customer");

    let (status, opps) = rt.get(&admin, &format!("/api/v1/customers/{id}/opportunities")).await;
    assert_eq!(status, 200, "{opps}");
    let items = opps["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{opps}");
    let o = &items[0];
    assert_eq!(
        (o["name"].as_str(), o["amount"].as_u64(), o["stage"].as_str()),
        (Some("Olga's HQ alarm"), Some(250000), Some("prospecting"))
    );
    assert_eq!(o["version"], 1);
    let sale_date = c["cards"]["sale"]["sale_date"].as_str().expect("the conversion's sale date is today");
    assert_eq!(day_number(o["close_date"].as_str().unwrap()) - day_number(sale_date), 90, "{o}");

    let (status, contacts) = rt.get(&admin, &format!("/api/v1/customers/{id}/contacts")).await;
    assert_eq!(status, 200, "{contacts}");
    let primary: Vec<&Value> =
        contacts["items"].as_array().unwrap().iter().filter(|c| c["data"]["primary"] == true).collect();
    assert_eq!(primary.len(), 1, "{contacts}");
    assert_eq!(primary[0]["data"]["name"], "Olga Dealmaker");
    assert_eq!(primary[0]["data"]["phone"], "8015550166");

    let mail = eventually("the conversion email", Duration::from_secs(20), || async {
        let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
        outbox["items"]
            .as_array()?
            .iter()
            .find(|m| m["subject"].as_str().is_some_and(|s| s.contains(&format!("#{id} is now a customer"))))
            .cloned()
    })
    .await;
    let body = mail["body"].as_str().unwrap_or_default();
    assert!(body.contains("primary contact Olga Dealmaker"), "{mail}");
    assert!(body.contains("opportunity \"Olga's HQ alarm\" for $2500.00 in Prospecting"), "{mail}");

    // Edited with its version: a stale one is 409 with what is stored, a wrong field 422 naming it.
    let path = format!("/api/v1/customers/{id}/opportunities");
    let (status, saved) =
        rt.patch(&admin, &path, json!({"id": o["id"], "version": 1, "stage": "negotiation", "amount": 300000})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (saved["stage"].as_str(), saved["amount"].as_u64(), saved["version"].as_u64()),
        (Some("negotiation"), Some(300000), Some(2))
    );
    let (status, p) = rt.patch(&admin, &path, json!({"id": o["id"], "version": 1, "name": "Late"})).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["current"]["stage"], "negotiation");
    let (status, p) =
        rt.patch(&admin, &path, json!({"id": o["id"], "version": 2, "stage": "won", "amount": -5, "name": ""})).await;
    assert_eq!(status, 422, "{p}");
    let named: Vec<&str> = p["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(named, ["name", "amount", "stage"]);
    let (status, _) = rt.patch(&admin, &path, json!({"id": 99, "version": 1, "stage": "proposal"})).await;
    assert_eq!(status, 404);

    // A caller who may not read the customer reads none of its opportunities.
    let installer = rt.sign_in(INSTALLER).await;
    let (status, _) = rt.get(&installer, &format!("/api/v1/customers/{id}/opportunities")).await;
    assert!(status == 403 || status == 404, "{status}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converting_without_an_opportunity_opens_none_and_a_wrong_one_converts_nothing() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let lead = new_lead(&rt, &admin, "Nora").await;
    let id = lead["id"].clone();

    for (bad, fields) in [
        (json!({"amount": 100}), vec!["opportunity.name"]),
        (json!({"name": "", "amount": -1}), vec!["opportunity.name", "opportunity.amount"]),
        (json!({"name": "x".repeat(201), "amount": 10.5}), vec!["opportunity.name", "opportunity.amount"]),
        (json!({"name": "Deal"}), vec!["opportunity.amount"]),
    ] {
        let (status, p) = convert(&rt, &admin, &lead, Some(bad.clone())).await;
        assert_eq!(status, 422, "{bad}: {p}");
        let named: Vec<&str> = p["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(named, fields, "{bad}");
    }
    let (status, still) = rt.get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!((status, still["kind"].as_str()), (200, Some("lead")), "nothing was converted");

    let (status, c) = convert(&rt, &admin, &lead, None).await;
    assert_eq!(status, 200, "{c}");
    let (_, opps) = rt.get(&admin, &format!("/api/v1/customers/{id}/opportunities")).await;
    assert_eq!(opps["items"], json!([]));
    let (_, contacts) = rt.get(&admin, &format!("/api/v1/customers/{id}/contacts")).await;
    assert_eq!(contacts["items"].as_array().unwrap().len(), 1, "the person is the primary contact either way");
    rt.stop().await;
}

/// Another company reaches neither the opportunities nor the selling of this company's records: every route answers
/// as for a record that does not exist, and nothing is sold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_company_reaches_neither_opportunities_nor_sales_of_these_records() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let lead = new_lead(&rt, &admin, "Tenant").await;
    let id = lead["id"].clone();
    let (status, c) = convert(&rt, &admin, &lead, Some(json!({"name": "Tenant alarm", "amount": 1000}))).await;
    assert_eq!(status, 200, "{c}");
    let (_, opps) = rt.get(&admin, &format!("/api/v1/customers/{id}/opportunities")).await;
    let opportunity = opps["items"][0].clone();
    let other_lead = new_lead(&rt, &admin, "Unsold").await;

    let other = rt.sign_in(OTHER_ADMIN).await;
    let (status, body) = rt.get(&other, &format!("/api/v1/customers/{id}/opportunities")).await;
    assert_eq!(status, 404, "{body}");
    let patch = json!({"id": opportunity["id"], "name": "Taken over", "version": opportunity["version"]});
    let (status, body) = rt.patch(&other, &format!("/api/v1/customers/{id}/opportunities"), patch).await;
    assert_eq!(status, 404, "{body}");
    // Partner 13 is each demo company's lead buyer; partner 14 its customer buyer.
    let (status, body) = rt.post(&other, &format!("/api/v1/customers/{id}/sell"), json!({"partner_id": 14})).await;
    assert_eq!(status, 404, "{body}");
    let sell = json!({"lead_ids": [other_lead["id"]], "partner_id": 13});
    let (status, body) = rt.post(&other, "/api/v1/leads/sell", sell).await;
    assert!(matches!(status, 404 | 422), "{status} {body}");

    let (_, opps) = rt.get(&admin, &format!("/api/v1/customers/{id}/opportunities")).await;
    assert_eq!(opps["items"][0]["name"], "Tenant alarm", "unchanged: {opps}");
    let (status, sales) = rt.get(&admin, "/api/v1/sales-to-partners").await;
    assert_eq!(status, 200, "{sales}");
    assert_eq!(sales["items"].as_array().map(Vec::len), Some(0), "nothing was sold: {sales}");
    rt.stop().await;
}
