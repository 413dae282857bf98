//! Handlers of the partner company, campaign and message template routes (admin).

use super::{object, parse, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::partners::PreviewRequest;
use vigil_api::{ops, Items};
use vigil_app::{partners, Actor, AppError, Services};
use vigil_domain::{CampaignId, FieldError, PartnerId};

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreatePartner>(partners::create(svc, actor, &object(req)?).await?)
}

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetPartner>(partners::get(svc, actor, PartnerId(id(req)?)).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdatePartner>(partners::update(svc, actor, PartnerId(id(req)?), &object(req)?).await?)
}

pub async fn delete(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::DeletePartner>(partners::delete(svc, actor, PartnerId(id(req)?), version(req)?).await?)
}

pub async fn history(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::PartnerHistory>(Items { items: partners::history(svc, actor, PartnerId(id(req)?)).await? })
}

pub async fn returns(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let q = req.query_string_parameters();
    let per_page = vigil_app::records::PerPage::parse(q.first("per_page")).map_err(AppError::from_field)?;
    reply::<ops::PartnerReturns>(partners::returns(svc, actor, PartnerId(id(req)?), per_page, q.first("cursor")).await?)
}

pub async fn list_campaigns(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ListCampaigns>(Items { items: partners::list_campaigns(svc, actor, PartnerId(id(req)?)).await? })
}

pub async fn create_campaign(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateCampaign>(partners::create_campaign(svc, actor, PartnerId(id(req)?), &object(req)?).await?)
}

pub async fn update_campaign(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateCampaign>(partners::update_campaign(svc, actor, CampaignId(id(req)?), &object(req)?).await?)
}

pub async fn delete_campaign(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::DeleteCampaign>(partners::delete_campaign(svc, actor, CampaignId(id(req)?), version(req)?).await?)
}

pub async fn list_templates(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListMessageTemplates>(Items { items: partners::list_templates(svc, actor).await? })
}

pub async fn create_template(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateMessageTemplate>(partners::create_template(svc, actor, &object(req)?).await?)
}

pub async fn get_template(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetMessageTemplate>(partners::get_template(svc, actor, id(req)?).await?)
}

pub async fn update_template(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateMessageTemplate>(partners::update_template(svc, actor, id(req)?, &object(req)?).await?)
}

pub async fn delete_template(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::DeleteMessageTemplate>(partners::delete_template(svc, actor, id(req)?, version(req)?).await?)
}

pub async fn preview_template(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: PreviewRequest = parse(req)?;
    reply::<ops::PreviewMessageTemplate>(partners::preview_template(svc, actor, id(req)?, body.record_id).await?)
}

/// A delete's `version` query parameter (required, positive).
fn version(req: &Request) -> Result<u64, AppError> {
    match req.query_string_parameters().first("version") {
        None | Some("") => Err(AppError::from_field(FieldError::required("version"))),
        Some(v) => v.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            AppError::from_field(FieldError::new("version", "invalid", "version must be the version number you read"))
        }),
    }
}

/// The `{id}` path parameter: a positive whole number.
fn id(req: &Request) -> Result<u32, AppError> {
    let params = req.path_parameters();
    let raw = params.first("id").unwrap_or_default();
    match raw.parse::<u32>() {
        Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(AppError::from_field(FieldError::new("id", "invalid", "id must be a positive whole number"))),
    }
}
