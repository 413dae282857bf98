//! Handlers of credit checks: the add-on's settings, running and listing a customer's checks, applying one.

use super::{parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::{credit, Actor, AppError, Services};
use vigil_domain::FieldError;

pub async fn get_settings(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetCreditSettings>(credit::get_settings(svc, actor).await?)
}

pub async fn put_settings(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::PutCreditSettings>(credit::put_settings(svc, actor, parse(req)?).await?)
}

pub async fn run(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let click = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| {
            AppError::from_field(FieldError::new(
                "Idempotency-Key",
                "invalid",
                "the Idempotency-Key header must be visible ASCII",
            ))
        })?),
    };
    reply::<ops::RunCreditCheck>(credit::run(svc, actor, record_id(req)?, parse(req)?, click).await?)
}

pub async fn list(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ListCreditChecks>(Items { items: credit::list(svc, actor, record_id(req)?).await? })
}

pub async fn apply(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let id = req.path_parameters().first("id").and_then(|s| s.parse::<u64>().ok()).filter(|i| *i > 0);
    let id = id.ok_or_else(|| AppError::from_field(FieldError::new("id", "invalid", "must be a credit check ID")))?;
    reply::<ops::ApplyCreditCheck>(credit::apply(svc, actor, id, parse(req)?).await?)
}

pub async fn enter_manual(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::EnterCreditScore>(credit::enter_manual(svc, actor, record_id(req)?, parse(req)?).await?)
}
