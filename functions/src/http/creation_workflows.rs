//! Handlers of creation workflows (admin and the split buttons' list) and a customer's wizard.

use super::{parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::creation_workflows as cw;
use vigil_app::{Actor, AppError, Services};
use vigil_domain::FieldError;

fn workflow_id(req: &Request) -> Result<u32, AppError> {
    req.path_parameters()
        .first("id")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|i| *i > 0)
        .ok_or_else(|| AppError::from_field(FieldError::new("id", "invalid", "must be a creation workflow ID")))
}

pub async fn list(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListCreationWorkflows>(Items { items: cw::list(svc, actor).await? })
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateCreationWorkflow>(cw::create(svc, actor, parse(req)?).await?)
}

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetCreationWorkflow>(cw::get(svc, actor, workflow_id(req)?).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateCreationWorkflow>(cw::update(svc, actor, workflow_id(req)?, parse(req)?).await?)
}

pub async fn available(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::AvailableCreationWorkflows>(Items { items: cw::available(svc, actor).await? })
}

pub async fn get_wizard(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetCustomerWizard>(cw::get_wizard(svc, actor, record_id(req)?).await?)
}

pub async fn advance(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::AdvanceCustomerWizard>(cw::advance(svc, actor, record_id(req)?, parse(req)?).await?)
}
