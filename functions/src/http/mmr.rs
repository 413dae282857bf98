//! Handlers of the monthly monitoring rate (MMR) routes: the company's configuration under Settings and the
//! breakout rate picker under customers.

use super::{object, reply, Reply};
use lambda_http::{Request, RequestExt};
use serde_json::Value;
use vigil_api::ops;
use vigil_app::{mmr, Actor, AppError, Services};
use vigil_domain::mmr::RateFilter;
use vigil_domain::{FieldError, RecordId};

pub async fn get_settings(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetMmrSettings>(mmr::get(svc, actor).await?)
}

pub async fn put_settings(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::PutMmrSettings>(mmr::put(svc, actor, &Value::Object(object(req)?)).await?)
}

pub async fn list_rates(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let q = req.query_string_parameters();
    let customer = customer_id(q.first("customer_id"))?;
    let filter = RateFilter::parse(q.first("total"), q.first("items"))?;
    reply::<ops::ListMmrRates>(mmr::list(svc, actor, customer, &filter).await?)
}

/// The optional `customer_id` query parameter (422 naming it when it is not a record ID).
fn customer_id(raw: Option<&str>) -> Result<Option<RecordId>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => RecordId::parse(s).map(Some).map_err(|_| {
            AppError::from_field(FieldError::new(
                "customer_id",
                "invalid",
                "customer_id must be a customer ID (a positive whole number)",
            ))
        }),
    }
}
