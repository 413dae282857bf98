//! Handlers of the lead queue: settings, requesting a lead, moving a lead's location, returns.

use super::{json, parse, record_id, reply, Reply};
use lambda_http::{Body, Request, Response};
use vigil_api::lead_queue::{LeadQueueSettings, LocationMove, ReturnLeads};
use vigil_api::ops;
use vigil_app::lead_queue::{self, Requested};
use vigil_app::{Actor, AppError, Services};

pub async fn get_settings(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetLeadQueueSettings>(lead_queue::get_settings(svc, actor).await?)
}

pub async fn put_settings(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: LeadQueueSettings = parse(req)?;
    reply::<ops::PutLeadQueueSettings>(lead_queue::put_settings(svc, actor, body).await?)
}

/// 200 with the lead, or 204 with `Next-Requestable-At` (and `Retry-After`) when a lead will be requestable.
pub async fn request(svc: &Services, actor: &Actor) -> Reply {
    match lead_queue::request(svc, actor).await? {
        Requested::Lead(lead) => json(200, &*lead),
        Requested::Nothing { next } => {
            let mut resp = Response::builder().status(204);
            if let Some(t) = next {
                let at = vigil_app::clock::rfc3339(t);
                let wait = (t - svc.clock.now()).whole_seconds().max(1);
                resp = resp.header("next-requestable-at", at).header("retry-after", wait.to_string());
            }
            resp.body(Body::Empty).map_err(|e| AppError::Internal(e.to_string()))
        }
    }
}

pub async fn move_location(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: LocationMove = parse(req)?;
    reply::<ops::MoveLeadLocation>(lead_queue::move_location(svc, actor, record_id(req)?, body).await?)
}

pub async fn return_leads(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: ReturnLeads = parse(req)?;
    reply::<ops::ReturnLeads>(lead_queue::return_leads(svc, actor, body).await?)
}
