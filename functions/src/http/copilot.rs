//! The handlers of issue 15's lead module: the Sales Copilot, and the opportunities a conversion opens.

use super::{parse, record_id, reply, Reply};
use lambda_http::Request;
use vigil_api::{ops, Items};
use vigil_app::{copilot, opportunities, Actor, Services};

pub async fn ask(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::LeadCopilot>(copilot::ask(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn list_opportunities(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ListOpportunities>(Items { items: opportunities::list(svc, actor, record_id(req)?).await? })
}

pub async fn update_opportunity(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateOpportunity>(opportunities::update(svc, actor, record_id(req)?, parse(req)?).await?)
}
