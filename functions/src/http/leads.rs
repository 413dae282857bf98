//! Handlers of the lead write side, single-lead reads, tags and lead-scoring settings.

use super::{json, object, parse, record_id, Items};
use lambda_http::{Body, Request, RequestExt, Response};
use vigil_app::{lead_options, lead_scoring, leads, tags, Actor, AppError, Services};
use vigil_domain::FieldError;

const FUNCTIONS: &[&str] = &[
    "lead_form_options",
    "create_lead",
    "update_lead",
    "delete_lead",
    "move_lead_stage",
    "set_lead_tags",
    "preview_lead",
    "lead_history",
    "list_tags",
    "create_tag",
    "get_lead_scoring",
    "put_lead_scoring",
];

pub fn handles(function: &str) -> bool {
    FUNCTIONS.contains(&function)
}

pub async fn dispatch(
    svc: &Services,
    actor: &Actor,
    function: &str,
    req: &Request,
) -> Result<Response<Body>, AppError> {
    let q = req.query_string_parameters();
    match function {
        "lead_form_options" => json(200, &lead_options::form_options(svc, actor).await?),
        "create_lead" => {
            let allow = match q.first("allow_duplicates") {
                None | Some("false") | Some("") => false,
                Some("true") => true,
                Some(_) => {
                    return Err(AppError::from_field(FieldError::new(
                        "allow_duplicates",
                        "invalid",
                        "allow_duplicates must be true or false",
                    )))
                }
            };
            json(201, &leads::create(svc, actor, &object(req)?, allow).await?)
        }
        "update_lead" => json(200, &leads::edit(svc, actor, record_id(req)?, &object(req)?).await?),
        "delete_lead" => {
            leads::delete(svc, actor, record_id(req)?).await?;
            Ok(Response::builder().status(204).body(Body::Empty).expect("static response"))
        }
        "move_lead_stage" => json(200, &leads::move_stage(svc, actor, record_id(req)?, parse(req)?).await?),
        "set_lead_tags" => json(200, &leads::set_tags(svc, actor, record_id(req)?, parse(req)?).await?),
        "preview_lead" => json(200, &leads::preview(svc, actor, record_id(req)?).await?),
        "lead_history" => json(200, &Items { items: leads::history(svc, actor, record_id(req)?, 100).await? }),
        "list_tags" => json(200, &Items { items: tags::list(svc, actor).await? }),
        "create_tag" => json(201, &tags::create(svc, actor, parse(req)?).await?),
        "get_lead_scoring" => json(200, &lead_scoring::get(svc, actor).await?),
        "put_lead_scoring" => json(200, &lead_scoring::put(svc, actor, parse(req)?).await?),
        other => Err(AppError::Internal(format!("no lead handler named {other}"))),
    }
}
