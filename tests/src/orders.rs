//! The set-up the orders and accounting tests share: a customer to order for, the errors' field names, and a card
//! tokenized the way the browser does it (straight to the sandbox processor's endpoint) and kept as a billing
//! method.

use crate::runtime::LocalRuntime;
use serde_json::{json, Value};

/// A new residential customer at office location 1.
pub async fn new_customer(rt: &LocalRuntime, token: &str, first: &str) -> Value {
    let body = json!({
        "first_name": first, "last_name": "Homeowner", "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
        "zip": "84601", "address1": "77 Canyon Rd", "account_type": "residential", "office_location_id": 1
    });
    let (status, c) = rt.post(token, "/api/v1/customers", body).await;
    assert_eq!(status, 201, "{c}");
    c
}

/// The fields a problem names, in its order.
pub fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// What the browser does: the card goes to the sandbox processor's own endpoint, which answers with a token.
pub async fn tokenize(rt: &LocalRuntime, number: &str) -> Value {
    let resp = rt
        .http()
        .post(rt.url("/sandbox-processor/tokens"))
        .json(&json!({"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}))
        .send()
        .await
        .expect("the sandbox processor answers");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("a token")
}

/// A Visa test card on customer `id`, through the sandbox processor.
pub async fn billing_method(rt: &LocalRuntime, token: &str, id: u64) -> Value {
    let t = tokenize(rt, "4242 4242 4242 4242").await;
    let body = json!({"kind": "card", "token": t["token"], "brand": t["brand"], "last4": t["last4"],
                      "exp_month": t["exp_month"], "exp_year": t["exp_year"]});
    let (status, bm) = rt.post(token, &format!("/api/v1/customers/{id}/billing-methods"), body).await;
    assert_eq!(status, 201, "{bm}");
    bm
}
