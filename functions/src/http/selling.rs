//! Handlers of selling leads and customers to buying partners.

use super::{parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::selling::{SellCustomer, SellLeads};
use vigil_api::{ops, Items};
use vigil_app::{selling, Actor, AppError, Services};
use vigil_domain::{FieldError, PartnerId};

pub async fn sell_leads(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: SellLeads = parse(req)?;
    reply::<ops::SellLeads>(selling::sell_leads(svc, actor, body).await?)
}

pub async fn sell_customer(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: SellCustomer = parse(req)?;
    reply::<ops::SellCustomer>(selling::sell_customer(svc, actor, record_id(req)?, body).await?)
}

pub async fn list(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let partner = match req.query_string_parameters().first("partner_id") {
        None | Some("") => None,
        Some(p) => Some(PartnerId(p.parse::<u32>().map_err(|_| {
            AppError::from_field(FieldError::new("partner_id", "invalid", "must be a partner company ID"))
        })?)),
    };
    reply::<ops::ListSalesToPartners>(Items { items: selling::list(svc, actor, partner).await? })
}
