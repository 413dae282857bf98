//! Handlers of the CSV lead import and the bulk rep reassignment.

use super::{parse, reply, Reply};
use lambda_http::{Body, Request, RequestExt, Response};
use vigil_api::imports::{ImportOptions, NewImport, Reassign};
use vigil_api::ops;
use vigil_app::{imports, Actor, AppError, Services};
use vigil_domain::FieldError;

fn import_id(req: &Request) -> Result<u32, AppError> {
    let params = req.path_parameters();
    params
        .first("id")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::from_field(FieldError::new("id", "invalid", "must be an import ID")))
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: NewImport = parse(req)?;
    reply::<ops::CreateImport>(imports::create(svc, actor, body).await?)
}

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetImport>(imports::get(svc, actor, import_id(req)?).await?)
}

pub async fn analyze(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::AnalyzeImport>(imports::analyze(svc, actor, import_id(req)?).await?)
}

pub async fn dry_run(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: ImportOptions = parse(req)?;
    reply::<ops::DryRunImport>(imports::dry_run(svc, actor, import_id(req)?, body).await?)
}

pub async fn run(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: ImportOptions = parse(req)?;
    reply::<ops::RunImport>(imports::run(svc, actor, import_id(req)?, body).await?)
}

pub async fn cancel(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CancelImport>(imports::cancel(svc, actor, import_id(req)?).await?)
}

pub async fn revert(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::RevertImport>(imports::revert(svc, actor, import_id(req)?).await?)
}

/// The one answer that is not JSON: a CSV download.
pub async fn errors_csv(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let id = import_id(req)?;
    let csv = imports::errors_csv(svc, actor, id).await?;
    Ok(Response::builder()
        .status(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", format!("attachment; filename=\"import-{id}-errors.csv\""))
        .body(Body::Text(csv))
        .expect("static headers are valid"))
}

pub async fn reassign(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: Reassign = parse(req)?;
    reply::<ops::ReassignLeads>(imports::reassign(svc, actor, body).await?)
}
