//! Handlers of the custom fields routes (user-defined fields under Settings): list, create, update, delete.

use super::{object, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::{custom_fields, Actor, AppError, Services};
use vigil_domain::FieldError;

pub async fn list(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListCustomFields>(Items { items: custom_fields::list(svc, actor).await? })
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateCustomField>(custom_fields::create(svc, actor, &object(req)?).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateCustomField>(custom_fields::update(svc, actor, field_id(req)?, &object(req)?).await?)
}

pub async fn delete(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let version = match req.query_string_parameters().first("version") {
        None | Some("") => return Err(AppError::from_field(FieldError::required("version"))),
        Some(v) => v.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            AppError::from_field(FieldError::new("version", "invalid", "version must be the field's version number"))
        })?,
    };
    reply::<ops::DeleteCustomField>(custom_fields::delete(svc, actor, field_id(req)?, version).await?)
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
