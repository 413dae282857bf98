//! Handlers of the lead write side, single-lead reads, tags and lead-scoring settings.

use super::{object, parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::{lead_options, lead_scoring, leads, tags, Actor, AppError, Services};
use vigil_domain::FieldError;

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetLead>(leads::get(svc, actor, record_id(req)?).await?)
}

pub async fn form_options(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::LeadFormOptionsOp>(lead_options::form_options(svc, actor).await?)
}

/// The `allow_duplicates` query flag of lead and customer create.
pub(super) fn allow_duplicates(req: &Request) -> Result<bool, AppError> {
    match req.query_string_parameters().first("allow_duplicates") {
        None | Some("false") | Some("") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(AppError::from_field(FieldError::new(
            "allow_duplicates",
            "invalid",
            "allow_duplicates must be true or false",
        ))),
    }
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let allow = allow_duplicates(req)?;
    reply::<ops::CreateLead>(leads::create(svc, actor, &object(req)?, allow).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateLead>(leads::edit(svc, actor, record_id(req)?, &object(req)?).await?)
}

pub async fn delete(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::DeleteLead>(leads::delete(svc, actor, record_id(req)?).await?)
}

pub async fn move_stage(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::MoveLeadStage>(leads::move_stage(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn set_tags(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::SetLeadTags>(leads::set_tags(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn preview(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::PreviewLead>(leads::preview(svc, actor, record_id(req)?).await?)
}

pub async fn history(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::LeadHistory>(Items { items: leads::history(svc, actor, record_id(req)?, 100).await? })
}

pub async fn list_tags(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListTags>(Items { items: tags::list(svc, actor).await? })
}

pub async fn create_tag(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateTag>(tags::create(svc, actor, parse(req)?).await?)
}

pub async fn get_scoring(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetLeadScoring>(lead_scoring::get(svc, actor).await?)
}

pub async fn put_scoring(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::PutLeadScoring>(lead_scoring::put(svc, actor, parse(req)?).await?)
}
