//! Handlers of monitoring companies (admin) and a customer's ADT PreCheck.

use super::{parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::monitoring::{self, precheck};
use vigil_app::{Actor, AppError, Services};
use vigil_domain::FieldError;

fn company_id(req: &Request) -> Result<u32, AppError> {
    req.path_parameters()
        .first("id")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|i| *i > 0)
        .ok_or_else(|| AppError::from_field(FieldError::new("id", "invalid", "must be a monitoring company ID")))
}

pub async fn list(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListMonitoringCompanies>(Items { items: monitoring::list(svc, actor).await? })
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateMonitoringCompany>(monitoring::create(svc, actor, parse(req)?).await?)
}

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetMonitoringCompany>(monitoring::get(svc, actor, company_id(req)?).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateMonitoringCompany>(monitoring::update(svc, actor, company_id(req)?, parse(req)?).await?)
}

pub async fn get_precheck(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetAdtPrecheck>(precheck::get(svc, actor, record_id(req)?).await?)
}

pub async fn refresh_precheck(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::RefreshAdtPrecheck>(precheck::refresh(svc, actor, record_id(req)?).await?)
}
