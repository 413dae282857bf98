//! The handlers of accounting: the Accounting tab, invoices and quotes, billing methods and payments.

use super::{object, parse, record_id, reply, Reply};
use lambda_http::Request;
use vigil_api::ops;
use vigil_app::{accounting, Actor, Services};

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetAccounting>(accounting::get(svc, actor, record_id(req)?).await?)
}

pub async fn create_invoice(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateInvoice>(accounting::create_invoice(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn quote_to_invoice(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::QuoteToInvoice>(accounting::quote_to_invoice(svc, actor, record_id(req)?, parse(req)?).await?)
}

/// Read as a plain object first: a card number or CVV field is refused by name before the body is parsed.
pub async fn create_billing_method(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let raw = object(req)?;
    reply::<ops::CreateBillingMethod>(accounting::create_billing_method(svc, actor, record_id(req)?, &raw).await?)
}

pub async fn create_payment(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreatePayment>(accounting::create_payment(svc, actor, record_id(req)?, parse(req)?).await?)
}
