//! Handlers of the customer workflow routes: definitions under Settings, a customer's enrollments, one enrollment
//! and completing its steps.

use super::{object, parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::workflows::{CompleteStep, NewEnrollment};
use vigil_api::{ops, Items};
use vigil_app::{workflows, Actor, AppError, Services};
use vigil_domain::FieldError;

pub async fn list(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListCustomerWorkflows>(Items { items: workflows::list(svc, actor).await? })
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateCustomerWorkflow>(workflows::create(svc, actor, &object(req)?).await?)
}

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let version = match req.query_string_parameters().first("version") {
        None | Some("") => None,
        Some(v) => Some(number(v, "version")?),
    };
    let id = u32::try_from(number(path(req, "id"), "id")?).map_err(|_| invalid("id"))?;
    reply::<ops::GetCustomerWorkflow>(workflows::get(svc, actor, id, version).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let id = u32::try_from(number(path(req, "id"), "id")?).map_err(|_| invalid("id"))?;
    reply::<ops::UpdateCustomerWorkflow>(workflows::update(svc, actor, id, &object(req)?).await?)
}

pub async fn list_enrollments(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ListEnrollments>(workflows::list_enrollments(svc, actor, record_id(req)?).await?)
}

pub async fn start(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: NewEnrollment = parse(req)?;
    reply::<ops::StartEnrollment>(workflows::start(svc, actor, record_id(req)?, &body).await?)
}

pub async fn get_enrollment(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let id = number(path(req, "id"), "id")?;
    let q = req.query_string_parameters();
    reply::<ops::GetEnrollment>(workflows::get_enrollment(svc, actor, id, q.first("language")).await?)
}

pub async fn complete(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let id = number(path(req, "id"), "id")?;
    let step = u32::try_from(number(path(req, "step_id"), "step_id")?).map_err(|_| invalid("step_id"))?;
    let body: CompleteStep = parse(req)?;
    reply::<ops::CompleteEnrollmentStep>(workflows::complete(svc, actor, id, step, &body).await?)
}

fn path<'a>(req: &'a Request, name: &str) -> &'a str {
    req.path_parameters_ref().and_then(|p| p.first(name)).unwrap_or_default()
}

/// A positive whole number (422 naming the parameter otherwise; the value is never echoed).
fn number(raw: &str, name: &'static str) -> Result<u64, AppError> {
    match raw.parse::<u64>() {
        Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(invalid(name)),
    }
}

fn invalid(name: &'static str) -> AppError {
    AppError::from_field(FieldError::new(name, "invalid", format!("{name} must be a positive whole number")))
}
