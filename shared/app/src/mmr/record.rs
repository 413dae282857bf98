//! What the customer record asks of the MMR configuration: the simple dropdown's rates, whether a customer
//! may be given a rate, what a duplicate keeps, and the chosen rate on the Home page.

use super::settings::settings;
use crate::customers::Priced;
use crate::{AppError, Services};
use serde_json::{json, Value};
use vigil_domain::customer::CustomerFields;
use vigil_domain::mmr::MmrMode;
use vigil_domain::{CompanyId, FieldError};

/// The form options' part: the mode, and the rates a customer can be given now (active, matching), for the simple
/// dropdown.
pub async fn form_rates(svc: &Services, co: &CompanyId) -> Result<(MmrMode, Vec<Priced>), AppError> {
    let s = settings(svc, co).await?;
    let rates = s
        .rates
        .iter()
        .filter(|r| s.assignable(r, None))
        .map(|r| Priced {
            id: r.id,
            name: r.name.clone().unwrap_or_else(|| format!("Rate #{}", r.id)),
            amount_cents: r.amount_cents,
        })
        .collect();
    Ok((s.mode, rates))
}

/// Checks a customer's `mmr_id` going from `before` to `after` (reads the configuration only when it changes).
pub async fn check_choice(
    svc: &Services,
    co: &CompanyId,
    before: Option<u32>,
    after: Option<u32>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if after.is_some() && after != before {
        if let Err(e) = settings(svc, co).await?.check_choice(before, after) {
            errors.push(e);
        }
    }
    Ok(())
}

/// A duplicate is another customer: it keeps the rate only when the rate may be given out, else it starts without
/// one (rather than failing the duplicate).
pub async fn for_duplicate(svc: &Services, co: &CompanyId, c: &mut CustomerFields) -> Result<(), AppError> {
    if c.mmr_id.is_some() && settings(svc, co).await?.check_choice(None, c.mmr_id).is_err() {
        c.mmr_id = None;
        c.mmr_a_la_carte = false;
    }
    Ok(())
}

/// The Sale card's `mmr`: `{id, name, amount_cents, line_items, mismatch}` of the chosen rate, or null.
pub async fn summary(svc: &Services, co: &CompanyId, mmr_id: Option<u32>) -> Result<Value, AppError> {
    let Some(id) = mmr_id else { return Ok(Value::Null) };
    let s = settings(svc, co).await?;
    Ok(match s.rate(id) {
        Some(r) => {
            json!({"id": r.id, "name": r.name, "amount_cents": r.amount_cents, "line_items": r.line_items, "mismatch": s.mismatch(r)})
        }
        None => Value::Null,
    })
}
