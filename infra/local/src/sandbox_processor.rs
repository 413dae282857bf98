//! The sandbox payment processor's tokenizing endpoint, `POST /sandbox-processor/tokens`: it stands where a real
//! processor's own endpoint stands. The browser posts the card (or bank account) here, never to Vigil's API, and
//! gets a token with the brand, last 4 and expiry, which is all Vigil's API then receives. Not a Vigil operation:
//! not under `/api/v1`, no session, never deployed. The number is checked and dropped; nothing here logs a body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;
use vigil_app::accounting::processor::{check_card, SANDBOX_DECLINE_PREFIX, SANDBOX_PREFIX};

pub const PATH: &str = "/sandbox-processor/tokens";

#[derive(Deserialize)]
pub struct TokenRequest {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    exp_month: Option<u8>,
    #[serde(default)]
    exp_year: Option<u16>,
    #[serde(default)]
    cvc: Option<String>,
    #[serde(default)]
    routing_number: Option<String>,
    #[serde(default)]
    account_number: Option<String>,
}

fn refuse(field: &str, message: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": {"field": field, "message": message}}))).into_response()
}

fn random_hex() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn digits(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

pub async fn tokens(body: Option<Json<TokenRequest>>) -> Response {
    let Some(Json(req)) = body else { return refuse("body", "send a JSON object") };
    if req.kind.as_deref() == Some("ach") {
        let routing = req.routing_number.as_deref().and_then(digits).filter(|d| d.len() == 9);
        let account = req.account_number.as_deref().and_then(digits).filter(|d| (4..=17).contains(&d.len()));
        let (Some(_), Some(account)) = (routing, account) else {
            return refuse("account_number", "give a 9-digit routing number and a 4–17 digit account number");
        };
        let last4: String = account.chars().skip(account.len().saturating_sub(4)).collect();
        return Json(json!({"token": format!("{SANDBOX_PREFIX}{}", random_hex()), "kind": "ach", "brand": "ACH", "last4": last4}))
            .into_response();
    }
    let card = match check_card(req.number.as_deref().unwrap_or_default()) {
        Ok(c) => c,
        Err(message) => return refuse("number", message),
    };
    let (Some(m), Some(y)) = (req.exp_month, req.exp_year) else { return refuse("exp_month", "give the expiry") };
    if !(1..=12).contains(&m) || !(2000..=2100).contains(&y) {
        return refuse("exp_month", "give the expiry month (1–12) and a four-digit year");
    }
    let cvc_ok =
        req.cvc.as_deref().is_some_and(|c| (3..=4).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()));
    if !cvc_ok {
        return refuse("cvc", "give the 3 or 4 digit security code");
    }
    let prefix = if card.decline { SANDBOX_DECLINE_PREFIX } else { SANDBOX_PREFIX };
    Json(json!({
        "token": format!("{prefix}{}", random_hex()),
        "kind": "card",
        "brand": card.brand,
        "last4": card.last4,
        "exp_month": m,
        "exp_year": y,
    }))
    .into_response()
}
