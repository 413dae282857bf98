//! The Sales Copilot's handler.

use super::{parse, record_id, reply, Reply};
use lambda_http::Request;
use vigil_api::ops;
use vigil_app::{copilot, Actor, Services};

pub async fn ask(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::LeadCopilot>(copilot::ask(svc, actor, record_id(req)?, parse(req)?).await?)
}
