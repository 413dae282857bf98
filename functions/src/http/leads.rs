//! Handlers of the lead write side, single-lead reads, tags and lead-scoring settings.

use super::{json, record_id};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use vigil_app::{lead_options, lead_scoring, leads, tags, Actor, AppError, Services};
use vigil_domain::{FieldError, Invalid};

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

pub async fn dispatch(svc: &Services, actor: &Actor, function: &str, req: &Request) -> Result<Response<Body>, AppError> {
    let q = req.query_string_parameters();
    match function {
        "lead_form_options" => json(200, &lead_options::form_options(svc, actor).await?),
        "create_lead" => {
            let allow = match q.first("allow_duplicates") {
                None | Some("false") | Some("") => false,
                Some("true") => true,
                Some(_) => return Err(AppError::from_field(FieldError::new("allow_duplicates", "invalid", "allow_duplicates must be true or false"))),
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

#[derive(serde::Serialize)]
struct Items<T> {
    items: Vec<T>,
}

fn body_text(req: &Request) -> &[u8] {
    match req.body() {
        Body::Text(s) => s.as_bytes(),
        Body::Binary(b) => b,
        Body::Empty => b"",
        _ => b"",
    }
}

fn bad_body(message: String) -> AppError {
    AppError::Invalid(Invalid::one("body", "invalid_json", message))
}

/// The request body as a JSON object (422 naming `body` otherwise).
fn object(req: &Request) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body_text(req)) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_body("the body must be a JSON object".into())),
        Err(e) => Err(bad_body(format!("the body is not JSON: {}", e.to_string().split(" at line").next().unwrap_or("invalid")))),
    }
}

/// The request body as `T` (422 naming the problem otherwise; never echoes the body).
fn parse<T: DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    let value = Value::Object(object(req)?);
    serde_json::from_value(value).map_err(|e| bad_body(format!("the body does not fit this request: {}", e.to_string().split(" at line").next().unwrap_or("invalid"))))
}
