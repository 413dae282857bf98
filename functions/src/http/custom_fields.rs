//! Handlers of the custom fields routes (user-defined fields under Settings): list, create, update, delete.

use super::{json, object, Items};
use lambda_http::{Body, Request, RequestExt, Response};
use vigil_app::{custom_fields, Actor, AppError, Services};
use vigil_domain::FieldError;

const FUNCTIONS: &[&str] = &["list_custom_fields", "create_custom_field", "update_custom_field", "delete_custom_field"];

pub fn handles(function: &str) -> bool {
    FUNCTIONS.contains(&function)
}

pub async fn dispatch(
    svc: &Services,
    actor: &Actor,
    function: &str,
    req: &Request,
) -> Result<Response<Body>, AppError> {
    match function {
        "list_custom_fields" => json(200, &Items { items: custom_fields::list(svc, actor).await? }),
        "create_custom_field" => json(201, &custom_fields::create(svc, actor, &object(req)?).await?),
        "update_custom_field" => json(200, &custom_fields::update(svc, actor, field_id(req)?, &object(req)?).await?),
        "delete_custom_field" => {
            custom_fields::delete(svc, actor, field_id(req)?).await?;
            Ok(Response::builder().status(204).body(Body::Empty).expect("static response"))
        }
        other => Err(AppError::Internal(format!("no custom field handler named {other}"))),
    }
}

/// The `{id}` path parameter: a positive whole number.
fn field_id(req: &Request) -> Result<u32, AppError> {
    let params = req.path_parameters();
    let raw = params.first("id").unwrap_or_default();
    match raw.parse::<u32>() {
        Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(AppError::from_field(FieldError::new("id", "invalid", "id must be a positive whole number"))),
    }
}
